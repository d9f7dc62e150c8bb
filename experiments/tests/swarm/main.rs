//! Swarm testing (`experiments::swarm`): a few hundred random scenarios pass every check; the
//! generator is deterministic and covers the schema; the checks catch what they claim to
//! catch; shrinking simplifies a failing scenario. `meshsim swarm --count 100000` is the long
//! local run (docs/reliability.md). `measure` (ignored) measures how small shrinking gets.

mod measure;

use std::collections::BTreeSet;

use experiments::scenario::tree::Value;
use experiments::scenario::{Source, load};
use experiments::swarm::spec::text;
use experiments::swarm::{self, FailureKind, Spec, check_run, generate, shrink_with};
use models::log::LogKind;
use models::policy::breaker::BreakerState;
use models::report::Values;
use models::{RunConfig, RunOutput};
use rayon::prelude::*;

#[path = "../common/mod.rs"]
mod common;
use common::{meshsim, ok};

/// Seeds run in CI.
const SEEDS: u64 = 300;

#[test]
fn three_hundred_seeds_pass_every_check() {
    let results: Vec<(u64, Result<swarm::Summary, swarm::Failure>)> = (0..SEEDS)
        .into_par_iter()
        .map(|seed| (seed, swarm::check(seed)))
        .collect();
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(seed, r)| {
            r.as_ref().err().map(|f| {
                format!(
                    "seed {seed}: {f}\n  reproduce: {}",
                    swarm::reproduce_command(*seed)
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {SEEDS} seeds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The runs are not trivial: most do real work, some stop at a limit (reported partial).
    let passed: Vec<&swarm::Summary> = results.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    let busy = passed.iter().filter(|s| s.requests > 0 && s.events > 100).count();
    let limited = passed.iter().filter(|s| s.hit_limit).count();
    assert!(busy > SEEDS as usize / 2, "only {busy} seeds did real work");
    assert!(
        limited > 0 && limited < SEEDS as usize / 2,
        "{limited} seeds hit a limit"
    );
}

#[test]
fn generation_is_deterministic_and_varied() {
    let mut texts = BTreeSet::new();
    for seed in 0..50 {
        let a = generate(seed).to_toml();
        assert_eq!(
            a,
            generate(seed).to_toml(),
            "seed {seed} generated two different files"
        );
        texts.insert(a);
    }
    assert_eq!(texts.len(), 50, "different seeds gave the same scenario");
}

#[test]
fn a_thousand_generated_scenarios_load() {
    for seed in 0..1000 {
        let spec = generate(seed);
        let text = spec.to_toml();
        if let Err(e) = load(&Source::new(format!("{}.toml", spec.name()), text.clone()), &[]) {
            panic!("seed {seed}: the generated scenario does not load:\n{e}\n\n{text}");
        }
    }
}

#[test]
fn generation_covers_the_schema() {
    let mut seen = BTreeSet::new();
    for seed in 0..SEEDS {
        seen.extend(generate(seed).features());
    }
    let mut required: Vec<String> = [
        "load:open",
        "load:open:constant",
        "load:closed",
        "load:burst",
        "load:burst:repeated",
        "schedule:step",
        "schedule:ramp",
        "schedule:spike",
        "client:timeout",
        "queue:zero",
        "queue:fifo",
        "queue:lifo",
        "start:warm",
        "start:cold",
        "probe:handler-calls",
        "step:work",
        "step:call",
        "step:parallel",
        "call:best-effort",
        "lb:round_robin",
        "lb:random",
        "lb:least_request",
        "discovery:watch",
        "discovery:dns",
        "discovery:registry",
        "honour_deadlines",
        "timeout:none",
        "timeout:1ns",
        "pool:shared",
        "pool:sticky",
        "pool:tiny",
        "retry:none",
        "retry:huge",
        "breaker:none",
        "bulkhead",
        "bulkhead:no-wait",
        "deadline",
        "deadline:propagated",
        "fallback:fail",
        "fallback:degrade",
        "fallback:defer",
        "order:lesson",
        "order:resilience4j",
        "fault:blackhole",
        "fault:whole-run",
        "fault:pods",
        "limits:max_buckets",
        "limits:max_log_entries",
        "limits:tiny",
        "network:zero",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for kind in ["liveness", "readiness", "startup"] {
        for path in ["shared", "dedicated"] {
            required.push(format!("probe:{kind}:{path}"));
        }
    }
    for b in experiments::scenario::schema::BACKOFF_NAMES {
        required.push(format!("backoff:{b}"));
    }
    for b in ["grpc", "brooker", "envoy", "finagle"] {
        required.push(format!("budget:{b}"));
    }
    for b in ["lesson", "resilience4j", "hystrix"] {
        required.push(format!("breaker:{b}"));
    }
    for f in [
        "slow",
        "errors",
        "crash",
        "capacity_cut",
        "leak",
        "restart",
        "reschedule",
    ] {
        required.push(format!("fault:{f}"));
    }
    let missing: Vec<&String> = required.iter().filter(|r| !seen.contains(*r)).collect();
    assert!(missing.is_empty(), "{SEEDS} seeds never generated: {missing:?}");
}

/// A scenario whose run has breaker transitions, probe kills and CrashLoopBackOff restarts.
const BUSY: &str = r#"
name = "busy"
duration = "60s"
seed = 7

[[clients]]
name = "web"
target = "api"
policy = "guarded"
load = { kind = "open", rate = 50.0 }

[[services]]
name = "api"
replicas = 2
slots = 8
startup = "100ms"
steps = [{ work = "5ms" }]
liveness = { path = "dedicated", period = "1s", timeout = "1ns", failure_threshold = 1, handler = [{ work = "1ms" }] }

[policies.guarded]
breaker = { kind = "lesson", failure_threshold = 3, window = "10s", open_for = "2s", success_threshold = 1 }
retry = { max_attempts = 2, backoff = "none" }
fallback = "degrade"

[[faults]]
service = "api"
kind = "errors"
rate = 0.5
from = "5s"
until = "30s"
"#;

fn busy_run() -> (models::config::Scenario, RunOutput) {
    let loaded = load(&Source::new("busy.toml", BUSY), &[]).expect("loads");
    let config = RunConfig {
        trace: None,
        check_invariants: true,
        digest: None,
    };
    let out = models::run_with(loaded.scenario.clone(), loaded.seed, &config);
    (loaded.scenario, out)
}

fn expect(kind: FailureKind, scenario: &models::config::Scenario, out: &RunOutput, what: &str) {
    match check_run(scenario, out) {
        Err(f) if f.kind == kind => {}
        other => panic!("{what}: expected a {kind:?} failure, got {other:?}"),
    }
}

#[test]
fn the_checks_are_not_vacuous() {
    let (scenario, out) = busy_run();
    check_run(&scenario, &out).expect("the uncorrupted run passes");
    let log = &out.report.log;
    let has = |f: &dyn Fn(&LogKind) -> bool| log.iter().any(|e| f(&e.kind));
    assert!(
        has(&|k| matches!(k, LogKind::Breaker { .. })),
        "no breaker transition to corrupt"
    );
    assert!(
        has(&|k| matches!(k, LogKind::RestartScheduled { backoff_s, .. } if *backoff_s > 0.0)),
        "no back-off to corrupt"
    );

    let corrupt = |f: &dyn Fn(&mut RunOutput)| {
        let mut copy = RunOutput {
            report: out.report.clone(),
            limit: out.limit,
            violation: out.violation.clone(),
            digest: None,
        };
        f(&mut copy);
        copy
    };

    // A NaN in the summary.
    let bad = corrupt(&|o| o.report.summary.clients[0].goodput_per_s = f64::NAN);
    expect(FailureKind::NonFinite, &scenario, &bad, "NaN goodput");
    let bad = corrupt(&|o| o.report.summary.services[0].utilisation = f64::INFINITY);
    expect(FailureKind::NonFinite, &scenario, &bad, "infinite utilisation");
    // An infinity (and a NaN outside the latency columns) in the time series.
    let bad = corrupt(&|o| num_column(o, |_| true)[0] = f64::INFINITY);
    expect(FailureKind::NonFinite, &scenario, &bad, "infinite cell");
    let bad = corrupt(&|o| num_column(o, |name| name.ends_with("busy_mean"))[1] = f64::NAN);
    expect(FailureKind::NonFinite, &scenario, &bad, "NaN busy_mean");
    // An illegal breaker transition, and one that does not continue from the last state.
    let bad = corrupt(&|o| {
        for e in &mut o.report.log {
            if let LogKind::Breaker { from, to, .. } = &mut e.kind {
                *from = BreakerState::Closed;
                *to = BreakerState::HalfOpen;
                break;
            }
        }
    });
    expect(FailureKind::Breaker, &scenario, &bad, "closed → half-open");
    let bad = corrupt(&|o| {
        let mut seen = 0;
        for e in &mut o.report.log {
            if let LogKind::Breaker { from, to, .. } = &mut e.kind {
                seen += 1;
                if seen == 2 {
                    // Legal, but the breaker was not in `from`.
                    (*from, *to) = if *from == BreakerState::Open {
                        (BreakerState::Closed, BreakerState::Open)
                    } else {
                        (BreakerState::Open, BreakerState::HalfOpen)
                    };
                    break;
                }
            }
        }
    });
    expect(
        FailureKind::Breaker,
        &scenario,
        &bad,
        "a transition out of nowhere",
    );
    // A wrong back-off, and a restart earlier than its back-off.
    let bad = corrupt(&|o| {
        for e in &mut o.report.log {
            if let LogKind::RestartScheduled { backoff_s, .. } = &mut e.kind
                && *backoff_s > 0.0
            {
                *backoff_s = 5.0;
                break;
            }
        }
    });
    expect(FailureKind::Lifecycle, &scenario, &bad, "back-off 5 s");
    let bad = corrupt(&|o| {
        let log = &mut o.report.log;
        let i = log
            .iter()
            .position(|e| matches!(e.kind, LogKind::RestartScheduled { backoff_s, .. } if backoff_s > 0.0))
            .unwrap();
        let t = log[i].t;
        let j = i + log[i..]
            .iter()
            .position(|e| matches!(e.kind, LogKind::ContainerStarted { .. }))
            .unwrap();
        // Moved to 1 s after the restart was scheduled, among the entries of that time.
        let mut started = log.remove(j);
        started.t = t + 1.0;
        let k = log.iter().position(|e| e.t > started.t).unwrap_or(log.len());
        log.insert(k, started);
    });
    expect(
        FailureKind::Lifecycle,
        &scenario,
        &bad,
        "restart before its back-off",
    );
    // A kill without the probe failures that cause it.
    let bad = corrupt(&|o| {
        o.report
            .log
            .retain(|e| !matches!(e.kind, LogKind::ProbeFailed { .. }));
    });
    expect(
        FailureKind::Lifecycle,
        &scenario,
        &bad,
        "a kill without probe failures",
    );
    // A probe failure off its worker's ticker: the first one said refused (at its tick)
    // instead of timed out (1 ns after it) puts the pod's later failures 1 ns off.
    let bad = corrupt(&|o| {
        for e in &mut o.report.log {
            if let LogKind::ProbeFailed { cause, .. } = &mut e.kind {
                *cause = "refused";
                break;
            }
        }
    });
    expect(
        FailureKind::Lifecycle,
        &scenario,
        &bad,
        "a probe failure off its ticker",
    );
    // The log out of time order.
    let bad = corrupt(&|o| {
        let n = o.report.log.len();
        o.report.log[n - 1].t = 0.0;
    });
    expect(
        FailureKind::Log,
        &scenario,
        &bad,
        "time going backwards in the log",
    );
    // Conservation of client requests, and counts that disagree.
    let bad = corrupt(&|o| o.report.summary.clients[0].ok += 1);
    expect(FailureKind::Conservation, &scenario, &bad, "an extra ok");
    let bad = corrupt(&|o| {
        o.report.summary.edges[0].counts.attempts += o.report.summary.edges[0].counts.calls * 10
    });
    expect(FailureKind::Counts, &scenario, &bad, "attempts out of thin air");
    let bad = corrupt(&|o| o.report.summary.services[0].pods[0].kills += 1);
    expect(
        FailureKind::Counts,
        &scenario,
        &bad,
        "a kill the log does not have",
    );
    let bad = corrupt(&|o| o.report.summary.services[0].utilisation = 1.5);
    expect(FailureKind::Counts, &scenario, &bad, "utilisation above 1");
    let bad = corrupt(&|o| o.report.summary.services[0].counts.arrivals = 0);
    expect(FailureKind::Counts, &scenario, &bad, "answers without arrivals");
    // Refusal columns are found through summary.json's `*_rejections` counts, not by name.
    let bad = corrupt(&|o| num_column(o, |name| name.ends_with(".rejected_breaker"))[3] += 1.0);
    expect(
        FailureKind::Counts,
        &scenario,
        &bad,
        "a refusal column that disagrees with its count",
    );
    let bad = corrupt(&|o| num_column(o, |name| name == "client.web.started")[3] += 1.0);
    expect(
        FailureKind::Counts,
        &scenario,
        &bad,
        "a time series that disagrees with the total",
    );
    // A fault's phases: a NaN, an answer the client never had, a failure mix that does not add
    // up, a verdict that disagrees with its number.
    let bad = corrupt(&|o| o.report.summary.faults[0].clients[0].during.goodput_per_s = f64::NAN);
    expect(FailureKind::NonFinite, &scenario, &bad, "NaN phase goodput");
    let bad = corrupt(&|o| {
        let p = &mut o.report.summary.faults[0].clients[0].after;
        p.answered += 1;
        p.latency_answered_ms.count += 1;
    });
    expect(
        FailureKind::Conservation,
        &scenario,
        &bad,
        "an extra answer in a phase",
    );
    let bad = corrupt(&|o| o.report.summary.faults[0].clients[0].before.failed += 1);
    expect(
        FailureKind::Counts,
        &scenario,
        &bad,
        "a failure mix that does not add up",
    );
    let bad = corrupt(&|o| o.report.summary.faults[0].clients[0].recovered_s = Some(f64::NAN));
    expect(FailureKind::NonFinite, &scenario, &bad, "a NaN recovery");
    let bad = corrupt(&|o| {
        let c = &mut o.report.summary.faults[0].clients[0];
        c.verdict = Some(models::phases::NOT_RECOVERED);
        c.recovered_s = Some(1.0);
    });
    expect(
        FailureKind::NonFinite,
        &scenario,
        &bad,
        "a verdict against its number",
    );
    // The world's own checker, and the stop record.
    let bad = corrupt(&|o| {
        o.violation = Some(models::world::Violation {
            at: sim_core::time::SimTime::from_secs(1),
            event: 10,
            what: "pod 0: 9 busy, 8 slots".into(),
        })
    });
    expect(FailureKind::Invariant, &scenario, &bad, "a world violation");
    let bad = corrupt(&|o| o.report.summary.stop.partial = true);
    expect(FailureKind::Limit, &scenario, &bad, "partial without a limit");
}

#[test]
fn panics_are_caught_with_their_location_and_silently() {
    let err = swarm::catching(|| -> u32 { panic!("boom {}", 42) }).unwrap_err();
    assert!(err.contains("boom 42") && err.contains("swarm/main.rs"), "{err}");
    assert_eq!(swarm::catching(|| 7), Ok(7));
}

/// The number of faults of kind `kind`.
fn faults_of_kind(s: &Spec, kind: &str) -> usize {
    s.items("faults")
        .iter()
        .filter(|f| text(f.get("kind")) == Some(kind))
        .count()
}

/// A seed with several services, clients, faults and policies to shrink.
fn rich_spec(also: impl Fn(&Spec) -> bool) -> Spec {
    (0..1000)
        .map(generate)
        .find(|s| {
            s.items("services").len() >= 4
                && s.items("clients").len() >= 2
                && s.entries("policies").len() >= 2
                && faults_of_kind(s, "crash") == 1
                && s.items("faults").len() >= 2
                && also(s)
        })
        .expect("a rich seed")
}

/// Whether a spec loads.
fn loads(s: &Spec) -> bool {
    load(&Source::new("s.toml", s.to_toml()), &[]).is_ok()
}

#[test]
fn shrinking_reduces_a_failing_spec() {
    let spec = rich_spec(|_| true);
    // A deliberately "failing" property: the scenario has a crash fault.
    let fails = |s: &Spec| faults_of_kind(s, "crash") > 0;
    let (small, tries, steps) = shrink_with(spec.clone(), 10_000, fails);
    assert!(fails(&small) && loads(&small), "{}", small.to_toml());
    assert!(steps > 0 && tries > steps);
    assert_eq!(small.items("faults").len(), 1, "{}", small.to_toml());
    assert!(
        small.items("clients").is_empty() && small.entries("policies").is_empty(),
        "{}",
        small.to_toml()
    );
    assert_eq!(
        small.items("services").len(),
        1,
        "only the crashed service is left:\n{}",
        small.to_toml()
    );
    assert!(small.to_toml().len() < spec.to_toml().len() / 3);
    // The bound on tries holds; and without one, shrinking terminates even when every
    // candidate "still fails", because every candidate is a simplification.
    let (_, tries, _) = shrink_with(spec.clone(), 5, |_| true);
    assert_eq!(tries, 5);
    let (_, tries, _) = shrink_with(spec, usize::MAX, |_| true);
    assert!(tries > 5, "{tries} tries");
}

#[test]
fn shrinking_offers_only_scenarios_that_load() {
    // The candidates are edits of the tree that know no scenario key: many do not load (a
    // required key dropped, a service still called), and those are never tried.
    let spec = generate(7);
    let candidates = swarm::candidates(&spec);
    assert!(candidates.iter().any(|c| !loads(c)), "every candidate loads");
    let mut asked = 0;
    let (small, tries, _) = shrink_with(spec, 300, |s| {
        asked += 1;
        assert!(loads(s), "a candidate that does not load:\n{}", s.to_toml());
        true
    });
    assert_eq!(asked, tries);
    assert!(loads(&small));
    // The run's bounds are made smaller but never dropped: the loader's defaults are a
    // thousand times the generator's, and a candidate would run for minutes.
    let (small, _, _) = shrink_with(generate(7), usize::MAX, |_| true);
    for key in ["max_events", "max_pending"] {
        let limit = small.root.get("limits").and_then(|l| l.get(key));
        assert!(limit.is_some(), "{key} dropped:\n{}", small.to_toml());
    }
}

#[test]
fn shrinking_keeps_what_the_failure_needs() {
    // Fails while a client calls through a service that calls another one: the shrunk
    // scenario keeps exactly that chain.
    let fails = |s: &Spec| {
        s.items("clients").iter().any(|c| {
            s.items("services").iter().any(|svc| {
                text(svc.get("name")) == text(c.get("target"))
                    && match svc.get("steps").map(|x| &x.value) {
                        Some(Value::Array(steps)) => steps.iter().any(|st| st.get("work").is_none()),
                        _ => false,
                    }
            })
        })
    };
    let spec = rich_spec(fails);
    let (small, _, _) = shrink_with(spec, 10_000, fails);
    assert!(fails(&small));
    assert_eq!(small.items("clients").len(), 1, "{}", small.to_toml());
    assert_eq!(small.items("services").len(), 2, "{}", small.to_toml());
    assert!(small.items("faults").is_empty(), "{}", small.to_toml());
}

#[test]
fn the_command_line() {
    let stdout = ok(&meshsim(&[
        "swarm",
        "--count",
        "12",
        "--seed",
        "400",
        "--threads",
        "2",
    ]));
    assert!(
        stdout.starts_with("swarm: 12 seeds passed (400..=411)"),
        "{stdout}"
    );

    let stdout = ok(&meshsim(&["swarm", "--seed", "401", "--toml"]));
    assert!(stdout.contains("seed 401: swarm-401") && stdout.contains("name = \"swarm-401\""));
    assert!(stdout.contains("every check passed"), "{stdout}");

    for bad in [&["swarm", "--count", "0"][..], &["swarm", "--threads", "0"]] {
        assert_eq!(meshsim(bad).status.code(), Some(2), "{bad:?}");
    }
    let stdout = ok(&meshsim(&["swarm", "--file", "breaker", "--seed", "3"]));
    assert!(
        stdout.starts_with("builtin:breaker: ok:") && stdout.contains("every check passed"),
        "{stdout}"
    );
}

/// The values of the first numeric time-series column whose name `pick` accepts.
fn num_column(o: &mut RunOutput, pick: impl Fn(&str) -> bool) -> &mut Vec<f64> {
    let column = o
        .report
        .series
        .columns
        .iter_mut()
        .find(|c| pick(&c.name))
        .expect("a column of that name");
    match &mut column.values {
        Values::Num(v) => v,
        _ => panic!("column {} is not numeric", column.name),
    }
}
