{#- unallocated_owner(): the owner name of cost that no tag, account mapping or shared-cost rule
    places, as an SQL string literal. It is fixed, like the rule-file checks that forbid any owner
    of that name (finops/mappings/specs.py UNALLOCATED_OWNER; a test keeps the two equal), so the
    bucket can never be confused with a team. -#}
{% macro unallocated_owner() -%}
    'unallocated'
{%- endmacro %}
