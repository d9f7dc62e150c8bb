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

pub use chain::order_words;

use sim_core::time::SimTime;

use crate::config::PolicyConfig;
use crate::world::World;
use crate::world::state::SiteRt;

/// A call site's instances of the policies whose state lives in a room here: built for a new
/// client library (at setup, and for each new container), checked by `--check-invariants`,
/// and forgotten (their gauges corrected) when a container's client library is replaced. The
/// circuit breaker and the retry budget, older, are still fields of `SiteRt` of their own.
pub(crate) struct SitePolicies {
    /// The bulkhead, with its waiters (`bulkhead.rs`).
    bulkhead: Option<bulkhead::BulkheadRt>,
}

impl SitePolicies {
    /// A new client library's instances for `policy`.
    pub(in crate::world) fn new(policy: &PolicyConfig) -> SitePolicies {
        SitePolicies {
            bulkhead: policy.bulkhead.as_ref().map(bulkhead::BulkheadRt::new),
        }
    }
}

impl World {
    /// Site `site`'s policies were replaced by a new container's (`old` is what the dead one
    /// held): the edge's gauges lose their share.
    pub(in crate::world) fn forget_policies(&mut self, site: u32, old: &SitePolicies, now: SimTime) {
        if let Some(b) = &old.bulkhead {
            self.forget_bulkhead(site, b, now);
        }
    }

    /// The invariants of site number `i`'s policies: what is wrong, if anything.
    pub(in crate::world) fn check_site_policies(&self, i: usize, site: &SiteRt) -> Option<String> {
        let policy = &self.cfg.policies[site.policy.idx()];
        if let (Some(b), Some(cfg)) = (&site.policies.bulkhead, &policy.bulkhead) {
            return b.check(i, cfg);
        }
        None
    }
}
