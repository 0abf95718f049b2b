-- The allocation audit: per shared-cost rule, billing period and currency, how much the rule moved,
-- from whom and to whom, on both cost bases. Every move counts, also one that a later rule splits
-- again (a share of tax sent to a pooled owner, then passed on by that owner's rule): read the rules
-- in rule_order to follow a dollar. A rule that found no weight in a scope moved nothing there.
-- A move's amount is the sum of the settled pieces whose route passes through it (every piece
-- lists its hops), so the audit is exact and complete without keeping intermediate pieces.
-- pool_*: what the rule took in the period (the same on each of its rows);
-- share_ratio: the row's effective cost ÷ the pool's effective cost.
with

hops as (
    select
        pieces.billing_period_start,
        pieces.billing_currency,
        pieces.billed_cost,
        pieces.effective_cost,
        unnest(pieces.allocation_hops) as hop
    from {{ ref('int_charges_allocated') }} as pieces
    where pieces.allocation_method = 'shared'
),

rules as (
    select * from {{ ref('int_shared_cost_rules') }}
),

moved as (
    select
        hops.billing_period_start,
        hops.billing_currency,
        hops.hop.rule_id,
        hops.hop.source_owner,
        hops.hop.target_owner,
        count(*) as moved_piece_count,
        sum(hops.billed_cost) as moved_billed_cost,
        sum(hops.effective_cost) as moved_effective_cost
    from hops
    group by all
),

pools as (
    select
        rule_id,
        billing_period_start,
        billing_currency,
        sum(moved_billed_cost) as pool_billed_cost,
        sum(moved_effective_cost) as pool_effective_cost
    from moved
    group by all
),

final as (
    select
        moved.rule_id,
        moved.billing_period_start,
        moved.billing_currency,
        moved.source_owner,
        moved.target_owner,
        rules.rule_order,
        rules.method,
        rules.driver_name,
        rules.pool_owner,
        rules.description as rule_description,
        pools.pool_billed_cost,
        pools.pool_effective_cost,
        moved.moved_piece_count,
        moved.moved_billed_cost,
        moved.moved_effective_cost,
        {{ exact_ratio('moved.moved_effective_cost', 'pools.pool_effective_cost') }} as share_ratio
    from moved
    inner join pools
        on
            moved.rule_id = pools.rule_id
            and moved.billing_period_start = pools.billing_period_start
            and moved.billing_currency = pools.billing_currency
    inner join rules
        on moved.rule_id = rules.rule_id
)

select * from final
