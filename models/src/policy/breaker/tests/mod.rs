//! Transition-by-transition walks through each library's semantics, and property tests.

mod hystrix;
mod lesson;
mod proptests;
mod r4j;

use sim_core::time::{SimDuration, SimTime};

use super::*;
use BreakerState::{Closed, HalfOpen, Open};

fn at(ms: u64) -> SimTime {
    SimTime::from_nanos(ms * 1_000_000)
}

fn secs(n: u64) -> SimDuration {
    SimDuration::from_secs(n)
}

const OK: SimDuration = SimDuration::from_millis(10);

/// Acquires and asserts the permit and the transition (as `(from, to)`).
#[track_caller]
fn acquire(
    b: &mut CircuitBreaker,
    now: SimTime,
    permitted: bool,
    edge: Option<(BreakerState, BreakerState)>,
) {
    let (permit, transition) = b.try_acquire(now);
    assert_eq!(permit.is_ok(), permitted, "permit at {now}");
    assert_eq!(transition.map(|t| (t.from, t.to)), edge, "transition at {now}");
}

/// Records a result and returns the transition, if any.
fn result(b: &mut CircuitBreaker, now: SimTime, success: bool) -> Option<Transition> {
    b.on_result(now, success, OK)
}

#[test]
fn reasons_read_as_plain_words() {
    let cases = [
        (
            TransitionReason::FailureThreshold {
                failures: 1,
                window: secs(60),
            },
            "1 failure in 60s",
        ),
        (
            TransitionReason::FailureThreshold {
                failures: 5,
                window: secs(60),
            },
            "5 failures in 60s",
        ),
        (
            TransitionReason::FailureRate {
                percent: 62.5,
                threshold: 50.0,
                calls: 100,
            },
            "failure rate 62.5% ≥ 50% over 100 calls",
        ),
        (
            TransitionReason::OpenTimeElapsed { waited: secs(30) },
            "wait of 30s elapsed",
        ),
        (TransitionReason::TrialFailed, "trial call failed"),
        (
            TransitionReason::HalfOpenSucceeded { successes: 1 },
            "1 consecutive success in half-open",
        ),
        (
            TransitionReason::HalfOpenSlowCallRate {
                percent: 100.0,
                threshold: 100.0,
                calls: 10,
            },
            "half-open slow-call rate 100% ≥ 100% over 10 calls",
        ),
    ];
    for (reason, words) in cases {
        assert_eq!(reason.to_string(), words);
    }
    assert_eq!(
        [Closed.name(), Open.name(), HalfOpen.name()],
        ["closed", "open", "half_open"]
    );
}

#[test]
fn validation_names_the_bad_parameter() {
    let good = BreakerConfig::Resilience4j {
        window: SlidingWindow::Count {
            size: R4J_SLIDING_WINDOW_SIZE,
        },
        minimum_calls: R4J_MINIMUM_CALLS,
        failure_rate_threshold: R4J_FAILURE_RATE_THRESHOLD,
        slow_call_rate_threshold: R4J_SLOW_CALL_RATE_THRESHOLD,
        slow_call_duration: R4J_SLOW_CALL_DURATION,
        wait_in_open: R4J_WAIT_IN_OPEN,
        permitted_in_half_open: R4J_PERMITTED_IN_HALF_OPEN,
        automatic_transition: R4J_AUTOMATIC_TRANSITION,
    };
    assert_eq!(good.validate(), Ok(()));
    let with = |f: &dyn Fn(&mut BreakerConfig)| {
        let mut c = good.clone();
        f(&mut c);
        c
    };
    let bad = [
        BreakerConfig::Lesson {
            failure_threshold: 0,
            window: LESSON_WINDOW,
            open_for: LESSON_OPEN_FOR,
            success_threshold: 2,
            half_open_trials: None,
        },
        BreakerConfig::Lesson {
            failure_threshold: 5,
            window: LESSON_WINDOW,
            open_for: LESSON_OPEN_FOR,
            success_threshold: 0,
            half_open_trials: None,
        },
        BreakerConfig::Lesson {
            failure_threshold: 5,
            window: LESSON_WINDOW,
            open_for: LESSON_OPEN_FOR,
            success_threshold: 2,
            half_open_trials: Some(0),
        },
        with(&|c| {
            if let BreakerConfig::Resilience4j { window, .. } = c {
                *window = SlidingWindow::Count { size: 0 }
            }
        }),
        with(&|c| {
            if let BreakerConfig::Resilience4j { minimum_calls, .. } = c {
                *minimum_calls = 0
            }
        }),
        with(&|c| {
            if let BreakerConfig::Resilience4j {
                failure_rate_threshold,
                ..
            } = c
            {
                *failure_rate_threshold = 0.0
            }
        }),
        with(&|c| {
            if let BreakerConfig::Resilience4j {
                slow_call_rate_threshold,
                ..
            } = c
            {
                *slow_call_rate_threshold = 101.0
            }
        }),
        with(&|c| {
            if let BreakerConfig::Resilience4j { wait_in_open, .. } = c {
                *wait_in_open = SimDuration::from_micros(999)
            }
        }),
        with(&|c| {
            if let BreakerConfig::Resilience4j {
                permitted_in_half_open,
                ..
            } = c
            {
                *permitted_in_half_open = 0
            }
        }),
        BreakerConfig::Hystrix {
            window: SimDuration::from_nanos(9),
            request_volume: 20,
            error_percent: 50.0,
            sleep_window: HYSTRIX_SLEEP_WINDOW,
        },
        BreakerConfig::Hystrix {
            window: HYSTRIX_WINDOW,
            request_volume: 20,
            error_percent: 150.0,
            sleep_window: HYSTRIX_SLEEP_WINDOW,
        },
    ];
    for c in bad {
        let err = c.validate().unwrap_err();
        assert!(err.starts_with(c.name()), "{err}");
    }
}
