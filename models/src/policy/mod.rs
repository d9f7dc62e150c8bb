//! Resilience policies as pure state machines: each takes the current time and an outcome and
//! returns a decision; the world owns all scheduling. Semantics follow the real libraries
//! (each module cites its public source; docs/scenarios.md lists them): AWS and Polly backoff, gRPC/Brooker/Envoy/Finagle retry
//! budgets, the lesson's, resilience4j's and Hystrix's circuit breakers, and semaphore bulkheads.
//! A call's other bounds and answers are plain configuration (`crate::config::PolicyConfig`):
//! the per-attempt timeout, the overall deadline and the fallback.

pub mod backoff;
pub mod breaker;
pub mod budget;
pub mod bulkhead;

use std::ops::{Index, IndexMut};

use serde::Serialize;

use crate::config::PolicyConfig;

/// A logged change of a policy whose room defines its own events (`crate::log::LogKind::Policy`):
/// written as that event, with its own `event` name and fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PolicyEvent {
    /// The bulkhead's (`bulkhead::BulkheadEvent`).
    Bulkhead(bulkhead::BulkheadEvent),
}

/// A policy that refuses calls or tries. Each is counted in the summary (`<name>_rejections`,
/// [`Refusal::summary_key`]), per bucket in the time series (`edge.<edge>.rejected_<name>`) and
/// drawn in an edge's refusals panel; code that shows refusals loops over [`Refusal::ALL`], so
/// a new refusing policy adds a variant here and its words, and nothing else changes shape.
/// A refused call or try fails with [`crate::outcome::Failure::Refused`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Refusal {
    /// An open circuit breaker (`breaker`).
    Breaker,
    /// A full bulkhead (`bulkhead`).
    Bulkhead,
    /// The retry budget (`budget`): refuses retries only.
    Budget,
}

impl Refusal {
    /// Every refusal, in the order the time series, the summary table and the refusals panel
    /// list them.
    pub const ALL: [Refusal; 3] = [Refusal::Breaker, Refusal::Bulkhead, Refusal::Budget];

    /// The order of the counts in `summary.json`'s edge objects (docs/outputs.md), which
    /// predates [`Refusal::ALL`]'s and is kept for readers of older run directories.
    pub const SUMMARY_ORDER: [Refusal; 3] = [Refusal::Budget, Refusal::Breaker, Refusal::Bulkhead];

    /// How many refusals fail the call or try they refuse (those with a [`Refusal::reason`]):
    /// the first of [`Refusal::ALL`], so that their failure reasons sit together in
    /// `Failure::ALL` (checked at compile time).
    pub const FAILING: usize = {
        let mut n = 0;
        while n < Refusal::ALL.len() && Refusal::ALL[n].reason().is_some() {
            n += 1;
        }
        let mut i = n;
        while i < Refusal::ALL.len() {
            assert!(
                Refusal::ALL[i].reason().is_none(),
                "refusals with a reason come first"
            );
            i += 1;
        }
        n
    };

    /// Position in [`Refusal::ALL`]: an index for per-refusal arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The policy's name in outputs: the time series' `rejected_<name>` and the tables' column.
    pub const fn name(self) -> &'static str {
        match self {
            Refusal::Breaker => "breaker",
            Refusal::Bulkhead => "bulkhead",
            Refusal::Budget => "budget",
        }
    }

    /// The count's key in `summary.json`.
    pub const fn summary_key(self) -> &'static str {
        match self {
            Refusal::Breaker => "breaker_rejections",
            Refusal::Bulkhead => "bulkhead_rejections",
            Refusal::Budget => "budget_rejections",
        }
    }

    /// The failure reason of a call or try this refuses, in outputs (`failed_by`, the
    /// causes, `retry.on`): "bulkhead_full"; `None` for the retry budget, which refuses
    /// retries only (the call then ends with its last try's reason).
    pub const fn reason(self) -> Option<&'static str> {
        match self {
            Refusal::Breaker => Some("breaker_open"),
            Refusal::Bulkhead => Some("bulkhead_full"),
            Refusal::Budget => None,
        }
    }

    /// What refuses, in words: "a full bulkhead".
    pub const fn refuser(self) -> &'static str {
        match self {
            Refusal::Breaker => "an open breaker",
            Refusal::Bulkhead => "a full bulkhead",
            Refusal::Budget => "the retry budget",
        }
    }

    /// A refusal in a chart's legend: "refused: bulkhead full".
    pub const fn label(self) -> &'static str {
        match self {
            Refusal::Breaker => "refused: breaker open",
            Refusal::Bulkhead => "refused: bulkhead full",
            Refusal::Budget => "retry refused: budget",
        }
    }

    /// Whether `policy` has this refusing part.
    pub fn is_in(self, policy: &PolicyConfig) -> bool {
        match self {
            Refusal::Breaker => policy.breaker.is_some(),
            Refusal::Bulkhead => policy.bulkhead.is_some(),
            Refusal::Budget => policy.retry.as_ref().is_some_and(|r| r.budget.is_some()),
        }
    }
}

/// A count per refusing policy (an edge's refusals in the summary), indexed by [`Refusal`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RefusalCounts([u64; Refusal::ALL.len()]);

impl Index<Refusal> for RefusalCounts {
    type Output = u64;
    fn index(&self, by: Refusal) -> &u64 {
        &self.0[by.index()]
    }
}

impl IndexMut<Refusal> for RefusalCounts {
    fn index_mut(&mut self, by: Refusal) -> &mut u64 {
        &mut self.0[by.index()]
    }
}

/// A policy's gauge in the time series, summed over an edge's caller pods: the column
/// `edge.<edge>.<name>`, averaged per bucket. Each is kept by `crate::metrics::EdgeMetrics`
/// and set by its policy's room in the world; a policy with a gauge adds a variant here.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PolicyGauge {
    /// Breakers open (`breaker`).
    BreakersOpen,
    /// Breakers half-open (`breaker`).
    BreakersHalfOpen,
    /// Bulkhead permits in use (`bulkhead`).
    BulkheadInUse,
    /// The retry budget's level in tokens (`budget`), kept ×1000.
    BudgetLevel,
}

impl PolicyGauge {
    /// Every gauge, in the time series' column order.
    pub const ALL: [PolicyGauge; 4] = [
        PolicyGauge::BreakersOpen,
        PolicyGauge::BreakersHalfOpen,
        PolicyGauge::BulkheadInUse,
        PolicyGauge::BudgetLevel,
    ];

    /// Position in [`PolicyGauge::ALL`]: an index for per-gauge arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The column's name after `edge.<edge>.`.
    pub const fn name(self) -> &'static str {
        match self {
            PolicyGauge::BreakersOpen => "breakers_open",
            PolicyGauge::BreakersHalfOpen => "breakers_half_open",
            PolicyGauge::BulkheadInUse => "bulkhead_in_use",
            PolicyGauge::BudgetLevel => "budget_level",
        }
    }

    /// The factor the gauge's values are stored multiplied by (integers keep fractions).
    pub const fn scale(self) -> u32 {
        match self {
            PolicyGauge::BudgetLevel => 1000,
            _ => 1,
        }
    }

    /// The most this gauge can read at one site (a pod, or a client) under `policy`: one
    /// breaker per site, the bulkhead's permits (0 without a bulkhead); `None` where no bound
    /// is claimed (the budget's level, shared by the callers of a scope).
    pub fn per_site_bound(self, policy: &PolicyConfig) -> Option<f64> {
        match self {
            PolicyGauge::BreakersOpen | PolicyGauge::BreakersHalfOpen => Some(1.0),
            PolicyGauge::BulkheadInUse => Some(
                policy
                    .bulkhead
                    .as_ref()
                    .map_or(0.0, |b| f64::from(b.max_concurrent)),
            ),
            PolicyGauge::BudgetLevel => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_place_and_its_summary_key() {
        for (i, r) in Refusal::ALL.into_iter().enumerate() {
            assert_eq!(r.index(), i);
            assert_eq!(r.summary_key(), format!("{}_rejections", r.name()));
            assert_eq!(Refusal::SUMMARY_ORDER.iter().filter(|&&s| s == r).count(), 1);
        }
    }

    #[test]
    fn every_gauge_has_its_place() {
        for (i, g) in PolicyGauge::ALL.into_iter().enumerate() {
            assert_eq!(g.index(), i);
        }
    }

    #[test]
    fn refusal_counts_keep_each_policy_apart() {
        let mut c = RefusalCounts::default();
        for (n, r) in Refusal::ALL.into_iter().enumerate() {
            c[r] += n as u64 + 1;
        }
        for (n, r) in Refusal::ALL.into_iter().enumerate() {
            assert_eq!(c[r], n as u64 + 1);
        }
    }

    #[test]
    fn a_policy_has_a_refusing_part_only_when_configured() {
        let p = PolicyConfig::unlimited("p", None);
        assert!(Refusal::ALL.into_iter().all(|r| !r.is_in(&p)));
    }
}
