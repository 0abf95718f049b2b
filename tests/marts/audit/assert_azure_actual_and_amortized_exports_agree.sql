{{ config(
    tags=['input_check'],
    meta={'stop': 'The Azure actual-cost and amortized-cost exports of billing account {billing_account_id} for '
        ~ '{billing_period} do not describe the same charges: the actual export bills {raw_billed_cost} '
        ~ '{billing_currency}, the amortized export\'s rows bill {focus_billed_cost} (difference '
        ~ '{billed_cost_difference}); land both exports of the same scope and dates, exported together, and run '
        ~ 'again.'}
) }}
-- Azure's billed basis is the actual-cost export, and FOCUS carries the amortized export's rows
-- (DECISIONLOG D41): the billed identity raw = FOCUS + quarantined holds only when the two exports
-- describe the same charges. When it fails while the amortized basis holds and no line of the bill
-- is of unknown amount, the exports disagree (another scope, other days, or an extract of another
-- day): the user's landing folder, not the warehouse, must change.
with

reconciliation as (
    select * from {{ ref('fct_billing_reconciliation') }}
    where source_name = 'azure'
),

final as (
    select
        billing_account_id,
        billing_currency,
        cast(raw_billed_cost as decimal(38, 2)) as raw_billed_cost,
        cast(focus_billed_cost + quarantined_billed_cost as decimal(38, 2)) as focus_billed_cost,
        strftime(billing_period_start, '%Y-%m') as billing_period,
        rtrim(rtrim(cast(billed_cost_difference as varchar), '0'), '.') as billed_cost_difference
    from reconciliation
    where billed_cost_difference <> 0 and effective_cost_difference = 0 and unknown_amount_line_count = 0
)

select * from final
