//! A scenario using every key: each value lands in the right field, in the right unit.

use models::config::{
    Arrivals, Caller, Discovery, EdgeConfig, Fallback, FaultKind, LbPolicy, Load, PolicyOrder, ProbePath,
    QueueOrder, Step,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use models::outcome::Failure;
use models::policy::Refusal;
use models::policy::backoff::Backoff;
use models::policy::breaker::{BreakerConfig, SlidingWindow};
use models::policy::budget::RetryBudgetConfig;
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use super::load_text;

const EVERY_KEY: &str = include_str!("../../../tests/fixtures/every-key.toml");

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

fn t(secs: u64) -> SimTime {
    SimTime::from_secs(secs)
}

#[test]
fn every_key_lands_in_its_field() {
    let loaded = load_text(EVERY_KEY).unwrap();
    let s = &loaded.scenario;
    assert_eq!(loaded.seed, 7);
    assert_eq!((s.duration, s.bucket), (SimDuration::from_secs(600), ms(500)));
    assert_eq!(
        s.network_latency,
        Dist::Uniform {
            low: 100e-6,
            high: 400e-6
        }
    );
    assert_eq!(
        (
            s.limits.max_events,
            s.limits.max_pending,
            s.limits.max_log_entries
        ),
        (1_000_000, 50_000, 0)
    );

    let policies: Vec<&str> = s.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        policies,
        [
            "client",
            "r4j",
            "hystrix",
            "lesson",
            "web-client",
            "batch-default",
            "default"
        ]
    );
    let e = |caller, callee: u32, policy: u32| EdgeConfig {
        caller,
        callee: ServiceIdx(callee),
        policy: PolicyIdx(policy),
    };
    let front = Caller::Service(ServiceIdx(0));
    assert_eq!(
        s.edges,
        [
            e(Caller::Client(0), 0, 4),
            e(Caller::Client(1), 0, 5),
            e(Caller::Client(2), 1, 0),
            e(front, 1, 1),
            e(front, 2, 2),
            e(front, 1, 6),
        ]
    );
    assert_eq!(
        s.clients.iter().map(|c| c.edge).collect::<Vec<_>>(),
        [EdgeIdx(0), EdgeIdx(1), EdgeIdx(2)]
    );

    // The web client's copy of `client` carries its timeout as the deadline.
    assert_eq!(s.policies[4].deadline, Some(SimDuration::from_secs(20)));
    assert_eq!(s.policies[0].deadline, Some(SimDuration::from_secs(30)));
    let Load::Open { arrivals, rate } = &s.clients[0].load else {
        panic!()
    };
    assert_eq!(*arrivals, Arrivals::Constant);
    assert_eq!(
        rate.points,
        [
            (t(0), 100.0),
            (t(30), 100.0),
            (t(30), 200.0),
            (t(60), 200.0),
            (t(90), 500.0),
            (t(100), 500.0),
            (t(100), 2000.0),
            (t(105), 2000.0),
            (t(105), 500.0),
        ]
    );
    assert_eq!(rate.rate_at(t(75)), 350.0);
    assert!(
        matches!(s.clients[1].load, Load::Burst { count: 50, at, every: Some(d) } if at == t(10) && d == SimDuration::from_secs(60))
    );
    let Load::Closed {
        users,
        think,
        start,
        ramp,
    } = &s.clients[2].load
    else {
        panic!()
    };
    assert_eq!(
        (*users, think, *start, *ramp),
        (
            5,
            &Dist::Exponential { mean: 1.0 },
            t(2),
            SimDuration::from_millis(500)
        )
    );

    let f = &s.services[0];
    assert_eq!(
        (f.replicas, f.slots, f.queue.capacity, f.queue.order),
        (3, 8, 0, QueueOrder::Lifo)
    );
    assert!(
        matches!(&f.steps[0], Step::Work(w) if w.dist == Dist::Normal { mean: 0.002, sd: 0.0005 } && w.slope == SimDuration::from_micros(100))
    );
    let Step::Parallel(calls) = &f.steps[1] else {
        panic!()
    };
    assert_eq!(
        (calls[0].edge, calls[0].required, calls[1].edge, calls[1].required),
        (EdgeIdx(3), true, EdgeIdx(4), false)
    );
    assert!(matches!(&f.steps[2], Step::Call(c) if c.edge == EdgeIdx(3)));
    let Step::Work(w) = &f.steps[3] else { panic!() };
    let Dist::Mixture {
        cumulative,
        components,
    } = &w.dist
    else {
        panic!()
    };
    assert_eq!(cumulative.len(), 2);
    assert!((cumulative[0] - 0.9).abs() < 1e-12);
    assert_eq!(components[1], Dist::Constant { value: 1.0 });
    let lc = &f.lifecycle;
    assert_eq!(
        lc.startup,
        Dist::Pareto {
            scale: 1.0,
            shape: 2.5
        }
    );
    assert!(!lc.warm_start && !lc.exit_on_sigterm && !lc.stale_endpoint_refused);
    assert_eq!(lc.grace, SimDuration::from_secs(10));
    let live = lc.liveness.as_ref().unwrap();
    assert_eq!(
        (live.path, live.failure_threshold, live.timeout),
        (ProbePath::Dedicated, 5, SimDuration::from_secs(2))
    );
    let ready = lc.readiness.as_ref().unwrap();
    assert_eq!(
        (ready.success_threshold, ready.period, ready.timeout),
        (2, SimDuration::from_secs(10), SimDuration::from_secs(1))
    );
    assert!(matches!(&ready.handler[..], [Step::Call(c)] if c.edge == EdgeIdx(5)));
    assert_eq!(lc.startup_probe.as_ref().unwrap().failure_threshold, 30);
    assert_eq!(f.lb, LbPolicy::LeastRequest);
    assert_eq!(
        f.discovery,
        Discovery::Dns {
            ttl: SimDuration::from_secs(10),
            delay: ms(500)
        }
    );
    assert!(f.honour_deadlines);
    assert_eq!(
        s.services[1].discovery,
        Discovery::Registry {
            lag: SimDuration::from_secs(3)
        }
    );
    assert_eq!(s.services[1].lb, LbPolicy::Random);
    assert_eq!(
        s.services[2].discovery,
        Discovery::Watch {
            delay: SimDuration::from_secs(2)
        }
    );
    assert!(
        matches!(&s.services[2].steps[0], Step::Work(w) if matches!(&w.dist, Dist::Empirical { points } if points.len() == 3))
    );

    let client = &s.policies[0];
    let to = client.timeouts;
    assert_eq!(
        (to.connect, to.read, to.write, to.pool, to.attempt),
        (Some(ms(1000)), None, Some(ms(3000)), None, Some(ms(10_000)))
    );
    assert_eq!(
        (
            client.pool.max_connections,
            client.pool.max_keepalive,
            client.pool.keepalive_expiry,
            client.pool.sticky
        ),
        (10, 5, SimDuration::from_secs(30), true)
    );
    assert_eq!(client.pool.connect_time, Dist::Constant { value: 0.003 });
    let retry = client.retry.as_ref().unwrap();
    assert_eq!(retry.max_attempts, 4);
    let expected_mask = [
        Failure::AttemptTimeout,
        Failure::ReadTimeout,
        Failure::WriteTimeout,
    ]
    .iter()
    .chain(&[
        Failure::Rejected,
        Failure::Refused(Refusal::Breaker),
        Failure::Refused(Refusal::Bulkhead),
        Failure::NoEndpoints,
    ])
    .fold(0, |m, f| m | f.bit());
    assert_eq!(retry.on.mask, expected_mask);
    assert_eq!(
        retry.backoff,
        Backoff::Grpc {
            initial: ms(200),
            multiplier: 2.0,
            max: ms(5000)
        }
    );
    assert_eq!(
        retry.budget,
        Some(RetryBudgetConfig::GrpcThrottling {
            max_tokens: 20.0,
            token_ratio: 0.5
        })
    );
    assert!(client.propagate_deadline);
    assert_eq!(
        (client.fallback, client.order),
        (Fallback::Degrade, PolicyOrder::Resilience4j)
    );

    let r4j = &s.policies[1];
    let retry = r4j.retry.as_ref().unwrap();
    assert_eq!(retry.max_attempts, 3);
    assert_eq!(
        retry.backoff,
        Backoff::Envoy {
            base: ms(25),
            max: ms(250)
        }
    );
    assert_eq!(
        retry.budget,
        Some(RetryBudgetConfig::Envoy {
            budget_percent: 50.0,
            min_retry_concurrency: 1
        })
    );
    assert_eq!(
        r4j.breaker,
        Some(BreakerConfig::Resilience4j {
            window: SlidingWindow::Time { seconds: 30 },
            minimum_calls: 10,
            failure_rate_threshold: 40.0,
            slow_call_rate_threshold: 90.0,
            slow_call_duration: ms(2000),
            wait_in_open: ms(15_000),
            permitted_in_half_open: 3,
            automatic_transition: true,
        })
    );
    let b = r4j.bulkhead.clone().unwrap();
    assert_eq!((b.max_concurrent, b.max_wait), (10, SimDuration::ZERO));
    assert_eq!(
        r4j.fallback,
        Fallback::Defer {
            retry_every: ms(5000),
            capacity: 100
        }
    );

    let hystrix = &s.policies[2];
    let retry = hystrix.retry.as_ref().unwrap();
    assert_eq!(
        retry.backoff,
        Backoff::DecorrelatedJitterV2 {
            median_first_delay: ms(100),
            cap: ms(20_000)
        }
    );
    assert_eq!(
        retry.budget,
        Some(RetryBudgetConfig::Finagle {
            ttl: ms(20_000),
            min_retries_per_sec: 5.0,
            percent_can_retry: 0.1
        })
    );
    assert_eq!(
        hystrix.breaker,
        Some(BreakerConfig::Hystrix {
            window: ms(20_000),
            request_volume: 10,
            error_percent: 25.0,
            sleep_window: ms(3000)
        })
    );

    let lesson = &s.policies[3];
    let retry = lesson.retry.as_ref().unwrap();
    assert_eq!(retry.backoff, Backoff::Fixed { delay: ms(1000) });
    assert_eq!(
        retry.budget,
        Some(RetryBudgetConfig::Brooker {
            deposit: 0.2,
            capacity: 10.0,
            retry_cost: 2.0
        })
    );
    assert_eq!(
        lesson.breaker,
        Some(BreakerConfig::Lesson {
            failure_threshold: 3,
            window: ms(30_000),
            open_for: ms(10_000),
            success_threshold: 1,
            half_open_trials: None
        })
    );
    assert_eq!(s.policies[5].deadline, None);
    assert_eq!(s.policies[6].timeouts.read, Some(ms(5000)));

    let kinds: Vec<&FaultKind> = s.faults.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds,
        [
            &FaultKind::Slow {
                latency: None,
                multiplier: 3.0
            },
            &FaultKind::Errors {
                rate: 0.25,
                fail_fast: true
            },
            &FaultKind::Crash { blackhole: true },
            &FaultKind::CapacityCut {
                slots: Some(2),
                multiplier: 1.5
            },
            &FaultKind::Leak { growth: 0.1 },
            &FaultKind::Restart { down_for: ms(20_000) },
            &FaultKind::Reschedule { down_for: ms(5000) },
        ]
    );
    let f0 = &s.faults[0];
    assert_eq!(
        (f0.service, f0.from, f0.until, f0.pods),
        (ServiceIdx(1), t(60), Some(t(120)), Some(1))
    );
    assert_eq!(s.faults[2].until, Some(t(210)));
    assert_eq!(s.faults[4].until, None);
}

#[test]
fn faults_can_be_addressed_by_name() {
    let loaded = super::load_with(EVERY_KEY, &["faults.slowdown.multiplier=5"]).unwrap();
    assert_eq!(
        loaded.scenario.faults[0].kind,
        FaultKind::Slow {
            latency: None,
            multiplier: 5.0
        }
    );
}

#[test]
fn defaults_of_every_tagged_table() {
    let text = r#"name = "d"
duration = "1m"
[[services]]
name = "s"
slots = 1
steps = []
[policies.a]
retry = {}
breaker = { kind = "resilience4j" }
bulkhead = {}
fallback = "defer"
[policies.b]
retry = { backoff = "grpc", budget = { kind = "finagle" } }
breaker = { kind = "hystrix" }
[policies.c]
retry = { budget = { kind = "brooker" } }
breaker = { kind = "lesson" }
[policies.d]
retry = { backoff = "envoy", base = "10ms", budget = { kind = "grpc" } }
"#;
    let s = load_text(text).unwrap().scenario;
    let a = &s.policies[0];
    let r = a.retry.as_ref().unwrap();
    assert_eq!(r.max_attempts, 3);
    assert_eq!(
        r.backoff,
        Backoff::Exponential {
            base: ms(100),
            cap: ms(20_000)
        }
    );
    let default_mask = ["timeout", "connect", "reset", "5xx", "rejected"]
        .iter()
        .flat_map(|g| Failure::groups().into_iter().find(|(n, _)| n == g).unwrap().1)
        .fold(0, |m, f| m | f.bit());
    assert_eq!(r.on.mask, default_mask);
    assert_eq!(r.budget, None);
    assert_eq!(
        a.breaker,
        Some(BreakerConfig::Resilience4j {
            window: SlidingWindow::Count { size: 100 },
            minimum_calls: 100,
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration: ms(60_000),
            wait_in_open: ms(60_000),
            permitted_in_half_open: 10,
            automatic_transition: false,
        })
    );
    let bh = a.bulkhead.clone().unwrap();
    assert_eq!((bh.max_concurrent, bh.max_wait), (25, SimDuration::ZERO));
    assert_eq!(
        a.fallback,
        Fallback::Defer {
            retry_every: ms(10_000),
            capacity: 10_000
        }
    );
    let b = &s.policies[1];
    let r = b.retry.as_ref().unwrap();
    assert_eq!(
        r.backoff,
        Backoff::Grpc {
            initial: ms(100),
            multiplier: 1.6,
            max: ms(20_000)
        }
    );
    assert_eq!(
        r.budget,
        Some(RetryBudgetConfig::Finagle {
            ttl: ms(10_000),
            min_retries_per_sec: 10.0,
            percent_can_retry: 0.2
        })
    );
    assert_eq!(
        b.breaker,
        Some(BreakerConfig::Hystrix {
            window: ms(10_000),
            request_volume: 20,
            error_percent: 50.0,
            sleep_window: ms(5000)
        })
    );
    let c = &s.policies[2];
    assert_eq!(
        c.retry.as_ref().unwrap().budget,
        Some(RetryBudgetConfig::Brooker {
            deposit: 0.1,
            capacity: 5.0,
            retry_cost: 1.0
        })
    );
    assert_eq!(
        c.breaker,
        Some(BreakerConfig::Lesson {
            failure_threshold: 5,
            window: ms(60_000),
            open_for: ms(30_000),
            success_threshold: 2,
            half_open_trials: None
        })
    );
    let d = s.policies[3].retry.as_ref().unwrap();
    assert_eq!(
        d.backoff,
        Backoff::Envoy {
            base: ms(10),
            max: ms(100)
        }
    );
    assert_eq!(
        d.budget,
        Some(RetryBudgetConfig::GrpcThrottling {
            max_tokens: 10.0,
            token_ratio: 0.1
        })
    );
    assert!(s.clients.is_empty() && s.faults.is_empty() && s.edges.is_empty());
}

/// `retry.on`'s names are the scenario format's interface: building the groups from
/// `Refusal` keeps each name and its place (serve's form lists them in this order).
#[test]
fn retry_conditions_are_the_groups_then_the_reasons_no_group_is_named_after() {
    assert_eq!(
        crate::scenario::schema::retry_conditions(),
        [
            "timeout",
            "connect",
            "pool",
            "reset",
            "5xx",
            "rejected",
            "breaker_open",
            "bulkhead_full",
            "no_endpoints",
            "unavailable",
            "attempt_timeout",
            "read_timeout",
            "write_timeout",
            "connect_timeout",
            "connect_refused",
            "pool_timeout",
            "error_response",
            "deadline_exceeded",
        ]
    );
}
