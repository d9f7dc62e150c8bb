//! The M/M/10 model through the full world, for profilers:
//! `cargo run --release -p models --example mmc_world -- 1000000` (customers).

use models::build;
use models::config::RunLimits;
use sim_core::time::SimDuration;

fn main() {
    let customers: f64 = std::env::args()
        .nth(1)
        .map_or(1e6, |s| s.parse().expect("customers"));
    let lambda = 9.0;
    let mut scenario = build::mmc(lambda, 1.0, 10, SimDuration::from_secs_f64(customers / lambda));
    scenario.bucket = SimDuration::from_secs(100);
    // No limit but the duration: a profile of a long run must not stop early.
    scenario.limits = RunLimits {
        max_events: u64::MAX,
        max_pending: usize::MAX,
        max_log_entries: 1000,
        max_buckets: 10_000,
    };
    let out = models::run(scenario, 1);
    let s = &out.report.summary;
    println!(
        "events {} ok {} Wq {:.4}s",
        s.events,
        s.clients[0].ok,
        s.services[0].queue_wait_ms.mean / 1000.0
    );
}
