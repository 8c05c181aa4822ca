//! Counting DLQ entries by reason (summaries).

use std::collections::BTreeMap;

/// Scans the DLQ stream and counts entries by reason kind (the part before the first `:`).
pub async fn reasons(
    con: &mut redis::aio::MultiplexedConnection,
    dlq: &str,
) -> redis::RedisResult<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    let mut start = "-".to_string();
    loop {
        let reply: redis::Value =
            redis::cmd("XRANGE").arg(dlq).arg(&start).arg("+").arg("COUNT").arg(5000).query_async(con).await?;
        let redis::Value::Array(entries) = reply else { break };
        let mut last = None;
        for entry in &entries {
            let redis::Value::Array(parts) = entry else { continue };
            if let (Some(redis::Value::BulkString(id)), Some(redis::Value::Array(kv))) = (parts.first(), parts.get(1)) {
                last = Some(String::from_utf8_lossy(id).into_owned());
                for pair in kv.chunks(2) {
                    if let [redis::Value::BulkString(k), redis::Value::BulkString(v)] = pair {
                        if k == b"reason" {
                            let reason = String::from_utf8_lossy(v);
                            let kind = reason.split(':').next().unwrap_or_default().to_owned();
                            *counts.entry(kind).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        match last {
            Some(id) if entries.len() == 5000 => start = format!("({id}"),
            _ => break,
        }
    }
    Ok(counts)
}
