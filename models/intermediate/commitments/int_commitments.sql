-- A table: it scans every FOCUS row for commitment ids, and five models and tests read it.
-- One row per commitment discount (Reserved Instance, Savings Plan, reservation, CUD, any
-- provider's commitment), derived from the FOCUS rows that carry its CommitmentDiscountId, completed
-- by what the provider states about it elsewhere (AWS: int_aws__commitments) and by the user's
-- commitments.csv. Precedence for every attribute: the user's file, then the provider's own columns,
-- then what the FOCUS rows imply; each attribute's `*_source` column says which one decided.
with

charges as (
    select
        *,
        -- Purchases, not their refunds (ChargeClass Correction, e.g. an Azure reservation returned):
        -- a refund says nothing of how the commitment was paid for, and alone in the loaded data it
        -- would read as a negative upfront payment.
        charge_category = 'Purchase' and charge_frequency = 'One-Time' and charge_class is null
            as is_one_time_purchase,
        charge_category = 'Purchase' and charge_frequency = 'Recurring' and charge_class is null
            as is_recurring_purchase,
        -- a purchase whose charge period is the span it pays for (macros/charge_period.sql)
        charge_category = 'Purchase' and charge_class is null
        and {{ states_a_term('charge_frequency', 'charge_period_start', 'charge_period_end') }} as is_term_purchase
    from {{ ref('int_charges_unioned') }}
    where commitment_discount_id is not null
),

aws_commitments as (
    select * from {{ ref('int_aws__commitments') }}
),

user_commitments as (
    select * from {{ ref('stg_mappings__commitments') }}
),

observed as (
    select
        commitment_discount_id,
        min(provider_name) as provider_name,
        min(billing_account_id) as billing_account_id,
        min(billing_currency) as billing_currency,
        min(commitment_discount_type) as commitment_discount_type,
        min(commitment_discount_category) as commitment_discount_category,
        min(commitment_discount_name) as commitment_discount_name,
        min(charge_period_start) as first_charge_start,
        max(charge_period_end) as last_charge_end,
        min(case when is_one_time_purchase then charge_period_start end) as first_one_time_purchase_at,
        -- The unit and completeness of the commitment's own basis, from its Used and Unused rows.
        min(case when commitment_discount_status is not null then commitment_discount_unit end)
            as commitment_discount_unit,
        coalesce(bool_and(
            case when commitment_discount_status is not null then commitment_discount_quantity is not null end
        ), false) as has_quantity_on_every_row,
        -- Purchases as billed: one-time (upfront) and recurring.
        sum(case when is_one_time_purchase then billed_cost else 0 end) as one_time_purchase_cost,
        count(case when is_one_time_purchase then 1 end) > 0 as has_one_time_purchase,
        sum(case when is_recurring_purchase then billed_cost else 0 end) as recurring_purchase_cost,
        sum(
            case when is_recurring_purchase then date_diff('second', charge_period_start, charge_period_end) else 0 end
        ) as recurring_purchase_seconds,
        -- FOCUS spec style: a one-time purchase whose charge period is the term.
        min(case when is_one_time_purchase and is_term_purchase then charge_period_start end)
            as one_time_purchase_period_start,
        max(case when is_one_time_purchase and is_term_purchase then charge_period_end end)
            as one_time_purchase_period_end,
        count(case when is_term_purchase and commitment_discount_quantity is not null then 1 end)
            as purchase_rows_with_quantity,
        -- Whether the provider spreads the commitment's purchases over the usage it covers (FOCUS:
        -- a commitment purchase has EffectiveCost 0) and states its unused part. Google Cloud does
        -- not (D42): its CUD fees keep their cost, covered usage names the commitment through its
        -- credit, and no unused part is exported, so no utilisation can be measured, even for a CUD
        -- whose fee rows are not in the loaded data.
        count(
            case when charge_category = 'Purchase' and charge_class is null and effective_cost <> 0 then 1 end
        ) = 0
        and bool_and(provider_name <> 'Google Cloud') as is_amortized_by_provider,
        sum(case when commitment_discount_status = 'Used' then effective_cost else 0 end) as used_effective_cost,
        sum(case when commitment_discount_status = 'Unused' then effective_cost else 0 end)
            as unused_effective_cost
    from charges
    group by 1
),

-- Hours of each purchase row's period, for a per-hour rate of purchased quantity. Rows with the same
-- frequency repeat each other's rate (hourly recurring fees, a monthly RIFee), so per frequency the
-- rate is quantity ÷ hours summed over that frequency's rows; one-time and recurring parts add up
-- (a partial-upfront commitment buys part of each hour upfront and part as it recurs).
purchase_rates as (
    select
        commitment_discount_id,
        charge_frequency,
        sum(commitment_discount_quantity) as quantity,
        sum(date_diff('second', charge_period_start, charge_period_end)) as seconds
    from charges
    where is_term_purchase and commitment_discount_quantity is not null
    group by 1, 2
),

purchased_per_hour as (
    select
        commitment_discount_id,
        sum({{ prorate_money('quantity', 3600, 'seconds') }}) as purchased_quantity_per_hour
    from purchase_rates
    group by 1
),

resolved as (
    select
        observed.*,
        aws_commitments.scope as provider_scope,
        aws_commitments.purchase_term,
        aws_commitments.upfront_amount as provider_upfront_amount,
        aws_commitments.recurring_amount_per_hour as provider_recurring_amount_per_hour,
        aws_commitments.committed_quantity_per_hour as provider_committed_quantity_per_hour,
        purchased_per_hour.purchased_quantity_per_hour,
        user_commitments.scope as user_scope,
        user_commitments.committed_quantity_per_hour as user_committed_quantity_per_hour,
        user_commitments.committed_unit as user_committed_unit,
        user_commitments.note as user_note,
        user_commitments.term_months as user_term_months,
        user_commitments.payment_option as user_payment_option,
        aws_commitments.payment_option as provider_payment_option,
        user_commitments.term_end as user_term_end,
        aws_commitments.term_end as provider_term_end,
        -- Where the start and the end of the term come from (the *_source columns of dim_commitments).
        case
            when user_commitments.term_start is not null then 'mapping file'
            when aws_commitments.term_start is not null then 'provider export'
            when observed.one_time_purchase_period_start is not null then 'one-time purchase charge period'
            when user_commitments.term_months is not null and observed.first_one_time_purchase_at is not null
                then 'first one-time purchase'
        end as term_start_source,
        coalesce(
            user_commitments.term_start,
            aws_commitments.term_start,
            observed.one_time_purchase_period_start,
            -- a term length without a start: the term starts when the commitment was bought upfront
            case when user_commitments.term_months is not null then observed.first_one_time_purchase_at end
        ) as resolved_term_start
    from observed
    left join aws_commitments
        on observed.commitment_discount_id = aws_commitments.commitment_discount_id
    left join user_commitments
        on observed.commitment_discount_id = user_commitments.commitment_discount_id
    left join purchased_per_hour
        on observed.commitment_discount_id = purchased_per_hour.commitment_discount_id
),

-- Where the end of the term comes from, in the order term_end below takes it.
sourced as (
    select
        *,
        case
            when user_term_end is not null then 'mapping file'
            when user_term_months is not null and resolved_term_start is not null then 'mapping file term_months'
            when provider_term_end is not null then 'provider export'
            when one_time_purchase_period_end is not null then 'one-time purchase charge period'
        end as term_end_source
    from resolved
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
        coalesce(user_scope, provider_scope) as commitment_scope,
        resolved_term_start as term_start,
        coalesce(
            user_term_end,
            resolved_term_start + to_months(user_term_months),
            provider_term_end,
            one_time_purchase_period_end
        ) as term_end,
        case
            when term_start_source is null and term_end_source is null then null
            when term_start_source = term_end_source then term_start_source
            else coalesce(term_start_source, 'unknown') || ' (start), ' || coalesce(term_end_source, 'unknown') || ' (end)'
        end as term_source,
        purchase_term,
        coalesce(
            user_payment_option,
            provider_payment_option,
            case
                when one_time_purchase_cost <> 0 and recurring_purchase_cost <> 0 then 'Partial Upfront'
                when one_time_purchase_cost <> 0 then 'All Upfront'
                when recurring_purchase_cost <> 0 then 'No Upfront'
            end
        ) as payment_option,
        case
            when user_payment_option is not null then 'mapping file'
            when provider_payment_option is not null then 'provider export'
            when one_time_purchase_cost <> 0 or recurring_purchase_cost <> 0 then 'purchases observed'
        end as payment_option_source,
        -- What was paid upfront: the one-time purchases billed in the loaded data, else what the provider
        -- states, else 0 for a commitment known to have no upfront payment; NULL when unknown (the
        -- upfront payment may predate the loaded data).
        case
            when one_time_purchase_cost <> 0 then one_time_purchase_cost
            when provider_upfront_amount is not null then provider_upfront_amount
            when has_one_time_purchase then one_time_purchase_cost
            when
                coalesce(user_payment_option, provider_payment_option) = 'No Upfront'
                or (user_payment_option is null and provider_payment_option is null and recurring_purchase_cost <> 0)
                then {{ to_money(0) }}
        end as upfront_amount,
        coalesce(
            provider_recurring_amount_per_hour,
            case
                when recurring_purchase_seconds > 0
                    then {{ prorate_money('recurring_purchase_cost', 3600, 'recurring_purchase_seconds') }}
                -- paid upfront and nothing recurring seen: an all-upfront commitment recurs at 0
                when one_time_purchase_cost <> 0 then {{ to_money(0) }}
            end
        ) as recurring_amount_per_hour,
        coalesce(
            user_committed_quantity_per_hour, provider_committed_quantity_per_hour, purchased_quantity_per_hour
        ) as committed_quantity_per_hour,
        case
            when user_committed_quantity_per_hour is not null then user_committed_unit
            else commitment_discount_unit
        end as committed_unit,
        case
            when user_committed_quantity_per_hour is not null then 'mapping file'
            when provider_committed_quantity_per_hour is not null then 'provider export'
            when purchased_quantity_per_hour is not null then 'purchase rows'
        end as committed_quantity_source,
        -- The commitment's own basis is usable when every Used and Unused row states its quantity (a
        -- FOCUS 1.0 export has no CommitmentDiscountQuantity); int_commitment_days decides the basis.
        has_quantity_on_every_row,
        commitment_discount_unit,
        purchase_rows_with_quantity > 0 as has_purchased_quantity,
        is_amortized_by_provider,
        first_charge_start,
        last_charge_end,
        one_time_purchase_cost,
        recurring_purchase_cost,
        used_effective_cost,
        unused_effective_cost,
        user_note as note
    from sourced
)

select * from final
