-- Per commitment and calendar month (UTC) of use: the days of fct_commitment_utilization added up,
-- utilisation recomputed from the sums (not an average of daily ratios).
with

days as (
    select * from {{ ref('fct_commitment_utilization') }}
),

per_month as (
    select
        cast(date_trunc('month', charge_date) as date) as charge_month,
        commitment_discount_id,
        provider_name,
        billing_account_id,
        billing_currency,
        commitment_discount_type,
        commitment_discount_category,
        utilization_basis,
        utilization_unit,
        committed_quantity_source,
        count(*) as days_observed,
        sum(committed_quantity) as committed_quantity,
        sum(used_quantity) as used_quantity,
        sum(unused_quantity) as unused_quantity,
        sum(used_effective_cost) as used_effective_cost,
        sum(unused_effective_cost) as unused_effective_cost,
        sum(committed_effective_cost) as committed_effective_cost
    from days
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),

final as (
    select
        *,
        {{ exact_ratio('used_quantity', 'committed_quantity') }} as utilization,
        {{ exact_ratio('used_effective_cost', 'committed_effective_cost') }} as utilization_on_effective_cost
    from per_month
)

select * from final
