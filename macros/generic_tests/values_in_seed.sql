{#- Every non-NULL combination of `columns` appears in `seed_columns` of the seed `to`
    (e.g. ServiceCategory/ServiceSubcategory in the FOCUS list of allowed pairs).
    arguments: columns (list), to (a ref()), seed_columns (list, same order) -#}
{% test values_in_seed(model, columns, to, seed_columns) %}
select distinct {% for c in columns %}m.{{ c }}{{ ", " if not loop.last }}{% endfor %}
from {{ model }} as m
left join {{ to }} as s
    on {% for c in columns %}m.{{ c }} = s.{{ seed_columns[loop.index0] }}{{ " and " if not loop.last }}{% endfor %}
where {% for c in columns %}m.{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
    and s.{{ seed_columns[0] }} is null
{% endtest %}
