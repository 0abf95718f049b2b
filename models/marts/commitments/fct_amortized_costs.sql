-- Daily billed (cash) vs effective (amortised) cost per billing account, sub account, service,
-- region and charge category, with the difference between the two explained:
--   effective − billed = amortized_commitment_cost + unused_commitment_cost
--                        − commitment_purchase_cost + other_difference
-- where other_difference is 0 for every provider row this project conforms (a test holds it) and
-- carries what a native FOCUS export amortises on other rows.
with

charges as (
    select * from {{ ref('int_charges_split_by_day') }}
),

classified as (
    select
        *,
        charge_category = 'Purchase' and commitment_discount_id is not null as is_commitment_purchase
    from charges
),

final as (
    select
        charge_date,
        source_name,
        provider_name,
        billing_account_id,
        sub_account_id,
        billing_currency,
        billing_period_start,
        service_category,
        service_name,
        region_id,
        charge_category,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        -- Commitment purchases are billed when bought and amortised into the usage they cover.
        sum(case when is_commitment_purchase then billed_cost - effective_cost else 0 end)
            as commitment_purchase_cost,
        -- Covered usage: the commitment's cost amortised into it (billed 0 or less than effective).
        sum(case when commitment_discount_status = 'Used' then effective_cost - billed_cost else 0 end)
            as amortized_commitment_cost,
        sum(case when commitment_discount_status = 'Unused' then effective_cost - billed_cost else 0 end)
            as unused_commitment_cost,
        sum(
            case
                when not is_commitment_purchase and commitment_discount_status is null
                    then effective_cost - billed_cost
                else 0
            end
        ) as other_difference,
        count(*) as charge_row_slices
    from classified
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
)

select * from final
