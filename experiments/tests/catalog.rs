//! Every builtin scenario runs, and shows the mechanism it is there to show (not exact numbers):
//! the cascade kills pods and goodput collapses, the protected cascade kills none, the
//! breaker walks its states, bulkheads isolate, a deadline bounds
//! latency, liveness checks that call a dependency restart pods for its outage, DNS caching keeps
//! stale endpoints, retries sustain a metastable failure that a budget prevents.

use experiments::catalog::BUILTINS;
use experiments::run::{Finished, RunOptions, execute};
use models::log::LogKind;
use models::policy::Refusal;
use models::policy::breaker::{BreakerState, is_legal};
use models::report::Report;

mod common;
use common::run_options;

/// Runs a builtin with the invariant checker on: every test here also checks the simulator.
fn run(name: &str, overrides: &[&str]) -> Finished {
    let opts = RunOptions {
        check_invariants: true,
        ..run_options(name, overrides)
    };
    let f = execute(&opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(v) = &f.output.violation {
        panic!("{name} (seed {}): invariant broken: {v}", f.seed);
    }
    assert!(
        f.output.limit.is_none(),
        "{name} hit a limit: {:?}",
        f.output.limit
    );
    f
}

/// Mean per second of a per-bucket column over `[from, to)` seconds.
fn rate(r: &Report, column: &str, from: f64, to: f64) -> f64 {
    let v = r
        .series
        .num(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let b = r.series.bucket_s;
    let (i, j) = ((from / b) as usize, ((to / b) as usize).min(v.len()));
    v[i..j].iter().sum::<f64>() / (to - from)
}

fn kills(r: &Report) -> usize {
    r.log
        .iter()
        .filter(|e| matches!(e.kind, LogKind::Killed { .. }))
        .count()
}

#[test]
fn every_builtin_runs_to_its_end() {
    for b in BUILTINS {
        let f = run(b.name, &[]);
        let s = &f.output.report.summary;
        assert_eq!(s.stop.reason, "end_time", "{}", b.name);
        assert!(s.events > 0);
        assert!(
            !experiments::catalog::description(b).is_empty(),
            "{} has a description",
            b.name
        );
    }
}

#[test]
fn cascade_kills_pods_repeatedly_and_goodput_collapses() {
    let r = run("cascade", &[]).output.report;
    let upload = r.summary.services.iter().find(|s| s.name == "upload").unwrap();
    assert!(upload.restarts >= 3, "restarts {}", upload.restarts);
    assert!(kills(&r) >= 3);
    let before = rate(&r, "client.uploaders.ok", 5.0, 30.0);
    let after = rate(&r, "client.uploaders.ok", 60.0, 300.0);
    assert!(
        after < 0.1 * before,
        "goodput {before}/s before the fault, {after}/s after"
    );
}

#[test]
fn the_protected_cascade_has_no_kills_and_stays_available() {
    let r = run("cascade-protected", &[]).output.report;
    assert_eq!(kills(&r), 0);
    assert!(r.summary.services.iter().all(|s| s.restarts == 0));
    // Available: upload keeps answering, with degraded "pending" labels once classification is
    // slow (a degraded answer is an answer).
    let answers = |from, to| {
        rate(&r, "client.uploaders.ok", from, to) + rate(&r, "client.uploaders.degraded", from, to)
    };
    let (before, after) = (answers(5.0, 30.0), answers(60.0, 300.0));
    assert!(after > 0.8 * before, "answers {before}/s before, {after}/s after");
    let edge = r
        .summary
        .edges
        .iter()
        .find(|e| e.name == "upload→classification")
        .unwrap();
    assert!(
        edge.counts.degraded > 0 && edge.counts.rejections[Refusal::Breaker] > 0,
        "degraded 'pending' answers and fail-fast"
    );
}

/// The lesson's fallback answers `{"label": "unknown", "degraded": true}` inside a successful
/// upload: the upload is degraded, and so is the client's answer. Every fallback at the
/// classification edge makes one degraded upload answer; the client counts every one that
/// reached it (the rest arrived after the client had given up, and failed there).
#[test]
fn fallback_answers_are_degraded_up_to_the_client() {
    for name in ["cascade-protected", "breaker", "bulkhead"] {
        let r = run(name, &[]).output.report;
        let s = &r.summary;
        let fallback_edge = s.edges.iter().find(|e| e.counts.fallback_degrade > 0).unwrap();
        let service = s
            .services
            .iter()
            .find(|x| x.name == fallback_edge.caller)
            .unwrap();
        let client = &s.clients[0];
        let client_edge = s.edges.iter().find(|e| e.caller == client.name).unwrap();
        assert_eq!(client_edge.callee, service.name, "{name}");
        let fallbacks = fallback_edge.counts.fallback_degrade;
        assert_eq!(
            service.counts.completed_degraded, fallbacks,
            "{name}: one degraded answer per fallback"
        );
        assert!(client.degraded > 0, "{name}");
        assert_eq!(client.degraded, client_edge.counts.degraded_answers, "{name}");
        assert!(
            client.degraded <= fallbacks && fallbacks - client.degraded <= client.failed,
            "{name}: {} degraded at the client for {fallbacks} fallbacks, {} failed",
            client.degraded,
            client.failed
        );
        // The time series says the same.
        let series: f64 = r
            .series
            .num(&format!("client.{}.degraded", client.name))
            .unwrap()
            .iter()
            .sum();
        assert_eq!(series, client.degraded as f64, "{name}");
    }
}

/// Latency by outcome: in the cascade most requests fail fast while upload is down, so a p50
/// over every finished request reads ~0 ms ("latency improved"). The answered latency has no
/// value in a bucket where nothing was answered, the failures' latency is its own column, and
/// the table prints the answered p50, never a 0 ms mixed with failures.
#[test]
fn latency_is_shown_by_outcome_never_mixed() {
    let r = run("cascade", &[]).output.report;
    let col = |name: &str| {
        r.series
            .num(&format!("client.uploaders.{name}"))
            .unwrap()
            .to_vec()
    };
    let (ok, degraded, p50, p99) = (
        col("ok"),
        col("degraded"),
        col("latency_p50_ms"),
        col("latency_p99_ms"),
    );
    let failed_p50 = col("failed_latency_p50_ms");
    let failed: Vec<f64> = r
        .series
        .columns
        .iter()
        .filter(|c| c.name.starts_with("client.uploaders.failed."))
        .map(|c| r.series.num(&c.name).unwrap().to_vec())
        .fold(vec![0.0; ok.len()], |acc, v| {
            acc.iter().zip(&v).map(|(a, b)| a + b).collect()
        });
    let mut gaps = 0;
    for b in 0..ok.len() {
        let answered = ok[b] + degraded[b] > 0.0;
        assert_eq!(answered, !p50[b].is_nan(), "bucket {b}: answered p50 {}", p50[b]);
        assert_eq!(answered, !p99[b].is_nan(), "bucket {b}");
        assert_eq!(failed[b] > 0.0, !failed_p50[b].is_nan(), "bucket {b}");
        gaps += usize::from(!answered && failed[b] > 0.0);
    }
    assert!(gaps > 10, "the outage has buckets with failures only: {gaps}");
    let c = &r.summary.clients[0];
    assert_eq!(c.latency_answered_ms.count, c.ok + c.degraded);
    assert_eq!(c.latency_failed_ms.count, c.failed);
    assert!(
        c.latency_answered_ms.p50 > 100.0,
        "answered p50 {}",
        c.latency_answered_ms.p50
    );
    let cells = experiments::text::client_cells(c);
    let head = |h: &str| {
        experiments::text::CLIENT_COLUMNS
            .iter()
            .position(|x| x.head == h)
            .unwrap()
    };
    assert_eq!(
        cells[head("p50 ms")],
        experiments::text::ms(c.latency_answered_ms.p50)
    );
    assert_eq!(
        cells[head("fail p50")],
        experiments::text::ms(c.latency_failed_ms.p50)
    );
}

/// Switching the herd's backoff off leaves the file's base and cap unused, not invalid (the
/// herd's claim itself is asserted in tests/claims.rs).
#[test]
fn the_herd_runs_with_its_backoff_switched_off() {
    run(
        "thundering-herd",
        &["policies.retry.retry.backoff=none", "duration=65s"],
    );
}

#[test]
fn the_breaker_visits_every_state_in_order_and_fails_fast_while_open() {
    let r = run("breaker", &[]).output.report;
    assert!(!r.bands.breakers.is_empty());
    for band in &r.bands.breakers {
        let states: Vec<BreakerState> = band.states.iter().map(|s| s.1).collect();
        assert!(states.windows(2).all(|w| is_legal(w[0], w[1])), "{states:?}");
        for state in [BreakerState::Open, BreakerState::HalfOpen] {
            assert!(states.contains(&state), "{} never {state:?}", band.owner);
        }
        assert_eq!(
            states.last(),
            Some(&BreakerState::Closed),
            "recovers after the outage"
        );
    }
    let edge = r.summary.edges.iter().find(|e| e.name == "api→backend").unwrap();
    assert!(edge.counts.rejections[Refusal::Breaker] > 100);
    // While both breakers are open, almost nothing reaches the network (only half-open trials).
    let during = rate(&r, "edge.api→backend.attempts", 32.0, 40.0);
    let offered = rate(&r, "edge.api→backend.calls", 32.0, 40.0);
    assert!(
        during < 0.05 * offered,
        "{during}/s attempts while open, {offered}/s calls"
    );
}

#[test]
fn bulkheads_keep_a_slow_call_from_starving_the_others() {
    let isolated = run("bulkhead", &[]).output.report;
    let shared = run("bulkhead", &["policies.classify.bulkhead=none"])
        .output
        .report;
    let storage = |r: &Report| {
        r.summary
            .edges
            .iter()
            .find(|e| e.name == "upload→storage")
            .unwrap()
            .clone()
    };
    let (i, s) = (storage(&isolated), storage(&shared));
    assert!(
        i.failed() * 200 <= i.counts.calls,
        "isolated: storage failed {} of {}",
        i.failed(),
        i.counts.calls
    );
    assert!(
        s.failed() * 10 >= s.counts.calls,
        "shared: storage failed only {} of {}",
        s.failed(),
        s.counts.calls
    );
    assert!(s.failed_by().0["pool_timeout"] > 0, "starved of connections");
}

#[test]
fn a_deadline_bounds_the_latency_tail() {
    let plain = run("deadline", &[]).output.report;
    let bounded = run("deadline", &["policies.pricing.deadline=1500ms"])
        .output
        .report;
    let max = |r: &Report| r.summary.clients[0].latency_ms.max;
    assert!(
        max(&plain) > 3000.0,
        "without a deadline the tail reaches several attempt timeouts"
    );
    // The deadline bounds the pricing call; checkout adds its own 5 ms and the network.
    assert!(max(&bounded) <= 1500.0 + 10.0, "max {}", max(&bounded));
}

#[test]
fn a_liveness_probe_that_checks_a_dependency_restarts_pods_for_its_outage() {
    let checks = run("probes", &[]).output.report;
    let plain = run("probes", &["services.orders.liveness.handler=[]"])
        .output
        .report;
    let restarts = |r: &Report| {
        r.summary
            .services
            .iter()
            .find(|s| s.name == "orders")
            .unwrap()
            .restarts
    };
    assert!(restarts(&checks) >= 3, "{}", restarts(&checks));
    assert_eq!(restarts(&plain), 0);
    // Readiness gating: the degraded pod leaves the endpoints while it is slow.
    let removed = plain.log.iter().any(|e| {
        e.t >= 160.0
            && e.t < 200.0
            && matches!(&e.kind, LogKind::EndpointsUpdated { pod, ready: false, .. } if pod == "orders-0")
    });
    assert!(removed, "orders-0 taken out of routing while degraded");
}

#[test]
fn dns_caching_keeps_calling_rescheduled_pods_a_registry_watch_does_not() {
    let dns = run("discovery", &[]).output.report;
    let watch = run(
        "discovery",
        &["services.backend.discovery={kind=\"registry\",lag=\"1s\"}"],
    )
    .output
    .report;
    let failed = |r: &Report| r.summary.clients[0].failed;
    let stale = |r: &Report| {
        let e = r.summary.edges.iter().find(|e| e.name == "api→backend").unwrap();
        e.attempt_failures_by().0["connect_timeout"]
    };
    assert!(stale(&dns) > 100, "stale connects {}", stale(&dns));
    assert!(
        failed(&dns) > 10 * failed(&watch).max(1),
        "dns {} vs registry {}",
        failed(&dns),
        failed(&watch)
    );
}

#[test]
fn retries_sustain_a_metastable_failure_that_a_budget_prevents() {
    let plain = run("metastable", &[]).output.report;
    let budget = run("metastable", &["policies.client.retry.budget={kind=\"grpc\"}"])
        .output
        .report;
    let good = |r: &Report| rate(r, "client.clients.ok", 180.0, 240.0);
    let offered = rate(&plain, "client.clients.started", 180.0, 240.0);
    assert!(
        good(&plain) < 0.05 * offered,
        "still failing long after the trigger: {}",
        good(&plain)
    );
    assert!(
        good(&budget) > 0.9 * offered,
        "recovered with a budget: {}",
        good(&budget)
    );
    let amplification = rate(&plain, "edge.clients→api.attempts", 180.0, 240.0) / offered;
    assert!(amplification > 3.0, "retries amplify the load {amplification}×");
}

/// The lesson's scenario with probes that do not compete with traffic: the same load and the
/// same slow dependency, and no container is ever killed.
#[test]
fn the_cascade_with_dedicated_probes_kills_nothing() {
    let r = run(
        "cascade",
        &[
            "services.upload.liveness.path=dedicated",
            "services.upload.readiness.path=dedicated",
        ],
    )
    .output
    .report;
    assert_eq!(kills(&r), 0);
    assert!(r.summary.services.iter().all(|s| s.restarts == 0));
}

/// A retry storm that would run for ever stops at the event limit, says so, and is marked
/// partial rather than reported as a success.
#[test]
fn a_retry_storm_stops_at_the_event_limit() {
    let opts = run_options(
        "metastable",
        &[
            "policies.client.retry.max_attempts=1000000",
            "duration=100000s",
            "limits.max_events=300000",
        ],
    );
    let f = execute(&opts).unwrap();
    let limit = f.output.limit.expect("the storm hits the limit");
    assert!(limit.to_string().contains("max events limit (300000)"), "{limit}");
    let stop = &f.output.report.summary.stop;
    assert!(stop.partial && stop.reason == "max_events" && stop.at_s < 100_000.0);
}

/// The excerpt of the cascade's anatomy quoted in README.md is what `meshsim run cascade`
/// prints (the brief view).
#[test]
fn the_readme_quotes_the_cascade_truly() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let after = readme
        .split_once("A run of the cascade reads, in part:")
        .expect("the README quotes the cascade")
        .1;
    let block = after.split("```").nth(1).expect("a code block");
    let f = run("cascade", &[]);
    let report = &f.output.report;
    let brief = experiments::narrate::anatomy(
        &f.loaded.scenario,
        report,
        experiments::narrate::View::Brief,
        None,
    );
    let lines = experiments::narrate::render(&brief);
    let quoted: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(quoted.len() >= 5, "{quoted:?}");
    for q in quoted {
        assert!(
            lines.iter().any(|l| l == q),
            "README quotes a line the cascade does not print: {q}"
        );
    }
}
