-- Retention (SPEC §3): monthly partitions past their retention are dropped by the owner
-- function `auditflow_drop_month_partition`, which refuses, under the partition lock, a
-- month that is not old enough, overlaps an active legal hold or holds rows the archive
-- does not have yet, and records every drop append-only in `audit_retention_drops` in the
-- same transaction as the `DROP`.
--
-- A dropped month leaves its positions in the hash chains (chains run in ingestion order,
-- partitions by event month). The id index keeps each retired row's id, position and
-- `content_sha256`, so `verify` still re-derives every batch's Merkle root and checks the
-- link into the next surviving row; `audit_retired_events` lists those positions for the
-- archive checks. Re-delivered events of a retired month stay duplicates.
CREATE TABLE audit_retention_drops (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partition_name text        NOT NULL,
    from_at        timestamptz NOT NULL,
    until_at       timestamptz NOT NULL,
    rows_dropped   bigint      NOT NULL,
    retention_days integer     NOT NULL,
    requested_by   text        NOT NULL CHECK (requested_by <> ''),
    db_user        text        NOT NULL DEFAULT session_user,
    dropped_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (from_at < until_at)
);
CREATE INDEX audit_retention_drops_range_idx ON audit_retention_drops (from_at, until_at);
CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_retention_drops
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_retention_drops
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();
REVOKE ALL ON audit_retention_drops FROM PUBLIC;
GRANT SELECT ON audit_retention_drops TO auditflow_writer;

-- Positions whose rows retention dropped: in the id index, inside a dropped month, and not
-- in the ledger any more (a late event may have re-created the month since).
CREATE VIEW audit_retired_events AS
SELECT i.chain_id, i.chain_seq, i.id, i.occurred_at, i.content_sha256
FROM audit_event_ids i
WHERE EXISTS (SELECT 1 FROM audit_retention_drops d WHERE i.occurred_at >= d.from_at AND i.occurred_at < d.until_at)
  AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = i.id AND e.occurred_at = i.occurred_at);
REVOKE ALL ON audit_retired_events FROM PUBLIC;
GRANT SELECT ON audit_retired_events TO auditflow_writer;

-- The only way a month leaves the ledger. Returns the rows dropped, NULL when the month has
-- no partition. Every refusal names its reason (SQLSTATE 55000, object_not_in_prerequisite_state).
CREATE FUNCTION auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    m     date := date_trunc('month', month_start)::date;
    part  text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
    lo    timestamptz := (m::text || ' 00:00:00+00')::timestamptz;
    hi    timestamptz := ((m + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz;
    held  bigint;
    chain record;
    n     bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < 1 THEN
        RAISE EXCEPTION 'auditflow: retention_days must be at least 1, got %', retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(requested_by, '') = '' THEN
        RAISE EXCEPTION 'auditflow: say who drops the partition' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The partition lock: serialises with partition creation and with new legal holds.
    PERFORM pg_advisory_xact_lock({{PARTITION_LOCK_KEY}});
    IF to_regclass(part) IS NULL THEN
        RETURN NULL;
    END IF;
    IF hi > now() - make_interval(days => retention_days) THEN
        RAISE EXCEPTION 'auditflow: % holds events newer than % days', part, retention_days
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT h.id INTO held FROM audit_legal_holds h
    WHERE h.from_at < hi AND h.until_at > lo
      AND NOT EXISTS (SELECT 1 FROM audit_legal_hold_releases r WHERE r.hold_id = h.id)
    ORDER BY h.id LIMIT 1;
    IF held IS NOT NULL THEN
        RAISE EXCEPTION 'auditflow: % overlaps active legal hold %', part, held
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    FOR chain IN EXECUTE format('SELECT chain_id, max(chain_seq) AS top FROM %I GROUP BY chain_id', part) LOOP
        IF NOT EXISTS (SELECT 1 FROM audit_export_watermarks w
                       WHERE w.chain_id = chain.chain_id AND w.to_seq >= chain.top) THEN
            RAISE EXCEPTION 'auditflow: % holds rows of chain % up to position % that the archive does not have yet',
                part, chain.chain_id, chain.top
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END LOOP;
    EXECUTE format('SELECT count(*) FROM %I', part) INTO n;
    INSERT INTO audit_retention_drops (partition_name, from_at, until_at, rows_dropped, retention_days, requested_by)
    VALUES (part, lo, hi, n, retention_days, requested_by);
    EXECUTE format('DROP TABLE %I', part);
    RETURN n;
END
$fn$;
REVOKE ALL ON FUNCTION auditflow_drop_month_partition(date, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auditflow_drop_month_partition(date, integer, text) TO auditflow_writer;
