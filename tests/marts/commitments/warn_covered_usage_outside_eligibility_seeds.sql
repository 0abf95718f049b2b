{{ config(severity='warn') }}
-- Usage a commitment covered should match a row of the eligibility seeds; if it does not, the seed
-- is incomplete and on-demand usage of the same kind is missing from coverage's denominator.
-- Lists each provider, service and SkuMeter to add to aws_commitment_eligibility or
-- focus_commitment_eligibility.
with

covered as (
    select distinct
        ProviderName as provider_name,
        ServiceName as service_name,
        SkuMeter as sku_meter
    from {{ ref('focus_cost_and_usage') }}
    where CommitmentDiscountStatus = 'Used'
),

eligibility_rules as (
    select * from {{ ref('int_commitment_eligibility_rules') }}
)

select covered.*
from covered
where not exists (
    select 1
    from eligibility_rules
    where
        eligibility_rules.provider_name = covered.provider_name
        and eligibility_rules.service_name = covered.service_name
        and coalesce(covered.sku_meter, '') like eligibility_rules.sku_meter_pattern
)
