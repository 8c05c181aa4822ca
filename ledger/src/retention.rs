//! Retention of the ledger (SPEC §3): monthly partitions of `audit_events` older than the
//! retention are dropped, never one that overlaps an active legal hold or holds rows the
//! archive does not have yet; the next months are created ahead of time.
//!
//! [`plan`] decides per month; [`apply`] carries the plan out, one month per transaction
//! through the owner function `auditflow_drop_month_partition`, which checks the same
//! conditions again under the partition lock (so a hold placed between plan and drop wins)
//! and records the drop in `audit_retention_drops` in the same transaction as the `DROP`.
//! A crash between two months leaves each month either dropped and recorded or untouched.
//!
//! The retention is the configured one unless Caracal's console set a shorter one: where
//! the ledger has Caracal's `audit_retention` table, its `retention_days` applies, capped by
//! the configured retention (the maximum, as Caracal's `AUDIT_RETENTION_DAYS` caps it), and
//! it is read again before every pass ([`retention_days`]).

use crate::partitions::months_ahead;
use crate::postgres::client;
use crate::LedgerError;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use deadpool_postgres::Pool;

/// What retention does with one monthly partition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Decision {
    /// Its events are younger than the retention.
    Keep,
    /// Old enough, but active legal holds overlap it.
    Held {
        /// The holds' ids.
        holds: Vec<i64>,
    },
    /// Old enough, but the archive does not have all its rows yet.
    NotArchived {
        /// Which chain is behind, and how far.
        detail: String,
    },
    /// Old enough, unheld and archived: dropped (or, in a dry run, would be).
    Drop,
    /// The owner function refused the drop (a hold or a late row came in meanwhile).
    Refused {
        /// The database's reason.
        detail: String,
    },
}

/// One monthly partition and what retention does with it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MonthPlan {
    /// `audit_events_yYYYYmMM`.
    pub partition: String,
    /// First day of the month.
    pub month: NaiveDate,
    /// Rows in it (counted for months old enough to matter, else `None`).
    pub rows: Option<i64>,
    /// What happens to it.
    #[serde(flatten)]
    pub decision: Decision,
}

/// Where the retention a pass applied came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum RetentionSource {
    /// The configuration: the ledger has no console setting (no `audit_retention` row).
    Configured,
    /// Caracal's console (`audit_retention.retention_days`), within the configured maximum.
    Console {
        /// The console's value.
        console_days: u32,
    },
    /// Caracal's console asked for more than the configured maximum, which applies instead.
    ConsoleCapped {
        /// The console's value.
        console_days: u32,
    },
}

impl std::fmt::Display for RetentionSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetentionSource::Configured => f.write_str("the configuration (no console setting in audit_retention)"),
            RetentionSource::Console { .. } => f.write_str("Caracal's console (audit_retention)"),
            RetentionSource::ConsoleCapped { console_days } => {
                write!(f, "the configured maximum (Caracal's console asks for {console_days} days in audit_retention)")
            }
        }
    }
}

/// The retention to apply now: Caracal's console setting where the ledger has one, capped by
/// `max_days` (the configured retention), else `max_days`.
pub async fn retention_days(c: &tokio_postgres::Client, max_days: u32) -> Result<(u32, RetentionSource), LedgerError> {
    // Through an owner function: the writer role need not be granted Caracal's table, and a
    // ledger without the table answers NULL.
    let console: Option<i32> = c
        .query_one("SELECT auditflow_console_retention_days()", &[])
        .await
        .map_err(LedgerError::pg("read Caracal's console retention (audit_retention)"))?
        .get(0);
    Ok(match console.and_then(|d| u32::try_from(d).ok()).filter(|d| *d > 0) {
        None => (max_days, RetentionSource::Configured),
        Some(d) if d > max_days => (max_days, RetentionSource::ConsoleCapped { console_days: d }),
        Some(d) => (d, RetentionSource::Console { console_days: d }),
    })
}

/// What a retention pass did (or, dry, would do).
#[derive(Clone, Debug, serde::Serialize)]
pub struct RetentionReport {
    /// Nothing was changed.
    pub dry_run: bool,
    /// The retention applied, in days.
    pub retention_days: u32,
    /// The configured retention, the most a console setting may ask for.
    pub max_retention_days: u32,
    /// Where `retention_days` came from.
    pub retention_source: RetentionSource,
    /// Events that occurred before this are past the retention.
    pub cutoff: DateTime<Utc>,
    /// Every monthly partition, oldest first.
    pub months: Vec<MonthPlan>,
    /// Partitions dropped (dry: that would be).
    pub dropped_partitions: usize,
    /// Rows they held.
    pub dropped_rows: i64,
    /// Months created ahead (dry: that would be).
    pub created: Vec<NaiveDate>,
}

/// The month a partition name stands for (`audit_events_y2026m01` → 2026-01-01).
pub fn month_of(partition: &str) -> Option<NaiveDate> {
    let rest = partition.strip_prefix("audit_events_y")?;
    let (year, month) = rest.split_once('m')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

fn month_bounds(month: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = month.checked_add_months(Months::new(1)).unwrap_or(month);
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (at(month), at(next))
}

/// Decides, for every monthly partition, whether retention drops it at `now`.
pub async fn plan(pool: &Pool, retention_days: u32, now: DateTime<Utc>) -> Result<Vec<MonthPlan>, LedgerError> {
    let c = client(pool).await?;
    let cutoff = now - chrono::Duration::days(i64::from(retention_days));
    let mut months: Vec<(String, NaiveDate)> = c
        .query(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
             WHERE i.inhparent = 'audit_events'::regclass",
            &[],
        )
        .await
        .map_err(LedgerError::pg("list the ledger's partitions"))?
        .iter()
        .filter_map(|r| {
            let name: String = r.get(0);
            month_of(&name).map(|m| (name, m))
        })
        .collect();
    months.sort_by_key(|(_, m)| *m);
    let mut out = Vec::with_capacity(months.len());
    for (partition, month) in months {
        let (lo, hi) = month_bounds(month);
        if hi > cutoff {
            out.push(MonthPlan { partition, month, rows: None, decision: Decision::Keep });
            continue;
        }
        // Through the parent: the writer role of `run` may read only that. While the month
        // has its partition, no row of it can sit anywhere else.
        let rows: i64 = c
            .query_one("SELECT count(*) FROM audit_events WHERE occurred_at >= $1 AND occurred_at < $2", &[&lo, &hi])
            .await
            .map_err(LedgerError::pg("count a partition's rows"))?
            .get(0);
        let holds: Vec<i64> = c
            .query(
                "SELECT h.id FROM audit_legal_holds h WHERE h.from_at < $2 AND h.until_at > $1 \
                 AND NOT EXISTS (SELECT 1 FROM audit_legal_hold_releases r WHERE r.hold_id = h.id) ORDER BY h.id",
                &[&lo, &hi],
            )
            .await
            .map_err(LedgerError::pg("read the legal holds"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let behind = c
            .query_opt(
                "SELECT p.chain_id, max(p.chain_seq), \
                        least(coalesce(max(w.to_seq), 0), coalesce(max(o.to_seq), max(p.chain_seq))) FROM audit_events p \
                 LEFT JOIN audit_export_watermarks w ON w.chain_id = p.chain_id \
                 LEFT JOIN audit_ocsf_watermarks o ON o.chain_id = p.chain_id \
                 WHERE p.occurred_at >= $1 AND p.occurred_at < $2 GROUP BY p.chain_id \
                 HAVING max(p.chain_seq) > least(coalesce(max(w.to_seq), 0), coalesce(max(o.to_seq), max(p.chain_seq))) \
                 ORDER BY 1 LIMIT 1",
                &[&lo, &hi],
            )
            .await
            .map_err(LedgerError::pg("compare a partition with the export watermarks"))?;
        let decision = if !holds.is_empty() {
            Decision::Held { holds }
        } else if let Some(b) = behind {
            let (chain, top, archived): (i32, i64, i64) = (b.get(0), b.get(1), b.get(2));
            Decision::NotArchived {
                detail: format!("chain {chain} has rows up to position {top}, the archive up to {archived}"),
            }
        } else {
            Decision::Drop
        };
        out.push(MonthPlan { partition, month, rows: Some(rows), decision });
    }
    Ok(out)
}

/// Plans and (unless `dry_run`) applies retention at `now`: drops what [`plan`] allows, one
/// month per transaction, and creates the coming months. The retention is `max_days` or the
/// console's shorter one ([`retention_days`]). `requested_by` is recorded with each drop.
pub async fn apply(
    pool: &Pool,
    max_days: u32,
    requested_by: &str,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<RetentionReport, LedgerError> {
    let mut c = client(pool).await?;
    let (retention_days, retention_source) = retention_days(&c, max_days).await?;
    let mut months = plan(pool, retention_days, now).await?;
    let mut report = RetentionReport {
        dry_run,
        retention_days,
        max_retention_days: max_days,
        retention_source,
        cutoff: now - chrono::Duration::days(i64::from(retention_days)),
        months: Vec::new(),
        dropped_partitions: 0,
        dropped_rows: 0,
        created: Vec::new(),
    };
    for m in &mut months {
        if m.decision != Decision::Drop {
            continue;
        }
        if !dry_run {
            let tx = c.transaction().await.map_err(LedgerError::pg("begin a drop"))?;
            // DROP takes the parent's exclusive lock; do not stall ingestion behind a long reader.
            tx.batch_execute("SET LOCAL lock_timeout = '30s'").await.map_err(LedgerError::pg("set lock_timeout"))?;
            let dropped = tx
                .query_one(
                    "SELECT auditflow_drop_month_partition($1, $2, $3)",
                    &[&m.month, &(retention_days as i32), &requested_by],
                )
                .await;
            match dropped {
                Ok(row) => {
                    if crate::failpoint::reached("retention:before_commit") {
                        crate::failpoint::kill_self("retention:before_commit");
                    }
                    tx.commit().await.map_err(LedgerError::pg("commit a drop"))?;
                    let rows: Option<i64> = row.get(0);
                    m.rows = rows.or(m.rows);
                    tracing::info!(partition = %m.partition, rows = rows.unwrap_or(0), retention_days, "retention dropped a partition");
                    metrics::counter!("auditflow_retention_partitions_dropped_total").increment(1);
                    metrics::counter!("auditflow_retention_rows_dropped_total")
                        .increment(rows.unwrap_or(0).max(0) as u64);
                    if crate::failpoint::reached("retention:after_drop") {
                        crate::failpoint::kill_self("retention:after_drop");
                    }
                }
                Err(e) if e.code().is_some_and(|code| code.code() == "55000" || code.code() == "55P03") => {
                    let _ = tx.rollback().await;
                    let detail = e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string());
                    tracing::warn!(partition = %m.partition, %detail, "retention left a partition in place");
                    m.decision = Decision::Refused { detail };
                    continue;
                }
                Err(e) => return Err(LedgerError::Postgres { op: "drop a partition", source: e }),
            }
        }
        report.dropped_partitions += 1;
        report.dropped_rows += m.rows.unwrap_or(0);
    }
    for month in months_ahead(now.date_naive()) {
        let name = format!("audit_events_y{:04}m{:02}", month.year(), month.month());
        let exists: bool = c
            .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
            .await
            .map_err(LedgerError::pg("look up a partition"))?
            .get(0);
        if exists {
            continue;
        }
        if !dry_run {
            let created: bool = c
                .query_one("SELECT auditflow_ensure_month_partition($1)", &[&month])
                .await
                .map_err(LedgerError::pg("create a partition"))?
                .get(0);
            if !created {
                // Its rows sit in the default partition; they stay there.
                continue;
            }
        }
        report.created.push(month);
    }
    report.months = months;
    if !dry_run {
        metrics::gauge!("auditflow_retention_last_apply_unix").set(now.timestamp() as f64);
    }
    Ok(report)
}

/// `auditflow run`'s retention: applies it every `interval` (the first time a minute after
/// start-up, or sooner with a shorter interval), logging and carrying on through failures.
pub async fn run_retention(pool: Pool, max_days: u32, interval: std::time::Duration) {
    let mut delay = interval.min(std::time::Duration::from_secs(60));
    loop {
        tokio::time::sleep(delay).await;
        delay = interval;
        match apply(&pool, max_days, "auditflow run", false, Utc::now()).await {
            Ok(r) => {
                let blocked = r
                    .months
                    .iter()
                    .filter(|m| {
                        matches!(
                            m.decision,
                            Decision::Held { .. } | Decision::NotArchived { .. } | Decision::Refused { .. }
                        )
                    })
                    .count();
                tracing::info!(
                    retention_days = r.retention_days,
                    source = %r.retention_source,
                    dropped_partitions = r.dropped_partitions,
                    dropped_rows = r.dropped_rows,
                    kept_past_retention = blocked,
                    created = r.created.len(),
                    "retention applied"
                );
            }
            Err(e) => tracing::warn!(error = %e, "retention failed; retrying at the next interval"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names_map_to_months() {
        assert_eq!(month_of("audit_events_y2026m01"), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(month_of("audit_events_default"), None);
        assert_eq!(month_of("audit_events_y2026m13"), None);
    }

    #[test]
    fn the_current_month_and_three_ahead_are_created() {
        let now: DateTime<Utc> = "2026-11-24T05:00:00Z".parse().expect("time");
        let m: Vec<String> = months_ahead(now.date_naive()).iter().map(|d| d.to_string()).collect();
        assert_eq!(m, ["2026-11-01", "2026-12-01", "2027-01-01", "2027-02-01"]);
    }
}
