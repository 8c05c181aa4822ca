//! The timely source operator of one worker.

use super::ack::AckTracker;
use super::config::RedisStreamConfig;
use super::reader::{now_ms, run_reader, SourceMessage};
use super::reset::StreamResets;
use auditflow_schemas::wire::StreamEntry;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::{Scope, Stream};
use tokio::sync::Semaphore;

/// What the worker loop keeps to steer one source: the ids to acknowledge, the stop flag,
/// and the in-flight permits (returned by the acker).
#[derive(Clone)]
pub struct SourceControl {
    /// Ids per epoch awaiting the durable frontier.
    pub acks: Rc<RefCell<AckTracker>>,
    /// Set to stop reading (graceful shutdown).
    pub stop: Arc<AtomicBool>,
    /// In-flight permits shared by the reader and the acker.
    pub permits: Arc<Semaphore>,
    /// Entries emitted into the dataflow (first reads and re-reads).
    pub read: Arc<AtomicU64>,
    /// Stream resets the reader noticed.
    pub resets: Arc<StreamResets>,
}

impl SourceControl {
    /// Control state for a reader allowed `max_in_flight` unacknowledged entries, stopped
    /// by `stop` (shared by all workers of a process).
    pub fn new(max_in_flight: usize, stop: Arc<AtomicBool>, read: Arc<AtomicU64>, resets: Arc<StreamResets>) -> Self {
        SourceControl {
            acks: Rc::new(RefCell::new(AckTracker::default())),
            stop,
            permits: Arc::new(Semaphore::new(max_in_flight.max(1))),
            read,
            resets,
        }
    }
}

/// The epoch (timely time) of a wall-clock instant: milliseconds quantised to `epoch_ms`.
pub fn epoch_of(now_ms: i64, epoch_ms: u64) -> u64 {
    (now_ms.max(0) as u64 / epoch_ms.max(1)) * epoch_ms.max(1)
}

/// A source emitting stream entries at the current epoch. The reader runs on `runtime`;
/// the capability follows wall time even when idle, so frontiers keep moving, and is
/// dropped when the reader finishes (drained or stopped).
pub fn redis_stream_source<'scope>(
    scope: Scope<'scope, u64>,
    config: RedisStreamConfig,
    epoch_ms: u64,
    runtime: &tokio::runtime::Handle,
    control: &SourceControl,
) -> Stream<'scope, u64, Vec<StreamEntry>> {
    let control = control.clone();
    let runtime = runtime.clone();
    source(scope, "RedisStreamSource", move |capability, info| {
        let activator = scope.activator_for(info.address.clone());
        let sync_activator = scope.worker().sync_activator_for(info.address.to_vec());
        let (tx, rx) = std::sync::mpsc::channel();
        runtime.spawn(run_reader(
            config,
            tx,
            sync_activator,
            control.permits.clone(),
            control.stop.clone(),
            control.resets.clone(),
        ));
        let mut cap = Some(capability);
        let tick = Duration::from_millis(epoch_ms);
        move |output| {
            let Some(c) = cap.as_mut() else { return };
            let now = epoch_of(now_ms(), epoch_ms);
            if now > *c.time() {
                c.downgrade(&now);
            }
            let mut finished = false;
            while let Ok(message) = rx.try_recv() {
                match message {
                    SourceMessage::Batch(mut entries) => {
                        control.read.fetch_add(entries.len() as u64, Ordering::Relaxed);
                        control.acks.borrow_mut().record(*c.time(), entries.iter().map(|e| e.stream_id.clone()));
                        output.session(&*c).give_container(&mut entries);
                    }
                    SourceMessage::Finished => finished = true,
                }
            }
            if finished {
                cap = None;
            } else {
                activator.activate_after(tick);
            }
        }
    })
}
