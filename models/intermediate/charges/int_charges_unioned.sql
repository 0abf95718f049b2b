-- The FOCUS rows this warehouse publishes, all providers in one relation (snake_case FOCUS names):
-- every row of int_charges_checked whose source row holds every FOCUS row rule. The FOCUS dataset,
-- the commitment models and allocation read this; the rows left out are quarantined (D46).
with

checked as (
    select * from {{ ref('int_charges_checked') }}
),

final as (
    select * exclude (broken_focus_rule, quarantine_reason, built_by_invocation)
    from checked
    where quarantine_reason is null
)

select * from final
