{#- convert_money(amount, rate): amount × rate for two money_type() values, exactly: in 128-bit
    integers of the money scale's smallest unit (1e-12 by default), truncated toward zero at that
    unit, never through DOUBLE. NULL stays NULL. The product of the two in smallest units must stay
    below 1.7e38: amounts up to 1e11 at rates up to 1,000. A rate of exactly 1 (the reporting
    currency itself) returns the amount as it is, without the 128-bit arithmetic. -#}
{% macro convert_money(amount, rate) -%}
    case
        when {{ rate }} = 1 then {{ amount }}
        else {{ from_money_units('(' ~ money_units(amount) ~ ' * ' ~ money_units(rate) ~ ') // ' ~ (10 ** (var('money_scale') | int))) }}
    end
{%- endmacro %}
