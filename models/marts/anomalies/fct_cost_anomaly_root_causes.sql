-- What drove each cost anomaly (fct_cost_anomalies), one level below its series: for a leaf series
-- (provider × billing account × service × region) its sub accounts, usage types (SkuMeter) and
-- resources; for an owner its services, billing accounts and resources. Each value's contribution is
-- its cost over the anomaly's days minus its usual cost over as many days (its average daily cost over
-- the anomaly_baseline_days before the anomaly began, or the series' fewer days of history): the
-- values that moved, ranked by how much (largest move first, in the anomaly's direction).
-- Contributions of one dimension add up to the anomaly's move against that baseline, which differs
-- from impact_cost (measured against the median baseline) by the baselines' difference. Reporting
-- currency. See concept_cost_anomalies.
-- Grain: one row per anomaly, dimension and value (the 5 largest per dimension).
with

anomalies as (
    select
        anomaly_id,
        series_grain,
        provider_name,
        billing_account_id,
        service_name,
        region_id,
        owner,
        direction,
        first_seen,
        last_seen,
        anomalous_days,
        baseline_days
    from {{ ref('fct_cost_anomalies') }}
),

leaf_rows as (
    select
        anomalies.anomaly_id,
        slices.charge_date,
        slices.billing_currency,
        slices.billing_period_start,
        slices.sub_account_id,
        slices.sku_meter,
        slices.resource_id,
        slices.effective_cost
    from {{ ref('int_charges_split_by_day') }} as slices
    inner join anomalies
        on
            slices.provider_name = anomalies.provider_name
            and slices.billing_account_id = anomalies.billing_account_id
            and coalesce(slices.service_name, '(no service)') = anomalies.service_name
            and coalesce(slices.region_id, '(no region)') = anomalies.region_id
            and slices.charge_date between anomalies.first_seen - {{ var('anomaly_baseline_days') }} and anomalies.last_seen
    where anomalies.series_grain = 'leaf' and slices.charge_category = 'Usage'
),

owner_rows as (
    select
        anomalies.anomaly_id,
        pieces.charge_date,
        pieces.billing_currency,
        pieces.billing_period_start,
        pieces.service_name,
        pieces.resource_id,
        pieces.effective_cost,
        pieces.provider_name || ' / ' || pieces.billing_account_id as billing_account
    from {{ ref('int_charges_allocated') }} as pieces
    inner join anomalies
        on
            pieces.owner = anomalies.owner
            and pieces.charge_date between anomalies.first_seen - {{ var('anomaly_baseline_days') }} and anomalies.last_seen
    where anomalies.series_grain = 'owner' and pieces.charge_category = 'Usage'
),

by_value as (
    {%- set dimensions = [
        ('leaf_rows', 'sub_account', 'sub_account_id'),
        ('leaf_rows', 'usage_type', 'sku_meter'),
        ('leaf_rows', 'resource', 'resource_id'),
        ('owner_rows', 'service', 'service_name'),
        ('owner_rows', 'billing_account', 'billing_account'),
        ('owner_rows', 'resource', 'resource_id'),
    ] %}
    {%- for relation, dimension, column in dimensions %}
        select
            {{ relation }}.anomaly_id,
            '{{ dimension }}' as cause_dimension,
            coalesce({{ relation }}.{{ column }}, '(none)') as cause_value,
            {{ relation }}.charge_date,
            {{ relation }}.billing_currency,
            {{ relation }}.billing_period_start,
            {{ relation }}.effective_cost
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

converted as (
    select
        by_value.anomaly_id,
        by_value.cause_dimension,
        by_value.cause_value,
        by_value.charge_date,
        rates.reporting_currency,
        {{ convert_money('by_value.effective_cost', 'rates.exchange_rate') }} as effective_cost
    from by_value
    {{ join_reporting_rates('by_value') }}
),

contributions as (
    select
        converted.anomaly_id,
        converted.cause_dimension,
        converted.cause_value,
        any_value(converted.reporting_currency) as reporting_currency,
        any_value(anomalies.direction) as direction,
        sum(converted.effective_cost) filter (where converted.charge_date >= anomalies.first_seen)
            as anomaly_cost,
        {{ to_money(
            'coalesce(sum(converted.effective_cost) filter (where converted.charge_date < anomalies.first_seen), 0)'
            ~ ' / any_value(anomalies.baseline_days) * any_value(anomalies.anomalous_days)'
        ) }} as baseline_cost
    from converted
    inner join anomalies
        on converted.anomaly_id = anomalies.anomaly_id
    group by all
),

ranked as (
    select
        *,
        coalesce(anomaly_cost, 0) - baseline_cost as contribution_cost,
        row_number() over (
            partition by anomaly_id, cause_dimension
            order by
                (coalesce(anomaly_cost, 0) - baseline_cost) * case when direction = 'drop' then -1 else 1 end desc,
                cause_value
        ) as cause_rank
    from contributions
),

final as (
    select
        anomaly_id,
        cause_dimension,
        cause_rank,
        cause_value,
        reporting_currency,
        baseline_cost,
        contribution_cost,
        coalesce(anomaly_cost, 0) as anomaly_cost
    from ranked
    where cause_rank <= 5
)

select * from final
