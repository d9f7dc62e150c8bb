//! Admission under overload: a traffic request that finds its pod's accept queue full is
//! answered at once without being stored (the metastable storm rejects most arrivals this way),
//! and that short cut must leave every result and every event as the stored path gives them.

use models::build;
use models::config::FaultKind;
use models::digest::DigestConfig;
use models::trace::TraceConfig;
use models::{RunConfig, RunOutput};
use sim_core::time::{SimDuration, SimTime};

/// M/M/10 at ρ = 0.8 with an accept queue of 5, and a capacity cut to 2 slots from 100 s to
/// 150 s: rejections pile up during the cut, and afterwards the slots of the requests they
/// would have stored are reused by requests that are served (so their keys show in events).
fn overloaded(traced: bool, seed: u64) -> RunOutput {
    let mut scenario = build::mmc(8.0, 1.0, 10, SimDuration::from_secs(300));
    scenario.services[0].queue.capacity = 5;
    let cut = FaultKind::CapacityCut {
        slots: Some(2),
        multiplier: 1.0,
    };
    let (from, until) = (SimTime::from_secs(100), SimTime::from_secs(150));
    scenario.faults.push(build::fault(0, cut, from, Some(until)));
    let config = RunConfig {
        // A traced request always takes the stored path (admit, then complete): tracing every
        // request runs that path for every rejection.
        trace: traced.then_some(TraceConfig {
            sample: 1.0,
            max_spans: 10_000_000,
        }),
        check_invariants: true,
        digest: Some(DigestConfig {
            every: 1024,
            record_from: 0,
            record_to: 0,
        }),
    };
    models::run_with(scenario, seed, &config)
}

/// The same results and the same events, each with the request keys it names (the digest
/// hashes every event's description, so a rejection that did not take its key shows).
#[test]
fn a_rejection_on_arrival_is_the_stored_paths_rejection() {
    for seed in 1..=5 {
        let (short, stored) = (overloaded(false, seed), overloaded(true, seed));
        assert!(
            short.violation.is_none() && stored.violation.is_none(),
            "seed {seed}"
        );
        let rejected = short.report.summary.services[0].counts.rejected;
        assert!(rejected > 100, "seed {seed}: {rejected} rejections");
        assert!(!stored.report.trace.as_ref().expect("traced").truncated);
        assert_eq!(short.report.summary, stored.report.summary, "seed {seed}");
        // (Debug, not ==: an empty bucket's latency quantiles are NaN.)
        let series = |r: &RunOutput| format!("{:?}", r.report.series);
        assert_eq!(series(&short), series(&stored), "seed {seed}");
        assert_eq!(short.report.log, stored.report.log, "seed {seed}");
        assert_eq!(short.digest, stored.digest, "seed {seed}");
    }
}
