"""Azure cost details exports (actual and amortised cost), EA and MCA column sets.

Layout (what `landing/discover.py` reads)::

    azure/<company>-actual/<yyyymmdd-yyyymmdd>/<run-id>/part_0_0001.csv.gz + manifest.json
    azure/<company>-amortized/<yyyymmdd-yyyymmdd>/<run-id>/part_0_0001.csv.gz + manifest.json

One month of one billing account is materialised in the temp table `az_rows` (one row per line item,
with both the actual and the amortised price / cost and `exp` saying which export carries it):

* bulk: plain daily usage from ``range()`` (resource ``j % R`` on day ``j // R``), OnDemand or Spot;
* fleet: VMs covered by the account's reservations / savings plan (Cost 0 in the actual export, the
  amortised price in the amortised one), with idle hours and one idle day per commitment and month;
* unused: per commitment and day, ``UnusedReservation`` / ``UnusedSavingsPlan`` (amortised export only),
  so that Σ covered amortised cost + unused cost = units * 24 * rate exactly;
* purchases (actual only): monthly payments of Recurring commitments, the upfront purchase of the
  reservation bought in the window, the refund of the returned reservation;
* both exports: marketplace purchases; MCA only: a Tax and a RoundingAdjustment row.

Prices have few decimals so every Cost = EffectivePrice * Quantity is exact at 12 decimal places.
The month `min(1, months - 1)` is exported twice: an earlier run with the first 7 days only, then
the complete run (the newest run of a date range counts; truth describes it).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import config as C
from .sql import DEC, ExportResult, cast_to_columns, dec, dec_list, delivery_time
from .aws import ENV_LIST, PRODUCT_LIST, Month, int_list, owner_attr_select, q, stable_hex, stable_uuid, \
    str_list, tag_exprs

D = Decimal
STALE_DAYS = 7  # the earlier run of the re-exported month holds the first 7 days of usage
MAX_PART_ROWS = 1_000_000
GZIP_LEVEL = 1
USD_RATE = D("1.09")  # MCA costInUsd = cost * rate (EUR -> USD)

# internal columns of az_rows: (name, type)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("grp", "INT"), ("k1", "BIGINT"), ("exp", "VARCHAR"), ("date", "DATE"),
    ("subscription_id", "VARCHAR"), ("subscription_name", "VARCHAR"), ("resource_group", "VARCHAR"),
    ("resource_id", "VARCHAR"), ("resource_name", "VARCHAR"), ("location", "VARCHAR"), ("meter_region", "VARCHAR"),
    ("meter_id", "VARCHAR"), ("meter_name", "VARCHAR"), ("meter_category", "VARCHAR"),
    ("meter_sub_category", "VARCHAR"), ("product", "VARCHAR"), ("part_number", "VARCHAR"), ("product_id", "VARCHAR"),
    ("service_family", "VARCHAR"), ("consumed_service", "VARCHAR"), ("unit", "VARCHAR"),
    ("quantity", DEC), ("price_act", DEC), ("price_amo", DEC), ("unit_price", DEC), ("payg_price", DEC),
    ("cost_act", DEC), ("cost_amo", DEC), ("payg_cost", DEC),
    ("charge_type", "VARCHAR"), ("pricing_model", "VARCHAR"), ("frequency", "VARCHAR"),
    ("publisher_type", "VARCHAR"), ("publisher_name", "VARCHAR"), ("publisher_id", "VARCHAR"),
    ("plan_name", "VARCHAR"), ("reservation_id", "VARCHAR"), ("reservation_name", "VARCHAR"),
    ("benefit_id", "VARCHAR"), ("benefit_name", "VARCHAR"), ("term", "VARCHAR"),
    ("product_order_id", "VARCHAR"), ("product_order_name", "VARCHAR"),
    ("tags_ea", "VARCHAR"), ("tags_mca", "VARCHAR"), ("additional_info", "VARCHAR"), ("cost_center", "VARCHAR"),
    ("service_info1", "VARCHAR"), ("credit_eligible", "VARCHAR"),
)

EA_HEADER = (
    "BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,"
    "BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,SubscriptionName,Date,Product,PartNumber,MeterId,"
    "ServiceFamily,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,"
    "BillingCurrency,ResourceLocation,AvailabilityZone,ConsumedService,ResourceId,ResourceName,ServiceInfo1,"
    "ServiceInfo2,AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,ResourceGroup,"
    "ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,IsAzureCreditEligible,Term,PublisherName,"
    "PlanName,ChargeType,Frequency,PublisherType,PayGPrice,PricingModel,CostAllocationRuleName,benefitId,benefitName"
).split(",")
MCA_HEADER = (
    "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,"
    "invoiceSectionId,invoiceSectionName,costCenter,billingPeriodStartDate,billingPeriodEndDate,"
    "servicePeriodStartDate,servicePeriodEndDate,date,serviceFamily,productOrderId,productOrderName,consumedService,"
    "meterId,meterName,meterCategory,meterSubCategory,meterRegion,productId,productName,subscriptionId,"
    "subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,resourceId,resourceLocation,location,"
    "effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,pricingCurrency,costInBillingCurrency,"
    "costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,exchangeRatePricingToBilling,"
    "exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,tags,PayGPrice,frequency,term,"
    "reservationId,reservationName,pricingModel,unitPrice,benefitId,benefitName,provider"
).split(",")

# style buckets of aws.tag_exprs (untagged, clean, lowercase keys, owner-team, messy values, empty, Team+team,
# whitespace): resource r < 8 gets bucket r
STYLE_FIRST = "CASE WHEN r < 8 THEN [0, 12, 60, 72, 80, 86, 90, 94][r + 1] ELSE style END AS style"
NUM_MACRO = ("CREATE OR REPLACE MACRO az_num(x) AS CASE WHEN contains(CAST(x AS VARCHAR), '.') "
             "THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.') ELSE CAST(x AS VARCHAR) END")


def canon(exprs: dict[str, str]) -> str:
    return cast_to_columns(exprs, COLUMNS, "az_rows")


def last_day(m: Month) -> dt.datetime:
    return m.end - dt.timedelta(days=1)


def _meter_id(key: str, region: str) -> str:
    return stable_uuid("azure-meter", key, region)


def _gzip(src: Path, dst: Path, header: str) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as fo:
            fo.write(header.encode())
            shutil.copyfileobj(fi, fo, 16 << 20)
    src.unlink()


@dataclass
class Commitment:
    spec: C.AzureCommitmentSpec
    ci: int  # 1-based index
    units: int
    rate: Decimal  # amortised price per instance hour (billing currency)
    meter_i: int  # 1-based index in C.AZURE_METERS
    reservation_id: str
    order_id: str
    benefit_id: str
    purchase: dt.datetime | None = None  # upfront purchase inside the window
    refund: dt.datetime | None = None

    def days(self, m: Month) -> tuple[int, int]:
        """Active days [d0, d1) of month m (0-based day of month)."""
        d0, d1 = 0, m.days
        if self.purchase is not None:
            if self.purchase >= m.end:
                return 0, 0
            if self.purchase >= m.start:
                d0 = (self.purchase - m.start).days
        if self.refund is not None:
            if self.refund < m.start:
                return 0, 0
            if self.refund < m.end:
                d1 = (self.refund - m.start).days
        return d0, d1


class AzureAccountGenerator:
    def __init__(self, con, spec: C.AzureAccountSpec, seed: int, months: list[Month], rows_per_month: int):
        self.con, self.spec, self.seed, self.months = con, spec, seed, months
        self.k = max(1, rows_per_month // 250_000)
        bulk_total = max(300, rows_per_month // 20)
        self.n_target = max(120, int(bulk_total * spec.share))
        self.acct = spec.index
        self.meter_keys = [mt.key for mt in C.AZURE_METERS]
        self.payg = [self._price(mt.payg * spec.price_factor) for mt in C.AZURE_METERS]
        self.unit_price = [p if mt.pricing_model == "Spot" else p * spec.discount
                           for p, mt in zip(self.payg, C.AZURE_METERS)]
        self.commitments = self._build_commitments()

    @staticmethod
    def _price(v: Decimal) -> Decimal:
        return v.normalize() if v == v.to_integral() else v

    def _build_commitments(self) -> list[Commitment]:
        out = []
        first, last = self.months[0], self.months[-1]
        for i, cs in enumerate(C.AZURE_COMMITMENTS, start=1):
            mi = self.meter_keys.index(cs.meter_key) + 1
            rate = C.AZURE_METERS[mi - 1].payg * self.spec.price_factor * cs.rate_factor
            order = stable_uuid(self.seed, self.spec.key, cs.key, "order")
            rid = stable_uuid(self.seed, self.spec.key, cs.key, "id")
            if cs.kind == "Reservation":
                benefit = f"/providers/Microsoft.Capacity/reservationOrders/{order}/reservations/{rid}"
            else:
                benefit = f"/providers/Microsoft.BillingBenefits/savingsPlanOrders/{order}/savingsPlans/{rid}"
            cm = Commitment(cs, i, cs.units_per_k * self.k, rate, mi, rid, order, benefit)
            if cs.timing == "bought":
                cm.purchase = first.start + dt.timedelta(days=9)
            elif cs.timing == "refunded":
                cm.refund = last.start + dt.timedelta(days=C.AZURE_REFUND_DAY - 1)
            out.append(cm)
        return out

    # -- shared lookups ---------------------------------------------------------------------------
    def _subs(self, idx: str) -> dict[str, str]:
        subs = self.spec.subscriptions
        return {"subscription_id": f"{str_list([s[0] for s in subs])}[{idx}]",
                "subscription_name": f"{str_list([s[1] for s in subs])}[{idx}]"}

    def _meter_exprs(self, mi: str, reg: str) -> dict[str, str]:
        ms, regs = C.AZURE_METERS, C.AZURE_REGIONS
        nr = len(regs)
        ids = [_meter_id(mt.key, r[0]) for mt in ms for r in regs]
        parts = [f"A{stable_hex('part', mt.key, r[0])[:2].upper()}-{int(stable_hex('pn', mt.key, r[0])[:8], 16) % 100000:05d}"
                 for mt in ms for r in regs]
        products = [f"{mt.category} {mt.sub_category} - {mt.meter_name} - {r[1]}" for mt in ms for r in regs]
        prod_ids = [stable_hex("productid", mt.key)[:12].upper() for mt in ms]
        ci = f"(({mi}) - 1) * {nr} + ({reg})"
        return {
            "location": f"{str_list([r[0] for r in regs])}[{reg}]",
            "meter_region": f"{str_list([r[1] for r in regs])}[{reg}]",
            "meter_id": f"{str_list(ids)}[{ci}]",
            "part_number": f"{str_list(parts)}[{ci}]",
            "product": f"{str_list(products)}[{ci}]",
            "product_id": f"{str_list(prod_ids)}[{mi}]",
            "meter_name": f"{str_list([mt.meter_name for mt in ms])}[{mi}]",
            "meter_category": f"{str_list([mt.category for mt in ms])}[{mi}]",
            "meter_sub_category": f"{str_list([mt.sub_category for mt in ms])}[{mi}]",
            "service_family": f"{str_list([mt.service_family for mt in ms])}[{mi}]",
            "consumed_service": f"{str_list([mt.consumed_service for mt in ms])}[{mi}]",
            "unit": f"{str_list([mt.unit for mt in ms])}[{mi}]",
            "payg_price": f"{dec_list(self.payg)}[{mi}]",
            "unit_price": f"{dec_list(self.unit_price)}[{mi}]",
            "additional_info": (f"{str_list([self._vm_info(mt) for mt in ms])}[{mi}]"),
            "service_info1": "NULL",
            "credit_eligible": "'True'",
        }

    @staticmethod
    def _vm_info(mt: C.AzureMeter) -> str | None:
        if mt.category != "Virtual Machines":
            return None
        size = mt.meter_name.replace(" Spot", "").replace(" ", "_")
        vcpus = {"D2s_v3": 2, "D4s_v3": 4, "B2s": 2}.get(size, 2)
        return json.dumps({"ServiceType": f"Standard_{size}", "VCPUs": vcpus, "UsageType": "ComputeHR"},
                          separators=(",", ":"))

    @staticmethod
    def _tag_strings() -> dict[str, str]:
        """EA (no braces, `"k": "v"` pairs) and MCA (JSON object) tag strings from the messy tag columns."""
        keys = (("Team", "tag_team_uc"), ("team", "tag_team_lc"), ("owner-team", "tag_owner_team"),
                ("product", "tag_product"), ("environment", "tag_environment"), ("env", "tag_env"),
                ("CostCenter", "tag_cost_center"))
        ea = ", ".join(f"CASE WHEN {c} IS NOT NULL THEN '\"{k}\": \"' || {c} || '\"' END" for k, c in keys)
        mca = ", ".join(f"CASE WHEN {c} IS NOT NULL THEN '\"{k}\":\"' || {c} || '\"' END" for k, c in keys)
        return {"tags_ea": f"nullif(concat_ws(',', {ea}), '')",
                "tags_mca": f"CASE WHEN concat_ws(',', {mca}) <> '' THEN '{{' || concat_ws(',', {mca}) || '}}' END"}

    # -- month ------------------------------------------------------------------------------------
    def build_month(self, m: Month) -> None:
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE az_rows ({', '.join(f'{c} {t}' for c, t in COLUMNS)})")
        con.execute(f"INSERT INTO az_rows {self._bulk_sql(m)}")
        self._fleet(m)
        con.execute(f"INSERT INTO az_rows {self._purchases_sql(m)}")
        if self.spec.key == "MCA":
            self._tax_and_rounding(m)

    def _bulk_sql(self, m: Month) -> str:
        ms = C.AZURE_METERS
        R = max(2 * len(ms), math.ceil(self.n_target / m.days))
        meter_w = [i + 1 for i, mt in enumerate(ms) for _ in range(mt.weight)]
        sub_w = [i + 1 for i, s in enumerate(self.spec.subscriptions) for _ in range(s[2])]
        kinds = str_list([mt.kind for mt in ms])
        l1 = (f"SELECT j, j % {R} AS r, j // {R} AS d, hash({self.seed}, 'az', {self.acct}, j % {R}) AS hr, "
              f"hash({self.seed}, 'az', {self.acct}, {m.idx}, j) AS h2 FROM range(0, {R * m.days}) t(j)")
        # the first resources run every meter and carry every tag style, so that each appears at any size
        l2 = (f"SELECT * REPLACE ({STYLE_FIRST}) FROM (SELECT *, CASE WHEN r < {len(ms)} THEN r + 1 "
              f"ELSE {int_list(meter_w)}[((hr >> 4) % {len(meter_w)})::INT + 1] END AS mi, "
              f"((hr >> 12) % {len(C.AZURE_REGIONS)})::INT + 1 AS reg_i, "
              f"{int_list(sub_w)}[((hr >> 40) % {len(sub_w)})::INT + 1] AS sub_i, "
              f"{owner_attr_select('hr')} FROM ({l1}))")
        gbm = dec_list([D("1.0667"), D("2.1333"), D("4.2667"), D("8.5333"), D("17.0667"), D("34.1333")])
        qty = (f"CASE {kinds}[mi] "
               f"WHEN 'hours' THEN CASE WHEN h2 % 10 < 7 THEN 24 ELSE 1 + (h2 >> 8) % 24 END "
               f"WHEN 'vcore_hours' THEN [2, 4, 8][((hr >> 44) % 3)::INT + 1] * 24 "
               f"WHEN 'gbmonth' THEN {gbm}[((hr >> 44) % 6)::INT + 1] "
               f"WHEN 'gb' THEN CAST((h2 >> 8) % 500000 AS {DEC}) * CAST(0.0001 AS DECIMAL(5,4)) "
               f"ELSE (1 + (h2 >> 8) % 90000) * [1, 10, 100][((hr >> 44) % 3)::INT + 1] END")
        l3 = (f"SELECT *, CAST({qty} AS {DEC}) AS qty_, {dec_list(self.unit_price)}[mi] AS up_, "
              f"{dec_list(self.payg)}[mi] AS pp_ FROM ({l2})")
        prefixes = {"Microsoft.Compute/virtualMachines": "vm", "Microsoft.Compute/disks": "disk",
                    "Microsoft.Storage/storageAccounts": "st", "Microsoft.Sql/servers/databases": "sqldb",
                    "Microsoft.Network/publicIPAddresses": "pip", "Microsoft.Web/serverfarms": "asp",
                    "Microsoft.ContainerInstance/containerGroups": "aci"}
        prefix = f"{str_list([prefixes[mt.resource_type] for mt in ms])}[mi]"
        rtype = f"{str_list([mt.resource_type for mt in ms])}[mi]"
        name = f"{prefix} || '-' || {PRODUCT_LIST}[prod_i] || '-' || lpad(CAST(r AS VARCHAR), 4, '0')"
        rg = f"'rg-' || {PRODUCT_LIST}[prod_i] || '-' || {ENV_LIST}[env_i]"
        subs = self._subs("sub_i")
        exprs = {
            "grp": "0", "k1": "j", "exp": "'both'", "date": f"DATE '{m.start:%Y-%m-%d}' + CAST(d AS INT)",
            **subs,
            "resource_group": rg,
            "resource_id": f"'/subscriptions/' || {subs['subscription_id']} || '/resourceGroups/' || {rg} || "
                           f"'/providers/' || {rtype} || '/' || {name}",
            "resource_name": name,
            **self._meter_exprs("mi", "reg_i"),
            "quantity": "qty_", "price_act": "up_", "price_amo": "up_",
            "cost_act": "qty_ * up_", "cost_amo": "qty_ * up_", "payg_cost": "qty_ * pp_",
            "charge_type": "'Usage'", "pricing_model": f"{str_list([mt.pricing_model for mt in ms])}[mi]",
            "frequency": "'UsageBased'", "publisher_type": "'Azure'", "publisher_name": "'Microsoft'",
            **self._tag_strings(),
            "cost_center": f"CASE WHEN style BETWEEN 12 AND 59 THEN {str_list([C.TEAM_COST_CENTERS[t] for t in C.TEAMS])}[team_i] END",
        }
        return f"SELECT {canon(exprs)} FROM (SELECT *, {', '.join(f'{v} AS {k}' for k, v in tag_exprs().items())} FROM ({l3}))"

    def _fleet(self, m: Month) -> None:
        con = self.con
        rows = []
        for cm in self.commitments:
            d0, d1 = cm.days(m)
            if d1 > d0:
                idle = d0 + int(stable_hex(self.seed, self.spec.key, cm.spec.key, m.idx, "idle")[:8], 16) % (d1 - d0)
                rows.append(f"({cm.ci}, {cm.units}, {d0}, {d1}, {idle})")
        con.execute("CREATE OR REPLACE TEMP TABLE az_fleet (ci INT, d INT, i INT, hours INT)")
        if not rows:
            return
        max_units = max(cm.units for cm in self.commitments)
        con.execute(f"""INSERT INTO az_fleet
            SELECT ci, d, i, CASE WHEN d = idle THEN 0 WHEN h % 6 = 0 THEN ((h >> 8) % 24)::INT ELSE 24 END
            FROM (SELECT c.ci, dd.d::INT AS d, ii.i::INT AS i, c.idle,
                         hash({self.seed}, 'azf', {self.acct}, c.ci, {m.idx}, dd.d, ii.i) AS h
                  FROM (VALUES {', '.join(rows)}) c(ci, units, d0, d1, idle), range(0, {m.days}) dd(d),
                       range(0, {max_units}) ii(i)
                  WHERE dd.d >= c.d0 AND dd.d < c.d1 AND ii.i < c.units)""")
        cms = self.commitments
        ci = "ci"
        rate = f"{dec_list([cm.rate for cm in cms])}[ci]"
        mi = f"{int_list([cm.meter_i for cm in cms])}[ci]"
        kind = f"{str_list([cm.spec.kind for cm in cms])}[ci]"
        is_res = f"({kind} = 'Reservation')"
        fleet_sub = 2  # the second subscription runs the commitment fleets
        sub = self.spec.subscriptions[fleet_sub - 1]
        team = C.AZURE_SUBSCRIPTION_TEAMS[sub[0]]
        common = {
            **self._subs(str(fleet_sub)),
            **self._meter_exprs(mi, "1"),
            "pricing_model": kind,
            "reservation_id": f"CASE WHEN {is_res} THEN {str_list([cm.reservation_id for cm in cms])}[ci] END",
            "reservation_name": f"CASE WHEN {is_res} THEN {str_list([cm.spec.name for cm in cms])}[ci] END",
            "benefit_id": f"{str_list([cm.benefit_id for cm in cms])}[ci]",
            "benefit_name": f"{str_list([cm.spec.name for cm in cms])}[ci]",
            "term": "'12'",
            "publisher_type": "'Azure'", "publisher_name": "'Microsoft'",
        }
        rg = f"rg-{team}-fleet"
        name = f"'vm-{team}-' || {str_list([cm.spec.key for cm in cms])}[ci] || '-' || lpad(CAST(i AS VARCHAR), 3, '0')"
        covered = {
            **common, "grp": "1", "k1": "ci * 100000 + i", "exp": "'both'",
            "date": f"DATE '{m.start:%Y-%m-%d}' + d",
            "resource_group": q(rg),
            "resource_id": f"'/subscriptions/{sub[0]}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/' || {name}",
            "resource_name": name,
            "quantity": "hours", "price_act": "0", "cost_act": "0", "price_amo": rate, "cost_amo": f"hours * {rate}",
            "payg_cost": f"hours * {dec_list(self.payg)}[{mi}]",
            "charge_type": "'Usage'", "frequency": "'UsageBased'",
            "tags_ea": q(f'"team": "{team}","env": "prod"'), "tags_mca": q(f'{{"team":"{team}","env":"prod"}}'),
            "cost_center": q(C.TEAM_COST_CENTERS[team]),
        }
        con.execute(f"INSERT INTO az_rows SELECT {canon(covered)} FROM az_fleet WHERE hours > 0")
        units = f"{int_list([cm.units for cm in cms])}[ci]"
        unused_qty = f"CASE WHEN {is_res} THEN unused_h ELSE unused_h * {rate} END"
        unused = {
            **common, "grp": "2", "k1": "ci", "exp": "'amortized'", "date": f"DATE '{m.start:%Y-%m-%d}' + d",
            "resource_id": f"{str_list([cm.benefit_id for cm in cms])}[ci]",
            "quantity": unused_qty,
            "price_act": "0", "cost_act": "0",
            "price_amo": f"CASE WHEN {is_res} THEN {rate} ELSE 1 END",
            "cost_amo": f"unused_h * {rate}",
            "unit_price": f"CASE WHEN {is_res} THEN {rate} ELSE 1 END",
            "payg_price": "0", "payg_cost": "0",
            "charge_type": f"CASE WHEN {is_res} THEN 'UnusedReservation' ELSE 'UnusedSavingsPlan' END",
            "frequency": "'UsageBased'",
        }
        con.execute(f"""INSERT INTO az_rows SELECT {canon(unused)} FROM (
            SELECT ci, d, {units} * 24 - sum(hours) AS unused_h FROM az_fleet GROUP BY ci, d) WHERE unused_h > 0""")

    def _purchases_sql(self, m: Month) -> str:
        parts = []
        seq = 0

        def add(date: dt.datetime, exprs: dict[str, str]) -> None:
            nonlocal seq
            seq += 1
            base = {"grp": "3", "k1": str(seq), "date": f"DATE '{date:%Y-%m-%d}'",
                    "subscription_id": q(self.spec.subscriptions[0][0]),
                    "subscription_name": q(self.spec.subscriptions[0][1]),
                    "quantity": "1", "credit_eligible": "'False'"}
            base.update(exprs)
            parts.append(f"SELECT {canon(base)}")

        for cm in self.commitments:
            cs = cm.spec
            hourly = cm.rate * cm.units
            is_res = cs.kind == "Reservation"
            common = {
                "pricing_model": q(cs.kind), "exp": "'actual'", "term": "'12'",
                "reservation_id": q(cm.reservation_id) if is_res else "NULL",
                "reservation_name": q(cs.name) if is_res else "NULL",
                "benefit_id": q(cm.benefit_id), "benefit_name": q(cs.name),
                "resource_id": q(cm.benefit_id),
                "product_order_id": q(cm.order_id),
                "product_order_name": q(f"{'Reserved VM Instance' if is_res else 'Savings Plan'}, {cs.name}, 1 Year"),
                "consumed_service": q("Microsoft.Capacity" if is_res else "Microsoft.BillingBenefits"),
                "meter_category": q("Virtual Machines" if is_res else "Savings Plan"),
                "publisher_type": "'Azure'", "publisher_name": "'Microsoft'",
                "location": "'eastus'", "meter_region": "'US East'",
            }
            d0, d1 = cm.days(m)
            if cs.frequency == "Recurring" and d1 > d0:
                amount = hourly * 730
                add(m.start, {**common, "charge_type": "'Purchase'", "frequency": "'Recurring'",
                              "price_act": dec(amount), "unit_price": dec(amount), "cost_act": dec(amount),
                              "product": q(f"{cs.name} - monthly payment")})
            if cm.purchase is not None and m.start <= cm.purchase < m.end:
                amount = hourly * 24 * 365
                add(cm.purchase, {**common, "charge_type": "'Purchase'", "frequency": "'OneTime'",
                                  "price_act": dec(amount), "unit_price": dec(amount), "cost_act": dec(amount),
                                  "product": q(f"{cs.name} - upfront")})
            if cm.refund is not None and m.start <= cm.refund < m.end:
                amount = -(hourly * 24 * 200)
                add(cm.refund, {**common, "charge_type": "'Refund'", "frequency": "'OneTime'",
                                "quantity": "-1", "price_act": dec(-amount), "unit_price": dec(-amount),
                                "cost_act": dec(amount), "product": q(f"{cs.name} - refund")})
        for pub, plan, offer, amount in C.AZURE_MARKETPLACE:
            amount = amount * self.spec.price_factor
            add(m.start, {"exp": "'both'", "charge_type": "'Purchase'", "pricing_model": "'OnDemand'",
                          "frequency": "'Recurring'", "publisher_type": "'Marketplace'", "publisher_name": q(pub),
                          "publisher_id": q(pub.lower()), "plan_name": q(plan), "product": q(offer),
                          "meter_category": "'SaaS'", "meter_name": q(f"{offer} - monthly"),
                          "price_act": dec(amount), "price_amo": dec(amount), "unit_price": dec(amount),
                          "payg_price": dec(amount), "cost_act": dec(amount), "cost_amo": dec(amount),
                          "payg_cost": dec(amount), "unit": "'1/Month'",
                          "resource_id": q(f"/subscriptions/{self.spec.subscriptions[0][0]}/resourceGroups/"
                                           f"rg-marketplace/providers/Microsoft.SaaS/resources/{plan}")})
        return " UNION ALL ".join(parts)

    def _tax_and_rounding(self, m: Month) -> None:
        day = f"DATE '{last_day(m):%Y-%m-%d}'"
        rounding = D(int(stable_hex(self.seed, self.spec.key, m.idx, "rounding")[:8], 16) % 19 - 9) / 1000
        tax = {"grp": "4", "k1": "1", "exp": "'both'", "date": day, "charge_type": "'Tax'",
               "pricing_model": "'OnDemand'", "frequency": "'OneTime'", "quantity": "1",
               "subscription_id": q(self.spec.subscriptions[0][0]), "subscription_name": q(self.spec.subscriptions[0][1]),
               "product": "'Tax'", "meter_category": "'Tax'",
               "price_act": "t", "price_amo": "t", "unit_price": "t", "cost_act": "t", "cost_amo": "t",
               "credit_eligible": "'False'"}
        self.con.execute(f"""INSERT INTO az_rows SELECT {canon(tax)} FROM (
            SELECT round(sum(cost_act) * {format(C.AZURE_TAX_RATE, 'f')}, 2) AS t
            FROM az_rows WHERE exp IN ('both', 'actual'))""")
        rnd = {**tax, "k1": "2", "charge_type": "'RoundingAdjustment'", "product": "'Rounding adjustment'",
               "meter_category": "'Rounding Adjustment'"}
        rnd.update({c: dec(rounding) for c in ("price_act", "price_amo", "unit_price", "cost_act", "cost_amo")})
        self.con.execute(f"INSERT INTO az_rows SELECT {canon(rnd)}")

    # -- projections ------------------------------------------------------------------------------
    def projection(self, m: Month, amortized: bool) -> str:
        s = self.spec
        price = "price_amo" if amortized else "price_act"
        cost = "cost_amo" if amortized else "cost_act"
        if s.key == "EA":
            mdy = "'%m/%d/%Y'"
            cols = {
                "BillingAccountId": q(s.billing_account_id), "BillingAccountName": q(s.billing_account_name),
                "BillingPeriodStartDate": q(f"{m.start:%m/%d/%Y}"), "BillingPeriodEndDate": q(f"{last_day(m):%m/%d/%Y}"),
                "BillingProfileId": q(s.billing_profile_id), "BillingProfileName": q(s.billing_profile_name),
                "AccountOwnerId": q(f"finops@{s.company}.example.com"), "AccountName": q(f"{s.company} cloud team"),
                "SubscriptionId": "subscription_id", "SubscriptionName": "subscription_name",
                "Date": f"strftime(date, {mdy})", "Product": "product", "PartNumber": "part_number",
                "MeterId": "meter_id", "ServiceFamily": "service_family", "MeterCategory": "meter_category",
                "MeterSubCategory": "meter_sub_category", "MeterRegion": "meter_region", "MeterName": "meter_name",
                "Quantity": "az_num(quantity)", "EffectivePrice": f"az_num({price})", "Cost": f"az_num({cost})",
                "UnitPrice": "az_num(unit_price)", "BillingCurrency": q(s.currency), "ResourceLocation": "location",
                "AvailabilityZone": "NULL", "ConsumedService": "consumed_service", "ResourceId": "resource_id",
                "ResourceName": "resource_name", "ServiceInfo1": "service_info1", "ServiceInfo2": "NULL",
                "AdditionalInfo": "additional_info", "Tags": "tags_ea", "InvoiceSectionId": "'1234567'",
                "InvoiceSection": q(f"{s.company} engineering"), "CostCenter": "cost_center",
                "UnitOfMeasure": "unit", "ResourceGroup": "resource_group", "ReservationId": "reservation_id",
                "ReservationName": "reservation_name", "ProductOrderId": "product_order_id",
                "ProductOrderName": "product_order_name", "OfferId": "'MS-AZR-0017P'",
                "IsAzureCreditEligible": "credit_eligible", "Term": "term", "PublisherName": "publisher_name",
                "PlanName": "plan_name", "ChargeType": "charge_type", "Frequency": "frequency",
                "PublisherType": "publisher_type", "PayGPrice": "az_num(payg_price)", "PricingModel": "pricing_model",
                "CostAllocationRuleName": "NULL", "benefitId": "benefit_id", "benefitName": "benefit_name",
            }
            header = EA_HEADER
        else:
            invoice = "NULL" if m.is_open else q(f"G0{int(stable_hex(self.seed, s.key, m.label)[:8], 16) % 10**8:08d}")
            bp = (q(f"{m.start:%Y-%m-%d}"), q(f"{last_day(m):%Y-%m-%d}"))
            cols = {
                "invoiceId": invoice, "previousInvoiceId": "NULL", "billingAccountId": q(s.billing_account_id),
                "billingAccountName": q(s.billing_account_name), "billingProfileId": q(s.billing_profile_id),
                "billingProfileName": q(s.billing_profile_name), "invoiceSectionId": "'XY12-AB3C-PJA-TGB'",
                "invoiceSectionName": q(f"{s.company} engineering"), "costCenter": "cost_center",
                "billingPeriodStartDate": bp[0], "billingPeriodEndDate": bp[1],
                "servicePeriodStartDate": bp[0], "servicePeriodEndDate": bp[1],
                "date": "strftime(date, '%Y-%m-%d')", "serviceFamily": "service_family",
                "productOrderId": "product_order_id", "productOrderName": "product_order_name",
                "consumedService": "consumed_service", "meterId": "meter_id", "meterName": "meter_name",
                "meterCategory": "meter_category", "meterSubCategory": "meter_sub_category",
                "meterRegion": "meter_region", "productId": "product_id", "productName": "product",
                "subscriptionId": "subscription_id", "subscriptionName": "subscription_name",
                "publisherType": "publisher_type", "publisherId": "publisher_id", "publisherName": "publisher_name",
                "resourceGroupName": "resource_group", "resourceId": "resource_id", "resourceLocation": "location",
                "location": "meter_region", "effectivePrice": f"az_num({price})", "quantity": "az_num(quantity)",
                "unitOfMeasure": "unit", "chargeType": "charge_type", "billingCurrency": q(s.currency),
                "pricingCurrency": q(s.currency), "costInBillingCurrency": f"az_num({cost})",
                "costInPricingCurrency": f"az_num({cost})",
                "costInUsd": f"az_num(CAST({cost} * {format(USD_RATE, 'f')} AS {DEC}))",
                "paygCostInBillingCurrency": "az_num(coalesce(payg_cost, 0))",
                "paygCostInUsd": f"az_num(CAST(coalesce(payg_cost, 0) * {format(USD_RATE, 'f')} AS {DEC}))",
                "exchangeRatePricingToBilling": "'1'", "exchangeRateDate": q(f"{m.start:%Y-%m-%d}"),
                "isAzureCreditEligible": "credit_eligible", "serviceInfo1": "service_info1", "serviceInfo2": "NULL",
                "additionalInfo": "additional_info", "tags": "tags_mca", "PayGPrice": "az_num(payg_price)",
                "frequency": "frequency", "term": "term", "reservationId": "reservation_id",
                "reservationName": "reservation_name", "pricingModel": "pricing_model",
                "unitPrice": "az_num(unit_price)", "benefitId": "benefit_id", "benefitName": "benefit_name",
                "provider": "'Azure'",
            }
            header = MCA_HEADER
        assert list(cols) == header
        return ", ".join(f"{v} AS c{i}" for i, v in enumerate(cols.values()))

    @staticmethod
    def where(amortized: bool, cutoff: int | None, m: Month) -> str:
        w = "exp IN ('both', 'amortized')" if amortized else "exp IN ('both', 'actual')"
        if cutoff is not None:
            w += f" AND date < DATE '{m.start + dt.timedelta(days=cutoff):%Y-%m-%d}'"
        return w

    def truth(self) -> tuple[Decimal, Decimal]:
        return self.con.execute(
            "SELECT CAST(coalesce(sum(cost_act) FILTER (WHERE exp IN ('both', 'actual')), 0) AS DECIMAL(38,12)), "
            "CAST(coalesce(sum(cost_amo) FILTER (WHERE exp IN ('both', 'amortized')), 0) AS DECIMAL(38,12)) "
            "FROM az_rows").fetchone()


def _submitted(m: Month, stale: bool) -> str:
    t = delivery_time(m, stale, STALE_DAYS)
    return f"{t:%Y-%m-%d}T06:00:00.0000000Z"


def _manifest(g: AzureAccountGenerator, m: Month, export: str, typ: str, run_id: str, submitted: str,
              blobs: list[dict]) -> dict:
    s = g.spec
    scope = (f"/providers/Microsoft.Billing/billingAccounts/{s.billing_account_id}" if s.key == "EA" else
             f"/providers/Microsoft.Billing/billingAccounts/{s.billing_account_id}/billingProfiles/{s.billing_profile_id}")
    return {
        "manifestVersion": "2024-04-01",
        "byteCount": sum(b["byteCount"] for b in blobs),
        "blobCount": len(blobs),
        "dataRowCount": sum(b["dataRowCount"] for b in blobs),
        "exportConfig": {
            "exportName": export,
            "resourceId": f"{scope}/providers/Microsoft.CostManagement/exports/{export}",
            "dataVersion": "2021-10-01" if s.key == "EA" else "2023-05-01",
            "apiVersion": "2023-07-01-preview",
            "type": typ,
            "timeFrame": "BillingMonth" if not m.is_open else "MonthToDate",
            "granularity": "Daily",
        },
        "deliveryConfig": {
            "partitionData": True,
            "dataOverwriteBehavior": "CreateNewReport",
            "fileFormat": "Csv",
            "compressionMode": "gzip",
            "containerUri": f"/subscriptions/{s.subscriptions[0][0]}/resourceGroups/rg-finops/providers/"
                            f"Microsoft.Storage/storageAccounts/st{s.company}finops",
            "rootFolderPath": "azure",
        },
        "runInfo": {
            "executionType": "Scheduled",
            "submittedTime": submitted,
            "runId": run_id,
            "startDate": f"{m.start:%Y-%m-%d}T00:00:00",
            "endDate": f"{last_day(m):%Y-%m-%d}T00:00:00",
        },
        "blobs": blobs,
    }


def write_azure(con, out_dir: Path, seed: int, months: list[Month], rows_per_month: int, redelivered: int,
                tmpdir: Path) -> ExportResult:
    """Write every Azure export of every account and month; return files, truth and row counts.
    `con` is a DuckDB connection used only by this writer (its temp tables are replaced per month)."""
    res = ExportResult()
    con.execute("SET enable_progress_bar = false")
    con.execute(NUM_MACRO)
    for spec in C.AZURE_ACCOUNTS:
        g = AzureAccountGenerator(con, spec, seed, months, rows_per_month)
        res.rows_by_report[spec.company] = 0
        for sub, _, _ in spec.subscriptions:
            res.owners.append((sub, C.AZURE_SUBSCRIPTION_TEAMS[sub]))
        for m in months:
            g.build_month(m)
            n_current = 0
            for amortized in (False, True):
                typ = "AmortizedCost" if amortized else "ActualCost"
                export = f"{spec.company}-{'amortized' if amortized else 'actual'}"
                folder = f"{m.start:%Y%m%d}-{last_day(m):%Y%m%d}"
                runs = [(True, STALE_DAYS)] if m.idx == redelivered else []
                runs.append((False, None))
                header = ",".join(EA_HEADER if spec.key == "EA" else MCA_HEADER) + "\n"
                for stale, cutoff in runs:
                    run_id = stable_uuid(seed, export, m.label, "run", int(stale))
                    rdir = out_dir / "azure" / export / folder / run_id
                    rdir.mkdir(parents=True, exist_ok=True)
                    where = g.where(amortized, cutoff, m)
                    n = con.execute(f"SELECT count(*) FROM az_rows WHERE {where}").fetchone()[0]
                    n_parts = max(1, math.ceil(n / MAX_PART_ROWS))
                    blobs = []
                    for k in range(n_parts):
                        fname = f"part_0_{k + 1:04d}.csv.gz"
                        tmp = tmpdir / f"az_{spec.key}_{export}_{k}.csv"
                        con.execute(f"COPY (SELECT {g.projection(m, amortized)} FROM az_rows WHERE {where} "
                                    f"ORDER BY date, grp, k1 LIMIT {MAX_PART_ROWS} OFFSET {k * MAX_PART_ROWS}) "
                                    f"TO {q(str(tmp))} (FORMAT csv, HEADER false, DELIMITER ',')")
                        dst = rdir / fname
                        _gzip(tmp, dst, header)
                        res.files.append(dst)
                        rows = min(MAX_PART_ROWS, n - k * MAX_PART_ROWS)
                        blobs.append({"blobName": f"{export}/{folder}/{run_id}/{fname}",
                                      "byteCount": dst.stat().st_size, "dataRowCount": rows})
                    man = rdir / "manifest.json"
                    man.write_text(json.dumps(_manifest(g, m, export, typ, run_id, _submitted(m, stale), blobs),
                                              indent=2) + "\n")
                    res.files.append(man)
                    if stale:
                        res.stale_rows += n
                    else:
                        n_current += n
            billed, amortized_total = g.truth()
            res.totals.append(((200 + spec.index, m.idx), (
                "azure", spec.company, spec.billing_profile_id, f"{m.start:%Y-%m-%d}", spec.currency,
                billed, amortized_total, n_current)))
            res.rows_by_report[spec.company] += n_current
    return res
