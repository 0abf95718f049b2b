-- No row allocated twice, none lost: the allocated pieces of every daily cost slice add up to the
-- slice's billed and effective cost exactly, and every slice has pieces. The comparison is the model
-- int_charges_allocation_differences, written in batches of deliveries (D85): as this test's own
-- query, a full outer join of every slice with its summed pieces, it spilled more than 30 GB at
-- 100 M rows. Each of its rows is a slice that breaks the rule.
select * from {{ ref('int_charges_allocation_differences') }}
