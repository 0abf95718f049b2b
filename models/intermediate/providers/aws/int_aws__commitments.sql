-- A table: it reads every AWS line item's text through staging, and four models and tests read it.
-- One row per AWS commitment (Reserved Instance or Savings Plan ARN) with the terms AWS repeats on
-- its rows: term start and end, payment option, purchase term, scope, upfront value and the hourly
-- commitment. The FOCUS columns do not carry these; dim_commitments reads them from here.
with

line_items as (
    select
        *,
        -- The seconds a row's charge period spans (an instant counts as its hour, macro
        -- charge_period): a SavingsPlanRecurringFee states the commitment of its whole period, an
        -- hour in most CURs but a day or a month in some, so per hour is amount × 3600 ÷ seconds.
        date_diff(
            'second',
            {{ charge_period_start('usage_start', 'usage_end') }},
            {{ charge_period_end('usage_start', 'usage_end') }}
        ) as charge_period_seconds
    from {{ ref('int_aws__line_items') }}
    where
        quarantine_reason is null
        and coalesce(savings_plan_arn, reservation_arn) is not null
),

per_commitment as (
    select
        coalesce(savings_plan_arn, reservation_arn) as commitment_discount_id,
        bool_or(savings_plan_arn is not null) as is_savings_plan,
        min(coalesce(savings_plan_start, reservation_start)) as term_start,
        max(coalesce(savings_plan_end, reservation_end)) as term_end,
        -- RIs state the payment option in pricing/PurchaseOption, Savings Plans in their own column.
        max(coalesce(sp_payment_option, purchase_option)) as payment_option,
        max(coalesce(sp_purchase_term, lease_contract_length)) as purchase_term,
        max(sp_offering_type) as offering_type,
        max(ri_number_of_reservations) as number_of_reservations,
        max(ri_upfront_value) as ri_upfront_value,
        -- RIFee's rate is the recurring fee per reserved instance-hour.
        max(case when line_item_type = 'RIFee' then unblended_rate end) as ri_recurring_rate,
        -- SavingsPlanRecurringFee rows: the commitment (and its upfront and recurring parts) of their
        -- periods and the seconds those periods span, for a per-hour commitment below.
        sum(case when line_item_type = 'SavingsPlanRecurringFee' then sp_total_commitment_to_date end)
            as sp_fee_commitment,
        sum(case when line_item_type = 'SavingsPlanRecurringFee' then sp_amortized_upfront_commitment end)
            as sp_fee_upfront_part,
        sum(case when line_item_type = 'SavingsPlanRecurringFee' then sp_recurring_commitment end)
            as sp_fee_recurring_part,
        sum(case when line_item_type = 'SavingsPlanRecurringFee' then charge_period_seconds end)
            as sp_fee_seconds,
        max(case when line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then instance_type end)
            as covered_instance_type,
        max(case when line_item_type in ('RIFee', 'Fee') then instance_type end) as reserved_instance_type,
        max(region_code) as region_code
    from line_items
    group by 1
),

-- A Savings Plan commits to an amount per hour: Σ fee amounts × 3600 ÷ Σ seconds of their periods,
-- divided exactly (prorate_money), so a fee row of a day or a month counts as its 24 or 720 hours.
hourly as (
    select
        *,
        case
            when sp_fee_seconds > 0 then {{ prorate_money('sp_fee_commitment', 3600, 'sp_fee_seconds') }}
        end as sp_hourly_commitment,
        case
            when sp_fee_seconds > 0 then {{ prorate_money('sp_fee_upfront_part', 3600, 'sp_fee_seconds') }}
        end as sp_hourly_upfront_part,
        case
            when sp_fee_seconds > 0 then {{ prorate_money('sp_fee_recurring_part', 3600, 'sp_fee_seconds') }}
        end as sp_hourly_recurring_part
    from per_commitment
),

final as (
    select
        commitment_discount_id,
        term_start,
        term_end,
        payment_option,
        purchase_term,
        case
            when is_savings_plan and offering_type = 'ComputeSavingsPlans'
                then 'Compute Savings Plan: any region, instance family, Fargate and Lambda'
            when is_savings_plan
                then
                    'EC2 Instance Savings Plan: '
                    || coalesce(split_part(covered_instance_type, '.', 1) || ' family', 'one instance family')
                    || ' in ' || coalesce(region_code, 'one region')
            else
                'Reserved Instance: ' || coalesce(cast(number_of_reservations as bigint) || ' × ', '')
                || coalesce(reserved_instance_type, covered_instance_type, 'instances')
                || ' in ' || coalesce(region_code, 'one region')
        end as scope,
        -- Upfront payment for the whole term: RIs state it; a Savings Plan's upfront part of each
        -- hour's commitment times the hours of its term.
        {{ to_money("case
            when is_savings_plan then sp_hourly_upfront_part * date_diff('hour', term_start, term_end)
            else ri_upfront_value
        end") }} as upfront_amount,
        {{ to_money("case
            when is_savings_plan then sp_hourly_recurring_part
            else ri_recurring_rate * number_of_reservations
        end") }} as recurring_amount_per_hour,
        -- The commitment's own basis: instance-hours per hour for RIs, dollars per hour for Savings Plans.
        {{ to_money("case when is_savings_plan then sp_hourly_commitment else number_of_reservations end") }}
            as committed_quantity_per_hour
    from hourly
)

select * from final
