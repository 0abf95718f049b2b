-- The weight of each target of each shared-cost rule, per scope (billing account, billing period,
-- billing currency), as integers ready for an exact split (macro split_exactly):
--   proportional  the target's direct effective cost in the scope (a negative total counts 0);
--   even          1 for every target;
--   fixed         weight_percent;
--   driver        Σ of the driver's quantity over the billing period's days.
-- Targets: the rule's listed targets; with none listed, every owner with direct cost in the scope
-- (driver: every owner with the driver in the period) except the unallocated bucket and the owners
-- whose cost a rule pools (they receive shares only when named). Weights are counted in millionths
-- (a driver quantity finer than 0.000001 is rounded); targets with weight 0 are dropped.
-- cumulative_weight_before/_through order the targets by name, for the exact split.
with

rules as (
    select * from {{ ref('int_shared_cost_rules') }}
),

targets as (
    select * from {{ ref('stg_mappings__shared_cost_rule_targets') }}
),

drivers as (
    select * from {{ ref('int_business_drivers') }}
),

settings as (
    select * from {{ ref('int_allocation_settings') }}
),

direct as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        direct_owner,
        direct_method,
        effective_cost
    from {{ ref('int_charges_allocated_direct') }}
),

scopes as (
    select distinct
        billing_account_id,
        billing_period_start,
        billing_currency
    from direct
),

pool_owners as (
    select distinct pool_owner from rules
    where pool_owner is not null
),

rules_with_targets as (
    select distinct rule_id from targets
),

-- Direct cost per owner in each scope (tag and account allocation only, never the unallocated bucket).
direct_cost as (
    select
        billing_account_id,
        billing_period_start,
        billing_currency,
        direct_owner as owner,
        sum(effective_cost) as direct_effective_cost
    from direct
    where direct_method <> 'unallocated'
    group by all
),

driver_volume as (
    select
        scopes.billing_account_id,
        scopes.billing_period_start,
        scopes.billing_currency,
        drivers.driver_name,
        drivers.owner,
        sum(drivers.quantity) as driver_quantity
    from scopes
    inner join drivers
        on
            drivers.driver_date >= cast(scopes.billing_period_start as date)
            and drivers.driver_date < cast(scopes.billing_period_start + interval 1 month as date)
    group by all
),

candidates as (
    -- proportional and even: owners with direct cost in the scope
    select
        rules.rule_id,
        direct_cost.billing_account_id,
        direct_cost.billing_period_start,
        direct_cost.billing_currency,
        direct_cost.owner as target_owner,
        'direct_cost' as weight_source,
        case
            when rules.method = 'proportional' then greatest(direct_cost.direct_effective_cost, 0)
            else 1
        end as weight
    from rules
    inner join direct_cost
        on rules.method in ('proportional', 'even')
    union all
    -- driver: owners with the rule's driver in the scope's billing period
    select
        rules.rule_id,
        driver_volume.billing_account_id,
        driver_volume.billing_period_start,
        driver_volume.billing_currency,
        driver_volume.owner as target_owner,
        'driver' as weight_source,
        driver_volume.driver_quantity as weight
    from rules
    inner join driver_volume
        on
            rules.method = 'driver'
            and rules.driver_name = driver_volume.driver_name
    union all
    -- fixed, and even with listed targets: every listed target in every scope
    select
        rules.rule_id,
        scopes.billing_account_id,
        scopes.billing_period_start,
        scopes.billing_currency,
        targets.target_owner,
        'listed' as weight_source,
        coalesce(targets.weight_percent, 1) as weight
    from rules
    inner join targets
        on
            rules.rule_id = targets.rule_id
            and rules.method in ('fixed', 'even')
    cross join scopes
),

chosen as (
    select candidates.*
    from candidates
    inner join rules
        on candidates.rule_id = rules.rule_id
    cross join settings
    left join rules_with_targets
        on candidates.rule_id = rules_with_targets.rule_id
    left join targets
        on
            candidates.rule_id = targets.rule_id
            and candidates.target_owner = targets.target_owner
    left join pool_owners
        on candidates.target_owner = pool_owners.pool_owner
    where
        case
            -- listed targets only; proportional and driver weigh them by their cost or volume
            when rules_with_targets.rule_id is not null
                then
                    targets.rule_id is not null
                    and (rules.method in ('proportional', 'driver') or candidates.weight_source = 'listed')
            -- no listed targets: every owner in scope but pool owners and the unallocated bucket
            else pool_owners.pool_owner is null and candidates.target_owner <> settings.unallocated_owner
        end
),

weighted as (
    select
        chosen.rule_id,
        rules.rule_order,
        chosen.billing_account_id,
        chosen.billing_period_start,
        chosen.billing_currency,
        chosen.target_owner,
        cast(round(chosen.weight * 1000000) as hugeint) as weight_units
    from chosen
    inner join rules
        on chosen.rule_id = rules.rule_id
),

final as (
    select
        rule_id,
        rule_order,
        billing_account_id,
        billing_period_start,
        billing_currency,
        target_owner,
        weight_units,
        coalesce(sum(weight_units) over scope_order, 0) - weight_units as cumulative_weight_before,
        sum(weight_units) over scope_order as cumulative_weight_through,
        sum(weight_units) over (
            partition by rule_id, billing_account_id, billing_period_start, billing_currency
        ) as total_weight_units
    from weighted
    where weight_units > 0
    window scope_order as (
        partition by rule_id, billing_account_id, billing_period_start, billing_currency
        order by target_owner
        rows between unbounded preceding and current row
    )
)

select * from final
