-- Every raw row of every source with the provider's own billed and amortised amounts and the
-- reason it was quarantined (NULL when it was used): staging's reason, else the FOCUS row rule one of
-- its FOCUS rows breaks after conforming (int_charges_rule_breaks, D46). The reconciliation's "raw" side
-- and the quarantine table both read this, so they cannot disagree about what a raw row was worth,
-- and int_charges_unioned publishes exactly the rows quarantined nowhere here.
--   billed_basis_cost / amortized_basis_cost: what the row adds to the provider's bill on each
--     basis (the raw side of fct_billing_reconciliation). For Azure the actual-cost export is the
--     billed basis and the amortised export the amortised one, so each row counts on one basis.
--   provider_billed_cost / provider_amortized_cost: what the row gives the FOCUS dataset when it
--     is carried (the quarantined side when it is not). For AWS and FOCUS exports both pairs agree.
-- Each provider states these in its int_<provider>__source_amounts (the provider contract).
with

-- Every provider's raw rows with their amounts (the provider contract's `source_amounts`).
provider_rows as (
    {{ union_providers('source_amounts') }}
),

-- Lines the reader rejected and the loader could not recover (recovered ones are rows of their
-- source above, `repair` in stg_landing__rejected_lines says how).
rejected_lines as (
    select * from {{ ref('stg_landing__rejected_lines') }}
    where repair is null
),

candidate_bills as (
    select * from {{ ref('int_unreadable_line_candidate_bills') }}
),

-- Source rows whose conformed FOCUS rows break a FOCUS row rule (one reason per source row).
rule_breaks as (
    select * from {{ ref('int_charges_rule_breaks') }}
),

-- The bill an unreadable line belongs to: the one bill of its file it can belong to; with several
-- candidates, what they all agree on (the rest stays unknown and each candidate is incomplete in
-- fct_billing_reconciliation); with none, what the line and its delivery folder say.
placements as (
    select
        source_file,
        source_line_number,
        case when count(distinct billing_account_id) = 1 then min(billing_account_id) end as billing_account_id,
        case when count(distinct billing_period_start) = 1 then min(billing_period_start) end as billing_period_start,
        case when count(distinct billing_currency) = 1 then min(billing_currency) end as billing_currency
    from candidate_bills
    group by 1, 2
),

-- Lines the CSV or JSON-lines reader could not use: their amounts are unknown, so they count as
-- rows (and lines of unknown amount) only, in the bill they are placed in.
rejected_amounts as (
    select
        rejected_lines.source_name,
        rejected_lines.export_name,
        rejected_lines.source_file,
        rejected_lines.source_line_number,
        rejected_lines.unread_line_count,
        rejected_lines.raw_line,
        coalesce(placements.billing_account_id, rejected_lines.line_billing_account_id) as billing_account_id,
        coalesce(
            placements.billing_period_start,
            rejected_lines.line_billing_period_start,
            rejected_lines.folder_period_start
        ) as billing_period_start,
        coalesce(placements.billing_currency, rejected_lines.line_billing_currency) as billing_currency,
        case
            when rejected_lines.error_type = 'invalid json' then 'unreadable JSON line: ' || rejected_lines.error_message
            when rejected_lines.source_name = 'gcp'
                then 'unreadable JSON line (' || rejected_lines.error_type || '): ' || rejected_lines.error_message
            else 'unreadable CSV line (' || rejected_lines.error_type || '): ' || rejected_lines.error_message
        end as quarantine_reason
    from rejected_lines
    left join placements
        on
            rejected_lines.source_file = placements.source_file
            and rejected_lines.source_line_number = placements.source_line_number
),

-- Provider rows and unreadable lines: each side names only what it knows, and `union all by
-- name` leaves the rest NULL (a line number and raw text only for unreadable lines).
unioned as (
    select * from provider_rows
    union all by name
    select * from rejected_amounts
),

reasoned as (
    select
        unioned.* exclude (quarantine_reason),
        coalesce(unioned.quarantine_reason, rule_breaks.quarantine_reason) as quarantine_reason
    from unioned
    left join rule_breaks
        on
            unioned.source_file = rule_breaks.source_file
            and unioned.source_row_number = rule_breaks.source_row_number
),

final as (
    select
        source_name,
        export_name,
        source_file,
        cast(source_row_number as bigint) as source_row_number,
        cast(source_line_number as bigint) as source_line_number,
        cast(source_line_item_id as varchar) as source_line_item_id,
        cast(source_line_item_type as varchar) as source_line_item_type,
        cast(billing_account_id as varchar) as billing_account_id,
        cast(billing_period_start as timestamp) as billing_period_start,
        cast(billing_currency as varchar) as billing_currency,
        {{ to_money('billed_basis_cost') }} as billed_basis_cost,
        {{ to_money('amortized_basis_cost') }} as amortized_basis_cost,
        {{ to_money('provider_billed_cost') }} as provider_billed_cost,
        {{ to_money('provider_amortized_cost') }} as provider_amortized_cost,
        -- 0 for every row but the usable AWS Savings Plan pairs above (amounts of unread lines are unknown).
        {{ to_money("case
            when quarantine_reason is null and is_netted_savings_plan_row then billed_basis_cost
            else 0
        end") }} as netted_billed_cost,
        -- Lines of unknown amount the row stands for: 0 for a row that was read with every amount,
        -- 1 for a row whose amount does not parse, the physical lines of an unreadable record (an
        -- unclosed quote swallows the lines after it).
        coalesce(unread_line_count, case when is_amount_unknown then 1 else 0 end) as unread_line_count,
        coalesce(is_netted_savings_plan_row, false) as is_netted_savings_plan_row,
        quarantine_reason,
        cast(raw_line as varchar) as raw_line
    from reasoned
)

select * from final
