-- Which usage a commitment can cover, every provider's seed in one relation: ProviderName,
-- ServiceName and a LIKE pattern over SkuMeter. Adding a provider = one more seed and one more
-- `union all` branch here; coverage, recommendations and the seed-completeness test read this.
with

aws as (
    select * from {{ ref('aws_commitment_eligibility') }}
),

focus_exports as (
    select * from {{ ref('focus_commitment_eligibility') }}
),

final as (
    select
        provider_name,
        service_name,
        sku_meter_pattern
    from aws
    union all
    select
        provider_name,
        service_name,
        sku_meter_pattern
    from focus_exports
)

select * from final
