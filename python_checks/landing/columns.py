"""Column sets the loader keeps from each export, named as the warehouse's raw tables name them.

AWS exports come in three flavours that name the same fields differently:
legacy CUR CSV (`lineItem/UnblendedCost`), its parquet "Athena integration" flavour and CUR 2.0
(`line_item_unblended_cost`). The loader renames the CSV headers the way AWS's Athena
integration does (see `athena_name`), so every AWS flavour lands in one raw column set.
Every raw column is VARCHAR: typing happens in staging with `try_cast`, so that a value that
does not parse becomes a quarantined row instead of a failed load.
"""

from __future__ import annotations

import re

# (raw column, required in every file). A file that lacks a required column is rejected with a
# message naming the file and the columns; optional columns that a file lacks load as NULL.
AWS_CUR_COLUMNS: list[tuple[str, bool]] = [
    ("identity_line_item_id", False),
    ("identity_time_interval", False),
    ("bill_invoice_id", False),
    ("bill_invoicing_entity", False),
    ("bill_billing_entity", False),
    ("bill_bill_type", False),
    ("bill_payer_account_id", True),
    ("bill_payer_account_name", False),
    ("bill_billing_period_start_date", True),
    ("bill_billing_period_end_date", True),
    ("line_item_usage_account_id", True),
    ("line_item_usage_account_name", False),
    ("line_item_line_item_type", True),
    ("line_item_usage_start_date", True),
    ("line_item_usage_end_date", True),
    ("line_item_product_code", True),
    ("line_item_usage_type", False),
    ("line_item_operation", False),
    ("line_item_availability_zone", False),
    ("line_item_resource_id", False),
    ("line_item_usage_amount", False),
    ("line_item_normalization_factor", False),
    ("line_item_normalized_usage_amount", False),
    ("line_item_currency_code", True),
    ("line_item_unblended_rate", False),
    ("line_item_unblended_cost", True),
    ("line_item_net_unblended_cost", False),
    ("line_item_line_item_description", False),
    ("line_item_tax_type", False),
    ("line_item_legal_entity", False),
    ("product_product_name", False),
    ("product_product_family", False),
    ("product_region", False),
    ("product_region_code", False),
    ("product_location", False),
    ("product_servicecode", False),
    ("product_instance_type", False),
    ("product_sku", False),
    ("pricing_rate_code", False),
    ("pricing_public_on_demand_cost", False),
    ("pricing_public_on_demand_rate", False),
    ("pricing_term", False),
    ("pricing_unit", False),
    ("pricing_purchase_option", False),
    ("pricing_lease_contract_length", False),
    ("reservation_reservation_a_r_n", False),
    ("reservation_amortized_upfront_cost_for_usage", False),
    ("reservation_amortized_upfront_fee_for_billing_period", False),
    ("reservation_effective_cost", False),
    ("reservation_net_effective_cost", False),
    ("reservation_recurring_fee_for_usage", False),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", False),
    ("reservation_net_unused_amortized_upfront_fee_for_billing_period", False),
    ("reservation_unused_quantity", False),
    ("reservation_unused_recurring_fee", False),
    ("reservation_net_unused_recurring_fee", False),
    ("reservation_total_reserved_units", False),
    ("reservation_number_of_reservations", False),
    ("reservation_upfront_value", False),
    ("reservation_start_time", False),
    ("reservation_end_time", False),
    ("savings_plan_savings_plan_a_r_n", False),
    ("savings_plan_savings_plan_rate", False),
    ("savings_plan_savings_plan_effective_cost", False),
    ("savings_plan_net_savings_plan_effective_cost", False),
    ("savings_plan_total_commitment_to_date", False),
    ("savings_plan_used_commitment", False),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", False),
    ("savings_plan_recurring_commitment_for_billing_period", False),
    ("savings_plan_start_time", False),
    ("savings_plan_end_time", False),
    ("savings_plan_payment_option", False),
    ("savings_plan_purchase_term", False),
    ("savings_plan_offering_type", False),
]

# Native FOCUS exports: every column of FOCUS 1.0-1.2 (snake_case in the raw table). Only the
# columns that are mandatory and non-nullable in every version since 1.0 are required; columns
# that an older version lacks load as NULL and staging fills what can be derived.
FOCUS_COLUMNS: list[tuple[str, bool]] = [
    ("AvailabilityZone", False),
    ("BilledCost", True),
    ("BillingAccountId", True),
    ("BillingAccountName", False),
    ("BillingAccountType", False),
    ("BillingCurrency", True),
    ("BillingPeriodEnd", True),
    ("BillingPeriodStart", True),
    ("CapacityReservationId", False),
    ("CapacityReservationStatus", False),
    ("ChargeCategory", True),
    ("ChargeClass", False),
    ("ChargeDescription", False),
    ("ChargeFrequency", False),
    ("ChargePeriodEnd", True),
    ("ChargePeriodStart", True),
    ("CommitmentDiscountCategory", False),
    ("CommitmentDiscountId", False),
    ("CommitmentDiscountName", False),
    ("CommitmentDiscountQuantity", False),
    ("CommitmentDiscountStatus", False),
    ("CommitmentDiscountType", False),
    ("CommitmentDiscountUnit", False),
    ("ConsumedQuantity", False),
    ("ConsumedUnit", False),
    ("ContractedCost", False),
    ("ContractedUnitPrice", False),
    ("EffectiveCost", True),
    ("InvoiceId", False),
    ("InvoiceIssuerName", False),
    ("ListCost", False),
    ("ListUnitPrice", False),
    ("PricingCategory", False),
    ("PricingCurrency", False),
    ("PricingCurrencyContractedUnitPrice", False),
    ("PricingCurrencyEffectiveCost", False),
    ("PricingCurrencyListUnitPrice", False),
    ("PricingQuantity", False),
    ("PricingUnit", False),
    ("ProviderName", True),
    ("PublisherName", False),
    ("RegionId", False),
    ("RegionName", False),
    ("ResourceId", False),
    ("ResourceName", False),
    ("ResourceType", False),
    ("ServiceCategory", False),
    ("ServiceName", False),
    ("ServiceSubcategory", False),
    ("SkuId", False),
    ("SkuMeter", False),
    ("SkuPriceDetails", False),
    ("SkuPriceId", False),
    ("SubAccountId", False),
    ("SubAccountName", False),
    ("SubAccountType", False),
    ("Tags", False),
]

_CAMEL_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


def athena_name(header: str) -> str:
    """Name a legacy CUR CSV header the way AWS's Athena integration names the column.

    `lineItem/UnblendedCost` -> `line_item_unblended_cost`,
    `savingsPlan/SavingsPlanARN` -> `savings_plan_savings_plan_a_r_n`.
    """
    parts = header.strip().split("/", 1)
    return "_".join(_CAMEL_BOUNDARY.sub("_", part).lower() for part in parts)


def snake_name(focus_column: str) -> str:
    """`BilledCost` -> `billed_cost`: raw FOCUS tables use snake_case like the rest of the warehouse."""
    return _CAMEL_BOUNDARY.sub("_", focus_column).lower()


FOCUS_BY_LOWER = {name.lower(): name for name, _ in FOCUS_COLUMNS}


# Azure Cost Management "cost details" exports (actual and amortised cost), EA and MCA. Headers are
# matched ignoring case, spaces and underscores, so `CostInBillingCurrency` (EA), `costInBillingCurrency`
# (MCA, schema 2023-05-01) and `Cost` / `PreTaxCost` (older EA exports) all land in one raw column.
# (raw column, header spellings in order of preference, required in every file)
AZURE_COLUMNS: list[tuple[str, tuple[str, ...], bool]] = [
    ("billing_account_id", ("billingaccountid", "enrollmentnumber"), True),
    ("billing_account_name", ("billingaccountname",), False),
    ("billing_profile_id", ("billingprofileid",), False),
    ("billing_profile_name", ("billingprofilename",), False),
    ("billing_period_start_date", ("billingperiodstartdate",), True),
    ("billing_period_end_date", ("billingperiodenddate",), True),
    ("invoice_id", ("invoiceid",), False),
    ("invoice_section_id", ("invoicesectionid",), False),
    ("invoice_section_name", ("invoicesectionname", "invoicesection"), False),
    ("subscription_id", ("subscriptionid", "subscriptionguid"), True),
    ("subscription_name", ("subscriptionname",), False),
    ("resource_group", ("resourcegroup", "resourcegroupname"), False),
    ("resource_id", ("resourceid", "instanceid"), False),
    ("resource_name", ("resourcename",), False),
    ("resource_location", ("resourcelocation",), False),
    ("availability_zone", ("availabilityzone",), False),
    ("date", ("date", "usagedatetime"), True),
    ("product_name", ("productname", "product"), False),
    ("product_id", ("productid",), False),
    ("part_number", ("partnumber",), False),
    ("meter_id", ("meterid",), False),
    ("meter_name", ("metername",), False),
    ("meter_category", ("metercategory",), False),
    ("meter_sub_category", ("metersubcategory",), False),
    ("meter_region", ("meterregion",), False),
    ("service_family", ("servicefamily",), False),
    ("consumed_service", ("consumedservice",), False),
    ("unit_of_measure", ("unitofmeasure",), False),
    ("quantity", ("quantity", "usagequantity"), False),
    ("effective_price", ("effectiveprice",), False),
    ("unit_price", ("unitprice",), False),
    ("payg_price", ("paygprice",), False),
    ("cost_in_billing_currency", ("costinbillingcurrency", "cost", "pretaxcost"), True),
    ("payg_cost_in_billing_currency", ("paygcostinbillingcurrency",), False),
    ("cost_in_pricing_currency", ("costinpricingcurrency",), False),
    ("exchange_rate_pricing_to_billing", ("exchangeratepricingtobilling",), False),
    ("billing_currency", ("billingcurrencycode", "billingcurrency", "currency"), True),
    ("pricing_currency", ("pricingcurrencycode", "pricingcurrency"), False),
    ("charge_type", ("chargetype",), True),
    ("pricing_model", ("pricingmodel",), False),
    ("frequency", ("frequency",), False),
    ("reservation_id", ("reservationid",), False),
    ("reservation_name", ("reservationname",), False),
    ("benefit_id", ("benefitid",), False),
    ("benefit_name", ("benefitname",), False),
    ("term", ("term",), False),
    ("publisher_type", ("publishertype",), False),
    ("publisher_name", ("publishername",), False),
    ("tags", ("tags",), False),
    ("additional_info", ("additionalinfo",), False),
    ("cost_center", ("costcenter",), False),
]

# Google Cloud billing export (BigQuery standard/detailed usage cost export), read from
# newline-delimited JSON or parquet in the export table's nested shape. (raw column, JSON path,
# required). Arrays (`credits`, labels) are kept as JSON text and unpacked in staging.
GCP_FIELDS: list[tuple[str, str, bool]] = [
    ("billing_account_id", "$.billing_account_id", True),
    ("service_id", "$.service.id", False),
    ("service_description", "$.service.description", False),
    ("sku_id", "$.sku.id", False),
    ("sku_description", "$.sku.description", False),
    ("usage_start_time", "$.usage_start_time", True),
    ("usage_end_time", "$.usage_end_time", True),
    ("project_id", "$.project.id", False),
    ("project_number", "$.project.number", False),
    ("project_name", "$.project.name", False),
    ("project_labels", "$.project.labels", False),
    ("labels", "$.labels", False),
    ("system_labels", "$.system_labels", False),
    ("location_location", "$.location.location", False),
    ("location_country", "$.location.country", False),
    ("location_region", "$.location.region", False),
    ("location_zone", "$.location.zone", False),
    ("resource_name", "$.resource.name", False),
    ("resource_global_name", "$.resource.global_name", False),
    ("export_time", "$.export_time", False),
    ("cost", "$.cost", True),
    ("currency", "$.currency", True),
    ("currency_conversion_rate", "$.currency_conversion_rate", False),
    ("usage_amount", "$.usage.amount", False),
    ("usage_unit", "$.usage.unit", False),
    ("usage_amount_in_pricing_units", "$.usage.amount_in_pricing_units", False),
    ("usage_pricing_unit", "$.usage.pricing_unit", False),
    ("credits", "$.credits", False),
    ("invoice_month", "$.invoice.month", True),
    ("cost_type", "$.cost_type", True),
    ("adjustment_info_id", "$.adjustment_info.id", False),
    ("adjustment_info_description", "$.adjustment_info.description", False),
    ("adjustment_info_mode", "$.adjustment_info.mode", False),
    ("adjustment_info_type", "$.adjustment_info.type", False),
    ("price_effective_price", "$.price.effective_price", False),
    ("price_unit", "$.price.unit", False),
    ("price_pricing_unit_quantity", "$.price.pricing_unit_quantity", False),
    ("cost_at_list", "$.cost_at_list", False),
    ("transaction_type", "$.transaction_type", False),
    ("seller_name", "$.seller_name", False),
    ("subscription_instance_id", "$.subscription.instance_id", False),
]


def header_key(header: str) -> str:
    """`CostInBillingCurrency`, `costInBillingCurrency`, `Cost In Billing Currency` -> `costinbillingcurrency`."""
    return re.sub(r"[\s_\-]", "", header.strip().lstrip("\ufeff")).lower()
