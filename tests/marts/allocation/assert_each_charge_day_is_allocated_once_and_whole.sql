-- No row allocated twice, none lost: the allocated pieces of every daily cost slice add up to the
-- slice's billed and effective cost exactly, and every slice has pieces.
with

allocated as (
    select
        source_file,
        source_row_number,
        row_kind,
        charge_date,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost
    from {{ ref('fct_cost_allocated') }}
    group by 1, 2, 3, 4
),

slices as (
    select
        source_file,
        source_row_number,
        row_kind,
        charge_date,
        billed_cost,
        effective_cost
    from {{ ref('int_charges_allocated_direct') }}
)

select
    slices.billed_cost as slice_billed_cost,
    allocated.billed_cost as allocated_billed_cost,
    slices.effective_cost as slice_effective_cost,
    allocated.effective_cost as allocated_effective_cost,
    coalesce(slices.source_file, allocated.source_file) as source_file,
    coalesce(slices.source_row_number, allocated.source_row_number) as source_row_number,
    coalesce(slices.charge_date, allocated.charge_date) as charge_date
from slices
full outer join allocated
    on {{ same_charge_day('slices', 'allocated') }}
where
    slices.billed_cost is distinct from allocated.billed_cost
    or slices.effective_cost is distinct from allocated.effective_cost
