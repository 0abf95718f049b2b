-- Every FOCUS row dated to the UTC day(s) it belongs to, for daily cost views (fct_amortized_costs)
-- and allocation (int_charges_allocated_direct).
--   * a row inside one day, and every one-time charge (an upfront purchase is billed when it is
--     made, whatever period it covers), stays whole on the day its charge period starts;
--   * a longer row (a monthly fee, tax, a monthly unused-reservation row) is cut at midnights pro
--     rata to time, except the effective cost of an Unused commitment row, which takes the daily
--     split of int_commitment_charges_daily (the unused hours on the days the commitment was idle).
-- Shares are exact: the last day of a row takes the truncation remainder (macros/exact_arithmetic.sql).
-- Incremental by delivery (D63): an incremental run splits only the rows of the deliveries that
-- rebuilt_deliveries() names (macros/incremental_by_delivery.sql).
-- Its two branches (single-day and multi-day rows) each read int_charges_unioned, a view; DuckDB's
-- common-subplan optimizer would store every row of it to serve both (17 s at 10 M rows, against
-- 8 s reading it twice), so dbt_project.yml turns that optimizer off for this folder (D88).
-- depends_on: {{ ref('int_charges_checked') }}
-- depends_on: {{ ref('int_service_name_categories') }}
{%- set rebuilt = rebuilt_deliveries() %}
{%- set dimensions = [
    'delivery_id', 'source_file', 'source_row_number', 'row_kind', 'source_name', 'provider_name', 'billing_account_id',
    'sub_account_id', 'billing_currency', 'billing_period_start', 'service_name', 'service_category', 'region_id',
    'sku_meter', 'charge_category', 'charge_frequency', 'pricing_category', 'commitment_discount_id',
    'commitment_discount_status', 'resource_id', 'tags'
] %}
with

-- Not materialised: two branches read it (single-day and multi-day rows), and DuckDB would keep a
-- copy of every charge to serve both; reading the stored rows twice is cheaper (D75).
charges as not materialized (
    select
        {%- for column in dimensions %}
            {{ column }},
        {%- endfor %}
        charge_period_start,
        charge_period_end,
        billed_cost,
        effective_cost,
        list_cost,
        contracted_cost,
        charge_frequency = 'One-Time'
        or charge_period_end <= charge_period_start
        or date_trunc('day', charge_period_start)
        = date_trunc('day', charge_period_end - interval 1 microsecond) as is_single_day
    from {{ ref('int_charges_unioned') }}
    where {{ delivery_batch(rebuilt if incremental_by_delivery() else none) }}
),

commitment_days as (
    select * from {{ ref('int_commitment_charges_daily') }}
    where measure = 'unused'
),

single_day as (
    select
        * exclude (is_single_day, charge_period_start, charge_period_end),
        cast(charge_period_start as date) as charge_date
    from charges
    where is_single_day
),

slices as (
    {{ slice_into_days('charges', 'charge_period_start', 'charge_period_end', 'source_file, source_row_number, row_kind') }}
),

{%- set row_key = 'source_file, source_row_number, row_kind' %}

multi_day_shares as (
    {{ spread_amounts(
        'slices',
        ['source_file', 'source_row_number', 'row_kind', 'charge_date', 'commitment_discount_status'],
        ['billed_cost', 'list_cost', 'contracted_cost', 'effective_cost'],
        'seconds_in_day', 'seconds_total', row_key
    ) }}
),

multi_day as (
    select
        {%- for column in dimensions %}
            slices.{{ column }},
        {%- endfor %}
        multi_day_shares.billed_cost,
        multi_day_shares.list_cost,
        multi_day_shares.contracted_cost,
        -- An Unused row's days come from the commitment's split, which keeps them inside its term:
        -- a day of the row's period outside the term gets none of it.
        case
            when multi_day_shares.commitment_discount_status = 'Unused'
                then coalesce(commitment_days.effective_cost, 0)
            else multi_day_shares.effective_cost
        end as effective_cost,
        slices.charge_date
    from slices
    inner join multi_day_shares
        on {{ same_charge_day('slices', 'multi_day_shares') }}
    left join commitment_days
        on {{ same_charge_day('slices', 'commitment_days') }}
),

final as (
    select
        *,
        -- Which dbt invocation wrote the row: the direct allocation rebuilds the deliveries this one did.
        '{{ this_invocation() }}' as built_by_invocation
    from (
        select * from single_day
        union all by name
        select * from multi_day
    ) as split_rows
)

select * from final
