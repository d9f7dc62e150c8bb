//! Scenarios built in code, without a scenario file: the typed [`Scenario`] pieces that tests,
//! benchmarks and examples assemble by hand, each with every field stated.
//!
//! There is no `Default` on a config (ARCHITECTURE.md: typed configs state every value); these
//! are named constructors with their choices in their docs. Start from one and change the
//! fields that matter:
//!
//! ```
//! use models::build;
//! use sim_core::time::SimDuration;
//!
//! // M/M/10 at ρ = 0.9 for ten simulated minutes, with an accept queue of 50.
//! let mut scenario = build::mmc(9.0, 1.0, 10, SimDuration::from_secs(600));
//! scenario.services[0].queue.capacity = 50;
//! let output = models::run(scenario, 1);
//! assert!(output.limit.is_none());
//! ```
//!
//! Units: rates are per second, [`Dist`] samples are seconds, times are [`SimTime`] and
//! [`SimDuration`] (integer nanoseconds).

use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use crate::config::{
    Arrivals, CallStep, Caller, ClientConfig, Discovery, EdgeConfig, FaultConfig, FaultKind, LbPolicy,
    LifecycleConfig, Load, PolicyConfig, ProbeConfig, ProbePath, QueueConfig, QueueOrder, RateSchedule,
    RunLimits, Scenario, ServiceConfig, Step, WorkStep,
};
use crate::ids::{EdgeIdx, PolicyIdx, ServiceIdx};

/// A service of `replicas` pods with `slots` slots each running `steps`: warm-started (its pods
/// are ready at time zero), no probes, an accept queue without limit (FIFO), round robin, watch
/// discovery without delay, deadlines not honoured; a container that is killed exits on SIGTERM
/// at once and a stale endpoint refuses connections.
pub fn service(name: &str, replicas: u32, slots: u32, steps: Vec<Step>) -> ServiceConfig {
    ServiceConfig {
        name: name.to_string(),
        replicas,
        slots,
        queue: QueueConfig {
            capacity: u32::MAX,
            order: QueueOrder::Fifo,
        },
        steps,
        lifecycle: LifecycleConfig {
            warm_start: true,
            startup: Dist::Constant { value: 0.0 },
            liveness: None,
            readiness: None,
            startup_probe: None,
            grace: SimDuration::ZERO,
            exit_on_sigterm: true,
            stale_endpoint_refused: true,
        },
        lb: LbPolicy::RoundRobin,
        discovery: Discovery::Watch {
            delay: SimDuration::ZERO,
        },
        honour_deadlines: false,
    }
}

/// A handler step of work drawn from `dist` (seconds), independent of the pod's load.
pub fn work(dist: Dist) -> Step {
    Step::Work(WorkStep {
        dist,
        slope: SimDuration::ZERO,
    })
}

/// An M/M/c queue: Poisson arrivals at `lambda` per second from client `poisson` into service
/// `station`, one pod with `c` slots and exponential work of mean `1/mu` seconds; no network
/// latency, no timeouts ([`PolicyConfig::unlimited`]). 10 s buckets; limits of 10⁹ events,
/// 10⁷ pending, 10⁴ log entries and 10⁴ buckets.
///
/// # Panics
///
/// If `mu` is not positive and finite.
pub fn mmc(lambda: f64, mu: f64, c: u32, duration: SimDuration) -> Scenario {
    let service_time = Dist::exponential(1.0 / mu).expect("mu is positive and finite");
    Scenario {
        name: "mmc".into(),
        description: "M/M/c".into(),
        duration,
        bucket: SimDuration::from_secs(10),
        network_latency: Dist::Constant { value: 0.0 },
        clients: vec![ClientConfig {
            name: "poisson".into(),
            edge: EdgeIdx(0),
            load: poisson(lambda),
        }],
        services: vec![service("station", 1, c, vec![work(service_time)])],
        policies: vec![PolicyConfig::unlimited("bare", None)],
        edges: vec![EdgeConfig {
            caller: Caller::Client(0),
            callee: ServiceIdx(0),
            policy: PolicyIdx(0),
        }],
        faults: vec![],
        limits: RunLimits {
            max_events: 1_000_000_000,
            max_pending: 10_000_000,
            max_log_entries: 10_000,
            max_buckets: 10_000,
        },
    }
}

/// A Kubernetes probe with the given timing on the shared path (queued behind the service's
/// requests), answering at once; one success marks it passing again.
pub fn probe(
    initial_delay: SimDuration,
    period: SimDuration,
    timeout: SimDuration,
    failure_threshold: u32,
) -> ProbeConfig {
    ProbeConfig {
        initial_delay,
        period,
        timeout,
        success_threshold: 1,
        failure_threshold,
        path: ProbePath::Shared,
        handler: vec![],
    }
}

/// A scenario with one client (`client`, with `load`) calling a chain of services, edges wired
/// in order: the client calls `services[0]` with `policies[0]`; service `i` calls service
/// `i + 1` with policy `i + 1`, through a required call step appended to its steps. No network
/// latency, no faults; 1 s buckets; limits of 10⁸ events, 10⁷ pending, 10⁵ log entries and 10⁴
/// buckets.
///
/// # Panics
///
/// If `services` is empty or `policies` is not as long as `services`.
pub fn chain(
    load: Load,
    mut services: Vec<ServiceConfig>,
    policies: Vec<PolicyConfig>,
    duration: SimDuration,
) -> Scenario {
    assert!(!services.is_empty(), "a chain has a service");
    assert_eq!(services.len(), policies.len(), "one policy per service");
    let mut edges = vec![EdgeConfig {
        caller: Caller::Client(0),
        callee: ServiceIdx(0),
        policy: PolicyIdx(0),
    }];
    for i in 0..services.len() - 1 {
        let i = i as u32;
        edges.push(EdgeConfig {
            caller: Caller::Service(ServiceIdx(i)),
            callee: ServiceIdx(i + 1),
            policy: PolicyIdx(i + 1),
        });
        services[i as usize].steps.push(Step::Call(CallStep {
            edge: EdgeIdx(i + 1),
            required: true,
        }));
    }
    Scenario {
        name: "test".into(),
        description: String::new(),
        duration,
        bucket: SimDuration::from_secs(1),
        network_latency: Dist::Constant { value: 0.0 },
        clients: vec![ClientConfig {
            name: "client".into(),
            edge: EdgeIdx(0),
            load,
        }],
        services,
        policies,
        edges,
        faults: vec![],
        limits: RunLimits {
            max_events: 100_000_000,
            max_pending: 10_000_000,
            max_log_entries: 100_000,
            max_buckets: 10_000,
        },
    }
}

/// Open-loop arrivals exactly `1/rate` seconds apart (`rate` per second).
pub fn constant_rate(rate: f64) -> Load {
    Load::Open {
        arrivals: Arrivals::Constant,
        rate: RateSchedule::constant(rate),
    }
}

/// Open-loop Poisson arrivals at `rate` per second.
pub fn poisson(rate: f64) -> Load {
    Load::Open {
        arrivals: Arrivals::Poisson,
        rate: RateSchedule::constant(rate),
    }
}

/// A fault of `kind` on every pod of service `service` (an index into the scenario's services)
/// from `from` until `until` (`None`: to the end of the run), unnamed.
pub fn fault(service: u32, kind: FaultKind, from: SimTime, until: Option<SimTime>) -> FaultConfig {
    FaultConfig {
        name: None,
        service: ServiceIdx(service),
        kind,
        from,
        until,
        pods: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chain's wiring: edge `i` leaves the caller of service `i` with policy `i`, and every
    /// service but the last calls the next one last.
    #[test]
    fn a_chain_wires_each_service_to_the_next() {
        let services = vec![
            service("a", 1, 1, vec![work(Dist::Constant { value: 0.1 })]),
            service("b", 1, 1, vec![]),
            service("c", 1, 1, vec![]),
        ];
        let policies = ["pa", "pb", "pc"]
            .map(|p| PolicyConfig::unlimited(p, None))
            .to_vec();
        let s = chain(poisson(1.0), services, policies, SimDuration::from_secs(1));
        let callers: Vec<_> = s.edges.iter().map(|e| s.caller_name(e.caller)).collect();
        assert_eq!(callers, ["client", "a", "b"]);
        for (i, e) in s.edges.iter().enumerate() {
            assert_eq!((e.callee, e.policy), (ServiceIdx(i as u32), PolicyIdx(i as u32)));
        }
        let last_call = |svc: &ServiceConfig| match svc.steps.last() {
            Some(Step::Call(c)) => Some(c.edge),
            _ => None,
        };
        let calls: Vec<_> = s.services.iter().map(last_call).collect();
        assert_eq!(calls, [Some(EdgeIdx(1)), Some(EdgeIdx(2)), None]);
        assert_eq!(s.services[0].steps.len(), 2, "the call comes after the work");
    }
}
