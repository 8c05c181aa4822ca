//! The ledger's schema (SPEC §3), one `.sql` file per migration in `ledger/migrations/`,
//! embedded in the binary. Applied in order by `auditflow migrate` (and by `auditflow run`),
//! each in its own transaction under [`MIGRATION_LOCK_KEY`], and recorded in
//! `auditflow_schema_migrations`. A released migration is never edited (only its
//! `IF NOT EXISTS` guards, which leave a new ledger the same).
//!
//! The files name the partition lock as `{{PARTITION_LOCK_KEY}}`: [`Migration::sql`] puts in
//! [`crate::partitions::PARTITION_LOCK_KEY`], so the number is written once.

use crate::partitions::{ensure_partitions_around, PARTITION_LOCK_KEY};
use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

/// One migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Monotonic version.
    pub version: i32,
    /// Short name, as recorded in `auditflow_schema_migrations`.
    pub name: &'static str,
    source: &'static str,
}

impl Migration {
    /// The SQL to run, possibly several statements.
    pub fn sql(&self) -> String {
        self.source.replace("{{PARTITION_LOCK_KEY}}", &PARTITION_LOCK_KEY.to_string())
    }
}

/// Advisory lock key serialising migrations and partition management.
pub const MIGRATION_LOCK_KEY: i64 = 0x6175_6469_7466_6c77; // "auditflw"

/// Transaction-level advisory lock the live views' writers take before they touch revocation
/// statuses or violations, so that two writers never take those rows in opposite orders.
pub const VIEWS_REVOCATION_LOCK_KEY: i64 = 7022364613051705464;

/// Creates the bookkeeping table (not itself a migration).
pub const BOOTSTRAP: &str = "CREATE TABLE IF NOT EXISTS auditflow_schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())";

macro_rules! migration {
    ($version:literal, $name:literal, $file:literal) => {
        Migration { version: $version, name: $name, source: include_str!(concat!("../migrations/", $file)) }
    };
}

/// All migrations, in order.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "ledger", "0001_ledger.sql"),
    migration!(2, "export", "0002_export.sql"),
    migration!(3, "tamper evidence", "0003_tamper_evidence.sql"),
    migration!(4, "live views", "0004_live_views.sql"),
    migration!(5, "leaner request traces", "0005_leaner_request_traces.sql"),
    migration!(6, "legal holds", "0006_legal_holds.sql"),
    migration!(7, "retention", "0007_retention.sql"),
    migration!(8, "chains per zone", "0008_chains_per_zone.sql"),
    migration!(9, "views in event time", "0009_views_in_event_time.sql"),
    migration!(10, "views graph compaction", "0010_views_graph_compaction.sql"),
    migration!(11, "affected index without pending list", "0011_affected_index_without_pending_list.sql"),
    migration!(12, "ocsf archive", "0012_ocsf_archive.sql"),
    migration!(13, "caracal readers", "0013_caracal_readers.sql"),
];

/// The role the pipeline writes as (`SET ROLE` on every pooled connection of `auditflow run`).
pub const WRITER_ROLE: &str = "auditflow_writer";

/// Tables holding evidence: never updated, deleted from or truncated.
pub const LEDGER_TABLES: &[&str] = &["audit_events", "audit_event_ids", "audit_ledger_batches", "audit_ingest_alerts"];

/// Applies pending migrations; returns the versions applied now.
pub async fn migrate(pool: &Pool) -> Result<Vec<i32>, LedgerError> {
    if crate::adopt::holds_unadopted_caracal_ledger(pool).await? {
        return Err(LedgerError::Incompatible(
            "the database holds Caracal's audit ledger (audit_events with chains per zone), not adopted yet: \
             run `auditflow migrate` once, which checks Caracal's chains with Caracal's algorithm (give it \
             AUDIT_HMAC_KEY) and adopts them without changing a row (docs/caracal.md)"
                .into(),
        ));
    }
    let c = client(pool).await?;
    let tables = c
        .query_one(
            "SELECT to_regclass('public.audit_events') IS NOT NULL, \
                    to_regclass('public.auditflow_schema_migrations') IS NOT NULL",
            &[],
        )
        .await
        .map_err(LedgerError::pg("look at the database's tables"))?;
    let (events, bookkeeping): (bool, bool) = (tables.get(0), tables.get(1));
    let built_by_auditflow = bookkeeping
        && c.query_one("SELECT EXISTS (SELECT 1 FROM auditflow_schema_migrations WHERE version = 1)", &[])
            .await
            .map_err(LedgerError::pg("read migrations"))?
            .get::<_, bool>(0);
    let foreign = events && !built_by_auditflow;
    if foreign {
        return Err(LedgerError::Incompatible(
            "the database already holds an audit_events table that auditflow did not create and cannot adopt: \
             of other ledgers only Caracal's audit ledger (its baseline layout) is adopted (docs/caracal.md); \
             point auditflow at a database of its own"
                .into(),
        ));
    }
    drop(c);
    apply_migrations(pool).await
}

/// Adopts Caracal's audit ledger ([`crate::adopt`]): prepares Caracal's tables, applies the
/// migrations, continues every zone's chain from Caracal's head. Returns the zones adopted.
pub async fn migrate_adopting_caracal(pool: &Pool) -> Result<i64, LedgerError> {
    crate::adopt::prepare(pool).await?;
    apply_migrations(pool).await?;
    crate::adopt::finish(pool).await
}

async fn apply_migrations(pool: &Pool) -> Result<Vec<i32>, LedgerError> {
    let mut client = client(pool).await?;
    // Under the migrations' lock too: processes of a cluster start together, and two
    // concurrent `CREATE TABLE IF NOT EXISTS` can both try to create the table's type.
    let tx = client.transaction().await.map_err(LedgerError::pg("begin migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await
        .map_err(LedgerError::pg("lock migrations"))?;
    tx.batch_execute(BOOTSTRAP).await.map_err(LedgerError::pg("create migrations table"))?;
    tx.commit().await.map_err(LedgerError::pg("create migrations table"))?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let tx = client.transaction().await.map_err(LedgerError::pg("begin migration"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK_KEY])
            .await
            .map_err(LedgerError::pg("lock migrations"))?;
        let done = tx
            .query_opt("SELECT 1 FROM auditflow_schema_migrations WHERE version = $1", &[&m.version])
            .await
            .map_err(LedgerError::pg("read migrations"))?;
        if done.is_none() {
            tx.batch_execute(&m.sql()).await.map_err(LedgerError::pg("apply migration"))?;
            tx.execute(
                "INSERT INTO auditflow_schema_migrations (version, name) VALUES ($1, $2)",
                &[&m.version, &m.name],
            )
            .await
            .map_err(LedgerError::pg("record migration"))?;
            applied.push(m.version);
        }
        tx.commit().await.map_err(LedgerError::pg("commit migration"))?;
    }
    ensure_partitions_around(pool, chrono::Utc::now().date_naive()).await?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_placeholders_filled() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
            let sql = m.sql();
            assert!(!sql.contains("{{"), "migration {} has an unfilled placeholder", m.version);
        }
        // The partition functions take the lock by its one constant.
        let all: String = MIGRATIONS.iter().map(|m| m.sql()).collect();
        assert!(all.contains(&format!("pg_advisory_xact_lock({PARTITION_LOCK_KEY})")));
    }
}
