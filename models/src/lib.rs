//! # models
//!
//! meshsim's domain model, built on sim-core: load generators, services made of pods with
//! slots and accept queues, Kubernetes probes and restarts, httpx-style connection pools and
//! timeouts, downstream faults, load balancing and discovery, and the resilience policies
//! between services ([`policy`] lists them).
//!
//! The crate does no I/O, reads no clock and spawns no thread. A run is a pure function of a
//! [`config::Scenario`] and a seed:
//!
//! ```
//! # fn demo(scenario: models::config::Scenario) {
//! let output = models::run(scenario, 42);
//! println!("{:?}", output.report.summary.clients[0].ok);
//! # }
//! ```
//!
//! Start with [`config`] for what a scenario can say, [`world`] for how a request travels, and
//! [`policy`] for the state machines of the resilience patterns; [`build`] assembles scenarios
//! in code for tests, benchmarks and examples.

pub mod build;
pub mod causes;
pub mod config;
pub mod defaults;
pub mod digest;
pub mod history;
pub mod ids;
pub mod k8s;
pub mod log;
pub mod metrics;
pub mod outcome;
pub mod phases;
pub mod policy;
pub mod report;
pub mod slab;
pub mod trace;
pub mod world;

use sim_core::sim::{LimitExceeded, Limits, Simulation, Stop};
use sim_core::time::SimTime;

use report::{Report, StopInfo};

/// The result of [`run`].
pub struct RunOutput {
    /// Everything measured.
    pub report: Report,
    /// The limit hit, if the run stopped early.
    pub limit: Option<LimitExceeded>,
    /// The first broken invariant, when checking was asked for.
    pub violation: Option<world::Violation>,
    /// Event digests, when asked for.
    pub digest: Option<digest::Digest>,
}

/// Options of [`run_with`].
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Record traces of a sample of client requests.
    pub trace: Option<trace::TraceConfig>,
    /// Check every invariant after every event (swarm testing; slower).
    pub check_invariants: bool,
    /// Record event digests (the determinism self-check; slower).
    pub digest: Option<digest::DigestConfig>,
}

/// Runs `scenario` with master seed `seed` to its end (or a limit).
pub fn run(scenario: config::Scenario, seed: u64) -> RunOutput {
    run_traced(scenario, seed, None)
}

/// Like [`run`], recording per-request traces of a sample of client requests.
pub fn run_traced(scenario: config::Scenario, seed: u64, trace: Option<trace::TraceConfig>) -> RunOutput {
    run_with(
        scenario,
        seed,
        &RunConfig {
            trace,
            check_invariants: false,
            digest: None,
        },
    )
}

/// Runs `scenario` with master seed `seed` and the given options.
pub fn run_with(scenario: config::Scenario, seed: u64, config: &RunConfig) -> RunOutput {
    let trace = config.trace;
    let end = SimTime::ZERO.saturating_add(scenario.duration);
    let limits = Limits {
        end,
        max_events: scenario.limits.max_events,
        max_pending: scenario.limits.max_pending,
    };
    let mut world = world::build(scenario, seed, trace);
    if config.check_invariants {
        world.enable_checks();
    }
    world.digester = config.digest.map(digest::Digester::new);
    let mut sim = Simulation::new(world, limits);
    {
        let (model, sched) = sim.parts_mut();
        model.start(sched);
    }
    let result = sim.run();
    let events = sim.events();
    let (stop, limit, at) = match result {
        Ok(report) => {
            let reason = match report.stop {
                Stop::EndTime => "end_time",
                Stop::Drained => "drained",
            };
            // A drained run still covers the whole scenario duration.
            (
                StopInfo {
                    reason: reason.into(),
                    partial: false,
                    at_s: end.as_secs_f64(),
                },
                None,
                end,
            )
        }
        Err(e) => {
            let (reason, at) = match e {
                LimitExceeded::MaxEvents { at, .. } => ("max_events", at),
                LimitExceeded::MaxPending { at, .. } => ("max_pending", at),
            };
            (
                StopInfo {
                    reason: reason.into(),
                    partial: true,
                    at_s: at.as_secs_f64(),
                },
                Some(e),
                at,
            )
        }
    };
    // The pending events are dropped here, before the report is built.
    let mut world = sim.into_model();
    world.check_at_end(at);
    let violation = world.violation().cloned();
    let digest = world.digester.as_ref().map(|d| d.finish(at));
    let report = world.into_report(seed, at, events, stop);
    RunOutput {
        report,
        limit,
        violation,
        digest,
    }
}
