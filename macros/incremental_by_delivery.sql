{#- Incremental refresh by delivery (DECISIONLOG D61).

    The unit of change is one delivery: one billing period of one export, as the landing folder
    holds it (`finops load` keeps the ledger raw.deliveries, one row per delivery, and one parquet
    partition of raw rows per delivery). A delivery whose current load no dbt build has finished
    with has `built_fingerprint` distinct from `fingerprint`; `finops build` sets it after a build
    succeeds. The line-item models are incremental (delete+insert on their delivery column, set per
    folder in dbt_project.yml): an incremental run reads and rewrites only the rows of those
    deliveries, plus whatever a model's own rule says must be rebuilt with them (see
    int_charges_checked and focus_cost_and_usage). A full refresh (`finops build --full-refresh`,
    or one `finops build` chooses itself when the project or the mapping files changed) rebuilds
    every delivery.

    incremental_by_delivery()              whether this run of the model is incremental (false in
                                           a unit test, which has no relation to add to)
    deliveries_not_built()                 the ids of those deliveries (queried when the model runs)
    delivery_ids(sql)                      the ids a query gives (its first column), run when the model runs
    this_invocation()                      dbt's invocation id: int_charges_checked stamps the rows it writes
    sql_in_list(values)                    ('a', 'b') for an IN predicate; (null) when empty
    delivery_to_rebuild(column)            the predicate `<column> in (...)` in an incremental run, else
                                           `true`: the ids are literals, so DuckDB skips the other
                                           deliveries' parquet partitions and row groups unread
    delete_deliveries_not_built(column)    the pre-hook: delete those deliveries' rows first, so a
                                           delivery that now gives a model no row leaves none behind -#}

{% macro incremental_by_delivery() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}

{% macro deliveries_not_built() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(delivery_ids(
        "select delivery_id from " ~ source('landing', 'deliveries')
        ~ " where built_fingerprint is distinct from fingerprint order by delivery_id"
    )) }}
{%- endmacro %}

{% macro delivery_ids(sql) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(run_query(sql).columns[0].values() | list) }}
{%- endmacro %}

{% macro sql_in_list(values) -%}
    ({%- for value in values -%}
        '{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- else -%}
        null
    {%- endfor -%})
{%- endmacro %}

{% macro delivery_to_rebuild(column='delivery_id') -%}
    {%- if incremental_by_delivery() -%}
        {{ column }} in {{ sql_in_list(deliveries_not_built()) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro delete_deliveries_not_built(column='delivery_id') -%}
    {%- if incremental_by_delivery() -%}
        delete from {{ this }} where {{ column }} in {{ sql_in_list(deliveries_not_built()) }}
    {%- endif -%}
{%- endmacro %}

{% macro this_invocation() -%}
    {{ return(invocation_id) }}
{%- endmacro %}
