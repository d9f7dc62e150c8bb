//! deadline: a per-attempt timeout does not bound a call that retries, a deadline does; and a
//! deadline that is propagated and honoured lets the callee drop work nobody waits for, so it
//! recovers from its slowdown where a deadline kept at the caller alone leaves it busy with
//! abandoned requests.

use super::{mean_rate, run_builtin};

/// The three configurations the catalog compares, as `--set` overrides.
pub const DEADLINE_RUNS: [(&str, &[&str]); 3] = [
    ("timeout × retries (as shipped)", &[]),
    ("deadline 1.5 s", &["policies.pricing.deadline=1500ms"]),
    (
        "deadline 1.5 s, propagated and honoured",
        &[
            "policies.pricing.deadline=1500ms",
            "policies.pricing.propagate_deadline=true",
            "services.pricing.honour_deadlines=true",
        ],
    ),
];

/// What one run of `deadline` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadlineFigures {
    /// The seed.
    pub seed: u64,
    /// The shoppers' slowest answer or failure, ms.
    pub max_latency_ms: f64,
    /// Slot-seconds pricing spent on requests whose caller had already given up.
    pub wasted_work_s: f64,
    /// That work's share of pricing's busy slot time.
    pub wasted_share: f64,
    /// Requests pricing dropped unstarted because their deadline had passed.
    pub dropped_deadline: u64,
    /// The shoppers' ok answers per second from 80 s to 120 s (after the 40–60 s slowdown).
    pub ok_after: f64,
}

/// Runs `deadline` with `seed` and `overrides`.
pub fn deadline(seed: u64, overrides: &[&str]) -> DeadlineFigures {
    let f = run_builtin("deadline", seed, overrides);
    let r = &f.output.report;
    let pricing = super::service(r, "pricing");
    DeadlineFigures {
        seed,
        max_latency_ms: r.summary.clients[0].latency_ms.max,
        wasted_work_s: pricing.wasted_work_s,
        wasted_share: pricing.wasted_share,
        dropped_deadline: pricing.counts.dropped_deadline,
        ok_after: mean_rate(r, "client.shoppers.ok", 80.0, 120.0),
    }
}
