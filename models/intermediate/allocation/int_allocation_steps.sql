{{ config(materialized='table') }}
-- Every step of allocation: each daily cost slice (int_charges_allocated_direct)
-- starts with its direct owner (tag, account mapping or the unallocated bucket) and then passes
-- through the shared-cost rules in rule_order. At each step the next rule that holds the piece
-- takes it: the piece's pool rule (the first rule in rule_order whose filters match its slice of
-- the bill and that has weights in its scope; a rule without weights there is skipped) or the rule
-- pooling its current owner (an owner pool), whichever has the lower rule_order above the last
-- rule applied. The rule splits the piece among its targets
-- by their weights in the piece's scope (int_shared_cost_weights), exactly: shares add back to
-- the piece to the last unit (macro split_exactly). A rule with no weight in the scope leaves the
-- piece where it is. A piece that a later rule splits again is kept (is_settled false): the
-- allocation audit reads every move; fct_cost_allocated reads the settled pieces.
-- allocation_path names the route: `tag:platform > apm-subscription:platform > platform-chargeback:search`.
-- Grain: one row per piece: a FOCUS row's day and its allocation path.
{%- set unallocated = var('unallocated_owner') %}
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
            and (not piece.is_pool_unallocated_only or piece.owner = '{{ unallocated }}')
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
{%- set carried = [
    'source_file', 'source_row_number', 'row_kind', 'charge_date', 'source_name', 'provider_name',
    'billing_account_id', 'sub_account_id', 'billing_currency', 'billing_period_start', 'service_name',
    'service_category', 'charge_category', 'resource_id', 'direct_owner', 'direct_method',
    'pool_rule_id', 'pool_rule_order', 'is_pool_unallocated_only'
] %}
with recursive

direct as (
    select * from {{ ref('int_charges_allocated_direct') }}
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

-- The one bill-slice pool each daily slice falls in, if any, when that rule has weights in its scope.
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

pieces as (
    select
        piece.*,
        slice_pools.pool_rule_id,
        slice_pools.pool_rule_order,
        coalesce(slice_pools.is_pool_unallocated_only, false) as is_pool_unallocated_only
    from direct as piece
    left join slice_pools
        on
            piece.source_file = slice_pools.source_file
            and piece.source_row_number = slice_pools.source_row_number
            and piece.row_kind = slice_pools.row_kind
            and piece.charge_date = slice_pools.charge_date
),

allocation_steps as (
    select
        {%- for column in carried %}
            {{ column }},
        {%- endfor %}
        direct_owner as owner,
        cast(null as varchar) as previous_owner,
        direct_method || ':' || direct_owner as allocation_path,
        direct_method as allocation_method,
        cast(null as varchar) as allocation_rule_id,
        0 as last_rule_order,
        0 as allocation_step,
        billed_cost,
        effective_cost
    from pieces
    union all
    select
        {%- for column in carried %}
            piece.{{ column }},
        {%- endfor %}
        split_weight.target_owner as owner,
        piece.owner as previous_owner,
        piece.allocation_path || ' > ' || split_weight.rule_id || ':' || split_weight.target_owner as allocation_path,
        'shared' as allocation_method,
        split_weight.rule_id as allocation_rule_id,
        split_weight.rule_order as last_rule_order,
        piece.allocation_step + 1 as allocation_step,
        {{ split_exactly('piece.billed_cost', 'split_weight.cumulative_weight_before',
            'split_weight.cumulative_weight_through', 'split_weight.total_weight_units') }} as billed_cost,
        {{ split_exactly('piece.effective_cost', 'split_weight.cumulative_weight_before',
            'split_weight.cumulative_weight_through', 'split_weight.total_weight_units') }} as effective_cost
    from allocation_steps as piece
    {{ owner_rule_join }}
    inner join weights as split_weight
        on
            split_weight.rule_id = {{ next_rule_id }}
            {{ scope_match | replace('{alias}', 'split_weight') }}
    -- a guard only: rules form no cycle (checked at load), so a piece passes each rule at most once
    where piece.allocation_step < 1000
),

final as (
    select
        {%- for column in carried if not column.startswith(('pool_rule', 'is_pool')) %}
            piece.{{ column }},
        {%- endfor %}
        piece.owner,
        piece.previous_owner,
        piece.allocation_path,
        piece.allocation_method,
        piece.allocation_rule_id,
        piece.allocation_step,
        piece.billed_cost,
        piece.effective_cost,
        ({{ next_rule_id }}) is null as is_settled
    from allocation_steps as piece
    {{ owner_rule_join }}
)

select * from final
