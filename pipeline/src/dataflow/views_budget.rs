//! The worker's side of the views' budget (`auditflow_operators::feed`): it tells the gate
//! how much room the views have, and reads the behind chains' rows back from the ledger
//! into the views, one bounded read at a time, on the runtime (the worker never waits for
//! it). Ingestion does not wait for the views either: the gate only drops rows the ledger
//! holds.

use super::view_progress::{unwritten, FedByEpoch};
use auditflow_ledger::views::ViewStats;
use auditflow_operators::feed::{CatchUp, FeedGate};
use auditflow_schemas::view::{SharedEvent, ViewEvent};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::InputHandle;

/// Where the rows read back enter the views.
pub(super) type CatchUpInput = InputHandle<u64, CapacityContainerBuilder<Vec<SharedEvent>>>;

/// A read in flight: the chains and positions it reads after, the rows it asked for per
/// chain, and the rows it found.
type Reading = (Vec<CatchUp>, usize, tokio::task::JoinHandle<Vec<ViewEvent>>);

/// Reads behind chains back into the views.
pub(super) struct CatchUpReader {
    gate: Rc<RefCell<FeedGate>>,
    /// Where the read rows enter the views; `None` once closed.
    input: Option<CatchUpInput>,
    reading: Option<Reading>,
    /// Rows the views may hold unwritten (this worker's share of the budget).
    budget: usize,
    /// What this worker last added to the process's shared gauges (behind chains, rows shed,
    /// rows unwritten).
    reported: (i64, u64, i64),
}

impl CatchUpReader {
    pub(super) fn new(gate: Rc<RefCell<FeedGate>>, input: CatchUpInput, budget: usize) -> CatchUpReader {
        CatchUpReader { gate, input: Some(input), reading: None, budget: budget.max(1), reported: (0, 0, 0) }
    }

    /// Rows a read asks for per chain: a quarter of the budget over all the chains it reads,
    /// so that what it brings fits in the half the views wrote down to before it was issued.
    fn per_chain(budget: usize, chains: usize) -> usize {
        (budget / 4).max(64).div_ceil(chains.max(1))
    }

    /// One turn of the worker's loop: the room left, a finished read fed in, the next read
    /// issued once the views have written down to half the budget. `ledger` is the ledger
    /// sink's frontier (`None`: it finished); `stopping`: a signal asked the process to stop
    /// (the behind chains' rows wait in the ledger for the next start). Returns how long the
    /// oldest row dropped and not read back has waited, ms.
    pub(super) fn step(
        &mut self,
        fed: &RefCell<FedByEpoch>,
        ledger: Option<u64>,
        stopping: bool,
        pool: &deadpool_postgres::Pool,
        runtime: &tokio::runtime::Handle,
        stats: &ViewStats,
    ) -> i64 {
        let now = Instant::now();
        let held = unwritten(fed);
        let mut gate = self.gate.borrow_mut();
        gate.set_room(self.budget.saturating_sub(held), now);
        let Some(input) = self.input.as_mut() else { return 0 };
        if let Some(at) = ledger {
            if *input.time() < at {
                input.advance_to(at);
            }
        }
        if self.reading.as_ref().is_some_and(|(_, _, task)| task.is_finished()) {
            if let Some((reads, limit, task)) = self.reading.take() {
                // The task retries until it reads; a panic in it is a bug, and the chains
                // stay behind for the next read.
                let rows = runtime.block_on(task).unwrap_or_default();
                for read in &reads {
                    let positions: Vec<i64> =
                        rows.iter().filter(|r| r.chain_id == read.chain).map(|r| r.chain_seq).collect();
                    gate.fed_from_ledger(read.chain, read.after, &positions, limit);
                }
                stats.caught_up_rows.fetch_add(rows.len() as u64, Ordering::Relaxed);
                for row in rows {
                    input.send(SharedEvent::new(row));
                }
                // The input's time holds the views' frontier: past the rows just sent, so the
                // views can write them even when the ledger's frontier no longer moves (drained).
                let next = *input.time() + 1;
                input.advance_to(next);
            }
        }
        if stopping {
            if let Some((_, _, task)) = self.reading.take() {
                task.abort();
            }
        } else if self.reading.is_none() && gate.behind() > 0 && held <= self.budget / 2 {
            let reads = gate.catch_up();
            let limit = Self::per_chain(self.budget, reads.len());
            let after: Vec<(i32, i64)> = reads.iter().map(|r| (r.chain, r.after)).collect();
            let pool = pool.clone();
            let task = runtime.spawn(async move {
                auditflow_retry::Backoff::outage()
                    .until_ok(
                        || auditflow_ledger::views::read_after(&pool, &after, limit as i64),
                        |e, wait| {
                            tracing::warn!(error = %e, ?wait, "cannot read behind chains back into the views; retrying")
                        },
                    )
                    .await
            });
            self.reading = Some((reads, limit, task));
        }
        // Deltas: every worker adds to the same gauges.
        let now_reported = (gate.behind() as i64, gate.shed_total, held as i64);
        stats.behind_chains.fetch_add(now_reported.0 - self.reported.0, Ordering::Relaxed);
        stats.shed_rows.fetch_add(now_reported.1 - self.reported.1, Ordering::Relaxed);
        stats.unwritten_rows.fetch_add(now_reported.2 - self.reported.2, Ordering::Relaxed);
        self.reported = now_reported;
        let lag = gate.oldest_drop().map_or(0, |at| now.saturating_duration_since(at).as_millis() as i64);
        // Closed once nothing is behind and the ledger will commit nothing more, or at a
        // stop: then the views' frontier can pass everything.
        if stopping || (ledger.is_none() && gate.behind() == 0 && self.reading.is_none()) {
            self.input = None;
        }
        lag
    }
}
