-- Per commitment and UTC day: committed, used and unused on the commitment's own basis (instance
-- hours for a Reserved Instance, dollars of commitment for a Savings Plan or spend commitment) when
-- the provider's quantities reconcile, else on effective cost (see int_commitment_days and
-- utilization_basis), and utilisation = used ÷ committed. used + unused = committed exactly (tested),
-- utilisation is in [0, 1], and the days add up to the FOCUS rows (tested).
with

commitment_days as (
    select * from {{ ref('int_commitment_days') }}
),

commitments as (
    select * from {{ ref('int_commitments') }}
),

measured as (
    select
        commitment_days.charge_date,
        commitments.commitment_discount_id,
        commitments.provider_name,
        commitments.billing_account_id,
        commitments.billing_currency,
        commitments.commitment_discount_type,
        commitments.commitment_discount_category,
        commitment_days.utilization_basis,
        commitment_days.utilization_unit,
        commitment_days.committed_quantity,
        commitment_days.committed_quantity_source,
        commitment_days.used_quantity,
        commitment_days.unused_quantity,
        commitment_days.used_effective_cost,
        commitment_days.unused_effective_cost,
        commitment_days.committed_effective_cost
    from commitment_days
    inner join commitments
        on commitment_days.commitment_discount_id = commitments.commitment_discount_id
),

final as (
    select
        *,
        {{ exact_ratio('used_quantity', 'committed_quantity') }} as utilization,
        {{ exact_ratio('used_effective_cost', 'committed_effective_cost') }} as utilization_on_effective_cost
    from measured
)

select * from final
