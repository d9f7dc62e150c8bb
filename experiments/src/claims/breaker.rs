//! breaker: while the backend is down, an open breaker keeps the api pods' calls off the
//! network (they fail fast into a degraded answer) where, without one, every call still makes
//! an attempt; the price is that it stays open after the backend is back, until a half-open
//! trial finds it healthy.

use models::log::LogKind;
use models::policy::Refusal;
use models::policy::breaker::BreakerState;

use super::{mean_rate, run_builtin};

/// The backend's outage, in seconds.
pub const OUTAGE_S: (f64, f64) = (30.0, 60.0);

/// What one run of `breaker` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerFigures {
    /// The seed.
    pub seed: u64,
    /// Attempts at the backend per call on `api→backend` while it is down (35–60 s, after the
    /// breakers had time to open).
    pub attempts_per_call_down: f64,
    /// Calls the breakers rejected without an attempt.
    pub breaker_rejections: u64,
    /// Seconds after the outage until every breaker that opened had closed again; `None`: one
    /// of them did not close after the outage.
    pub closed_after_s: Option<f64>,
    /// Degraded answers per second at the client from 62 s to the end (the backend's pods are
    /// ready again about 1 s after the outage).
    pub degraded_after: f64,
}

/// Runs `breaker` with `seed` and `overrides`.
pub fn breaker(seed: u64, overrides: &[&str]) -> BreakerFigures {
    let f = run_builtin("breaker", seed, overrides);
    let r = &f.output.report;
    let edge = super::edge(r, "api→backend");
    let down = (OUTAGE_S.0 + 5.0, OUTAGE_S.1);
    BreakerFigures {
        seed,
        attempts_per_call_down: mean_rate(r, "edge.api→backend.attempts", down.0, down.1)
            / mean_rate(r, "edge.api→backend.calls", down.0, down.1),
        breaker_rejections: edge.counts.rejections[Refusal::Breaker],
        closed_after_s: all_closed_after(r),
        degraded_after: mean_rate(r, "client.users.degraded", OUTAGE_S.1 + 2.0, r.summary.duration_s),
    }
}

/// Seconds after the outage until every breaker that ever opened is closed again (the last of
/// their first closings after it); `None` if one of them stays open or half-open.
fn all_closed_after(r: &models::report::Report) -> Option<f64> {
    let mut owners = std::collections::BTreeMap::<&str, Option<f64>>::new();
    for e in &r.log {
        if let LogKind::Breaker { owner, to, .. } = &e.kind {
            let closed = owners.entry(owner.as_str()).or_insert(None);
            if *to == BreakerState::Closed && e.t >= OUTAGE_S.1 && closed.is_none() {
                *closed = Some(e.t - OUTAGE_S.1);
            }
        }
    }
    owners
        .values()
        .copied()
        .try_fold(0.0_f64, |latest, closed| closed.map(|t| latest.max(t)))
        .filter(|_| !owners.is_empty())
}
