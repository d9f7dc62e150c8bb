//! Property tests: for random configurations and random sequences of time advances, acquisitions
//! and results (in any completion order), every breaker moves only along legal edges, reports
//! its transitions faithfully, never lets more calls into HALF_OPEN than its limit, never
//! admits a call while OPEN before the wait has elapsed, and always admits one once it has.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use sim_core::time::{SimDuration, SimTime};

use super::super::*;

#[derive(Clone, Debug)]
enum Op {
    Advance(u64),
    Acquire,
    Complete { pick: usize, success: bool },
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        2 => (0u64..3_000).prop_map(Op::Advance),
        3 => Just(Op::Acquire),
        3 => (any::<usize>(), prop::bool::weighted(0.6)).prop_map(|(pick, success)| Op::Complete { pick, success }),
    ];
    prop::collection::vec(op, 0..300)
}

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

fn lesson() -> impl Strategy<Value = BreakerConfig> {
    let trials = prop_oneof![Just(None), (1u32..4).prop_map(Some)];
    (1u32..6, 1u64..20_000, 1u64..10_000, 1u32..4, trials).prop_map(|(f, w, o, s, n)| BreakerConfig::Lesson {
        failure_threshold: f,
        window: ms(w),
        open_for: ms(o),
        success_threshold: s,
        half_open_trials: n,
    })
}

fn r4j() -> impl Strategy<Value = BreakerConfig> {
    let window = prop_oneof![
        (1u32..10).prop_map(|size| SlidingWindow::Count { size }),
        (1u32..5).prop_map(|seconds| SlidingWindow::Time { seconds }),
    ];
    (
        window,
        1u32..10,
        prop::sample::select(vec![25.0, 50.0, 75.0, 100.0]),
        prop::sample::select(vec![50.0, 100.0]),
        100u64..2_000,
        1u64..10_000,
        1u32..5,
        any::<bool>(),
    )
        .prop_map(
            |(window, min, f, s, slow, wait, permitted, automatic)| BreakerConfig::Resilience4j {
                window,
                minimum_calls: min,
                failure_rate_threshold: f,
                slow_call_rate_threshold: s,
                slow_call_duration: ms(slow),
                wait_in_open: ms(wait),
                permitted_in_half_open: permitted,
                automatic_transition: automatic,
            },
        )
}

fn hystrix() -> impl Strategy<Value = BreakerConfig> {
    (
        1u64..20_000,
        0u32..6,
        prop::sample::select(vec![0.0, 25.0, 50.0, 100.0]),
        1u64..10_000,
    )
        .prop_map(|(w, v, e, s)| BreakerConfig::Hystrix {
            window: ms(w * 10),
            request_volume: v,
            error_percent: e,
            sleep_window: ms(s),
        })
}

/// What the test believes the breaker's state is, updated only from reported transitions.
struct Observer {
    state: BreakerState,
    opened_at: SimTime,
}

impl Observer {
    fn see(&mut self, now: SimTime, t: Option<Transition>) -> Result<(), TestCaseError> {
        if let Some(t) = t {
            prop_assert_eq!(t.from, self.state, "transition from a state we were not in");
            prop_assert!(is_legal(t.from, t.to), "illegal edge {:?} → {:?}", t.from, t.to);
            prop_assert!(!t.reason.to_string().is_empty());
            self.state = t.to;
            if t.to == BreakerState::Open {
                self.opened_at = now;
            }
        }
        Ok(())
    }
}

fn run(config: BreakerConfig, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut b = CircuitBreaker::new(config.clone());
    let wait = config.open_duration();
    let inclusive = matches!(config, BreakerConfig::Lesson { .. });
    let wait_over = |now: SimTime, opened: SimTime| {
        let waited = now.saturating_since(opened);
        if inclusive { waited >= wait } else { waited > wait }
    };
    let mut seen = Observer {
        state: BreakerState::Closed,
        opened_at: SimTime::ZERO,
    };
    let mut now = SimTime::ZERO;
    let mut in_flight: Vec<SimTime> = Vec::new();
    for op in ops {
        match op {
            Op::Advance(step) => {
                let target = now.saturating_add(ms(step));
                // The world fires due timers in time order.
                while let Some(due) = b.next_timer().filter(|&due| due <= target) {
                    prop_assert!(due >= now, "timer in the past");
                    now = due;
                    let t = b.on_timer(now);
                    prop_assert!(t.is_some(), "a due timer must act");
                    seen.see(now, t)?;
                }
                now = target;
            }
            Op::Acquire => {
                let was_open = seen.state == BreakerState::Open;
                let opened = seen.opened_at;
                let (permit, t) = b.try_acquire(now);
                seen.see(now, t)?;
                if was_open {
                    let over = wait_over(now, opened);
                    prop_assert_eq!(
                        seen.state == BreakerState::HalfOpen,
                        over,
                        "OPEN → HALF_OPEN iff the wait is over"
                    );
                    if !over {
                        prop_assert!(permit.is_err(), "OPEN admitted a call before its wait elapsed");
                    }
                }
                if permit.is_ok() {
                    in_flight.push(now);
                } else {
                    prop_assert!(seen.state != BreakerState::Closed, "CLOSED rejected a call");
                }
            }
            Op::Complete { pick, success } => {
                if !in_flight.is_empty() {
                    let started = in_flight.swap_remove(pick % in_flight.len());
                    let t = b.on_result(now, success, now.saturating_since(started));
                    seen.see(now, t)?;
                }
            }
        }
        prop_assert_eq!(b.state(), seen.state);
        prop_assert!(b.half_open_in_flight() <= b.half_open_limit());
        if seen.state == BreakerState::Open {
            prop_assert_eq!(b.opened_at(), Some(seen.opened_at));
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn lesson_moves_only_along_legal_edges(config in lesson(), ops in ops()) {
        run(config, ops)?;
    }

    #[test]
    fn resilience4j_moves_only_along_legal_edges(config in r4j(), ops in ops()) {
        run(config, ops)?;
    }

    #[test]
    fn hystrix_moves_only_along_legal_edges(config in hystrix(), ops in ops()) {
        run(config, ops)?;
    }
}
