//! The cascade scenario loads with the expected structure and defaults.

use models::config::{
    Caller, Discovery, EdgeConfig, Fallback, FaultKind, LbPolicy, Load, PolicyOrder, ProbePath, QueueOrder,
    Step,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use super::{CASCADE, load_text};

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

#[test]
fn cascade_loads_with_its_structure() {
    let loaded = load_text(CASCADE).unwrap();
    let s = &loaded.scenario;
    assert_eq!(s.name, "cascade");
    assert!(s.description.starts_with("Upload calls"));
    assert_eq!(s.duration, secs(180));
    assert_eq!(s.bucket, secs(1));
    assert_eq!(loaded.seed, 1);
    assert_eq!(s.network_latency, Dist::Constant { value: 250e-6 });
    assert_eq!(
        (
            s.limits.max_events,
            s.limits.max_pending,
            s.limits.max_log_entries,
            s.limits.max_buckets
        ),
        (200_000_000, 5_000_000, 20_000, 2_000)
    );

    let names: Vec<&str> = s.services.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["upload", "classification", "storage"]);
    let policies: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(policies, ["naive", "storage", "uploaders-default"]);

    // One edge per (caller, callee, policy), clients first, then services' steps in order.
    assert_eq!(
        s.edges,
        [
            EdgeConfig {
                caller: Caller::Client(0),
                callee: ServiceIdx(0),
                policy: PolicyIdx(2)
            },
            EdgeConfig {
                caller: Caller::Service(ServiceIdx(0)),
                callee: ServiceIdx(2),
                policy: PolicyIdx(1)
            },
            EdgeConfig {
                caller: Caller::Service(ServiceIdx(0)),
                callee: ServiceIdx(1),
                policy: PolicyIdx(0)
            },
        ]
    );
    assert_eq!(s.clients.len(), 1);
    assert_eq!(s.clients[0].name, "uploaders");
    assert_eq!(s.clients[0].edge, EdgeIdx(0));
    let Load::Closed {
        users, think, start, ..
    } = &s.clients[0].load
    else {
        panic!("closed load")
    };
    assert_eq!(
        (*users, think, *start),
        (50, &Dist::Constant { value: 0.0 }, SimTime::ZERO)
    );

    let upload = &s.services[0];
    assert_eq!((upload.replicas, upload.slots), (2, 50));
    assert_eq!(
        (upload.queue.capacity, upload.queue.order),
        (100, QueueOrder::Fifo)
    );
    assert_eq!(upload.steps.len(), 3);
    assert!(
        matches!(&upload.steps[0], Step::Work(w) if w.dist == Dist::Constant { value: 0.005 } && w.slope.is_zero())
    );
    assert!(matches!(&upload.steps[1], Step::Call(c) if c.edge == EdgeIdx(1) && c.required));
    assert!(matches!(&upload.steps[2], Step::Call(c) if c.edge == EdgeIdx(2) && c.required));
    let lc = &upload.lifecycle;
    assert_eq!(lc.startup, Dist::Constant { value: 5.0 });
    assert!(lc.warm_start);
    assert_eq!(lc.grace, SimDuration::ZERO);
    assert!(lc.exit_on_sigterm);
    assert!(lc.stale_endpoint_refused);
    let live = lc.liveness.as_ref().unwrap();
    assert_eq!(
        (
            live.initial_delay,
            live.period,
            live.timeout,
            live.success_threshold,
            live.failure_threshold,
            live.path
        ),
        (secs(10), secs(10), secs(5), 1, 3, ProbePath::Shared)
    );
    assert!(live.handler.is_empty());
    let ready = lc.readiness.as_ref().unwrap();
    assert_eq!((ready.initial_delay, ready.timeout), (secs(15), secs(1)));
    assert!(lc.startup_probe.is_none());
    assert_eq!(upload.lb, LbPolicy::RoundRobin);
    assert_eq!(upload.discovery, Discovery::Watch { delay: secs(1) });
    assert!(!upload.honour_deadlines);

    // Defaults filled in for a service that says little.
    let classification = &s.services[1];
    assert_eq!(
        (classification.queue.capacity, classification.queue.order),
        (1000, QueueOrder::Fifo)
    );
    assert_eq!(classification.lifecycle.startup, Dist::Constant { value: 1.0 });
    assert_eq!(classification.lifecycle.grace, secs(30));
    assert!(classification.lifecycle.liveness.is_none());
    let Step::Work(w) = &classification.steps[0] else {
        panic!()
    };
    let Dist::LogNormal { mu, sigma } = w.dist else {
        panic!("lognormal")
    };
    assert!((mu - 0.2f64.ln()).abs() < 1e-12);
    assert!((sigma - 3f64.ln() / sim_core::dist::Z_99).abs() < 1e-12);

    // The naive policy: no timeouts at all, httpx's pool.
    let naive = &s.policies[0];
    let t = naive.timeouts;
    assert_eq!(
        (t.connect, t.read, t.write, t.pool, t.attempt),
        (None, None, None, None, None)
    );
    assert_eq!(
        (
            naive.pool.max_connections,
            naive.pool.max_keepalive,
            naive.pool.keepalive_expiry
        ),
        (100, 20, secs(5))
    );
    assert!(naive.retry.is_none() && naive.breaker.is_none() && naive.bulkhead.is_none());
    assert_eq!(
        (naive.deadline, naive.fallback, naive.order),
        (None, Fallback::Fail, PolicyOrder::Lesson)
    );

    let storage = &s.policies[1];
    assert_eq!(storage.timeouts.connect, Some(secs(2)));
    assert_eq!(storage.timeouts.read, Some(secs(10)));
    assert_eq!(storage.timeouts.pool, Some(secs(5)));
    assert_eq!(storage.timeouts.attempt, None);
    let b = storage.bulkhead.clone().unwrap();
    assert_eq!((b.max_concurrent, b.max_wait), (50, secs(2)));

    // The client's implicit policy: the browser's 30 s timeout as a deadline, nothing else.
    let browser = &s.policies[2];
    assert_eq!(browser.deadline, Some(secs(30)));
    assert_eq!(browser.timeouts.read, None);
    assert_eq!(browser.pool.max_connections, u32::MAX);

    assert_eq!(s.faults.len(), 1);
    let f = &s.faults[0];
    assert_eq!(
        (f.service, f.from, f.until, f.pods),
        (ServiceIdx(1), SimTime::ZERO, None, None)
    );
    assert_eq!(
        f.kind,
        FaultKind::Slow {
            latency: Some(secs(15)),
            multiplier: 1.0
        }
    );
}

#[test]
fn service_calls_without_a_policy_use_httpx_defaults_or_the_declared_default() {
    let text = super::BASE;
    let s = load_text(text).unwrap().scenario;
    let default = s
        .policies
        .iter()
        .find(|p| p.name == "default")
        .expect("implicit default policy");
    assert_eq!(default.timeouts.read, Some(secs(5)));
    assert_eq!(default.timeouts.attempt, None);
    assert_eq!(
        (default.pool.max_connections, default.pool.max_keepalive),
        (100, 20)
    );

    let declared = format!("{text}\n[policies.default]\ntimeouts = {{ read = \"1s\" }}\n");
    let s = load_text(&declared).unwrap().scenario;
    assert_eq!(s.policies.iter().filter(|p| p.name == "default").count(), 1);
    assert_eq!(s.policies[0].name, "default");
    assert_eq!(s.policies[0].timeouts.read, Some(secs(1)));
    assert_eq!(s.policies[0].timeouts.connect, Some(secs(5)));
}
