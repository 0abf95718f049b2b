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
    flavor: str  # "csv" (legacy CUR, gzip CSV) | "athena" (legacy CUR parquet) | "cur2"
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
        flavor="csv",
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
        flavor="athena",
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
        flavor="cur2",
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
TEAM_COST_CENTERS = {
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

# ---------------------------------------------------------------------------------------------
# Azure cost details exports (azure.py). Two billing accounts: an EA enrollment (older EA column
# names, USD) and an MCA billing account (2023-05-01 camelCase names, EUR). Prices are per single
# unit with few decimals, so Cost = EffectivePrice * Quantity is exact at 12 decimal places.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AzureAccountSpec:
    key: str  # "EA" | "MCA"
    company: str  # export folders <company>-actual / <company>-amortized; truth `report`
    billing_account_id: str
    billing_account_name: str
    billing_profile_id: str  # truth billing_account_id (EA: the enrollment number)
    billing_profile_name: str
    currency: str
    subscriptions: tuple[tuple[str, str, int], ...]  # (subscription id, name, weight); the 2nd runs the fleets
    share: Decimal  # share of the Azure bulk rows
    price_factor: Decimal  # list prices in the billing currency = USD list * factor
    discount: Decimal  # negotiated UnitPrice = PayGPrice * discount
    index: int


AZURE_ACCOUNTS: tuple[AzureAccountSpec, ...] = (
    AzureAccountSpec(
        key="EA", company="contoso", billing_account_id="80012345", billing_account_name="Contoso Ltd (EA)",
        billing_profile_id="80012345", billing_profile_name="Contoso Ltd (EA)", currency="USD",
        subscriptions=(
            ("0b3c4d5e-1111-4a2b-8c3d-5e6f7a8b9c01", "contoso-shared", 1),
            ("1c4d5e6f-2222-4b3c-9d4e-6f7a8b9c0d12", "contoso-prod", 4),
            ("2d5e6f7a-3333-4c4d-8e5f-7a8b9c0d1e23", "contoso-dev", 2),
        ),
        share=D("0.60"), price_factor=D("1"), discount=D("0.9"), index=1,
    ),
    AzureAccountSpec(
        key="MCA", company="fabrikam",
        billing_account_id="5e7a1c2d-0000-4a6b-9c3d-1f2e3d4c5b6a:0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f_2019-05-31",
        billing_account_name="Fabrikam GmbH", billing_profile_id="AB12-CD34-EF5-GH6",
        billing_profile_name="Fabrikam Europe", currency="EUR",
        subscriptions=(
            ("3e6f7a8b-4444-4d5e-9f6a-8b9c0d1e2f34", "fabrikam-platform", 2),
            ("4f7a8b9c-5555-4e6f-8a7b-9c0d1e2f3a45", "fabrikam-web-prod", 3),
        ),
        share=D("0.40"), price_factor=D("0.92"), discount=D("1"), index=2,
    ),
)
AZURE_SUBSCRIPTION_TEAMS = {
    "0b3c4d5e-1111-4a2b-8c3d-5e6f7a8b9c01": "platform",
    "1c4d5e6f-2222-4b3c-9d4e-6f7a8b9c0d12": "payments",
    "2d5e6f7a-3333-4c4d-8e5f-7a8b9c0d1e23": "search",
    "3e6f7a8b-4444-4d5e-9f6a-8b9c0d1e2f34": "platform",
    "4f7a8b9c-5555-4e6f-8a7b-9c0d1e2f3a45": "web",
}
# (ARM region, meter region, display location)
AZURE_REGIONS: tuple[tuple[str, str, str], ...] = (
    ("eastus", "US East", "East US"),
    ("westeurope", "EU West", "West Europe"),
    ("northeurope", "EU North", "North Europe"),
    ("uksouth", "UK South", "UK South"),
)


@dataclass(frozen=True)
class AzureMeter:
    key: str
    category: str
    sub_category: str
    meter_name: str
    service_family: str
    consumed_service: str
    resource_type: str  # ARM provider/type of the resource id
    unit: str  # UnitOfMeasure as Azure writes it; Quantity is always in single units
    payg: Decimal  # USD list price per single unit
    kind: str  # hours | vcore_hours | gbmonth | gb | ops
    pricing_model: str  # OnDemand | Spot
    weight: int


AZURE_METERS: tuple[AzureMeter, ...] = (
    AzureMeter("vm_d2s", "Virtual Machines", "Dsv3 Series", "D2s v3", "Compute", "Microsoft.Compute",
               "Microsoft.Compute/virtualMachines", "1 Hour", D("0.096"), "hours", "OnDemand", 18),
    AzureMeter("vm_d4s", "Virtual Machines", "Dsv3 Series", "D4s v3", "Compute", "Microsoft.Compute",
               "Microsoft.Compute/virtualMachines", "1 Hour", D("0.192"), "hours", "OnDemand", 10),
    AzureMeter("vm_b2s", "Virtual Machines", "BS Series", "B2s", "Compute", "Microsoft.Compute",
               "Microsoft.Compute/virtualMachines", "10 Hours", D("0.0416"), "hours", "OnDemand", 8),
    AzureMeter("vm_spot", "Virtual Machines", "Dsv3 Series", "D4s v3 Spot", "Compute", "Microsoft.Compute",
               "Microsoft.Compute/virtualMachines", "1 Hour", D("0.0384"), "hours", "Spot", 6),
    AzureMeter("disk_p", "Storage", "Premium SSD v2 Managed Disks", "Premium LRS Provisioned Capacity", "Storage",
               "Microsoft.Compute", "Microsoft.Compute/disks", "1 GB/Month", D("0.0806"), "gbmonth", "OnDemand", 10),
    AzureMeter("blob_hot", "Storage", "Tiered Block Blob", "Hot LRS Data Stored", "Storage", "Microsoft.Storage",
               "Microsoft.Storage/storageAccounts", "1 GB/Month", D("0.0184"), "gbmonth", "OnDemand", 8),
    AzureMeter("blob_ops", "Storage", "Tiered Block Blob", "Hot LRS Write Operations", "Storage", "Microsoft.Storage",
               "Microsoft.Storage/storageAccounts", "10K", D("0.0000055"), "ops", "OnDemand", 6),
    AzureMeter("sql_gp", "SQL Database", "General Purpose - Compute Gen5", "vCore", "Databases", "Microsoft.Sql",
               "Microsoft.Sql/servers/databases", "1 Hour", D("0.2522"), "vcore_hours", "OnDemand", 8),
    AzureMeter("egress", "Bandwidth", "Rtn Preference: MGN", "Standard Data Transfer Out", "Networking",
               "Microsoft.Network", "Microsoft.Network/publicIPAddresses", "1 GB", D("0.087"), "gb", "OnDemand", 6),
    AzureMeter("app_p1v3", "Azure App Service", "Premium v3 Plan", "P1 v3 App", "Compute", "Microsoft.Web",
               "Microsoft.Web/serverfarms", "1 Hour", D("0.2"), "hours", "OnDemand", 6),
    AzureMeter("aci_vcpu", "Container Instances", "Standard", "Standard vCPU Duration", "Containers",
               "Microsoft.ContainerInstance", "Microsoft.ContainerInstance/containerGroups", "100 Hours",
               D("0.0405"), "hours", "OnDemand", 4),
)


@dataclass(frozen=True)
class AzureCommitmentSpec:
    key: str
    kind: str  # "Reservation" | "SavingsPlan"
    name: str
    meter_key: str  # the VM meter its fleet runs
    units_per_k: int  # reserved instances (Reservation) / instances the savings plan is sized for
    rate_factor: Decimal  # amortised price per instance hour = list price * price_factor * rate_factor
    frequency: str  # "Recurring" (billed monthly) | "OneTime" (paid upfront)
    timing: str  # "before" (bought before the window) | "bought" (day 10 of the first month) | "refunded"


AZURE_COMMITMENTS: tuple[AzureCommitmentSpec, ...] = (
    AzureCommitmentSpec("ri-d4s-monthly", "Reservation", "VM_RI_D4s_v3_monthly", "vm_d4s", 2, D("0.6"),
                        "Recurring", "before"),
    AzureCommitmentSpec("ri-d2s-upfront", "Reservation", "VM_RI_D2s_v3_upfront", "vm_d2s", 2, D("0.55"),
                        "OneTime", "bought"),
    AzureCommitmentSpec("sp-compute", "SavingsPlan", "Compute_SP_1yr_monthly", "vm_d2s", 3, D("0.7"),
                        "Recurring", "before"),
    AzureCommitmentSpec("ri-b2s-returned", "Reservation", "VM_RI_B2s_returned", "vm_b2s", 1, D("0.5"),
                        "OneTime", "refunded"),
)
AZURE_REFUND_DAY = 12  # the returned reservation is refunded on this day of the last month
AZURE_MARKETPLACE = (("Datadog", "datadog-saas", "Datadog Pro (Azure Marketplace)", D("150")),
                     ("Elastic", "ec-azure-pp", "Elastic Cloud (Elasticsearch Service)", D("95.5")))
AZURE_TAX_RATE = D("0.19")  # MCA (EUR) only

# ---------------------------------------------------------------------------------------------
# Google Cloud billing export (gcp.py): two billing accounts, USD and GBP.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GcpAccountSpec:
    billing_account_id: str
    currency: str
    conversion_rate: Decimal  # currency per USD (currency_conversion_rate)
    price_factor: Decimal  # prices in the billing currency = USD price * factor
    projects: tuple[tuple[str, str, str, int], ...]  # (project id, number, name, weight); the 1st runs the CUD fleet
    organization: str  # ancestry root number
    share: Decimal
    tax_rate: Decimal
    index: int

    @property
    def export(self) -> str:
        return "gcp_billing_export_v1_" + self.billing_account_id.replace("-", "_")


GCP_ACCOUNTS: tuple[GcpAccountSpec, ...] = (
    GcpAccountSpec("01A2B3-C4D5E6-F7A8B9", "USD", D("1"), D("1"),
                   (("umbrella-prod", "123456789012", "Umbrella Production", 4),
                    ("umbrella-data", "234567890123", "Umbrella Data", 3),
                    ("umbrella-sandbox", "345678901234", "Umbrella Sandbox", 1)),
                   "618273645546", D("0.60"), D("0.08"), 1),
    GcpAccountSpec("0F1E2D-3C4B5A-697887", "GBP", D("0.79"), D("0.8"),
                   (("hooli-web", "456789012345", "Hooli Web", 3),
                    ("hooli-ml", "567890123456", "Hooli ML", 2)),
                   "729384756657", D("0.40"), D("0.20"), 2),
)
GCP_PROJECT_TEAMS = {
    "umbrella-prod": "payments",
    "umbrella-data": "data",
    "umbrella-sandbox": "ml",
    "hooli-web": "web",
    "hooli-ml": "ml",
}
# (region, country, location, zones)
GCP_REGIONS: tuple[tuple[str, str], ...] = (("us-central1", "US"), ("us-east1", "US"), ("europe-west2", "GB"))
