//! The lesson's `CircuitBreaker` class, transition by transition:
//!
//! - `call` → `_get_current_state`: if OPEN and `now − last_opened_at ≥ timeout`, move to
//!   HALF_OPEN and reset the consecutive successes. Then OPEN raises `CircuitBreakerOpenError`;
//!   HALF_OPEN and CLOSED run the call (no limit on half-open calls).
//! - `half_open_trials = Some(n)`, our addition (the lesson's prose, "allow ONE test request
//!   through", and Hystrix's single test request for `n = 1`): HALF_OPEN runs a call only while
//!   fewer than `n` are in flight (admitted in this half-open period, minus results recorded in
//!   it) and rejects the others as if OPEN. Results act exactly as without the limit.
//! - `_on_success`: HALF_OPEN counts a consecutive success and closes at `success_threshold`,
//!   clearing the failure times; CLOSED counts it too (unused); OPEN ignores it. No state
//!   refresh here: a result arriving after the wait, before any call, still sees OPEN.
//! - `_on_failure`: appends the failure time and resets the consecutive successes in every
//!   state; HALF_OPEN reopens; CLOSED prunes failures older than the window (`t < now − window`,
//!   so a failure exactly `window` old still counts) and opens when at least
//!   `failure_threshold` remain.

use std::collections::VecDeque;

use sim_core::time::{SimDuration, SimTime};

use super::{BreakerConfig, BreakerState, Core, Rejected, Transition, TransitionReason};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct LessonBreaker {
    pub(super) core: Core,
    failure_threshold: u32,
    window: SimDuration,
    open_for: SimDuration,
    success_threshold: u32,
    /// Half-open calls in flight at once; `None`: unlimited (the lesson's code).
    half_open_trials: Option<u32>,
    /// The most recent failure times, oldest first, at most `failure_threshold` of them.
    failures: VecDeque<SimTime>,
    consecutive_successes: u32,
}

impl LessonBreaker {
    pub(super) fn new(config: &BreakerConfig) -> LessonBreaker {
        let BreakerConfig::Lesson {
            failure_threshold,
            window,
            open_for,
            success_threshold,
            half_open_trials,
        } = *config
        else {
            panic!("not a lesson breaker: {config:?}");
        };
        LessonBreaker {
            core: Core::new(),
            failure_threshold,
            window,
            open_for,
            success_threshold,
            half_open_trials,
            // Grows with the failures actually in the window, not the threshold.
            failures: VecDeque::new(),
            consecutive_successes: 0,
        }
    }

    pub(super) fn try_acquire(&mut self, now: SimTime) -> (Result<(), Rejected>, Option<Transition>) {
        let mut transition = None;
        if self.core.state == BreakerState::Open && now.saturating_since(self.core.opened_at) >= self.open_for
        {
            self.consecutive_successes = 0;
            let reason = TransitionReason::OpenTimeElapsed {
                waited: self.open_for,
            };
            transition = Some(self.core.go(now, BreakerState::HalfOpen, reason));
        }
        let permit = match self.core.state {
            BreakerState::Open => Err(Rejected),
            BreakerState::HalfOpen => match self.half_open_trials {
                Some(n) if self.core.half_open_in_flight() >= n => Err(Rejected),
                _ => {
                    self.core.admit_half_open();
                    Ok(())
                }
            },
            BreakerState::Closed => Ok(()),
        };
        (permit, transition)
    }

    pub(super) fn on_result(&mut self, now: SimTime, success: bool) -> Option<Transition> {
        if self.core.state == BreakerState::HalfOpen {
            self.core.complete_half_open();
        }
        if success {
            self.on_success(now)
        } else {
            self.on_failure(now)
        }
    }

    fn on_success(&mut self, now: SimTime) -> Option<Transition> {
        match self.core.state {
            BreakerState::HalfOpen => {
                self.consecutive_successes += 1;
                if self.consecutive_successes < self.success_threshold {
                    return None;
                }
                self.failures.clear();
                let reason = TransitionReason::HalfOpenSucceeded {
                    successes: self.consecutive_successes,
                };
                Some(self.core.go(now, BreakerState::Closed, reason))
            }
            BreakerState::Closed => {
                self.consecutive_successes += 1;
                None
            }
            BreakerState::Open => None,
        }
    }

    fn on_failure(&mut self, now: SimTime) -> Option<Transition> {
        if self.failures.len() == self.failure_threshold as usize {
            self.failures.pop_front();
        }
        self.failures.push_back(now);
        self.consecutive_successes = 0;
        match self.core.state {
            BreakerState::HalfOpen => Some(self.core.go(
                now,
                BreakerState::Open,
                TransitionReason::TrialFailed,
            )),
            BreakerState::Closed => {
                let recent = self.recent_failures(now);
                if recent < self.failure_threshold {
                    return None;
                }
                let reason = TransitionReason::FailureThreshold {
                    failures: recent,
                    window: self.window,
                };
                Some(self.core.go(now, BreakerState::Open, reason))
            }
            BreakerState::Open => None,
        }
    }

    /// `_recent_failures`: drops failures older than `now − window` and counts the rest. Before
    /// `window` has elapsed since the start the lesson's cutoff is negative; saturating at zero
    /// keeps everything just the same.
    fn recent_failures(&mut self, now: SimTime) -> u32 {
        let cutoff = now.saturating_sub(self.window);
        while self.failures.front().is_some_and(|&t| t < cutoff) {
            self.failures.pop_front();
        }
        self.failures.len() as u32
    }
}
