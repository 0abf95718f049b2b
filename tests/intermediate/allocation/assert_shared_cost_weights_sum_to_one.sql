-- A shared-cost split hands out the whole pool: per rule and scope the targets' weights are
-- positive and their cumulative sums run from 0 to the total, so the shares' fractions sum to 1.
select
    rule_id,
    billing_account_id,
    billing_period_start,
    billing_currency,
    sum(weight_units) as weight_units,
    min(cumulative_weight_before) as first_cumulative_before,
    max(cumulative_weight_through) as last_cumulative_through,
    min(total_weight_units) as total_weight_units
from {{ ref('int_shared_cost_weights') }}
group by 1, 2, 3, 4
having
    min(weight_units) <= 0
    or min(cumulative_weight_before) <> 0
    or max(cumulative_weight_through) <> min(total_weight_units)
    or sum(weight_units) <> min(total_weight_units)
    or min(total_weight_units) <> max(total_weight_units)
