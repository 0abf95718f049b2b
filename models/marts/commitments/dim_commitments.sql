-- One row per commitment discount of any provider: what it is, its term, how it is paid for and
-- what it commits to. Attributes come from the user's commitments.csv, then the provider's own
-- columns, then what the FOCUS rows imply; the *_source columns say which (see int_commitments).
with

commitments as (
    select * from {{ ref('int_commitments') }}
),

-- The basis utilisation is measured on (decided per commitment from its days).
bases as (
    select distinct
        commitment_discount_id,
        utilization_basis,
        utilization_unit
    from {{ ref('int_commitment_days') }}
),

commitments_with_basis as (
    select
        commitments.*,
        bases.utilization_basis,
        bases.utilization_unit
    from commitments
    left join bases
        on commitments.commitment_discount_id = bases.commitment_discount_id
),

final as (
    select
        commitment_discount_id,
        provider_name,
        billing_account_id,
        billing_currency,
        commitment_discount_type,
        commitment_discount_category,
        commitment_discount_name,
        commitment_scope,
        term_start,
        term_end,
        date_diff('hour', term_start, term_end) as term_hours,
        term_source,
        purchase_term,
        payment_option,
        payment_option_source,
        upfront_amount,
        recurring_amount_per_hour,
        -- What one hour of the commitment costs on the amortised basis: the upfront payment spread
        -- evenly over the term's hours, plus the recurring fee (without an upfront payment the term
        -- does not matter).
        case
            when upfront_amount = 0 then recurring_amount_per_hour
            when date_diff('hour', term_start, term_end) > 0 and recurring_amount_per_hour is not null
                then
                    {{ prorate_money('upfront_amount', 1, "date_diff('hour', term_start, term_end)") }}
                    + recurring_amount_per_hour
        end as amortized_cost_per_hour,
        committed_quantity_per_hour,
        committed_unit,
        committed_quantity_source,
        utilization_basis,
        utilization_unit,
        first_charge_start,
        last_charge_end,
        one_time_purchase_cost,
        recurring_purchase_cost,
        used_effective_cost,
        unused_effective_cost,
        note
    from commitments_with_basis
)

select * from final
