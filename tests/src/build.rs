//! Scenarios built in code, for tests that exercise the models without a scenario file.

use models::config::{
    Arrivals, Caller, ClientConfig, Discovery, EdgeConfig, Fallback, LbPolicy, LifecycleConfig, Load,
    PolicyConfig, PolicyOrder, PoolConfig, QueueConfig, QueueOrder, RateSchedule, RunLimits, Scenario,
    ServiceConfig, Step, Timeouts, WorkStep,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use sim_core::dist::Dist;
use sim_core::time::SimDuration;

/// A policy with no timeouts, no retries, no breaker or bulkhead, and an unlimited pool.
pub fn bare_policy(name: &str) -> PolicyConfig {
    PolicyConfig {
        name: name.to_string(),
        timeouts: Timeouts {
            connect: None,
            read: None,
            write: None,
            pool: None,
            attempt: None,
        },
        pool: PoolConfig {
            max_connections: u32::MAX,
            max_keepalive: u32::MAX,
            keepalive_expiry: SimDuration::from_secs(3600),
            connect_time: Dist::constant(0.0).unwrap(),
            sticky: false,
        },
        retry: None,
        breaker: None,
        bulkhead: None,
        deadline: None,
        propagate_deadline: false,
        fallback: Fallback::Fail,
        order: PolicyOrder::Lesson,
    }
}

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
        policies: vec![bare_policy("bare")],
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
        },
    }
}
