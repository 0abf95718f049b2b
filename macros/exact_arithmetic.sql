{#- Exact division for money and ratios. DuckDB divides DECIMALs in DOUBLE, so these macros
    divide in 128-bit integers of the money scale's smallest unit (1e-12 by default) instead:
    the result is a money_type() value truncated toward zero, never a float.

    prorate_money(amount, weight, total_weight)
        amount × weight ÷ total_weight. weight and total_weight are integers (seconds, hours,
        or quantities already scaled to integers with money_units()). Callers that split an
        amount into shares give the truncation remainder to one share (see spread_to_days),
        so the shares add back to the amount exactly.

    exact_ratio(numerator, denominator)
        numerator ÷ denominator for two money_type() values (utilisation, coverage, savings
        rates), truncated to money_scale decimals; NULL when the denominator is 0 or NULL.

    money_units(expr)
        a money_type() value as a HUGEINT count of its smallest unit, for integer weights.

    truncated_div(numerator, denominator)
        numerator ÷ denominator for two integers (HUGEINT money units, weights), truncated toward
        zero: exactly DuckDB's `//`, NULL when the denominator is 0 or NULL, but about five times
        faster on the values money takes (D88). For operands that are columns or cheap: it repeats
        them several times, so an operand holding money_units() casts (each a 128-bit division
        itself) costs more than `//` saves; split_exactly uses it, the macros above do not. -#}
{% macro money_units(expr) -%}
    cast(({{ expr }}) * {{ 10 ** (var('money_scale') | int) }} as hugeint)
{%- endmacro %}

{% macro from_money_units(expr) -%}
    cast(
        cast({{ expr }} as decimal(38, 0))
        * cast('{{ "%.*f" | format(var("money_scale") | int, 10 ** -(var("money_scale") | int)) }}'
            as decimal({{ (var('money_scale') | int) + 1 }}, {{ var('money_scale') }}))
        as {{ money_type() }}
    )
{%- endmacro %}

{% macro prorate_money(amount, weight, total_weight) -%}
    {{ from_money_units('(' ~ money_units(amount) ~ ' * cast(' ~ weight ~ ' as hugeint)) // cast(' ~ total_weight ~ ' as hugeint)') }}
{%- endmacro %}

{% macro exact_ratio(numerator, denominator) -%}
    case
        when {{ denominator }} <> 0 then
            {{ from_money_units(
                '(' ~ money_units(numerator) ~ ' * ' ~ (10 ** (var('money_scale') | int)) ~ ') // '
                ~ money_units(denominator)
            ) }}
    end
{%- endmacro %}

{#- remainder_to_last(part, whole, partition_by): the share of `whole` for this slice: `part`, except
    on the slice flagged `takes_remainder`, which takes whole − Σ other parts, so the slices of one
    row add up to `whole` exactly. Needs a boolean column `takes_remainder` (one per partition). -#}
{% macro remainder_to_last(part, whole, partition_by) -%}
    case
        when takes_remainder
            then {{ whole }} - (sum({{ part }}) over (partition by {{ partition_by }}) - {{ part }})
        else {{ part }}
    end
{%- endmacro %}

{#- spread_amounts(relation, carry, amounts, weight, total_weight, key)
    The body of a query over `relation` (one row per slice of a row, with a `takes_remainder` flag,
    see slice_into_days) that gives each slice its exact share of every column in `amounts`:
    amount × weight ÷ total_weight, the flagged slice taking the remainder, so the slices of the row
    identified by `key` add back to its amounts exactly. `carry` columns are passed through. -#}
{% macro spread_amounts(relation, carry, amounts, weight, total_weight, key) %}
select
    {%- for column in carry %}
    {{ column }},
    {%- endfor %}
    {%- for amount in amounts %}
    {{ remainder_to_last(prorate_money(amount, weight, total_weight), amount, key) }} as {{ amount }}
    {{- ',' if not loop.last }}
    {%- endfor %}
from {{ relation }}
{% endmacro %}

{#- split_exactly(units, cumulative_before, cumulative_through, total_weight)
    One target's share of an amount when it is split by integer weights in a fixed target order,
    all in HUGEINT money units (money_units): trunc(units × cumulative_through ÷ total) −
    trunc(units × cumulative_before ÷ total), where cumulative_before/_through are the Σ of the
    weights of the targets before it / up to and including it. The shares telescope, so they add up
    to the amount exactly with no window function, and a unit of rounding lands on the target where
    the running total crosses it (cumulative rounding: deterministic, never more than one smallest
    unit away from the exact share). The caller converts once on the way in (money_units) and once
    on the way out (from_money_units), not at every split: DuckDB's DECIMAL-to-HUGEINT cast is a
    128-bit division, as slow as the split itself (D36). Weights are HUGEINT; units × weight must
    stay below 1.7e38. -#}
{% macro split_exactly(units, cumulative_before, cumulative_through, total_weight) -%}
    {{ truncated_div(units ~ ' * ' ~ cumulative_through, total_weight) }}
    - {{ truncated_div(units ~ ' * ' ~ cumulative_before, total_weight) }}
{%- endmacro %}

{#- truncated_div(numerator, denominator): trunc(numerator ÷ denominator) for two integers, equal to
    DuckDB's `numerator // denominator` on every input (NULL for a 0 or NULL denominator), without
    its 128-bit division where the values allow (D88). DuckDB divides HUGEINTs bit by bit, about
    0.5 µs a division: at 10 M rows the allocation's splits spent most of their time there.
    With a = |numerator| and b = |denominator|:
      q0 = trunc(a ÷ b) estimated in DOUBLE (any integer would do; this one is close),
      r  = a − q0 × b, exactly, in HUGEINT (a multiplication, which is fast),
      floor(a ÷ b) = q0 + floor(r ÷ b), which holds for any integer q0; when r and b fit in 62 bits
      floor(r ÷ b) is taken in BIGINT (truncating division, less one for a negative remainder),
    and the quotient gets the sign of numerator × denominator (truncation toward zero). The result
    never rests on the DOUBLE estimate being right, only on r being computed exactly; where r or b
    does not fit, or the quotient is beyond 1e37 (so q0 could overflow), it is DuckDB's `//`.
    finops/tests/test_exact_arithmetic.py compares the two on edge and random values. -#}
{% macro truncated_div(numerator, denominator) -%}
    {%- set n = '(' ~ numerator ~ ')' %}
    {%- set d = '(' ~ denominator ~ ')' %}
    {%- set a = 'abs(' ~ n ~ ')' %}
    {%- set b = 'abs(nullif(' ~ d ~ ', 0))' %}
    {%- set q0 = 'cast(trunc(cast(' ~ a ~ ' as double) / cast(' ~ b ~ ' as double)) as hugeint)' %}
    {%- set r = '(' ~ a ~ ' - ' ~ q0 ~ ' * ' ~ b ~ ')' %}
    {%- set r64 = 'cast(' ~ r ~ ' as bigint)' %}
    {%- set b64 = 'cast(' ~ b ~ ' as bigint)' %}
    {%- set floor_ab = '(' ~ q0 ~ ' + ' ~ r64 ~ ' // ' ~ b64 ~ ' - case when ' ~ r64 ~ ' % ' ~ b64 ~ ' < 0 then 1 else 0 end)' -%}
    case
        when
            cast({{ a }} as double) < 1e37 * cast({{ b }} as double)
            and {{ b }} < 4611686018427387904
            and abs({{ r }}) < 4611686018427387904
            then case when ({{ n }} < 0) <> ({{ d }} < 0) then -{{ floor_ab }} else {{ floor_ab }} end
        else {{ n }} // {{ d }}
    end
{%- endmacro %}
