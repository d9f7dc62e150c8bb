//! The world's side of each resilience policy: one room per policy, holding everything the
//! world does for it (asking, recording, timers, permit hand-over, gauges, log lines), and the
//! composition order as data (`chain`).
//!
//! The policies themselves are pure state machines in `crate::policy`; these rooms are where
//! the world consults them with the current time and turns their answers into events, metrics
//! and log entries. `World` stays the single mutator.
//!
//! - `chain`: the stages of a call, in each `PolicyOrder`, and the one `next_stage`;
//! - `bulkhead`: permits, the bounded wait, hand-over to waiters, saturation;
//! - `breaker`: asking, recording results, transitions, resilience4j's automatic timer;
//! - `retry`: the retry loop: counting tries, the retry decision, the backoff sleep;
//! - `budget`: the retry budget's requests, grants and gauge.

mod breaker;
mod budget;
mod bulkhead;
pub(super) mod chain;
mod retry;
