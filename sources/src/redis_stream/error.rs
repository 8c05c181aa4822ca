//! The source's error: every one is retried by the reader, and surfaced for logs.

/// Errors talking to Redis. All are retried by the reader; they are surfaced for logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The connection failed or a command errored.
    #[error("redis {op} on stream `{stream}`: {source}")]
    Redis {
        /// What was being done.
        op: &'static str,
        /// The stream.
        stream: String,
        /// Underlying error.
        #[source]
        source: redis::RedisError,
    },
    /// Redis answered something this reader does not understand.
    #[error("unexpected reply to {op}: {detail}")]
    Protocol {
        /// The command.
        op: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl SourceError {
    /// Whether retrying may help (every source error is treated as transient).
    pub fn is_retryable(&self) -> bool {
        true
    }
}
