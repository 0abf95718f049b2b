{#- Primary key over several columns: no two rows share the same values of `columns`
    (NULL counts as a value, so a NULL in a key column cannot hide a duplicate).
    Two passes, so that tens of millions of rows are grouped by one 64-bit hash instead of by
    several text columns (twice as fast): rows whose key hashes collide are found first, then
    only those are grouped by the columns themselves. Equal keys have equal hashes, so no
    duplicate is missed; a collision of two different keys is dropped by the second grouping.
    An incremental build checks only the rows it wrote when the key holds the source file
    (macros/incremental_by_delivery.sql: rows_written_this_run, D63).
    arguments: columns (list of column names) -#}
{% test unique_combination(model, columns) %}
{%- set key = columns | join(', ') %}
{%- set tested = rows_written_this_run(model, columns) %}
with

colliding_hashes as (
    select hash({{ key }}) as key_hash
    from {{ model }}
    where {{ tested }}
    group by 1
    having count(*) > 1
)

select {{ key }}, count(*) as row_count
from {{ model }}
where {{ tested }} and hash({{ key }}) in (select key_hash from colliding_hashes)
group by {{ key }}
having count(*) > 1
{% endtest %}
