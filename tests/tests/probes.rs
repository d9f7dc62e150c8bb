//! Kubernetes probe semantics, checked against times computed from the probe parameters:
//! when a liveness failure kills, how restarts back off (and reset after 10 minutes up), and
//! that readiness failures never restart but take the pod out of routing after the discovery
//! delay.

use models::config::{Discovery, FaultKind, PolicyConfig, Scenario};
use models::k8s::CrashLoopBackOff;
use models::log::LogKind;
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};
use tests::build::{chain, constant_rate, fault, log_times, probe, service, work};

const INITIAL_DELAY: u64 = 3;
const PERIOD: u64 = 10;
const TIMEOUT: u64 = 5;
const FAILURES: u32 = 3;

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

/// One cold-started pod with a liveness probe, light traffic, and a fault that stops it
/// answering (no slot left) from `t0` until `until`.
fn hung_pod(t0: SimTime, until: Option<SimTime>, duration: u64) -> Scenario {
    let mut app = service("app", 1, 4, vec![work(Dist::constant(0.01).unwrap())]);
    app.lifecycle.warm_start = false;
    app.lifecycle.liveness = Some(probe(secs(INITIAL_DELAY), secs(PERIOD), secs(TIMEOUT), FAILURES));
    let mut s = chain(
        constant_rate(1.0),
        vec![app],
        vec![PolicyConfig::unlimited("p", None)],
        secs(duration),
    );
    s.faults.push(fault(
        0,
        FaultKind::CapacityCut {
            slots: Some(0),
            multiplier: 1.0,
        },
        t0,
        until,
    ));
    s
}

/// The first probe tick at or after `t` for a container started at `start`.
fn next_tick(start: f64, t: f64) -> f64 {
    let first = start + INITIAL_DELAY as f64;
    if t <= first {
        return first;
    }
    first + ((t - first) / PERIOD as f64).ceil() * PERIOD as f64
}

/// The kill time predicted by Kubernetes' rules for a pod that stops answering at `t0`:
/// the first tick after t0, plus the remaining failureThreshold − 1 periods, plus the timeout.
fn predicted_kill(start: f64, t0: f64) -> f64 {
    next_tick(start, t0) + f64::from(FAILURES - 1) * PERIOD as f64 + TIMEOUT as f64
}

fn kills(report: &models::report::Report) -> Vec<f64> {
    log_times(report, |k| matches!(k, LogKind::Killed { .. }))
}

#[test]
fn liveness_kill_happens_when_kubernetes_rules_predict() {
    let t0 = 33.3;
    let out = models::run(hung_pod(SimTime::from_nanos(33_300_000_000), None, 80), 1);
    let kills = kills(&out.report);
    assert!(!kills.is_empty(), "the hung pod is killed");
    assert_eq!(kills[0], predicted_kill(0.0, t0));
    // The three failures are timeouts at tick + timeout.
    let failures = log_times(&out.report, |k| {
        matches!(k, LogKind::ProbeFailed { cause: "timeout", .. })
    });
    let first = next_tick(0.0, t0);
    assert_eq!(&failures[..3], &[first + 5.0, first + 15.0, first + 25.0]);
}

#[test]
fn successive_kills_follow_crash_loop_backoff() {
    let out = models::run(hung_pod(SimTime::from_secs(20), None, 1500), 1);
    let kills = kills(&out.report);
    let backoffs: Vec<f64> = out
        .report
        .log
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::RestartScheduled { backoff_s, .. } => Some(backoff_s),
            _ => None,
        })
        .collect();
    assert_eq!(
        &backoffs[..8],
        &[0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0]
    );
    // Every kill is predicted from the previous restart: the container starts after its
    // back-off (startup time 0) and is hung from the start.
    let mut expected = vec![predicted_kill(0.0, 20.0)];
    let mut backoff = CrashLoopBackOff::new();
    let mut started = 0.0;
    while expected.len() < kills.len() {
        let kill = *expected.last().unwrap();
        let delay = backoff.on_exit(
            SimTime::from_nanos((started * 1e9) as u64),
            SimTime::from_nanos((kill * 1e9) as u64),
        );
        started = kill + delay.as_secs_f64();
        expected.push(predicted_kill(started, started));
    }
    assert_eq!(kills, expected);
    assert!(kills.len() >= 8);
}

#[test]
fn ten_minutes_up_resets_the_backoff() {
    // Hung from 20 s to 100 s, then healthy for over ten minutes, then hung again: the next
    // restart is immediate again. (Kills at 48 s and 76 s; the container started at 86 s answers
    // its probe queued since 99 s as soon as the fault ends at 100 s, so it lives.)
    let mut s = hung_pod(SimTime::from_secs(20), Some(SimTime::from_secs(100)), 1200);
    s.faults.push(fault(
        0,
        FaultKind::CapacityCut {
            slots: Some(0),
            multiplier: 1.0,
        },
        SimTime::from_secs(900),
        None,
    ));
    let out = models::run(s, 1);
    let restarts: Vec<(f64, f64)> = out
        .report
        .log
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::RestartScheduled { backoff_s, .. } => Some((e.t, backoff_s)),
            _ => None,
        })
        .collect();
    let before: Vec<f64> = restarts.iter().filter(|(t, _)| *t < 900.0).map(|r| r.1).collect();
    let after: Vec<f64> = restarts
        .iter()
        .filter(|(t, _)| *t >= 900.0)
        .map(|r| r.1)
        .collect();
    assert_eq!(before, vec![0.0, 10.0]);
    assert_eq!(
        after[0], 0.0,
        "a container up for ten minutes resets the back-off: {restarts:?}"
    );
    assert_eq!(after[1], 10.0);
}

#[test]
fn readiness_failure_never_restarts_and_leaves_routing_after_the_delay() {
    let delay = 2u64;
    let mut app = service("app", 2, 4, vec![work(Dist::constant(0.01).unwrap())]);
    app.lifecycle.warm_start = false;
    app.lifecycle.readiness = Some(probe(secs(INITIAL_DELAY), secs(PERIOD), secs(TIMEOUT), FAILURES));
    app.discovery = Discovery::Watch { delay: secs(delay) };
    let rate = 10.0;
    let mut s = chain(
        constant_rate(rate),
        vec![app],
        vec![PolicyConfig::unlimited("p", None)],
        secs(120),
    );
    let t0 = 41.0;
    let mut hang = fault(
        0,
        FaultKind::CapacityCut {
            slots: Some(0),
            multiplier: 1.0,
        },
        SimTime::from_secs(41),
        None,
    );
    hang.pods = Some(1);
    s.faults.push(hang);
    let out = models::run(s, 1);
    let r = &out.report;
    assert!(kills(r).is_empty(), "readiness never kills");
    assert_eq!(r.summary.services[0].restarts, 0);
    let not_ready = log_times(
        r,
        |k| matches!(k, LogKind::Readiness { ready: false, pod } if pod == "app-0"),
    );
    // Readiness starts failing (not ready) and flips to ready after its first success.
    let ready = log_times(
        r,
        |k| matches!(k, LogKind::Readiness { ready: true, pod } if pod == "app-0"),
    );
    assert_eq!(ready, vec![INITIAL_DELAY as f64]);
    let flip = predicted_kill(0.0, t0);
    assert_eq!(not_ready, vec![flip]);
    let removed = log_times(
        r,
        |k| matches!(k, LogKind::EndpointsUpdated { ready: false, pod, .. } if pod == "app-0"),
    );
    assert_eq!(removed, vec![flip + delay as f64]);
    // Round robin over both pods while app-0 is routable; none to it afterwards. Requests at
    // k/rate for k = 1, 2, …: both pods become ready at the first readiness tick and reach the
    // callers `delay` later; app-0 leaves them `delay` after it flips.
    let pods = &r.summary.services[0].pods;
    let routable = |t: f64| t > (INITIAL_DELAY + delay) as f64 && t < flip + delay as f64;
    let expected_pod0 = (1..)
        .map(|k: i32| f64::from(k) / rate)
        .take_while(|&t| t < 120.0)
        .filter(|&t| routable(t))
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .count() as u64;
    assert_eq!(pods[0].arrivals, expected_pod0, "{pods:?}");
}
