//! The DLQ's Redis side: the script that writes a dead letter and acknowledges its entry in
//! one step, and the loop that retries a batch of them until Redis takes it.

use crate::SinkError;
use auditflow_retry::Backoff;
use auditflow_schemas::DeadLetter;
use redis::aio::MultiplexedConnection;
use std::time::Duration;
use tokio::sync::Mutex;

const DEAD_LETTER_SCRIPT: &str = r#"
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #pending == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
"#;

/// Where dead letters go.
#[derive(Clone, Debug)]
pub struct DlqConfig {
    /// Redis, with its credentials and TLS (built by the caller from its settings).
    pub client: redis::Client,
    /// Consumer group of the source streams (for the pending check and XACK).
    pub group: String,
    /// DLQ stream key (SPEC default `<stream>.dlq`).
    pub dlq_stream: String,
    /// Counts the entries this process wrote.
    pub written: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Writes `letters`, retrying with the one backoff until Redis takes them: an entry stays
/// pending until its letter is written, so there is nothing to give up to.
pub(super) async fn write_until_done(
    config: &DlqConfig,
    connection: &Mutex<Option<MultiplexedConnection>>,
    letters: &[DeadLetter],
) {
    if letters.is_empty() {
        return;
    }
    let mut slot = connection.lock().await;
    let written = Backoff::outage()
        .until_ok_connected(
            &mut *slot,
            || connect(&config.client),
            |mut con| async move {
                let written = write_letters(config, &mut con, letters).await;
                (con, written)
            },
            |e, wait| {
                tracing::warn!(dlq = %config.dlq_stream, error = %e, retry_in_ms = wait.as_millis() as u64, "DLQ write failed, retrying");
            },
        )
        .await;
    config.written.fetch_add(written as u64, std::sync::atomic::Ordering::Relaxed);
    tracing::info!(dlq = %config.dlq_stream, written, offered = letters.len(), "dead letters written");
}

async fn connect(client: &redis::Client) -> Result<MultiplexedConnection, SinkError> {
    let op = "connect";
    let config = redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(30)));
    client.get_multiplexed_async_connection_with_config(&config).await.map_err(|source| SinkError::Redis { op, source })
}

/// Writes letters (idempotently, see the module docs); returns how many were new.
pub async fn write_letters(
    config: &DlqConfig,
    con: &mut MultiplexedConnection,
    letters: &[DeadLetter],
) -> Result<usize, SinkError> {
    let script = redis::Script::new(DEAD_LETTER_SCRIPT);
    let mut written = 0;
    for letter in letters {
        let original = match &letter.fields {
            Some(fields) => fields.clone(),
            None => original_fields(con, &letter.src_stream, &letter.src_stream_id).await?,
        };
        let mut invocation = script.key(&letter.src_stream);
        invocation.key(&config.dlq_stream).arg(&config.group).arg(&letter.src_stream_id);
        for (k, v) in letter.dlq_fields(&original) {
            invocation.arg(k).arg(v);
        }
        let added: i64 = invocation
            .invoke_async(con)
            .await
            .map_err(|source| SinkError::Redis { op: "dead-letter script", source })?;
        written += added as usize;
        if added > 0 {
            count_dead_letter(&letter.reason);
        }
    }
    Ok(written)
}

/// Caracal's DLQ counters for one new dead letter: `caracal_audit_dlq_total{reason}` by reason
/// kind, plus `caracal_audit_hmac_failures_total` or `caracal_audit_parse_errors_total` for
/// the kinds those alert rules watch.
fn count_dead_letter(reason: &auditflow_schemas::dead_letter::Reason) {
    let kind = reason.kind();
    metrics::counter!("caracal_audit_dlq_total", "reason" => kind).increment(1);
    match kind {
        "hmac_verify_failed" | "unknown_key_id" => metrics::counter!("caracal_audit_hmac_failures_total").increment(1),
        "missing_data_field" | "json_parse_error" | "schema_invalid" | "oversized" => {
            metrics::counter!("caracal_audit_parse_errors_total").increment(1)
        }
        _ => {}
    }
}

/// Re-reads an entry's fields from its stream (for letters found by the ledger, which does
/// not carry raw bytes). A trimmed entry yields no fields; its DLQ entry still names it.
async fn original_fields(
    con: &mut MultiplexedConnection,
    stream: &str,
    id: &str,
) -> Result<Vec<(String, Vec<u8>)>, SinkError> {
    let reply: redis::Value = redis::cmd("XRANGE")
        .arg(stream)
        .arg(id)
        .arg(id)
        .query_async(con)
        .await
        .map_err(|source| SinkError::Redis { op: "XRANGE", source })?;
    let mut fields = Vec::new();
    if let redis::Value::Array(entries) = reply {
        if let Some(redis::Value::Array(entry)) = entries.first() {
            if let Some(redis::Value::Array(kv)) = entry.get(1) {
                for pair in kv.chunks(2) {
                    if let [redis::Value::BulkString(k), redis::Value::BulkString(v)] = pair {
                        fields.push((String::from_utf8_lossy(k).into_owned(), v.clone()));
                    }
                }
            }
        }
    }
    Ok(fields)
}
