{#- Primary key over several columns: no two rows share the same values of `columns`
    (NULL counts as a value, so a NULL in a key column cannot hide a duplicate).
    Two passes, so that tens of millions of rows are grouped by one 64-bit hash instead of by
    several text columns (twice as fast): rows whose key hashes collide are found first, then
    only those are grouped by the columns themselves. Equal keys have equal hashes, so no
    duplicate is missed; a collision of two different keys is dropped by the second grouping.
    An incremental build checks only the rows it wrote when the key holds the source file
    (macros/incremental_by_delivery.sql: rows_written_this_run, D63).
    A view whose every row one table stores unchanged (a provider's conformed charges, all of which
    int_charges_checked writes, D73) is checked on the stored rows, not computed again.
    arguments: columns (list of column names);
               stored_in (optional): that table; stored_where: the condition that picks the model's
               rows out of it -#}
{% test unique_combination(model, columns, stored_in=none, stored_where='true') %}
{%- set key = columns | join(', ') %}
{%- set relation = stored_in if stored_in is not none else model %}
{%- set tested = rows_written_this_run(relation, columns) %}
with

colliding_hashes as (
    select hash({{ key }}) as key_hash
    from {{ relation }}
    where ({{ stored_where }}) and {{ tested }}
    group by 1
    having count(*) > 1
)

select {{ key }}, count(*) as row_count
from {{ relation }}
where ({{ stored_where }}) and {{ tested }} and hash({{ key }}) in (select key_hash from colliding_hashes)
group by {{ key }}
having count(*) > 1
{% endtest %}
