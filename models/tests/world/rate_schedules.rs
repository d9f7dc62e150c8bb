//! Open-loop rate schedules in the world: Poisson arrivals on a ramp follow the ramp's
//! integrated rate bucket by bucket, and a ramp to a huge rate costs one draw per arrival, so a
//! run stops at `max_events` at once instead of spinning inside one event; a constant rate's
//! gaps are sim-core's ziggurat exponential draws.

use std::sync::mpsc;
use std::time::Duration;

use models::build;
use models::config::{Load, RateSchedule, Scenario};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

/// An M/M/1000 station with 1 ms of work (it never queues), fed by Poisson arrivals at `rate`,
/// in 1 s buckets.
fn ramp_scenario(points: Vec<(SimTime, f64)>, duration_s: u64) -> Scenario {
    let mut s = build::mmc(1.0, 1000.0, 1000, SimDuration::from_secs(duration_s));
    s.bucket = SimDuration::from_secs(1);
    s.services[0].steps = vec![build::work(Dist::exponential(0.001).unwrap())];
    let Load::Open { rate, .. } = &mut s.clients[0].load else {
        unreachable!("mmc is open loop")
    };
    *rate = RateSchedule { points };
    s
}

fn at(s: u64) -> SimTime {
    SimTime::ZERO.saturating_add(SimDuration::from_secs(s))
}

/// Arrivals per 1 s bucket against `expected(i)`, the integral of the rate over bucket `i`:
/// each inside 5 standard deviations of a Poisson count, the total inside 4.
fn assert_follows(points: Vec<(SimTime, f64)>, duration_s: u64, expected: impl Fn(usize) -> f64) {
    for seed in [1, 2, 3] {
        let report = models::run(ramp_scenario(points.clone(), duration_s), seed).report;
        let started = report.series.num("client.poisson.started").expect("column");
        assert_eq!(started.len(), duration_s as usize);
        let (mut total, mut want) = (0.0, 0.0);
        for (i, &n) in started.iter().enumerate() {
            let mean = expected(i);
            assert!(
                (n - mean).abs() <= 5.0 * mean.sqrt() + 1e-9,
                "seed {seed} bucket {i}: {n} arrivals, expected {mean}"
            );
            total += n;
            want += mean;
        }
        assert!(
            (total - want).abs() <= 4.0 * want.sqrt(),
            "seed {seed}: {total} arrivals, expected {want}"
        );
    }
}

#[test]
fn poisson_arrivals_follow_a_rising_ramp() {
    // 0 → 2000/s over 10 s, then 0: 100 (2i + 1) arrivals in second i, none after.
    let points = vec![(SimTime::ZERO, 0.0), (at(10), 2000.0), (at(10), 0.0)];
    assert_follows(
        points,
        12,
        |i| if i < 10 { 100.0 * (2 * i + 1) as f64 } else { 0.0 },
    );
}

#[test]
fn poisson_arrivals_follow_a_falling_ramp() {
    // 2000/s → 0 over 10 s, then 0: the rate reaches zero, where the inversion has no root.
    let points = vec![(SimTime::ZERO, 2000.0), (at(10), 0.0)];
    assert_follows(points, 12, |i| {
        if i < 10 {
            100.0 * (2 * (9 - i) + 1) as f64
        } else {
            0.0
        }
    });
}

#[test]
fn poisson_arrivals_follow_steps_and_a_ramp_between_them() {
    // 500/s, a ramp to 1500/s over [2 s, 4 s), 1500/s until 5 s, a step down to 100/s.
    let points = vec![
        (SimTime::ZERO, 500.0),
        (at(2), 500.0),
        (at(4), 1500.0),
        (at(5), 1500.0),
        (at(5), 100.0),
    ];
    let expected = |i: usize| match i {
        0 | 1 => 500.0,
        2 => 750.0,
        3 => 1250.0,
        4 => 1500.0,
        _ => 100.0,
    };
    assert_follows(points, 7, expected);
}

/// The regression of the ramp hang: thinning against the ramp's peak rate drew about
/// `peak / rate` candidates per arrival (10^11 at the start of a ramp from 9/s to 10^12/s), and
/// candidates less than half a nanosecond apart did not even move the clock, so one event
/// handler spun for ever whatever `max_events` said. Run on a thread with a deadline so that
/// the old behaviour fails the test instead of hanging it.
#[test]
fn a_ramp_to_a_huge_rate_stops_at_max_events_at_once() {
    let mut scenario = ramp_scenario(vec![(SimTime::ZERO, 9.0), (at(1), 9.0), (at(2), 1e12)], 10);
    scenario.limits.max_events = 10_000;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = models::run(scenario, 1);
        let _ = tx.send((out.limit.is_some(), out.report.summary.events));
    });
    let (stopped, events) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the run ends within 20 s (it hung inside the arrival sampler before the fix)");
    assert!(stopped, "stopped by a limit");
    assert_eq!(events, 10_000);
}

/// A constant-rate Poisson client's gaps are sim-core's ziggurat exponential draws on the
/// client's own stream, exactly (the sampler `mmc_minimal` and `request_path_minimal` use), so
/// its arrivals per bucket are those of the gaps drawn here. With `-ln U` gaps on the same
/// stream the counts differ.
#[test]
fn poisson_gaps_are_ziggurat_draws_on_the_clients_stream() {
    use sim_core::dist::ziggurat::standard_exponential;
    use sim_core::rng::RngStreams;
    let (rate, seconds, seed) = (1000.0, 3, 7);
    let mut s = build::mmc(rate, 1000.0, 1000, SimDuration::from_secs(seconds));
    s.bucket = SimDuration::from_secs(1);
    let report = models::run(s, seed).report;
    let started = report.series.num("client.poisson.started").expect("column");
    let mut rng = RngStreams::new(seed).stream("client/poisson/arrivals");
    let mut want = vec![0.0; seconds as usize];
    let mut t = SimTime::ZERO;
    loop {
        t = t.saturating_add(SimDuration::from_secs_f64(standard_exponential(&mut rng) / rate));
        let bucket = (t.as_nanos() / 1_000_000_000) as usize;
        if bucket >= want.len() {
            break;
        }
        want[bucket] += 1.0;
    }
    assert_eq!(started, &want[..]);
}
