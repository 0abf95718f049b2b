{{ config(
    tags=['input_check'],
    meta={'stop': 'The Savings Plan negations of payer account {billing_account_id} for {billing_period} do not cancel its covered usage ({unmatched_billed_cost} {billing_currency} left over), in {source_files}; the delivery is incomplete or altered, so copy the complete delivery of that period from S3 again (every file of its assembly) and run again.'}
) }}
-- The FOCUS mapping bills SavingsPlanCoveredUsage at 0 and does not carry SavingsPlanNegation rows
-- (DECISIONLOG D8). That loses nothing only if, per billing account and period, the negations
-- cancel the covered usage exactly, except for pairs broken by quarantine, whose quarantined side
-- shows the same amount. A group returned here has Savings Plan amounts that do not cancel.
with

source_line_items as (
    select * from {{ ref('int_source_line_items_unioned') }}
    where is_netted_savings_plan_row  -- which rows these are is decided once, in int_aws__source_amounts
),

groups as (
    select
        source_name,
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(netted_billed_cost) as netted_billed_cost,
        coalesce(sum(provider_billed_cost) filter (where quarantine_reason is not null), 0)
            as quarantined_billed_cost,
        string_agg(distinct source_file, ', ' order by source_file) as source_files
    from source_line_items
    group by 1, 2, 3, 4
),

final as (
    select
        source_name,
        billing_account_id,
        billing_currency,
        netted_billed_cost,
        quarantined_billed_cost,
        source_files,
        strftime(billing_period_start, '%Y-%m') as billing_period,
        -- the amount as written, without trailing zeros (12 decimal places are kept)
        rtrim(rtrim(cast(netted_billed_cost + quarantined_billed_cost as varchar), '0'), '.') as unmatched_billed_cost
    from groups
    where netted_billed_cost + quarantined_billed_cost <> 0
)

select * from final
