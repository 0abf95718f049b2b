-- The showback / chargeback statement: per owner, billing period and billing currency, the cost the
-- owner carries directly (its tags or its accounts), the shared cost it receives by rule, and the
-- total, on both cost bases, with the change from the previous billing period. The unallocated
-- bucket is a row like any owner, so the owners of a period add up to the bill.
-- shared_*_given_away: direct cost of the owner that rules passed on to other owners (a pooled
-- owner's cost, or this owner's own line of a shared pool such as tax); it is in the receivers'
-- totals, not in this owner's. A rule's share that comes back to the same owner counts as shared.
-- The two totals are also given in the reporting currency (int_reporting_currency_rates: the
-- billing period's rate), converted once per statement line, exactly to 12 decimals, so a company
-- billed in several currencies reads one chargeback figure per owner.
with

-- Not materialised: two places read it (what each owner receives and what it gives away), and
-- DuckDB would keep a copy of every piece to serve both; scanning again is cheaper (D78).
allocated as not materialized (
    select * from {{ ref('fct_cost_allocated') }}
),

received as (
    select
        billing_period_start,
        billing_currency,
        owner,
        sum(case when allocation_method <> 'shared' then billed_cost else 0 end) as direct_billed_cost,
        sum(case when allocation_method = 'shared' then billed_cost else 0 end) as shared_billed_cost,
        sum(billed_cost) as total_billed_cost,
        sum(case when allocation_method <> 'shared' then effective_cost else 0 end) as direct_effective_cost,
        sum(case when allocation_method = 'shared' then effective_cost else 0 end) as shared_effective_cost,
        sum(effective_cost) as total_effective_cost
    from allocated
    group by all
),

given_away as (
    select
        billing_period_start,
        billing_currency,
        direct_owner as owner,
        sum(billed_cost) as shared_billed_cost_given_away,
        sum(effective_cost) as shared_effective_cost_given_away
    from allocated
    where owner <> direct_owner and direct_method <> 'unallocated'
    group by all
),

owner_periods as (
    select
        billing_period_start,
        billing_currency,
        owner
    from received
    union
    select
        billing_period_start,
        billing_currency,
        owner
    from given_away
),

statement as (
    select
        owner_periods.billing_period_start,
        owner_periods.billing_currency,
        owner_periods.owner,
        owner_periods.owner = {{ unallocated_owner() }} as is_unallocated,
        coalesce(received.direct_billed_cost, 0) as direct_billed_cost,
        coalesce(received.shared_billed_cost, 0) as shared_billed_cost,
        coalesce(received.total_billed_cost, 0) as total_billed_cost,
        coalesce(given_away.shared_billed_cost_given_away, 0) as shared_billed_cost_given_away,
        coalesce(received.direct_effective_cost, 0) as direct_effective_cost,
        coalesce(received.shared_effective_cost, 0) as shared_effective_cost,
        coalesce(received.total_effective_cost, 0) as total_effective_cost,
        coalesce(given_away.shared_effective_cost_given_away, 0) as shared_effective_cost_given_away
    from owner_periods
    left join received
        on
            owner_periods.billing_period_start = received.billing_period_start
            and owner_periods.billing_currency = received.billing_currency
            and owner_periods.owner = received.owner
    left join given_away
        on
            owner_periods.billing_period_start = given_away.billing_period_start
            and owner_periods.billing_currency = given_away.billing_currency
            and owner_periods.owner = given_away.owner
),

with_previous as (
    select
        *,
        lag(total_effective_cost) over owner_history as previous_total_effective_cost,
        lag(total_billed_cost) over owner_history as previous_total_billed_cost,
        lag(billing_period_start) over owner_history as previous_billing_period_start
    from statement
    window owner_history as (partition by owner, billing_currency order by billing_period_start)
),

compared as (
    select
        billing_period_start,
        billing_currency,
        owner,
        is_unallocated,
        direct_billed_cost,
        shared_billed_cost,
        total_billed_cost,
        shared_billed_cost_given_away,
        direct_effective_cost,
        shared_effective_cost,
        total_effective_cost,
        shared_effective_cost_given_away,
        -- only a previous row for the calendar month just before counts; a gap means no comparison
        case
            when previous_billing_period_start = billing_period_start - interval 1 month
                then previous_total_billed_cost
        end as previous_total_billed_cost,
        case
            when previous_billing_period_start = billing_period_start - interval 1 month
                then previous_total_effective_cost
        end as previous_total_effective_cost
    from with_previous
),

final as (
    select
        compared.*,
        compared.total_billed_cost - compared.previous_total_billed_cost as total_billed_cost_change,
        compared.total_effective_cost - compared.previous_total_effective_cost as total_effective_cost_change,
        {{ exact_ratio(
            'compared.total_effective_cost - compared.previous_total_effective_cost',
            'compared.previous_total_effective_cost'
        ) }} as total_effective_cost_change_ratio,
        rates.reporting_currency,
        {{ convert_money('compared.total_billed_cost', 'rates.exchange_rate') }} as total_billed_cost_in_reporting_currency,
        {{ convert_money('compared.total_effective_cost', 'rates.exchange_rate') }}
            as total_effective_cost_in_reporting_currency
    from compared
    {{ join_reporting_rates('compared') }}
)

select * from final
