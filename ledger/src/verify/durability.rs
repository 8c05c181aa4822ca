//! Would a failover of the ledger database lose acknowledged events?
//!
//! auditflow acknowledges an entry to Redis once its ledger transaction committed. A standby
//! promoted after the primary dies holds what was replicated to it: with asynchronous
//! replication, the last commits may be missing there although Redis was told they were
//! done. Only a synchronous standby that the commit waited for (`synchronous_standby_names`
//! naming it, `synchronous_commit` at `on`, `remote_write` or `remote_apply`) closes that
//! gap. This reads the live server's settings and `pg_stat_replication`; it reports, it does
//! not fail verification (a single server is a choice, not tampering).

use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;
use serde::Serialize;

/// One standby streaming from the server.
#[derive(Clone, Debug, Serialize)]
pub struct Standby {
    /// Its `application_name` (the name `synchronous_standby_names` uses).
    pub name: String,
    /// `streaming`, `catchup`, … (`pg_stat_replication.state`).
    pub state: String,
    /// `sync`, `quorum`, `potential` or `async`.
    pub sync_state: String,
}

/// The server's replication, as it bears on a failover.
#[derive(Clone, Debug, Serialize)]
pub struct Durability {
    /// `synchronous_commit`.
    pub synchronous_commit: String,
    /// `synchronous_standby_names` (empty: none).
    pub synchronous_standby_names: String,
    /// Standbys streaming now.
    pub standbys: Vec<Standby>,
    /// A failover to a synchronous standby loses nothing that was acknowledged.
    pub zero_loss: bool,
    /// What an operator should know, in a sentence.
    pub verdict: String,
}

/// Reads the replication settings and state of the server behind `pool`. Rows of
/// `pg_stat_replication` other than the caller's own show only to superusers and
/// `pg_monitor` members; without them the standbys read as none.
pub async fn check_durability(pool: &Pool) -> Result<Durability, LedgerError> {
    let c = client(pool).await?;
    let settings = c
        .query_one("SELECT current_setting('synchronous_commit'), current_setting('synchronous_standby_names')", &[])
        .await
        .map_err(LedgerError::pg("read replication settings"))?;
    let standbys: Vec<Standby> = c
        .query(
            "SELECT coalesce(application_name, ''), coalesce(state, ''), coalesce(sync_state, '') \
             FROM pg_stat_replication ORDER BY 1",
            &[],
        )
        .await
        .map_err(LedgerError::pg("read pg_stat_replication"))?
        .into_iter()
        .map(|r| Standby { name: r.get(0), state: r.get(1), sync_state: r.get(2) })
        .collect();
    Ok(judge(settings.get(0), settings.get(1), standbys))
}

/// The verdict on what was read (separate so that every case is tested without servers).
fn judge(synchronous_commit: String, synchronous_standby_names: String, standbys: Vec<Standby>) -> Durability {
    let waits = matches!(synchronous_commit.as_str(), "on" | "remote_write" | "remote_apply");
    let sync: Vec<&str> = standbys
        .iter()
        .filter(|s| matches!(s.sync_state.as_str(), "sync" | "quorum"))
        .map(|s| s.name.as_str())
        .collect();
    let zero_loss = waits && !sync.is_empty();
    let verdict = if zero_loss {
        format!(
            "synchronous standby {}: commits wait for it, so a failover to it loses nothing acknowledged",
            sync.join(", ")
        )
    } else if standbys.is_empty() {
        "no standby streams from this server: a failover to a copy of it can lose the last acknowledged events; \
         zero loss needs a synchronous standby (synchronous_standby_names, synchronous_commit = on)"
            .to_owned()
    } else if !sync.is_empty() {
        format!(
            "synchronous_commit = {synchronous_commit}: commits do not wait for the synchronous standby, so a \
             failover can lose the last acknowledged events; set synchronous_commit = on"
        )
    } else {
        format!(
            "{} standby(s), all asynchronous: a failover can lose the last acknowledged events; name one in \
             synchronous_standby_names (docs/reliability.md)",
            standbys.len()
        )
    };
    Durability { synchronous_commit, synchronous_standby_names, standbys, zero_loss, verdict }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standby(name: &str, sync_state: &str) -> Standby {
        Standby { name: name.into(), state: "streaming".into(), sync_state: sync_state.into() }
    }

    #[test]
    fn only_a_synchronous_standby_that_commits_wait_for_is_zero_loss() {
        let d = |commit: &str, names: &str, s: Vec<Standby>| judge(commit.into(), names.into(), s);
        assert!(!d("on", "", vec![]).zero_loss);
        assert!(d("on", "", vec![]).verdict.starts_with("no standby"));
        let async_only = d("on", "", vec![standby("b", "async")]);
        assert!(!async_only.zero_loss && async_only.verdict.contains("asynchronous"));
        let sync = d("on", "b", vec![standby("b", "sync"), standby("c", "potential")]);
        assert!(sync.zero_loss && sync.verdict.contains("standby b"), "{}", sync.verdict);
        assert!(d("remote_apply", "ANY 1 (b, c)", vec![standby("b", "quorum")]).zero_loss);
        let local = d("local", "b", vec![standby("b", "sync")]);
        assert!(!local.zero_loss && local.verdict.contains("synchronous_commit = local"));
    }
}
