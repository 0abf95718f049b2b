{#- Provider timestamps arrive as text in several shapes: `2026-07-01T00:00:00Z`,
    `2026-07-01T00:00:00.000Z`, `2018-06-20 01:00:00`, with an offset (`+02:00`), or a date only.
    Returns a TIMESTAMP in UTC, or NULL when the text does not parse (the row is then quarantined).
    A text without an offset is read as UTC (the session time zone is UTC, see profiles.yml). -#}
{% macro parse_utc_timestamp(expr) -%}
    timezone('UTC', try_cast(nullif(trim({{ expr }}), '') as timestamptz))
{%- endmacro %}
