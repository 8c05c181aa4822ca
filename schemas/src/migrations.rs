//! The ledger's SQL schema as data (SPEC §3). Applied in order by `auditflow migrate`
//! (and by `auditflow run`), each in its own transaction under an advisory lock, and
//! recorded in `auditflow_schema_migrations`.

// longer than 500 lines because it holds the SQL of every migration, in order: a migration
// is never edited once released (only its `IF NOT EXISTS` guards, which leave a new ledger
// the same), so they stay together, each beside the reason it was written.

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Monotonic version.
    pub version: i32,
    /// Short name.
    pub name: &'static str,
    /// SQL, possibly several statements.
    pub sql: &'static str,
}

/// Advisory lock key serialising migrations and partition management.
pub const MIGRATION_LOCK_KEY: i64 = 0x6175_6469_7466_6c77; // "auditflw"

/// Transaction-level advisory lock the partition owner functions take (creating and
/// dropping months); placing a legal hold takes it too.
pub const PARTITION_LOCK_KEY: i64 = 7022364613051705463;

/// Transaction-level advisory lock the live views' writers take before they touch revocation
/// statuses or violations, so that two writers never take those rows in opposite orders.
pub const VIEWS_REVOCATION_LOCK_KEY: i64 = 7022364613051705464;

/// Creates the bookkeeping table (not itself a migration).
pub const BOOTSTRAP: &str = "CREATE TABLE IF NOT EXISTS auditflow_schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())";

/// All migrations, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "ledger", sql: V1_LEDGER },
    Migration { version: 2, name: "export", sql: V2_EXPORT },
    Migration { version: 3, name: "tamper evidence", sql: V3_TAMPER },
    Migration { version: 4, name: "live views", sql: V4_VIEWS },
    Migration { version: 5, name: "leaner request traces", sql: V5_LEANER_TRACES },
    Migration { version: 6, name: "legal holds", sql: V6_LEGAL_HOLDS },
    Migration { version: 7, name: "retention", sql: V7_RETENTION },
    Migration { version: 8, name: "chains per zone", sql: V8_ZONE_CHAINS },
    Migration { version: 9, name: "views in event time", sql: V9_VIEWS_EVENT_TIME },
    Migration { version: 10, name: "views graph compaction", sql: V10_VIEWS_GRAPH_COMPACTION },
];

/// The delegation graph leaves the views' memory tree by tree (issue 19), so what a row on a
/// retired tree needs is found in Postgres:
/// * `audit_events_delegation_parent_idx`: a revocation of a retired tree reaches its
///   descendants over the ledger's delegation edges (a recursive query, one index probe per
///   edge followed).
/// * `revocation_propagation_affected_idx` (GIN): an access on a retired agent session finds
///   the stored revocations affecting it.
/// * `audit_events_session_agents_idx`, `audit_events_delegation_edge_idx`: a revocation that
///   names only a session or only an edge finds the agent sessions it revokes.
/// * `audit_events_pinned_revocations_idx`: revocations naming no agent session (only a
///   session or an edge) stay in memory for ever, so hydration reads them all.
/// * `audit_views_retired`: per worker, the keys retired since its filter was last stored
///   whole, and where the rows of the trees in memory are in the ledger (hydration reads
///   those back, not the whole graph). `audit_views_retired_pages`: each worker's filter of
///   retired trees' keys (a fixed-size Bloom filter), in 256 KiB pages.
const V10_VIEWS_GRAPH_COMPACTION: &str = r#"
CREATE INDEX IF NOT EXISTS audit_events_delegation_parent_idx
    ON audit_events (zone_id, (metadata_json->>'parent_agent_session_id'))
    WHERE event_type = 'delegation_edge_created';
CREATE INDEX IF NOT EXISTS revocation_propagation_affected_idx ON revocation_propagation USING gin (affected);
CREATE INDEX IF NOT EXISTS audit_events_session_agents_idx
    ON audit_events (zone_id, (metadata_json->>'session_id'))
    WHERE event_type LIKE 'session\_%';
CREATE INDEX IF NOT EXISTS audit_events_delegation_edge_idx
    ON audit_events (zone_id, (metadata_json->>'delegation_edge_id'))
    WHERE event_type = 'delegation_edge_created';
CREATE INDEX IF NOT EXISTS audit_events_pinned_revocations_idx ON audit_events (chain_id)
    WHERE event_type IN ('session_revoked', 'delegation_edge_revoked')
      AND jsonb_typeof(metadata_json->'agent_session_id') IS DISTINCT FROM 'string';
CREATE TABLE audit_views_retired (
    worker      integer     PRIMARY KEY,
    added       bigint[]    NOT NULL DEFAULT '{}',
    live_chain  integer[]   NOT NULL DEFAULT '{}',
    live_seq    bigint[]    NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_views_retired_pages (
    worker      integer     NOT NULL,
    page        integer     NOT NULL,
    bits        bytea       NOT NULL,
    PRIMARY KEY (worker, page)
);
GRANT SELECT, INSERT, UPDATE ON audit_views_retired, audit_views_retired_pages TO auditflow_writer;
"#;

/// The live views in event time (issue 19): their state is bounded by open work, so what
/// left it must be found again in the ledger, and a restart must know where they got to.
///
/// * `audit_events_agent_session_idx`: a revocation that arrives after the accesses it
///   concerns left the views' memory finds them by agent session and time, as a late one
///   would have been found live.
/// * `audit_events_lifecycle_idx`: hydration reads the delegation graph (session and
///   delegation events, a small share of the rows) without scanning the ledger.
/// * `audit_views_progress`: per chain, the position up to which the views wrote what the
///   ledger committed, and the newest event time among those rows. Hydration re-reads every
///   row after the position (whatever its event time), so a late row committed just before a
///   crash is not missed, and takes the event time as its clock. Seeded from the ledger's
///   heads: a ledger upgraded from before this migration had its views written up to them.
/// * `revocation_propagation.checked_affected`: the affected sessions whose past accesses
///   were looked up in the ledger, so each is looked up once.
const V9_VIEWS_EVENT_TIME: &str = r#"
CREATE INDEX IF NOT EXISTS audit_events_agent_session_idx
    ON audit_events (zone_id, (metadata_json->>'agent_session_id'), occurred_at)
    WHERE metadata_json ? 'agent_session_id';
CREATE INDEX IF NOT EXISTS audit_events_lifecycle_idx ON audit_events (chain_id, chain_seq)
    WHERE event_type LIKE 'session\_%' OR event_type LIKE 'delegation\_%';
CREATE TABLE audit_views_progress (
    chain_id    integer     PRIMARY KEY,
    chain_seq   bigint      NOT NULL,
    newest_at   timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit_views_progress (chain_id, chain_seq, newest_at)
SELECT w.chain_id, w.chain_seq,
       (SELECT max(e.occurred_at) FROM audit_events e WHERE e.chain_id = w.chain_id AND e.chain_seq > w.chain_seq - 1000)
FROM audit_ingest_watermarks w WHERE w.sink = 'ledger';
ALTER TABLE revocation_propagation ADD COLUMN checked_affected text[] NOT NULL DEFAULT '{}';
GRANT SELECT, INSERT, UPDATE ON audit_views_progress TO auditflow_writer;
"#;

/// Chains per zone (SPEC §3, issue 17): every zone is one hash chain, numbered from 1 without
/// gaps in commit order, as Caracal numbers `chain_seq`, so a reader can page a zone by
/// `chain_seq`. A zone's chain gets its `chain_id` (the handle the batch heads, watermarks,
/// manifests and id index use) the first time the zone is written, through the owner function
/// `auditflow_zone_chain`, which also creates the chain's watermark rows.
///
/// A ledger written before this migration keeps its chains per shard (ids `0..shards`); they
/// are closed (nothing more is appended to them) and keep verifying. Zone chains get the ids
/// after them. `adopted_seq` and `adopted_head` record, for a ledger adopted from Caracal, the
/// head of the zone's chain as Caracal left it: auditflow continues at `adopted_seq + 1`.
const V8_ZONE_CHAINS: &str = r#"
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
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
"#;

/// Retention (SPEC §3): monthly partitions past their retention are dropped by the owner
/// function `auditflow_drop_month_partition`, which refuses, under the partition lock, a
/// month that is not old enough, overlaps an active legal hold or holds rows the archive
/// does not have yet, and records every drop append-only in `audit_retention_drops` in the
/// same transaction as the `DROP`.
///
/// A dropped month leaves its positions in the hash chains (chains run in ingestion order,
/// partitions by event month). The id index keeps each retired row's id, position and
/// `content_sha256`, so `verify` still re-derives every batch's Merkle root and checks the
/// link into the next surviving row; `audit_retired_events` lists those positions for the
/// archive checks. Re-delivered events of a retired month stay duplicates.
const V7_RETENTION: &str = r#"
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
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
"#;

/// Legal holds (SPEC §3 retention): recorded append-only with who, when and why; a release
/// is a second record, never an edit. Retention never drops a partition an active hold
/// overlaps. `db_user` is the database login that wrote the record, beside the person named.
const V6_LEGAL_HOLDS: &str = r#"
CREATE TABLE audit_legal_holds (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone_id     text        NOT NULL CHECK (zone_id <> ''),
    from_at     timestamptz NOT NULL,
    until_at    timestamptz NOT NULL,
    reason      text        NOT NULL CHECK (reason <> ''),
    created_by  text        NOT NULL CHECK (created_by <> ''),
    db_user     text        NOT NULL DEFAULT session_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (from_at < until_at)
);
CREATE TABLE audit_legal_hold_releases (
    hold_id     bigint      PRIMARY KEY REFERENCES audit_legal_holds (id),
    reason      text        NOT NULL CHECK (reason <> ''),
    released_by text        NOT NULL CHECK (released_by <> ''),
    db_user     text        NOT NULL DEFAULT session_user,
    released_at timestamptz NOT NULL DEFAULT now()
);
DO $do$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_legal_holds', 'audit_legal_hold_releases'] LOOP
        EXECUTE format('CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change()', t);
        EXECUTE format('CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change()', t);
    END LOOP;
END
$do$;
REVOKE ALL ON audit_legal_holds, audit_legal_hold_releases FROM PUBLIC;
GRANT SELECT ON audit_legal_holds, audit_legal_hold_releases TO auditflow_writer;
"#;

/// `request_traces` is read by request id only: its second index cost every trace write an
/// index insertion for a query nothing runs, and its key compares bytewise (`COLLATE "C"`),
/// which costs the upserts' index descents a fraction of a locale-aware compare. Derived
/// state, so rewriting the table is harmless.
const V5_LEANER_TRACES: &str = r#"
DROP INDEX IF EXISTS request_traces_zone_time_idx;
ALTER TABLE request_traces ALTER COLUMN request_id TYPE text COLLATE "C";
"#;

/// The live views' tables (SPEC §5). Derived state, rebuilt from the ledger on start-up:
/// not evidence, so the writer may update them.
const V4_VIEWS: &str = r#"
CREATE TABLE request_traces (
    request_id     text        PRIMARY KEY,
    zone_id        text        NOT NULL,
    final_decision text,
    first_at       timestamptz NOT NULL,
    last_at        timestamptz NOT NULL,
    event_count    integer     NOT NULL,
    trace          jsonb       NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_traces_zone_time_idx ON request_traces (zone_id, last_at);

CREATE TABLE revocation_propagation (
    revocation_event_id text        PRIMARY KEY,
    zone_id             text        NOT NULL,
    root                text        NOT NULL,
    revoked_at          timestamptz NOT NULL,
    affected            text[]      NOT NULL,
    first_deny_after    timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revocation_propagation_zone_idx ON revocation_propagation (zone_id, revoked_at);

CREATE TABLE revocation_violations (
    event_id            text        NOT NULL,
    revocation_event_id text        NOT NULL,
    zone_id             text        NOT NULL,
    agent_session_id    text        NOT NULL,
    occurred_at         timestamptz NOT NULL,
    lag_ms              bigint      NOT NULL,
    detected_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, revocation_event_id)
);

GRANT SELECT, INSERT, UPDATE ON request_traces, revocation_propagation, revocation_violations TO auditflow_writer;
"#;

/// The role the pipeline writes as (`SET ROLE` on every pooled connection of `auditflow run`).
pub const WRITER_ROLE: &str = "auditflow_writer";

/// Tables holding evidence: never updated, deleted from or truncated.
pub const LEDGER_TABLES: &[&str] = &["audit_events", "audit_event_ids", "audit_ledger_batches", "audit_ingest_alerts"];

/// Append-only enforcement and signed batch heads (SPEC §3).
///
/// * `audit_ledger_batches`: one row per committed batch of a chain, with the Merkle root
///   of its rows, its head and the Ed25519 signature over them (see `tamper`).
/// * The role `auditflow_writer` (no login; the pipeline's login role must be a member, or
///   a superuser, to `SET ROLE` to it) holds INSERT and SELECT on the evidence tables, UPDATE
///   only on the progress tables, and may create partitions only through the owner function
///   `auditflow_ensure_month_partition` (SECURITY DEFINER).
/// * Triggers refuse UPDATE, DELETE and TRUNCATE on the evidence tables for everybody, owner
///   included; each monthly partition gets its own TRUNCATE trigger (statement triggers are
///   not inherited by partitions).
const V3_TAMPER: &str = r#"
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
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
"#;

/// The archive's progress (SPEC §4): per chain, the export watermark (how far the archive
/// is complete, and the manifest that says so) and every planned segment. A segment's range
/// is recorded *before* its files are written, so a retry after a crash rewrites the same
/// objects with the same bytes instead of choosing new boundaries.
const V2_EXPORT: &str = r#"
CREATE TABLE audit_export_watermarks (
    chain_id        integer     PRIMARY KEY,
    manifest_seq    bigint      NOT NULL DEFAULT 0,
    to_seq          bigint      NOT NULL DEFAULT 0,
    manifest_sha256 text,
    rows_total      bigint      NOT NULL DEFAULT 0,
    files_total     bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_export_segments (
    chain_id     integer     NOT NULL,
    manifest_seq bigint      NOT NULL,
    from_seq     bigint      NOT NULL,
    to_seq       bigint      NOT NULL,
    planned_at   timestamptz NOT NULL,
    exported_at  timestamptz,
    PRIMARY KEY (chain_id, manifest_seq),
    CHECK (from_seq <= to_seq)
);
"#;

// `IF NOT EXISTS` on the tables and indexes Caracal's baseline also creates: a ledger adopted
// from Caracal keeps its own (prepared by `auditflow_sinks::adopt`); a new ledger gets these.
const V1_LEDGER: &str = r#"
CREATE TABLE IF NOT EXISTS audit_events (
    id                        text        NOT NULL,
    zone_id                   text        NOT NULL,
    event_type                text        NOT NULL,
    request_id                text,
    decision                  text,
    policy_set_id             text,
    policy_set_version_id     text,
    manifest_sha              text,
    evaluation_status         text,
    determining_policies_json jsonb,
    diagnostics_json          jsonb,
    metadata_json             jsonb,
    occurred_at               timestamptz NOT NULL,
    ingested_at               timestamptz NOT NULL DEFAULT now(),
    content_sha256            text        NOT NULL,
    prev_content_sha256       text,
    chain_hmac                text        NOT NULL,
    chain_seq                 bigint      NOT NULL,
    ingest_signature          text,
    chain_id                  integer     NOT NULL,
    key_id                    text,
    src_stream_id             text,
    extra_json                jsonb,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE TABLE IF NOT EXISTS audit_events_default PARTITION OF audit_events DEFAULT;
CREATE INDEX IF NOT EXISTS audit_events_chain_idx ON audit_events (chain_id, chain_seq);
CREATE INDEX IF NOT EXISTS audit_events_zone_time_idx ON audit_events (zone_id, occurred_at);
CREATE INDEX IF NOT EXISTS audit_events_request_idx ON audit_events (request_id) WHERE request_id IS NOT NULL;

-- Global id index of the ledger: one row per stored event id. The dedup check probes this
-- single index instead of every monthly partition of audit_events (whose primary key
-- includes occurred_at), so its cost does not grow with retention, and a replay that
-- changes occurred_at is still recognised as the same id. Written in the same transaction
-- as the ledger rows.
CREATE TABLE audit_event_ids (
    id             text        PRIMARY KEY,
    occurred_at    timestamptz NOT NULL,
    content_sha256 text        NOT NULL,
    chain_id       integer     NOT NULL,
    chain_seq      bigint      NOT NULL
);

-- Progress of each sink per chain, written in the same transaction as the rows it covers.
CREATE TABLE audit_ingest_watermarks (
    sink                text        NOT NULL,
    chain_id            integer     NOT NULL,
    epoch               bigint      NOT NULL DEFAULT 0,
    stream_id           text,
    chain_seq           bigint      NOT NULL DEFAULT 0,
    head_content_sha256 text,
    rows_total          bigint      NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sink, chain_id)
);

CREATE TABLE IF NOT EXISTS audit_ingest_alerts (
    alert_id      bigserial   PRIMARY KEY,
    kind          text        NOT NULL,
    event_id      text,
    src_stream    text        NOT NULL,
    src_stream_id text        NOT NULL,
    detail        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A re-delivered tampered entry raises its alert once.
    UNIQUE (kind, src_stream, src_stream_id)
);

CREATE TABLE auditflow_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Owner function: the only way monthly partitions are created. A month whose rows already
-- sit in the default partition keeps them there (Postgres cannot attach over them).
CREATE FUNCTION auditflow_ensure_month_partition(month_start date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    m    date := date_trunc('month', month_start)::date;
    part text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
BEGIN
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
    RETURN true;
END
$fn$;
"#;

/// Months (as `YYYY-MM-01`) to pre-create around `today`: `back` months before, the
/// current one and `ahead` after.
pub fn months_around(today: chrono::NaiveDate, back: u32, ahead: u32) -> Vec<chrono::NaiveDate> {
    use chrono::{Datelike, Months, NaiveDate};
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let start = first.checked_sub_months(Months::new(back)).unwrap_or(first);
    (0..=back + ahead).filter_map(|i| start.checked_add_months(Months::new(i))).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_around_spans_year_boundaries() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let m = super::months_around(d, 1, 3);
        let s: Vec<String> = m.iter().map(|d| d.to_string()).collect();
        assert_eq!(s, ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"]);
    }
}
