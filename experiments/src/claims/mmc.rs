//! mmc: the engine against queueing theory. The mean wait in queue of the M/M/10 builtin,
//! over independent replications (one per seed), has Erlang C's Wq inside its confidence
//! interval.

use sim_core::stats::ci::{ConfidenceInterval, mean_ci};
use sim_core::stats::theory::mmc_wq;

use super::run_builtin;

/// The builtin's arrival rate (per second), service rate (per second) and slots.
pub const MMC: (f64, f64, u32) = (9.0, 1.0, 10);
/// The confidence level of the interval.
pub const LEVEL: f64 = 0.99;

/// The mean wait in queue of one replication, in seconds.
pub fn mmc_wait_s(seed: u64) -> f64 {
    let f = run_builtin::<&str>("mmc", seed, &[]);
    f.output.report.summary.services[0].queue_wait_ms.mean / 1000.0
}

/// Erlang C's mean wait in queue for the builtin, in seconds.
pub fn erlang_c_wq() -> f64 {
    mmc_wq(MMC.0, MMC.1, MMC.2)
}

/// The [`LEVEL`] Student-t interval of the replications' mean wait.
///
/// # Panics
/// With fewer than two replications.
pub fn wait_ci(waits: &[f64]) -> ConfidenceInterval {
    mean_ci(waits, LEVEL).expect("at least two replications")
}
