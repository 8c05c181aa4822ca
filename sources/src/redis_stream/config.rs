//! Configuration of the consumer-group reader.

use std::time::Duration;

/// How one worker reads the audit stream.
#[derive(Clone, Debug)]
pub struct RedisStreamConfig {
    /// Where Redis is and how to log in.
    pub target: super::target::RedisTarget,
    /// Stream key (SPEC default `caracal.audit.events`).
    pub stream: String,
    /// Consumer group (SPEC default `audit-ingestor`), created with MKSTREAM from id 0 so
    /// nothing written before the group existed is skipped.
    pub group: String,
    /// This worker's consumer name. Stable across restarts (`<prefix>-<worker index>`), so
    /// a restarted worker finds its own pending entries.
    pub consumer: String,
    /// Entries per XREADGROUP / XAUTOCLAIM call (default 2000).
    pub batch_size: usize,
    /// BLOCK time of a read that found nothing (default 200 ms).
    pub block: Duration,
    /// Entries pending on another consumer for longer than this are claimed (default 30 s).
    pub claim_idle: Duration,
    /// Read-but-unacknowledged entries allowed per worker; reading pauses above it, which
    /// keeps memory flat under any backlog (default 20 000).
    pub max_in_flight: usize,
    /// Stop once the group has nothing undelivered or pending (`--exit-when-drained`).
    pub exit_when_drained: bool,
    /// While set, the stream is not called drained: entries acknowledged earlier are being
    /// read again elsewhere (the repair of a rewound ledger).
    pub drain_hold: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl RedisStreamConfig {
    /// Defaults for a stream, group and consumer.
    pub fn new(target: &super::target::RedisTarget, stream: &str, group: &str, consumer: &str) -> Self {
        RedisStreamConfig {
            target: target.clone(),
            stream: stream.to_owned(),
            group: group.to_owned(),
            consumer: consumer.to_owned(),
            batch_size: 2000,
            block: Duration::from_millis(200),
            claim_idle: Duration::from_secs(30),
            max_in_flight: 20_000,
            exit_when_drained: false,
            drain_hold: Default::default(),
        }
    }
}
