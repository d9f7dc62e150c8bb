//! The M/M/10 model through the full world, for profilers:
//! `cargo run --release -p models --example mmc_world -- 1000000` (customers).

use models::config::{
    Arrivals, Caller, ClientConfig, Discovery, EdgeConfig, LbPolicy, LifecycleConfig, Load, PolicyConfig,
    QueueConfig, QueueOrder, RateSchedule, RunLimits, Scenario, ServiceConfig, Step, WorkStep,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use sim_core::dist::Dist;
use sim_core::time::SimDuration;

fn main() {
    let customers: f64 = std::env::args()
        .nth(1)
        .map_or(1e6, |s| s.parse().expect("customers"));
    let lambda = 9.0;
    let scenario = Scenario {
        name: "mmc".into(),
        description: String::new(),
        duration: SimDuration::from_secs_f64(customers / lambda),
        bucket: SimDuration::from_secs(100),
        network_latency: Dist::constant(0.0).expect("constant"),
        clients: vec![ClientConfig {
            name: "poisson".into(),
            edge: EdgeIdx(0),
            load: Load::Open {
                arrivals: Arrivals::Poisson,
                rate: RateSchedule::constant(lambda),
            },
        }],
        services: vec![ServiceConfig {
            name: "station".into(),
            replicas: 1,
            slots: 10,
            queue: QueueConfig {
                capacity: u32::MAX,
                order: QueueOrder::Fifo,
            },
            steps: vec![Step::Work(WorkStep {
                dist: Dist::exponential(1.0).expect("exp"),
                slope: SimDuration::ZERO,
            })],
            lifecycle: LifecycleConfig {
                warm_start: true,
                startup: Dist::constant(0.0).expect("constant"),
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
        }],
        policies: vec![PolicyConfig::unlimited("bare", None)],
        edges: vec![EdgeConfig {
            caller: Caller::Client(0),
            callee: ServiceIdx(0),
            policy: PolicyIdx(0),
        }],
        faults: vec![],
        limits: RunLimits {
            max_events: u64::MAX,
            max_pending: usize::MAX,
            max_log_entries: 1000,
            max_buckets: 10_000,
        },
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
