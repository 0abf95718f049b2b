{#
    The join that gives each row its rate to the reporting currency (int_reporting_currency_rates):
    the rate of its billing currency for the month of its billing period (BillingPeriodStart), the one
    rule every conversion uses, so a row converts the same wherever it is read. `relation` names the
    joined relation (with billing_currency and billing_period_start); the rates are `alias`
    (exchange_rate, reporting_currency).
#}
{% macro join_reporting_rates(relation, alias='rates') -%}
    inner join {{ ref('int_reporting_currency_rates') }} as {{ alias }}
        on
            {{ relation }}.billing_currency = {{ alias }}.billing_currency
            and cast(date_trunc('month', {{ relation }}.billing_period_start) as date) = {{ alias }}.billing_month
{%- endmacro %}
