//! The dead-letter stream, read and drained (SPEC §2), for `auditflow dlq` and the API.
//!
//! A DLQ entry holds `reason`, `src_stream`, `src_stream_id`, `src_id`, `received_at`,
//! `consumer`, then `src_<field>` for every field of the original entry. Replay rebuilds the
//! original entry, checks that it now passes verification (the signature against the current
//! keyring, the JSON, the schema) and, in one Redis script per entry, deletes it from the DLQ
//! and re-publishes it to its source stream: a crash or a concurrent replay can neither lose
//! an entry nor publish it twice. The pipeline then ingests it like any other entry.

use anyhow::Context;
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode_any, Limits, StreamEntry};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A stream entry as XRANGE returns it: id and fields in order.
type RawEntry = (String, Vec<(String, Vec<u8>)>);

/// One DLQ entry.
#[derive(Debug, Clone, Serialize)]
pub struct DeadEntry {
    /// Its id in the DLQ stream.
    pub id: String,
    /// Why it was dead-lettered.
    pub reason: String,
    /// The stream it came from.
    pub src_stream: String,
    /// Its id there.
    pub src_stream_id: String,
    /// The event id, when it could be read.
    pub src_id: String,
    /// When it was read, unix ms.
    pub received_at: String,
    /// The consumer that read it.
    pub consumer: String,
    /// The original entry's fields (without the `src_` prefix).
    #[serde(serialize_with = "as_text_pairs")]
    pub original: Vec<(String, Vec<u8>)>,
}

fn as_text_pairs<S: serde::Serializer>(pairs: &[(String, Vec<u8>)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, &String::from_utf8_lossy(v))?;
    }
    map.end()
}

impl DeadEntry {
    /// Splits a DLQ entry's fields: the first `reason`, `src_stream`, `src_stream_id`,
    /// `src_id`, `received_at` and `consumer` describe the letter; every later `src_<k>` is
    /// field `k` of the original entry (which may itself have had an `id` field, hence
    /// "first").
    fn from_fields(id: String, fields: Vec<(String, Vec<u8>)>) -> Self {
        let mut entry = DeadEntry {
            id,
            reason: String::new(),
            src_stream: String::new(),
            src_stream_id: String::new(),
            src_id: String::new(),
            received_at: String::new(),
            consumer: String::new(),
            original: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        for (k, v) in fields {
            let text = || String::from_utf8_lossy(&v).into_owned();
            let first = seen.insert(k.clone());
            match k.as_str() {
                "reason" if first => entry.reason = text(),
                "src_stream" if first => entry.src_stream = text(),
                "src_stream_id" if first => entry.src_stream_id = text(),
                "src_id" if first => entry.src_id = text(),
                "received_at" if first => entry.received_at = text(),
                "consumer" if first => entry.consumer = text(),
                _ => {
                    if let Some(name) = k.strip_prefix("src_") {
                        entry.original.push((name.to_owned(), v));
                    }
                }
            }
        }
        entry
    }

    pub fn received(&self) -> String {
        self.received_at
            .parse::<i64>()
            .ok()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
            .unwrap_or_else(|| self.received_at.clone())
    }
}

impl DeadEntry {
    /// Whether the original entry, rebuilt, now passes verification (the signature against
    /// the current keyring, the JSON, the schema); else the reason it still fails.
    pub fn verifies_now(
        &self,
        keyring: &Keyring,
        limits: &Limits,
        revocation_stream: Option<&str>,
    ) -> Result<(), String> {
        if self.src_stream.is_empty() || self.original.is_empty() {
            return Err("the original entry is not in the DLQ entry".into());
        }
        let mut rebuilt = StreamEntry::new(&self.src_stream_id, self.original.clone());
        rebuilt.stream = self.src_stream.clone();
        decode_any(&rebuilt, keyring, limits, revocation_stream).map(|_| ()).map_err(|r| r.reason.to_string())
    }

    /// A field of the original entry, as text.
    pub fn original_field(&self, name: &str) -> Option<String> {
        self.original.iter().find(|(k, _)| k == name).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    /// Every field of the DLQ entry as it is stored, the original's with their `src_` prefix.
    pub fn stored_fields(&self) -> Vec<(String, String)> {
        let own = [
            ("reason", &self.reason),
            ("src_stream", &self.src_stream),
            ("src_stream_id", &self.src_stream_id),
            ("src_id", &self.src_id),
            ("received_at", &self.received_at),
            ("consumer", &self.consumer),
        ];
        own.into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .chain(self.original.iter().map(|(k, v)| (format!("src_{k}"), String::from_utf8_lossy(v).into_owned())))
            .collect()
    }
}

/// One page of the DLQ: at most `limit` entries from the id `start` on (inclusive; `-` for
/// the first).
pub async fn read_page(
    con: &mut redis::aio::MultiplexedConnection,
    dlq: &str,
    start: &str,
    limit: usize,
) -> anyhow::Result<Vec<DeadEntry>> {
    let page: Vec<RawEntry> = redis::cmd("XRANGE")
        .arg(dlq)
        .arg(start)
        .arg("+")
        .arg("COUNT")
        .arg(limit)
        .query_async(con)
        .await
        .with_context(|| format!("read the DLQ stream {dlq} from {start}"))?;
    Ok(page.into_iter().map(|(id, fields)| DeadEntry::from_fields(id, fields)).collect())
}

/// Reads the DLQ, oldest first, keeping entries whose reason starts with `prefix`.
pub async fn read_dlq(
    con: &mut redis::aio::MultiplexedConnection,
    dlq: &str,
    prefix: Option<&str>,
    limit: usize,
) -> anyhow::Result<Vec<DeadEntry>> {
    let mut out = Vec::new();
    let mut start = "-".to_owned();
    loop {
        let page: Vec<RawEntry> = redis::cmd("XRANGE")
            .arg(dlq)
            .arg(&start)
            .arg("+")
            .arg("COUNT")
            .arg(1000)
            .query_async(con)
            .await
            .with_context(|| format!("read the DLQ stream {dlq}"))?;
        let full = page.len() == 1000;
        let last = page.last().map(|(id, _)| id.clone());
        for (id, fields) in page {
            let entry = DeadEntry::from_fields(id, fields);
            if prefix.is_none_or(|p| entry.reason.starts_with(p)) {
                out.push(entry);
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        match last {
            Some(id) if full => start = format!("({id}"),
            _ => return Ok(out),
        }
    }
}

/// One DLQ entry by id.
pub async fn read_one(
    con: &mut redis::aio::MultiplexedConnection,
    dlq: &str,
    id: &str,
) -> anyhow::Result<Option<DeadEntry>> {
    let found: Vec<RawEntry> = redis::cmd("XRANGE")
        .arg(dlq)
        .arg(id)
        .arg(id)
        .query_async(con)
        .await
        .with_context(|| format!("read {id} from {dlq}"))?;
    Ok(found.into_iter().next().map(|(id, fields)| DeadEntry::from_fields(id, fields)))
}

/// `dlq show` of an id that is not there: exit 1.
#[derive(Debug, thiserror::Error)]
#[error("no entry {0} in the DLQ stream {1}")]
pub struct NotInDlq(pub String, pub String);

/// What `dlq replay` did (or would do).
#[derive(Debug, Default, Serialize)]
pub struct ReplayReport {
    /// Nothing was changed.
    pub dry_run: bool,
    /// Entries re-published and removed from the DLQ (or that would be).
    pub replayed: Vec<String>,
    /// Entries that still fail, with the reason they fail now.
    pub still_failing: Vec<(String, String)>,
    /// `tamper_on_replay` entries left alone (name them with `--reason` to replay them).
    pub skipped_tamper: usize,
    /// Entries another replay removed first.
    pub gone: usize,
}

/// Deletes the entry from the DLQ and, only if this call deleted it, re-publishes it.
const REPLAY_SCRIPT: &str = r#"
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
return 1
"#;

/// What to replay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Only reasons starting with this.
    pub reason: Option<String>,
    /// At most this many entries.
    pub limit: Option<usize>,
    /// Change nothing; report.
    #[serde(default)]
    pub dry_run: bool,
}

/// Replays DLQ entries that now pass verification (see the module docs).
pub async fn replay_entries(
    con: &mut redis::aio::MultiplexedConnection,
    dlq_stream: &str,
    keyring: &Keyring,
    limits: &Limits,
    revocation_stream: Option<&str>,
    request: &ReplayRequest,
) -> anyhow::Result<ReplayReport> {
    let explicit_tamper = request.reason.as_deref().is_some_and(|r| r.starts_with("tamper"));
    let entries = read_dlq(con, dlq_stream, request.reason.as_deref(), request.limit.unwrap_or(usize::MAX)).await?;
    let mut report = ReplayReport { dry_run: request.dry_run, ..Default::default() };
    let script = redis::Script::new(REPLAY_SCRIPT);
    for entry in entries {
        if entry.reason.starts_with("tamper_on_replay") && !explicit_tamper {
            report.skipped_tamper += 1;
            continue;
        }
        if let Err(reason) = entry.verifies_now(keyring, limits, revocation_stream) {
            report.still_failing.push((entry.id, reason));
            continue;
        }
        if request.dry_run {
            report.replayed.push(entry.id);
            continue;
        }
        let mut invocation = script.key(dlq_stream);
        invocation.key(&entry.src_stream).arg(&entry.id);
        for (k, v) in &entry.original {
            invocation.arg(k).arg(v);
        }
        let moved: i64 = invocation
            .invoke_async(con)
            .await
            .with_context(|| format!("replay {} to {}", entry.id, entry.src_stream))?;
        if moved == 1 {
            report.replayed.push(entry.id);
        } else {
            report.gone += 1;
        }
    }
    Ok(report)
}

/// Counts the DLQ's entries by reason kind (the part before the first `:`).
pub async fn reasons(con: &mut redis::aio::MultiplexedConnection, dlq: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for entry in read_dlq(con, dlq, None, usize::MAX).await? {
        let kind = entry.reason.split(':').next().unwrap_or_default().to_owned();
        *counts.entry(kind).or_insert(0) += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_letters_own_fields_come_first_and_an_original_id_field_is_kept() {
        let f = |k: &str, v: &str| (k.to_owned(), v.as_bytes().to_vec());
        let entry = DeadEntry::from_fields(
            "5-0".into(),
            vec![
                f("reason", "hmac_verify_failed"),
                f("src_stream", "s"),
                f("src_stream_id", "1-0"),
                f("src_id", "e1"),
                f("received_at", "1795400000000"),
                f("consumer", "auditflow-0"),
                f("src_id", "e1"),
                f("src_data", "{}"),
                f("src_sig", "00"),
            ],
        );
        assert_eq!(entry.reason, "hmac_verify_failed");
        assert_eq!((entry.src_stream.as_str(), entry.src_stream_id.as_str()), ("s", "1-0"));
        let names: Vec<&str> = entry.original.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, vec!["id", "data", "sig"]);
    }
}
