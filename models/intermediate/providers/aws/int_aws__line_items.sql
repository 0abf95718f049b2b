-- Every staged AWS line item (legacy CUR and CUR 2.0, good and quarantined) with what it adds to
-- the bill on each basis, the way AWS states it. This is where AWS billing meaning starts: the
-- conform to FOCUS (int_aws__charges_conformed), the commitments (int_aws__commitments) and the
-- raw side of the reconciliation (int_aws__source_amounts) all read these two amounts.
with

line_items as (
    select * from {{ ref('stg_aws__line_items') }}
),

final as (
    select
        line_items.*,
        -- Billed basis: NetUnblendedCost when the report carries it (discounts folded in), else UnblendedCost.
        coalesce(line_items.net_unblended_cost, line_items.unblended_cost) as aws_billed_cost,
        -- Amortised basis, the way AWS computes it (Cost Explorer "amortized cost"): covered usage
        -- at its effective cost, the unused part of recurring commitment fees, upfront fees
        -- spread into the usage they cover (so 0 here), SavingsPlanNegation cancelled.
        case line_items.line_item_type
            when 'SavingsPlanCoveredUsage' then coalesce(line_items.sp_net_effective_cost, line_items.sp_effective_cost)
            when 'DiscountedUsage' then coalesce(line_items.ri_net_effective_cost, line_items.ri_effective_cost)
            when 'SavingsPlanRecurringFee' then line_items.sp_total_commitment_to_date - line_items.sp_used_commitment
            when 'RIFee'
                then
                    coalesce(line_items.ri_net_unused_amortized_upfront_fee, line_items.ri_unused_amortized_upfront_fee, 0)
                    + coalesce(line_items.ri_net_unused_recurring_fee, line_items.ri_unused_recurring_fee, 0)
            when 'SavingsPlanNegation' then 0
            when 'SavingsPlanUpfrontFee' then 0
            when 'Fee'
                then
                    case
                        when line_items.reservation_arn is not null then 0
                        else coalesce(line_items.net_unblended_cost, line_items.unblended_cost)
                    end
            else coalesce(line_items.net_unblended_cost, line_items.unblended_cost)
        end as aws_amortized_cost
    from line_items
)

select * from final
