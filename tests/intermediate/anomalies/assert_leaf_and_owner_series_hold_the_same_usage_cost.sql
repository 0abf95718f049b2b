-- The two families of anomaly series cover the same money: on every day the leaves (provider × billing
-- account × service × region) and the owners (after allocation) add up to the same usage cost. A series
-- family that lost or doubled a charge would hide anomalies or invent them. The two are converted to the
-- reporting currency in different groups, each truncated at the money scale (1e-12), so they may differ
-- by a few of those units a day: far below a cent, far above nothing lost.
with

per_day as (
    select
        charge_date,
        sum(effective_cost) filter (where series_grain = 'leaf') as leaf_cost,
        sum(effective_cost) filter (where series_grain = 'owner') as owner_cost
    from {{ ref('int_anomaly_series_days') }}
    group by all
)

select *
from per_day
where abs(coalesce(leaf_cost, 0) - coalesce(owner_cost, 0)) > 0.000000001
