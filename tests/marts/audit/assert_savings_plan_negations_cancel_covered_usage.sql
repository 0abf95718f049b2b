-- The FOCUS mapping bills SavingsPlanCoveredUsage at 0 and does not carry SavingsPlanNegation rows
-- (DECISIONLOG D8). That loses nothing only if, per billing account and period, the negations
-- cancel the covered usage exactly, except for pairs broken by quarantine, whose quarantined side
-- shows the same amount. A group returned here has Savings Plan amounts that do not cancel.
with

source_line_items as (
    select * from {{ ref('int_source_line_items_unioned') }}
    where source_line_item_type in ('SavingsPlanCoveredUsage', 'SavingsPlanNegation')
)

select
    source_name,
    billing_account_id,
    billing_period_start,
    billing_currency,
    sum(netted_billed_cost) as netted_billed_cost,
    coalesce(sum(provider_billed_cost) filter (where quarantine_reason is not null), 0) as quarantined_billed_cost
from source_line_items
group by 1, 2, 3, 4
having
    sum(netted_billed_cost)
    + coalesce(sum(provider_billed_cost) filter (where quarantine_reason is not null), 0) <> 0
