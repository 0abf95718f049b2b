"""AWS Cost and Usage Report generation (legacy CUR CSV, legacy CUR parquet, CUR 2.0 parquet).

Row generation happens entirely inside DuckDB:

* the *bulk* of each month is plain Usage, produced by a projection over ``range()``: every row's
  resource, time slot and amounts are pure functions of ``hash(seed, ...)`` and of list lookups in
  small literal dimension lists; it is never materialised, it is streamed straight into COPY;
* the *small* part (commitment fleet usage covered by RIs / Savings Plans, negations, RI and SP
  fees, tax, credits, refunds, discounts, marketplace fee) is materialised in a temp table with
  exact DECIMAL(18,10) arithmetic, because it needs aggregates (used commitment per hour etc.).
  It also holds the *always-on on-demand baseline* (config.BASELINE_ONDEMAND): in one usage account
  and region per report, ``instances_per_k * k`` instances of one type run every hour of every month
  as plain ``Usage`` (OnDemand, not covered by any RI / SP, EDP net like the bulk on-demand rows);
  one of them stops for a few days in the middle month. It is the steady tier a purchase
  recommendation should find (the bulk and the fleet's uncovered instances are only sporadic).

Usage sources in short: bulk (random, sporadic), commitment fleet (``fc``: covered up to the
commitment's units, beyond that ``Usage``), baseline (``bc``: always-on ``Usage``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from . import config as C
from .schema import _TAG_MAP_KEYS, DEC, MAP_TYPE, _map_expr, canonical_select, map_literal, small_table_ddl

D = Decimal
D38 = "DECIMAL(38,10)"
EDP_FACTOR = D("0.97")  # report A's NetUnblendedCost = round(UnblendedCost * 0.97, 10) on AWS Usage
TAX_RATE = D("0.0725")
CREDIT_RATE = D("0.015")


def q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def str_list(values) -> str:
    return "[" + ", ".join("NULL" if v is None else q(v) for v in values) + "]"


def dec_list(values, scale: int) -> str:
    return "([" + ", ".join(format(v, "f") for v in values) + f"]::DECIMAL(18,{scale})[])"


def int_list(values) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def ts(d: dt.datetime) -> str:
    return f"TIMESTAMP '{d:%Y-%m-%d %H:%M:%S}'"


def dlit(v: Decimal) -> str:
    return f"CAST('{format(v, 'f')}' AS {DEC})"


def stable_hex(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def stable_uuid(*parts) -> str:
    return str(uuid.UUID(bytes=bytes.fromhex(stable_hex(*parts)[:32]), version=4))


# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    idx: int
    start: dt.datetime
    end: dt.datetime
    is_open: bool

    @property
    def hours(self) -> int:
        return int((self.end - self.start).total_seconds()) // 3600

    @property
    def days(self) -> int:
        return self.hours // 24

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def folder(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def add_months(d: dt.datetime, n: int) -> dt.datetime:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def build_months(start_month: str, months: int) -> list[Month]:
    y, m = (int(x) for x in start_month.split("-"))
    first = dt.datetime(y, m, 1)
    out = []
    for i in range(months):
        s = add_months(first, i)
        out.append(Month(i, s, add_months(s, 1), i == months - 1))
    return out


# ---------------------------------------------------------------------------------------------
# Usage profiles (bulk)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    key: str
    space: str
    weight: int
    product_code: str
    product_name: str
    family: str | None
    usage_type: str  # "{pfx}" and "{type}" placeholders
    operation: str | None
    unit: str
    gran: str  # "H" hourly, "D" daily
    rate_kind: str  # od | spot | rds | fixed
    amount_kind: str  # one | size | count | gb | permonth
    amount_scale: int  # decimals of the usage amount; rate scale = 10 - amount_scale
    base_rate: Decimal = D("0")
    amount_values: tuple = ()
    term: str | None = "OnDemand"
    az: bool = False
    global_location: str | None = None
    instance: bool = False
    description: str = ""
    billing_entity: str = "AWS"
    legal_entity: str = "Amazon Web Services, Inc."
    servicecode: str | None = None
    instance_prefix: str = ""


PROFILES: tuple[Profile, ...] = (
    Profile("ec2_ondemand", "ec2", 30, "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance",
            "{pfx}-BoxUsage:{type}", "RunInstances", "Hrs", "H", "od", "one", 0, az=True, instance=True,
            description="${rate} per On Demand Linux {type} Instance Hour"),
    Profile("ec2_spot", "spot", 6, "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance",
            "{pfx}-SpotUsage:{type}", "RunInstances:SV001", "Hrs", "H", "spot", "one", 0, term="Spot", az=True,
            instance=True, description="${rate} per Linux/UNIX (Amazon VPC), {type} Spot Instance-hour"),
    Profile("ebs_gp3", "ebs", 10, "AmazonEC2", "Amazon Elastic Compute Cloud", "Storage",
            "{pfx}-EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "GB-Mo", "D", "fixed", "size", 5, D("0.08"),
            amount_values=(8, 20, 50, 100, 250, 500, 1000, 2000), az=True,
            description="${rate} per GB-month of General Purpose (gp3) provisioned storage - {loc}"),
    Profile("s3_storage", "s3", 8, "AmazonS3", "Amazon Simple Storage Service", "Storage",
            "{pfx}-TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", "D", "fixed", "size", 5, D("0.023"),
            amount_values=(5, 40, 300, 1200, 5000, 20000),
            description="${rate} per GB - first 50 TB / month of storage used"),
    Profile("s3_requests", "s3", 6, "AmazonS3", "Amazon Simple Storage Service", "API Request",
            "{pfx}-Requests-Tier1", "PutObject", "Requests", "D", "fixed", "count", 0, D("0.000005"),
            amount_values=(1000, 25000, 120000, 800000),
            description="$0.005 per 1,000 PUT, COPY, POST, or LIST requests"),
    Profile("data_transfer", "ec2", 8, "AWSDataTransfer", "AWS Data Transfer", "Data Transfer",
            "{pfx}-DataTransfer-Out-Bytes", "RunInstances", "GB", "H", "fixed", "gb", 4, D("0.09"),
            amount_values=(200000,),
            description="${rate} per GB - first 10 TB / month data transfer out beyond the global free tier"),
    Profile("lambda_requests", "lambda", 4, "AWSLambda", "AWS Lambda", "Serverless",
            "{pfx}-Request", "Invoke", "Requests", "D", "fixed", "count", 0, D("0.0000002"),
            amount_values=(1000, 40000, 300000, 2500000),
            description="AWS Lambda - Total Requests - {loc}"),
    Profile("lambda_gbs", "lambda", 4, "AWSLambda", "AWS Lambda", "Serverless",
            "{pfx}-Lambda-GB-Second", "Invoke", "Lambda-GB-Second", "D", "fixed", "count", 0,
            D("0.00001667"), amount_values=(500, 4000, 20000, 90000),
            description="AWS Lambda - Total Compute - {loc}"),
    Profile("rds", "rds", 8, "AmazonRDS", "Amazon Relational Database Service", "Database Instance",
            "{pfx}-InstanceUsage:db.{type}", "CreateDBInstance:0014", "Hrs", "H", "rds", "one", 0, az=True,
            instance=True, instance_prefix="db.",
            description="${rate} per RDS db.{type} instance hour (or partial hour) running PostgreSQL"),
    Profile("cloudwatch", "cw", 4, "AmazonCloudWatch", "AmazonCloudWatch", "Metric",
            "{pfx}-CW:MetricMonitorUsage", "MetricStorage", "Metrics", "D", "fixed", "permonth", 5, D("0.30"),
            amount_values=(10, 50, 200, 1000),
            description="${rate} per metric-month - first 10,000 metrics"),
    Profile("nat_gateway", "nat", 3, "AmazonEC2", "Amazon Elastic Compute Cloud", "NAT Gateway",
            "{pfx}-NatGateway-Hours", "NatGateway", "Hrs", "H", "fixed", "one", 0, D("0.045"),
            description="${rate} per NAT Gateway Hour"),
    Profile("cloudfront", "cf", 2, "AmazonCloudFront", "Amazon CloudFront", "Data Transfer",
            "US-DataTransfer-Out-Bytes", "WEB", "GB", "D", "fixed", "gb", 4, D("0.085"),
            amount_values=(3000000,), global_location="United States",
            description="$0.085 per GB - first 10 TB / month data transfer out (United States)"),
    Profile("route53_queries", "r53", 2, "AmazonRoute53", "Amazon Route 53", "DNS Query",
            "DNS-Queries", "Query", "Queries", "D", "fixed", "count", 0, D("0.0000004"),
            amount_values=(10000, 200000, 1000000), global_location="Global",
            description="$0.40 per million queries for the first 1 billion queries / month"),
    Profile("marketplace", "mp", 1, "prod-lumen-apm", "Lumen APM Enterprise (AWS Marketplace)", None,
            "{pfx}-MP:HostHours", "Usage", "Hrs", "D", "fixed", "count", 0, D("0.05"),
            amount_values=(24, 48, 96, 240), term=None, billing_entity="AWS Marketplace",
            legal_entity="Lumen Software Inc.", servicecode="prod-lumen-apm",
            description="Lumen APM Enterprise host hours"),
)
SPACE_IDS = {s: i + 1 for i, s in enumerate(dict.fromkeys(p.space for p in PROFILES))}
SPACE_IDS["fleet"] = 99
SPACE_IDS["baseline"] = 98

NT = len(C.INSTANCE_TYPES)
NR = len(C.REGIONS)
REG_WEIGHTED = [i + 1 for i, r in enumerate(C.REGIONS) for _ in range(r[4])]
ENV_WEIGHTED = [i + 1 for i, w in enumerate(C.ENV_WEIGHTS) for _ in range(w)]


def _scale_of(v: Decimal) -> int:
    return max(0, -v.normalize().as_tuple().exponent)


def _q(v: Decimal, scale: int) -> Decimal:
    return v.quantize(D(1).scaleb(-scale))


def _rate(p: Profile, reg: int, typ: int) -> tuple[Decimal, Decimal]:
    """(unblended rate, public on-demand rate) for a profile in region/type combination."""
    factor = C.REGIONS[reg][3] if p.global_location is None else D(1)
    od = C.INSTANCE_TYPES[typ][2] * factor
    if p.rate_kind == "od":
        return od, od
    if p.rate_kind == "spot":
        return od * C.SPOT_FACTOR, od
    if p.rate_kind == "rds":
        return od * C.RDS_FACTOR, od * C.RDS_FACTOR
    v = p.base_rate * factor
    return v, v


def _sku(*parts) -> str:
    return stable_hex("sku", *parts)[:16].upper()


# ---------------------------------------------------------------------------------------------
# Tags / owners (SQL expressions of a resource hash `hr`)
# ---------------------------------------------------------------------------------------------

TEAM_LIST = str_list(C.TEAMS)
TEAM_MESSY_LIST = str_list([C.TEAM_MESSY[t] for t in C.TEAMS])
PRODUCT_LIST = str_list([p for t in C.TEAMS for p in C.TEAM_PRODUCTS[t]])
ENV_LIST = str_list(C.ENVIRONMENTS)
ENV_MESSY_LIST = str_list([C.ENV_MESSY[e] for e in C.ENVIRONMENTS])
CC_LIST = str_list([C.TEAM_COST_CENTERS[t] for t in C.TEAMS])
CREATED_LIST = str_list(C.CREATED_BY)


def owner_attr_select(hr: str) -> str:
    """SELECT-list fragment computing owner indices from a resource hash."""
    return (
        f"((({hr}) >> 8) % 6)::INT + 1 AS team_i, "
        f"((({hr}) >> 8) % 6)::INT * 2 + ((({hr}) >> 11) % 2)::INT + 1 AS prod_i, "
        f"{int_list(ENV_WEIGHTED)}[((({hr}) >> 14) % {len(ENV_WEIGHTED)})::INT + 1] AS env_i, "
        f"((({hr}) >> 20) % 100)::INT AS style, "
        f"((({hr}) >> 30) % 4) = 0 AS has_created_by, "
        f"((({hr}) >> 32) % 3)::INT + 1 AS created_i"
    )


def owner_truth_exprs() -> dict[str, str]:
    return {
        "team": f"{TEAM_LIST}[team_i]",
        "product": f"{PRODUCT_LIST}[prod_i]",
        "environment": f"{ENV_LIST}[env_i]",
        "cost_centre": f"{CC_LIST}[team_i]",
    }


def tag_exprs() -> dict[str, str]:
    """Messy tags derived from the owner assignment (see report for the buckets)."""
    team, messy_team = f"{TEAM_LIST}[team_i]", f"{TEAM_MESSY_LIST}[team_i]"
    prod, env, messy_env = f"{PRODUCT_LIST}[prod_i]", f"{ENV_LIST}[env_i]", f"{ENV_MESSY_LIST}[env_i]"
    cc = f"{CC_LIST}[team_i]"
    return {
        # 0-11 untagged; 12-59 clean; 60-71 lowercase keys; 72-79 owner-team; 80-85 typos/unicode;
        # 86-89 empty Team; 90-93 Team and team both set (different case); 94-99 whitespace / cc case
        "tag_team_uc": f"CASE WHEN style BETWEEN 12 AND 59 OR style >= 94 THEN {team} "
                    f"WHEN style BETWEEN 80 AND 85 THEN {messy_team} WHEN style BETWEEN 86 AND 89 THEN '' "
                    f"WHEN style BETWEEN 90 AND 93 THEN {team} END",
        "tag_team_lc": f"CASE WHEN style BETWEEN 60 AND 71 THEN {team} WHEN style BETWEEN 90 AND 93 THEN upper({team}) END",
        "tag_owner_team": f"CASE WHEN style BETWEEN 72 AND 79 THEN {team} END",
        "tag_product": f"CASE WHEN style BETWEEN 12 AND 85 OR style >= 90 THEN {prod} END",
        "tag_environment": f"CASE WHEN style BETWEEN 12 AND 59 OR style BETWEEN 72 AND 79 OR style BETWEEN 86 AND 89 "
                           f"THEN {env} WHEN style BETWEEN 80 AND 85 THEN {messy_env} WHEN style >= 94 THEN ' ' || {env} || ' ' END",
        "tag_env": f"CASE WHEN style BETWEEN 60 AND 71 THEN (CASE WHEN env_i = 2 THEN 'stg' ELSE {env} END) END",
        "tag_cost_center": f"CASE WHEN style BETWEEN 12 AND 59 THEN {cc} WHEN style BETWEEN 80 AND 85 THEN replace({cc}, '-', '') "
                          f"WHEN style >= 94 THEN lower({cc}) END",
        "tag_created_by": f"CASE WHEN has_created_by THEN {CREATED_LIST}[created_i] END",
    }


def line_item_id_expr(h: str) -> str:
    return f"printf('%016x%016x', {h}, hash({h}, 7))"


# ---------------------------------------------------------------------------------------------
# Commitments
# ---------------------------------------------------------------------------------------------


@dataclass
class Commitment:
    key: str
    kind: str  # RI | SP
    arn: str
    units: int
    itype: str
    region: str
    start: dt.datetime
    end: dt.datetime
    term_years: int
    payment: str
    owner: str
    a: Decimal = D(0)  # RI amortised upfront per instance-hour
    r: Decimal = D(0)  # RI recurring per instance-hour
    sp_rate: Decimal = D(0)
    c: Decimal = D(0)  # SP hourly commitment
    cu: Decimal = D(0)  # SP upfront part of the hourly commitment
    cr: Decimal = D(0)  # SP recurring part
    offering: str = ""
    first_month: int = 0

    @property
    def term_hours(self) -> int:
        return self.term_years * C.HOURS_PER_YEAR

    @property
    def upfront_total(self) -> Decimal:
        if self.kind == "RI":
            return self.a * self.units * self.term_hours
        return self.cu * self.term_hours

    def active(self, m: Month) -> tuple[int, int]:
        lo = (self.start - m.start).total_seconds() // 3600
        hi = (self.end - m.start).total_seconds() // 3600
        a, b = int(max(0, min(m.hours, lo))), int(max(0, min(m.hours, hi)))
        return (a, b) if b > a else (0, 0)


def _region(code: str) -> tuple[int, tuple]:
    for i, r in enumerate(C.REGIONS):
        if r[0] == code:
            return i, r
    raise KeyError(code)


def _itype(name: str) -> tuple[int, tuple]:
    for i, t in enumerate(C.INSTANCE_TYPES):
        if t[0] == name:
            return i, t
    raise KeyError(name)


def _split(c: Decimal, payment: str) -> tuple[Decimal, Decimal]:
    if payment == "All Upfront":
        return c, D(0)
    if payment == "Partial Upfront":
        cu = c / 2
        return cu, c - cu
    return D(0), c


# ---------------------------------------------------------------------------------------------
# Report generator
# ---------------------------------------------------------------------------------------------

MAX_ROWS_PER_FILE = 1_000_000
MIN_HOURS, MIN_DAYS = 672, 28


class ReportGenerator:
    def __init__(self, con, spec: C.ReportSpec, seed: int, months: list[Month], rows_per_month: int):
        self.con, self.spec, self.seed, self.months = con, spec, seed, months
        self.rep = spec.index
        self.n_target = max(1, int(D(rows_per_month) * spec.share))
        self.k = max(1, round(self.n_target / 150_000))
        self.f = min(1.0, max(0.06, self.n_target / 300_000))
        self._build_commitments()
        self._build_fleet()
        self._build_baseline()
        self._size_bulk()
        self.acc_weighted = [i + 1 for i, a in enumerate(spec.accounts) for _ in range(a[2])]
        self.map_vars: list[str] = []
        if spec.flavor == "cur2":
            self._build_map_table()

    # -- sizing -----------------------------------------------------------------------------
    def _size_bulk(self) -> None:
        sp_fee_rows = (len(self.spec.base_savings_plans) + 1) * 730
        fleet_rows = int(len(self.fleet) * self.f * 730 * 0.8)
        # the always-on baseline (len(self.baseline) * ~730 rows a month, 1-2 % of the target at k >= 1) is not
        # taken off the bulk: at small sizes it would leave the bulk at its floor (no service variety left)
        bulk = max(len(PROFILES) * 4, self.n_target - sp_fee_rows - fleet_rows - 60)
        total_w = sum(p.weight for p in PROFILES)
        self.n_prof = {p.key: max(3, bulk * p.weight // total_w) for p in PROFILES}
        self.R: dict[str, int] = {}
        for p in PROFILES:
            periods = MIN_HOURS if p.gran == "H" else MIN_DAYS
            need = max(3, math.ceil(self.n_prof[p.key] / (periods * 0.7)))
            self.R[p.space] = max(self.R.get(p.space, 0), need)
        self.n_bulk = sum(self.n_prof.values())

    # -- commitments ------------------------------------------------------------------------
    def _arn(self, kind: str, key: str, region: str, owner: str) -> str:
        u = stable_uuid(self.seed, self.spec.name, kind, key)
        if kind == "RI":
            return f"arn:aws:ec2:{region}:{owner}:reserved-instances/{u}"
        return f"arn:aws:savingsplans::{owner}:savingsplan/{u}"

    def _build_commitments(self) -> None:
        ms, n = self.months, len(self.months)
        w0 = ms[0].start
        owner = self.spec.payer
        out: list[Commitment] = []
        for ri in C.RIS:
            hours = ri.term_years * C.HOURS_PER_YEAR
            if ri.timing == "before":
                start = w0 - dt.timedelta(days=365)
            elif ri.timing == "starts":
                start = ms[min(1, n - 1)].start + dt.timedelta(days=9)
            else:  # expires on the 20th of the middle month
                start = ms[n // 2].start + dt.timedelta(days=19) - dt.timedelta(hours=hours)
            out.append(Commitment(ri.key, "RI", self._arn("RI", ri.key, ri.region, owner), ri.units_per_k * self.k,
                                  ri.instance_type, ri.region, start, start + dt.timedelta(hours=hours),
                                  ri.term_years, ri.payment, owner, a=ri.amortized_hourly, r=ri.recurring_hourly))
        for key in self.spec.base_savings_plans:
            sp = C.BASE_SAVINGS_PLANS[key]
            start = w0 - dt.timedelta(days=240 if sp.term_years == 3 else 100)
            out.append(self._sp(key, sp.offering, sp.instance_type, sp.region, sp.units_per_k * self.k, sp.term_years,
                                sp.payment, sp.sp_rate, start, 0))
        for m in ms:
            payment = "All Upfront" if m.idx % 2 == 0 else "Partial Upfront"
            out.append(self._sp(f"monthly_sp_{m.idx}", "ComputeSavingsPlans", C.MONTHLY_SP_TYPE, C.MONTHLY_SP_REGION,
                                self.k, 1, payment, C.MONTHLY_SP_RATE, m.start + dt.timedelta(days=4), m.idx))
        self.commitments = out

    def _sp(self, key, offering, itype, region, units, years, payment, rate, start, first_month) -> Commitment:
        c = rate * units
        cu, cr = _split(c, payment)
        return Commitment(key, "SP", self._arn("SP", key, region, self.spec.payer), units, itype, region, start,
                          start + dt.timedelta(hours=years * C.HOURS_PER_YEAR), years, payment, self.spec.payer,
                          sp_rate=rate, c=c, cu=cu, cr=cr, offering=offering, first_month=first_month)

    def _build_fleet(self) -> None:
        fleet = []
        inst = 0
        accounts = [a[0] for a in self.spec.accounts]
        for cm in self.commitments:
            n_inst = cm.units + max(1, math.ceil(cm.units / 2))
            for qpos in range(n_inst):
                rng = random.Random(f"fleet|{self.seed}|{self.spec.name}|{cm.key}|{qpos}")
                acct = accounts[rng.randrange(len(accounts))]
                az = cm.region + "abc"[rng.randrange(3)]
                rid = "i-0" + stable_hex(self.seed, self.spec.name, "fleet", cm.key, qpos)[:16]
                fleet.append((inst, cm.key, qpos, acct, az, rid))
                inst += 1
        self.fleet = fleet

    def _fleet_windows(self, m: Month) -> list[tuple[int, int, int]]:
        by_key = {c.key: c for c in self.commitments}
        out = []
        first_start: dict[str, tuple[int, int]] = {}
        for inst, ckey, qpos, *_ in self.fleet:
            cm = by_key[ckey]
            if m.idx < cm.first_month:
                continue
            rng = random.Random(f"win|{self.seed}|{self.spec.name}|{inst}|{m.idx}")
            H = m.hours
            core = qpos < cm.units
            a, b = cm.active(m)
            if b <= a:
                a, b = 0, H
            # instances bought together with this month's Savings Plan only start after the purchase
            lo_bound = a if (cm.key.startswith("monthly") and m.idx == cm.first_month) else 0
            if self.f >= 1.0 and core and rng.random() < 0.7:
                s, e = lo_bound, H
            else:
                frac = rng.uniform(0.4, 1.0) if core else rng.uniform(0.1, 0.4)
                length = max(2, int(self.f * H * frac))
                if qpos == 0:  # always overlap the commitment's active hours
                    length = min(length, b - a)
                    s = rng.randrange(a, b - length + 1)
                elif core and ckey in first_start:  # overlap the first instance => fully used hours
                    s0, l0 = first_start[ckey]
                    s = min(max(lo_bound, s0 + rng.randrange(0, max(1, l0 // 2))), H - 1)
                else:
                    length = min(length, H - lo_bound)
                    s = rng.randrange(lo_bound, H - length + 1)
                e = min(H, s + length)
            if qpos == 0:
                first_start[ckey] = (s, e - s)
            if e > s:
                out.append((inst, s, e))
        return out

    # -- always-on on-demand baseline -------------------------------------------------------
    def _build_baseline(self) -> None:
        """self.baseline: (inst, qpos, account, az, resource_id) of the always-on on-demand instances."""
        bs = C.BASELINE_ONDEMAND[self.spec.key]
        accounts = [a[0] for a in self.spec.accounts]
        if bs.account not in accounts:
            raise ValueError(f"baseline account {bs.account} is not an account of {self.spec.name}")
        _region(bs.region)
        _itype(bs.instance_type)
        self.baseline_spec = bs
        out = []
        for qpos in range(bs.instances_per_k * self.k):
            rng = random.Random(f"baseline|{self.seed}|{self.spec.name}|{qpos}")
            az = bs.region + "abc"[rng.randrange(3)]
            rid = "i-0" + stable_hex(self.seed, self.spec.name, "baseline", qpos)[:16]
            out.append((qpos, qpos, bs.account, az, rid))
        self.baseline = out

    def _baseline_windows(self, m: Month) -> list[tuple[int, int, int]]:
        """(inst, s, e) running hour ranges of month m: every instance runs all hours; in the middle month the
        last instance is stopped for a few days (from a seed-dependent hour between day 9 and day 18)."""
        H = m.hours
        out = [(inst, 0, H) for inst, *_ in self.baseline]
        if m.idx == self.months[len(self.months) // 2].idx and self.baseline:
            lo_d, hi_d = self.baseline_spec.stop_days
            rng = random.Random(f"baseline-stop|{self.seed}|{self.spec.name}")
            s = rng.randrange(8 * 24, 18 * 24)
            e = min(H, s + 24 * rng.randint(lo_d, hi_d) + rng.randrange(12))
            inst = self.baseline[-1][0]
            out[-1] = (inst, 0, s)
            out.append((inst, e, H))
        return [w for w in out if w[2] > w[1]]

    def _insert_baseline(self, m: Month, consts: dict[str, str], ec2_common: dict[str, str]) -> None:
        """The baseline's Usage rows (one per instance-hour) into `small`, through temp table `bc`."""
        con = self.con
        bs = self.baseline_spec
        ri, reg = _region(bs.region)
        ti, typ = _itype(bs.instance_type)
        p = next(pr for pr in PROFILES if pr.key == "ec2_ondemand")
        od, pod = _rate(p, ri, ti)
        acct_i = [a[0] for a in self.spec.accounts].index(bs.account) + 1
        con.execute("CREATE OR REPLACE TEMP TABLE bw (inst INT, s INT, e INT)")
        con.execute("INSERT INTO bw VALUES " + ", ".join(f"({i}, {s}, {e})" for i, s, e in self._baseline_windows(m)))
        con.execute("CREATE OR REPLACE TEMP TABLE bl (inst INT, account VARCHAR, az VARCHAR, resource_id VARCHAR)")
        con.execute("INSERT INTO bl VALUES " + ", ".join(
            f"({i}, {q(a)}, {q(az)}, {q(rid)})" for i, _, a, az, rid in self.baseline))
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE bc AS
            SELECT x.*, {q(bs.instance_type)} AS itype, {q(bs.region)} AS region, {q(reg[1])} AS location,
                   {q(reg[2])} AS pfx, {dlit(od)} AS od, {dlit(pod)} AS pod, {dlit(typ[1])} AS nf,
                   {q(_sku(p.key, bs.region, bs.instance_type))} AS sku, {ts(m.start)} + to_hours(x.hour) AS ts_s
            FROM (SELECT bw.inst, unnest(range(bw.s, bw.e)) AS hour, b.account, b.az, b.resource_id,
                         hash({self.seed}, {self.rep}, {SPACE_IDS['baseline']}, bw.inst) AS hr, {acct_i} AS acct_i
                  FROM bw JOIN bl b USING (inst)) x
        """)
        usage = dict(consts)
        usage.update(ec2_common)
        usage.update(tag_exprs())
        usage.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'baseline', inst, hour)"),
            "line_item_type": "'Usage'",
            "usage_amount": "1",
            "normalization_factor": "nf",
            "normalized_usage_amount": "nf",
            "unblended_rate": "od",
            "unblended_cost": "od",
            "net_unblended_cost": f"CAST(od * {format(EDP_FACTOR, 'f')} AS {DEC})",
            "description": q(p.description.format(rate=format(od.normalize(), "f"), type=bs.instance_type,
                                                  loc=reg[1])),
            "pod_cost": "pod",
            "pod_rate": "pod",
            "term": "'OnDemand'",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(usage)} FROM "
                    f"(SELECT *, {owner_attr_select('hr')} FROM bc)")

    # -- SQL building blocks ----------------------------------------------------------------
    def _month_consts(self, m: Month) -> dict[str, str]:
        inv = None if m.is_open else str(int(stable_hex(self.seed, self.spec.name, m.label, "inv")[:12], 16) % 10**10)
        return {
            "invoice_id": "NULL" if inv is None else q(inv),
            "invoicing_entity": q("Amazon Web Services, Inc."),
            "bill_type": q("Anniversary"),
            "payer_account_id": q(self.spec.payer),
            "bp_start": ts(m.start),
            "bp_end": ts(m.end),
            "currency_code": "'USD'",
        }

    def _marketplace_invoice(self, m: Month) -> str:
        if m.is_open:
            return "NULL"
        return q(str(int(stable_hex(self.seed, self.spec.name, m.label, "mp-inv")[:12], 16) % 10**10))

    def _resource_id_expr(self, space: str) -> str | None:
        reg = f"{str_list([r[0] for r in C.REGIONS])}[reg_i]"
        acct = f"{str_list([a[0] for a in self.spec.accounts])}[acct_i]"
        prod, env = f"{PRODUCT_LIST}[prod_i]", f"{ENV_LIST}[env_i]"
        co = self.spec.company
        return {
            "ec2": "printf('i-0%016x', hr)",
            "spot": "printf('i-0%016x', hr)",
            "ebs": "printf('vol-0%016x', hr)",
            "s3": f"printf('{co}-%s-%s-%d', {prod}, {env}, r)",
            "lambda": f"printf('arn:aws:lambda:%s:%s:function:%s-fn-%d', {reg}, {acct}, {prod}, r)",
            "rds": f"printf('arn:aws:rds:%s:%s:db:%s-db-%d', {reg}, {acct}, {prod}, r)",
            "nat": f"printf('arn:aws:ec2:%s:%s:natgateway/nat-0%016x', {reg}, {acct}, hr)",
            "cf": f"printf('arn:aws:cloudfront::%s:distribution/E%013X', {acct}, hr >> 12)",
            "r53": "printf('arn:aws:route53:::hostedzone/Z%016X', hr)",
        }.get(space)

    def _resource_base(self, space: str, src: str) -> str:
        """L2: resource attributes from hr (src must expose j, r, hr, and optionally slot/h2)."""
        return (
            f"SELECT *, {int_list(REG_WEIGHTED)}[((hr >> 40) % {len(REG_WEIGHTED)})::INT + 1] AS reg_i, "
            f"((hr >> 44) % {NT})::INT + 1 AS type_i, "
            f"{int_list(self.acc_weighted)}[((hr >> 34) % {len(self.acc_weighted)})::INT + 1] AS acct_i, "
            f"{owner_attr_select('hr')} FROM ({src})"
        )

    def _segment(self, p: Profile, pid: int, m: Month, lo: int, hi: int, cutoff: dt.datetime | None,
                 lean: bool = False) -> str:
        R = self.R[p.space]
        sid = SPACE_IDS[p.space]
        periods = m.hours if p.gran == "H" else m.days
        unit_fn = "to_hours" if p.gran == "H" else "to_days"
        step = "INTERVAL 1 HOUR" if p.gran == "H" else "INTERVAL 1 DAY"
        l1 = (f"SELECT j, j % {R} AS r, j // {R} AS slot, hash({self.seed}, {self.rep}, {sid}, j % {R}) AS hr, "
              f"hash({self.seed}, {self.rep}, {m.idx}, {pid}, j) AS h2 FROM range({lo}, {hi}) t(j)")
        l2 = self._resource_base(p.space, l1)
        # lists indexed by ci = (reg_i - 1) * NT + type_i
        sa = p.amount_scale
        sr = 10 - sa
        rates, pods, uts, descs, skus = [], [], [], [], []
        for ri, reg in enumerate(C.REGIONS):
            for ti, typ in enumerate(C.INSTANCE_TYPES):
                rate, pod = _rate(p, ri, ti)
                if _scale_of(rate) > sr or _scale_of(pod) > sr:
                    raise ValueError(f"rate {rate} of {p.key} does not fit scale {sr}")
                rates.append(rate)
                pods.append(pod)
                typename = p.instance_prefix + typ[0]
                uts.append(p.usage_type.format(pfx=reg[2], type=typ[0]))
                descs.append(p.description.format(rate=format(rate.normalize(), "f"), type=typ[0], loc=reg[1]))
                skus.append(_sku(p.key, reg[0], typename if p.instance else ""))
        ci = f"((reg_i - 1) * {NT} + type_i)"
        if p.amount_kind == "one":
            amount = "CAST(1 AS DECIMAL(18,0))"
        elif p.amount_kind == "size":
            vals = [_q(D(v) / m.days, sa) for v in p.amount_values]
            amount = f"{dec_list(vals, sa)}[((hr >> 48) % {len(vals)})::INT + 1]"
        elif p.amount_kind == "permonth":
            vals = [_q(D(v) / m.days, sa) for v in p.amount_values]
            amount = f"{dec_list(vals, sa)}[((hr >> 48) % {len(vals)})::INT + 1]"
        elif p.amount_kind == "count":
            vals = list(p.amount_values)
            amount = (f"CAST({int_list(vals)}[((hr >> 48) % {len(vals)})::INT + 1] * (1 + h2 % 7) "
                      f"AS DECIMAL(18,0))")
        else:  # gb
            amount = f"CAST((h2 % {p.amount_values[0]}) AS DECIMAL(18,0)) * CAST(0.0001 AS DECIMAL(5,4))"
        l2b = (
            f"SELECT *, {amount} AS amt_, {dec_list(rates, sr)}[{ci}] AS rate_, {dec_list(pods, sr)}[{ci}] AS podr_, "
            f"{ts(m.start)} + {unit_fn}(((((hr >> 52) % {periods}) + slot) % {periods})::BIGINT) AS ts_s "
            f"FROM ({l2})"
        )
        l2c = f"SELECT *, CAST(amt_ * rate_ AS {DEC}) AS cost_, CAST(amt_ * podr_ AS {DEC}) AS pod_ FROM ({l2b})"
        where = f" WHERE ts_s < {ts(cutoff)}" if cutoff is not None else ""
        acct = f"{str_list([a[0] for a in self.spec.accounts])}[acct_i]"
        edp = p.billing_entity == "AWS"
        net = f"CAST(cost_ * {format(EDP_FACTOR, 'f')} AS {DEC})" if edp else "cost_"
        if lean:
            return (f"SELECT {acct} AS usage_account_id, {q(p.product_code)} AS product_code, "
                    f"{q(p.billing_entity)} AS billing_entity, cost_ AS cost, {net} AS net FROM ({l2c}){where}")
        consts = self._month_consts(m)
        if p.billing_entity != "AWS":
            consts["invoice_id"] = self._marketplace_invoice(m)
        regions = str_list([r[0] for r in C.REGIONS])
        exprs = dict(consts)
        exprs.update({
            "line_item_id": line_item_id_expr("h2"),
            "billing_entity": q(p.billing_entity),
            "usage_account_id": acct,
            "line_item_type": "'Usage'",
            "usage_start": "ts_s",
            "usage_end": f"ts_s + {step}",
            "product_code": q(p.product_code),
            "usage_type": f"{str_list(uts)}[{ci}]",
            "operation": "NULL" if p.operation is None else q(p.operation),
            "availability_zone": (f"{regions}[reg_i] || ['a','b','c'][((hr >> 56) % 3)::INT + 1]" if p.az else "NULL"),
            "resource_id": self._resource_id_expr(p.space) or "NULL",
            "usage_amount": "amt_",
            "unblended_rate": "rate_",
            "unblended_cost": "cost_",
            "net_unblended_cost": net,
            "description": f"{str_list(descs)}[{ci}]",
            "legal_entity": q(p.legal_entity),
            "product_name": q(p.product_name),
            "product_family": "NULL" if p.family is None else q(p.family),
            "region": "NULL" if p.global_location else f"{regions}[reg_i]",
            "location": q(p.global_location) if p.global_location else f"{str_list([r[1] for r in C.REGIONS])}[reg_i]",
            "servicecode": q(p.servicecode or p.product_code),
            "sku": f"{str_list(skus)}[{ci}]",
            "pod_cost": "pod_",
            "pod_rate": "podr_",
            "term": "NULL" if p.term is None else q(p.term),
            "unit": q(p.unit),
            "cc_business_unit": f"{str_list(self.spec.business_units)}[acct_i]",
        })
        if p.instance:
            nfs = [t[1] for t in C.INSTANCE_TYPES]
            exprs["instance_type"] = f"{q(p.instance_prefix)} || {str_list([t[0] for t in C.INSTANCE_TYPES])}[type_i]"
            exprs["normalization_factor"] = f"{dec_list(nfs, 0)}[type_i]"
            exprs["normalized_usage_amount"] = f"{dec_list(nfs, 0)}[type_i] * amt_"
        exprs.update(tag_exprs())
        extra = ""
        if self.spec.flavor == "cur2":  # the lists are bound by session_setup()
            extra = (f", getvariable('prod_maps_{pid}')[{ci}] AS prod_map, "
                     f"getvariable('rt_maps')[{self.rt_index()}] AS rt_map")
        return f"SELECT {canonical_select(exprs)}{extra} FROM ({l2c}){where}"

    # style buckets of tag_exprs (first style of each bucket); the tags only depend on the bucket
    STYLE_BUCKETS = (0, 12, 60, 72, 80, 86, 90, 94)

    def _build_map_table(self) -> None:
        """Table `cur2_maps` (one row per constant MAP list): every possible resource_tags MAP (indexed by
        rt_index()) and per profile the product MAP of each (region, type) combination. Bound per session as
        variables (session_setup) so the big constant lists are parsed once, not once per segment."""
        tags = tag_exprs()
        mexpr = _map_expr([(key, col) for col, key in _TAG_MAP_KEYS.items()])
        cols = ", ".join(f"{v} AS {k}" for k, v in tags.items())
        rows = self.con.execute(f"""
            SELECT {mexpr} FROM (SELECT idx, {cols} FROM (
              SELECT row_number() OVER (ORDER BY b, t, bit, e, c) AS idx, style, t AS team_i,
                     (t - 1) * 2 + bit + 1 AS prod_i, e AS env_i, c > 0 AS has_created_by,
                     greatest(c, 1) AS created_i
              FROM (SELECT unnest(range({len(self.STYLE_BUCKETS)})) AS b,
                           unnest({int_list(self.STYLE_BUCKETS)}) AS style) s,
                   range(1, 7) t1(t), range(2) t2(bit), range(1, 4) t3(e), range(4) t4(c)))
            ORDER BY idx""").fetchall()
        lists = {"rt_maps": [r[0] for r in rows]}
        for pid, p in enumerate(PROFILES, start=1):
            pmaps = []
            for reg in C.REGIONS:
                for typ in C.INSTANCE_TYPES:
                    d = {"product_name": p.product_name}
                    if not p.global_location:
                        d["region"] = reg[0]
                    if p.instance:
                        d["instance_type"] = p.instance_prefix + typ[0]
                    d["servicecode"] = p.servicecode or p.product_code
                    pmaps.append(d)
            lists[f"prod_maps_{pid}"] = pmaps
        self.con.execute(f"CREATE OR REPLACE TABLE cur2_maps (name VARCHAR, l {MAP_TYPE}[])")
        self.con.execute("INSERT INTO cur2_maps VALUES " + ", ".join(
            f"({q(name)}, [{', '.join(map_literal(d) for d in maps)}]::{MAP_TYPE}[])" for name, maps in lists.items()))
        self.map_vars = list(lists)

    def session_setup(self, con) -> None:
        """Per connection / cursor: bind the constant MAP lists of cur2_maps as variables."""
        for name in self.map_vars:
            con.execute(f"SET VARIABLE {name} = (SELECT l FROM cur2_maps WHERE name = {q(name)})")

    def rt_index(self) -> str:
        bucket = [max(i for i, s0 in enumerate(self.STYLE_BUCKETS) if s0 <= st) for st in range(100)]
        return (f"(((({int_list(bucket)}[style + 1] * 6 + team_i - 1) * 2 + (prod_i - 1 - (team_i - 1) * 2)) * 3 "
                f"+ env_i - 1) * 4 + CASE WHEN has_created_by THEN created_i ELSE 0 END + 1)")

    def bulk_slices(self, m: Month, lo: int, hi: int, cutoff=None, lean=False) -> list[str]:
        """Segment SQLs for global bulk row range [lo, hi)."""
        out, off = [], 0
        for pid, p in enumerate(PROFILES, start=1):
            n = self.n_prof[p.key]
            a, b = max(lo, off), min(hi, off + n)
            if b > a:
                out.append(self._segment(p, pid, m, a - off, b - off, cutoff, lean))
            off += n
        return out

    # -- small (materialised) part ----------------------------------------------------------
    def build_small(self, m: Month) -> None:
        con = self.con
        con.execute(small_table_ddl("small"))
        # commitments table
        con.execute(
            "CREATE OR REPLACE TEMP TABLE cmt (ckey VARCHAR, kind VARCHAR, arn VARCHAR, units INT, itype VARCHAR, "
            f"region VARCHAR, location VARCHAR, pfx VARCHAR, od {DEC}, nf {DEC}, a {DEC}, r {DEC}, sp_rate {DEC}, "
            f"c {DEC}, cu {DEC}, cr {DEC}, start_ts TIMESTAMP, end_ts TIMESTAMP, term_hours INT, payment VARCHAR, "
            "offering VARCHAR, term_label VARCHAR, ha INT, hb INT, sku VARCHAR, upfront " + DEC + ")"
        )
        rows = []
        for cm in self.commitments:
            _, reg = _region(cm.region)
            _, typ = _itype(cm.itype)
            ha, hb = cm.active(m)
            rows.append(
                f"({q(cm.key)}, {q(cm.kind)}, {q(cm.arn)}, {cm.units}, {q(cm.itype)}, {q(cm.region)}, {q(reg[1])}, "
                f"{q(reg[2])}, {dlit(typ[2] * reg[3])}, {dlit(typ[1])}, {dlit(cm.a)}, {dlit(cm.r)}, {dlit(cm.sp_rate)}, "
                f"{dlit(cm.c)}, {dlit(cm.cu)}, {dlit(cm.cr)}, {ts(cm.start)}, {ts(cm.end)}, {cm.term_hours}, "
                f"{q(cm.payment)}, {q(cm.offering)}, '{cm.term_years}yr', {ha}, {hb}, "
                f"{q(_sku('ec2_ondemand', cm.region, cm.itype))}, {dlit(cm.upfront_total)})"
            )
        con.execute("INSERT INTO cmt VALUES " + ", ".join(rows))
        con.execute("CREATE OR REPLACE TEMP TABLE fleet (inst INT, ckey VARCHAR, qpos INT, account VARCHAR, "
                    "az VARCHAR, resource_id VARCHAR)")
        con.execute("INSERT INTO fleet VALUES " + ", ".join(
            f"({i}, {q(k)}, {qp}, {q(a)}, {q(az)}, {q(rid)})" for i, k, qp, a, az, rid in self.fleet))
        wins = self._fleet_windows(m)
        con.execute("CREATE OR REPLACE TEMP TABLE fw (inst INT, s INT, e INT)")
        if wins:
            con.execute("INSERT INTO fw VALUES " + ", ".join(f"({i}, {s}, {e})" for i, s, e in wins))
        accts = [a[0] for a in self.spec.accounts]
        acct_idx = "CASE account " + " ".join(f"WHEN '{a}' THEN {i + 1}" for i, a in enumerate(accts)) + " END"
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE fc AS
            SELECT x.*, (x.hour >= c.ha AND x.hour < c.hb)
                        AND row_number() OVER (PARTITION BY x.ckey, x.hour ORDER BY x.inst) <= c.units AS covered,
                   c.kind, c.arn, c.itype, c.region, c.location, c.pfx, c.od, c.nf, c.a, c.r, c.sp_rate, c.payment,
                   c.offering, c.term_label, c.start_ts, c.end_ts, c.sku, {ts(m.start)} + to_hours(x.hour) AS ts_s
            FROM (SELECT fw.inst, unnest(range(fw.s, fw.e)) AS hour, f.ckey, f.account, f.az, f.resource_id,
                         hash({self.seed}, {self.rep}, {SPACE_IDS['fleet']}, fw.inst) AS hr, {acct_idx} AS acct_i
                  FROM fw JOIN fleet f USING (inst)) x
            JOIN cmt c USING (ckey)
        """)
        consts = self._month_consts(m)
        bu = f"{str_list(self.spec.business_units)}[acct_i]"
        tags = tag_exprs()
        lit = ("CASE WHEN covered AND kind = 'RI' THEN 'DiscountedUsage' "
               "WHEN covered THEN 'SavingsPlanCoveredUsage' ELSE 'Usage' END")
        ec2_common = {
            "usage_account_id": "account",
            "usage_start": "ts_s",
            "usage_end": "ts_s + INTERVAL 1 HOUR",
            "product_code": "'AmazonEC2'",
            "usage_type": "pfx || '-BoxUsage:' || itype",
            "operation": "'RunInstances'",
            "availability_zone": "az",
            "resource_id": "resource_id",
            "legal_entity": "'Amazon Web Services, Inc.'",
            "product_name": "'Amazon Elastic Compute Cloud'",
            "product_family": "'Compute Instance'",
            "region": "region",
            "location": "location",
            "servicecode": "'AmazonEC2'",
            "instance_type": "itype",
            "sku": "sku",
            "unit": "'Hrs'",
            "billing_entity": "'AWS'",
            "cc_business_unit": bu,
        }
        usage = dict(consts)
        usage.update(ec2_common)
        usage.update(tags)
        usage.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'fleet', inst, hour)"),
            "line_item_type": lit,
            "usage_amount": "1",
            "normalization_factor": "nf",
            "normalized_usage_amount": "nf",
            "unblended_rate": "CASE WHEN covered AND kind = 'RI' THEN 0 ELSE od END",
            "unblended_cost": "CASE WHEN covered AND kind = 'RI' THEN 0 ELSE od END",
            "net_unblended_cost": f"CASE WHEN covered AND kind = 'RI' THEN 0 WHEN covered THEN od "
                                  f"ELSE CAST(od * {format(EDP_FACTOR, 'f')} AS {DEC}) END",
            "description": "CASE WHEN covered AND kind = 'RI' THEN 'USD 0.0 hourly fee per Linux/UNIX (Amazon VPC), ' "
                           "|| itype || ' instance' WHEN covered THEN offering || ' covered usage: ' || "
                           "CAST(sp_rate AS DOUBLE)::VARCHAR || ' USD per hour for ' || itype ELSE '$' || "
                           "CAST(od AS DOUBLE)::VARCHAR || ' per On Demand Linux ' || itype || ' Instance Hour' END",
            "pod_cost": "od",
            "pod_rate": "od",
            "term": "CASE WHEN covered AND kind = 'RI' THEN 'Reserved' ELSE 'OnDemand' END",
            "purchase_option": "CASE WHEN covered AND kind = 'RI' THEN payment END",
            "lease_contract_length": "CASE WHEN covered AND kind = 'RI' THEN term_label END",
            "ri_arn": "CASE WHEN covered AND kind = 'RI' THEN arn END",
            "ri_amortized_upfront_cost_for_usage": "CASE WHEN covered AND kind = 'RI' THEN a END",
            "ri_recurring_fee_for_usage": "CASE WHEN covered AND kind = 'RI' THEN r END",
            "ri_effective_cost": "CASE WHEN covered AND kind = 'RI' THEN a + r END",
            "ri_start_time": "CASE WHEN covered AND kind = 'RI' THEN start_ts END",
            "ri_end_time": "CASE WHEN covered AND kind = 'RI' THEN end_ts END",
            "sp_arn": "CASE WHEN covered AND kind = 'SP' THEN arn END",
            "sp_rate": "CASE WHEN covered AND kind = 'SP' THEN sp_rate END",
            "sp_effective_cost": "CASE WHEN covered AND kind = 'SP' THEN sp_rate END",
            "sp_start_time": "CASE WHEN covered AND kind = 'SP' THEN start_ts END",
            "sp_end_time": "CASE WHEN covered AND kind = 'SP' THEN end_ts END",
            "sp_payment_option": "CASE WHEN covered AND kind = 'SP' THEN payment END",
            "sp_purchase_term": "CASE WHEN covered AND kind = 'SP' THEN term_label END",
            "sp_offering_type": "CASE WHEN covered AND kind = 'SP' THEN offering END",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(usage)} FROM "
                    f"(SELECT *, {owner_attr_select('hr')} FROM fc)")
        # SavingsPlanNegation: one per covered row, same account/resource/hour
        neg = dict(consts)
        neg.update(ec2_common)
        neg.update(tags)
        neg.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'negation', inst, hour)"),
            "line_item_type": "'SavingsPlanNegation'",
            "usage_amount": "0",
            "unblended_cost": "-od",
            "net_unblended_cost": "-od",
            "description": "'SavingsPlanNegation used by AccountId : ' || account || ' and UsageSku : ' || sku",
            "term": "'OnDemand'",
            "sp_arn": "arn",
            "sp_start_time": "start_ts",
            "sp_end_time": "end_ts",
            "sp_payment_option": "payment",
            "sp_purchase_term": "term_label",
            "sp_offering_type": "offering",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(neg)} FROM "
                    f"(SELECT *, {owner_attr_select('hr')} FROM fc WHERE covered AND kind = 'SP')")
        self._insert_baseline(m, consts, ec2_common)
        self._insert_commitment_fees(m, consts)
        self._insert_misc(m, consts)
        # a plain (not TEMP) table: the files of a month are written concurrently through cursors
        con.execute("CREATE OR REPLACE TABLE small_sorted AS SELECT * FROM small "
                    "ORDER BY usage_start, line_item_type, line_item_id")

    def _insert_commitment_fees(self, m: Month, consts: dict[str, str]) -> None:
        con = self.con
        payer = q(self.spec.payer)
        base = dict(consts)
        base.update({"usage_account_id": payer, "billing_entity": "'AWS'",
                     "legal_entity": "'Amazon Web Services, Inc.'", "cc_business_unit": q(self.spec.business_units[0])})
        # RIFee: one per RI per month, full billing period
        rifee = dict(base)
        rifee.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'rifee', ckey)"),
            "line_item_type": "'RIFee'",
            "usage_start": ts(m.start),
            "usage_end": ts(m.end),
            "product_code": "'AmazonEC2'",
            "usage_type": "pfx || '-HeavyUsage:' || itype",
            "operation": "'RunInstances'",
            "usage_amount": "reserved",
            "normalization_factor": "nf",
            "normalized_usage_amount": "nf * reserved",
            "unblended_rate": "r",
            "unblended_cost": "r * reserved",
            "net_unblended_cost": "r * reserved",
            "description": "'USD ' || CAST(r AS DOUBLE)::VARCHAR || ' hourly fee per Linux/UNIX (Amazon VPC), ' || itype "
                           "|| ' instance'",
            "product_name": "'Amazon Elastic Compute Cloud'",
            "product_family": "'Compute Instance'",
            "region": "region",
            "location": "location",
            "servicecode": "'AmazonEC2'",
            "instance_type": "itype",
            "sku": "sku",
            "term": "'Reserved'",
            "unit": "'Hrs'",
            "purchase_option": "payment",
            "lease_contract_length": "term_label",
            "ri_arn": "arn",
            "ri_amortized_upfront_fee_for_bp": "a * reserved",
            "ri_unused_quantity": "reserved - used",
            "ri_unused_recurring_fee": "r * (reserved - used)",
            "ri_unused_amortized_upfront_fee_for_bp": "a * (reserved - used)",
            "ri_total_reserved_units": "reserved",
            "ri_number_of_reservations": "units",
            "ri_upfront_value": "upfront",
            "ri_start_time": "start_ts",
            "ri_end_time": "end_ts",
        })
        con.execute(f"""INSERT INTO small SELECT {canonical_select(rifee)} FROM (
            SELECT c.*, CAST(c.units * (c.hb - c.ha) AS DECIMAL(18,0)) AS reserved,
                   CAST(coalesce(u.used, 0) AS DECIMAL(18,0)) AS used
            FROM cmt c LEFT JOIN (SELECT ckey, count(*) AS used FROM fc WHERE covered AND kind = 'RI' GROUP BY ckey) u
              USING (ckey)
            WHERE c.kind = 'RI' AND c.hb > c.ha)""")
        # Fee: RI upfront purchase in the month the RI starts
        fee = dict(base)
        fee.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'rifee-upfront', ckey)"),
            "line_item_type": "'Fee'",
            "bill_type": "'Purchase'",
            "usage_start": "start_ts",
            "usage_end": "start_ts",
            "product_code": "'AmazonEC2'",
            "usage_type": "pfx || '-HeavyUsage:' || itype",
            "operation": "'RunInstances'",
            "usage_amount": "units",
            "unblended_rate": "upfront / units",
            "unblended_cost": "upfront",
            "net_unblended_cost": "upfront",
            "description": "'Sign up charge for subscription: ' || abs(hash(arn) % 100000000)::VARCHAR || ', planId: ' "
                           "|| abs(hash(itype) % 1000000)::VARCHAR",
            "product_name": "'Amazon Elastic Compute Cloud'",
            "product_family": "'Compute Instance'",
            "region": "region",
            "location": "location",
            "servicecode": "'AmazonEC2'",
            "instance_type": "itype",
            "term": "'Reserved'",
            "unit": "'Quantity'",
            "purchase_option": "payment",
            "lease_contract_length": "term_label",
            "ri_arn": "arn",
            "ri_number_of_reservations": "units",
            "ri_upfront_value": "upfront",
            "ri_start_time": "start_ts",
            "ri_end_time": "end_ts",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(fee)} FROM cmt WHERE kind = 'RI' AND upfront > 0 "
                    f"AND start_ts >= {ts(m.start)} AND start_ts < {ts(m.end)}")
        # SavingsPlanRecurringFee: one per plan per active hour
        sp_common = {
            "product_code": "CASE offering WHEN 'ComputeSavingsPlans' THEN 'ComputeSavingsPlans' "
                            "ELSE 'EC2InstanceSavingsPlans' END",
            "usage_type": "replace(offering, 'SavingsPlans', 'SP') || ':' || term_label || replace(payment, ' ', '')",
            "product_name": "CASE offering WHEN 'ComputeSavingsPlans' THEN 'Savings Plans for AWS Compute usage' "
                            "ELSE 'Savings Plans for Amazon EC2 Instance usage' END",
            "servicecode": "'ComputeSavingsPlans'",
            "unit": "'Hrs'",
            "sp_arn": "arn",
            "sp_start_time": "start_ts",
            "sp_end_time": "end_ts",
            "sp_payment_option": "payment",
            "sp_purchase_term": "term_label",
            "sp_offering_type": "offering",
        }
        rec = dict(base)
        rec.update(sp_common)
        rec.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'sprec', ckey, hour)"),
            "line_item_type": "'SavingsPlanRecurringFee'",
            "usage_start": f"{ts(m.start)} + to_hours(hour)",
            "usage_end": f"{ts(m.start)} + to_hours(hour + 1)",
            "usage_amount": "1",
            "unblended_rate": "cr",
            "unblended_cost": "cr",
            "net_unblended_cost": "cr",
            "description": "'Savings Plan recurring fee: ' || CAST(c AS DOUBLE)::VARCHAR || ' USD hourly commitment'",
            "sp_total_commitment_to_date": "c",
            "sp_used_commitment": "used",
            "sp_amortized_upfront_commitment_for_bp": "cu",
            "sp_recurring_commitment_for_bp": "cr",
        })
        con.execute(f"""INSERT INTO small SELECT {canonical_select(rec)} FROM (
            SELECT h.*, CAST(coalesce(u.used, 0) AS {DEC}) AS used FROM
              (SELECT *, unnest(range(ha, hb)) AS hour FROM cmt WHERE kind = 'SP' AND hb > ha) h
            LEFT JOIN (SELECT ckey, hour, sum(sp_rate) AS used FROM fc WHERE covered AND kind = 'SP'
                       GROUP BY ckey, hour) u USING (ckey, hour))""")
        up = dict(base)
        up.update(sp_common)
        up.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'spupfront', ckey)"),
            "line_item_type": "'SavingsPlanUpfrontFee'",
            "bill_type": "'Purchase'",
            "usage_start": "start_ts",
            "usage_end": "start_ts",
            "usage_amount": "1",
            "unblended_rate": "upfront",
            "unblended_cost": "upfront",
            "net_unblended_cost": "upfront",
            "description": "'Savings Plan upfront fee: ' || term_label || ' ' || payment",
            "sp_total_commitment_to_date": "c",
            "sp_amortized_upfront_commitment_for_bp": "cu",
            "sp_recurring_commitment_for_bp": "cr",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(up)} FROM cmt WHERE kind = 'SP' AND upfront > 0 "
                    f"AND start_ts >= {ts(m.start)} AND start_ts < {ts(m.end)}")

    def bulk_agg(self, m: Month) -> None:
        sql = " UNION ALL ".join(self.bulk_slices(m, 0, self.n_bulk, lean=True))
        self.con.execute(f"""CREATE OR REPLACE TEMP TABLE bulk_agg AS
            SELECT usage_account_id, product_code, billing_entity, count(*) AS n,
                   sum(cost) AS cost, sum(net) AS net FROM ({sql}) GROUP BY ALL""")

    def _insert_misc(self, m: Month, consts: dict[str, str]) -> None:
        con = self.con
        names = {p.product_code: p.product_name for p in PROFILES}
        pname = "CASE product_code " + " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in names.items()) + " END"
        acct_i = "CASE usage_account_id " + " ".join(
            f"WHEN '{a[0]}' THEN {i + 1}" for i, a in enumerate(self.spec.accounts)) + " END"
        con.execute(f"""CREATE OR REPLACE TEMP TABLE agg AS
            SELECT usage_account_id, product_code, billing_entity, sum(cost) AS cost, sum(net) AS net FROM (
              SELECT usage_account_id, product_code, billing_entity, cost, net FROM bulk_agg
              UNION ALL
              SELECT usage_account_id, product_code, billing_entity, unblended_cost, net_unblended_cost
              FROM small WHERE line_item_type = 'Usage') GROUP BY ALL""")
        base = dict(consts)
        base.update({
            "usage_account_id": "usage_account_id",
            "billing_entity": "'AWS'",
            "legal_entity": "'Amazon Web Services, Inc.'",
            "usage_start": ts(m.start),
            "usage_end": ts(m.end),
            "product_code": "product_code",
            "product_name": pname,
            "servicecode": "product_code",
            "cc_business_unit": f"{str_list(self.spec.business_units)}[{acct_i}]",
        })

        def ins(kind: str, exprs: dict[str, str], src: str) -> None:
            e = dict(base)
            e.update(exprs)
            e["line_item_type"] = q(kind)
            e.setdefault("net_unblended_cost", e["unblended_cost"])
            e["line_item_id"] = line_item_id_expr(
                f"hash({self.seed}, {self.rep}, {m.idx}, '{kind}', usage_account_id, product_code)")
            con.execute(f"INSERT INTO small SELECT {canonical_select(e)} FROM ({src})")

        aws = "FROM agg WHERE billing_entity = 'AWS'"
        ins("EdpDiscount", {"unblended_cost": "net - cost", "net_unblended_cost": "0", "usage_amount": "0",
                            "usage_type": "'EdpDiscount'",
                            "description": "'Enterprise Discount Program discount (3%)'"},
            f"SELECT * {aws} AND net <> cost")
        ins("Tax", {"unblended_cost": f"round(cost * {format(TAX_RATE, 'f')}, 2)", "tax_type": "'Sales Tax'",
                    "description": "'Tax for product code ' || product_code", "usage_amount": "0",
                    "usage_type": "''"},
            f"SELECT * {aws} AND round(cost * {format(TAX_RATE, 'f')}, 2) > 0")
        ins("Credit", {"unblended_cost": f"-round(cost * {format(CREDIT_RATE, 'f')}, 2)",
                       "description": "'AWS Credit - Promotional credit (EDP migration incentive)'",
                       "usage_amount": "0", "usage_type": "''"},
            "SELECT usage_account_id, 'AmazonEC2' AS product_code, sum(cost) AS cost "
            f"{aws} GROUP BY ALL HAVING round(sum(cost) * {format(CREDIT_RATE, 'f')}, 2) > 0")
        ins("BundledDiscount", {"unblended_cost": "-least(cost, 3)", "usage_amount": "-least(cost, 3) / 0.30",
                                "usage_type": "'USE1-CW:MetricMonitorUsage'", "operation": "'MetricStorage'",
                                "description": "'Free tier bundle: 10 CloudWatch metrics per month'",
                                "unit": "'Metrics'"},
            f"SELECT * {aws} AND product_code = 'AmazonCloudWatch' AND cost > 0")
        k = self.k
        prev = add_months(m.start, -1)
        second = self.spec.accounts[1][0]
        ins("Refund", {"unblended_cost": dlit(-D("12.50") * k), "usage_start": ts(prev + dt.timedelta(days=2)),
                       "usage_end": ts(prev + dt.timedelta(days=3)), "usage_amount": "0",
                       "usage_type": "'USE1-InstanceUsage:db.m5.large'",
                       "description": f"'Refund for service issue on {prev:%Y-%m-%d} (case 7{m.idx}4219)'"},
            f"SELECT '{second}' AS usage_account_id, 'AmazonRDS' AS product_code")
        mp = dict(base)
        mp.update({
            "line_item_id": line_item_id_expr(f"hash({self.seed}, {self.rep}, {m.idx}, 'mpfee')"),
            "line_item_type": "'Fee'",
            "invoice_id": self._marketplace_invoice(m),
            "billing_entity": "'AWS Marketplace'",
            "bill_type": "'Purchase'",
            "legal_entity": "'Lumen Software Inc.'",
            "usage_account_id": q(self.spec.payer),
            "product_code": "'prod-lumen-apm'",
            "product_name": "'Lumen APM Enterprise (AWS Marketplace)'",
            "servicecode": "'prod-lumen-apm'",
            "usage_type": "'MP:Subscription-Monthly'",
            "usage_amount": "1",
            "unblended_rate": dlit(D("499.00") * k),
            "unblended_cost": dlit(D("499.00") * k),
            "net_unblended_cost": dlit(D("499.00") * k),
            "description": "'Lumen APM Enterprise monthly subscription fee'",
            "unit": "'Units'",
        })
        con.execute(f"INSERT INTO small SELECT {canonical_select(mp)}")

    # -- truth ------------------------------------------------------------------------------
    AMORTIZED = """CASE line_item_type
        WHEN 'SavingsPlanCoveredUsage' THEN sp_effective_cost
        WHEN 'DiscountedUsage' THEN ri_effective_cost
        WHEN 'SavingsPlanRecurringFee' THEN sp_total_commitment_to_date - sp_used_commitment
        WHEN 'RIFee' THEN ri_unused_amortized_upfront_fee_for_bp + ri_unused_recurring_fee
        WHEN 'SavingsPlanNegation' THEN 0
        WHEN 'SavingsPlanUpfrontFee' THEN 0
        WHEN 'Fee' THEN CASE WHEN ri_arn IS NOT NULL THEN 0 ELSE unblended_cost END
        ELSE unblended_cost END"""

    def truth_totals(self) -> tuple[Decimal, Decimal, int]:
        billed_col = "net_unblended_cost" if self.spec.has_net else "unblended_cost"
        billed_bulk = "net" if self.spec.has_net else "cost"
        row = self.con.execute(f"""
            SELECT CAST(b.billed + s.billed AS DECIMAL(38,10)), CAST(b.amort + s.amort AS DECIMAL(38,10)), b.n + s.n
            FROM (SELECT coalesce(sum({billed_bulk}), 0) AS billed, coalesce(sum(cost), 0) AS amort,
                         coalesce(sum(n), 0) AS n FROM bulk_agg) b,
                 (SELECT coalesce(sum({billed_col}), 0) AS billed, coalesce(sum({self.AMORTIZED}), 0) AS amort,
                         count(*) AS n FROM small) s""").fetchone()
        return row[0], row[1], int(row[2])

    def emitted_commitments(self) -> list[Commitment]:
        """The commitments whose ARN appears in the window: active hours in a month (RIFee, recurring fee,
        covered usage) or the upfront purchase inside the window."""
        return [cm for cm in self.commitments
                if any(cm.active(m)[1] > cm.active(m)[0] or (cm.upfront_total > 0 and m.start <= cm.start < m.end)
                       for m in self.months)]

    def collect_commitment_usage(self, m: Month) -> None:
        """Append month m's commitment_usage_daily truth to temp table `commitment_usage` (call after build_small:
        reads cmt and fc, i.e. the current delivery). One row per commitment and UTC day with active hours.
        RI: quantities in instance-hours, effective cost (a + r) per hour; SP: quantities in USD
        (committed c per active hour, used = Σ sp_rate of the covered hours = SavingsPlanEffectiveCost)."""
        sql = f"""
            SELECT arn AS commitment_discount_id, CAST({ts(m.start)} + to_days(d) AS DATE) AS day,
                   CASE kind WHEN 'RI' THEN 'Hours' ELSE 'USD' END AS unit,
                   committed AS committed_quantity, used AS used_quantity, committed - used AS unused_quantity,
                   CAST(CASE kind WHEN 'RI' THEN (a + r) * n ELSE used END AS {D38}) AS used_effective_cost,
                   CAST(CASE kind WHEN 'RI' THEN (a + r) * (units * hours - n) ELSE committed - used END AS {D38})
                     AS unused_effective_cost
            FROM (SELECT *, CAST(CASE kind WHEN 'RI' THEN units * hours ELSE c * hours END AS {D38}) AS committed,
                         CAST(CASE kind WHEN 'RI' THEN n ELSE sp_used END AS {D38}) AS used
                  FROM (SELECT c.ckey, c.kind, c.arn, c.units, c.a, c.r, c.c, t.d,
                               greatest(0, least(c.hb, 24 * t.d + 24) - greatest(c.ha, 24 * t.d)) AS hours,
                               coalesce(u.n, 0) AS n, coalesce(u.sp_used, 0) AS sp_used
                        FROM cmt c CROSS JOIN range({m.days}) t(d)
                        LEFT JOIN (SELECT ckey, hour // 24 AS d, count(*) AS n, sum(sp_rate) AS sp_used
                                   FROM fc WHERE covered GROUP BY ALL) u ON u.ckey = c.ckey AND u.d = t.d))
            WHERE committed > 0"""
        if m.idx == self.months[0].idx:
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE commitment_usage AS {sql}")
        else:
            self.con.execute(f"INSERT INTO commitment_usage BY NAME {sql}")

    def owners_sql(self) -> str:
        parts = []
        tr = owner_truth_exprs()
        cols = ", ".join(f"{v} AS {k}" for k, v in tr.items())
        for space in dict.fromkeys(p.space for p in PROFILES):
            rid = self._resource_id_expr(space)
            if rid is None:
                continue
            sid = SPACE_IDS[space]
            l1 = f"SELECT r AS j, r, hash({self.seed}, {self.rep}, {sid}, r) AS hr FROM range({self.R[space]}) t(r)"
            parts.append(f"SELECT {rid} AS resource_id, {cols} FROM ({self._resource_base(space, l1)})")
        fleet_vals = ", ".join(f"({i}, {q(rid)})" for i, _, _, _, _, rid in self.fleet)
        parts.append(
            f"SELECT resource_id, {cols} FROM (SELECT resource_id, {owner_attr_select('hr')} FROM "
            f"(SELECT rid AS resource_id, hash({self.seed}, {self.rep}, {SPACE_IDS['fleet']}, inst) AS hr "
            f"FROM (VALUES {fleet_vals}) v(inst, rid)))")
        base_vals = ", ".join(f"({i}, {q(rid)})" for i, _, _, _, rid in self.baseline)
        parts.append(
            f"SELECT resource_id, {cols} FROM (SELECT resource_id, {owner_attr_select('hr')} FROM "
            f"(SELECT rid AS resource_id, hash({self.seed}, {self.rep}, {SPACE_IDS['baseline']}, inst) AS hr "
            f"FROM (VALUES {base_vals}) v(inst, rid)))")
        return " UNION ALL ".join(parts)
