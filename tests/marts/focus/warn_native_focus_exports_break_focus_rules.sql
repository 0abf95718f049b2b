{{ config(severity='warn') }}
-- Native FOCUS exports are published as their provider states them (the warehouse does not
-- rewrite a provider's costs); this lists their rows that break a FOCUS row rule, so the export's
-- owner can be told. The rows this warehouse derives itself are held to the same rules as errors
-- by the focus_rule tests on focus_cost_and_usage.
{%- set rules = focus_row_rules() %}
with

focus_rows as (
    select * from {{ ref('focus_cost_and_usage') }}
    where x_source_name = 'focus'
),

violations as (
    {%- for name, expression in rules.items() %}
        select
            '{{ name }}' as rule_name,
            x_source_export,
            x_source_file,
            x_source_row_number
        from focus_rows
        where not coalesce(({{ expression }}), false)
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from violations
