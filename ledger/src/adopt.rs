//! Adopting a ledger written by Caracal's audit service (issue 17; docs/caracal.md).
//!
//! Caracal's baseline already holds `audit_events` (partitioned by month, chains per zone)
//! and an `audit_ingest_alerts` of its own. Adoption adds what auditflow needs beside them,
//! changes no row, and then runs auditflow's migrations, which build on what exists:
//!
//! 1. [`PREPARE_SQL`], before the migrations: nullable columns auditflow writes are added to
//!    Caracal's two tables (adding a nullable column rewrites nothing), Caracal's alert
//!    table gets the columns and unique index auditflow's alerts use, and its NOT NULL on
//!    `event_id` / `zone_id` is relaxed (findings about a range have no row).
//! 2. auditflow's migrations, unchanged (their `IF NOT EXISTS` keep Caracal's tables).
//! 3. [`FINISH_SQL`], after them: the ledger is marked adopted, every Caracal zone gets its
//!    chain, continuing from Caracal's head (`auditflow_zone_chain` reads it under Caracal's
//!    zone lock), and Caracal's ids enter auditflow's id index, marked as Caracal's, so a
//!    re-delivered event Caracal already stored is recognised.
//!
//! Caracal's rows keep `chain_id` NULL: that is how `verify` tells them apart and checks
//! them with Caracal's algorithm ([`crate::verify::caracal_walk`]).

use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

/// Whether the database holds Caracal's audit ledger that auditflow has not adopted yet:
/// Caracal's `audit_events` (with its chain columns) and no `chain_id` column.
pub async fn holds_unadopted_caracal_ledger(pool: &Pool) -> Result<bool, LedgerError> {
    let c = client(pool).await?;
    let row = c
        .query_one(
            "SELECT to_regclass('public.audit_events') IS NOT NULL \
               AND EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' \
                           AND table_name = 'audit_events' AND column_name = 'chain_hmac') \
               AND NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' \
                               AND table_name = 'audit_events' AND column_name = 'chain_id')",
            &[],
        )
        .await
        .map_err(LedgerError::pg("look for a Caracal ledger"))?;
    Ok(row.get(0))
}

/// Whether the ledger was adopted from Caracal.
pub async fn is_adopted(client: &tokio_postgres::Client) -> Result<bool, LedgerError> {
    let row = client
        .query_one(
            "SELECT to_regclass('public.auditflow_meta') IS NOT NULL \
               AND EXISTS (SELECT 1 FROM auditflow_meta WHERE key = 'adopted_from')",
            &[],
        )
        .await
        .map_err(LedgerError::pg("read whether the ledger was adopted"))?;
    Ok(row.get(0))
}

/// Step 1: what auditflow's migrations need on Caracal's tables.
pub const PREPARE_SQL: &str = r#"
ALTER TABLE audit_events
    ADD COLUMN IF NOT EXISTS chain_id integer,
    ADD COLUMN IF NOT EXISTS key_id text,
    ADD COLUMN IF NOT EXISTS src_stream_id text,
    ADD COLUMN IF NOT EXISTS extra_json jsonb;
DO $do$
BEGIN
    IF to_regclass('public.audit_ingest_alerts') IS NOT NULL THEN
        ALTER TABLE audit_ingest_alerts
            ADD COLUMN IF NOT EXISTS src_stream text,
            ADD COLUMN IF NOT EXISTS src_stream_id text,
            ALTER COLUMN event_id DROP NOT NULL,
            ALTER COLUMN zone_id DROP NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS audit_ingest_alerts_once
            ON audit_ingest_alerts (kind, src_stream, src_stream_id);
    END IF;
END
$do$;
"#;

/// Step 3: the ledger marked adopted, a chain for every Caracal zone, Caracal's ids indexed.
pub const FINISH_SQL: &str = r#"
INSERT INTO auditflow_meta (key, value) VALUES ('adopted_from', 'caracal'), ('adopted_at', now()::text)
ON CONFLICT (key) DO NOTHING;
SELECT auditflow_zone_chain(zone_id) FROM (SELECT DISTINCT zone_id FROM audit_events WHERE chain_id IS NULL) z;
INSERT INTO audit_event_ids (id, occurred_at, content_sha256, chain_id, chain_seq, written_by)
SELECT e.id, e.occurred_at, coalesce(e.content_sha256, ''), z.chain_id, e.chain_seq, 'caracal'
FROM audit_events e JOIN audit_zone_chains z USING (zone_id)
WHERE e.chain_id IS NULL AND e.chain_seq IS NOT NULL
ORDER BY e.zone_id, e.chain_seq
ON CONFLICT (id) DO NOTHING;
"#;

/// Runs step 1 (before the migrations).
pub async fn prepare(pool: &Pool) -> Result<(), LedgerError> {
    let c = client(pool).await?;
    c.batch_execute(&format!("BEGIN; {PREPARE_SQL} COMMIT;")).await.map_err(LedgerError::pg("prepare Caracal's tables"))
}

/// Runs step 3 (after the migrations); returns the zones adopted.
pub async fn finish(pool: &Pool) -> Result<i64, LedgerError> {
    let c = client(pool).await?;
    c.batch_execute(&format!("BEGIN; {FINISH_SQL} COMMIT;"))
        .await
        .map_err(LedgerError::pg("adopt Caracal's chains"))?;
    let row = c
        .query_one("SELECT count(*) FROM audit_zone_chains WHERE adopted_seq > 0", &[])
        .await
        .map_err(LedgerError::pg("count adopted zones"))?;
    Ok(row.get(0))
}
