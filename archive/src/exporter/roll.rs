//! When a chain's pending rows become a segment: the roll policy, in one place.
//!
//! A segment is cut when the run is finishing (drain, shutdown), when the pending rows
//! fill a segment, or when the oldest of them has waited three quarters of `max_delay`,
//! which leaves the last quarter for writing it, so a committed row is archived within
//! `max_delay`.
//!
//! ```
//! use auditflow_archive::exporter::{Roll, RollPolicy};
//! use std::time::Duration;
//!
//! let policy = RollPolicy { max_rows: 1000, max_wait: Duration::from_secs(45) };
//! assert_eq!(policy.decide(10, Duration::from_secs(1), false), Roll::Wait);
//! assert_eq!(policy.decide(1000, Duration::ZERO, false), Roll::Full);
//! assert_eq!(policy.decide(10, Duration::from_secs(45), false), Roll::Waited);
//! assert_eq!(policy.decide(10, Duration::ZERO, true), Roll::Finishing);
//! ```

use super::config::ExportConfig;
use std::time::Duration;

/// When pending rows are cut into a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollPolicy {
    /// A segment holds at most this many rows; this many pending rows are cut at once.
    pub max_rows: i64,
    /// Pending rows whose oldest has waited this long are cut.
    pub max_wait: Duration,
}

/// What [`RollPolicy::decide`] says, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roll {
    /// Not yet.
    Wait,
    /// The run is finishing: everything pending is archived now.
    Finishing,
    /// A segment's worth of rows is pending.
    Full,
    /// The oldest pending row has waited long enough.
    Waited,
}

impl RollPolicy {
    /// The policy of a configuration: `target_segment_rows`, and three quarters of
    /// `max_delay`.
    pub fn of(config: &ExportConfig) -> Self {
        RollPolicy { max_rows: config.target_segment_rows, max_wait: config.max_delay * 3 / 4 }
    }

    /// Whether `pending` rows, the oldest committed `waited` ago, are cut now.
    pub fn decide(&self, pending: i64, waited: Duration, finishing: bool) -> Roll {
        if finishing {
            Roll::Finishing
        } else if pending >= self.max_rows {
            Roll::Full
        } else if waited >= self.max_wait {
            Roll::Waited
        } else {
            Roll::Wait
        }
    }
}
