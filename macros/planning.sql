{#
    Whether a forecast series (int_forecast_series) is the scope a budget or a planned change names
    (scope_type and scope_value, as budgets.csv and forecast_adjustments.csv write them): the whole
    bill is the series `total:all`; a provider, owner, service category or tag value the series of
    that grain and value; a billing account the series `<provider> / <billing account id>`.
#}
{% macro scope_is_series(scope, series) -%}
    (
        ({{ scope }}.scope_type = 'whole_bill' and {{ series }}.series_id = 'total:all')
        or (
            {{ scope }}.scope_type in ('provider', 'owner', 'service_category', 'tag')
            and {{ scope }}.scope_type = {{ series }}.series_grain
            and {{ scope }}.scope_value = {{ series }}.series_value
        )
        or (
            {{ scope }}.scope_type = 'billing_account'
            and {{ series }}.series_grain = 'billing_account'
            and substr({{ series }}.series_value, strpos({{ series }}.series_value, ' / ') + 3) = {{ scope }}.scope_value
        )
    )
{%- endmacro %}

{#
    The rate of the month nearest to `wanted_month` among the joined rates (the month's own, else
    the latest before it, else the first after it): an aggregate, for a query grouped by the month.
#}
{% macro nearest_month_rate(rate, rate_month, wanted_month) -%}
    arg_min(
        {{ rate }},
        abs(datediff('month', {{ rate_month }}, {{ wanted_month }})) * 2
        + case when {{ rate_month }} > {{ wanted_month }} then 1 else 0 end
    )
{%- endmacro %}

{#
    The body of a query giving each needed (key, month) its rate to the reporting currency from
    int_planning_currency_rates, the nearest month's (nearest_month_rate); a currency with no rate
    at all stops the build with one sentence: `<subject> is in <currency> but exchange_rates.csv
    has no rate ...: add monthly rates for it or give <fix_noun> in <reporting currency>.`
    `needed` is a relation with the columns `key`, `currency`, `month` and reporting_currency;
    `subject` a SQL expression over them naming the row (e.g. 'Budget ' || budget_id).
#}
{% macro planning_rates(needed, key, currency, month, subject, fix_noun) %}
    select
        {{ needed }}.{{ key }},
        {{ needed }}.{{ month }},
        case
            when count(rates.exchange_rate) > 0
                then {{ nearest_month_rate('rates.exchange_rate', 'rates.rate_month', needed ~ '.' ~ month) }}
            else {{ input_error(
                subject ~ " || ' is in ' || " ~ needed ~ "." ~ currency ~ " || ' but exchange_rates.csv "
                ~ "(FINOPS_MAPPINGS_DIR) has no rate from ' || " ~ needed ~ "." ~ currency
                ~ " || ' to the reporting currency ' || " ~ needed ~ ".reporting_currency || ': add monthly rates "
                ~ "for it or give " ~ fix_noun ~ " in ' || " ~ needed ~ ".reporting_currency || '.'"
            ) }}
        end as exchange_rate
    from {{ needed }}
    left join {{ ref('int_planning_currency_rates') }} as rates
        on
            {{ needed }}.{{ currency }} = rates.planning_currency
            and {{ needed }}.reporting_currency = rates.reporting_currency
    group by
        {{ needed }}.{{ key }},
        {{ needed }}.{{ month }},
        {{ needed }}.{{ currency }},
        {{ needed }}.reporting_currency
{% endmacro %}
