//! Scenarios built in code, for tests that exercise the models without a scenario file.

use models::config::{
    Arrivals, CallStep, Caller, ClientConfig, Discovery, EdgeConfig, FaultConfig, FaultKind, LbPolicy,
    LifecycleConfig, Load, PolicyConfig, ProbeConfig, ProbePath, QueueConfig, QueueOrder, RateSchedule,
    RunLimits, Scenario, ServiceConfig, Step, WorkStep,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use models::log::LogKind;
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

/// A warm-started service without probes, watch discovery without delay, round robin.
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
            startup: Dist::constant(0.0).unwrap(),
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

/// Work drawn from `dist` (seconds).
pub fn work(dist: Dist) -> Step {
    Step::Work(WorkStep {
        dist,
        slope: SimDuration::ZERO,
    })
}

/// An M/M/c queue: Poisson arrivals at `lambda` per second into one pod with `c` slots and
/// exponential work of mean `1/mu` seconds; no network latency, no timeouts.
pub fn mmc(lambda: f64, mu: f64, c: u32, duration: SimDuration) -> Scenario {
    Scenario {
        name: "mmc".into(),
        description: "M/M/c".into(),
        duration,
        bucket: SimDuration::from_secs(10),
        network_latency: Dist::constant(0.0).unwrap(),
        clients: vec![ClientConfig {
            name: "poisson".into(),
            edge: EdgeIdx(0),
            load: Load::Open {
                arrivals: Arrivals::Poisson,
                rate: RateSchedule::constant(lambda),
            },
        }],
        services: vec![service(
            "station",
            1,
            c,
            vec![work(Dist::exponential(1.0 / mu).unwrap())],
        )],
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

/// A Kubernetes probe with the given timing on the shared path, answering at once.
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

/// A scenario with one client calling a chain of services, edges wired in order: the client
/// calls `services[0]` with `policies[0]`; service `i` calls service `i + 1` with policy `i + 1`.
pub fn chain(
    load: Load,
    mut services: Vec<ServiceConfig>,
    policies: Vec<PolicyConfig>,
    duration: SimDuration,
) -> Scenario {
    assert_eq!(services.len(), policies.len());
    let mut edges = vec![EdgeConfig {
        caller: Caller::Client(0),
        callee: ServiceIdx(0),
        policy: PolicyIdx(0),
    }];
    for i in 0..services.len() - 1 {
        edges.push(EdgeConfig {
            caller: Caller::Service(ServiceIdx(i as u32)),
            callee: ServiceIdx(i as u32 + 1),
            policy: PolicyIdx(i as u32 + 1),
        });
        services[i].steps.push(Step::Call(CallStep {
            edge: EdgeIdx(i as u32 + 1),
            required: true,
        }));
    }
    Scenario {
        name: "test".into(),
        description: String::new(),
        duration,
        bucket: SimDuration::from_secs(1),
        network_latency: Dist::constant(0.0).unwrap(),
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

/// Open-loop arrivals at exactly `rate` per second.
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

/// A fault on service `service` from `from` until `until`.
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

/// Times (seconds) of the log entries matching `pred`.
pub fn log_times(report: &models::report::Report, pred: impl Fn(&LogKind) -> bool) -> Vec<f64> {
    report.log.iter().filter(|e| pred(&e.kind)).map(|e| e.t).collect()
}
