//! resilience4j: minimum calls, ≥ thresholds, slow calls, lazy and automatic half-open, permitted calls.

use sim_core::time::SimDuration;

use super::*;

fn r4j(window: SlidingWindow, minimum_calls: u32, permitted: u32, automatic: bool) -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig::Resilience4j {
        window,
        minimum_calls,
        failure_rate_threshold: 50.0,
        slow_call_rate_threshold: 100.0,
        slow_call_duration: secs(1),
        wait_in_open: secs(10),
        permitted_in_half_open: permitted,
        automatic_transition: automatic,
    })
}

fn count(size: u32) -> SlidingWindow {
    SlidingWindow::Count { size }
}

#[test]
fn r4j_waits_for_minimum_calls_before_deciding() {
    let mut b = r4j(count(10), 5, 3, false);
    assert_eq!(b.name(), "resilience4j");
    for _ in 0..4 {
        assert_eq!(
            result(&mut b, at(0), false),
            None,
            "100 % failures, but below the minimum"
        );
    }
    let t = result(&mut b, at(0), false).expect("5th call reaches the minimum");
    assert_eq!(
        t.reason,
        TransitionReason::FailureRate {
            percent: 100.0,
            threshold: 50.0,
            calls: 5
        }
    );
    assert_eq!(
        t.to_string(),
        "closed → open: failure rate 100% ≥ 50% over 5 calls"
    );
    // A count window's minimum is capped by its size.
    let mut b = r4j(count(3), 100, 3, false);
    result(&mut b, at(0), false);
    result(&mut b, at(0), false);
    assert!(result(&mut b, at(0), false).is_some());
}

#[test]
fn r4j_opens_at_exactly_the_threshold_not_only_above() {
    let mut b = r4j(count(4), 4, 3, false);
    for ok in [true, true, true, false] {
        assert_eq!(result(&mut b, at(0), ok), None, "25 %");
    }
    // Window [S, S, F, F]: exactly 50 %.
    let t = result(&mut b, at(0), false).expect("50 % ≥ 50 %");
    assert_eq!(
        t.to_string(),
        "closed → open: failure rate 50% ≥ 50% over 4 calls"
    );
    // With a threshold just above 50 %, the same sequence stays closed.
    let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j {
        window: count(4),
        minimum_calls: 4,
        failure_rate_threshold: 50.1,
        slow_call_rate_threshold: 100.0,
        slow_call_duration: secs(1),
        wait_in_open: secs(10),
        permitted_in_half_open: 3,
        automatic_transition: false,
    });
    for ok in [true, true, true, false, false] {
        assert_eq!(result(&mut b, at(0), ok), None);
    }
}

#[test]
fn r4j_slow_means_strictly_longer_than_the_threshold() {
    let mut b = CircuitBreaker::new(BreakerConfig::Resilience4j {
        window: count(2),
        minimum_calls: 2,
        failure_rate_threshold: 100.0,
        slow_call_rate_threshold: 50.0,
        slow_call_duration: secs(1),
        wait_in_open: secs(10),
        permitted_in_half_open: 3,
        automatic_transition: false,
    });
    assert_eq!(b.on_result(at(0), true, secs(1)), None);
    assert_eq!(b.on_result(at(0), true, secs(1)), None, "exactly 1 s is not slow");
    let slow = secs(1).saturating_add(SimDuration::from_nanos(1));
    let t = b
        .on_result(at(0), true, slow)
        .expect("one slow call of two: 50 %");
    assert_eq!(
        t.reason,
        TransitionReason::SlowCallRate {
            percent: 50.0,
            threshold: 50.0,
            calls: 2,
            slow_call_duration: secs(1)
        }
    );
    assert_eq!(
        t.to_string(),
        "closed → open: slow-call rate 50% ≥ 50% over 2 calls (slow: over 1s)"
    );
}

fn open_r4j(window: SlidingWindow, permitted: u32, automatic: bool) -> CircuitBreaker {
    let mut b = r4j(window, 1, permitted, automatic);
    assert!(result(&mut b, at(1_000), false).is_some());
    assert_eq!(b.opened_at(), Some(at(1_000)));
    b
}

#[test]
fn r4j_lazy_transition_happens_strictly_after_the_wait() {
    let mut b = open_r4j(count(5), 2, false);
    assert_eq!(b.next_timer(), None, "no timer without automatic transition");
    acquire(&mut b, at(5_000), false, None);
    acquire(&mut b, at(11_000), false, None);
    let just_after = at(11_000).saturating_add(SimDuration::from_nanos(1));
    acquire(&mut b, just_after, true, Some((Open, HalfOpen)));
}

#[test]
fn r4j_automatic_transition_fires_at_the_end_of_the_wait() {
    let mut b = open_r4j(count(5), 2, true);
    assert_eq!(b.next_timer(), Some(at(11_000)));
    assert_eq!(b.on_timer(at(10_999)), None, "an early timer is ignored");
    let t = b.on_timer(at(11_000)).expect("OPEN → HALF_OPEN by the timer");
    assert_eq!((t.from, t.to), (Open, HalfOpen));
    assert_eq!(b.next_timer(), None);
    assert_eq!(b.on_timer(at(11_000)), None, "a stale timer is a no-op");
    // A call can still move it lazily if it comes first.
    let mut b = open_r4j(count(5), 2, true);
    acquire(&mut b, at(11_001), true, Some((Open, HalfOpen)));
    assert_eq!(b.on_timer(at(11_000)), None);
}

#[test]
fn r4j_half_open_admits_exactly_the_permitted_calls_and_decides_after_all_of_them() {
    let mut b = open_r4j(count(5), 3, true);
    b.on_timer(at(11_000));
    for _ in 0..3 {
        acquire(&mut b, at(11_000), true, None);
    }
    acquire(&mut b, at(11_000), false, None);
    acquire(&mut b, at(11_500), false, None);
    assert_eq!(b.half_open_in_flight(), 3);
    assert_eq!(b.half_open_limit(), 3);
    assert_eq!(result(&mut b, at(12_000), false), None, "1 of 3 results");
    assert_eq!(
        result(&mut b, at(12_000), true),
        None,
        "2 of 3 results: still deciding"
    );
    assert_eq!(b.state(), HalfOpen);
    assert_eq!(b.half_open_in_flight(), 1);
    let t = result(&mut b, at(12_000), true).expect("all 3 in: 33 % < 50 %");
    assert_eq!((t.from, t.to), (HalfOpen, Closed));
    assert_eq!(
        t.to_string(),
        "half-open → closed: half-open calls healthy: failure rate 33.33%, slow-call rate 0% over 3 calls"
    );
    // The CLOSED window starts fresh (minimum 1 here: the next failure decides alone).
    assert!(result(&mut b, at(12_500), false).is_some());
}

#[test]
fn r4j_half_open_reopens_when_the_rate_is_at_or_above_the_threshold() {
    let mut b = open_r4j(count(5), 2, false);
    let after = at(11_001);
    acquire(&mut b, after, true, Some((Open, HalfOpen)));
    acquire(&mut b, after, true, None);
    assert_eq!(result(&mut b, after, true), None);
    let t = result(&mut b, after, false).expect("1 of 2 failed: 50 %");
    assert_eq!((t.from, t.to), (HalfOpen, Open));
    assert_eq!(
        t.to_string(),
        "half-open → open: half-open failure rate 50% ≥ 50% over 2 calls"
    );
    assert_eq!(b.opened_at(), Some(after));
    // A new half-open episode gets a fresh set of permits.
    acquire(&mut b, at(21_002), true, Some((Open, HalfOpen)));
    acquire(&mut b, at(21_002), true, None);
    acquire(&mut b, at(21_002), false, None);
}

#[test]
fn r4j_results_while_open_and_rejections_are_not_recorded() {
    let mut b = r4j(count(4), 4, 1, false);
    for _ in 0..4 {
        result(&mut b, at(0), false);
    }
    assert_eq!(b.state(), Open);
    for _ in 0..50 {
        acquire(&mut b, at(1_000), false, None);
        assert_eq!(
            result(&mut b, at(1_000), true),
            None,
            "late successes while OPEN are ignored"
        );
    }
    acquire(&mut b, at(10_001), true, Some((Open, HalfOpen)));
    assert!(result(&mut b, at(10_100), true).is_some(), "closes");
    // Fresh window: the 50 rejections did not count as failures and the old failures are gone,
    // so three failures out of three are below the minimum of four.
    for _ in 0..3 {
        assert_eq!(result(&mut b, at(10_200), false), None);
    }
    assert!(result(&mut b, at(10_200), true).is_some(), "3 of 4 failed: 75 %");
}

#[test]
fn r4j_a_late_result_takes_a_half_open_place() {
    let mut b = open_r4j(count(5), 2, false);
    acquire(&mut b, at(11_001), true, Some((Open, HalfOpen)));
    // A call permitted while CLOSED finishes now: resilience4j records it in the half-open window.
    assert_eq!(result(&mut b, at(11_002), true), None);
    assert_eq!(b.half_open_in_flight(), 0, "counted as a completion");
    let t = result(&mut b, at(11_003), false).expect("two results in: decided");
    assert_eq!((t.from, t.to), (HalfOpen, Open));
    // The second permit was never used.
}

#[test]
fn r4j_time_window_forgets_old_seconds() {
    let mut b = r4j(SlidingWindow::Time { seconds: 2 }, 2, 1, false);
    assert_eq!(result(&mut b, at(500), false), None, "second 0");
    // Second 2: the window covers seconds 1 and 2, the failure at second 0 is gone.
    assert_eq!(result(&mut b, at(2_500), true), None);
    let t = result(&mut b, at(2_600), false).expect("1 of 2 failed in seconds 1–2");
    assert_eq!(
        t.reason,
        TransitionReason::FailureRate {
            percent: 50.0,
            threshold: 50.0,
            calls: 2
        }
    );
}
