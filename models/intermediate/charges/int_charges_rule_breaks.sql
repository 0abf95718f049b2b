-- The source rows one of whose FOCUS rows breaks a FOCUS row rule (macros/focus_row_rules.sql), each
-- with the reason it is quarantined (D46): a raw row is used whole or not at all (an AWS fee gives a
-- Purchase and an Unused row; if either breaks a rule, neither is published). int_charges_unioned
-- leaves every FOCUS row of these source rows out and int_source_line_items_unioned quarantines them,
-- so the two agree on every row. A view over the few checked rows that break a rule: the filter on
-- one mostly-NULL column skips the rest of int_charges_checked, so each reader computes it for
-- almost nothing (D74).
with

broken_rows as (
    select
        delivery_id,
        source_file,
        source_row_number,
        broken_focus_rule
    from {{ ref('int_charges_checked') }}
    where broken_focus_rule is not null
),

final as (
    select
        delivery_id,
        source_file,
        source_row_number,
        -- the first rule (by name) any of the source row's FOCUS rows breaks
        'breaks FOCUS rule ' || min(broken_focus_rule) || ' (macros/focus_row_rules.sql)' as quarantine_reason
    from broken_rows
    group by 1, 2, 3
)

select * from final
