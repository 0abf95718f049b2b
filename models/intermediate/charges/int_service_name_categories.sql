-- One ServiceCategory per ServiceName across the whole dataset (FOCUS ServiceName-C-005-C, D48):
-- the category the providers' own service maps (our seeds) give the name most often, else the one
-- most of its rows state (a native export states its own). int_charges_checked completes every
-- row with it. A table of its own because it is the one answer int_charges_checked takes from
-- every delivery at once: an incremental run counts the votes of all rows again (two columns of
-- each provider's conformed rows) and int_charges_checked rebuilds the deliveries whose rows hold
-- a category that is no longer the answer (D61).
with

unioned as (
    {{ union_providers('charges_conformed', columns=['source_name', 'service_name', 'service_category']) }}
),

service_category_votes as (
    select
        service_name,
        service_category,
        count(*) filter (where source_name <> 'focus') as service_map_row_count,
        count(*) as row_count
    from unioned
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
