{#- One FOCUS row rule from focus_row_rules(), by name: rows that break it fail the test.
    arguments: rule (a key of focus_row_rules()) -#}
{% test focus_rule(model, rule) %}
{%- set rules = focus_row_rules() -%}
{%- if rule not in rules -%}
    {{ exceptions.raise_compiler_error("focus_rule: unknown rule '" ~ rule ~ "'; the rules are in macros/focus_row_rules.sql") }}
{%- endif %}
select *
from {{ model }}
where not coalesce(({{ rules[rule] }}), false)
{% endtest %}
