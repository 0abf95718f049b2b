{#- Every row satisfies a SQL boolean `expression` (rows where it is false or NULL fail).
    arguments: expression (SQL), where (optional, via config) -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
