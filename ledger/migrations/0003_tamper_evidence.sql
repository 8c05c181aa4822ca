-- Append-only enforcement and signed batch heads (SPEC §3).
--
-- * `audit_ledger_batches`: one row per committed batch of a chain, with the Merkle root
-- of its rows, its head and the Ed25519 signature over them (see `tamper`).
-- * The role `auditflow_writer` (no login; the pipeline's login role must be a member, or
-- a superuser, to `SET ROLE` to it) holds INSERT and SELECT on the evidence tables, UPDATE
-- only on the progress tables, and may create partitions only through the owner function
-- `auditflow_ensure_month_partition` (SECURITY DEFINER).
-- * Triggers refuse UPDATE, DELETE and TRUNCATE on the evidence tables for everybody, owner
-- included; each monthly partition gets its own TRUNCATE trigger (statement triggers are
-- not inherited by partitions).
CREATE TABLE audit_ledger_batches (
    chain_id            integer     NOT NULL,
    from_seq            bigint      NOT NULL,
    to_seq              bigint      NOT NULL,
    epoch               bigint      NOT NULL,
    merkle_root         text        NOT NULL,
    head_content_sha256 text        NOT NULL,
    head_chain_hmac     text        NOT NULL,
    hmac_key_id         text        NOT NULL,
    committed_at_us     bigint      NOT NULL,
    head_key_id         text        NOT NULL,
    signature           text        NOT NULL,
    PRIMARY KEY (chain_id, to_seq),
    CHECK (from_seq <= to_seq)
);
CREATE INDEX audit_ledger_batches_time_idx ON audit_ledger_batches (committed_at_us);

-- verify walks the id index in chain order beside the chain itself.
CREATE INDEX audit_event_ids_chain_idx ON audit_event_ids (chain_id, chain_seq);

CREATE FUNCTION auditflow_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'auditflow: % on % refused: the audit ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'evidence rows are never changed; retention drops whole partitions through its owner function';
END
$fn$;

CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_event_ids
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_event_ids
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_ledger_batches
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_ledger_batches
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON audit_ingest_alerts
    FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change();
CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON audit_ingest_alerts
    FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change();

-- Existing partitions (the default one and the months created so far).
DO $do$
DECLARE part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'audit_events'::regclass LOOP
        EXECUTE format('CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON %s '
                       'FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change()', part);
    END LOOP;
END
$do$;

-- Partitions are created only here, with the owner's rights, and get their TRUNCATE trigger.
CREATE OR REPLACE FUNCTION auditflow_ensure_month_partition(month_start date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    m    date := date_trunc('month', month_start)::date;
    part text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
BEGIN
    PERFORM pg_advisory_xact_lock({{PARTITION_LOCK_KEY}});
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_events_default
               WHERE occurred_at >= (m::text || ' 00:00:00+00')::timestamptz
                 AND occurred_at <  ((m + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                   part, m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
    EXECUTE format('CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change()', part);
    RETURN true;
END
$fn$;
REVOKE ALL ON FUNCTION auditflow_ensure_month_partition(date) FROM PUBLIC;

-- Roles belong to the cluster, not the database: several ledgers share one writer role.
DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditflow_writer') THEN
        BEGIN
            CREATE ROLE auditflow_writer NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created concurrently by another ledger's migration
        END;
    END IF;
END
$do$;

REVOKE ALL ON audit_events, audit_event_ids, audit_ledger_batches, audit_ingest_alerts,
    audit_ingest_watermarks, audit_export_watermarks, audit_export_segments, auditflow_meta FROM PUBLIC;
GRANT SELECT, INSERT ON audit_events, audit_event_ids, audit_ledger_batches, audit_ingest_alerts TO auditflow_writer;
-- The alerts' id sequence (named after Caracal's column in a ledger adopted from Caracal).
DO $do$
DECLARE seq text;
BEGIN
    SELECT pg_get_serial_sequence('audit_ingest_alerts', a.attname) INTO seq FROM pg_attribute a
    WHERE a.attrelid = 'audit_ingest_alerts'::regclass AND a.attname IN ('alert_id', 'id') AND NOT a.attisdropped
    ORDER BY a.attname LIMIT 1;
    IF seq IS NOT NULL THEN
        EXECUTE format('GRANT USAGE ON SEQUENCE %s TO auditflow_writer', seq);
    END IF;
END
$do$;
GRANT SELECT, UPDATE ON audit_ingest_watermarks, audit_export_watermarks TO auditflow_writer;
GRANT SELECT, INSERT, UPDATE ON audit_export_segments TO auditflow_writer;
GRANT SELECT ON auditflow_meta, auditflow_schema_migrations TO auditflow_writer;
GRANT EXECUTE ON FUNCTION auditflow_ensure_month_partition(date) TO auditflow_writer;
