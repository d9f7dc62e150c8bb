//! metastable: after a 10 s trigger, immediate retries on timeouts keep the service overloaded
//! for the rest of the run (goodput near zero, ~4 attempts per request); a retry budget, or a
//! LIFO queue, lets it recover as soon as the trigger ends.

use super::{mean_rate, run_builtin};

/// The window, long after the 60–70 s trigger, where the figures are read, in seconds.
pub const LATE_S: (f64, f64) = (180.0, 240.0);

/// What one run of `metastable` shows, from 180 s to 240 s.
#[derive(Clone, Debug, PartialEq)]
pub struct MetastableFigures {
    /// The seed.
    pub seed: u64,
    /// Ok answers per offered request.
    pub goodput_share: f64,
    /// Attempts per offered request.
    pub amplification: f64,
}

/// Runs `metastable` with `seed` and `overrides`.
pub fn metastable(seed: u64, overrides: &[&str]) -> MetastableFigures {
    let f = run_builtin("metastable", seed, overrides);
    let r = &f.output.report;
    let (from, to) = LATE_S;
    let offered = mean_rate(r, "client.clients.started", from, to);
    MetastableFigures {
        seed,
        goodput_share: mean_rate(r, "client.clients.ok", from, to) / offered,
        amplification: mean_rate(r, "edge.clients→api.attempts", from, to) / offered,
    }
}
