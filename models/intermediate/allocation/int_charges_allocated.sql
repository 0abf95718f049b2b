-- Every daily cost slice (int_charges_allocated_direct) with the owner(s) it ends with. A slice
-- starts with its direct owner (tag, account mapping or the unallocated bucket) and then passes
-- through the shared-cost rules in rule_order. At each step the next rule that holds the piece
-- takes it: the piece's pool rule (the first rule in rule_order whose filters match its slice of
-- the bill and that has weights in its scope; a rule without weights there is skipped) or the rule
-- pooling its current owner (an owner pool), whichever has the lower rule_order above the last
-- rule applied. The rule splits the piece among its targets by their weights in the piece's scope
-- (int_shared_cost_weights), exactly: shares add back to the piece to the last unit (macro
-- split_exactly). Only the settled pieces are kept; each carries its route:
--   allocation_path   `tag:web > apm-subscription:platform > platform-chargeback:search`
--   allocation_hops   the same as a list of (rule_id, source_owner, target_owner), for the audit.
-- Only pieces that a rule takes go through the recursive step (most cost settles with its direct
-- owner), with the columns the step needs; the others are joined back at the end. The step carries
-- the amounts as integer money units, converted once each way (D36).
-- Grain: one row per FOCUS row, UTC day and allocation path. Incremental by delivery (D63): an
-- incremental run allocates only the slices of the deliveries rebuilt_deliveries() names (every
-- delivery in a scope whose direct cost, and so whose weights, may have changed).
{%- set rebuilt = rebuilt_deliveries() %}
{%- set scope_match %}
    and piece.billing_account_id = {alias}.billing_account_id
    and piece.billing_period_start = {alias}.billing_period_start
    and piece.billing_currency = {alias}.billing_currency
{%- endset %}
{#- The next rule of a piece (aliases: piece, and owner_rule = the owner pool of its owner that
    day with weights in its scope, applied after the piece's last rule). -#}
{%- set next_rule_id %}
    case
        when
            piece.pool_rule_order > piece.last_rule_order
            and (not piece.is_pool_unallocated_only or piece.owner = {{ unallocated_owner() }})
            and (owner_rule.rule_order is null or piece.pool_rule_order < owner_rule.rule_order)
            then piece.pool_rule_id
        else owner_rule.rule_id
    end
{%- endset %}
{%- set owner_rule_join %}
    left join owner_rules_in_scope as owner_rule
        on
            piece.owner = owner_rule.pool_owner
            and owner_rule.rule_order > piece.last_rule_order
            and piece.charge_date >= coalesce(owner_rule.effective_from, date '0001-01-01')
            and piece.charge_date < coalesce(owner_rule.effective_to, date '9999-12-31')
            {{ scope_match | replace('{alias}', 'owner_rule') }}
{%- endset %}
{%- set key = ['source_file', 'source_row_number', 'row_kind', 'charge_date'] %}
{%- set moving_columns = key + [
    'billing_account_id', 'billing_period_start', 'billing_currency',
    'pool_rule_id', 'pool_rule_order', 'is_pool_unallocated_only'
] %}
{%- set descriptive = [
    'delivery_id', 'source_name', 'provider_name', 'sub_account_id', 'service_name', 'service_category',
    'charge_category', 'resource_id', 'direct_owner', 'direct_method'
] %}
with recursive

-- Not materialised: two places read it (three until D88), and DuckDB would keep a copy of every
-- slice to serve them; scanning the stored table again is cheaper (D75).
direct as not materialized (
    select * from {{ ref('int_charges_allocated_direct') }}
    where {{ delivery_batch(rebuilt if incremental_by_delivery() else none) }}
),

rules as (
    select * from {{ ref('int_shared_cost_rules') }}
),

weights as (
    select * from {{ ref('int_shared_cost_weights') }}
),

rule_scopes as (
    select distinct
        rule_id,
        billing_account_id,
        billing_period_start,
        billing_currency
    from weights
),

owner_rules_in_scope as (
    select
        rules.rule_id,
        rules.rule_order,
        rules.pool_owner,
        rules.effective_from,
        rules.effective_to,
        rule_scopes.billing_account_id,
        rule_scopes.billing_period_start,
        rule_scopes.billing_currency
    from rules
    inner join rule_scopes
        on rules.rule_id = rule_scopes.rule_id
    where rules.is_owner_pool
),

-- The first bill-slice pool each daily slice falls in, among the rules with weights in its scope.
slice_pools as (
    select
        piece.source_file,
        piece.source_row_number,
        piece.row_kind,
        piece.charge_date,
        rules.rule_id as pool_rule_id,
        rules.rule_order as pool_rule_order,
        rules.is_pool_unallocated_only
    from direct as piece
    inner join rules
        on
            not rules.is_owner_pool
            and (rules.pool_provider is null or piece.provider_name = rules.pool_provider)
            and (rules.pool_billing_account_id is null or piece.billing_account_id = rules.pool_billing_account_id)
            and (rules.pool_sub_account_id is null or piece.sub_account_id = rules.pool_sub_account_id)
            and (rules.pool_service_name is null or piece.service_name = rules.pool_service_name)
            and (rules.pool_service_category is null or piece.service_category = rules.pool_service_category)
            and (rules.pool_charge_category is null or piece.charge_category = rules.pool_charge_category)
            and piece.charge_date >= coalesce(rules.effective_from, date '0001-01-01')
            and piece.charge_date < coalesce(rules.effective_to, date '9999-12-31')
            -- a pool of unallocated cost never holds cost that tags or accounts placed
            and (not rules.is_pool_unallocated_only or piece.direct_method = 'unallocated')
    inner join rule_scopes
        on
            rules.rule_id = rule_scopes.rule_id
            {{ scope_match | replace('{alias}', 'rule_scopes') }}
    qualify row_number() over (
        partition by piece.source_file, piece.source_row_number, piece.row_kind, piece.charge_date
        order by rules.rule_order
    ) = 1
),

-- Step 0: every slice with its direct owner, and the rule that takes it next (if any).
pieces as (
    select
        direct.*,
        slice_pools.pool_rule_id,
        slice_pools.pool_rule_order,
        direct.direct_owner as owner,
        0 as last_rule_order,
        coalesce(slice_pools.is_pool_unallocated_only, false) as is_pool_unallocated_only
    from direct
    left join slice_pools
        on {{ same_charge_day('direct', 'slice_pools') }}
),

first_steps as (
    select
        piece.*,
        {{ next_rule_id }} as next_rule_id
    from pieces as piece
    {{ owner_rule_join }}
),

-- The slices some rule takes, with every column: the recursion carries few of them, and the
-- settled pieces take the rest from here. A join to every slice in `direct` instead hashed them
-- all (9-21 s of the model's 64 s at 10 M rows, D88).
moved_slices as (
    select * from first_steps
    where next_rule_id is not null
),

-- The recursive step, over the pieces some rule takes: split each by its next rule's weights.
moves as (
    select
        {%- for column in moving_columns %}
            {{ column }},
        {%- endfor %}
        owner,
        direct_method || ':' || direct_owner as allocation_path,
        cast([] as struct(rule_id varchar, source_owner varchar, target_owner varchar)[]) as allocation_hops,
        cast(null as varchar) as allocation_rule_id,
        last_rule_order,
        0 as allocation_step,
        -- the amounts in money units for the whole recursion (converted back when a piece settles)
        {{ money_units('billed_cost') }} as billed_units,
        {{ money_units('effective_cost') }} as effective_units
    from moved_slices
    union all
    select
        {%- for column in moving_columns %}
            piece.{{ column }},
        {%- endfor %}
        split_weight.target_owner as owner,
        piece.allocation_path || ' > ' || split_weight.rule_id || ':' || split_weight.target_owner as allocation_path,
        list_append(
            piece.allocation_hops,
            { 'rule_id': split_weight.rule_id, 'source_owner': piece.owner, 'target_owner': split_weight.target_owner }
        ) as allocation_hops,
        split_weight.rule_id as allocation_rule_id,
        split_weight.rule_order as last_rule_order,
        piece.allocation_step + 1 as allocation_step,
        {{ split_exactly('piece.billed_units', 'split_weight.cumulative_weight_before',
            'split_weight.cumulative_weight_through', 'split_weight.total_weight_units') }} as billed_units,
        {{ split_exactly('piece.effective_units', 'split_weight.cumulative_weight_before',
            'split_weight.cumulative_weight_through', 'split_weight.total_weight_units') }} as effective_units
    from moves as piece
    {{ owner_rule_join }}
    inner join weights as split_weight
        on
            split_weight.rule_id = {{ next_rule_id }}
            {{ scope_match | replace('{alias}', 'split_weight') }}
    -- a guard only: rules form no cycle (checked at load), so a piece passes each rule at most once
    where piece.allocation_step < 1000
),

moved_and_settled as (
    select piece.*
    from moves as piece
    {{ owner_rule_join }}
    where piece.allocation_step > 0 and ({{ next_rule_id }}) is null
),

final as (
    select
        *,
        -- Which dbt invocation wrote the row (an incremental run rewrites only the rebuilt deliveries' rows).
        '{{ this_invocation() }}' as built_by_invocation
    from (
        select
            {%- for column in key %}
                first_steps.{{ column }},
            {%- endfor %}
            first_steps.owner,
            first_steps.direct_method || ':' || first_steps.direct_owner as allocation_path,
            cast([] as struct(rule_id varchar, source_owner varchar, target_owner varchar)[]) as allocation_hops,
            cast(null as varchar) as allocation_rule_id,
            first_steps.direct_method as allocation_method,
            0 as allocation_step,
            {%- for column in descriptive + ['billing_account_id', 'billing_period_start', 'billing_currency'] %}
                first_steps.{{ column }},
            {%- endfor %}
            first_steps.billed_cost,
            first_steps.effective_cost
        from first_steps
        where first_steps.next_rule_id is null
        union all
        select
            {%- for column in key %}
                moved_slice.{{ column }},
            {%- endfor %}
            moved_and_settled.owner,
            moved_and_settled.allocation_path,
            moved_and_settled.allocation_hops,
            moved_and_settled.allocation_rule_id,
            'shared' as allocation_method,
            moved_and_settled.allocation_step,
            {%- for column in descriptive %}
                moved_slice.{{ column }},
            {%- endfor %}
            moved_and_settled.billing_account_id,
            moved_and_settled.billing_period_start,
            moved_and_settled.billing_currency,
            {{ from_money_units('moved_and_settled.billed_units') }} as billed_cost,
            {{ from_money_units('moved_and_settled.effective_units') }} as effective_cost
        from moved_and_settled
        inner join moved_slices as moved_slice
            on {{ same_charge_day('moved_and_settled', 'moved_slice') }}
    ) as settled
)

select * from final
