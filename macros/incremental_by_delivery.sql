{#- Incremental refresh by delivery (DECISIONLOG D61).

    The unit of change is one delivery: one billing period of one export, as the landing folder
    holds it (`finops load` keeps the ledger raw.deliveries, one row per delivery, and one parquet
    partition of raw rows per delivery). A delivery whose current load no dbt build has finished
    with has `built_fingerprint` distinct from `fingerprint`; `finops build` sets it after a build
    succeeds. The line-item models are materialised `incremental_by_delivery` (set per folder in
    dbt_project.yml; the materialisation is at the end of this file): an incremental run reads and
    rewrites only the rows of those deliveries, plus whatever a model's own rule says must be
    rebuilt with them (see rebuilt_deliveries() below). A full refresh (`finops build --full-refresh`,
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
                                           delivery that now gives a model no row leaves none behind
    delivery_batch(ids, column)            `<column> in (ids)` (`true` when ids is none: every
                                           delivery), marked so that the materialisation writes a
                                           large run in batches of deliveries (D82) -#}

{% macro incremental_by_delivery() -%}
    {#- dbt's is_incremental() answers only for its own `incremental` materialization. -#}
    {%- if not execute or this is none or model.config.materialized != 'incremental_by_delivery'
        or should_full_refresh() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.table) -%}
    {{ return(relation is not none and relation.type == 'table') }}
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

{% macro delivery_batch(ids=none, column='delivery_id') -%}
    {#- The deliveries a run of the model writes, as a predicate on `column`: `<column> in (ids)`, or
        `true` for every delivery (ids none: a full refresh, or a unit test), marked so that the
        materialisation can write them in batches (D82, delivery_batch_queries() below). -#}
    /*finops:batch {{ column }}*/{{ 'true' if ids is none else column ~ ' in ' ~ sql_in_list(ids) }}/*finops:end*/
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

{#- The daily split and the allocation (D63) are incremental by delivery too. Each of these models
    names the deliveries it rebuilds in `rebuilt_deliveries()` (one rule per model, below); the
    model reads only their rows and its pre-hook `delete_rebuilt_deliveries()` deletes their old
    rows first, so a delivery that now gives the model no row leaves none behind. Both are
    evaluated when the model runs, before it writes, so they see the same answer.

    rewritten_deliveries(relation)         the ids of the deliveries whose rows in `relation` (a model
                                           that stamps built_by_invocation) this invocation wrote
    rebuilt_deliveries()                   the deliveries the running model rebuilds ([] in a full
                                           refresh, where it rebuilds everything)
    delete_rebuilt_deliveries()            the pre-hook -#}

{% macro rewritten_deliveries(relation) -%}
    {{ return(delivery_ids(
        "select distinct delivery_id from " ~ relation
        ~ " where built_by_invocation = '" ~ this_invocation() ~ "' order by 1"
    )) }}
{%- endmacro %}

{% macro rebuilt_deliveries() -%}
    {%- if not (incremental_by_delivery() and execute) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set model = this.identifier -%}
    {%- if model == 'int_charges_split_by_day' -%}
        {#- Each row is split on its own, except that the days of a multi-day Unused commitment row
            come from the commitment's daily split (int_commitment_charges_daily), which depends on
            every row of the commitment on those days: besides what int_charges_checked rewrote, a
            delivery is rebuilt when one of its Unused rows' days no longer holds the amount the
            commitment's split gives it now (a row with one slice keeps its own amount). -#}
        {%- set changed_unused = delivery_ids(
            "with stored as (select *, count(*) over (partition by source_file, source_row_number, row_kind)"
            ~ " as slice_count from " ~ this ~ " where commitment_discount_status = 'Unused'),"
            ~ " days as (select * from " ~ ref('int_commitment_charges_daily') ~ " where measure = 'unused')"
            ~ " select distinct stored.delivery_id from stored left join days"
            ~ " on " ~ same_charge_day('stored', 'days')
            ~ " where stored.slice_count > 1 and stored.effective_cost is distinct from coalesce(days.effective_cost, 0)"
            ~ " order by 1"
        ) -%}
        {#- A row's ServiceCategory is the one its ServiceName has across every delivery
            (int_service_name_categories, D48), completed when int_charges_unioned is read (D73):
            a delivery is rebuilt when one of its stored rows holds a category that is no longer
            the answer for its name. -#}
        {%- set recategorized = delivery_ids(
            "select distinct stored.delivery_id from " ~ this ~ " as stored inner join "
            ~ ref('int_service_name_categories') ~ " as categories on stored.service_name = categories.service_name"
            ~ " where stored.service_category is distinct from categories.service_category order by 1"
        ) -%}
        {%- set rebuilt = deliveries_not_built() + rewritten_deliveries(ref('int_charges_checked'))
            + changed_unused + recategorized -%}
    {%- elif model == 'int_charges_allocated_direct' -%}
        {#- One row per daily slice, owned by its tags or account on its day: row by row. -#}
        {%- set rebuilt = deliveries_not_built() + rewritten_deliveries(ref('int_charges_split_by_day')) -%}
    {%- elif model == 'int_charges_allocated' -%}
        {#- A piece is allocated on its own, by the shared-cost weights of its scope (billing account,
            billing period, billing currency; int_shared_cost_weights), and those weights come from the
            direct cost of the scope's slices: every delivery with rows in a scope that a rewritten
            slice is in, or was in before, is rebuilt. -#}
        {%- set changed = deliveries_not_built() + rewritten_deliveries(ref('int_charges_allocated_direct')) -%}
        {%- set scopes = "select billing_account_id, billing_period_start, billing_currency from "
            ~ ref('int_charges_allocated_direct') ~ " where built_by_invocation = '" ~ this_invocation() ~ "'"
            ~ " union select billing_account_id, billing_period_start, billing_currency from " ~ this
            ~ " where delivery_id in " ~ sql_in_list(changed | unique | list) -%}
        {%- set rebuilt = changed + delivery_ids(
            "select distinct direct.delivery_id from " ~ ref('int_charges_allocated_direct') ~ " as direct"
            ~ " semi join (" ~ scopes ~ ") as scopes on direct.billing_account_id = scopes.billing_account_id"
            ~ " and direct.billing_period_start = scopes.billing_period_start"
            ~ " and direct.billing_currency = scopes.billing_currency order by 1"
        ) -%}
    {%- elif model == 'int_charges_allocation_differences' -%}
        {#- A slice and its pieces are compared within their delivery: whatever the direct allocation or
            the allocation rewrote is checked again. -#}
        {%- set rebuilt = deliveries_not_built() + rewritten_deliveries(ref('int_charges_allocated_direct'))
            + rewritten_deliveries(ref('int_charges_allocated')) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("rebuilt_deliveries(): no rule for " ~ model) }}
    {%- endif -%}
    {{ return(rebuilt | unique | sort) }}
{%- endmacro %}

{% macro delete_rebuilt_deliveries() -%}
    {%- if incremental_by_delivery() -%}
        delete from {{ this }} where delivery_id in {{ sql_in_list(rebuilt_deliveries()) }}
    {%- endif -%}
{%- endmacro %}

{#- rows_written_this_run(model, key): the rows of `model` a key test needs to look at. In an incremental
    `dbt build` (what `finops build` runs unless it refreshes fully), the rows of the deliveries this
    build wrote: the rows stamped with this invocation where the model stamps them
    (built_by_invocation), else the rows of the deliveries no build has finished with and of those
    int_charges_checked rewrote (by delivery_id, or x_source_delivery_id in the FOCUS dataset, a
    view of int_charges_checked's rows: a filter on it reaches the table's delivery column). Every
    other row was written by an earlier build of the same project (a change of the project forces
    a full refresh, D61) from the same inputs, and tested then; a key that holds the source file
    (or the delivery) cannot repeat across deliveries, since a file belongs to one delivery. In a
    full refresh, in `dbt test`, for a key without the source file, and for a relation without a
    delivery column: `true`, every row (D63). -#}
{% macro rows_written_this_run(model, key) -%}
    {%- set key = key | map('lower') | list -%}
    {%- if not execute or flags.FULL_REFRESH or flags.WHICH != 'build' or model is string
        or not (key | select('in', ['source_file', 'x_source_file', 'delivery_id', 'x_source_delivery_id']) | list) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
    {%- if 'built_by_invocation' in columns -%}
        {{ return("built_by_invocation = '" ~ this_invocation() ~ "'") }}
    {%- endif -%}
    {%- set delivery_column = 'delivery_id' if 'delivery_id' in columns
        else ('x_source_delivery_id' if 'x_source_delivery_id' in columns else none) -%}
    {%- if delivery_column is none -%}
        {{ return('true') }}
    {%- endif -%}
    {#- The row check's relation from the graph, not ref(): a test of a staging model does not depend
        on it. A test that runs before the row check in this build finds no row of it stamped yet,
        which is right: what it tests does not come from the row check. -#}
    {%- set checked = graph.nodes['model.' ~ project_name ~ '.int_charges_checked'] -%}
    {%- set checked_relation = api.Relation.create(database=checked.database, schema=checked.schema,
        identifier=checked.alias) -%}
    {%- set written = (deliveries_not_built() + rewritten_deliveries(checked_relation)) | unique | sort -%}
    {{ return(delivery_column ~ ' in ' ~ sql_in_list(written)) }}
{%- endmacro %}

{#- The materialisation `incremental_by_delivery` (D79). A full refresh, or the first build, writes
    the table whole, as a new table swapped in for the old one. An incremental run lets the model's
    pre-hook delete the rows of the deliveries it rebuilds (delete_deliveries_not_built() or
    delete_rebuilt_deliveries(): the model's own filter names the same ids), then inserts the
    model's rows straight from its query. dbt's own `incremental` writes them twice: into a
    temporary table first, then from it into the model, after deleting the ids it finds there
    again, which at 10 M rows cost more than computing the rows (D79). The query's columns must be
    the model's, by name and type (as dbt's on_schema_change: fail); `finops build` refreshes fully
    when the project changed (D61), so only a direct `dbt build` of an edited project can meet that.
    A model that filters its input with delivery_batch() is written in batches of deliveries, one
    statement each, first into the new table or after the pre-hook's delete (D82). -#}
{% materialization incremental_by_delivery, adapter='duckdb' -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set intermediate = make_intermediate_relation(target) -%}
    {%- set backup = make_backup_relation(target, 'table' if existing is none else existing.type) -%}
    {%- set incremental = existing is not none and existing.type == 'table' and not should_full_refresh() -%}
    {#- Only the pre-hook deletes what a run rebuilds: a model without one would get its rebuilt
        deliveries twice on every incremental run, so it stops at its first build instead. -#}
    {%- set deleting = [] -%}
    {%- for hook in pre_hooks if 'delete_deliveries_not_built' in hook.sql or 'delete_rebuilt_deliveries' in hook.sql -%}
        {%- do deleting.append(hook) -%}
    {%- endfor -%}
    {%- if not deleting -%}
        {{ exceptions.raise_compiler_error(
            this.schema ~ '.' ~ this.identifier ~ " is materialized incremental_by_delivery but no pre-hook deletes"
            ~ " the deliveries a run rebuilds; nothing was written: give it the pre-hook delete_deliveries_not_built()"
            ~ " or delete_rebuilt_deliveries() in dbt_project.yml (macros/incremental_by_delivery.sql).") }}
    {%- endif -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup)) }}

    {%- if incremental -%}
        {#- Checked before the pre-hook deletes anything: DuckDB's own names and types of the table's
            columns and of the query's (describe plans the query and runs nothing). -#}
        {%- set wanted = [] -%}
        {%- for row in run_query('describe ' ~ target) -%}
            {%- do wanted.append(row[0] | lower ~ ' ' ~ row[1] | lower) -%}
        {%- endfor -%}
        {%- set given = [] -%}
        {%- for row in run_query('describe (' ~ sql ~ '\n)') -%}
            {%- do given.append(row[0] | lower ~ ' ' ~ row[1] | lower) -%}
        {%- endfor -%}
        {%- if wanted | sort != given | sort -%}
            {{ exceptions.raise_compiler_error(
                this.schema ~ '.' ~ this.identifier ~ " no longer has the model's columns (only in the table: "
                ~ (wanted | reject('in', given) | join(', ') or 'none') ~ "; only in the model: "
                ~ (given | reject('in', wanted) | join(', ') or 'none')
                ~ "); nothing was written: rebuild with --full-refresh.") }}
        {%- endif -%}
    {%- endif %}

    {%- set batches = delivery_batch_queries(sql) %}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {#- DuckDB optimizers a model turns off for its own statements (config disabled_optimizers, a list):
        the daily split's two branches read one view, and the common-subplan optimizer stores every
        row of it to serve both, which took twice as long as reading it twice (D88). Set on this
        connection before the batches and reset after them. -#}
    {%- set optimizers_off = config.get('disabled_optimizers', []) -%}
    {%- if optimizers_off -%}
        {%- call statement('disable_optimizers') -%}
            set disabled_optimizers = '{{ optimizers_off | join(",") }}'
        {%- endcall -%}
    {%- endif %}
    {%- for batch_sql in batches %}
        {%- if batches | length > 1 -%}
            {{ log(this.identifier ~ ': batch ' ~ loop.index ~ ' of ' ~ batches | length
                ~ ' (' ~ '{:,}'.format(batch_sql.rows) ~ ' rows loaded)', info=True) }}
        {%- endif -%}
        {%- if incremental or not loop.first %}
            {%- call statement('main' if loop.last else 'batch') -%}
                insert into {{ target if incremental else intermediate }} by name (
                    {{ batch_sql.sql }}
                )
            {%- endcall -%}
        {%- else %}
            {%- call statement('main' if loop.last else 'batch') -%}
                {{ create_table_as(False, intermediate, batch_sql.sql) }}
            {%- endcall -%}
        {%- endif %}
    {%- endfor %}
    {%- if optimizers_off -%}
        {%- call statement('reset_optimizers') -%}
            reset disabled_optimizers
        {%- endcall -%}
    {%- endif %}
    {%- if not incremental %}
        {%- if existing is not none -%}
            {%- do adapter.rename_relation(existing, backup) -%}
        {%- endif -%}
        {%- do adapter.rename_relation(intermediate, target) -%}
    {%- endif %}
    {%- do persist_docs(target, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do adapter.commit() -%}
    {%- if existing is not none and not incremental -%}
        {%- do adapter.drop_relation(backup) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{%- endmaterialization %}


{#- delivery_batch_queries(sql): the model's query as one or more batches (D82), each a dict of `sql`
    (the query for that batch's deliveries) and `rows` (the rows the loader read for them). A model
    that filters its input with delivery_batch() is written in batches of deliveries of at most
    var('delivery_batch_rows') loaded rows each (FINOPS_BATCH_ROWS; a delivery larger than that is
    a batch of its own), in the ledger's order; any other model, or a run within one batch, is one
    query as the model wrote it. Each batch is one statement, so what DuckDB keeps or spills while
    it runs (a CTE read twice, a hash table, a sort) is bounded by the batch, not by the bill; the
    batches are written in the model's one transaction, so a failed batch leaves the table as it
    was. Every row of a FOCUS-grain model comes from one delivery and depends on other deliveries
    only through tables built before it (the allocation's weights, the commitments' daily split),
    so writing the deliveries in batches gives the same rows as writing them at once
    (test_incremental_refresh.py proves it). -#}
{% macro delivery_batch_queries(sql) -%}
    {%- set marks = modules.re.findall('/[*]finops:batch (\\w+)[*]/(.*?)/[*]finops:end[*]/', sql) | unique | list -%}
    {%- if not marks -%}
        {{ return([{'sql': sql, 'rows': none}]) }}
    {%- endif -%}
    {%- if marks | length > 1 -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": delivery_batch() is given different deliveries"
            ~ " in one query; give every use of it the same ones.") }}
    {%- endif -%}
    {%- set column, predicate = marks[0] -%}
    {%- set ids = [] -%}
    {%- for quoted in modules.re.findall("'((?:[^']|'')*)'", predicate) -%}
        {%- do ids.append(quoted | replace("''", "'")) -%}
    {%- endfor -%}
    {%- set limit = var('delivery_batch_rows') | int -%}
    {%- set ledger = run_query(
        "select delivery_id, coalesce(rows_loaded, 0) from " ~ source('landing', 'deliveries')
        ~ (" where delivery_id in " ~ sql_in_list(ids) if predicate != 'true' else '')
        ~ " order by delivery, delivery_id") -%}
    {%- set batches = [] -%}
    {%- set current = {'ids': [], 'rows': 0} -%}
    {%- for row in ledger.rows -%}
        {%- if current.ids and current.rows + row[1] > limit -%}
            {%- do batches.append(current.copy()) -%}
            {%- do current.update({'ids': [], 'rows': 0}) -%}
        {%- endif -%}
        {%- do current.update({'ids': current.ids + [row[0]], 'rows': current.rows + row[1]}) -%}
    {%- endfor -%}
    {%- do batches.append(current) -%}
    {%- if batches | length == 1 -%}
        {{ return([{'sql': sql, 'rows': current.rows}]) }}
    {%- endif -%}
    {#- An id the ledger does not hold goes with the last batch. Every raw row belongs to a delivery
        the ledger holds (the loader writes both), and a row a batch left out would break the
        reconciliation to the bill, which stops the build. -#}
    {%- set listed = ledger.columns[0].values() | list -%}
    {%- do current.update({'ids': current.ids + (ids | reject('in', listed) | list)}) -%}
    {%- set marked = '/*finops:batch ' ~ column ~ '*/' ~ predicate ~ '/*finops:end*/' -%}
    {%- set queries = [] -%}
    {%- for batch in batches -%}
        {%- do queries.append({
            'sql': sql | replace(marked,
                '/*finops:batch ' ~ column ~ '*/' ~ column ~ ' in ' ~ sql_in_list(batch.ids) ~ '/*finops:end*/'),
            'rows': batch.rows}) -%}
    {%- endfor -%}
    {{ return(queries) }}
{%- endmacro %}
