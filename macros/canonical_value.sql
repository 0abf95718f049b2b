{#- The allowed spelling of an enumerated value, matched without regard to case or surrounding
    spaces ('usage-based' -> 'Usage-Based'); a value that matches none is returned trimmed, as is,
    for the tests to catch.
    arguments: expr (SQL text expression), allowed (list of the allowed spellings) -#}
{% macro canonical_value(expr, allowed) -%}
    case lower(trim({{ expr }}))
        {%- for value in allowed %}
        when '{{ value | lower }}' then '{{ value }}'
        {%- endfor %}
        else nullif(trim({{ expr }}), '')
    end
{%- endmacro %}
