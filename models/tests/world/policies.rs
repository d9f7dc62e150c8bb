//! Resilience policies inside the world, against what their parameters predict: retry
//! amplification and success against independent failures, a breaker's exact transition times
//! across an outage, and the bound a deadline puts on latency.

use models::build::{chain, constant_rate, fault, poisson, service, work};
use models::config::{FaultKind, PolicyConfig, RetryConfig, RetryOn};
use models::log::LogKind;
use models::outcome::Failure;
use models::policy::Refusal;
use models::policy::backoff::Backoff;
use models::policy::breaker::{BreakerConfig, BreakerState};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

/// Two-sided 99.9% normal quantile: the intervals below are computed from the theory's own
/// variance and the run's sample size.
const Z: f64 = 3.290_526_731_491_926;

fn retrying(max_attempts: u32, on: &[Failure], backoff: Backoff) -> PolicyConfig {
    let mut p = PolicyConfig::unlimited("retry", None);
    p.retry = Some(RetryConfig {
        max_attempts,
        on: RetryOn {
            mask: on.iter().map(|f| f.bit()).fold(0, |a, b| a | b),
        },
        backoff,
        budget: None,
    });
    p
}

/// A downstream failing independently with probability x, retried up to N times (N + 1
/// attempts): success = 1 − x^(N+1), attempts per call = (1 − x^(N+1)) / (1 − x).
#[test]
fn retries_match_the_independent_failure_formulas() {
    for (x, max_attempts) in [(0.3, 3u32), (0.5, 5), (0.8, 2)] {
        let callee = service("flaky", 4, 1000, vec![work(Dist::constant(0.001).unwrap())]);
        let policy = retrying(max_attempts, &[Failure::ErrorResponse], Backoff::None);
        let mut s = chain(
            poisson(200.0),
            vec![callee],
            vec![policy],
            SimDuration::from_secs(500),
        );
        s.faults.push(fault(
            0,
            FaultKind::Errors {
                rate: x,
                fail_fast: true,
            },
            SimTime::ZERO,
            None,
        ));
        let out = models::run(s, 7);
        let edge = &out.report.summary.edges[0];
        let n = edge.counts.ok + edge.failed();
        assert!(n > 50_000);
        let k = f64::from(max_attempts);
        let p = 1.0 - x.powf(k);
        let success = edge.counts.ok as f64 / n as f64;
        let half = Z * (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (success - p).abs() <= half,
            "x={x}: success {success} vs {p} ± {half}"
        );
        // Attempts per call A: P(A = j) = x^(j−1)(1 − x) for j < k, P(A = k) = x^(k−1).
        let mean = (1.0 - x.powf(k)) / (1.0 - x);
        let probs: Vec<f64> = (1..=max_attempts)
            .map(|j| {
                if j < max_attempts {
                    x.powi(j as i32 - 1) * (1.0 - x)
                } else {
                    x.powi(j as i32 - 1)
                }
            })
            .collect();
        let second: f64 = probs
            .iter()
            .enumerate()
            .map(|(i, pj)| pj * ((i + 1) as f64).powi(2))
            .sum();
        let sd = (second - mean * mean).sqrt();
        let attempts = edge.counts.attempts as f64 / edge.counts.calls as f64;
        let half = Z * sd / (edge.counts.calls as f64).sqrt();
        assert!(
            (attempts - mean).abs() <= half,
            "x={x}: attempts/call {attempts} vs {mean} ± {half}"
        );
        assert!((edge.amplification() - attempts).abs() < 1e-12);
    }
}

/// The lesson's breaker (5 failures in 60 s, open 10 s, 2 successes to close) in front of a
/// 30 s outage, with a request every 100 ms and no network latency, so every transition time
/// follows from the parameters.
#[test]
fn breaker_walks_its_states_at_the_predicted_times() {
    let work_time = 0.001;
    let callee = service("backend", 1, 100, vec![work(Dist::constant(work_time).unwrap())]);
    let mut policy = PolicyConfig::unlimited("breaker", None);
    let (threshold, open_for, successes) = (5u32, 10.0, 2u32);
    policy.breaker = Some(BreakerConfig::Lesson {
        failure_threshold: threshold,
        window: SimDuration::from_secs(60),
        open_for: SimDuration::from_secs_f64(open_for),
        success_threshold: successes,
        half_open_trials: None,
    });
    let (outage_from, outage_until, gap) = (10.0, 40.0, 0.1);
    let mut s = chain(
        constant_rate(1.0 / gap),
        vec![callee],
        vec![policy],
        SimDuration::from_secs(60),
    );
    s.faults.push(fault(
        0,
        FaultKind::Crash { blackhole: false },
        SimTime::from_secs(10),
        Some(SimTime::from_secs(40)),
    ));
    let out = models::run(s, 1);
    let transitions: Vec<(f64, BreakerState, BreakerState)> = out
        .report
        .log
        .iter()
        .filter_map(|e| match e.kind {
            LogKind::Breaker { from, to, .. } => Some((e.t, from, to)),
            _ => None,
        })
        .collect();
    // Requests at k·gap. The outage starts before the request at 10.0 s, so requests 10.0 …
    // 10.4 fail and the 5th failure opens the breaker.
    let round = |t: f64| (t * 1e6).round() / 1e6;
    let opened = round(outage_from + f64::from(threshold - 1) * gap);
    use BreakerState::{Closed, HalfOpen, Open};
    let mut expected = vec![(opened, Closed, Open)];
    // Each probe after `open_for` fails while the outage lasts and reopens at once.
    let mut t = opened;
    while round(t + open_for) < outage_until {
        t = round(t + open_for);
        expected.push((t, Open, HalfOpen));
        expected.push((t, HalfOpen, Open));
    }
    // After the outage the first probe succeeds, and the next request's success (recorded when
    // it completes, after its work) closes it.
    t = round(t + open_for);
    expected.push((t, Open, HalfOpen));
    expected.push((
        round(t + f64::from(successes - 1) * gap + work_time),
        HalfOpen,
        Closed,
    ));
    let got: Vec<(f64, BreakerState, BreakerState)> =
        transitions.iter().map(|&(t, a, b)| (round(t), a, b)).collect();
    assert_eq!(got, expected);
    // While open, it fails fast: no attempt reaches the network except the half-open probes.
    let attempts = out.report.series.num("edge.client→backend.attempts").unwrap();
    for (second, &n) in attempts.iter().enumerate() {
        let s = second as f64;
        let open_whole_second = expected
            .windows(2)
            .any(|w| w[0].2 == Open && w[0].0 <= s && s + 1.0 <= w[1].0);
        if open_whole_second {
            assert_eq!(n, 0.0, "attempts in second {second} while open");
        }
    }
    let edge = &out.report.summary.edges[0];
    assert!(edge.counts.rejections[Refusal::Breaker] > 250, "{edge:?}");
}

/// Per-attempt timeouts × retries against a deadline budget. Without a deadline the worst
/// latency is attempts × timeout + sleeps; with one it never exceeds the deadline.
#[test]
fn a_deadline_bounds_total_latency() {
    let timeout = 1.0;
    let sleep = 0.2;
    let attempts = 5u32;
    let run = |deadline: Option<f64>| {
        let callee = service("slow", 1, 10_000, vec![work(Dist::constant(10.0).unwrap())]);
        let mut policy = retrying(
            attempts,
            &[Failure::AttemptTimeout],
            Backoff::Fixed {
                delay: SimDuration::from_secs_f64(sleep),
            },
        );
        policy.timeouts.attempt = Some(SimDuration::from_secs_f64(timeout));
        policy.deadline = deadline.map(SimDuration::from_secs_f64);
        let s = chain(
            poisson(20.0),
            vec![callee],
            vec![policy],
            SimDuration::from_secs(60),
        );
        models::run(s, 3).report.summary.clients[0].clone()
    };
    let unbounded = run(None);
    let worst = f64::from(attempts) * timeout + f64::from(attempts - 1) * sleep;
    assert!(
        (unbounded.latency_ms.max / 1000.0 - worst).abs() < 1e-6,
        "{:?}",
        unbounded.latency_ms
    );
    let deadline = 2.5;
    let bounded = run(Some(deadline));
    assert!(
        bounded.latency_ms.max / 1000.0 <= deadline + 1e-9,
        "{:?}",
        bounded.latency_ms
    );
    assert!(bounded.latency_ms.max / 1000.0 >= deadline - 1e-9);
    assert!(bounded.failed_by.0["deadline_exceeded"] > 0);
}

/// Deadline propagation: the callee is told the caller's remaining budget and drops queued work
/// whose deadline has passed, instead of serving requests nobody waits for.
#[test]
fn a_propagated_deadline_lets_the_callee_drop_abandoned_work() {
    let run = |honour: bool| {
        let mut callee = service("api", 1, 1, vec![work(Dist::constant(0.5).unwrap())]);
        callee.honour_deadlines = honour;
        let mut policy = PolicyConfig::unlimited("deadline", None);
        policy.deadline = Some(SimDuration::from_secs(1));
        policy.propagate_deadline = true;
        let s = chain(
            poisson(4.0),
            vec![callee],
            vec![policy],
            SimDuration::from_secs(300),
        );
        models::run(s, 5).report.summary
    };
    let ignoring = run(false);
    let honouring = run(true);
    assert_eq!(ignoring.services[0].counts.dropped_deadline, 0);
    assert!(
        honouring.services[0].counts.dropped_deadline > 100,
        "{:?}",
        honouring.services[0]
    );
    // Dropping abandoned work frees the pod for requests that can still make it.
    assert!(
        honouring.clients[0].ok > ignoring.clients[0].ok,
        "{} vs {}",
        honouring.clients[0].ok,
        ignoring.clients[0].ok
    );
}

/// Wasted work, by hand: the client gives up after 1 s (attempt timeout) on a front service
/// that waits on a back service whose work takes 3 s. Both keep working for nobody from 1 s:
/// the front holds its slot until the back answers at 3 s (2 s wasted), the back is abandoned
/// through the front (2 s wasted). One request every 10 s, nothing overlaps: exactly 2 s each.
#[test]
fn wasted_work_counts_slot_time_after_the_caller_gave_up_down_the_call_tree() {
    let front = service("front", 1, 10, vec![]);
    let back = service("back", 1, 10, vec![work(Dist::constant(3.0).unwrap())]);
    let mut impatient = PolicyConfig::unlimited("impatient", None);
    impatient.timeouts.attempt = Some(SimDuration::from_secs(1));
    let patient = PolicyConfig::unlimited("patient", None);
    let s = chain(
        constant_rate(0.1),
        vec![front, back],
        vec![impatient, patient],
        SimDuration::from_secs(100),
    );
    let summary = models::run(s, 1).report.summary;
    let requests = summary.clients[0].requests;
    assert_eq!(summary.clients[0].failed_by.0["attempt_timeout"], requests);
    for svc in &summary.services {
        // Each request's slot time is 3 s (the front's too: it waits on the back), 2 s of it
        // after the client left; a request still running at the end counts up to the end.
        let per_request = svc.wasted_work_s / requests as f64;
        assert!(
            (per_request - 2.0).abs() < 1e-6,
            "{}: {} s",
            svc.name,
            svc.wasted_work_s
        );
        assert!(
            (svc.wasted_share - 2.0 / 3.0).abs() < 1e-6,
            "{}: {}",
            svc.name,
            svc.wasted_share
        );
    }
}
