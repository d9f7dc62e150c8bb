//! discovery: after two backend pods are rescheduled, callers that cache DNS answers keep
//! connecting to the old addresses until their TTL expires (connect timeouts, failed
//! requests); callers watching a registry learn the new addresses within its lag.

use super::run_builtin;

/// What one run of `discovery` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveryFigures {
    /// The seed.
    pub seed: u64,
    /// Attempts on `api→backend` that timed out connecting (a stale or not yet started pod).
    pub connect_timeouts: u64,
    /// Requests that failed at the client.
    pub failed: u64,
    /// The client's p99 latency, ms.
    pub p99_ms: f64,
}

/// Runs `discovery` with `seed` and `overrides`.
pub fn discovery(seed: u64, overrides: &[&str]) -> DiscoveryFigures {
    let f = run_builtin("discovery", seed, overrides);
    let r = &f.output.report;
    let edge = super::edge(r, "api→backend");
    let c = &r.summary.clients[0];
    DiscoveryFigures {
        seed,
        connect_timeouts: edge.attempt_failures_by().0["connect_timeout"],
        failed: c.failed,
        p99_ms: c.latency_ms.p99,
    }
}
