//! Kubernetes probe semantics, checked against times computed from the probe parameters and
//! the kubelet's rules (`pkg/kubelet/prober/worker.go`): a worker per probe ticks every period
//! from the pod's creation, across container restarts, and probes a container from its first
//! tick past the initial delay; when a liveness failure kills, how restarts back off (and reset
//! after 10 minutes up); that readiness failures never restart but take the pod out of routing
//! after the discovery delay; that a black-holed (hung) pod fails liveness; and that a CPU cut
//! slows probe handlers too.

use models::build::{chain, constant_rate, fault, probe, service, work};
use models::config::{Discovery, FaultKind, PolicyConfig, ProbePath, Scenario};
use models::k8s::CrashLoopBackOff;
use models::log::LogKind;
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

const INITIAL_DELAY: u64 = 3;
const PERIOD: u64 = 10;
const TIMEOUT: u64 = 5;
const FAILURES: u32 = 3;

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

/// One cold-started pod with a liveness probe and light traffic.
fn probed_pod(duration: u64) -> Scenario {
    let mut app = service("app", 1, 4, vec![work(Dist::constant(0.01).unwrap())]);
    app.lifecycle.warm_start = false;
    app.lifecycle.liveness = Some(probe(secs(INITIAL_DELAY), secs(PERIOD), secs(TIMEOUT), FAILURES));
    chain(
        constant_rate(1.0),
        vec![app],
        vec![PolicyConfig::unlimited("p", None)],
        secs(duration),
    )
}

/// [`probed_pod`] with a fault that stops it answering (no slot left) from `t0` until `until`.
fn hung_pod(t0: SimTime, until: Option<SimTime>, duration: u64) -> Scenario {
    let mut s = probed_pod(duration);
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

/// The first tick at or after `t` of a cold-started pod's worker that probes a container
/// started at `start`: the worker ticks every period from the pod's creation at 0 (its
/// immediate probe at 0 finds no container yet); a tick before the container's initial delay
/// is over does nothing.
fn next_tick(start: f64, t: f64) -> f64 {
    let from = t.max(start + INITIAL_DELAY as f64);
    (from / PERIOD as f64).ceil().max(1.0) * PERIOD as f64
}

/// The kill time predicted by Kubernetes' rules for a pod that stops answering at `t0`:
/// the first tick after t0, plus the remaining failureThreshold − 1 periods, plus the timeout.
fn predicted_kill(start: f64, t0: f64) -> f64 {
    next_tick(start, t0) + f64::from(FAILURES - 1) * PERIOD as f64 + TIMEOUT as f64
}

/// Successive kill times by the kubelet's rules for a cold-started pod whose containers answer
/// no probe from `t0` until `until`: each container fails from its first probe at or after t0,
/// is killed at its `predicted_kill` with a fresh failure count, and restarts after its
/// CrashLoopBackOff delay. Only kills that end before `until` (the scenarios are chosen so that
/// no container's failures straddle it).
fn predicted_kills(t0: f64, until: f64) -> Vec<f64> {
    let nanos = |s: f64| SimTime::from_nanos((s * 1e9).round() as u64);
    let (mut kills, mut backoff, mut started) = (vec![], CrashLoopBackOff::new(), 0.0);
    while next_tick(started, t0) < until {
        let kill = predicted_kill(started, t0);
        assert!(
            kill <= until,
            "a container's failures straddle the fault's end at {kill}"
        );
        kills.push(kill);
        started = kill + backoff.on_exit(nanos(started), nanos(kill)).as_secs_f64();
    }
    kills
}

/// Times (seconds) of the log entries matching `pred`.
fn log_times(report: &models::report::Report, pred: impl Fn(&LogKind) -> bool) -> Vec<f64> {
    report.log.iter().filter(|e| pred(&e.kind)).map(|e| e.t).collect()
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
fn successive_kills_follow_crash_loop_backoff_and_the_workers_ticker() {
    let out = models::run(hung_pod(SimTime::from_secs(21), None, 1500), 1);
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
    // back-off (startup time 0), is hung from the start, and is probed on the worker's ticks,
    // which keep their phase from the pod's creation (55, 85 …; restarting the schedule at
    // container start + initial delay would give 55, 83 …).
    assert_eq!(kills, predicted_kills(21.0, 1500.0));
    assert!(kills.len() >= 8);
    // Every failure is a timeout of a probe sent on a tick: at a multiple of the period, plus
    // the timeout.
    let failures = log_times(&out.report, |k| matches!(k, LogKind::ProbeFailed { .. }));
    let off_tick: Vec<&f64> = failures
        .iter()
        .filter(|&&t| (t - TIMEOUT as f64) % PERIOD as f64 != 0.0)
        .collect();
    assert!(off_tick.is_empty(), "failures off the ticker: {off_tick:?}");
    assert_eq!(failures.len(), kills.len() * FAILURES as usize);
}

#[test]
fn a_container_started_by_a_fault_keeps_the_workers_failure_count() {
    // Hung from 21 s: liveness fails at 35 s (1/3) and 45 s (2/3). A crash from 47 s to 50 s
    // restarts the container; the kubelet's worker keeps its run of failures (it restarts it
    // only at a liveness kill), so the new container's first failure, at tick 60 s + 5 s, kills.
    let mut s = hung_pod(SimTime::from_secs(21), None, 100);
    s.faults.push(fault(
        0,
        FaultKind::Crash { blackhole: false },
        SimTime::from_secs(47),
        Some(SimTime::from_secs(50)),
    ));
    let out = models::run(s, 1);
    let failures: Vec<(f64, u32)> = out
        .report
        .log
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::ProbeFailed { consecutive, .. } => Some((e.t, consecutive)),
            _ => None,
        })
        .collect();
    assert_eq!(&failures[..3], &[(35.0, 1), (45.0, 2), (65.0, 3)]);
    assert_eq!(
        &kills(&out.report)[..2],
        &[47.0, 65.0],
        "the fault's kill, then liveness"
    );
}

#[test]
fn a_rescheduled_pods_new_worker_ticks_from_its_creation() {
    // Hung from 21 s, rescheduled at 21 s for 4.5 s: the new pod's worker starts at 25.5 s and
    // ticks at 35.5 s, 45.5 s, 55.5 s (its container is past its 3 s initial delay by then).
    let mut s = hung_pod(SimTime::from_secs(21), None, 70);
    s.faults.push(fault(
        0,
        FaultKind::Reschedule {
            down_for: SimDuration::from_millis(4500),
        },
        SimTime::from_secs(21),
        None,
    ));
    let out = models::run(s, 1);
    let failures = log_times(&out.report, |k| matches!(k, LogKind::ProbeFailed { .. }));
    assert_eq!(failures, vec![40.5, 50.5, 60.5]);
    assert_eq!(kills(&out.report), vec![21.0, 60.5]);
}

#[test]
fn ten_minutes_up_resets_the_backoff() {
    // Hung from 21 s to 101 s, then healthy for over ten minutes, then hung again: the next
    // restart is immediate again. (Kills at 55 s and 85 s; the container started at 95 s answers
    // its probe queued since 100 s as soon as the fault ends at 101 s, so it lives.)
    let mut s = hung_pod(SimTime::from_secs(21), Some(SimTime::from_secs(101)), 1200);
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
    let first_tick = next_tick(0.0, 0.0);
    assert_eq!(ready, vec![first_tick]);
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
    let routable = |t: f64| t > first_tick + delay as f64 && t < flip + delay as f64;
    let expected_pod0 = (1..)
        .map(|k: i32| f64::from(k) / rate)
        .take_while(|&t| t < 120.0)
        .filter(|&t| routable(t))
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .count() as u64;
    assert_eq!(pods[0].arrivals, expected_pod0, "{pods:?}");
}

#[test]
fn a_black_holed_pod_fails_liveness_and_stays_black_holed_after_restarts() {
    // A black hole (a hung process) from 21 s to 200 s: the kubelet's probes get no answer
    // either, so they time out and liveness kills the pod; every container that starts while
    // the fault lasts hangs too. The container started at 215 s is healthy.
    let mut s = probed_pod(295);
    s.faults.push(fault(
        0,
        FaultKind::Crash { blackhole: true },
        SimTime::from_secs(21),
        Some(SimTime::from_secs(200)),
    ));
    let out = models::run(s, 1);
    assert_eq!(kills(&out.report), predicted_kills(21.0, 200.0));
    assert_eq!(kills(&out.report), vec![55.0, 85.0, 125.0, 175.0]);
    let causes: Vec<&str> = out
        .report
        .log
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::ProbeFailed { cause, .. } => Some(cause),
            _ => None,
        })
        .collect();
    assert!(causes.iter().all(|&c| c == "timeout"), "{causes:?}");
    // The pod receives only the probes sent before and after the fault: at 10 s and 20 s, and
    // from 220 s to 290 s.
    assert_eq!(out.report.summary.services[0].counts.probes, 2 + 8);
}

#[test]
fn a_cpu_cut_slows_probe_handlers_on_both_paths() {
    // Probe handlers with 0.5 s of work; a capacity cut multiplies work by 20 from 21 s: 10 s,
    // beyond the 5 s timeout, whether the probe shares the request slots or has its own port.
    // A `slow` fault of the same factor slows the request path only.
    for path in [ProbePath::Shared, ProbePath::Dedicated] {
        let run = |kind: FaultKind| {
            let mut s = probed_pod(60);
            let liveness = s.services[0].lifecycle.liveness.as_mut().unwrap();
            liveness.handler = vec![work(Dist::constant(0.5).unwrap())];
            liveness.path = path;
            s.faults.push(fault(0, kind, SimTime::from_secs(21), None));
            kills(&models::run(s, 1).report)
        };
        let cut = run(FaultKind::CapacityCut {
            slots: None,
            multiplier: 20.0,
        });
        assert_eq!(cut, predicted_kills(21.0, 60.0), "{path:?}");
        assert_eq!(cut, vec![55.0], "{path:?}");
        let slow = run(FaultKind::Slow {
            latency: None,
            multiplier: 20.0,
        });
        assert!(slow.is_empty(), "{path:?}: {slow:?}");
    }
}

#[test]
fn a_tick_that_comes_while_a_probe_waits_is_taken_when_it_ends() {
    // A liveness timeout longer than the period (Kubernetes allows it): a hung pod's probes
    // each wait the full 15 s. The kubelet's ticker channel holds the tick that came meanwhile,
    // so the next probe starts the moment the previous one times out: failures every 15 s
    // (25, 40, 55 s: killed at 55 s). Dropping that tick instead would probe on the next free
    // tick, failures every 20 s (kill at 65 s).
    let mut s = hung_pod(SimTime::from_secs(1), None, 80);
    let liveness = s.services[0].lifecycle.liveness.as_mut().unwrap();
    liveness.timeout = secs(15);
    let first_tick = next_tick(0.0, 1.0);
    let out = models::run(s, 1);
    let failures = log_times(&out.report, |k| {
        matches!(k, LogKind::ProbeFailed { cause: "timeout", .. })
    });
    let expected: Vec<f64> = (1..=3).map(|i| first_tick + 15.0 * f64::from(i)).collect();
    assert_eq!(failures[..3], expected[..], "{failures:?}");
    assert_eq!(kills(&out.report)[0], expected[2]);
}
