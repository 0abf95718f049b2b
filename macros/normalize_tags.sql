{#- How allocation matches what people type (the same rules as finops/mappings/specs.py, which
    checks the rule files):

    normalize_tag_key(expr)    lower case, every character that is not a letter or digit removed:
                               `Team`, ` team `, `TEAM` -> `team`; `cost_center`, `CostCenter` -> `costcenter`.
    normalize_tag_value(expr)  lower case, trimmed, inner runs of whitespace collapsed to one space:
                               `Payments `, `PAYMENTS` -> `payments`. NULL stays NULL. -#}
{% macro normalize_tag_key(expr) -%}
    regexp_replace(lower({{ expr }}), '[^\p{L}\p{N}]', '', 'g')
{%- endmacro %}

{% macro normalize_tag_value(expr) -%}
    trim(regexp_replace(lower({{ expr }}), '\s+', ' ', 'g'))
{%- endmacro %}
