-- Per provider, billing account, service, region and UTC day: how much commitment-eligible usage
-- there was, valued at its on-demand equivalent, and how much of it a commitment covered.
-- Coverage = covered ÷ eligible on-demand-equivalent cost (ContractedCost: what the usage costs at
-- the account's rates without a commitment; ListCost beside it). It is not an EffectiveCost ratio:
-- see concept_coverage_vs_utilization.
-- Eligible: Usage rows that a commitment covered (Status Used), plus on-demand (PricingCategory
-- Standard) usage matching a row of the eligibility seeds. Spot, Unused commitment rows, discounts,
-- tax and purchases are not eligible.
with

charges as (
    select * from {{ ref('int_charges_split_by_day') }}
    where
        charge_category = 'Usage'
        and (commitment_discount_status = 'Used' or (commitment_discount_status is null and pricing_category = 'Standard'))
),

eligibility_rules as (
    select * from {{ ref('int_commitment_eligibility_rules') }}
),

-- Aggregate first: the rule match runs once per distinct SkuMeter and day, not per row.
usage as (
    select
        charge_date,
        provider_name,
        billing_account_id,
        billing_currency,
        service_name,
        region_id,
        sku_meter,
        commitment_discount_status = 'Used' as is_covered,
        sum(contracted_cost) as contracted_cost,
        sum(list_cost) as list_cost
    from charges
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

matched_meters as (
    select distinct
        usage.provider_name,
        usage.service_name,
        usage.sku_meter
    from usage
    inner join eligibility_rules
        on
            usage.provider_name = eligibility_rules.provider_name
            and usage.service_name = eligibility_rules.service_name
            and usage.sku_meter like eligibility_rules.sku_meter_pattern
),

eligible as (
    select usage.*
    from usage
    left join matched_meters
        on
            usage.provider_name = matched_meters.provider_name
            and usage.service_name = matched_meters.service_name
            and usage.sku_meter = matched_meters.sku_meter
    where usage.is_covered or matched_meters.sku_meter is not null
),

per_day as (
    select
        charge_date,
        provider_name,
        billing_account_id,
        billing_currency,
        service_name,
        region_id,
        sum(contracted_cost) as eligible_on_demand_equivalent_cost,
        sum(case when is_covered then contracted_cost else 0 end) as covered_on_demand_equivalent_cost,
        sum(case when is_covered then 0 else contracted_cost end) as uncovered_on_demand_cost,
        sum(list_cost) as eligible_list_cost,
        sum(case when is_covered then list_cost else 0 end) as covered_list_cost
    from eligible
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        *,
        {{ exact_ratio('covered_on_demand_equivalent_cost', 'eligible_on_demand_equivalent_cost') }} as coverage,
        {{ exact_ratio('covered_list_cost', 'eligible_list_cost') }} as coverage_on_list_cost
    from per_day
)

select * from final
