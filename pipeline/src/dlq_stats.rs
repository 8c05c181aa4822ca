//! Counting DLQ entries by reason (summaries).

use std::collections::BTreeMap;

/// Counts the DLQ's entries by reason kind (the part before the first `:`).
pub async fn reasons(con: &mut redis::aio::MultiplexedConnection, dlq: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for entry in crate::dlq_cmd::read_dlq(con, dlq, None, usize::MAX).await? {
        let kind = entry.reason.split(':').next().unwrap_or_default().to_owned();
        *counts.entry(kind).or_insert(0) += 1;
    }
    Ok(counts)
}
