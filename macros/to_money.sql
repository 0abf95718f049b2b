{#- The warehouse's one money (and quantity) type: DECIMAL(money_precision, money_scale).

    to_money(expr)       exact cast of a value already numeric.
    try_to_money(expr)   cast of provider text that may be bad: NULL when it does not parse, so
                         staging can quarantine the row instead of failing the build.
    money_type()         the type itself, for contracts and casts of literals. -#}
{% macro money_type() -%}
    decimal({{ var('money_precision') }}, {{ var('money_scale') }})
{%- endmacro %}

{% macro to_money(expr) -%}
    cast({{ expr }} as {{ money_type() }})
{%- endmacro %}

{% macro try_to_money(expr) -%}
    try_cast(nullif(trim({{ expr }}), '') as {{ money_type() }})
{%- endmacro %}
