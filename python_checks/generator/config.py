"""Static dimension data for the synthetic billing generator (all fictional)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

D = Decimal

# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    key: str  # "A" | "B" | "C"
    name: str
    flavour: str  # "csv" (legacy CUR, gzip CSV) | "athena" (legacy CUR parquet) | "cur2"
    source: str  # value for _truth/expected_totals.csv `source`
    payer: str
    payer_name: str
    accounts: tuple[tuple[str, str, int], ...]  # (account id, account name, weight); payer first
    company: str
    share: Decimal  # share of rows_per_month
    base_savings_plans: tuple[str, ...]  # keys of BASE_SAVINGS_PLANS
    has_net: bool = False
    index: int = 0
    business_units: tuple[str, ...] = field(default_factory=tuple)  # per account (cost category)


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        key="A",
        name="acme-payer-cur",
        flavour="csv",
        source="aws_cur",
        payer="111111111111",
        payer_name="acme-management",
        accounts=(
            ("111111111111", "acme-management", 1),
            ("210987654321", "acme-prod", 5),
            ("345678901234", "acme-staging", 2),
            ("456789012345", "acme-data", 3),
        ),
        company="acme",
        share=D("0.20"),
        base_savings_plans=("compute_3yr_no", "ec2_1yr_partial"),
        has_net=True,
        index=1,
        business_units=("Shared Services", "Commerce", "Commerce", "Analytics"),
    ),
    ReportSpec(
        key="B",
        name="globex-payer-cur",
        flavour="athena",
        source="aws_cur",
        payer="222222222222",
        payer_name="globex-root",
        accounts=(
            ("222222222222", "globex-root", 1),
            ("567890123456", "globex-workloads", 5),
            ("678901234567", "globex-sandbox", 2),
        ),
        company="globex",
        share=D("0.40"),
        base_savings_plans=("ec2_1yr_partial",),
        index=2,
        business_units=("Shared Services", "Engineering", "Engineering"),
    ),
    ReportSpec(
        key="C",
        name="initech-cur2",
        flavour="cur2",
        source="aws_cur2",
        payer="333333333333",
        payer_name="initech-management",
        accounts=(
            ("333333333333", "initech-management", 1),
            ("789012345678", "initech-production", 4),
        ),
        company="initech",
        share=D("0.40"),
        base_savings_plans=("compute_3yr_no",),
        index=3,
        business_units=("Shared Services", "Products"),
    ),
)

# ---------------------------------------------------------------------------------------------
# Geography and prices
# ---------------------------------------------------------------------------------------------

# (code, location name, usage-type prefix, price factor, weight)
REGIONS: tuple[tuple[str, str, str, Decimal, int], ...] = (
    ("us-east-1", "US East (N. Virginia)", "USE1", D("1.00"), 5),
    ("us-west-2", "US West (Oregon)", "USW2", D("1.00"), 2),
    ("eu-west-1", "EU (Ireland)", "EU", D("1.10"), 2),
    ("eu-central-1", "EU (Frankfurt)", "EUC1", D("1.15"), 1),
    ("ap-southeast-2", "Asia Pacific (Sydney)", "APS2", D("1.25"), 1),
)

# (instance type, normalization factor, us-east-1 Linux on-demand hourly rate)
INSTANCE_TYPES: tuple[tuple[str, Decimal, Decimal], ...] = (
    ("t3.medium", D("2"), D("0.0416")),
    ("m5.large", D("4"), D("0.096")),
    ("m5.xlarge", D("8"), D("0.192")),
    ("m5.2xlarge", D("16"), D("0.384")),
    ("c5.large", D("4"), D("0.085")),
    ("c5.2xlarge", D("16"), D("0.34")),
    ("r5.large", D("4"), D("0.126")),
    ("m6g.large", D("4"), D("0.077")),
)
SPOT_FACTOR = D("0.35")
RDS_FACTOR = D("1.75")

# ---------------------------------------------------------------------------------------------
# Owners and tag mess
# ---------------------------------------------------------------------------------------------

TEAMS = ("platform", "payments", "search", "data", "ml", "web")
TEAM_PRODUCTS = {
    "platform": ("core-infra", "k8s-platform"),
    "payments": ("checkout", "billing-engine"),
    "search": ("search-api", "indexer"),
    "data": ("datalake", "etl"),
    "ml": ("recommender", "feature-store"),
    "web": ("storefront", "cms"),
}
TEAM_COST_CENTRES = {
    "platform": "CC-1001",
    "payments": "CC-1002",
    "search": "CC-1003",
    "data": "CC-1004",
    "ml": "CC-1005",
    "web": "CC-1006",
}
# messy spellings of a team value (typo, trailing space, case, unicode)
TEAM_MESSY = {
    "platform": "platfrom",
    "payments": "Payments ",
    "search": "SEARCH",
    "data": "données",
    "ml": "équipe-α",
    "web": " Web",
}
ENVIRONMENTS = ("prod", "staging", "dev")
ENV_WEIGHTS = (5, 2, 3)
ENV_MESSY = {"prod": "Production", "staging": "stg", "dev": "DEV"}
CREATED_BY = (
    "IAMUser:AIDA4EXAMPLE7ALICE:alice",
    "AssumedRole:AROA4EXAMPLETERRAFORM:terraform-ci",
    "AssumedRole:AROA4EXAMPLEKARPENTER:karpenter",
)

# ---------------------------------------------------------------------------------------------
# Account owners (account_owners.csv). One account changes owner on the 15th of a middle month.
# ---------------------------------------------------------------------------------------------
ACCOUNT_TEAMS = {
    "111111111111": "platform",
    "210987654321": "payments",
    "345678901234": "search",  # -> "web" from the 15th of the middle month
    "456789012345": "data",
    "222222222222": "platform",
    "567890123456": "ml",
    "678901234567": "web",
    "333333333333": "platform",
    "789012345678": "search",
}
OWNER_CHANGE_ACCOUNT = "345678901234"
OWNER_CHANGE_NEW_TEAM = "web"
ACCOUNT_OWNERS_SINCE = "2024-01-01"

# ---------------------------------------------------------------------------------------------
# Commitments (per report; amounts scaled by an integer factor k that grows with the size).
# Rates are chosen with few decimals so that every product is exact in DECIMAL(18,10).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RISpec:
    key: str
    instance_type: str
    region: str
    units_per_k: int
    term_years: int
    payment: str  # "All Upfront" | "Partial Upfront" | "No Upfront"
    amortized_hourly: Decimal  # a: upfront amortised per instance hour
    recurring_hourly: Decimal  # r: recurring fee per instance hour
    timing: str  # "before" (active all window) | "starts" (starts in window) | "expires"


RIS: tuple[RISpec, ...] = (
    RISpec("ri_3yr_all", "m5.xlarge", "us-east-1", 2, 3, "All Upfront", D("0.0780"), D("0"), "before"),
    RISpec("ri_1yr_partial", "m5.large", "us-east-1", 1, 1, "Partial Upfront", D("0.0290"), D("0.0280"), "starts"),
    RISpec("ri_1yr_no", "c5.large", "us-west-2", 1, 1, "No Upfront", D("0"), D("0.0540"), "expires"),
)


@dataclass(frozen=True)
class SPSpec:
    key: str
    offering: str  # "ComputeSavingsPlans" | "EC2InstanceSavingsPlans"
    instance_type: str
    region: str
    units_per_k: int  # hourly commitment = units * sp_rate (fully used with `units` instances)
    term_years: int
    payment: str
    sp_rate: Decimal


BASE_SAVINGS_PLANS = {
    "compute_3yr_no": SPSpec("compute_3yr_no", "ComputeSavingsPlans", "m5.large", "us-east-1", 2, 3, "No Upfront", D("0.0624")),
    "ec2_1yr_partial": SPSpec("ec2_1yr_partial", "EC2InstanceSavingsPlans", "m5.2xlarge", "us-east-1", 1, 1, "Partial Upfront", D("0.2304")),
}
# A new 1-year Compute SP is purchased in every report every month (day 5): alternating All/Partial
# upfront, so a SavingsPlanUpfrontFee exists in every month.
MONTHLY_SP_RATE = D("0.0552")  # c5.large compute SP rate (on-demand 0.085)
MONTHLY_SP_TYPE = "c5.large"
MONTHLY_SP_REGION = "us-east-1"

HOURS_PER_YEAR = 8760

# ---------------------------------------------------------------------------------------------
# Always-on on-demand EC2 baseline (per report): a steady tier that nobody bought a commitment for,
# i.e. what fct_commitment_recommendations is meant to find. `instances_per_k * k` instances of one type
# run in one usage account and region every hour of every month as plain `Usage` (OnDemand, public
# on-demand price, EDP net like the other on-demand rows); one of them is stopped for a few days in the
# middle month. Type / region combinations are chosen so that no RI or EC2 Instance SP of the report
# (size-flexible: same family and region) could apply to them.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineSpec:
    account: str  # usage account (one member account of the report)
    region: str
    instance_type: str
    instances_per_k: int
    stop_days: tuple[int, int] = (3, 5)  # one instance stops this many (min, max) days in the middle month


BASELINE_ONDEMAND: dict[str, BaselineSpec] = {
    "A": BaselineSpec("210987654321", "eu-west-1", "m5.large", 3),  # acme-prod
    "B": BaselineSpec("567890123456", "us-east-1", "c5.large", 4),  # globex-workloads
    "C": BaselineSpec("789012345678", "us-west-2", "m5.xlarge", 2),  # initech-production
}

# ---------------------------------------------------------------------------------------------
# FOCUS providers
# ---------------------------------------------------------------------------------------------
FOCUS10_EXPORT = "kestrel-focus10"
FOCUS12_EXPORT = "orbital-focus12"
