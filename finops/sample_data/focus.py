"""Small native FOCUS exports from two fictional SaaS providers.

* ``kestrel-focus10``: FOCUS 1.0, CSV, provider "Kestrel Cloud".
* ``orbital-focus12``: FOCUS 1.2, parquet, provider "Orbital Compute".

Each month (a few hundred rows): daily Usage per resource (some covered by a commitment: BilledCost 0,
EffectiveCost = amortised commitment consumed, Status Used), one daily Unused commitment row, the
commitment Purchase (first month only: BilledCost = upfront, EffectiveCost 0), a recurring Purchase
(support subscription, EffectiveCost = BilledCost), a Tax row and a Credit row.
Commitment arithmetic: the commitment amortises DAILY_COMMIT per day; per day
Σ EffectiveCost(Used) + EffectiveCost(Unused) = DAILY_COMMIT; upfront = DAILY_COMMIT * 365 (All Upfront, term of
365 days from the first generated month). Its CommitmentDiscountId does not depend on the seed (see commitment_id).
Covered rows are whole resource-days of the first service (ordered by resource, while their running daily
cost through the commitment, ContractedCost × COMMITMENT_RATE, fits DAILY_COMMIT); a Used row's EffectiveCost is
that cost and, in FOCUS 1.2, its CommitmentDiscountQuantity = EffectiveCost (unit USD), so per day
Σ Quantity(Used) + Quantity(Unused) = DAILY_COMMIT too. DAILY_COMMIT is about the median daily eligible usage: on
most days part of it is used and part stays unused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .aws import Month, q, stable_hex, stable_uuid, ts

D = Decimal
DEC = "DECIMAL(18,10)"
COMMITMENT_TERM_DAYS = 365
COMMITMENT_ID_NAMESPACE = "focus-sample-commitment"  # instead of the seed: ids stable across seeds
# Covered usage costs this fraction of its contracted cost through the commitment (a 25 % commitment discount).
COMMITMENT_RATE = D("0.7500")


@dataclass(frozen=True)
class FocusProvider:
    export: str
    version: str  # "1.0" | "1.2"
    provider: str
    invoice_issuer: str
    billing_account: str
    billing_account_name: str
    sub_accounts: tuple[tuple[str, str], ...]
    services: tuple[tuple[str, str, str, str, Decimal, str], ...]  # name, category, sku, unit, list price, res type
    region: tuple[str, str]
    daily_commit: Decimal  # USD per day; about the median daily eligible (service 0) usage, so it is partly used
    discount: Decimal  # contracted discount vs list
    tax_rate: Decimal
    support_fee: Decimal
    credit: Decimal
    fmt: str  # csv | parquet


PROVIDERS = (
    FocusProvider(
        export="kestrel-focus10", version="1.0", provider="Kestrel Cloud", invoice_issuer="Kestrel Cloud",
        billing_account="KC-ACME-0001", billing_account_name="Acme Corp",
        sub_accounts=(("kc-proj-checkout", "checkout"), ("kc-proj-search", "search-api"), ("kc-proj-data", "datalake")),
        services=(
            ("Kestrel Compute", "Compute", "KC-VM-STD4", "Hours", D("0.1200"), "Virtual Machine"),
            ("Kestrel Object Store", "Storage", "KC-OBJ-STD", "GB-Hours", D("0.0000300"), "Bucket"),
            ("Kestrel Managed Postgres", "Databases", "KC-PG-M", "Hours", D("0.2500"), "Database"),
        ),
        region=("eu-west", "Europe West"), daily_commit=D("300.0000"), discount=D("0.9000"), tax_rate=D("0.2000"),
        support_fee=D("150.00"), credit=D("25.00"), fmt="csv"),
    FocusProvider(
        export="orbital-focus12", version="1.2", provider="Orbital Compute", invoice_issuer="Orbital Compute",
        billing_account="OC-7731", billing_account_name="Acme Holdings",
        sub_accounts=(("oc-ws-ml", "ml-training"), ("oc-ws-web", "storefront")),
        services=(
            ("Orbital GPU Instances", "AI and Machine Learning", "OC-GPU-A10", "Hours", D("1.1000"), "GPU Instance"),
            ("Orbital Edge CDN", "Networking", "OC-CDN-GB", "GB", D("0.0200"), "Distribution"),
        ),
        region=("us-central", "US Central"), daily_commit=D("2500.0000"), discount=D("0.8500"), tax_rate=D("0.0800"),
        support_fee=D("400.00"), credit=D("60.00"), fmt="parquet"),
)

# FOCUS 1.2 ServiceSubcategory of each service (one per ServiceName, as the spec asks).
SUBCATEGORIES = {
    "Kestrel Compute": "Virtual Machines",
    "Kestrel Object Store": "Object Storage",
    "Kestrel Managed Postgres": "Relational",
    "Orbital GPU Instances": "Machine Learning",
    "Orbital Edge CDN": "Content Delivery",
}

FOCUS10_COLUMNS = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory",
    "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags",
)
FOCUS12_EXTRA = (
    "BillingAccountType", "CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit", "InvoiceId", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "ServiceSubcategory", "SkuMeter",
    "SkuPriceDetails", "SubAccountType",
)
DECIMAL_COLUMNS = {"BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
                   "ConsumedQuantity", "PricingQuantity", "CommitmentDiscountQuantity",
                   "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
                   "PricingCurrencyListUnitPrice"}
TS_COLUMNS = {"BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart"}


def focus_rel_path(p: FocusProvider, m: Month) -> str:
    ext = "csv" if p.fmt == "csv" else "parquet"
    return f"focus/{p.export}/billing_period={m.label}/{p.export}-{m.label}-00001.{ext}"


def commitment_id(p: FocusProvider) -> str:
    """The export's CommitmentDiscountId (independent of the seed, so a sample mapping file can name it)."""
    return f"{p.export}:commitment/{stable_uuid(COMMITMENT_ID_NAMESPACE, p.export, 'commitment')}"


def commitment_term(first: Month) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the export's commitment: bought at the start of the first generated month."""
    return first.start, first.start + dt.timedelta(days=COMMITMENT_TERM_DAYS)


def commitment_upfront(p: FocusProvider) -> Decimal:
    return p.daily_commit * COMMITMENT_TERM_DAYS


def build_focus_month(con, p: FocusProvider, seed: int, m: Month, first: Month) -> None:
    """Create temp table `focus_rows` (all FOCUS 1.2 columns; 1.0 subset is projected at write time)."""
    cols = FOCUS10_COLUMNS + FOCUS12_EXTRA
    types = {c: (DEC if c in DECIMAL_COLUMNS else "TIMESTAMP" if c in TS_COLUMNS else "VARCHAR") for c in cols}
    con.execute("CREATE OR REPLACE TEMP TABLE focus_rows (" + ", ".join(f'"{c}" {types[c]}' for c in cols) + ")")
    commit_id = commitment_id(p)
    commit_start, commit_end = commitment_term(first)
    services = p.services
    res_count = 9 if p.version == "1.0" else 5
    # resources: (resource id, name, service idx, sub account idx, daily quantity base)
    res = []
    for i in range(res_count):
        h = int(stable_hex(seed, p.export, "res", i)[:8], 16)
        svc = i % len(services)
        sub = h % len(p.sub_accounts)
        res.append((f"{p.export.split('-')[0]}-{services[svc][2].lower()}-{i:03d}", f"{p.sub_accounts[sub][1]}-{i}",
                    svc, sub, 4 + h % 20))
    vals = []
    for ri, (rid, rname, svc, sub, base) in enumerate(res):
        vals.append(f"({ri}, {q(rid)}, {q(rname)}, {svc}, {sub}, {base})")
    con.execute("CREATE OR REPLACE TEMP TABLE focus_res (ri INT, rid VARCHAR, rname VARCHAR, svc INT, sub INT, "
                "base INT)")
    con.execute("INSERT INTO focus_res VALUES " + ", ".join(vals))
    svc_name = "[" + ", ".join(q(s[0]) for s in services) + "]"
    svc_cat = "[" + ", ".join(q(s[1]) for s in services) + "]"
    svc_subcat = "[" + ", ".join(q(SUBCATEGORIES[s[0]]) for s in services) + "]"
    svc_sku = "[" + ", ".join(q(s[2]) for s in services) + "]"
    svc_unit = "[" + ", ".join(q(s[3]) for s in services) + "]"
    svc_price = "([" + ", ".join(format(s[4], "f") for s in services) + "]::DECIMAL(18,7)[])"
    svc_rtype = "[" + ", ".join(q(s[5]) for s in services) + "]"
    subs_id = "[" + ", ".join(q(s[0]) for s in p.sub_accounts) + "]"
    subs_name = "[" + ", ".join(q(s[1]) for s in p.sub_accounts) + "]"
    disc = format(p.discount, "f")
    # daily usage: quantity = base * (1 + hash % 5) * 24 (hour-like units), exact decimals
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fu AS
        SELECT r.*, d, {ts(m.start)} + to_days(d) AS cs,
               CAST(r.base * (1 + hash({seed}, {q(p.export)}, {m.idx}, r.ri, d) % 5) * 24 AS DECIMAL(18,3)) AS qty,
               {svc_price}[r.svc + 1] AS lp
        FROM focus_res r, range({m.days}) t(d)""")
    # covered usage: whole resource-days of service 0 (any sub-account), in ri order while the running daily sum of
    # what they cost through the commitment (contracted × COMMITMENT_RATE) stays <= the daily commitment (a prefix:
    # once a resource-day does not fit, none after it)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fu2 AS
        SELECT *, svc = 0 AND cs >= {ts(commit_start)} AND cs < {ts(commit_end)} AND
               sum(committed_cost) FILTER (WHERE svc = 0)
                 OVER (PARTITION BY d ORDER BY ri ROWS UNBOUNDED PRECEDING) <= {format(p.daily_commit, 'f')} AS covered
        FROM (SELECT *, CAST(contracted * {format(COMMITMENT_RATE, 'f')} AS {DEC}) AS committed_cost
              FROM (SELECT *, CAST(qty * lp AS {DEC}) AS list_cost,
                           CAST(CAST(qty * lp AS {DEC}) * {disc} AS {DEC}) AS contracted FROM fu))""")
    common = f"""
        '{p.billing_account}' AS BillingAccountId, {q(p.billing_account_name)} AS BillingAccountName,
        'USD' AS BillingCurrency, {ts(m.start)} AS BillingPeriodStart, {ts(m.end)} AS BillingPeriodEnd,
        {q(p.invoice_issuer)} AS InvoiceIssuerName, {q(p.provider)} AS ProviderName, {q(p.provider)} AS PublisherName,
        'Customer' AS BillingAccountType, 'USD' AS PricingCurrency,
        {'NULL' if m.is_open else q('INV-' + p.billing_account + '-' + m.label)} AS InvoiceId"""
    tags = ("'{\"team\": \"' || CASE sub WHEN 0 THEN 'payments' WHEN 1 THEN 'search' ELSE 'data' END || "
            "'\", \"env\": \"prod\"}'")
    con.execute(f"""INSERT INTO focus_rows BY NAME
        SELECT {common},
          {q(p.region[0] + '-1')} AS AvailabilityZone,
          CASE WHEN covered THEN 0 ELSE contracted END AS BilledCost,
          'Usage' AS ChargeCategory, NULL AS ChargeClass,
          {svc_name}[svc + 1] || ' usage' AS ChargeDescription, 'Usage-Based' AS ChargeFrequency,
          cs AS ChargePeriodStart, cs + INTERVAL 1 DAY AS ChargePeriodEnd,
          CASE WHEN covered THEN 'Spend' END AS CommitmentDiscountCategory,
          CASE WHEN covered THEN {q(commit_id)} END AS CommitmentDiscountId,
          CASE WHEN covered THEN 'Annual compute commitment' END AS CommitmentDiscountName,
          CASE WHEN covered THEN 'Used' END AS CommitmentDiscountStatus,
          CASE WHEN covered THEN 'Committed Spend' END AS CommitmentDiscountType,
          CASE WHEN covered THEN committed_cost END AS CommitmentDiscountQuantity,
          CASE WHEN covered THEN 'USD' END AS CommitmentDiscountUnit,
          qty AS ConsumedQuantity, {svc_unit}[svc + 1] AS ConsumedUnit,
          contracted AS ContractedCost, CAST(lp * {disc} AS {DEC}) AS ContractedUnitPrice,
          CASE WHEN covered THEN committed_cost ELSE contracted END AS EffectiveCost, list_cost AS ListCost, lp AS ListUnitPrice,
          CASE WHEN covered THEN 'Committed' ELSE 'Standard' END AS PricingCategory,
          qty AS PricingQuantity, {svc_unit}[svc + 1] AS PricingUnit,
          {q(p.region[0])} AS RegionId, {q(p.region[1])} AS RegionName,
          rid AS ResourceId, rname AS ResourceName, {svc_rtype}[svc + 1] AS ResourceType,
          {svc_cat}[svc + 1] AS ServiceCategory, {svc_name}[svc + 1] AS ServiceName,
          {svc_sku}[svc + 1] AS SkuId, {svc_sku}[svc + 1] || '-' || {q(p.region[0])} AS SkuPriceId,
          {subs_id}[sub + 1] AS SubAccountId, {subs_name}[sub + 1] AS SubAccountName,
          {tags} AS Tags,
          'Project' AS SubAccountType, {svc_subcat}[svc + 1] AS ServiceSubcategory, {svc_unit}[svc + 1] AS SkuMeter,
          '{{"tier": "standard"}}' AS SkuPriceDetails,
          CAST(lp * {disc} AS {DEC}) AS PricingCurrencyContractedUnitPrice,
          CASE WHEN covered THEN committed_cost ELSE contracted END AS PricingCurrencyEffectiveCost, lp AS PricingCurrencyListUnitPrice
        FROM fu2 ORDER BY d, ri""")
    # unused commitment per day
    con.execute(f"""INSERT INTO focus_rows BY NAME
        SELECT {common}, 0 AS BilledCost, 'Usage' AS ChargeCategory,
          'Unused commitment' AS ChargeDescription, 'Usage-Based' AS ChargeFrequency,
          {ts(m.start)} + to_days(d) AS ChargePeriodStart, {ts(m.start)} + to_days(d + 1) AS ChargePeriodEnd,
          'Spend' AS CommitmentDiscountCategory, {q(commit_id)} AS CommitmentDiscountId,
          'Annual compute commitment' AS CommitmentDiscountName, 'Unused' AS CommitmentDiscountStatus,
          'Committed Spend' AS CommitmentDiscountType,
          {format(p.daily_commit, 'f')} - coalesce(used, 0) AS CommitmentDiscountQuantity,
          'USD' AS CommitmentDiscountUnit,
          {format(p.daily_commit, 'f')} - coalesce(used, 0) AS EffectiveCost, 0 AS ListCost, 0 AS ContractedCost,
          'Committed' AS PricingCategory, {q(p.region[0])} AS RegionId, {q(p.region[1])} AS RegionName,
          {q(commit_id)} AS ResourceId, 'Annual compute commitment' AS ResourceName,
          'Commitment' AS ResourceType, {svc_cat}[1] AS ServiceCategory, {svc_name}[1] AS ServiceName,
          {svc_subcat}[1] AS ServiceSubcategory,
          'Project' AS SubAccountType, {subs_id}[1] AS SubAccountId, {subs_name}[1] AS SubAccountName
        FROM range({m.days}) t(d)
        LEFT JOIN (SELECT d, sum(committed_cost) AS used FROM fu2 WHERE covered GROUP BY d) u USING (d)
        WHERE {ts(m.start)} + to_days(d) >= {ts(commit_start)} AND {ts(m.start)} + to_days(d) < {ts(commit_end)}
          AND {format(p.daily_commit, 'f')} - coalesce(used, 0) > 0
        ORDER BY d""")
    purchase = f"""INSERT INTO focus_rows BY NAME SELECT {common}, 'Purchase' AS ChargeCategory,
          {{cost}} AS BilledCost, {{eff}} AS EffectiveCost, {{cost}} AS ListCost, {{cost}} AS ContractedCost,
          {{desc}} AS ChargeDescription, {{freq}} AS ChargeFrequency,
          {{start}} AS ChargePeriodStart, {{end}} AS ChargePeriodEnd,
          {{cid}} AS CommitmentDiscountId, {{ccat}} AS CommitmentDiscountCategory,
          {{cname}} AS CommitmentDiscountName, {{ctype}} AS CommitmentDiscountType,
          'Standard' AS PricingCategory, 1 AS PricingQuantity, 'Units' AS PricingUnit,
          {svc_cat}[1] AS ServiceCategory, {svc_name}[1] AS ServiceName, {svc_subcat}[1] AS ServiceSubcategory,
          'Project' AS SubAccountType,
          {subs_id}[1] AS SubAccountId, {subs_name}[1] AS SubAccountName"""
    if m.idx == first.idx:
        upfront = commitment_upfront(p)
        con.execute(purchase.format(cost=format(upfront, "f"), eff="0", desc="'Annual compute commitment purchase'",
                                    freq="'One-Time'", start=ts(commit_start), end=ts(commit_start),
                                    cid=q(commit_id), ccat="'Spend'", cname="'Annual compute commitment'",
                                    ctype="'Committed Spend'"))
    con.execute(purchase.format(cost=format(p.support_fee, "f"), eff=format(p.support_fee, "f"),
                                desc="'Premium support subscription'", freq="'Recurring'", start=ts(m.start),
                                end=ts(m.end), cid="NULL", ccat="NULL", cname="NULL", ctype="NULL"))
    con.execute(f"""INSERT INTO focus_rows BY NAME SELECT {common}, 'Tax' AS ChargeCategory,
          round(sum(BilledCost) * {format(p.tax_rate, 'f')}, 2) AS BilledCost,
          round(sum(BilledCost) * {format(p.tax_rate, 'f')}, 2) AS EffectiveCost,
          'VAT / sales tax' AS ChargeDescription, 'Recurring' AS ChargeFrequency,
          {ts(m.start)} AS ChargePeriodStart, {ts(m.end)} AS ChargePeriodEnd,
          'Project' AS SubAccountType, {subs_id}[1] AS SubAccountId, {subs_name}[1] AS SubAccountName,
          'Other' AS ServiceCategory, 'Tax' AS ServiceName, 'Other (Other)' AS ServiceSubcategory
        FROM focus_rows""")
    con.execute(f"""INSERT INTO focus_rows BY NAME SELECT {common}, 'Credit' AS ChargeCategory,
          -{format(p.credit, 'f')} AS BilledCost, -{format(p.credit, 'f')} AS EffectiveCost,
          'Service credit for incident' AS ChargeDescription, 'One-Time' AS ChargeFrequency,
          {ts(m.start)} AS ChargePeriodStart, {ts(m.end)} AS ChargePeriodEnd,
          'Project' AS SubAccountType, {subs_id}[2] AS SubAccountId, {subs_name}[2] AS SubAccountName,
          {svc_cat}[1] AS ServiceCategory, {svc_name}[1] AS ServiceName, {svc_subcat}[1] AS ServiceSubcategory""")


def commitment_usage_sql(p: FocusProvider, m: Month, first: Month) -> str:
    """commitment_usage_daily truth of month m: one row per day of the commitment's term; reads the covered rows
    of `fu2`, so run it right after build_focus_month(p, m)."""
    start, end = commitment_term(first)
    day, daily = f"{ts(m.start)} + to_days(d)", f"CAST({format(p.daily_commit, 'f')} AS DECIMAL(38,10))"
    return f"""
        SELECT {q(commitment_id(p))} AS commitment_discount_id, CAST({day} AS DATE) AS day, 'USD' AS unit,
               {daily} AS committed_quantity, used AS used_quantity, {daily} - used AS unused_quantity,
               used AS used_effective_cost, {daily} - used AS unused_effective_cost
        FROM (SELECT d, CAST(coalesce(u.used, 0) AS DECIMAL(38,10)) AS used FROM range({m.days}) t(d)
              LEFT JOIN (SELECT d, sum(committed_cost) AS used FROM fu2 WHERE covered GROUP BY d) u USING (d))
        WHERE {day} >= {ts(start)} AND {day} < {ts(end)}
        ORDER BY d"""


def focus_select(p: FocusProvider) -> str:
    """Output projection: FOCUS 1.0 (CSV, ISO `Z` timestamps, exact decimals) or 1.2 (parquet)."""
    if p.version == "1.0":
        parts = []
        for c in FOCUS10_COLUMNS:
            if c in TS_COLUMNS:
                parts.append(f"strftime(\"{c}\", '%Y-%m-%dT%H:%M:%SZ') AS \"{c}\"")
            else:
                parts.append(f'"{c}"')
        return ", ".join(parts)
    cols = sorted(FOCUS10_COLUMNS + FOCUS12_EXTRA)
    return ", ".join(f'"{c}"' for c in cols)


def write_focus(con, p: FocusProvider, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sel = focus_select(p)
    if p.fmt == "csv":
        con.execute(f"COPY (SELECT {sel} FROM focus_rows) TO {q(str(path))} (HEADER, DELIMITER ',')")
    else:
        con.execute(f"COPY (SELECT {sel} FROM focus_rows) TO {q(str(path))} (FORMAT parquet, COMPRESSION snappy)")
