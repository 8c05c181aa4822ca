//! The views' budget (issue 30): what the live views hold is bounded by a budget of rows
//! given to them and not yet written, however far they fall behind the ledger.
//!
//! The ledger is the source of truth and hands every committed row to the views. When the
//! views fall behind (a busy machine, a slow view write), the rows they have not written
//! pile up in their window, their arrangements and their sink, and that pile grows with the
//! lag, not with the work still open. With a budget, a worker whose views hold more unwritten
//! rows than it allows stops handing them new rows: each chain that commits a row from then
//! on is *behind*, and its rows are dropped from the live feed (the ledger has them). Once
//! the views have written down to half the budget, the worker reads a behind chain's rows
//! back from the ledger in position order, a bounded batch at a time, and feeds them in;
//! a chain whose read comes back short with nothing dropped past it is live again. Ingestion
//! never waits for the views.
//!
//! The views see a behind chain's rows later than they would have, as they would see a
//! replayed spool: the window's watermark and its late-row handling keep their results
//! equal to the ledger's. A restart starts every chain behind, from the position the views
//! recorded as written.
//!
//! The ledger sink emits a chain's rows in position order (it commits one batch at a time,
//! each chain's rows in order), which is what lets one position per chain say what was fed.

use auditflow_schemas::view::SharedEvent;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::time::Instant;
use timely::dataflow::operators::vec::map::Map;
use timely::dataflow::Stream;

/// A chain whose rows the views get from the ledger rather than from the live feed.
#[derive(Debug)]
struct Behind {
    /// Every row of the chain up to this position has been fed.
    fed_through: i64,
    /// The newest position dropped from the live feed.
    dropped_through: i64,
    /// (newest position dropped, when): how long the oldest row not yet fed has waited.
    dropped_at: VecDeque<(i64, Instant)>,
}

/// What the gate between the ledger's committed rows and the views knows: how much room the
/// budget leaves, which chains are behind and how far they were fed. Shared between the
/// operator (which drops rows) and the worker (which reads them back from the ledger and
/// feeds them in); no I/O.
#[derive(Debug, Default)]
pub struct FeedGate {
    /// Rows the views may still take before the budget is spent (set by the worker from
    /// what they hold unwritten; spent as rows pass).
    room: usize,
    /// Chains behind.
    behind: HashMap<i32, Behind>,
    /// Chains that were behind and caught up: rows up to this position were fed by the
    /// catch-up and are dropped if the live feed brings them too.
    caught_up: HashMap<i32, i64>,
    /// When the worker last set the room: the time of the drops until it sets it again.
    now: Option<Instant>,
    /// Rows dropped from the live feed, in all.
    pub shed_total: u64,
}

/// A behind chain's next read: positions after `after`, at most `limit` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatchUp {
    /// The chain.
    pub chain: i32,
    /// Its rows after this position are not fed yet.
    pub after: i64,
}

impl FeedGate {
    /// A gate with `room` rows to give before its chains fall behind.
    pub fn with_room(room: usize) -> FeedGate {
        FeedGate { room, ..FeedGate::default() }
    }

    /// Sets how many more rows the views may take now.
    pub fn set_room(&mut self, room: usize, now: Instant) {
        self.room = room;
        self.now = Some(now);
    }

    /// Starts `chain` behind: its rows after `after` come from the ledger (a restart: the
    /// views recorded `after` as written).
    pub fn start_behind(&mut self, chain: i32, after: i64) {
        self.behind.insert(chain, Behind { fed_through: after, dropped_through: after, dropped_at: VecDeque::new() });
    }

    /// Whether `row` goes to the views now; otherwise the ledger gives it back later.
    pub fn admit(&mut self, row: &SharedEvent) -> bool {
        let (chain, seq) = (row.chain_id, row.chain_seq);
        let now = *self.now.get_or_insert_with(Instant::now);
        if let Some(behind) = self.behind.get_mut(&chain) {
            behind.dropped_through = behind.dropped_through.max(seq);
            match behind.dropped_at.back_mut() {
                Some(last) if last.1 == now => last.0 = last.0.max(seq),
                _ => behind.dropped_at.push_back((seq, now)),
            }
            self.shed_total += 1;
            return false;
        }
        if let Some(through) = self.caught_up.get(&chain) {
            if seq <= *through {
                // The catch-up fed it already.
                return false;
            }
            self.caught_up.remove(&chain);
        }
        // Adopted rows (no chain of auditflow's) are never behind: they do not come from
        // the live feed.
        if self.room == 0 && chain >= 0 {
            // Rows come in position order: every earlier row of the chain was fed.
            let fed_through = seq - 1;
            self.behind
                .insert(chain, Behind { fed_through, dropped_through: seq, dropped_at: VecDeque::from([(seq, now)]) });
            self.shed_total += 1;
            return false;
        }
        self.room = self.room.saturating_sub(1);
        true
    }

    /// The reads that would catch the behind chains up, oldest drop first.
    pub fn catch_up(&self) -> Vec<CatchUp> {
        let mut reads: Vec<(Option<Instant>, CatchUp)> = self
            .behind
            .iter()
            .map(|(chain, b)| (b.dropped_at.front().map(|d| d.1), CatchUp { chain: *chain, after: b.fed_through }))
            .collect();
        reads.sort_by_key(|(at, read)| (*at, read.chain));
        reads.into_iter().map(|(_, read)| read).collect()
    }

    /// Takes in what a read of `chain` after `after` (at most `limit` rows) fed: the
    /// positions of its rows, in order. A short read with nothing dropped past it brings
    /// the chain back to the live feed.
    pub fn fed_from_ledger(&mut self, chain: i32, after: i64, positions: &[i64], limit: usize) {
        let Some(behind) = self.behind.get_mut(&chain) else { return };
        if behind.fed_through != after {
            // A read that crossed another one: its rows are not the next ones.
            return;
        }
        if let Some(last) = positions.last() {
            behind.fed_through = *last;
        }
        while behind.dropped_at.front().is_some_and(|d| d.0 <= behind.fed_through) {
            behind.dropped_at.pop_front();
        }
        if positions.len() < limit && behind.fed_through >= behind.dropped_through {
            let through = behind.fed_through;
            self.behind.remove(&chain);
            self.caught_up.insert(chain, through);
        }
    }

    /// Chains behind.
    pub fn behind(&self) -> usize {
        self.behind.len()
    }

    /// When the oldest row dropped and not yet fed again was dropped.
    pub fn oldest_drop(&self) -> Option<Instant> {
        self.behind.values().filter_map(|b| b.dropped_at.front().map(|d| d.1)).min()
    }
}

/// Extension trait: the views' feed, within their budget.
///
/// ```
/// use auditflow_operators::feed::{FeedGate, ViewsFeed};
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use timely::dataflow::operators::vec::ToStream;
/// use timely::dataflow::operators::Inspect;
/// use std::{cell::RefCell, rc::Rc, sync::{Arc, Mutex}};
///
/// let row = |chain: i32, seq: i64| SharedEvent::new(ViewEvent {
///     id: format!("{chain}-{seq}"), zone_id: "z".into(), event_type: "token_exchange".into(), request_id: None,
///     decision: None, evaluation_status: None, determining_policies_json: None, diagnostics_json: None,
///     session_id: None, agent_session_id: None, delegation_edge_id: None,
///     parent_agent_session_id: None, occurred_at_us: seq, chain_id: chain, chain_seq: seq,
/// });
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let (behind, shed, read) = timely::execute_directly(move |worker| {
///     // Room for two rows: chain 1's third row finds none, and chain 1 falls behind; chain 2
///     // too (a behind chain stays behind until the ledger has given back what it dropped).
///     let gate = Rc::new(RefCell::new(FeedGate::with_room(2)));
///     let shared = gate.clone();
///     worker.dataflow::<u64, _, _>(move |scope| {
///         vec![row(1, 1), row(1, 2), row(1, 3), row(2, 1), row(1, 4)]
///             .to_stream(scope)
///             .budgeted(shared)
///             .inspect(move |e| sink.lock().unwrap().push(e.id.clone()));
///     });
///     while worker.step() {}
///     let mut gate = gate.borrow_mut();
///     let (behind, shed) = (gate.behind(), gate.shed_total);
///     // Chain 1 is read back after position 2: rows 3 and 4, a short read, and it is live.
///     let read = gate.catch_up().into_iter().find(|r| r.chain == 1).map(|r| r.after);
///     gate.fed_from_ledger(1, 2, &[3, 4], 100);
///     (behind - gate.behind(), shed, read)
/// });
/// assert_eq!(*seen.lock().unwrap(), vec!["1-1", "1-2"]);
/// assert_eq!((behind, shed, read), (1, 3, Some(2)));
/// ```
pub trait ViewsFeed<'s> {
    /// The rows the views take now; the rest the ledger gives back (see [`FeedGate`]).
    fn budgeted(self, gate: Rc<RefCell<FeedGate>>) -> Stream<'s, u64, Vec<SharedEvent>>;
}

impl<'s> ViewsFeed<'s> for Stream<'s, u64, Vec<SharedEvent>> {
    fn budgeted(self, gate: Rc<RefCell<FeedGate>>) -> Stream<'s, u64, Vec<SharedEvent>> {
        self.flat_map(move |row| gate.borrow_mut().admit(&row).then_some(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditflow_schemas::view::ViewEvent;

    fn row(chain: i32, seq: i64) -> SharedEvent {
        SharedEvent::new(ViewEvent {
            id: format!("{chain}-{seq}"),
            zone_id: "z".into(),
            event_type: "token_exchange".into(),
            request_id: None,
            decision: None,
            evaluation_status: None,
            determining_policies_json: None,
            diagnostics_json: None,
            session_id: None,
            agent_session_id: None,
            delegation_edge_id: None,
            parent_agent_session_id: None,
            occurred_at_us: seq,
            chain_id: chain,
            chain_seq: seq,
        })
    }

    #[test]
    fn rows_the_catch_up_fed_are_not_fed_again_by_the_live_feed() {
        let mut gate = FeedGate::with_room(0);
        gate.start_behind(7, 10);
        assert!(!gate.admit(&row(7, 11)));
        // The read found 11 and 12 (12 committed, not yet emitted by the ledger sink).
        gate.fed_from_ledger(7, 10, &[11, 12], 100);
        assert_eq!(gate.behind(), 0);
        gate.set_room(10, Instant::now());
        assert!(!gate.admit(&row(7, 12)), "12 was fed by the read");
        assert!(gate.admit(&row(7, 13)));
    }

    #[test]
    fn a_full_read_or_one_short_of_what_was_dropped_leaves_the_chain_behind() {
        let mut gate = FeedGate::with_room(0);
        gate.start_behind(1, 0);
        for seq in 1..=5 {
            assert!(!gate.admit(&row(1, seq)));
        }
        gate.fed_from_ledger(1, 0, &[1, 2], 2);
        assert_eq!(gate.behind(), 1, "a full read: more may follow");
        assert_eq!(gate.catch_up(), vec![CatchUp { chain: 1, after: 2 }]);
        // A stale read (issued before the last one was taken in) changes nothing.
        gate.fed_from_ledger(1, 0, &[1, 2, 3], 10);
        assert_eq!(gate.catch_up(), vec![CatchUp { chain: 1, after: 2 }]);
        gate.fed_from_ledger(1, 2, &[3, 4, 5], 10);
        assert_eq!(gate.behind(), 0);
        assert_eq!(gate.oldest_drop(), None);
    }

    #[test]
    fn a_chain_falls_behind_after_the_last_row_it_fed() {
        let mut gate = FeedGate::with_room(2);
        assert!(gate.admit(&row(3, 40)));
        assert!(gate.admit(&row(3, 41)));
        assert!(!gate.admit(&row(3, 42)));
        assert_eq!(gate.catch_up(), vec![CatchUp { chain: 3, after: 41 }]);
        assert!(gate.oldest_drop().is_some());
        assert_eq!(gate.shed_total, 1);
    }
}
