-- One ServiceCategory per ServiceName across the whole dataset (FOCUS ServiceName-C-005-C, D48):
-- the category the providers' own service maps (our seeds) give the name most often, else the one
-- most of its rows state (a native export states its own). int_charges_unioned completes every row
-- with it when it is read. The votes are every checked row's category as its provider states it
-- (int_charges_checked keeps that, D73): two narrow columns of one table, counted again on every
-- run, incremental ones included, since the answer is taken from every delivery at once.
with

checked as (
    select
        source_name,
        service_name,
        service_category
    from {{ ref('int_charges_checked') }}
),

service_category_votes as (
    select
        service_name,
        service_category,
        count(*) filter (where source_name <> 'focus') as service_map_row_count,
        count(*) as row_count
    from checked
    group by 1, 2
),

final as (
    select
        service_name,
        service_category
    from service_category_votes
    qualify row_number() over (
        partition by service_name
        order by service_map_row_count desc, row_count desc, service_category asc
    ) = 1
)

select * from final
