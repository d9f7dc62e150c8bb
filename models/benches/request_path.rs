//! The full request path against the bare M/M/c station, in one benchmark, in events per second.
//!
//! - `bare_station`: sim-core's G/G/c station, M/M/10 at ρ = 0.9 (2 events per customer).
//! - `full_request_path`: a Poisson client → `frontend` (2 pods, 64 slots) → `backend` (4 pods,
//!   16 slots, exponential work at ρ ≈ 0.7) with 250 µs network latency, an httpx pool with all
//!   four timeouts and an attempt timeout, retries with full jitter, a resilience4j breaker and a
//!   bulkhead on the downstream edge: every hop is an event and every attempt arms timers.
//!
//! Run: `cargo bench -p models --bench request_path`.

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use models::build;
use models::config::{
    Discovery, Fallback, LbPolicy, PolicyConfig, PolicyOrder, PoolConfig, RetryConfig, RetryOn, RunLimits,
    Scenario, ServiceConfig, Step, Timeouts,
};
use models::outcome::Failure;
use models::policy::backoff::Backoff;
use models::policy::breaker::{BreakerConfig, SlidingWindow};
use models::policy::bulkhead::BulkheadConfig;
use sim_core::dist::Dist;
use sim_core::station::{Station, StationConfig};
use sim_core::time::SimDuration;

fn main() {
    divan::main();
}

fn secs(s: f64) -> SimDuration {
    SimDuration::from_secs_f64(s)
}

/// A warm-started service with an accept queue of 10 000, least-request balancing and watch
/// discovery 1 s behind; 1 s to start a new container.
fn service(name: &str, replicas: u32, slots: u32, steps: Vec<Step>) -> ServiceConfig {
    let mut s = build::service(name, replicas, slots, steps);
    s.queue.capacity = 10_000;
    s.lifecycle.startup = Dist::constant(1.0).unwrap();
    s.lb = LbPolicy::LeastRequest;
    s.discovery = Discovery::Watch { delay: secs(1.0) };
    s
}

fn policy(name: &str, resilient: bool) -> PolicyConfig {
    let t = Some(secs(5.0));
    PolicyConfig {
        name: name.into(),
        timeouts: Timeouts {
            connect: t,
            read: t,
            write: t,
            pool: t,
            attempt: Some(secs(10.0)),
        },
        pool: PoolConfig {
            max_connections: 100,
            max_keepalive: 20,
            keepalive_expiry: secs(5.0),
            connect_time: Dist::constant(0.0005).unwrap(),
            sticky: false,
            shared: None,
        },
        retry: resilient.then(|| RetryConfig {
            max_attempts: 3,
            on: RetryOn {
                mask: Failure::AttemptTimeout.bit() | Failure::Reset.bit() | Failure::ErrorResponse.bit(),
            },
            backoff: Backoff::FullJitter {
                base: secs(0.1),
                cap: secs(2.0),
            },
            budget: None,
        }),
        breaker: resilient.then(|| BreakerConfig::Resilience4j {
            window: SlidingWindow::Count { size: 100 },
            minimum_calls: 100,
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration: secs(60.0),
            wait_in_open: secs(60.0),
            permitted_in_half_open: 10,
            automatic_transition: false,
        }),
        bulkhead: resilient.then_some(BulkheadConfig {
            max_concurrent: 60,
            max_wait: secs(0.5),
        }),
        deadline: None,
        propagate_deadline: false,
        fallback: Fallback::Fail,
        order: PolicyOrder::Lesson,
    }
}

/// The full request path for `duration` seconds of simulated time.
pub fn full_path(duration: f64) -> Scenario {
    // The frontend calls the backend after its own work: `chain` appends the call step.
    let services = vec![
        service(
            "frontend",
            2,
            64,
            vec![build::work(Dist::exponential(0.002).unwrap())],
        ),
        service(
            "backend",
            4,
            16,
            vec![build::work(Dist::exponential(0.064).unwrap())],
        ),
    ];
    let policies = vec![policy("client", false), policy("resilient", true)];
    let mut s = build::chain(build::poisson(700.0), services, policies, secs(duration));
    s.name = "request-path".into();
    s.clients[0].name = "users".into();
    s.network_latency = Dist::exponential(0.000_25).unwrap();
    s.limits = RunLimits {
        max_events: u64::MAX,
        max_pending: usize::MAX,
        max_log_entries: 10_000,
        max_buckets: 10_000,
    };
    s
}

#[divan::bench]
fn bare_station(bencher: Bencher<'_, '_>) {
    let config = StationConfig {
        servers: 10,
        interarrival: Dist::exponential(1.0 / 9.0).unwrap(),
        service: Dist::exponential(1.0).unwrap(),
        customers: 200_000,
        warmup_customers: 1_000,
        bucket: SimDuration::from_secs(200),
    };
    let events = Station::run(&config, 1).unwrap().events;
    bencher
        .counter(ItemsCount::new(events as usize))
        .bench_local(|| Station::run(black_box(&config), 1).unwrap());
}

#[divan::bench]
fn full_request_path(bencher: Bencher<'_, '_>) {
    let scenario = full_path(60.0);
    let events = models::run(scenario.clone(), 1).report.summary.events;
    bencher
        .counter(ItemsCount::new(events as usize))
        .with_inputs(|| scenario.clone())
        .bench_local_values(|s| models::run(black_box(s), 1).report.summary.events);
}
