{#- parse_day(expr): a day as exports write it, as a TIMESTAMP at 00:00 UTC, or NULL when the text
    does not parse (the row is then quarantined). Azure cost details write days as `MM/DD/YYYY`
    (US order, with or without leading zeros: `9/2/2023`) or ISO `YYYY-MM-DD`, sometimes followed
    by a time of day that is always midnight (`2023-09-02T00:00:00.0000000Z`): an ISO text is read
    by its first ten characters. A day-first date (`30/09/2023`) is never guessed: it does not
    parse as US order and is quarantined rather than read as another day. -#}
{% macro parse_day(expr) -%}
    {%- set text = "nullif(trim(" ~ expr ~ "), '')" -%}
    cast(case
        when regexp_matches({{ text }}, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(left({{ text }}, 10) as date)
        else cast(try_strptime({{ text }}, ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S']) as date)
    end as timestamp)
{%- endmacro %}
