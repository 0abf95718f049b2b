{#- The FOCUS 1.2 row-level rules this warehouse enforces on `focus_cost_and_usage`, by name.
    One place for every rule's SQL: the generic test `focus_rule` checks one of them, and the
    singular test `warn_native_focus_exports_break_focus_rules` reports native exports that break any.
    Each value is a boolean SQL expression over the public (PascalCase) columns that every row
    must satisfy. References are to FINOPS_REFERENCE.md section 1, "Rules that make good data tests". -#}
{% macro focus_row_rules() %}
{{ return({
    "charge_period_start_before_end": "ChargePeriodStart < ChargePeriodEnd",
    "billing_period_start_before_end": "BillingPeriodStart < BillingPeriodEnd",
    "tax_rows_have_no_pricing": "ChargeCategory <> 'Tax' or (PricingCategory is null and PricingQuantity is null and PricingUnit is null and ListUnitPrice is null and ContractedUnitPrice is null)",
    "consumed_quantity_and_unit_null_together": "(ConsumedQuantity is null) = (ConsumedUnit is null)",
    "pricing_quantity_and_unit_null_together": "(PricingQuantity is null) = (PricingUnit is null)",
    "commitment_quantity_and_unit_null_together": "(CommitmentDiscountQuantity is null) = (CommitmentDiscountUnit is null)",
    "region_id_and_name_null_together": "(RegionId is null) = (RegionName is null)",
    "sub_account_id_and_name_null_together": "(SubAccountId is null) = (SubAccountName is null)",
    "consumed_quantity_only_on_used_usage": "ConsumedQuantity is null or (ChargeCategory = 'Usage' and CommitmentDiscountStatus is distinct from 'Unused')",
    "no_commitment_id_no_commitment_columns": "CommitmentDiscountId is not null or (CommitmentDiscountCategory is null and CommitmentDiscountName is null and CommitmentDiscountStatus is null and CommitmentDiscountType is null and CommitmentDiscountQuantity is null and CommitmentDiscountUnit is null)",
    "commitment_id_has_category_and_type": "CommitmentDiscountId is null or (CommitmentDiscountCategory is not null and CommitmentDiscountType is not null)",
    "commitment_usage_has_status": "CommitmentDiscountId is null or ChargeCategory <> 'Usage' or CommitmentDiscountStatus is not null",
    "committed_pricing_has_commitment": "PricingCategory is distinct from 'Committed' or (CommitmentDiscountId is not null and ChargeCategory <> 'Purchase')",
    "unit_prices_not_negative": "coalesce(ListUnitPrice, 0) >= 0 and coalesce(ContractedUnitPrice, 0) >= 0",
    "list_cost_is_unit_price_times_quantity": "ListUnitPrice is null or PricingQuantity is null or abs(ListCost - ListUnitPrice * PricingQuantity) <= " ~ var('unit_price_tolerance'),
    "contracted_cost_is_unit_price_times_quantity": "ContractedUnitPrice is null or PricingQuantity is null or abs(ContractedCost - ContractedUnitPrice * PricingQuantity) <= " ~ var('unit_price_tolerance'),
    "commitment_purchase_effective_cost_zero": "not (ChargeCategory = 'Purchase' and CommitmentDiscountId is not null and ChargeClass is null and BilledCost >= 0) or EffectiveCost = 0",
    "covered_usage_billed_cost_zero": "CommitmentDiscountStatus is distinct from 'Used' or BilledCost = 0",
    "unused_commitment_rows": "CommitmentDiscountStatus is distinct from 'Unused' or (ChargeCategory = 'Usage' and ResourceId = CommitmentDiscountId and ConsumedQuantity is null and BilledCost = 0)",
    "credit_effective_equals_billed": "ChargeCategory <> 'Credit' or EffectiveCost = BilledCost",
    "purchase_never_usage_based": "ChargeCategory <> 'Purchase' or ChargeFrequency is distinct from 'Usage-Based'",
    "charge_category_allowed": "ChargeCategory in ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')",
    "charge_class_allowed": "ChargeClass is null or ChargeClass = 'Correction'",
    "charge_frequency_allowed": "ChargeFrequency in ('One-Time', 'Recurring', 'Usage-Based')",
    "pricing_category_allowed": "PricingCategory is null or PricingCategory in ('Standard', 'Dynamic', 'Committed', 'Other')",
    "commitment_status_allowed": "CommitmentDiscountStatus is null or CommitmentDiscountStatus in ('Used', 'Unused')",
    "commitment_category_allowed": "CommitmentDiscountCategory is null or CommitmentDiscountCategory in ('Spend', 'Usage')",
}) }}
{% endmacro %}
