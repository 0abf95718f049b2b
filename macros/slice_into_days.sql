{#- slice_into_days(relation, start_column, end_column, key_columns)

    The body of a query that cuts each row of `relation` whose [start, end) spans more than one UTC
    day into one row per day it touches (rows with `is_single_day` true are left out: callers keep
    them whole). Adds:
      charge_date      the day (DATE)
      seconds_in_day   seconds of [start, end) inside that day
      seconds_total    seconds of [start, end)
      takes_remainder  true on the row's last day, which takes the remainder of exact shares
                       (macros/exact_arithmetic.sql: prorate_money, remainder_to_last)
    `key_columns` identify a row of `relation` (comma-separated). -#}
{% macro slice_into_days(relation, start_column, end_column, key_columns) %}
select
    spread.*,
    cast(spread.slice_start as date) as charge_date,
    date_diff(
        'second',
        greatest(spread.{{ start_column }}, spread.slice_start),
        least(spread.{{ end_column }}, spread.slice_start + interval 1 day)
    ) as seconds_in_day,
    date_diff('second', spread.{{ start_column }}, spread.{{ end_column }}) as seconds_total,
    row_number() over (partition by {{ key_columns }} order by spread.slice_start desc) = 1 as takes_remainder
from (
    select
        *,
        unnest(generate_series(
            date_trunc('day', {{ start_column }}),
            date_trunc('day', {{ end_column }} - interval 1 microsecond),
            interval 1 day
        )) as slice_start
    from {{ relation }}
    where not is_single_day
) as spread
{% endmacro %}
