-- The daily cost slices whose allocated pieces do not add up to them, exactly: a slice with no piece,
-- a piece with no slice, a slice allocated twice or in part. Empty when the allocation is right; the
-- test assert_each_charge_day_is_allocated_once_and_whole fails on any row here.
-- A model, not a test's own query: comparing every slice with the sum of its pieces is a hash
-- aggregation keyed on every slice, and over a whole year at 100 M rows it spilled more than 30 GB
-- (D84, D85). Here it is written in batches of deliveries like the allocation (D82), so what it keeps or
-- spills is one batch's. A slice and its pieces belong to one delivery (the FOCUS row's), so a batch
-- holds both sides of every slice it checks. Incremental by delivery: a run checks the deliveries
-- whose slices or pieces it rewrote (rebuilt_deliveries()); the others were checked when written.
{%- set rebuilt = rebuilt_deliveries() %}
{%- set deliveries = rebuilt if incremental_by_delivery() else none %}
with

-- The slices (is_slice) and their pieces, each read for the same batch of deliveries.
sides as (
    {%- for relation, is_slice in [(ref('int_charges_allocated_direct'), true), (ref('int_charges_allocated'), false)] %}
        select
            source_file,
            source_row_number,
            row_kind,
            charge_date,
            delivery_id,
            {{ is_slice }} as is_slice,
            billed_cost,
            effective_cost
        from {{ relation }}
        where {{ delivery_batch(deliveries) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

-- One row per slice key (the FOCUS row's file and row number, row kind, day and delivery).
compared as (
    select
        * exclude (is_slice, billed_cost, effective_cost),
        count(*) filter (where is_slice) as slice_count,
        count(*) filter (where not is_slice) as piece_count,
        sum(billed_cost) filter (where is_slice) as slice_billed_cost,
        sum(billed_cost) filter (where not is_slice) as pieces_billed_cost,
        sum(effective_cost) filter (where is_slice) as slice_effective_cost,
        sum(effective_cost) filter (where not is_slice) as pieces_effective_cost
    from sides
    group by all
),

final as (
    select
        *,
        -- Which dbt invocation wrote the row (D63).
        '{{ this_invocation() }}' as built_by_invocation
    from compared
    where
        slice_count <> 1
        or piece_count = 0
        or slice_billed_cost is distinct from pieces_billed_cost
        or slice_effective_cost is distinct from pieces_effective_cost
)

select * from final
