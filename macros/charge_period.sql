{#- FOCUS charge periods are half-open and must not be empty, but providers date one-time charges
    (upfront fees, purchases) at an instant: start = end. Such a charge is given the hour that
    contains the instant, [hour, hour + 1 h), the finest grain FOCUS datasets use; any other period
    is kept as delivered. (An end before the start is quarantined in staging.)
    charge_period_start(start_expr, end_expr) / charge_period_end(start_expr, end_expr) -#}
{% macro charge_period_start(start_expr, end_expr) -%}
    case when {{ end_expr }} = {{ start_expr }} then date_trunc('hour', {{ start_expr }}) else {{ start_expr }} end
{%- endmacro %}

{% macro charge_period_end(start_expr, end_expr) -%}
    case
        when {{ end_expr }} = {{ start_expr }} then date_trunc('hour', {{ start_expr }}) + interval 1 hour
        else {{ end_expr }}
    end
{%- endmacro %}
