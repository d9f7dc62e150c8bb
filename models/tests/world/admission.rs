//! Admission under overload: a traffic request that finds its pod's accept queue full is
//! answered at once without being stored (the metastable storm rejects most arrivals this way),
//! and that short cut must leave every result and every event as the stored path gives them.

use models::build;
use models::config::{FaultKind, Scenario};
use models::digest::DigestConfig;
use models::trace::TraceConfig;
use models::{RunConfig, RunOutput};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

/// The overloads the short cut must survive.
#[derive(Copy, Clone, Debug)]
enum Overload {
    /// M/M/10 at ρ = 0.8 with an accept queue of 5 and a capacity cut to 2 slots from 100 s to
    /// 150 s: rejections pile up during the cut, and afterwards the slots of the requests they
    /// would have stored are reused by requests that are served (so their keys show in events).
    Cut,
    /// No accept queue at all, and a constant 2 ms network latency: every hop is an event too.
    NoQueue,
    /// The cut with propagated 1 s deadlines that the service honours, over a heavy-tailed
    /// latency (Pareto from 1 ms, shape 0.5: 3% of hops take over a second): queued requests
    /// outlive their deadline and are dropped as the queue drains, while it turns others away.
    /// (A request cannot arrive past its deadline: its caller's attempt ends at the deadline and
    /// a late delivery is ignored, so admission's own deadline test is not reached here.)
    Deadlines,
}

fn scenario(overload: Overload) -> Scenario {
    let mut scenario = build::mmc(8.0, 1.0, 10, SimDuration::from_secs(300));
    scenario.services[0].queue.capacity = 5;
    let cut = FaultKind::CapacityCut {
        slots: Some(2),
        multiplier: 1.0,
    };
    let (from, until) = (SimTime::from_secs(100), SimTime::from_secs(150));
    let cut = build::fault(0, cut, from, Some(until));
    match overload {
        Overload::Cut => scenario.faults.push(cut),
        Overload::NoQueue => {
            scenario.services[0].queue.capacity = 0;
            scenario.network_latency = Dist::Constant { value: 0.002 };
        }
        Overload::Deadlines => {
            scenario.faults.push(cut);
            scenario.network_latency = Dist::Pareto {
                scale: 0.001,
                shape: 0.5,
            };
            scenario.policies[0].deadline = Some(SimDuration::from_secs(1));
            scenario.policies[0].propagate_deadline = true;
            scenario.services[0].honour_deadlines = true;
        }
    }
    scenario
}

fn run(overload: Overload, traced: bool, seed: u64) -> RunOutput {
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
    models::run_with(scenario(overload), seed, &config)
}

/// The same results and the same events, each with the request keys it names (the digest
/// hashes every event's description, so a rejection that did not take its key shows).
#[test]
fn a_rejection_on_arrival_is_the_stored_paths_rejection() {
    for overload in [Overload::Cut, Overload::NoQueue, Overload::Deadlines] {
        for seed in 1..=5 {
            let at = format!("{overload:?}, seed {seed}");
            let (short, stored) = (run(overload, false, seed), run(overload, true, seed));
            assert!(short.violation.is_none() && stored.violation.is_none(), "{at}");
            let counts = &short.report.summary.services[0].counts;
            assert!(counts.rejected > 100, "{at}: {} rejections", counts.rejected);
            if let Overload::Deadlines = overload {
                assert!(counts.dropped_deadline > 20, "{at}: {}", counts.dropped_deadline);
            }
            assert!(!stored.report.trace.as_ref().expect("traced").truncated);
            assert_eq!(short.report.summary, stored.report.summary, "{at}");
            // (Debug, not ==: an empty bucket's latency quantiles are NaN.)
            let series = |r: &RunOutput| format!("{:?}", r.report.series);
            assert_eq!(series(&short), series(&stored), "{at}");
            assert_eq!(short.report.log, stored.report.log, "{at}");
            assert_eq!(short.digest, stored.digest, "{at}");
        }
    }
}
