-- The user's planned changes to the cost forecast (forecast_adjustments.csv), one row per change:
-- the loader has checked the words, the currency, that exactly one of monthly_amount and percent is
-- given, and made owner and tag values canonical.
with

source as (
    select * from {{ source('mappings', 'mapping_forecast_adjustments') }}
),

final as (
    select
        adjustment_id,
        scope_type,
        scope_value,
        effective_from,
        effective_to,
        case when monthly_amount is null then 'percent' else 'amount' end as adjustment_type,
        {{ to_money('monthly_amount') }} as monthly_amount,
        currency as amount_currency,
        percent as adjustment_percent,
        note
    from source
)

select * from final
