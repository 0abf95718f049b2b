"""User-maintained mapping files: what billing data lacks, supplied as CSV in FINOPS_MAPPINGS_DIR.

Each file is optional. `finops load` validates every file it finds and writes it, typed, to a
`raw.mapping_<name>` table (an empty table when the file is absent), so models never depend on
a file existing. A file that breaks its rules stops the load with one sentence naming the file,
the row and what to fix; nothing is half-loaded (one transaction). Rules within one file are
checked as it is read, rules between files (known dimension, owner, rule and driver; fixed
weights; cycles and order between owner pools) once every file is read.

| file                           | what it adds                                                   |
|--------------------------------|----------------------------------------------------------------|
| `commitments.csv`              | terms of commitments the billing data does not state (below)   |
| `accounts.csv`                 | display names of billing and sub accounts (below)              |
| `tag_dimensions.csv`           | tag dimensions: which count for compliance, which is the owner |
| `tag_keys.csv`                 | the tag keys (as billed) feeding each dimension, by priority   |
| `tag_values.csv`               | allowed values per dimension, with `|`-separated aliases       |
| `account_owners.csv`           | the owner of a billing or sub account, per dated period        |
| `shared_cost_rules.csv`        | shared-cost pools (filters or an owner) and how to split them  |
| `shared_cost_rule_targets.csv` | who receives a rule's shares; weight_percent for fixed rules   |
| `business_drivers.csv`         | daily driver quantities per owner, for driver-based splits     |
| `exchange_rates.csv`           | monthly rates from each billing currency to one reporting one   |
| `budgets.csv`                  | budgets per scope and period, with alert thresholds (below)      |

Tag keys compare lower case with only letters and digits kept (`Cost-Center` = `costcenter`);
values, aliases and owners compare lower case, trimmed, inner whitespace collapsed. Owners are
stored canonical: the tag_values.csv value of the owner dimension when values are listed for it,
else the normalised text. Without rows in tag_dimensions.csv the one dimension is `team`, the
owner dimension. No owner may be called `unallocated`, the bucket for cost nobody owns.

`exchange_rates.csv`: from_currency, to_currency (ISO 4217; one to_currency, the reporting
currency, for the whole file), month (YYYY-MM, the billing period) and rate (> 0: units of
to_currency per unit of from_currency). One row per currency and month.

`budgets.csv`: budget_id (letters, digits, _ . -), scope_type (whole_bill | provider | billing_account |
owner | service_category | tag), scope_value (empty for whole_bill; an owner or a tag value is checked
against tag_values.csv and stored canonical; a tag is dimension=value of a non-owner dimension), period
(month | quarter | year), amount (> 0) and currency (ISO 4217; other than the reporting currency it needs
rates in exchange_rates.csv), cost_basis (billed | effective), thresholds (`|`-separated
<percent>:actual or <percent>:forecast, each once), effective_from / effective_to (optional dates), note.

`accounts.csv`: account_id (a billing account, billing profile, AWS account, subscription or project
id, as billed) and account_name (its display name), one row per id. A name here wins over the one
the export states; an id named nowhere is its own name (DECISIONLOG D45).

`commitments.csv` columns (only `commitment_discount_id` is required; an empty cell means "take
it from the billing data"):
  commitment_discount_id       the CommitmentDiscountId as billed
  term_start, term_end         the term, ISO date or date-time (UTC), end exclusive
  term_months                  term length, when term_end is not given
  payment_option               All Upfront | Partial Upfront | No Upfront
  scope                        free text: where the commitment applies (region, family, account)
  committed_quantity_per_hour  what the commitment provides per hour, in committed_unit
  committed_unit               the unit of committed_quantity_per_hour (e.g. Hours, USD)
  note                         free text for the reader
"""

from .across_files import check_across_files, read_mappings
from .one_file import read_mapping
from .specs import (
    ACCOUNT_OWNERS,
    ACCOUNTS,
    BUSINESS_DRIVERS,
    COMMITMENTS,
    EXCHANGE_RATES,
    MAPPING_FILES,
    SHARED_COST_RULE_TARGETS,
    SHARED_COST_RULES,
    TAG_DIMENSIONS,
    TAG_KEYS,
    TAG_VALUES,
    UNALLOCATED_OWNER,
    MappingError,
    normalize_tag_key,
    normalize_value,
)
from .tables import load_mappings, write_mappings

__all__ = [
    "ACCOUNT_OWNERS", "ACCOUNTS", "BUSINESS_DRIVERS", "COMMITMENTS", "EXCHANGE_RATES", "MAPPING_FILES",
    "SHARED_COST_RULE_TARGETS", "SHARED_COST_RULES", "TAG_DIMENSIONS", "TAG_KEYS", "TAG_VALUES",
    "UNALLOCATED_OWNER", "MappingError", "check_across_files", "load_mappings", "normalize_tag_key",
    "normalize_value", "read_mapping", "read_mappings", "write_mappings",
]
