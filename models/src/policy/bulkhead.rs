//! Semaphore bulkhead: at most `max_concurrent` calls in flight to one downstream; a caller that
//! finds no free permit waits up to `max_wait` in FIFO order, then is rejected.
//!
//! Sources: the lesson's `Bulkhead` (`asyncio.wait_for(semaphore.acquire(), timeout=max_wait)`,
//! default `max_wait_seconds = 5.0`; `asyncio.Semaphore` serves waiters first-come first-served
//! and, since Python 3.11, does not let a newcomer overtake queued waiters) and resilience4j's
//! `SemaphoreBulkhead` (a fair `java.util.concurrent.Semaphore`; defaults `maxConcurrentCalls =
//! 25`, `maxWaitDuration = 0`, i.e. reject at once when full).
//!
//! This type keeps counts only. The world keeps the FIFO of waiting calls and their timers:
//!
//! - [`Bulkhead::on_request`] → [`Admission::Acquired`] (go), [`Admission::MustWait`] (enqueue
//!   and start a `max_wait` timer) or [`Admission::Rejected`] (fail fast).
//! - [`Bulkhead::on_release`] when a call holding a permit ends; `true` means the permit passed
//!   straight to the first waiter (the world dequeues it, cancels its timer and starts it), so
//!   `in_use` is unchanged.
//! - [`Bulkhead::on_wait_timeout`] when a waiter's timer fires (a rejection), or
//!   [`Bulkhead::on_waiter_cancelled`] when it leaves for another reason (its request died).
//!
//! FIFO fairness: a new arrival gets a permit only if nobody is waiting, so waiters are always
//! served before later arrivals. Invariants (debug-asserted): `in_use ≤ max_concurrent`, counts
//! never go below zero, and nobody waits while a permit is free.

pub use crate::defaults::{R4J_MAX_CONCURRENT_CALLS, R4J_MAX_WAIT};
use serde::Serialize;
use sim_core::time::SimDuration;

/// A bulkhead's logged changes (`crate::log::LogKind::Policy`): in `events.jsonl`,
/// `bulkhead_saturated` and `bulkhead_recovered` with these fields (docs/outputs.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event")]
pub enum BulkheadEvent {
    /// A bulkhead has no free permit.
    #[serde(rename = "bulkhead_saturated")]
    Saturated {
        /// Edge name.
        edge: String,
        /// Owner of the bulkhead.
        owner: String,
        /// Permits.
        max_concurrent: u32,
    },
    /// A saturated bulkhead has room again (at most half its permits in use).
    #[serde(rename = "bulkhead_recovered")]
    Recovered {
        /// Edge name.
        edge: String,
        /// Owner of the bulkhead.
        owner: String,
    },
}

/// The lesson's `Bulkhead` default `max_wait_seconds`: 5 s.
pub const LESSON_MAX_WAIT: SimDuration = SimDuration::from_secs(5);

/// Bulkhead limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkheadConfig {
    /// Permits: calls in flight at once (resilience4j default [`R4J_MAX_CONCURRENT_CALLS`]; the
    /// lesson uses 10 for classification).
    pub max_concurrent: u32,
    /// Longest wait for a permit before rejection; zero rejects at once when full
    /// (resilience4j default [`R4J_MAX_WAIT`], the lesson's [`LESSON_MAX_WAIT`]).
    pub max_wait: SimDuration,
}

/// What a new call must do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A permit was free and nobody was waiting: the call holds it now.
    Acquired,
    /// No permit: the call joins the FIFO and waits up to `max_wait`.
    MustWait,
    /// No permit and no waiting allowed: rejected (counted).
    Rejected,
}

/// Permit counts of one semaphore bulkhead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bulkhead {
    config: BulkheadConfig,
    in_use: u32,
    waiting: u32,
    rejections: u64,
}

impl Bulkhead {
    /// A bulkhead with all permits free.
    pub fn new(config: BulkheadConfig) -> Bulkhead {
        Bulkhead {
            config,
            in_use: 0,
            waiting: 0,
            rejections: 0,
        }
    }

    /// The limits.
    pub fn config(&self) -> &BulkheadConfig {
        &self.config
    }

    /// A call arrives. `Acquired` if a permit is free and nobody is waiting (FIFO fairness);
    /// otherwise `MustWait` if `max_wait > 0`, else `Rejected`.
    pub fn on_request(&mut self) -> Admission {
        if self.in_use < self.config.max_concurrent && self.waiting == 0 {
            self.in_use += 1;
            Admission::Acquired
        } else if !self.config.max_wait.is_zero() {
            self.waiting += 1;
            Admission::MustWait
        } else {
            self.rejections += 1;
            Admission::Rejected
        }
    }

    /// A permit is released; returns true if it was handed to the first waiter (the world then
    /// resumes that waiter), false if it went back to the pool.
    pub fn on_release(&mut self) -> bool {
        debug_assert!(self.in_use > 0, "bulkhead: release without a permit in use");
        if self.waiting > 0 {
            self.waiting -= 1;
            true
        } else {
            self.in_use = self.in_use.saturating_sub(1);
            false
        }
    }

    /// A waiter gave up after `max_wait` (counted as a rejection).
    pub fn on_wait_timeout(&mut self) {
        debug_assert!(self.waiting > 0, "bulkhead: timeout without a waiter");
        self.waiting = self.waiting.saturating_sub(1);
        self.rejections += 1;
    }

    /// A waiter left for another reason (its request died); not a rejection.
    pub fn on_waiter_cancelled(&mut self) {
        debug_assert!(self.waiting > 0, "bulkhead: cancel without a waiter");
        self.waiting = self.waiting.saturating_sub(1);
    }

    /// Permits held by calls in flight.
    pub fn in_use(&self) -> u32 {
        self.in_use
    }

    /// Calls waiting for a permit.
    pub fn waiting(&self) -> u32 {
        self.waiting
    }

    /// Whether every permit is in use (a new call would wait or be rejected).
    pub fn is_saturated(&self) -> bool {
        self.in_use >= self.config.max_concurrent
    }

    /// Calls rejected so far: immediately (no wait allowed) or after waiting `max_wait`.
    pub fn rejections(&self) -> u64 {
        self.rejections
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bulkhead(max_concurrent: u32, max_wait_ms: u64) -> Bulkhead {
        Bulkhead::new(BulkheadConfig {
            max_concurrent,
            max_wait: SimDuration::from_millis(max_wait_ms),
        })
    }

    #[test]
    fn without_wait_the_extra_call_is_rejected_at_once() {
        let mut b = bulkhead(2, 0);
        assert_eq!(b.on_request(), Admission::Acquired);
        assert!(!b.is_saturated());
        assert_eq!(b.on_request(), Admission::Acquired);
        assert!(b.is_saturated());
        assert_eq!(b.on_request(), Admission::Rejected);
        assert_eq!((b.in_use(), b.waiting(), b.rejections()), (2, 0, 1));
        assert!(!b.on_release(), "nobody waiting: the permit goes back");
        assert_eq!(b.on_request(), Admission::Acquired);
    }

    #[test]
    fn waiters_get_released_permits_in_order_and_before_new_arrivals() {
        let mut b = bulkhead(1, 5_000);
        assert_eq!(b.on_request(), Admission::Acquired);
        assert_eq!(b.on_request(), Admission::MustWait); // waiter A
        assert_eq!(b.on_request(), Admission::MustWait); // waiter B
        assert!(b.on_release(), "handed to A");
        assert_eq!((b.in_use(), b.waiting()), (1, 1));
        // B is still queued: a newcomer must queue behind it even though A's holder may finish.
        assert_eq!(b.on_request(), Admission::MustWait); // waiter C
        assert!(b.on_release(), "handed to B");
        assert!(b.on_release(), "handed to C");
        assert!(!b.on_release());
        assert_eq!((b.in_use(), b.waiting(), b.rejections()), (0, 0, 0));
    }

    #[test]
    fn timeouts_count_as_rejections_and_cancellations_do_not() {
        let mut b = bulkhead(1, 100);
        b.on_request();
        assert_eq!(b.on_request(), Admission::MustWait);
        assert_eq!(b.on_request(), Admission::MustWait);
        b.on_wait_timeout();
        b.on_waiter_cancelled();
        assert_eq!((b.in_use(), b.waiting(), b.rejections()), (1, 0, 1));
        assert!(!b.on_release());
        assert_eq!(b.in_use(), 0);
    }

    #[test]
    fn a_zero_permit_bulkhead_admits_nobody() {
        let mut b = bulkhead(0, 0);
        assert!(b.is_saturated());
        assert_eq!(b.on_request(), Admission::Rejected);
        let mut b = bulkhead(0, 10);
        assert_eq!(b.on_request(), Admission::MustWait);
        b.on_wait_timeout();
        assert_eq!(b.rejections(), 1);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Request,
        Release,
        Timeout,
        Cancel,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::Request),
            Just(Op::Release),
            Just(Op::Timeout),
            Just(Op::Cancel)
        ]
    }

    proptest! {
        /// A model of the world's FIFO: ids of holders and waiters. The bulkhead's counts always
        /// match it, never exceed the limit, and waiters are served strictly in arrival order
        /// and before anyone who arrived after them.
        #[test]
        fn counts_match_a_fifo_model(max in 0u32..5, wait in any::<bool>(), ops in prop::collection::vec(op(), 0..200)) {
            let mut b = bulkhead(max, if wait { 1_000 } else { 0 });
            let mut holders: Vec<u32> = Vec::new();
            let mut queue: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
            let mut served: Vec<u32> = Vec::new();
            let mut rejected = 0u64;
            for (id, op) in (0u32..).zip(ops) {
                match op {
                    Op::Request => match b.on_request() {
                        Admission::Acquired => { holders.push(id); served.push(id); }
                        Admission::MustWait => queue.push_back(id),
                        Admission::Rejected => rejected += 1,
                    },
                    Op::Release if !holders.is_empty() => {
                        holders.remove(0);
                        if b.on_release() {
                            let next = queue.pop_front().expect("handed to a waiter that exists");
                            holders.push(next);
                            served.push(next);
                        }
                    }
                    Op::Timeout if !queue.is_empty() => { queue.pop_back(); b.on_wait_timeout(); rejected += 1; }
                    Op::Cancel if !queue.is_empty() => { queue.pop_front(); b.on_waiter_cancelled(); }
                    _ => {}
                }
                prop_assert_eq!(b.in_use() as usize, holders.len());
                prop_assert_eq!(b.waiting() as usize, queue.len());
                prop_assert_eq!(b.rejections(), rejected);
                prop_assert!(b.in_use() <= max);
                prop_assert!(b.waiting() == 0 || b.is_saturated(), "a waiter while a permit is free");
            }
            // FIFO: permits were granted in increasing arrival order.
            prop_assert!(served.windows(2).all(|w| w[0] < w[1]), "{:?}", served);
        }
    }
}
