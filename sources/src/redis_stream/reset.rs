//! A stream reset: the consumer group this reader had been reading with was gone when it
//! reconnected, so it was created again. That happens when Redis restarts without
//! persistence (or someone deletes the stream or the group). The reader goes on from the
//! new group's start, so it reads every entry the new stream holds, whatever its id. Entries
//! published before the reset and not yet read were lost with Redis's data, and the reset
//! is reported loudly because of that: as a log error, a counter and a readiness reason.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Resets seen by the readers of one process.
#[derive(Debug, Default)]
pub struct StreamResets {
    count: AtomicU64,
    last_ms: AtomicI64,
}

impl StreamResets {
    /// Records a reset of `stream` seen at `now_ms` (Unix ms).
    pub fn record(&self, stream: &str, group: &str, now_ms: i64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.last_ms.store(now_ms, Ordering::Relaxed);
        tracing::error!(
            stream,
            group,
            "the stream was reset: the consumer group was gone (Redis restarted without persistence, or the stream \
             or group was deleted) and has been created again from the start of the stream; every entry it holds \
             now is read, and entries published before the reset that had not been read are lost with Redis's data"
        );
    }

    /// Resets so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Unix ms of the last reset (`None`: none yet).
    pub fn last_ms(&self) -> Option<i64> {
        Some(self.last_ms.load(Ordering::Relaxed)).filter(|_| self.count() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_is_counted_with_its_time() {
        let resets = StreamResets::default();
        assert_eq!((resets.count(), resets.last_ms()), (0, None));
        resets.record("s", "g", 1_700_000_000_000);
        resets.record("s", "g", 1_700_000_005_000);
        assert_eq!((resets.count(), resets.last_ms()), (2, Some(1_700_000_005_000)));
    }
}
