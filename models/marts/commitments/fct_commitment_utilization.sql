-- Per commitment and UTC day: committed, used and unused on the commitment's own basis (instance
-- hours for a Reserved Instance, dollars of commitment for a Savings Plan or spend commitment, or
-- effective cost when the export states no quantity), and utilisation = used ÷ committed.
-- committed comes from the purchase rows that state it when there are any, else it is used + unused;
-- either way used + unused = committed exactly (tested), and utilisation is in [0, 1].
with

commitment_days as (
    select * from {{ ref('int_commitment_charges_daily') }}
),

commitments as (
    select * from {{ ref('int_commitments') }}
),

per_day as (
    select
        commitment_discount_id,
        charge_date,
        sum(case when measure = 'committed' then quantity end) as purchased_quantity,
        coalesce(sum(case when measure = 'used' then quantity end), 0) as used_quantity,
        coalesce(sum(case when measure = 'unused' then quantity end), 0) as unused_quantity,
        coalesce(sum(case when measure = 'used' then effective_cost end), 0) as used_effective_cost,
        coalesce(sum(case when measure = 'unused' then effective_cost end), 0) as unused_effective_cost
    from commitment_days
    group by 1, 2
),

measured as (
    select
        per_day.charge_date,
        commitments.commitment_discount_id,
        commitments.provider_name,
        commitments.billing_account_id,
        commitments.billing_currency,
        commitments.commitment_discount_type,
        commitments.commitment_discount_category,
        commitments.utilization_basis,
        commitments.utilization_unit,
        per_day.used_quantity,
        per_day.unused_quantity,
        per_day.used_effective_cost,
        per_day.unused_effective_cost,
        case
            when commitments.has_purchased_quantity then coalesce(per_day.purchased_quantity, 0)
            else per_day.used_quantity + per_day.unused_quantity
        end as committed_quantity,
        case
            when commitments.has_purchased_quantity then 'purchase rows' else 'used + unused rows'
        end as committed_quantity_source,
        per_day.used_effective_cost + per_day.unused_effective_cost as committed_effective_cost
    from per_day
    inner join commitments
        on per_day.commitment_discount_id = commitments.commitment_discount_id
),

final as (
    select
        *,
        {{ exact_ratio('used_quantity', 'committed_quantity') }} as utilization,
        {{ exact_ratio('used_effective_cost', 'committed_effective_cost') }} as utilization_on_effective_cost
    from measured
)

select * from final
