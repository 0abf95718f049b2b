{#- Every non-NULL combination of `columns` appears in `seed_columns` of the seed `to`
    (e.g. ServiceCategory/ServiceSubcategory in the FOCUS list of allowed pairs).
    arguments: columns (list), to (a ref()), seed_columns (list, same order) -#}
{% test values_in_seed(model, columns, to, seed_columns) %}
with

model_rows as (
    select * from {{ model }}
),

allowed as (
    select * from {{ to }}
)

select distinct {% for c in columns %}model_rows.{{ c }}{{ ", " if not loop.last }}{% endfor %}
from model_rows
left join allowed
    on {% for c in columns %}model_rows.{{ c }} = allowed.{{ seed_columns[loop.index0] }}{{ " and " if not loop.last }}{% endfor %}
where {% for c in columns %}model_rows.{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
    and allowed.{{ seed_columns[0] }} is null
{% endtest %}
