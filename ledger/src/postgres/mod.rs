//! Postgres plumbing: the connection target, database creation, pools.

use crate::LedgerError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

pub mod standbys;
pub mod tls;

pub use tls::{parse_config, PgTarget};

/// The database name of a config (Postgres defaults it to the user name).
pub fn database_name(config: &tokio_postgres::Config) -> String {
    config.get_dbname().or(config.get_user()).unwrap_or("postgres").to_owned()
}

/// Connects once (no pool), spawning the connection driver.
pub async fn connect_once(target: &PgTarget) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = target.config().connect(target.connector()).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "postgres connection closed");
        }
    });
    Ok(client)
}

/// Creates the configured database when it does not exist (SPEC §6: "created if missing"),
/// connecting to the `postgres` maintenance database of the same server to do so.
pub async fn ensure_database(config: &PgTarget) -> Result<(), LedgerError> {
    let name = database_name(config);
    match connect_once(config).await {
        Ok(_) => return Ok(()),
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME) => {}
        Err(e) => return Err(LedgerError::pg("connect")(e)),
    }
    let mut admin = config.clone();
    admin.dbname("postgres");
    let client = connect_once(&admin).await.map_err(LedgerError::pg("connect to maintenance database"))?;
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    match client.batch_execute(&format!("CREATE DATABASE {quoted}")).await {
        Ok(()) => {
            tracing::info!(database = %name, "created database");
            Ok(())
        }
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => Ok(()),
        // Two processes of a cluster creating it at the same moment: the loser trips over
        // the catalog's unique index before the duplicate check can see the winner's row.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => Ok(()),
        Err(e) => Err(LedgerError::pg("create database")(e)),
    }
}

/// Run on every new connection of every pool: a ledger adopted from Caracal keeps Caracal's
/// row-level security on `audit_events`, which lets a session that is not the table's owner
/// see and write rows only with this setting (Caracal's service sets the same).
const SESSION_SETUP: &str = "SET caracal.zone_id = '*'";

/// A pool of `size` connections, each set up with [`SESSION_SETUP`] and then `extra`.
fn pool_with(target: &PgTarget, size: usize, extra: String) -> Result<Pool, LedgerError> {
    use deadpool_postgres::{Hook, HookError};
    let manager = Manager::from_config(
        target.config().clone(),
        target.connector(),
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    let setup = if extra.is_empty() { SESSION_SETUP.to_owned() } else { format!("{SESSION_SETUP}; {extra}") };
    Pool::builder(manager)
        .max_size(size.max(1))
        .post_create(Hook::async_fn(move |client, _| {
            let setup = setup.clone();
            Box::pin(async move { client.batch_execute(&setup).await.map_err(HookError::Backend) })
        }))
        .build()
        .map_err(|e| LedgerError::Pool(e.to_string()))
}

/// A connection pool of `size` connections.
pub fn pool(config: &PgTarget, size: usize) -> Result<Pool, LedgerError> {
    pool_with(config, size, String::new())
}

/// A pool whose connections act as `role` (`SET ROLE` once per connection, JIT off), so that the
/// database enforces what that role may do, whatever the login role may do besides.
pub fn pool_as(config: &PgTarget, size: usize, role: &str) -> Result<Pool, LedgerError> {
    // No JIT for the pipeline's sessions: a batch look-up of a few thousand keys on a
    // ledger without statistics yet is estimated above `jit_above_cost`, and compiling it
    // took 300–900 ms of a backend's CPU for a statement that then ran in milliseconds (seen
    // with `auto_explain` while draining a 200k backlog).
    pool_with(config, size, format!("SET ROLE \"{}\"; SET jit = off", role.replace('"', "\"\"")))
}

/// A pool for readers that answer many small queries (the `/v1` API): read-only sessions
/// that keep one generic plan per prepared statement, since re-planning a query over every
/// monthly partition costs more than running it. They show as `auditflow-api` in
/// `pg_stat_activity`.
pub fn read_pool(config: &PgTarget, size: usize) -> Result<Pool, LedgerError> {
    pool_with(
        config,
        size,
        "SET default_transaction_read_only = on; SET plan_cache_mode = force_generic_plan; \
         SET application_name = 'auditflow-api'"
            .to_owned(),
    )
}

/// Runs a query whose single column is a JSON object per row (`json_build_object(...)::text`)
/// and returns the objects: what the listing commands print as a table or as `--json`.
pub async fn json_rows(
    client: &tokio_postgres::Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    op: &'static str,
) -> Result<Vec<serde_json::Value>, LedgerError> {
    let rows = client.query(sql, params).await.map_err(LedgerError::pg(op))?;
    Ok(rows.iter().filter_map(|r| serde_json::from_str(r.get::<_, &str>(0)).ok()).collect())
}

/// Gets a pooled connection.
pub async fn client(pool: &Pool) -> Result<deadpool_postgres::Object, LedgerError> {
    pool.get().await.map_err(|e| LedgerError::Pool(e.to_string()))
}

/// The chains worker `index` of `peers` owns: those of the zones whose shard it writes
/// (`shard_of(zone) % peers`), and, in a ledger written before chains were per zone, the
/// closed shard chains `c % peers == index` (their archive may still have to catch up).
pub async fn owned_chains(pool: &Pool, shards: u32, peers: usize, index: usize) -> Result<Vec<i32>, LedgerError> {
    let client = client(pool).await?;
    let rows = client
        .query(
            "SELECT w.chain_id, z.zone_id FROM audit_ingest_watermarks w \
             LEFT JOIN audit_zone_chains z ON z.chain_id = w.chain_id WHERE w.sink = 'ledger' ORDER BY w.chain_id",
            &[],
        )
        .await
        .map_err(LedgerError::pg("list the ledger's chains"))?;
    let peers = peers.max(1);
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let chain: i32 = r.get(0);
            let owner = match r.get::<_, Option<&str>>(1) {
                Some(zone) => auditflow_schemas::shard::shard_of(zone, shards) as usize % peers,
                None => chain.max(0) as usize % peers,
            };
            (owner == index).then_some(chain)
        })
        .collect())
}
