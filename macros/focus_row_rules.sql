{#- The FOCUS 1.2 row-level rules this warehouse enforces, by name: one place for every rule's SQL.
    `int_charges_checked` checks every FOCUS row and `int_charges_rule_breaks` quarantines every
    source row one of whose FOCUS rows breaks a rule (so a single odd row never fails the build,
    D46), and the generic test `focus_rule` proves on `focus_cost_and_usage` that every published
    row holds each rule.
    Each value is a boolean SQL expression that every row must satisfy, written over the public
    (PascalCase) columns; a rule that does not hold for every source names the sources it skips
    (`x_source_name`). References are to FINOPS_REFERENCE.md section 1, "Rules that make good data
    tests", and to the FOCUS 1.2 requirement ids.

    focus_row_rules(columns='public' | 'internal')
        'public': the expressions as written, for focus_cost_and_usage;
        'internal': every PascalCase column name rewritten to the warehouse's snake_case name
        (`ChargePeriodStart` -> `charge_period_start`, `x_source_name` -> `source_name`), for the
        intermediate models.

    Notes on single rules: resource_id_and_type_null_together is FOCUS ResourceType-C-004-C and
    -C-005-C (a resource has a type, and only a resource has one); the unit price rules spare
    corrections, whose prices FOCUS lets differ (ListCost-C-010-C, ContractedCost-C-010-C);
    commitment_purchase_effective_cost_zero and covered_usage_billed_cost_zero are reference rules 9
    and 10 as AWS and Azure bill commitments: Google Cloud bills CUD fees as they accrue and covered
    usage net of its CUD credit (D42), and a native export states its own amortisation (D18), so
    neither is held to them. -#}
{% macro focus_row_rules(columns='public') %}
{%- set rules = ({
    "charge_period_start_before_end": "ChargePeriodStart < ChargePeriodEnd",
    "billing_period_start_before_end": "BillingPeriodStart < BillingPeriodEnd",
    "tax_rows_have_no_pricing": "ChargeCategory <> 'Tax' or (PricingCategory is null and PricingQuantity is null and PricingUnit is null and ListUnitPrice is null and ContractedUnitPrice is null)",
    "consumed_quantity_and_unit_null_together": "(ConsumedQuantity is null) = (ConsumedUnit is null)",
    "pricing_quantity_and_unit_null_together": "(PricingQuantity is null) = (PricingUnit is null)",
    "commitment_quantity_and_unit_null_together": "(CommitmentDiscountQuantity is null) = (CommitmentDiscountUnit is null)",
    "region_id_and_name_null_together": "(RegionId is null) = (RegionName is null)",
    "resource_id_and_type_null_together": "(ResourceId is null) = (ResourceType is null)",
    "sub_account_id_and_name_null_together": "(SubAccountId is null) = (SubAccountName is null)",
    "consumed_quantity_only_on_used_usage": "ConsumedQuantity is null or (ChargeCategory = 'Usage' and CommitmentDiscountStatus is distinct from 'Unused')",
    "no_commitment_id_no_commitment_columns": "CommitmentDiscountId is not null or (CommitmentDiscountCategory is null and CommitmentDiscountName is null and CommitmentDiscountStatus is null and CommitmentDiscountType is null and CommitmentDiscountQuantity is null and CommitmentDiscountUnit is null)",
    "commitment_id_has_category_and_type": "CommitmentDiscountId is null or (CommitmentDiscountCategory is not null and CommitmentDiscountType is not null)",
    "commitment_usage_has_status": "CommitmentDiscountId is null or ChargeCategory <> 'Usage' or CommitmentDiscountStatus is not null",
    "committed_pricing_has_commitment": "PricingCategory is distinct from 'Committed' or (CommitmentDiscountId is not null and ChargeCategory <> 'Purchase')",
    "unit_prices_not_negative": "coalesce(ListUnitPrice, 0) >= 0 and coalesce(ContractedUnitPrice, 0) >= 0",
    "list_cost_is_unit_price_times_quantity": "ChargeClass is not distinct from 'Correction' or ListUnitPrice is null or PricingQuantity is null or abs(ListCost - ListUnitPrice * PricingQuantity) <= " ~ var('unit_price_tolerance'),
    "contracted_cost_is_unit_price_times_quantity": "ChargeClass is not distinct from 'Correction' or ContractedUnitPrice is null or PricingQuantity is null or abs(ContractedCost - ContractedUnitPrice * PricingQuantity) <= " ~ var('unit_price_tolerance'),
    "commitment_purchase_effective_cost_zero": "x_source_name in ('focus', 'gcp') or not (ChargeCategory = 'Purchase' and CommitmentDiscountId is not null and ChargeClass is null and BilledCost >= 0) or EffectiveCost = 0",
    "covered_usage_billed_cost_zero": "x_source_name in ('focus', 'gcp') or CommitmentDiscountStatus is distinct from 'Used' or BilledCost = 0",
    "unused_commitment_rows": "CommitmentDiscountStatus is distinct from 'Unused' or (ChargeCategory = 'Usage' and ResourceId = CommitmentDiscountId and ConsumedQuantity is null and BilledCost = 0)",
    "credit_effective_equals_billed": "ChargeCategory <> 'Credit' or EffectiveCost = BilledCost",
    "purchase_never_usage_based": "ChargeCategory <> 'Purchase' or ChargeFrequency is distinct from 'Usage-Based'",
    "charge_category_allowed": "ChargeCategory in ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')",
    "charge_class_allowed": "ChargeClass is null or ChargeClass = 'Correction'",
    "charge_frequency_allowed": "ChargeFrequency is null or ChargeFrequency in ('One-Time', 'Recurring', 'Usage-Based')",
    "pricing_category_allowed": "PricingCategory is null or PricingCategory in ('Standard', 'Dynamic', 'Committed', 'Other')",
    "commitment_status_allowed": "CommitmentDiscountStatus is null or CommitmentDiscountStatus in ('Used', 'Unused')",
    "commitment_category_allowed": "CommitmentDiscountCategory is null or CommitmentDiscountCategory in ('Spend', 'Usage')",
}) -%}
{%- if columns == 'public' -%}
    {{ return(rules) }}
{%- endif -%}
{%- set internal = {} -%}
{%- for name, expression in rules.items() -%}
    {%- do internal.update({name: _internal_column_names(expression)}) -%}
{%- endfor -%}
{{ return(internal) }}
{% endmacro %}

{#- An expression with each PascalCase word outside quotes rewritten in snake_case (`BilledCost` ->
    `billed_cost`) and `x_source_name` as `source_name`. Plain Jinja, no regular expressions, so
    sqlfluff's templater can render it too. -#}
{% macro _internal_column_names(expression) %}
{%- set ns = namespace(out='', word='', quoted=false) -%}
{%- for ch in (expression ~ ' ') -%}
    {%- if ns.quoted -%}
        {%- set ns.out = ns.out ~ ch -%}
        {%- if ch == "'" -%}{%- set ns.quoted = false -%}{%- endif -%}
    {%- elif ch.isalnum() or ch == '_' -%}
        {%- set ns.word = ns.word ~ ch -%}
    {%- else -%}
        {%- if ns.word == 'x_source_name' -%}
            {%- set ns.word = 'source_name' -%}
        {%- elif ns.word[:1].isupper() and '_' not in ns.word -%}
            {%- set snake = namespace(text='') -%}
            {%- for letter in ns.word -%}
                {%- set snake.text = snake.text ~ ('_' if letter.isupper() and not loop.first else '') ~ letter.lower() -%}
            {%- endfor -%}
            {%- set ns.word = snake.text -%}
        {%- endif -%}
        {%- set ns.out = ns.out ~ ns.word ~ ch -%}
        {%- set ns.word = '' -%}
        {%- if ch == "'" -%}{%- set ns.quoted = true -%}{%- endif -%}
    {%- endif -%}
{%- endfor -%}
{{ return(ns.out[:-1]) }}
{% endmacro %}
