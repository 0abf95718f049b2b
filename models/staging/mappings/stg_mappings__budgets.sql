-- The user's budgets (budgets.csv), one row per budget and alert threshold: the loader has checked
-- the words, the currency, the threshold syntax and made owner and tag values canonical, so the
-- threshold list is split here without further checks ("80:actual|100:forecast" → two rows).
with

source as (
    select * from {{ source('mappings', 'mapping_budgets') }}
),

thresholds as (
    select
        source.*,
        trim(unnest(string_split(source.thresholds, '|'))) as threshold
    from source
),

final as (
    select
        budget_id,
        scope_type,
        scope_value,
        period as period_type,
        {{ to_money('amount') }} as budget_amount,
        currency as budget_currency,
        cost_basis,
        {{ to_money("split_part(threshold, ':', 1)") }} as threshold_percent,
        split_part(threshold, ':', 2) as threshold_basis,
        effective_from,
        effective_to,
        note
    from thresholds
)

select * from final
