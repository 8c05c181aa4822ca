//! Monthly partitions of `audit_events`: which months exist ahead of time, which late
//! months get their own, and the lock every partition owner takes. The SQL functions that
//! create and drop months are in the migrations; this is their one home on the Rust side.

use crate::postgres::client;
use crate::LedgerError;
use deadpool_postgres::Pool;

/// Transaction-level advisory lock the partition owner functions take (creating and
/// dropping months); placing a legal hold takes it too.
pub const PARTITION_LOCK_KEY: i64 = 7022364613051705463;

/// Months (as `YYYY-MM-01`) to pre-create around `today`: `back` months before, the
/// current one and `ahead` after.
pub fn months_around(today: chrono::NaiveDate, back: u32, ahead: u32) -> Vec<chrono::NaiveDate> {
    use chrono::{Datelike, Months, NaiveDate};
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let start = first.checked_sub_months(Months::new(back)).unwrap_or(first);
    (0..=back + ahead).filter_map(|i| start.checked_add_months(Months::new(i))).collect()
}

/// Months before today whose late events still get a partition of their own, created on
/// demand by the ledger sink when the first such event arrives; older events go to the
/// default partition.
pub const PARTITION_MONTHS_BACK: u32 = 24;
/// Months after today that get a partition ahead of time, beside the current one.
pub const PARTITION_MONTHS_AHEAD: u32 = 3;

/// The current month and the [`PARTITION_MONTHS_AHEAD`] after it: the partitions that exist
/// ahead of time.
pub fn months_ahead(today: chrono::NaiveDate) -> Vec<chrono::NaiveDate> {
    months_around(today, 0, PARTITION_MONTHS_AHEAD)
}

/// Creates the current month's partition and the next three. (None of them can have been
/// dropped by retention, which only drops months that ended before its cutoff, so there is
/// nothing to skip.)
///
/// Past months are not created ahead of time: a search without time bounds (a request-id
/// lookup, a zone page without `since`) opens every partition, so each empty month would
/// cost every such search (docs/benchmarks.md, "Cheaper requests"). The ledger sink creates
/// a past month when its first late event arrives.
pub async fn ensure_partitions_around(pool: &Pool, today: chrono::NaiveDate) -> Result<usize, LedgerError> {
    let client = client(pool).await?;
    let mut created = 0;
    for month in months_ahead(today) {
        let row = client
            .query_one("SELECT auditflow_ensure_month_partition($1)", &[&month])
            .await
            .map_err(LedgerError::pg("create partition"))?;
        if row.get::<_, bool>(0) {
            created += 1;
        }
    }
    Ok(created)
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
