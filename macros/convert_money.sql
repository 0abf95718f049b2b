{#- convert_money(amount, rate): amount × rate for two money_type() values, exactly: in 128-bit
    integers of the money scale's smallest unit (1e-12 by default), truncated toward zero at that
    unit, never through DOUBLE. NULL stays NULL. The product of the two in smallest units must stay
    below 1.7e38: amounts up to 1e11 at rates up to 1,000. -#}
{% macro convert_money(amount, rate) -%}
    {{ from_money_units('(' ~ money_units(amount) ~ ' * ' ~ money_units(rate) ~ ') // ' ~ (10 ** (var('money_scale') | int))) }}
{%- endmacro %}
