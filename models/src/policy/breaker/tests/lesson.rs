//! The lesson's breaker: window, lazy half-open, consecutive successes.

use sim_core::time::SimDuration;

use super::*;

fn lesson() -> CircuitBreaker {
    lesson_with_trials(None)
}

fn lesson_with_trials(half_open_trials: Option<u32>) -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig::Lesson {
        failure_threshold: 3,
        window: secs(10),
        open_for: secs(5),
        success_threshold: 2,
        half_open_trials,
    })
}

#[test]
fn lesson_opens_when_failures_in_the_window_reach_the_threshold() {
    let mut b = lesson();
    assert_eq!(b.name(), "lesson");
    for t in [0, 1_000] {
        acquire(&mut b, at(t), true, None);
        assert_eq!(result(&mut b, at(t), false), None);
    }
    assert_eq!(
        result(&mut b, at(2_000), true),
        None,
        "a success does not reset the window"
    );
    let t = result(&mut b, at(2_000), false).expect("third failure opens");
    assert_eq!((t.from, t.to), (Closed, Open));
    assert_eq!(
        t.reason,
        TransitionReason::FailureThreshold {
            failures: 3,
            window: secs(10)
        }
    );
    assert_eq!(t.to_string(), "closed → open: 3 failures in 10s");
    assert_eq!(b.opened_at(), Some(at(2_000)));
    assert_eq!(b.open_until(), Some(at(7_000)));
}

#[test]
fn lesson_failures_older_than_the_window_do_not_count() {
    // Exactly `window` old still counts (the lesson prunes `t < now − window`).
    let mut b = lesson();
    result(&mut b, at(0), false);
    result(&mut b, at(5_000), false);
    assert!(
        result(&mut b, at(10_000), false).is_some(),
        "t=0 is exactly 10 s old: counted"
    );
    // One nanosecond later it has expired.
    let mut b = lesson();
    result(&mut b, at(0), false);
    result(&mut b, at(5_000), false);
    let later = at(10_000).saturating_add(SimDuration::from_nanos(1));
    assert_eq!(result(&mut b, later, false), None);
    assert_eq!(b.state(), Closed);
    assert!(
        result(&mut b, at(11_000), false).is_some(),
        "5 s, 10 s and 11 s are within 10 s"
    );
}

fn open_lesson_at(t: u64) -> CircuitBreaker {
    open_with_trials_at(None, t)
}

fn open_with_trials_at(half_open_trials: Option<u32>, t: u64) -> CircuitBreaker {
    let mut b = lesson_with_trials(half_open_trials);
    for _ in 0..3 {
        result(&mut b, at(t), false);
    }
    assert_eq!(b.state(), Open);
    b
}

#[test]
fn lesson_moves_to_half_open_lazily_on_the_first_call_after_open_for() {
    let mut b = open_lesson_at(1_000);
    acquire(&mut b, at(5_999), false, None);
    // The wait is over at 6 s but nothing happens without a call.
    assert_eq!(b.next_timer(), None);
    assert_eq!(b.on_timer(at(6_000)), None);
    assert_eq!(
        result(&mut b, at(6_500), true),
        None,
        "a late success while OPEN changes nothing"
    );
    assert_eq!(b.state(), Open);
    let (permit, t) = b.try_acquire(at(7_000));
    assert!(permit.is_ok());
    let t = t.expect("OPEN → HALF_OPEN");
    assert_eq!(t.reason, TransitionReason::OpenTimeElapsed { waited: secs(5) });
    assert_eq!(t.to_string(), "open → half-open: wait of 5s elapsed");
    // `now − opened ≥ open_for`: admitted at exactly the end of the wait too.
    let mut b = open_lesson_at(1_000);
    acquire(&mut b, at(6_000), true, Some((Open, HalfOpen)));
}

#[test]
fn lesson_half_open_lets_every_call_through_and_closes_after_consecutive_successes() {
    let mut b = open_lesson_at(0);
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    for _ in 0..4 {
        acquire(&mut b, at(5_000), true, None);
    }
    assert_eq!(b.half_open_in_flight(), 5);
    assert_eq!(b.half_open_limit(), u32::MAX);
    assert_eq!(result(&mut b, at(5_100), true), None);
    assert_eq!(b.half_open_in_flight(), 4);
    let t = result(&mut b, at(5_200), true).expect("second success closes");
    assert_eq!((t.from, t.to), (HalfOpen, Closed));
    assert_eq!(
        t.to_string(),
        "half-open → closed: 2 consecutive successes in half-open"
    );
    assert_eq!(b.half_open_in_flight(), 0);
    // The failure history was cleared: two more failures are not enough.
    result(&mut b, at(5_300), false);
    result(&mut b, at(5_300), false);
    assert_eq!(b.state(), Closed);
    assert!(result(&mut b, at(5_300), false).is_some());
}

#[test]
fn lesson_one_half_open_failure_reopens_and_successes_must_be_consecutive() {
    let mut b = open_lesson_at(0);
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    assert_eq!(result(&mut b, at(5_100), true), None);
    let t = result(&mut b, at(5_200), false).expect("reopens");
    assert_eq!(
        (t.from, t.to, t.reason.clone()),
        (HalfOpen, Open, TransitionReason::TrialFailed)
    );
    assert_eq!(t.to_string(), "half-open → open: trial call failed");
    assert_eq!(b.opened_at(), Some(at(5_200)));
    acquire(&mut b, at(10_199), false, None);
    acquire(&mut b, at(10_200), true, Some((Open, HalfOpen)));
    // The success before the failure does not carry over.
    assert_eq!(result(&mut b, at(10_300), true), None);
    assert!(result(&mut b, at(10_400), true).is_some());
}

#[test]
fn lesson_late_failures_while_open_change_nothing() {
    let mut b = open_lesson_at(0);
    for t in [100, 200, 4_999] {
        assert_eq!(result(&mut b, at(t), false), None);
    }
    assert_eq!(b.opened_at(), Some(at(0)), "the wait is not restarted");
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
}

#[test]
fn lesson_one_half_open_trial_at_a_time_rejects_the_others_and_closes_after_two() {
    let mut b = open_with_trials_at(Some(1), 0);
    assert_eq!(b.half_open_limit(), 1);
    // The first call after the wait moves it to half-open and is the trial.
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    assert_eq!(b.half_open_in_flight(), 1);
    // While it is in flight every other call is rejected, without a transition.
    for t in [5_000, 5_050, 5_099] {
        acquire(&mut b, at(t), false, None);
    }
    assert_eq!(b.state(), HalfOpen);
    assert_eq!(b.half_open_in_flight(), 1);
    // Its success is one of two; the rejections in between did not reset the count.
    assert_eq!(result(&mut b, at(5_100), true), None);
    assert_eq!(b.half_open_in_flight(), 0);
    acquire(&mut b, at(5_100), true, None);
    acquire(&mut b, at(5_100), false, None);
    let t = result(&mut b, at(5_200), true).expect("the second success closes");
    assert_eq!((t.from, t.to), (HalfOpen, Closed));
    assert_eq!(t.reason, TransitionReason::HalfOpenSucceeded { successes: 2 });
    // Closed: no limit any more.
    for _ in 0..5 {
        acquire(&mut b, at(5_200), true, None);
    }
}

#[test]
fn lesson_a_failed_trial_reopens_and_the_next_period_admits_one_again() {
    let mut b = open_with_trials_at(Some(1), 0);
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    acquire(&mut b, at(5_000), false, None);
    let t = result(&mut b, at(6_000), false).expect("the trial's failure reopens");
    assert_eq!(
        (t.from, t.to, t.reason),
        (HalfOpen, Open, TransitionReason::TrialFailed)
    );
    assert_eq!(b.opened_at(), Some(at(6_000)));
    assert_eq!(b.half_open_in_flight(), 0);
    acquire(&mut b, at(10_999), false, None);
    acquire(&mut b, at(11_000), true, Some((Open, HalfOpen)));
    acquire(&mut b, at(11_000), false, None);
    assert_eq!(b.half_open_in_flight(), 1);
}

#[test]
fn lesson_half_open_trials_is_a_limit_at_once_not_per_period() {
    let mut b = open_with_trials_at(Some(2), 0);
    assert_eq!(b.half_open_limit(), 2);
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    acquire(&mut b, at(5_000), true, None);
    acquire(&mut b, at(5_000), false, None);
    assert_eq!(b.half_open_in_flight(), 2);
    // One result frees a place for another trial (resilience4j would reject until it decides).
    assert_eq!(result(&mut b, at(5_100), true), None);
    acquire(&mut b, at(5_100), true, None);
    acquire(&mut b, at(5_100), false, None);
    assert!(
        result(&mut b, at(5_200), true).is_some(),
        "two consecutive successes close"
    );
}

#[test]
fn lesson_a_late_result_in_half_open_counts_as_a_completed_trial() {
    // A call admitted while CLOSED finishes during HALF_OPEN. The breaker cannot tell it from
    // a trial (nor can the libraries): it counts toward closing and frees a trial's place.
    let mut b = lesson_with_trials(Some(1));
    acquire(&mut b, at(0), true, None);
    for _ in 0..3 {
        result(&mut b, at(0), false);
    }
    assert_eq!(b.state(), Open);
    acquire(&mut b, at(5_000), true, Some((Open, HalfOpen)));
    acquire(&mut b, at(5_000), false, None);
    assert_eq!(
        result(&mut b, at(5_500), true),
        None,
        "the late success is one of two"
    );
    assert_eq!(b.half_open_in_flight(), 0);
    acquire(&mut b, at(5_500), true, None);
    let t = result(&mut b, at(5_600), true).expect("closes");
    assert_eq!((t.from, t.to), (HalfOpen, Closed));
}
