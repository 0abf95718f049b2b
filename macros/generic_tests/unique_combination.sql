{#- Primary key over several columns: no two rows share the same values of `columns`
    (NULL counts as a value, so a NULL in a key column cannot hide a duplicate).
    arguments: columns (list of column names) -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
