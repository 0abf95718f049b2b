{#- Provider timestamps arrive as text in several shapes: `2026-07-01T00:00:00Z`,
    `2026-07-01T00:00:00.000Z`, `2018-06-20 01:00:00`, a date only, or with an offset (`+02:00`).
    Returns a TIMESTAMP in UTC, or NULL when the text does not parse (the row is then quarantined).
    Text without an offset (or with `Z`) is UTC and takes the fast TIMESTAMP parser; text with an
    explicit offset goes through TIMESTAMPTZ so the offset is applied (the session time zone is
    UTC, see profiles.yml). -#}
{% macro parse_utc_timestamp(expr) -%}
    {%- set text = "nullif(trim(" ~ expr ~ "), '')" -%}
    case
        when regexp_matches({{ text }}, '[+-][0-9]{2}:?[0-9]{2}$')
            then timezone('UTC', try_cast({{ text }} as timestamptz))
        else try_cast({{ text }} as timestamp)
    end
{%- endmacro %}
