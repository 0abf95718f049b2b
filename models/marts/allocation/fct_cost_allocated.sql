-- Every dollar of the bill with its owner: int_charges_allocated without its hop list (a view: the
-- table it reads is the allocation, written once). Each daily cost slice starts with its direct
-- owner (owner tag, account mapping or the unallocated bucket) and then passes through the
-- shared-cost rules in rule_order, each splitting it exactly among its targets (see
-- int_charges_allocated and the allocation concept page); Σ over a FOCUS row's
-- day = its cost, exactly. allocation_path is the route a piece took, from its direct owner
-- through each rule: `tag:web > apm-subscription:platform > platform-chargeback:search`.
-- Grain: one row per FOCUS row, UTC day and allocation path. delivery_id (the FOCUS row's
-- x_source_delivery_id) is last: a refresh publishes only the deliveries whose rows changed (D71).
with

settled as (
    select * from {{ ref('int_charges_allocated') }}
),

final as (
    select
        source_file,
        source_row_number,
        row_kind,
        charge_date,
        allocation_path,
        owner,
        allocation_rule_id,
        source_name,
        provider_name,
        billing_account_id,
        sub_account_id,
        billing_currency,
        billing_period_start,
        service_name,
        service_category,
        charge_category,
        resource_id,
        direct_owner,
        direct_method,
        allocation_method,
        allocation_step,
        billed_cost,
        effective_cost,
        delivery_id
    from settled
)

select * from final
