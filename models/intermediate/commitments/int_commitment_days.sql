-- A table: three models and tests read it, and it scans the FOCUS rows for loaded billing periods.
-- Per commitment and UTC day: committed, used and unused, on the commitment's own basis when the
-- provider's quantities reconcile, else on effective cost (DECISIONLOG D26).
--   * Quantity basis: every Used and Unused row states CommitmentDiscountQuantity, and, when purchase
--     rows state what they buy, purchased = used + unused on every day (AWS: a Reserved Instance's
--     hours, a Savings Plan's dollars of commitment; the FOCUS spec's examples). A commitment whose
--     quantities do not add up (e.g. hours of other instance sizes under a size-flexible Reserved
--     Instance) falls back to effective cost rather than report a wrong utilisation;
--     warn_commitment_quantities_do_not_reconcile lists them.
--   * Effective-cost basis: committed = used + unused effective cost, as the provider reports them.
-- Only commitments whose provider amortises them (is_amortized_by_provider): a Google Cloud CUD's
-- export states neither its unused part nor its fee on the usage it covers (D42).
-- Days are those of the billing periods loaded for the commitment's billing account (a purchase may
-- state the quantity of a whole term that reaches beyond the loaded data), plus any day with used
-- or unused rows.
with

commitment_days as (
    select * from {{ ref('int_commitment_charges_daily') }}
),

commitments as (
    select * from {{ ref('int_commitments') }}
),

loaded_periods as (
    select distinct
        billing_account_id,
        billing_period_start,
        billing_period_end
    from {{ ref('int_charges_unioned') }}
),

per_day as (
    select
        commitment_discount_id,
        charge_date,
        sum(case when measure = 'committed' then quantity end) as purchased_quantity,
        coalesce(sum(case when measure = 'used' then quantity end), 0) as used_quantity,
        coalesce(sum(case when measure = 'unused' then quantity end), 0) as unused_quantity,
        coalesce(sum(case when measure = 'used' then effective_cost end), 0) as used_effective_cost,
        coalesce(sum(case when measure = 'unused' then effective_cost end), 0) as unused_effective_cost,
        count(case when measure in ('used', 'unused') then 1 end) > 0 as has_use_rows
    from commitment_days
    group by 1, 2
),

observed_days as (
    select
        per_day.*,
        commitments.has_quantity_on_every_row,
        commitments.has_purchased_quantity,
        commitments.commitment_discount_unit,
        commitments.billing_currency
    from per_day
    inner join commitments
        on per_day.commitment_discount_id = commitments.commitment_discount_id
    where
        commitments.is_amortized_by_provider
        and (per_day.has_use_rows or exists (
            select 1
            from loaded_periods
            where
                loaded_periods.billing_account_id = commitments.billing_account_id
                and per_day.charge_date >= loaded_periods.billing_period_start
                and per_day.charge_date < loaded_periods.billing_period_end
        ))
),

checked as (
    select
        *,
        bool_and(
            has_quantity_on_every_row
            and (not has_purchased_quantity or coalesce(purchased_quantity, 0) = used_quantity + unused_quantity)
        ) over (partition by commitment_discount_id) as quantities_reconcile
    from observed_days
),

final as (
    select
        commitment_discount_id,
        charge_date,
        quantities_reconcile,
        used_effective_cost,
        unused_effective_cost,
        -- What the rows state, whichever basis is used, for the warning test.
        purchased_quantity as stated_purchased_quantity,
        used_quantity as stated_used_quantity,
        unused_quantity as stated_unused_quantity,
        case when quantities_reconcile then 'quantity' else 'effective cost' end as utilization_basis,
        case when quantities_reconcile then commitment_discount_unit else billing_currency end as utilization_unit,
        case
            when quantities_reconcile and has_purchased_quantity then 'purchase rows' else 'used + unused rows'
        end as committed_quantity_source,
        case
            when quantities_reconcile and has_purchased_quantity then coalesce(purchased_quantity, 0)
            when quantities_reconcile then used_quantity + unused_quantity
            else used_effective_cost + unused_effective_cost
        end as committed_quantity,
        case when quantities_reconcile then used_quantity else used_effective_cost end as used_quantity,
        case when quantities_reconcile then unused_quantity else unused_effective_cost end as unused_quantity,
        used_effective_cost + unused_effective_cost as committed_effective_cost
    from checked
)

select * from final
