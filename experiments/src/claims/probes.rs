//! probes: a liveness probe that calls the database restarts every orders pod for the
//! database's outage, and the restarts outlast it (CrashLoopBackOff), so more orders fail after
//! the database is back; a liveness probe that checks only the process restarts nothing.
//! Readiness, in both, takes the degraded pod out of the endpoints without restarting it.

use models::log::LogKind;

use super::{mean_rate, run_builtin};

/// The database's outage, in seconds.
pub const OUTAGE_S: (f64, f64) = (60.0, 120.0);
/// When orders-0 is degraded, in seconds.
pub const DEGRADED_S: (f64, f64) = (160.0, 200.0);

/// What one run of `probes` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbesFigures {
    /// The seed.
    pub seed: u64,
    /// Container restarts of the orders pods.
    pub restarts: u32,
    /// Failed orders per second in the 20 s after the database is back.
    pub failed_after: f64,
    /// Failed orders, all run.
    pub failed: u64,
    /// Whether readiness took the degraded orders-0 out of the endpoints while degraded.
    pub degraded_pod_removed: bool,
}

/// Runs `probes` with `seed` and `overrides`.
pub fn probes(seed: u64, overrides: &[&str]) -> ProbesFigures {
    let f = run_builtin("probes", seed, overrides);
    let r = &f.output.report;
    let orders = super::service(r, "orders");
    let removed = r.log.iter().any(|e| {
        (DEGRADED_S.0..DEGRADED_S.1).contains(&e.t)
            && matches!(&e.kind, LogKind::EndpointsUpdated { pod, ready: false, .. } if pod == "orders-0")
    });
    ProbesFigures {
        seed,
        restarts: orders.restarts,
        failed_after: mean_rate(r, "edge.buyers→orders.failed", OUTAGE_S.1, OUTAGE_S.1 + 20.0),
        failed: r.summary.clients[0].failed,
        degraded_pod_removed: removed,
    }
}
