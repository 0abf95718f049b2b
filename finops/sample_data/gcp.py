"""Google Cloud billing export (BigQuery standard usage cost export, nested shape) as JSON lines.

Layout (what `landing/discover.py` reads)::

    gcp/<export>/invoice_month=YYYYMM/<extract>/billing-00000.jsonl.gz

One invoice month of one billing account is materialised in the temp table `gcp_rows` (flat columns,
nested into the export's records by the COPY projection):

* bulk: Compute Engine core / RAM, persistent disk, network egress, BigQuery, Cloud SQL, Cloud Storage
  usage from ``range()``, with one credit on some rows: SUSTAINED_USAGE_DISCOUNT (Compute Engine),
  DISCOUNT (egress), FREE_TIER (BigQuery), COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE (Cloud SQL, the
  spend-based commitment), PROMOTION (Cloud Storage of one project);
* fleet: daily core usage of a CPU resource commitment (COMMITTED_USAGE_DISCOUNT credit = -cost, credit
  id = the commitment id) and the daily commitment fee rows of both commitments (subscription.instance_id);
* per month: a marketplace row sold by a reseller (THIRD_PARTY_RESELLER), two adjustments (one a correction
  of the previous month: usage dates there, invoice month this one), a rounding_error row and a tax row.

All numbers are exact decimals written as JSON numbers. The month `min(1, months - 1)` is extracted
twice: an older extract (folder name sorts first) with the first 7 days of regular usage, then the
complete one. Truth: Σ cost + Σ credits.amount of the newest extract, per billing account and invoice month.
"""

from __future__ import annotations

import datetime as dt
import gzip
import math
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from . import config as C
from .sql import DEC, ExportResult, cast_to_columns, dec, dec_list, delivery_time
from .azure import STYLE_FIRST
from .aws import Month, add_months, int_list, owner_attr_select, q, stable_hex, str_list, tag_exprs

D = Decimal
STALE_DAYS = 7
GZIP_LEVEL = 1
KV = "STRUCT(key VARCHAR, value VARCHAR)"
GIB = 1073741824
GIB_MONTH = GIB * 2592000  # byte-seconds in a gibibyte month (30 days)


@dataclass(frozen=True)
class Sku:
    key: str
    service_id: str
    service: str
    sku_id: str
    description: str
    usage_unit: str
    pricing_unit: str
    factor: int  # usage.amount = amount_in_pricing_units * factor
    price: Decimal  # USD per pricing unit
    gran: str  # H | D
    kind: str  # vcpu | ram | gb | gbday | tib
    credit: str | None  # credit type of the bulk rows
    weight: int


SKUS: tuple[Sku, ...] = (
    Sku("core", "6F81-5844-456A", "Compute Engine", "CF4E-A0C7-E3BF", "N2 Instance Core running in Americas",
        "seconds", "hour", 3600, D("0.031611"), "H", "vcpu", "SUSTAINED_USAGE_DISCOUNT", 20),
    Sku("ram", "6F81-5844-456A", "Compute Engine", "F449-33EC-A5EF", "N2 Instance Ram running in Americas",
        "byte-seconds", "gibibyte hour", GIB * 3600, D("0.004237"), "H", "ram", "SUSTAINED_USAGE_DISCOUNT", 18),
    Sku("pd", "6F81-5844-456A", "Compute Engine", "D973-5D65-BAB2", "Storage PD Capacity",
        "byte-seconds", "gibibyte month", GIB_MONTH, D("0.04"), "D", "gbday", None, 8),
    Sku("egress", "6F81-5844-456A", "Compute Engine", "9DE9-9092-B3BC", "Network Internet Egress from Americas to EMEA",
        "bytes", "gibibyte", GIB, D("0.12"), "H", "gb", "DISCOUNT", 10),
    Sku("bq", "24E6-581D-38E5", "BigQuery", "3362-E469-6BEF", "Analysis",
        "bytes", "tebibyte", GIB * 1024, D("6.25"), "D", "tib", "FREE_TIER", 8),
    Sku("sql", "9662-B51E-5089", "Cloud SQL", "E2E8-CB46-6A9B", "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas",
        "seconds", "hour", 3600, D("0.0413"), "H", "vcpu", "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE", 10),
    Sku("gcs", "95FF-2EF5-5EA1", "Cloud Storage", "E5F0-6A5D-7BAD", "Standard Storage US Multi-region",
        "byte-seconds", "gibibyte month", GIB_MONTH, D("0.026"), "D", "gbday", "PROMOTION", 8),
)
CREDIT_FACTORS = {"SUSTAINED_USAGE_DISCOUNT": D("0.2"), "DISCOUNT": D("0.05"), "FREE_TIER": D("1"),
                  "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE": D("0.25"), "PROMOTION": D("0.1")}
CUD_PRICE = D("0.019915")  # 1-year CPU commitment fee per vCPU hour (USD)
CUD_VCPUS_PER_K = 8
SPEND_COMMIT_PER_K = D("0.5")  # USD per hour
MARKETPLACE = ("E3A5-7C63-D15B", "Elastic Cloud", "8C63-9F2B-0D11", "Elastic Cloud Standard (monthly)",
               "Elasticsearch, Inc.", D("120"))

COLUMNS: tuple[tuple[str, str], ...] = (
    ("grp", "INT"), ("k1", "BIGINT"), ("cost_type", "VARCHAR"),
    ("svc_id", "VARCHAR"), ("svc_desc", "VARCHAR"), ("sku_id", "VARCHAR"), ("sku_desc", "VARCHAR"),
    ("start_ts", "TIMESTAMP"), ("end_ts", "TIMESTAMP"), ("proj_i", "INT"),
    ("labels", f"{KV}[]"), ("system_labels", f"{KV}[]"),
    ("loc_location", "VARCHAR"), ("loc_country", "VARCHAR"), ("loc_region", "VARCHAR"), ("loc_zone", "VARCHAR"),
    ("res_name", "VARCHAR"), ("res_global", "VARCHAR"),
    ("cost", DEC), ("usage_amount", DEC), ("usage_unit", "VARCHAR"), ("pricing_amount", DEC),
    ("pricing_unit", "VARCHAR"), ("price", DEC), ("cost_at_list", DEC),
    ("cr_type", "VARCHAR"), ("cr_amount", DEC), ("cr_id", "VARCHAR"), ("cr_name", "VARCHAR"),
    ("cr_full_name", "VARCHAR"),
    ("adj_id", "VARCHAR"), ("adj_desc", "VARCHAR"), ("adj_mode", "VARCHAR"), ("adj_type", "VARCHAR"),
    ("transaction_type", "VARCHAR"), ("seller_name", "VARCHAR"), ("sub_instance", "VARCHAR"),
)
CREDIT_NAMES = {
    "SUSTAINED_USAGE_DISCOUNT": ("Sustained usage discount", "Sustained Usage Discount"),
    "DISCOUNT": ("Spending based discounts (contractual)", "Spending based discounts (contractual)"),
    "FREE_TIER": ("Free tier", "Free Tier: BigQuery Analysis"),
    "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE": ("Committed use discount - dollar based: Cloud SQL",
                                             "Committed use discount - dollar based: Cloud SQL"),
    "PROMOTION": ("Startup program credit", "Google for Startups Cloud Program credit"),
}
NUM_MACRO = ("CREATE OR REPLACE MACRO gcp_num(x) AS json(CASE WHEN contains(CAST(x AS VARCHAR), '.') "
             "THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.') ELSE CAST(x AS VARCHAR) END)")


def canon(exprs: dict[str, str]) -> str:
    return cast_to_columns(exprs, COLUMNS, "gcp_rows")


def kv_list(pairs) -> str:
    if not pairs:
        return f"CAST([] AS {KV}[])"
    return "[" + ", ".join(f"{{'key': {q(k)}, 'value': {q(v)}}}" for k, v in pairs) + "]"


def _gzip(src: Path, dst: Path) -> None:
    with open(src, "rb") as fi, open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as fo:
            shutil.copyfileobj(fi, fo, 16 << 20)
    src.unlink()


class GcpAccountGenerator:
    def __init__(self, con, spec: C.GcpAccountSpec, seed: int, months: list[Month], rows_per_month: int):
        self.con, self.spec, self.seed, self.months = con, spec, seed, months
        self.k = max(1, rows_per_month // 250_000)
        self.n_target = max(200, int(rows_per_month // 10 * spec.share))
        self.acct = spec.index
        self.prices = [s.price * spec.price_factor for s in SKUS]
        p0 = spec.projects[0]
        self.cud_id = f"projects/{p0[1]}/regions/us-central1/commitments/cud-cpu-1yr"
        self.spend_id = f"billingAccounts/{spec.billing_account_id}/commitments/cud-cloudsql-1yr"

    def _ts(self, d: dt.datetime) -> str:
        return f"TIMESTAMP '{d:%Y-%m-%d %H:%M:%S}'"

    def build_month(self, m: Month) -> None:
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE gcp_rows ({', '.join(f'{c} {t}' for c, t in COLUMNS)})")
        con.execute(f"INSERT INTO gcp_rows {self._bulk_sql(m)}")
        self._fleet(m)
        self._specials(m)

    def _bulk_sql(self, m: Month) -> str:
        R = max(2 * len(SKUS), math.ceil(self.n_target / m.days))
        sku_w = [i + 1 for i, s in enumerate(SKUS) for _ in range(s.weight)]
        proj_w = [i + 1 for i, p in enumerate(self.spec.projects) for _ in range(p[3])]
        regions = C.GCP_REGIONS
        l1 = (f"SELECT j, j % {R} AS r, j // {R} AS slot, hash({self.seed}, 'gcp', {self.acct}, j % {R}) AS hr, "
              f"hash({self.seed}, 'gcp', {self.acct}, {m.idx}, j) AS h2 FROM range(0, {self.n_target}) t(j)")
        # the first resources use every SKU and carry every tag style, so that each appears at any size
        l2 = (f"SELECT * REPLACE ({STYLE_FIRST}) FROM (SELECT *, CASE WHEN r < {len(SKUS)} THEN r + 1 "
              f"ELSE {int_list(sku_w)}[((hr >> 4) % {len(sku_w)})::INT + 1] END AS si, "
              f"{int_list(proj_w)}[((hr >> 40) % {len(proj_w)})::INT + 1] AS pi, "
              f"((hr >> 12) % {len(regions)})::INT + 1 AS reg_i, "
              f"[2, 4, 8, 16][((hr >> 44) % 4)::INT + 1] AS vcpus, "
              f"{owner_attr_select('hr')} FROM ({l1}))")
        kinds = str_list([s.kind for s in SKUS])
        grans = str_list([s.gran for s in SKUS])
        amount = (f"CASE {kinds}[si] WHEN 'vcpu' THEN CAST(vcpus AS {DEC}) "
                  f"WHEN 'ram' THEN CAST(vcpus * 4 AS {DEC}) "
                  f"WHEN 'gb' THEN CAST((h2 >> 8) % 50000 AS {DEC}) * CAST(0.0001 AS DECIMAL(5,4)) "
                  f"WHEN 'gbday' THEN CAST([10, 50, 200, 1000, 5000][((hr >> 48) % 5)::INT + 1] AS {DEC}) "
                  f"* CAST(0.0333 AS DECIMAL(5,4)) "
                  f"ELSE CAST(1 + (h2 >> 8) % 5000 AS {DEC}) * CAST(0.0001 AS DECIMAL(5,4)) END")
        hours = m.hours
        slot_h = f"((((hr >> 52) % {hours}) + slot) % {hours})"
        l3 = (f"SELECT *, {amount} AS amt_, {dec_list(self.prices)}[si] AS price_, "
              f"{self._ts(m.start)} + CASE WHEN {grans}[si] = 'H' THEN to_hours({slot_h}::BIGINT) "
              f"ELSE to_days(({slot_h} // 24)::BIGINT) END AS ts_ FROM ({l2})")
        l4 = f"SELECT *, CAST(amt_ * price_ AS {DEC}) AS cost_ FROM ({l3})"
        credit = str_list([s.credit for s in SKUS])
        factors = dec_list([CREDIT_FACTORS.get(s.credit, D(0)) for s in SKUS])
        applies = (f"CASE {credit}[si] WHEN 'SUSTAINED_USAGE_DISCOUNT' THEN (hr >> 20) % 3 = 0 "
                   f"WHEN 'FREE_TIER' THEN h2 % 4 = 0 WHEN 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE' THEN (hr >> 20) % 2 = 0 "
                   f"WHEN 'PROMOTION' THEN (hr >> 20) % 2 = 1 WHEN 'DISCOUNT' THEN true ELSE false END")
        applies = f"(CASE WHEN r < {len(SKUS)} THEN {credit}[si] IS NOT NULL ELSE {applies} END)"
        names = [CREDIT_NAMES.get(s.credit, (None, None)) for s in SKUS]
        cr_ids = [self.spend_id if s.credit == "COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE" else
                  ("promotions/startups-2026" if s.credit == "PROMOTION" else "") for s in SKUS]
        tags = tag_exprs()
        label_keys = (("team", "tag_team_lc"), ("Team", "tag_team_uc"), ("owner-team", "tag_owner_team"),
                      ("product", "tag_product"), ("environment", "tag_environment"), ("env", "tag_env"),
                      ("cost-center", "tag_cost_center"))
        labels = ("list_filter([" + ", ".join(
            f"CASE WHEN {c} IS NOT NULL THEN {{'key': {q(k)}, 'value': {c}}} END" for k, c in label_keys)
            + "], lambda e: e IS NOT NULL)")
        machine = "'n2-standard-' || vcpus"
        name = f"{str_list([s.key for s in SKUS])}[si] || '-' || lpad(CAST(r AS VARCHAR), 4, '0')"
        pids = str_list([p[0] for p in self.spec.projects])
        zone = f"{str_list([r[0] for r in regions])}[reg_i] || '-' || ['a', 'b', 'c'][((hr >> 56) % 3)::INT + 1]"
        compute = f"{kinds}[si] IN ('vcpu', 'ram') AND si <= 2"
        exprs = {
            "grp": "0", "k1": "j", "cost_type": "'regular'",
            "svc_id": f"{str_list([s.service_id for s in SKUS])}[si]",
            "svc_desc": f"{str_list([s.service for s in SKUS])}[si]",
            "sku_id": f"{str_list([s.sku_id for s in SKUS])}[si]",
            "sku_desc": f"{str_list([s.description for s in SKUS])}[si]",
            "start_ts": "ts_",
            "end_ts": f"ts_ + CASE WHEN {grans}[si] = 'H' THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END",
            "proj_i": "pi",
            "labels": labels,
            "system_labels": (f"CASE WHEN {compute} THEN [{{'key': 'compute.googleapis.com/machine_spec', "
                              f"'value': {machine}}}, {{'key': 'compute.googleapis.com/cores', 'value': "
                              f"CAST(vcpus AS VARCHAR)}}, {{'key': 'goog-resource-type', 'value': "
                              f"'compute.googleapis.com/Instance'}}] ELSE CAST([] AS {KV}[]) END"),
            "loc_location": f"CASE WHEN si = 5 THEN 'US' ELSE {zone} END",
            "loc_country": f"CASE WHEN si = 5 THEN 'US' ELSE {str_list([r[1] for r in regions])}[reg_i] END",
            "loc_region": f"CASE WHEN si = 5 THEN NULL ELSE {str_list([r[0] for r in regions])}[reg_i] END",
            "loc_zone": f"CASE WHEN si <= 3 THEN {zone} END",
            "res_name": f"CASE WHEN si <= 3 OR si = 6 THEN {name} END",
            "res_global": (f"CASE WHEN si <= 3 THEN '//compute.googleapis.com/projects/' || {pids}[pi] || '/zones/' || "
                           f"{zone} || '/instances/' || {name} WHEN si = 6 THEN '//cloudsql.googleapis.com/projects/' "
                           f"|| {pids}[pi] || '/instances/' || {name} END"),
            "cost": "cost_",
            "usage_amount": f"amt_ * {int_list([s.factor for s in SKUS])}[si]",
            "usage_unit": f"{str_list([s.usage_unit for s in SKUS])}[si]",
            "pricing_amount": "amt_",
            "pricing_unit": f"{str_list([s.pricing_unit for s in SKUS])}[si]",
            "price": "price_",
            "cost_at_list": "cost_",
            "cr_type": f"CASE WHEN {applies} THEN {credit}[si] END",
            "cr_amount": f"CASE WHEN {applies} THEN -(cost_ * {factors}[si]) END",
            "cr_id": f"CASE WHEN {applies} THEN {str_list(cr_ids)}[si] END",
            "cr_name": f"CASE WHEN {applies} THEN {str_list([n[0] for n in names])}[si] END",
            "cr_full_name": f"CASE WHEN {applies} THEN {str_list([n[1] for n in names])}[si] END",
            "transaction_type": "'GOOGLE'",
        }
        return (f"SELECT {canon(exprs)} FROM (SELECT *, "
                f"{', '.join(f'{v} AS {k}' for k, v in tags.items())} FROM ({l4}))")

    def _fleet(self, m: Month) -> None:
        k, sp = self.k, self.spec
        vms, per_vm = 2, CUD_VCPUS_PER_K * k // 2
        core = SKUS[0]
        price = core.price * sp.price_factor
        p0 = sp.projects[0]
        idle = int(stable_hex(self.seed, sp.billing_account_id, m.idx, "idle")[:8], 16) % m.days
        hours = f"CASE WHEN d = {idle} THEN 0 WHEN h % 5 = 0 THEN ((h >> 8) % 24)::INT ELSE 24 END"
        name = f"'vm-cud-' || lpad(CAST(i AS VARCHAR), 2, '0')"
        zone = "us-central1-a"
        covered = {
            "grp": "1", "k1": "i", "cost_type": "'regular'", "svc_id": q(core.service_id), "svc_desc": q(core.service),
            "sku_id": q(core.sku_id), "sku_desc": q(core.description),
            "start_ts": f"{self._ts(m.start)} + to_days(d)", "end_ts": f"{self._ts(m.start)} + to_days(d + 1)",
            "proj_i": "1",
            "labels": kv_list([("team", C.GCP_PROJECT_TEAMS[p0[0]]), ("env", "prod")]),
            "system_labels": kv_list([("compute.googleapis.com/machine_spec", f"n2-standard-{per_vm}"),
                                      ("compute.googleapis.com/cores", str(per_vm)),
                                      ("goog-resource-type", "compute.googleapis.com/Instance")]),
            "loc_location": q(zone), "loc_country": "'US'", "loc_region": "'us-central1'", "loc_zone": q(zone),
            "res_name": name,
            "res_global": f"'//compute.googleapis.com/projects/{p0[0]}/zones/{zone}/instances/' || {name}",
            "cost": f"hrs * {per_vm} * {dec(price)}",
            "usage_amount": f"hrs * {per_vm} * 3600", "usage_unit": "'seconds'",
            "pricing_amount": f"hrs * {per_vm}", "pricing_unit": "'hour'", "price": dec(price),
            "cost_at_list": f"hrs * {per_vm} * {dec(price)}",
            "cr_type": "'COMMITTED_USAGE_DISCOUNT'", "cr_amount": f"-(hrs * {per_vm} * {dec(price)})",
            "cr_id": q(self.cud_id), "cr_name": "'Committed use discount: CPU'",
            "cr_full_name": "'Committed use discount: CPU in Americas for 1 Year'",
            "transaction_type": "'GOOGLE'",
        }
        self.con.execute(f"""INSERT INTO gcp_rows SELECT {canon(covered)} FROM (
            SELECT d, i, {hours} AS hrs FROM (
                SELECT dd.d::INT AS d, ii.i::INT AS i, hash({self.seed}, 'gcpf', {self.acct}, {m.idx}, dd.d, ii.i) AS h
                FROM range(0, {m.days}) dd(d), range(0, {vms}) ii(i))) WHERE hrs > 0""")
        # daily commitment fees of the resource (CPU) and the spend-based (Cloud SQL) commitment
        cud_fee_price = CUD_PRICE * sp.price_factor
        vcpus = CUD_VCPUS_PER_K * k
        spend = SPEND_COMMIT_PER_K * k * sp.price_factor
        fees = [
            (1, core.service_id, core.service, "2D1E-8F6B-4C0A", "Commitment v1: Cpu in Americas for 1 Year",
             D(vcpus * 24), "hour", D(vcpus * 24 * 3600), "seconds", cud_fee_price, self.cud_id, "us-central1"),
            (2, "9662-B51E-5089", "Cloud SQL", "7B1C-44D2-9E3F",
             "Commitment - dollar based v1: Cloud SQL for 1 Year", spend * 24, sp.currency, spend * 24,
             sp.currency, D(1), self.spend_id, None),
        ]
        for k1, sid, sdesc, skid, skdesc, pamt, punit, uamt, uunit, prc, inst, region in fees:
            exprs = {
                "grp": "2", "k1": str(k1), "cost_type": "'regular'", "svc_id": q(sid), "svc_desc": q(sdesc),
                "sku_id": q(skid), "sku_desc": q(skdesc),
                "start_ts": f"{self._ts(m.start)} + to_days(d)", "end_ts": f"{self._ts(m.start)} + to_days(d + 1)",
                "proj_i": "1", "labels": kv_list([]), "system_labels": kv_list([]),
                "loc_location": q(region or "global"), "loc_country": "'US'" if region else "NULL",
                "loc_region": q(region) if region else "NULL",
                "cost": dec(pamt * prc), "usage_amount": dec(uamt), "usage_unit": q(uunit),
                "pricing_amount": dec(pamt), "pricing_unit": q(punit), "price": dec(prc),
                "cost_at_list": dec(pamt * prc), "transaction_type": "'GOOGLE'", "sub_instance": q(inst),
            }
            self.con.execute(f"INSERT INTO gcp_rows SELECT {canon(exprs)} FROM range(0, {m.days}) t(d)")

    def _specials(self, m: Month) -> None:
        sp, k = self.spec, self.k
        pf = sp.price_factor
        prev = add_months(m.start, -1)
        core = SKUS[0]
        rows: list[dict[str, str]] = []
        base = {"proj_i": "1", "labels": kv_list([]), "system_labels": kv_list([]), "transaction_type": "'GOOGLE'"}
        mp = MARKETPLACE
        mp_cost = mp[5] * k * pf
        rows.append({**base, "grp": "3", "k1": "1", "cost_type": "'regular'", "svc_id": q(mp[0]), "svc_desc": q(mp[1]),
                     "sku_id": q(mp[2]), "sku_desc": q(mp[3]), "start_ts": self._ts(m.start),
                     "end_ts": self._ts(m.start + dt.timedelta(days=1)), "loc_location": "'global'",
                     "cost": dec(mp_cost), "usage_amount": "1", "usage_unit": "'month'", "pricing_amount": "1",
                     "pricing_unit": "'month'", "price": dec(mp_cost), "cost_at_list": dec(mp_cost),
                     "transaction_type": "'THIRD_PARTY_RESELLER'", "seller_name": q(mp[4])})
        adj = {**base, "cost_type": "'adjustment'", "svc_id": q(core.service_id), "svc_desc": q(core.service),
               "sku_id": q(core.sku_id), "sku_desc": q(core.description), "loc_location": "'us-central1'",
               "loc_country": "'US'", "loc_region": "'us-central1'"}
        goodwill = -(D("12.5") * k * pf)
        rows.append({**adj, "grp": "4", "k1": "1", "start_ts": self._ts(m.start + dt.timedelta(days=14)),
                     "end_ts": self._ts(m.start + dt.timedelta(days=15)), "cost": dec(goodwill),
                     "adj_id": q(f"adj-{stable_hex(self.seed, sp.billing_account_id, m.label, 'goodwill')[:12]}"),
                     "adj_desc": "'Goodwill credit for a Compute Engine incident'", "adj_mode": "'MANUAL_ADJUSTMENT'",
                     "adj_type": "'GOODWILL'"})
        correction = -(D("3.17") * k * pf)
        rows.append({**adj, "grp": "4", "k1": "2", "start_ts": self._ts(prev + dt.timedelta(days=19)),
                     "end_ts": self._ts(prev + dt.timedelta(days=20)), "cost": dec(correction),
                     "adj_id": q(f"adj-{stable_hex(self.seed, sp.billing_account_id, m.label, 'correction')[:12]}"),
                     "adj_desc": q(f"Correction of Compute Engine usage overcharged in {prev:%B %Y}"),
                     "adj_mode": "'PARTIAL_CORRECTION'", "adj_type": "'USAGE_CORRECTION'"})
        rnd = D(int(stable_hex(self.seed, sp.billing_account_id, m.label, "rounding")[:8], 16) % 9 - 4) / 1000
        rows.append({**base, "grp": "5", "k1": "1", "proj_i": "NULL", "cost_type": "'rounding_error'", "svc_desc": "'Invoice'",
                     "sku_desc": "'Rounding error'", "start_ts": self._ts(m.start), "end_ts": self._ts(m.end),
                     "cost": dec(rnd)})
        for r in rows:
            self.con.execute(f"INSERT INTO gcp_rows SELECT {canon(r)}")
        tax = {**base, "grp": "6", "k1": "1", "proj_i": "NULL", "cost_type": "'tax'", "svc_desc": "'Invoice'", "sku_desc": "'Tax'",
               "start_ts": self._ts(m.start), "end_ts": self._ts(m.end), "cost": "t", "loc_location": "'global'"}
        self.con.execute(f"""INSERT INTO gcp_rows SELECT {canon(tax)} FROM (
            SELECT round(sum(cost + coalesce(cr_amount, 0)) * {format(sp.tax_rate, 'f')}, 2) AS t
            FROM gcp_rows WHERE cost_type = 'regular')""")

    def projection(self, m: Month) -> str:
        sp = self.spec
        projects = sp.projects
        plabels = "[" + ", ".join(kv_list([("team", C.GCP_PROJECT_TEAMS[p[0]]), ("cost-center",
                  C.TEAM_COST_CENTERS[C.GCP_PROJECT_TEAMS[p[0]]])]) for p in projects) + "]"
        ancestry = [f"/{sp.organization}/{p[1]}/" for p in projects]
        iso = "'%Y-%m-%dT%H:%M:%SZ'"
        export_h = int(stable_hex(self.seed, sp.billing_account_id, m.label, "export")[:4], 16) % 6
        return f"""{q(sp.billing_account_id)} AS billing_account_id,
            {{'id': svc_id, 'description': svc_desc}} AS service,
            {{'id': sku_id, 'description': sku_desc}} AS sku,
            strftime(start_ts, {iso}) AS usage_start_time,
            strftime(end_ts, {iso}) AS usage_end_time,
            CASE WHEN proj_i IS NOT NULL THEN
              {{'id': {str_list([p[0] for p in projects])}[proj_i], 'number': {str_list([p[1] for p in projects])}[proj_i],
                'name': {str_list([p[2] for p in projects])}[proj_i], 'labels': {plabels}[proj_i],
                'ancestry_numbers': {str_list(ancestry)}[proj_i]}} END AS project,
            labels, system_labels,
            {{'location': loc_location, 'country': loc_country, 'region': loc_region, 'zone': loc_zone}} AS location,
            {{'name': res_name, 'global_name': res_global}} AS resource,
            strftime(greatest(end_ts, {self._ts(m.start)}) + INTERVAL {2 + export_h} HOUR, '%Y-%m-%dT%H:%M:%S.000000Z')
                AS export_time,
            gcp_num(cost) AS cost, {q(sp.currency)} AS currency,
            gcp_num({dec(sp.conversion_rate)}) AS currency_conversion_rate,
            {{'amount': gcp_num(usage_amount), 'unit': usage_unit,
              'amount_in_pricing_units': gcp_num(pricing_amount), 'pricing_unit': pricing_unit}} AS usage,
            CASE WHEN cr_type IS NULL THEN [] ELSE [{{'name': cr_name, 'amount': gcp_num(cr_amount),
                 'full_name': cr_full_name, 'id': cr_id, 'type': cr_type}}] END AS credits,
            {{'month': {q(f'{m.start:%Y%m}')}}} AS invoice,
            cost_type,
            CASE WHEN adj_id IS NOT NULL THEN {{'id': adj_id, 'description': adj_desc, 'mode': adj_mode,
                 'type': adj_type}} END AS adjustment_info,
            CASE WHEN price IS NOT NULL THEN {{'effective_price': gcp_num(price), 'tier_start_amount': gcp_num(0),
                 'unit': pricing_unit, 'pricing_unit_quantity': gcp_num(1)}} END AS price,
            gcp_num(cost_at_list) AS cost_at_list,
            transaction_type, seller_name,
            CASE WHEN sub_instance IS NOT NULL THEN {{'instance_id': sub_instance}} END AS subscription"""

    def truth(self) -> tuple[Decimal, int]:
        return self.con.execute(
            f"SELECT CAST(sum(cost + coalesce(cr_amount, 0)) AS {DEC}), count(*) FROM gcp_rows").fetchone()


def _extract_name(m: Month, stale: bool) -> str:
    t = delivery_time(m, stale, STALE_DAYS)
    return f"{t:%Y%m%d}T0600Z"


def write_gcp(con, out_dir: Path, seed: int, months: list[Month], rows_per_month: int, redelivered: int,
              tmpdir: Path) -> ExportResult:
    """Write every Google Cloud billing extract of every account and invoice month; return files, truth and
    row counts. `con` is a DuckDB connection used only by this writer."""
    res = ExportResult()
    con.execute("SET enable_progress_bar = false")
    con.execute(NUM_MACRO)
    for spec in C.GCP_ACCOUNTS:
        g = GcpAccountGenerator(con, spec, seed, months, rows_per_month)
        res.rows_by_report[spec.export] = 0
        for p in spec.projects:
            res.owners.append((p[0], C.GCP_PROJECT_TEAMS[p[0]]))
        for m in months:
            g.build_month(m)
            extracts = [(True, f"cost_type = 'regular' AND start_ts < {g._ts(m.start + dt.timedelta(days=STALE_DAYS))}")
                        ] if m.idx == redelivered else []
            extracts.append((False, "true"))
            for stale, where in extracts:
                edir = out_dir / "gcp" / spec.export / f"invoice_month={m.start:%Y%m}" / _extract_name(m, stale)
                edir.mkdir(parents=True, exist_ok=True)
                tmp = tmpdir / f"gcp_{spec.index}.jsonl"
                con.execute(f"COPY (SELECT {g.projection(m)} FROM gcp_rows WHERE {where} "
                            f"ORDER BY start_ts, grp, k1, end_ts) TO {q(str(tmp))} (FORMAT json)")
                dst = edir / "billing-00000.jsonl.gz"
                _gzip(tmp, dst)
                res.files.append(dst)
                if stale:
                    res.stale_rows += con.execute(f"SELECT count(*) FROM gcp_rows WHERE {where}").fetchone()[0]
            total, n = g.truth()
            res.totals.append(((300 + spec.index, m.idx), (
                "gcp", spec.export, spec.billing_account_id, f"{m.start:%Y-%m-%d}", spec.currency, total, total, n)))
            res.rows_by_report[spec.export] += n
    return res
