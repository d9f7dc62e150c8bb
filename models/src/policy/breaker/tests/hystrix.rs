//! Hystrix: request volume, error percentage, single trial.

use sim_core::time::SimDuration;

use super::*;

fn hystrix() -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig::Hystrix {
        window: secs(10),
        request_volume: 4,
        error_percent: 50.0,
        sleep_window: secs(5),
    })
}

#[test]
fn hystrix_needs_the_request_volume_before_the_error_percentage_counts() {
    let mut b = hystrix();
    assert_eq!(b.name(), "hystrix");
    for _ in 0..3 {
        assert_eq!(result(&mut b, at(0), false), None, "100 % errors, 3 < 4 requests");
    }
    let t = result(&mut b, at(0), false).expect("4 requests");
    assert_eq!(
        t.reason,
        TransitionReason::ErrorPercentage {
            percent: 100,
            threshold: 50.0,
            requests: 4,
            window: secs(10)
        }
    );
    assert_eq!(
        t.to_string(),
        "closed → open: error percentage 100% ≥ 50% over 4 requests in 10s"
    );
}

#[test]
fn hystrix_opens_at_exactly_the_error_threshold() {
    let mut b = hystrix();
    for ok in [true, true, true, false, false] {
        assert_eq!(result(&mut b, at(0), ok), None, "≤ 40 %");
    }
    assert!(result(&mut b, at(0), false).is_some(), "3 of 6: 50 %");
}

#[test]
fn hystrix_forgets_requests_older_than_the_window() {
    let mut b = hystrix();
    for _ in 0..3 {
        result(&mut b, at(500), false);
    }
    // At 10 s the bucket [0 s, 1 s) has rolled out: one request in the window.
    assert_eq!(result(&mut b, at(10_000), false), None);
    for _ in 0..2 {
        assert_eq!(result(&mut b, at(10_100), false), None);
    }
    assert!(result(&mut b, at(10_200), false).is_some());
}

fn open_hystrix() -> CircuitBreaker {
    let mut b = hystrix();
    for _ in 0..4 {
        result(&mut b, at(1_000), false);
    }
    assert_eq!(b.opened_at(), Some(at(1_000)));
    b
}

#[test]
fn hystrix_lets_one_trial_through_after_the_sleep_window() {
    let mut b = open_hystrix();
    assert_eq!(b.next_timer(), None);
    acquire(&mut b, at(6_000), false, None);
    let after = at(6_000).saturating_add(SimDuration::from_nanos(1));
    acquire(&mut b, after, true, Some((Open, HalfOpen)));
    assert_eq!(b.half_open_in_flight(), 1);
    assert_eq!(b.half_open_limit(), 1);
    for _ in 0..10 {
        acquire(&mut b, after, false, None);
    }
    let t = result(&mut b, at(6_100), true).expect("the trial's success closes");
    assert_eq!(t.to_string(), "half-open → closed: trial call succeeded");
    assert_eq!(b.half_open_in_flight(), 0);
    // Metrics were reset: the old failures are gone.
    for _ in 0..3 {
        assert_eq!(result(&mut b, at(6_200), false), None);
    }
}

#[test]
fn hystrix_a_failed_trial_reopens_for_another_sleep_window() {
    let mut b = open_hystrix();
    acquire(&mut b, at(6_001), true, Some((Open, HalfOpen)));
    let t = result(&mut b, at(7_000), false).expect("reopens");
    assert_eq!(t.to_string(), "half-open → open: trial call failed");
    assert_eq!(b.opened_at(), Some(at(7_000)));
    acquire(&mut b, at(12_000), false, None);
    acquire(&mut b, at(12_001), true, Some((Open, HalfOpen)));
}

#[test]
fn hystrix_a_late_result_decides_in_place_of_the_trial() {
    let mut b = open_hystrix();
    acquire(&mut b, at(6_001), true, Some((Open, HalfOpen)));
    // A call permitted long ago fails now: markNonSuccess reopens.
    assert!(result(&mut b, at(6_002), false).is_some());
    assert_eq!(b.state(), Open);
    // The trial's own result then arrives while OPEN: ignored.
    assert_eq!(result(&mut b, at(6_003), true), None);
    assert_eq!(b.state(), Open);
}
