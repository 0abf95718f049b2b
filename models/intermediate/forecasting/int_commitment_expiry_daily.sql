-- What each commitment whose term ends inside the forecast horizon (int_commitments.term_end, after
-- the as-of day and by the horizon's last day) changes in the forecast from its first day without
-- the commitment, per series and day, in the reporting currency: the forecasting models learnt
-- from days the commitment was in force, so without this line a rate rise would come as a surprise.
-- Measured on the commitment's charges of the last 28 days to the as-of day (or the days since its
-- term began, if fewer), per day, assuming the usage it covered goes on at its contracted price:
--   effective basis: Σ (ContractedCost − EffectiveCost) over its Usage rows: the covered usage's
--                    discount comes back (Used rows), its unused cost goes away (Unused rows have
--                    no contracted cost);
--   billed basis:    Σ (ContractedCost − BilledCost) over its Usage rows − Σ BilledCost of its
--                    recurring purchases: the covered usage is billed again, the fee stops (the
--                    fee fct_cost_forecast carries forward as a known purchase is taken back here,
--                    on the days int_forecast_recurring_fees carries fees on).
-- One-time purchases are never repeated anyway. A row with no contracted cost is taken to change
-- nothing but its unused cost. A renewal is a new commitment: enter it as a planned change
-- (forecast_adjustments.csv) that offsets this line.
-- The change lands on the whole bill, the provider, billing account and service category of each
-- covered row, its owners (in the shares the allocation gave the row's cost) and the tag values a
-- budget or planned change names. See concept_cost_forecast.
-- Grain: one row per series, cost basis, forecast day and commitment.
with

forecast as (
    select
        series_id,
        cost_basis,
        forecast_date,
        as_of_date
    from {{ ref('int_cost_forecast_daily') }}
),

bounds as (
    select
        max(as_of_date) as as_of_date,
        max(forecast_date) as horizon_end
    from forecast
),

expiring as (
    select
        commitments.commitment_discount_id,
        commitments.provider_name,
        commitments.billing_account_id,
        bounds.as_of_date,
        -- the first whole day without the commitment
        cast(commitments.term_end + interval 1 day - interval 1 microsecond as date) as expiry_date,
        -- the days of the window the commitment was in force
        greatest(1, least(
            28,
            datediff('day', coalesce(cast(commitments.term_start as date), bounds.as_of_date - 27), bounds.as_of_date) + 1
        )) as window_days
    from {{ ref('int_commitments') }} as commitments
    cross join bounds
    where
        cast(commitments.term_end + interval 1 day - interval 1 microsecond as date) > bounds.as_of_date
        and cast(commitments.term_end + interval 1 day - interval 1 microsecond as date) <= bounds.horizon_end
),

window_rows as (
    select
        slices.source_file,
        slices.source_row_number,
        slices.row_kind,
        slices.charge_date,
        slices.billing_currency,
        slices.billing_period_start,
        slices.provider_name,
        slices.billing_account_id,
        slices.service_category,
        slices.tags,
        expiring.commitment_discount_id,
        expiring.expiry_date,
        expiring.window_days,
        -- a row with no contracted cost changes nothing but its unused cost
        case
            when slices.charge_category <> 'Usage' then -slices.effective_cost
            when slices.contracted_cost is not null then slices.contracted_cost - slices.effective_cost
            when slices.commitment_discount_status = 'Used' then 0
            else -slices.effective_cost
        end as effective_change,
        case
            when slices.charge_category <> 'Usage' then 0
            when slices.contracted_cost is not null then slices.contracted_cost - slices.billed_cost
            when slices.commitment_discount_status = 'Used' then 0
            else -slices.billed_cost
        end as billed_change,
        -- the recurring fee stops: taken back only where int_forecast_recurring_fees carries fees
        case when slices.charge_category = 'Purchase' then -slices.billed_cost else 0 end as fee_change
    from {{ ref('int_charges_split_by_day') }} as slices
    inner join expiring
        on
            slices.commitment_discount_id = expiring.commitment_discount_id
            and slices.provider_name = expiring.provider_name
            and slices.charge_date > expiring.as_of_date - 28
            and slices.charge_date <= expiring.as_of_date
    where
        (slices.charge_category = 'Usage' and slices.commitment_discount_status in ('Used', 'Unused'))
        or (slices.charge_category = 'Purchase' and slices.charge_frequency = 'Recurring')
),

converted as (
    select
        window_rows.* exclude (effective_change, billed_change, fee_change),
        rates.reporting_currency,
        {{ convert_money('window_rows.effective_change', 'rates.exchange_rate') }} as effective_change,
        {{ convert_money('window_rows.billed_change', 'rates.exchange_rate') }} as billed_change,
        {{ convert_money('window_rows.fee_change', 'rates.exchange_rate') }} as fee_change
    from window_rows
    {{ join_reporting_rates('window_rows') }}
),

pieces as (
    -- the owners of each covered row, in the shares the allocation split the row's cost
    select
        converted.source_file,
        converted.source_row_number,
        converted.row_kind,
        converted.charge_date,
        allocated.owner,
        coalesce(
            allocated.effective_cost / nullif(sum(allocated.effective_cost) over piece_row, 0),
            allocated.billed_cost / nullif(sum(allocated.billed_cost) over piece_row, 0),
            1.0 / count(*) over piece_row
        ) as owner_share
    from converted
    inner join {{ ref('int_charges_allocated') }} as allocated
        on
            converted.source_file = allocated.source_file
            and converted.source_row_number = allocated.source_row_number
            and converted.row_kind = allocated.row_kind
            and converted.charge_date = allocated.charge_date
    window piece_row as (
        partition by converted.source_file, converted.source_row_number, converted.row_kind, converted.charge_date
    )
),

tag_values as (
    select distinct
        converted.tags,
        resolved.dimension || '=' || resolved.dimension_value as tag_scope
    from converted
    inner join {{ ref('int_tags_resolved') }} as resolved
        on converted.tags = resolved.tags
    where resolved.value_status = 'valid'
),

{%- set grains = [
    ('total', "'all'"),
    ('provider', 'provider_name'),
    ('billing_account', "provider_name || ' / ' || billing_account_id"),
    ('service_category', 'service_category'),
] %}

series_changes as (
    {%- for grain, value in grains %}
        select
            '{{ grain }}:' || {{ value }} as series_id,
            commitment_discount_id,
            expiry_date,
            window_days,
            effective_change,
            billed_change,
            fee_change
        from converted
        union all
    {%- endfor %}
    select
        'owner:' || pieces.owner as series_id,
        converted.commitment_discount_id,
        converted.expiry_date,
        converted.window_days,
        converted.effective_change * pieces.owner_share as effective_change,
        converted.billed_change * pieces.owner_share as billed_change,
        converted.fee_change * pieces.owner_share as fee_change
    from converted
    inner join pieces
        on
            converted.source_file = pieces.source_file
            and converted.source_row_number = pieces.source_row_number
            and converted.row_kind = pieces.row_kind
            and converted.charge_date = pieces.charge_date
    union all
    select
        'tag:' || tag_values.tag_scope as series_id,
        converted.commitment_discount_id,
        converted.expiry_date,
        converted.window_days,
        converted.effective_change,
        converted.billed_change,
        converted.fee_change
    from converted
    inner join tag_values
        on converted.tags = tag_values.tags
),

daily_change as (
    select
        series_id,
        commitment_discount_id,
        any_value(expiry_date) as expiry_date,
        {{ to_money('sum(effective_change) / any_value(window_days)') }} as effective_change,
        {{ to_money('sum(billed_change) / any_value(window_days)') }} as billed_change,
        {{ to_money('sum(fee_change) / any_value(window_days)') }} as fee_change
    from series_changes
    group by all
),

final as (
    select
        forecast.series_id,
        forecast.cost_basis,
        forecast.forecast_date,
        daily_change.commitment_discount_id,
        daily_change.expiry_date,
        case forecast.cost_basis
            when 'billed'
                then daily_change.billed_change + case
                    when carried.recurring_fee_cost is not null then daily_change.fee_change else 0
                end
            else daily_change.effective_change
        end as commitment_expiry_cost
    from daily_change
    inner join forecast
        on
            daily_change.series_id = forecast.series_id
            and daily_change.expiry_date <= forecast.forecast_date
    left join {{ ref('int_forecast_recurring_fees') }} as carried
        on
            forecast.series_id = carried.series_id
            and carried.cost_basis = 'billed'
            and forecast.forecast_date = carried.forecast_date
)

select * from final
