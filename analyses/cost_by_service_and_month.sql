-- Ad-hoc starting point (`dbt compile --select cost_by_service_and_month`, then run the SQL in
-- target/compiled): each provider's services per billing period on both cost bases, with the
-- part of the effective cost that is unused commitment.
with

focus_rows as (
    select * from {{ ref('focus_cost_and_usage') }}
),

final as (
    select
        providername as provider_name,
        servicename as service_name,
        billingcurrency as billing_currency,
        cast(billingperiodstart as date) as billing_period,
        sum(billedcost) as billed_cost,
        sum(effectivecost) as effective_cost,
        coalesce(sum(effectivecost) filter (where commitmentdiscountstatus = 'Unused'), 0) as unused_commitment_cost
    from focus_rows
    group by 1, 2, 3, 4
)

select * from final
order by 4, 6 desc
