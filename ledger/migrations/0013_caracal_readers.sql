-- Caracal's console reads audit_events directly (apps/api: the zone audit list and its
-- filters, by-request, explain, the overview, the notification dispatcher). Issue 33:
--
-- * `audit_events_agent_labels_idx`: the GIN index Caracal's baseline has on the labels.
--   Besides serving `@>` (for a role that row-level security does not restrict), it gives the
--   planner statistics on the expression, as on Caracal's layout: the issue measured a label
--   filter with a decision, or with types and a cursor, at 22-55 ms on a ledger without it
--   against 2 ms on Caracal's. Figures under the console's role: docs/benchmarks.md.
-- * The session and authority-record filters (`metadata_json->>'agent_session_id' = $n`,
--   `->>'session_id'`): zone first, as every console query names one, then the key, then
--   time for the list's order. Partial on `IS NOT NULL`, which any `->> = $n` implies, so the
--   planner can use them; Caracal's `WHERE metadata_json ? '…'` indexes it cannot. On a
--   ledger auditflow created, the views' agent-session index of 0009 had that `?`
--   predicate too; the views' lookup is served by the new one, so the old one is dropped
--   (a ledger adopted from Caracal keeps Caracal's index of that name).
-- * `auditflow_console_retention_days()`: the retention Caracal's console wrote in
--   `audit_retention` (NULL without the table or a row), for retention to honour.
CREATE INDEX IF NOT EXISTS audit_events_agent_labels_idx ON audit_events USING gin ((metadata_json->'agent_labels'));
CREATE INDEX IF NOT EXISTS audit_events_zone_agent_session_time_idx
    ON audit_events (zone_id, (metadata_json->>'agent_session_id'), occurred_at DESC)
    WHERE (metadata_json->>'agent_session_id') IS NOT NULL;
CREATE INDEX IF NOT EXISTS audit_events_zone_session_time_idx
    ON audit_events (zone_id, (metadata_json->>'session_id'), occurred_at DESC)
    WHERE (metadata_json->>'session_id') IS NOT NULL;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'audit_events_agent_session_idx'
               AND indexdef LIKE '%zone_id%occurred_at%') THEN
        DROP INDEX audit_events_agent_session_idx;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION auditflow_console_retention_days() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE days integer;
BEGIN
    IF to_regclass('public.audit_retention') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT retention_days FROM public.audit_retention WHERE singleton' INTO days;
    RETURN days;
END
$$;
REVOKE ALL ON FUNCTION auditflow_console_retention_days() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auditflow_console_retention_days() TO auditflow_writer;
