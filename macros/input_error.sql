{#- Stop the build because the input is wrong, with one sentence for the user.
    `message` is a SQL expression that gives the sentence (name the file, account or period and
    what to do). DuckDB's error() fails the model; `finops build` finds the sentence in dbt's error
    by its marker and prints it as the reason the run stopped (exit 2: bad input), not as a fault
    of the warehouse (finops/dbt_runner.py). -#}
{% macro input_error(message) -%}
    error('[finops input] ' || {{ message }})
{%- endmacro %}
