//! The dead-letter writer (SPEC §2).
//!
//! Each dead letter is written by one Lua script that, atomically on the Redis server,
//! checks the source entry is still pending in the group, XADDs the DLQ entry and XACKs
//! the source entry. A crash before the script leaves the entry pending (it is re-read and
//! dead-lettered again, once); a crash after it leaves nothing to redo; two consumers that
//! both hold a copy (after a claim) cannot both write it, because the second finds the
//! entry no longer pending. So the DLQ, like the ledger, holds each bad entry exactly once.

mod writer;

pub use writer::{write_letters, DlqConfig};

use crate::epoch_sink::epoch_sink;
use auditflow_ledger::Completion;
use auditflow_schemas::DeadLetter;
use redis::aio::MultiplexedConnection;
use std::sync::Arc;
use timely::dataflow::Stream;
use tokio::sync::Mutex;
use writer::write_until_done;

/// Extension trait: `dlq_sink` on a stream of dead letters.
pub trait DlqSink<'scope> {
    /// Writes dead letters; the output (empty) advances once they are durable.
    fn dlq_sink(self, config: DlqConfig, runtime: tokio::runtime::Handle) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope> DlqSink<'scope> for Stream<'scope, u64, Vec<DeadLetter>> {
    fn dlq_sink(self, config: DlqConfig, runtime: tokio::runtime::Handle) -> Stream<'scope, u64, Vec<()>> {
        // One connection per sink, opened on first use and replaced after an error; batches
        // are written one at a time, so the lock is never contended.
        let connection: Arc<Mutex<Option<MultiplexedConnection>>> = Arc::default();
        epoch_sink(self, "DlqSink", move |_epoch, letters: Vec<DeadLetter>, completion: Completion<()>| {
            let config = config.clone();
            let connection = connection.clone();
            runtime.spawn(async move {
                write_until_done(&config, &connection, &letters).await;
                completion.complete(Vec::new());
            });
        })
    }
}
