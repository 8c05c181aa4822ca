-- `request_traces` is read by request id only: its second index cost every trace write an
-- index insertion for a query nothing runs, and its key compares bytewise (`COLLATE "C"`),
-- which costs the upserts' index descents a fraction of a locale-aware compare. Derived
-- state, so rewriting the table is harmless.
DROP INDEX IF EXISTS request_traces_zone_time_idx;
ALTER TABLE request_traces ALTER COLUMN request_id TYPE text COLLATE "C";
