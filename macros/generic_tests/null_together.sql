{#- FOCUS null pairs: `column_a` and `column_b` are both NULL or both set on every row
    (e.g. PricingQuantity/PricingUnit, RegionId/RegionName).
    arguments: column_a, column_b -#}
{% test null_together(model, column_a, column_b) %}
select *
from {{ model }}
where ({{ column_a }} is null) <> ({{ column_b }} is null)
{% endtest %}
