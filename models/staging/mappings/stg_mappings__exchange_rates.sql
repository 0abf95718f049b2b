-- Monthly exchange rates to the reporting currency (exchange_rates.csv): one row per billing
-- currency and month; the loader has checked the codes and that every row has one to_currency.
with

source as (
    select * from {{ source('mappings', 'mapping_exchange_rates') }}
),

final as (
    select
        from_currency,
        to_currency,
        month as rate_month,
        {{ to_money('rate') }} as exchange_rate
    from source
)

select * from final
