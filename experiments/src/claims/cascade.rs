//! cascade-protected: the lesson's `ProductionClassifierClient` (bulkhead → breaker → retry →
//! attempt timeout, a degraded "pending" answer) and dedicated probes keep upload alive where
//! the naive client (`cascade`) lets liveness kill it, at no cost on the healthy path.

use models::log::LogKind;
use models::policy::breaker::BreakerState;
use models::report::Report;

use super::{mean_rate, run_builtin};

/// The classification fault starts at this time, in seconds.
pub const FAULT_START_S: f64 = 30.0;

/// What one run of the cascade or its protected twin shows, for the uploaders.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeFigures {
    /// The builtin.
    pub name: String,
    /// The seed.
    pub seed: u64,
    /// Goodput (ok + degraded per second) before the fault, 10–30 s.
    pub before: f64,
    /// Goodput from 60 s to the end (after any breaker opened).
    pub after: f64,
    /// Containers killed.
    pub kills: usize,
    /// When the first breaker opened, seconds; `None`: never.
    pub breaker_open_s: Option<f64>,
    /// Degraded answers at the client.
    pub degraded: u64,
}

/// Runs builtin `name` (`cascade` or `cascade-protected`) with `seed` and `overrides`.
pub fn cascade(name: &str, seed: u64, overrides: &[String]) -> CascadeFigures {
    let f = run_builtin(name, seed, overrides);
    let r = &f.output.report;
    let good = |from: f64, to: f64| {
        mean_rate(r, "client.uploaders.ok", from, to) + mean_rate(r, "client.uploaders.degraded", from, to)
    };
    CascadeFigures {
        name: name.to_string(),
        seed,
        before: good(10.0, FAULT_START_S),
        after: good(60.0, r.summary.duration_s),
        kills: kills(r),
        breaker_open_s: first_open(r),
        degraded: r.summary.clients[0].degraded,
    }
}

fn kills(r: &Report) -> usize {
    r.log
        .iter()
        .filter(|e| matches!(e.kind, LogKind::Killed { .. }))
        .count()
}

fn first_open(r: &Report) -> Option<f64> {
    r.log.iter().find_map(|e| match e.kind {
        LogKind::Breaker {
            to: BreakerState::Open,
            ..
        } => Some(e.t),
        _ => None,
    })
}
