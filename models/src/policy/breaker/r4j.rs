//! resilience4j's `CircuitBreakerStateMachine` with `CircuitBreakerMetrics`:
//!
//! - CLOSED (`ClosedState`): every result is recorded in the sliding window; a call is slow
//!   when its duration is strictly greater than `slow_call_duration`. Rates are evaluated only
//!   once the window holds `minimum_calls` (for a count window `min(minimum_calls, size)`), as
//!   `f32` percentages; failure rate ≥ threshold or slow-call rate ≥ threshold opens it.
//! - OPEN (`OpenState`): `tryAcquirePermission` moves to HALF_OPEN when
//!   `clock.instant().isAfter(retryAfterWaitDuration)` — strictly after `opened + wait` — and
//!   then asks HALF_OPEN; before that the call is not permitted. With the automatic transition,
//!   a scheduled task moves to HALF_OPEN at `opened + wait`. Results arriving while OPEN (calls
//!   permitted earlier) are recorded into metrics that the next transition discards.
//! - HALF_OPEN (`HalfOpenState`): a counter of `permitted_in_half_open` permits, decremented per
//!   admitted call and never refilled; a fresh count window of that size whose minimum is the
//!   same number, so the rates are evaluated once that many results are in: a threshold
//!   exceeded reopens, both rates below close (with a fresh CLOSED window).

use sim_core::time::{SimDuration, SimTime};

use super::window::{CountWindow, Counts, TimeWindow, Window};
use super::{BreakerConfig, BreakerState, Core, Rejected, SlidingWindow, Transition, TransitionReason};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct R4jBreaker {
    pub(super) core: Core,
    failure_rate_threshold: f32,
    slow_call_rate_threshold: f32,
    slow_call_duration: SimDuration,
    wait: SimDuration,
    permitted: u32,
    automatic: bool,
    /// `minimumNumberOfCalls` as CLOSED applies it.
    closed_minimum: u32,
    closed: Window,
    /// Outcomes recorded in the current HALF_OPEN episode.
    half_open: Counts,
    /// Permits left in the current HALF_OPEN episode.
    permits_left: u32,
}

/// Which threshold a window exceeded, if any.
enum Verdict {
    BelowMinimum,
    Below,
    FailureRate(f32),
    SlowCallRate(f32),
}

impl R4jBreaker {
    pub(super) fn new(config: &BreakerConfig) -> R4jBreaker {
        let BreakerConfig::Resilience4j {
            window,
            minimum_calls,
            failure_rate_threshold,
            slow_call_rate_threshold,
            slow_call_duration,
            wait_in_open,
            permitted_in_half_open,
            automatic_transition,
        } = *config
        else {
            panic!("not a resilience4j breaker: {config:?}");
        };
        let (closed, closed_minimum) = match window {
            SlidingWindow::Count { size } => (Window::Count(CountWindow::new(size)), minimum_calls.min(size)),
            SlidingWindow::Time { seconds } => (
                Window::Time(TimeWindow::new(seconds, SimTime::ZERO)),
                minimum_calls,
            ),
        };
        R4jBreaker {
            core: Core::new(),
            failure_rate_threshold: failure_rate_threshold as f32,
            slow_call_rate_threshold: slow_call_rate_threshold as f32,
            slow_call_duration,
            wait: wait_in_open,
            permitted: permitted_in_half_open,
            automatic: automatic_transition,
            closed_minimum,
            closed,
            half_open: Counts::default(),
            permits_left: 0,
        }
    }

    pub(super) fn try_acquire(&mut self, now: SimTime) -> (Result<(), Rejected>, Option<Transition>) {
        let mut transition = None;
        if self.core.state == BreakerState::Open && now > self.wait_end() {
            transition = Some(self.enter_half_open(now));
        }
        let permit = match self.core.state {
            BreakerState::Closed => Ok(()),
            BreakerState::Open => Err(Rejected),
            BreakerState::HalfOpen if self.permits_left > 0 => {
                self.permits_left -= 1;
                self.core.admit_half_open();
                Ok(())
            }
            BreakerState::HalfOpen => Err(Rejected),
        };
        (permit, transition)
    }

    pub(super) fn on_result(
        &mut self,
        now: SimTime,
        success: bool,
        duration: SimDuration,
    ) -> Option<Transition> {
        let failed = !success;
        let slow = duration > self.slow_call_duration;
        match self.core.state {
            BreakerState::Closed => {
                let counts = self.closed.record(now, failed, slow);
                match self.verdict(counts, self.closed_minimum) {
                    Verdict::FailureRate(p) => {
                        let reason = TransitionReason::FailureRate {
                            percent: f64::from(p),
                            threshold: f64::from(self.failure_rate_threshold),
                            calls: counts.calls,
                        };
                        Some(self.core.go(now, BreakerState::Open, reason))
                    }
                    Verdict::SlowCallRate(p) => {
                        let reason = TransitionReason::SlowCallRate {
                            percent: f64::from(p),
                            threshold: f64::from(self.slow_call_rate_threshold),
                            calls: counts.calls,
                            slow_call_duration: self.slow_call_duration,
                        };
                        Some(self.core.go(now, BreakerState::Open, reason))
                    }
                    Verdict::Below | Verdict::BelowMinimum => None,
                }
            }
            // Recorded into metrics the next transition discards: no effect.
            BreakerState::Open => None,
            BreakerState::HalfOpen => {
                self.core.complete_half_open();
                self.half_open.add(failed, slow);
                self.decide_half_open(now)
            }
        }
    }

    fn decide_half_open(&mut self, now: SimTime) -> Option<Transition> {
        let counts = self.half_open;
        let (to, reason) = match self.verdict(counts, self.permitted) {
            Verdict::BelowMinimum => return None,
            Verdict::FailureRate(p) => (
                BreakerState::Open,
                TransitionReason::HalfOpenFailureRate {
                    percent: f64::from(p),
                    threshold: f64::from(self.failure_rate_threshold),
                    calls: counts.calls,
                },
            ),
            Verdict::SlowCallRate(p) => (
                BreakerState::Open,
                TransitionReason::HalfOpenSlowCallRate {
                    percent: f64::from(p),
                    threshold: f64::from(self.slow_call_rate_threshold),
                    calls: counts.calls,
                },
            ),
            Verdict::Below => {
                self.closed.reset(now);
                (
                    BreakerState::Closed,
                    TransitionReason::HalfOpenBelowThresholds {
                        failure_percent: f64::from(counts.failure_rate()),
                        slow_percent: f64::from(counts.slow_call_rate()),
                        calls: counts.calls,
                    },
                )
            }
        };
        Some(self.core.go(now, to, reason))
    }

    /// `checkIfThresholdsExceeded`: nothing below the minimum; the failure rate is reported first
    /// when both thresholds are exceeded.
    fn verdict(&self, counts: Counts, minimum: u32) -> Verdict {
        if counts.calls == 0 || counts.calls < minimum {
            return Verdict::BelowMinimum;
        }
        let failure = counts.failure_rate();
        let slow = counts.slow_call_rate();
        if failure >= self.failure_rate_threshold {
            Verdict::FailureRate(failure)
        } else if slow >= self.slow_call_rate_threshold {
            Verdict::SlowCallRate(slow)
        } else {
            Verdict::Below
        }
    }

    fn wait_end(&self) -> SimTime {
        self.core.opened_at.saturating_add(self.wait)
    }

    fn enter_half_open(&mut self, now: SimTime) -> Transition {
        self.half_open = Counts::default();
        self.permits_left = self.permitted;
        self.core.go(
            now,
            BreakerState::HalfOpen,
            TransitionReason::OpenTimeElapsed { waited: self.wait },
        )
    }

    pub(super) fn next_timer(&self) -> Option<SimTime> {
        (self.automatic && self.core.state == BreakerState::Open).then(|| self.wait_end())
    }

    pub(super) fn on_timer(&mut self, now: SimTime) -> Option<Transition> {
        let due = self.next_timer()?;
        (now >= due).then(|| self.enter_half_open(now))
    }
}
