//! The one backoff of auditflow: every I/O path that retries (the ledger's commits, the
//! archive's steps, the DLQ and views writers, the stream reader and acknowledger, start-up
//! connections) waits with a [`Backoff`] and loops through [`Backoff::retry`], so the
//! doubling, the cap and the log fields are the same everywhere.
//!
//! ```
//! use auditflow_retry::{Backoff, Retry};
//! use std::time::Duration;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let backoff = Backoff::new(Duration::from_millis(1), Duration::from_millis(4));
//! let mut calls = 0;
//! let result: Result<u32, &str> = backoff
//!     .retry(
//!         || {
//!             calls += 1;
//!             let n = calls;
//!             async move { if n < 3 { Err("not yet") } else { Ok(n) } }
//!         },
//!         |_error, _wait| Retry::Again,
//!     )
//!     .await;
//! assert_eq!(result, Ok(3));
//! # });
//! ```
#![deny(missing_docs)]

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Doubling waits from `first` up to `max`. Its methods take `&self`, so the operation being
/// retried can itself [`reset`](Backoff::reset) the wait once it makes progress.
#[derive(Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next_ns: AtomicU64,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Wait, then try again.
    Again,
    /// Return the error.
    GiveUp,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Backoff {
    /// Waits of `first`, doubling after each, never longer than `max`.
    pub fn new(first: Duration, max: Duration) -> Self {
        Backoff { first, max, next_ns: AtomicU64::new(nanos(first)) }
    }

    /// The usual wait between attempts at an outage: 100 ms doubling to 5 s.
    pub fn outage() -> Self {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(5))
    }

    /// How long the next [`wait`](Backoff::wait) sleeps (for the log line before it).
    pub fn next_delay(&self) -> Duration {
        Duration::from_nanos(self.next_ns.load(Ordering::Relaxed))
    }

    /// Sleeps the next delay, then doubles it (up to the cap).
    pub async fn wait(&self) {
        let delay = self.next_delay();
        tokio::time::sleep(delay).await;
        self.next_ns.store(nanos((delay * 2).min(self.max)), Ordering::Relaxed);
    }

    /// [`wait`](Backoff::wait) for a thread outside the async runtime (cluster forming runs
    /// before the runtime exists): blocks the thread.
    pub fn wait_blocking(&self) {
        let delay = self.next_delay();
        std::thread::sleep(delay);
        self.next_ns.store(nanos((delay * 2).min(self.max)), Ordering::Relaxed);
    }

    /// Back to the first delay (after progress).
    pub fn reset(&self) {
        self.next_ns.store(nanos(self.first), Ordering::Relaxed);
    }

    /// Runs `attempt` until it succeeds or `on_error` gives up. `on_error` sees each error
    /// and the wait before the next attempt (to log both) and decides. A success resets the
    /// wait.
    pub async fn retry<T, E, F, Fut>(&self, mut attempt: F, on_error: impl FnMut(&E, Duration) -> Retry) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let ((), result) = self
            .retry_with(
                (),
                |()| {
                    let next = attempt();
                    async move { ((), next.await) }
                },
                on_error,
            )
            .await;
        result
    }

    /// [`retry`](Backoff::retry) for a step that has no way to give up (a task that can only
    /// wait for its service): the value, once an attempt succeeds; `on_error` logs each error
    /// with the wait before the next attempt.
    pub async fn until_ok<T, E, F, Fut>(&self, mut attempt: F, on_error: impl FnMut(&E, Duration)) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // A step with nothing to connect: a connection that is always there.
        self.until_ok_connected(
            &mut Some(()),
            || async { Ok(()) },
            |()| {
                let next = attempt();
                async move { ((), next.await) }
            },
            on_error,
        )
        .await
    }

    /// [`until_ok`](Backoff::until_ok) over a connection kept in `slot` across attempts and
    /// calls: made by `connect` when missing, handed to `op` and back, and dropped after a
    /// failed attempt so that the next one connects afresh.
    pub async fn until_ok_connected<C, T, E, CF, CFut, OF, OFut>(
        &self,
        slot: &mut Option<C>,
        mut connect: CF,
        mut op: OF,
        mut on_error: impl FnMut(&E, Duration),
    ) -> T
    where
        CF: FnMut() -> CFut,
        CFut: Future<Output = Result<C, E>>,
        OF: FnMut(C) -> OFut,
        OFut: Future<Output = (C, Result<T, E>)>,
    {
        loop {
            let con = match slot.take() {
                Some(con) => Ok(con),
                None => connect().await,
            };
            let result = match con {
                Ok(con) => {
                    let (con, result) = op(con).await;
                    if result.is_ok() {
                        *slot = Some(con);
                    }
                    result
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(value) => {
                    self.reset();
                    return value;
                }
                Err(e) => {
                    on_error(&e, self.next_delay());
                    self.wait().await;
                }
            }
        }
    }

    /// [`retry`](Backoff::retry) for an attempt that needs state of its own across attempts
    /// (a connection to reuse or drop): each attempt takes `state` and hands it back with
    /// its result, and the last state is returned with the outcome.
    pub async fn retry_with<S, T, E, F, Fut>(
        &self,
        mut state: S,
        mut attempt: F,
        mut on_error: impl FnMut(&E, Duration) -> Retry,
    ) -> (S, Result<T, E>)
    where
        F: FnMut(S) -> Fut,
        Fut: Future<Output = (S, Result<T, E>)>,
    {
        loop {
            let (next, result) = attempt(state).await;
            state = next;
            match result {
                Ok(value) => {
                    self.reset();
                    return (state, Ok(value));
                }
                Err(e) => match on_error(&e, self.next_delay()) {
                    Retry::Again => self.wait().await,
                    Retry::GiveUp => return (state, Err(e)),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn doubles_to_the_cap_and_resets() {
        let b = Backoff::new(Duration::from_millis(100), Duration::from_millis(350));
        let seen: Vec<u128> = {
            let mut v = Vec::new();
            for _ in 0..4 {
                v.push(b.next_delay().as_millis());
                b.wait().await;
            }
            v
        };
        assert_eq!(seen, [100, 200, 350, 350]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_when_told() {
        let b = Backoff::outage();
        let mut tries = 0;
        let r: Result<(), u32> = b
            .retry(
                || {
                    tries += 1;
                    let n = tries;
                    async move { Err(n) }
                },
                |e, _| if *e < 3 { Retry::Again } else { Retry::GiveUp },
            )
            .await;
        assert_eq!(r, Err(3));
    }

    #[tokio::test(start_paused = true)]
    async fn until_ok_waits_out_every_error() {
        let b = Backoff::new(Duration::from_millis(10), Duration::from_millis(40));
        let (mut tries, mut waits) = (0, Vec::new());
        let v: u32 = b
            .until_ok(
                || {
                    tries += 1;
                    let n = tries;
                    async move {
                        if n < 4 {
                            Err(n)
                        } else {
                            Ok(n * 10)
                        }
                    }
                },
                |_: &u32, wait| waits.push(wait.as_millis()),
            )
            .await;
        assert_eq!((v, waits), (40, vec![10, 20, 40]));
        assert_eq!(b.next_delay(), Duration::from_millis(10), "a success resets the wait");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_attempt_drops_the_connection_and_the_next_reconnects() {
        let b = Backoff::new(Duration::from_millis(1), Duration::from_millis(1));
        let (mut connects, mut calls) = (0u32, 0u32);
        let mut slot: Option<u32> = None;
        let v = b
            .until_ok_connected(
                &mut slot,
                || {
                    connects += 1;
                    let n = connects;
                    async move {
                        if n == 1 {
                            Err("refused")
                        } else {
                            Ok(n)
                        }
                    }
                },
                |con: u32| {
                    calls += 1;
                    let n = calls;
                    async move { (con, if n == 1 { Err("broken pipe") } else { Ok(con) }) }
                },
                |_, _| {},
            )
            .await;
        // Refused, then connection 2 broke, then connection 3 worked and is kept.
        assert_eq!((v, connects, calls, slot), (3, 3, 2, Some(3)));
    }
}
