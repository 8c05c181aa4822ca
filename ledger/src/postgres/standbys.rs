//! Waiting for the streaming standbys to hold what the primary committed.
//!
//! The archive publishes only rows every connected standby has flushed: a standby promoted
//! after the primary died then holds every archived row at the position the archive gives
//! it, even when it is asynchronous and lost the primary's last commits (those are
//! repaired from the stream, see `auditflow run`'s rewind repair).

use crate::LedgerError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio_postgres::GenericClient;

/// Set once the "cannot see the standbys' positions" warning was logged.
static HIDDEN_WARNED: AtomicBool = AtomicBool::new(false);

/// How often the standbys' positions are read while waiting.
const POLL: Duration = Duration::from_millis(20);

/// Waits, for up to `limit`, until every streaming standby has flushed the WAL written so
/// far (what is committed now). No standby: returns at once. A standby whose position this
/// role may not see (it needs `pg_monitor`): logged once, and not waited for. Still behind
/// after `limit`: [`LedgerError::StandbyBehind`] (retryable).
pub async fn wait_for_standbys<C: GenericClient>(c: &C, limit: Duration) -> Result<(), LedgerError> {
    let lsn: String = c
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await
        .map_err(LedgerError::pg("read the WAL position"))?
        .get(0);
    let started = Instant::now();
    loop {
        let row = c
            .query_one(
                "SELECT count(*) FILTER (WHERE flush_lsn IS NULL), \
                        count(*) FILTER (WHERE flush_lsn < $1::text::pg_lsn), \
                        coalesce(string_agg(application_name, ', ') FILTER (WHERE flush_lsn < $1::text::pg_lsn), '') \
                 FROM pg_stat_replication WHERE state = 'streaming'",
                &[&lsn],
            )
            .await
            .map_err(LedgerError::pg("read the standbys' positions"))?;
        let (hidden, behind, names): (i64, i64, String) = (row.get(0), row.get(1), row.get(2));
        if hidden > 0 && !HIDDEN_WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the ledger role cannot see how far the standbys are (grant it pg_monitor): the archive does not \
                 wait for them, and after a failover to an asynchronous standby it may hold rows the promoted \
                 ledger lost"
            );
        }
        if behind == 0 {
            return Ok(());
        }
        if started.elapsed() >= limit {
            return Err(LedgerError::StandbyBehind(format!(
                "standby {names} has not flushed WAL position {lsn} after {} s",
                limit.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}
