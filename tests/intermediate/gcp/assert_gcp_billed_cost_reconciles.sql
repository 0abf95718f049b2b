-- Per billing account and invoice month, the FOCUS rows bill exactly what Google billed on the
-- usable export rows (cost + credits), and both bases agree: nothing is lost or double counted by
-- the conform. Rows returned are the groups that differ.
with

staged as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(gcp_billed_cost) as gcp_billed_cost,
        count(*) as row_count
    from {{ ref('stg_gcp__billing_export') }}
    where quarantine_reason is null
    group by 1, 2, 3
),

conformed as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        count(*) as row_count
    from {{ ref('int_gcp__charges_conformed') }}
    group by 1, 2, 3
)

select
    staged.gcp_billed_cost,
    conformed.billed_cost,
    conformed.effective_cost,
    staged.row_count as staged_row_count,
    conformed.row_count as conformed_row_count,
    coalesce(staged.billing_account_id, conformed.billing_account_id) as billing_account_id,
    coalesce(staged.billing_period_start, conformed.billing_period_start) as billing_period_start
from staged
full outer join conformed
    on
        staged.billing_account_id = conformed.billing_account_id
        and staged.billing_period_start = conformed.billing_period_start
        and staged.billing_currency = conformed.billing_currency
where
    staged.gcp_billed_cost is distinct from conformed.billed_cost
    or staged.gcp_billed_cost is distinct from conformed.effective_cost
    or staged.row_count is distinct from conformed.row_count
