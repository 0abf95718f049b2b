-- A payer account's billing period must come from exactly one export in one flavour (one CUR
-- report as CSV deliveries or as its Athena parquet, or one CUR 2.0 export). Two exports of the
-- same bill in the landing folder would double it, and the reconciliation could not see it,
-- because raw and FOCUS would both be doubled.
with

line_items as (
    select * from {{ ref('int_aws__line_items_unioned') }}
)

select
    payer_account_id,
    billing_period_start,
    count(distinct source_name || '/' || export_name || '/' || delivery_flavour) as export_count,
    string_agg(distinct source_name || '/' || export_name || '/' || delivery_flavour, ', ') as exports
from line_items
where payer_account_id is not null and billing_period_start is not null
group by 1, 2
having count(distinct source_name || '/' || export_name || '/' || delivery_flavour) > 1
