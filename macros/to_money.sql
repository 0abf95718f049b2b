{#- The warehouse's one money (and quantity) type: DECIMAL(money_precision, money_scale).

    to_money(expr)       exact cast of a value already numeric.
    try_to_money(expr)   cast of provider text that may be bad: NULL when it does not parse, so
                         staging can quarantine the row instead of failing the build.
    money_type()         the type itself, for contracts and casts of literals.

    try_to_money parses through DECIMAL(18, scale) first (DuckDB parses text into a 64-bit decimal
    quickly). A value with more than 18 - scale integer digits (a usage amount in bytes, say) does
    not fit; DuckDB's own parse of text into a 128-bit decimal takes about 10 µs a value (9.2 s for
    a million Google Cloud usage amounts, D80), so plain decimal text (an optional sign, at most
    precision - scale integer digits, at most scale decimals) is put together from parts DuckDB
    parses quickly: the integer digits as a HUGEINT, the decimals as DECIMAL(18, scale). Only
    other text (an exponent, more decimals than the scale, which DuckDB rounds, or text that is
    not a number) takes DuckDB's 128-bit parse. Text with an exponent longer than 18 characters
    skips the 64-bit parse: DuckDB 1.5 truncates such a value there when it has more than 18 digits
    (the 128-bit parse rounds it), and it costs about 28 µs a value, so shorter exponent text (`4.2E-7`)
    keeps the fast parse. Each path gives the same exact value in the same type
    (test_money_parsing.py compares them). -#}
{% macro money_type() -%}
    decimal({{ var('money_precision') }}, {{ var('money_scale') }})
{%- endmacro %}

{% macro to_money(expr) -%}
    cast({{ expr }} as {{ money_type() }})
{%- endmacro %}

{% macro try_to_money(expr) -%}
    {%- set text = "nullif(trim(" ~ expr ~ "), '')" -%}
    {%- set precision, scale = var('money_precision') | int, var('money_scale') | int -%}
    {%- if precision > 18 and scale < 18 -%}
        {%- set magnitude -%}
            cast(cast(regexp_extract({{ text }}, '[0-9]+') as hugeint) as {{ money_type() }})
            + cast('0.' || coalesce(nullif(split_part({{ text }}, '.', 2), ''), '0') as decimal(18, {{ scale }}))
        {%- endset -%}
        coalesce(
            {#- DuckDB truncates, not rounds, text with an exponent and more than 18 digits cast to a 64-bit
                decimal; such text (longer than 18 characters) takes the 128-bit parse below. #}
            case
                when length({{ text }}) <= 18 or not (contains({{ text }}, 'e') or contains({{ text }}, 'E'))
                    then try_cast({{ text }} as decimal(18, {{ scale }}))
            end,
            case
                when regexp_full_match({{ text }}, '[+-]?[0-9]{1,{{ precision - scale }}}(\.[0-9]{0,{{ scale }}})?')
                    then case when starts_with({{ text }}, '-') then -({{ magnitude }}) else {{ magnitude }} end
            end,
            try_cast({{ text }} as {{ money_type() }})
        )
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
