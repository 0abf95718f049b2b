-- Every row that measures a commitment, split into UTC days, with its CommitmentDiscountQuantity
-- (the commitment's own basis, NULL when the row does not state it) and its EffectiveCost:
--   * used      covered usage (CommitmentDiscountStatus = Used),
--   * unused    the unused part (Status = Unused),
--   * committed what a purchase row states it buys (CommitmentDiscountQuantity on a Purchase row
--               with a charge period).
-- A row inside one day stays whole. A longer row is cut at midnights, inside the commitment's term:
-- used and committed rows pro rata to time; an unused row (AWS states a Reserved Instance's unused
-- hours once a month) in proportion to each day's slack, committed − used − unused already dated
-- that day, so that the unused hours land on the days the commitment was idle. Shares are exact
-- (macros/exact_arithmetic.sql): the last day of a row takes the truncation remainder, so a row's
-- days add back to the row to the last unit of the money scale.
with

charges as (
    select * from {{ ref('int_charges_unioned') }}
    where
        commitment_discount_id is not null
        and (
            commitment_discount_status is not null
            or (
                charge_category = 'Purchase'
                and commitment_discount_quantity is not null
                and {{ states_a_term('charge_frequency', 'charge_period_start', 'charge_period_end') }}
            )
        )
),

commitments as (
    select * from {{ ref('int_commitments') }}
),

measured as (
    select
        charges.source_file,
        charges.source_row_number,
        charges.row_kind,
        charges.commitment_discount_id,
        charges.effective_cost,
        charges.charge_period_start,
        charges.charge_period_end,
        charges.commitment_discount_quantity as quantity,
        case charges.commitment_discount_status
            when 'Used' then 'used'
            when 'Unused' then 'unused'
            else 'committed'
        end as measure,
        -- The commitment's term as it overlaps the row's charge period.
        greatest(charges.charge_period_start, coalesce(commitments.term_start, charges.charge_period_start))
            as overlap_start,
        least(charges.charge_period_end, coalesce(commitments.term_end, charges.charge_period_end)) as overlap_end
    from charges
    inner join commitments
        on charges.commitment_discount_id = commitments.commitment_discount_id
),

-- A row is dated inside the commitment's term when the two overlap, else over its own period.
windowed as (
    select
        * exclude (charge_period_start, charge_period_end, overlap_start, overlap_end),
        case when overlap_start < overlap_end then overlap_start else charge_period_start end as window_start,
        case when overlap_start < overlap_end then overlap_end else charge_period_end end as window_end
    from measured
),

flagged as (
    select
        *,
        window_end <= window_start
        or date_trunc('day', window_start) = date_trunc('day', window_end - interval 1 microsecond) as is_single_day
    from windowed
),

single_day as (
    select
        source_file,
        source_row_number,
        row_kind,
        commitment_discount_id,
        measure,
        cast(window_start as date) as charge_date,
        quantity,
        effective_cost
    from flagged
    where is_single_day
),

slices as (
    {{ slice_into_days('flagged', 'window_start', 'window_end', 'source_file, source_row_number, row_kind') }}
),

{%- set row_key = 'source_file, source_row_number, row_kind' %}
{%- set carry = ['source_file', 'source_row_number', 'row_kind', 'commitment_discount_id', 'measure', 'charge_date'] %}

time_weighted as (
    select * from slices
    where measure <> 'unused'
),

time_spread as (
    {{ spread_amounts('time_weighted', carry, ['quantity', 'effective_cost'], 'seconds_in_day', 'seconds_total', row_key) }}
),

dated as (
    select * from single_day
    union all
    select * from time_spread
),

day_totals as (
    select
        commitment_discount_id,
        charge_date,
        coalesce(sum(case when measure = 'committed' then quantity end), 0)
        - coalesce(sum(case when measure = 'used' then quantity end), 0)
        - coalesce(sum(case when measure = 'unused' then quantity end), 0) as slack
    from dated
    group by 1, 2
),

unused_weights as (
    select
        slices.*,
        {{ money_units('greatest(coalesce(day_totals.slack, 0), 0)') }} as slack_units,
        sum({{ money_units('greatest(coalesce(day_totals.slack, 0), 0)') }}) over (
            partition by slices.source_file, slices.source_row_number, slices.row_kind
        ) as slack_units_total
    from slices
    left join day_totals
        on
            slices.commitment_discount_id = day_totals.commitment_discount_id
            and slices.charge_date = day_totals.charge_date
    where slices.measure = 'unused'
),

unused_parts as (
    select
        *,
        -- Days with slack take the unused amount in proportion to it; with no slack anywhere in the
        -- row's period (inconsistent data), pro rata to time.
        case when slack_units_total > 0 then slack_units else seconds_in_day end as weight,
        case when slack_units_total > 0 then slack_units_total else seconds_total end as total_weight
    from unused_weights
),

unused_spread as (
    {{ spread_amounts('unused_parts', carry, ['quantity', 'effective_cost'], 'weight', 'total_weight', row_key) }}
),

final as (
    select * from dated
    union all
    select * from unused_spread
)

select * from final
