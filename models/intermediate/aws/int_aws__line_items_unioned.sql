-- Every staged AWS line item, legacy CUR and CUR 2.0 alike, good and quarantined.
-- A payer's data comes through exactly one flavour, so the union never doubles a bill.
with

legacy_cur as (
    select * from {{ ref('stg_aws_cur__line_items') }}
),

cur2 as (
    select * from {{ ref('stg_aws_cur2__line_items') }}
),

final as (
    select * from legacy_cur
    union all by name
    select * from cur2
)

select * from final
