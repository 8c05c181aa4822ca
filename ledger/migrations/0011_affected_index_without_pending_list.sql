-- The GIN index on `revocation_propagation.affected` (0010) without its pending list.
--
-- With `fastupdate` (GIN's default) every new entry goes to a pending list that each search
-- scans in full until a vacuum merges it. `affected` is rewritten on every status update, so
-- while the views wrote a 1M-event spread backlog the list held 44 516 entries (354 pages)
-- and each probe for an access on a retired session read all of them: 5.5 ms a probe, 19 %
-- of the drain's statement time, instead of 5 µs once merged. The list also made the index
-- look dear to the planner, which then scanned the table instead. Inserting straight into
-- the index costs each status write a little more; the table holds one row per revocation.
ALTER INDEX revocation_propagation_affected_idx SET (fastupdate = off);
-- Merge what a ledger written before this migration left pending.
SELECT gin_clean_pending_list('revocation_propagation_affected_idx'::regclass);
