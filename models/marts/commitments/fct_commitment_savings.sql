-- Per calendar month (UTC day of use), provider, billing account, sub account, service and
-- currency: what usage would have cost at list prices, at the account's negotiated (contracted)
-- prices, and what it effectively cost, with the savings between them (FINOPS_REFERENCE §3):
--   list − effective = negotiated_savings + list_below_contracted_cost + net_commitment_savings
--                      + other_discount_savings
--   net_commitment_savings = gross_commitment_savings − unused_commitment_cost
-- Rows: ChargeCategory Usage only (usage, covered usage, Unused commitment rows, usage discounts and
-- refunds); commitment purchases, tax and credits are not usage and are excluded.
with

charges as (
    select * from {{ ref('int_charges_split_by_day') }}
    where charge_category = 'Usage'
),

per_month as (
    select
        cast(date_trunc('month', charge_date) as date) as charge_month,
        provider_name,
        billing_account_id,
        sub_account_id,
        billing_currency,
        service_name,
        sum(list_cost) as list_cost,
        sum(contracted_cost) as contracted_cost,
        sum(effective_cost) as effective_cost,
        -- Negotiated savings are floored at 0 row by row (FINOPS_REFERENCE); rows priced above list
        -- are kept apart so the identity above stays exact.
        sum(greatest(list_cost - contracted_cost, 0)) as negotiated_savings,
        sum(least(list_cost - contracted_cost, 0)) as list_below_contracted_cost,
        -- Commitment savings are counted on covered usage only: the commitment's price against the
        -- contracted one (DECISIONLOG: discounts the effective cost of other usage carries beyond
        -- ContractedCost, such as AWS EDP folded into NetUnblendedCost, are other_discount_savings).
        sum(case when commitment_discount_status = 'Used' then contracted_cost - effective_cost else 0 end)
            as gross_commitment_savings,
        sum(case when commitment_discount_status is null then contracted_cost - effective_cost else 0 end)
            as other_discount_savings,
        sum(case when commitment_discount_status = 'Unused' then effective_cost else 0 end)
            as unused_commitment_cost,
        sum(case when commitment_discount_status = 'Used' then effective_cost else 0 end)
            as covered_effective_cost
    from charges
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        *,
        gross_commitment_savings - unused_commitment_cost as net_commitment_savings,
        list_cost - effective_cost as total_savings,
        -- ESR as this project defines it: savings against list prices over usage.
        {{ exact_ratio('list_cost - effective_cost', 'list_cost') }} as effective_savings_rate,
        -- The FinOps Foundation's variant: savings against contracted prices (commitments only).
        {{ exact_ratio('contracted_cost - effective_cost', 'contracted_cost') }}
            as effective_savings_rate_on_contracted_cost
    from per_month
)

select * from final
