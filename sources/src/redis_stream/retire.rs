//! Retiring the consumers of an earlier cluster size.
//!
//! Consumer names are `<prefix>-<process>-<worker>`; a cluster of another size reads under
//! other names, and the old names' pending entries would otherwise wait for the idle claim.
//! One worker hands them to itself (`XCLAIM … JUSTID`, which keeps their delivery counts)
//! before its reader starts, so it re-reads them first, and removes the old consumers from
//! the group once they hold nothing (`XGROUP DELCONSUMER` drops what a consumer still
//! holds, so the claim comes first).

use super::error::SourceError;
use super::reply::{parse_consumer_names, parse_xpending_extended};
use super::target::{connect, RedisTarget};
use std::time::Duration;

/// Deletes consumer ARGV[2] of group ARGV[1] only if it has no pending entry; -1 otherwise.
const DELETE_IF_IDLE: &str = r"
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #pending > 0 then return -1 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
";

/// Whether `name` is one this deployment reads as: `<prefix>-<n>` (single-process runs
/// before clusters existed) or `<prefix>-<n>-<n>`.
///
/// ```
/// use auditflow_sources::redis_stream::retire::is_ours;
/// assert!(is_ours("auditflow", "auditflow-3"));
/// assert!(is_ours("auditflow", "auditflow-2-0"));
/// assert!(!is_ours("auditflow", "auditflow-canary-0"));
/// assert!(!is_ours("auditflow", "other-0-0"));
/// assert!(!is_ours("auditflow", "auditflow-1-2-3"));
/// ```
pub fn is_ours(prefix: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else { return false };
    let parts: Vec<&str> = rest.split('-').collect();
    (1..=2).contains(&parts.len()) && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Hands the pending entries of every consumer of ours not in `current` to `claimer`, then
/// removes those consumers. Returns (consumer, entries handed over) per retired consumer.
pub async fn retire_consumers(
    target: &RedisTarget,
    stream: &str,
    group: &str,
    prefix: &str,
    current: &[String],
    claimer: &str,
) -> Result<Vec<(String, u64)>, SourceError> {
    let err = |op: &'static str| move |source| SourceError::Redis { op, stream: stream.to_owned(), source };
    let mut con = connect(target, Duration::from_secs(30)).await.map_err(err("connect"))?;
    let reply: redis::RedisResult<redis::Value> =
        redis::cmd("XINFO").arg("CONSUMERS").arg(stream).arg(group).query_async(&mut con).await;
    let names = match reply {
        Ok(reply) => parse_consumer_names(&reply)?,
        // No stream or no group yet: nobody to retire.
        Err(e) if e.code() == Some("NOGROUP") || e.to_string().contains("no such key") => return Ok(Vec::new()),
        Err(e) => return Err(err("XINFO CONSUMERS")(e)),
    };
    let mut retired = Vec::new();
    for name in names.into_iter().filter(|n| is_ours(prefix, n) && !current.contains(n)) {
        let mut handed = 0u64;
        loop {
            let reply: redis::Value = redis::cmd("XPENDING")
                .arg(stream)
                .arg(group)
                .arg("-")
                .arg("+")
                .arg(1000)
                .arg(&name)
                .query_async(&mut con)
                .await
                .map_err(err("XPENDING"))?;
            let ids: Vec<String> = parse_xpending_extended(&reply)?.into_iter().map(|(id, _, _)| id).collect();
            if ids.is_empty() {
                break;
            }
            let mut claim = redis::cmd("XCLAIM");
            claim.arg(stream).arg(group).arg(claimer).arg(0).arg(&ids).arg("JUSTID");
            let _: redis::Value = claim.query_async(&mut con).await.map_err(err("XCLAIM"))?;
            handed += ids.len() as u64;
        }
        // Removed only while it holds nothing, checked in the same atomic step: a consumer
        // that read entries since the claim above keeps them, and is retired next start.
        let deleted: i64 = redis::Script::new(DELETE_IF_IDLE)
            .key(stream)
            .arg(group)
            .arg(&name)
            .invoke_async(&mut con)
            .await
            .map_err(err("XGROUP DELCONSUMER"))?;
        if deleted < 0 {
            tracing::warn!(stream, consumer = %name, "a consumer this cluster no longer has read entries during its retirement; it stays until the next start-up");
            continue;
        }
        tracing::info!(
            stream, consumer = %name, pending = handed, claimer,
            "retired a consumer this cluster no longer has: handed its pending entries over and removed it from the group"
        );
        retired.push((name, handed));
    }
    Ok(retired)
}
