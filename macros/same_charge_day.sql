{#- same_charge_day(left, right): the join condition of two relations at the grain of a daily cost
    slice: the same FOCUS row (source_file, source_row_number, row_kind) on the same UTC day
    (charge_date). Models at that grain: int_charges_split_by_day, int_charges_allocated_direct,
    int_charges_allocated. -#}
{% macro same_charge_day(left, right) -%}
    {%- for column in ['source_file', 'source_row_number', 'row_kind', 'charge_date'] %}
    {{ 'and ' if not loop.first }}{{ left }}.{{ column }} = {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
