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

{#- states_a_term(charge_frequency, start, end): true when a commitment purchase row's charge period
    is the span it pays for. A recurring fee pays for its own period (an hour, a month). A one-time
    purchase pays for a term only when its period is at least 28 days long (the FOCUS spec dates an
    upfront payment over its term); a shorter period is the purchase's date (exports date one-time
    charges by hour or day, and an instant becomes an hour, see charge_period_end). -#}
{% macro states_a_term(charge_frequency, start, end) -%}
    (
        {{ end }} > {{ start }}
        and ({{ charge_frequency }} <> 'One-Time' or date_diff('day', {{ start }}, {{ end }}) >= 28)
    )
{%- endmacro %}
