{{ config(severity='warn') }}
-- A row of the user's commitments.csv whose commitment_discount_id appears in no billing row does
-- nothing; this lists them (a typo, or a commitment whose charges are not loaded yet).
with

user_commitments as (
    select * from {{ ref('stg_mappings__commitments') }}
),

commitments as (
    select * from {{ ref('int_commitments') }}
)

select user_commitments.commitment_discount_id
from user_commitments
where not exists (
    select 1
    from commitments
    where commitments.commitment_discount_id = user_commitments.commitment_discount_id
)
