-- Chains per zone (SPEC §3, issue 17): every zone is one hash chain, numbered from 1 without
-- gaps in commit order, as Caracal numbers `chain_seq`, so a reader can page a zone by
-- `chain_seq`. A zone's chain gets its `chain_id` (the handle the batch heads, watermarks,
-- manifests and id index use) the first time the zone is written, through the owner function
-- `auditflow_zone_chain`, which also creates the chain's watermark rows.
--
-- A ledger written before this migration keeps its chains per shard (ids `0..shards`); they
-- are closed (nothing more is appended to them) and keep verifying. Zone chains get the ids
-- after them. `adopted_seq` and `adopted_head` record, for a ledger adopted from Caracal, the
-- head of the zone's chain as Caracal left it: auditflow continues at `adopted_seq + 1`.
CREATE SEQUENCE audit_zone_chain_ids AS integer MINVALUE 0 START 0;
SELECT setval('audit_zone_chain_ids', coalesce((SELECT max(chain_id) + 1 FROM audit_ingest_watermarks), 0), false);
CREATE TABLE audit_zone_chains (
    zone_id      text        PRIMARY KEY,
    chain_id     integer     NOT NULL UNIQUE DEFAULT nextval('audit_zone_chain_ids'),
    adopted_seq  bigint      NOT NULL DEFAULT 0 CHECK (adopted_seq >= 0),
    adopted_head text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE audit_zone_chain_ids OWNED BY audit_zone_chains.chain_id;
CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_zone_chains
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_zone_chains
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();

-- The chains that were per shard, closed by this migration (none in a new ledger).
INSERT INTO auditflow_meta (key, value)
SELECT 'shard_chains_closed', count(*)::text FROM audit_ingest_watermarks WHERE sink = 'ledger'
HAVING count(*) > 0;

-- Readers page a zone by chain_seq (Caracal's notification dispatcher, /api/audit/search).
-- A ledger adopted from Caracal already has this index under Caracal's name.
DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                   WHERE x.indrelid = 'audit_events'::regclass
                     AND pg_get_indexdef(x.indexrelid) ~ '\(zone_id, chain_seq( DESC)?\)$') THEN
        CREATE INDEX audit_events_zone_seq_idx ON audit_events (zone_id, chain_seq);
    END IF;
END
$do$;

-- The zone's chain, created on first use with its watermark rows. Under Caracal's own zone
-- lock (pg_advisory_xact_lock(hashtext(zone))), so that on an adopted ledger the head read
-- from Caracal's rows cannot move while it is taken over.
CREATE FUNCTION auditflow_zone_chain(zone text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    cid  integer;
    seq  bigint := 0;
    head text;
BEGIN
    SELECT chain_id INTO cid FROM audit_zone_chains WHERE zone_id = zone;
    IF cid IS NOT NULL THEN
        RETURN cid;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext(zone));
    SELECT chain_id INTO cid FROM audit_zone_chains WHERE zone_id = zone;
    IF cid IS NOT NULL THEN
        RETURN cid;
    END IF;
    IF EXISTS (SELECT 1 FROM auditflow_meta WHERE key = 'adopted_from') THEN
        SELECT e.chain_seq, e.content_sha256 INTO seq, head FROM audit_events e
        WHERE e.zone_id = zone AND e.chain_id IS NULL
        ORDER BY e.chain_seq DESC NULLS LAST LIMIT 1;
        seq := coalesce(seq, 0);
    END IF;
    INSERT INTO audit_zone_chains (zone_id, adopted_seq, adopted_head) VALUES (zone, seq, head)
    RETURNING chain_id INTO cid;
    INSERT INTO audit_ingest_watermarks (sink, chain_id, chain_seq, head_content_sha256)
    VALUES ('ledger', cid, seq, head);
    INSERT INTO audit_export_watermarks (chain_id, to_seq) VALUES (cid, seq);
    RETURN cid;
END
$fn$;
REVOKE ALL ON FUNCTION auditflow_zone_chain(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auditflow_zone_chain(text) TO auditflow_writer;
REVOKE ALL ON audit_zone_chains FROM PUBLIC;
GRANT SELECT ON audit_zone_chains TO auditflow_writer;

-- A tamper alert names the zone it is about (Caracal's alerts do).
ALTER TABLE audit_ingest_alerts ADD COLUMN IF NOT EXISTS zone_id text;

-- Ids of rows Caracal wrote ('caracal'; NULL for auditflow's): their content_sha256 is
-- Caracal's hash, so a re-delivery is compared with Caracal's algorithm.
ALTER TABLE audit_event_ids ADD COLUMN written_by text;

-- Retention: rows without a chain_id are Caracal's, archived by Caracal's own hourly export
-- (auditflow's archive starts at the adoption), so only auditflow's chains are checked
-- against auditflow's archive.
CREATE OR REPLACE FUNCTION auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text)
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
    FOR chain IN EXECUTE format('SELECT chain_id, max(chain_seq) AS top FROM %I WHERE chain_id IS NOT NULL GROUP BY chain_id', part) LOOP
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
