-- Every staged Azure cost details row with what it means for the bill (concept_azure_in_focus):
--   * which rows FOCUS carries: the amortized export carries every row except commitment purchases
--     and refunds; the actual export carries only commitment purchases and refunds (PricingModel
--     Reservation or SavingsPlan). Its other rows are the same charges the amortized export already
--     has, and they are kept here to give the bill's actual-cost total;
--   * what each row counts in the bill on each basis: the actual export is the billed amount, the
--     amortized export the amortized one;
--   * what FOCUS BilledCost and EffectiveCost get from a carried row.
-- A row FOCUS does not carry is only held to what the reconciliation needs (its cost must parse),
-- so staging's quarantine reason counts for it only then.
with

cost_details as (
    select * from {{ ref('stg_azure__cost_details') }}
),

carried as (
    select
        cost_details.* rename (quarantine_reason as staged_quarantine_reason),  -- noqa: RF03
        case
            when cost_details.export_type = 'amortized' then not cost_details.is_commitment_purchase
            else cost_details.is_commitment_purchase
        end as is_carried
    from cost_details
),

final as (
    select
        * exclude (staged_quarantine_reason),
        case
            when is_carried or cost is null then staged_quarantine_reason
        end as quarantine_reason,
        case when export_type = 'actual' then cost else {{ to_money(0) }} end as azure_actual_cost,
        case when export_type = 'amortized' then cost else {{ to_money(0) }} end as azure_amortized_cost,
        case
            when not is_carried then {{ to_money(0) }}
            when export_type = 'actual' then cost
            when is_commitment_pricing and charge_type = 'Usage' then {{ to_money(0) }}
            when type_commitment_discount_status = 'Unused' then {{ to_money(0) }}
            else cost
        end as focus_row_billed_cost,
        case when is_carried and export_type = 'amortized' then cost else {{ to_money(0) }} end
            as focus_row_effective_cost
    from carried
)

select * from final
