//! meshsim's integration test crate. The tests live in `tests/tests/`: determinism, validation
//! against queueing theory, scenarios and the CLI. This library holds what they share.

use sim_core::station::StationReport;
use sim_core::stats::ci::ConfidenceInterval;

/// Asserts that `theory` lies in the run's confidence interval, with a message that names the
/// quantity and prints the seed that reproduces the run.
pub fn assert_covers(what: &str, ci: &ConfidenceInterval, theory: f64, seed: u64) {
    assert!(
        ci.contains(theory),
        "{what}: theory {theory:.6} outside the {:.0}% interval {:.6} ± {:.6} (n = {} batches); reproduce with seed {seed}",
        ci.level * 100.0,
        ci.mean,
        ci.half_width,
        ci.samples,
    );
}

/// One line describing a station run, printed by the tests (`cargo test -- --nocapture`).
pub fn describe(report: &StationReport) -> String {
    format!(
        "Wq {:.4}±{:.4}  W {:.4}±{:.4}  P(wait) {:.4}±{:.4}  Lq {:.4}±{:.4}  L {:.4}±{:.4}  λ̂ {:.4}  events {}",
        report.wq.mean,
        report.wq.half_width,
        report.w.mean,
        report.w.half_width,
        report.p_wait.mean,
        report.p_wait.half_width,
        report.lq.mean,
        report.lq.half_width,
        report.l.mean,
        report.l.half_width,
        report.lambda,
        report.events
    )
}

pub mod build;
