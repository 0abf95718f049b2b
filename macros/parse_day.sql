{#- parse_day(expr): a day as exports write it, as a TIMESTAMP at 00:00 UTC, or NULL when the text
    does not parse (the row is then quarantined). Azure cost details write days as `MM/DD/YYYY`
    (US order, with or without leading zeros: `9/2/2023`) or ISO `YYYY-MM-DD`, sometimes with a
    time of day that is always midnight. A day-first date (`30/09/2023`) is never guessed: it
    does not parse as US order and is quarantined rather than read as another day. -#}
{% macro parse_day(expr) -%}
    cast(cast(try_strptime(
        nullif(trim({{ expr }}), ''),
        ['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%m/%d/%Y %H:%M:%S', '%Y-%m-%d %H:%M:%S']
    ) as date) as timestamp)
{%- endmacro %}
