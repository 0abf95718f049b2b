{#- The warehouse's one money (and quantity) type: DECIMAL(money_precision, money_scale).

    to_money(expr)       exact cast of a value already numeric.
    try_to_money(expr)   cast of provider text that may be bad: NULL when it does not parse, so
                         staging can quarantine the row instead of failing the build.
    money_type()         the type itself, for contracts and casts of literals.

    try_to_money parses through DECIMAL(18, scale) first and only falls back to the full
    precision when that fails (a value with more than 18 - scale integer digits, or bad text):
    DuckDB parses 64-bit decimals about ten times faster than 128-bit ones, and the result is
    the same exact value in the same type. -#}
{% macro money_type() -%}
    decimal({{ var('money_precision') }}, {{ var('money_scale') }})
{%- endmacro %}

{% macro to_money(expr) -%}
    cast({{ expr }} as {{ money_type() }})
{%- endmacro %}

{% macro try_to_money(expr) -%}
    {%- set text = "nullif(trim(" ~ expr ~ "), '')" -%}
    {%- if (var('money_precision') | int) > 18 and (var('money_scale') | int) < 18 -%}
        coalesce(try_cast({{ text }} as decimal(18, {{ var('money_scale') }})), try_cast({{ text }} as {{ money_type() }}))
    {%- else -%}
        try_cast({{ text }} as {{ money_type() }})
    {%- endif -%}
{%- endmacro %}

{#- Staging helpers over a list of (raw text column, staged name) pairs:
    try_to_money_columns(amounts)      `try_to_money(raw) as name,` for each pair (note the commas);
    first_unparseable_amount(amounts)  the first raw column whose text is there but does not parse,
                                       else NULL: the row is quarantined naming it, rather than
                                       carried with that amount missing. -#}
{% macro try_to_money_columns(amounts) -%}
    {%- for raw_column, name in amounts %}
    {{ try_to_money(raw_column) }} as {{ name }},
    {%- endfor %}
{%- endmacro %}

{% macro first_unparseable_amount(amounts) -%}
    case
        {%- for raw_column, name in amounts %}
        when nullif(trim({{ raw_column }}), '') is not null and {{ try_to_money(raw_column) }} is null
            then '{{ raw_column }}'
        {%- endfor %}
    end
{%- endmacro %}
