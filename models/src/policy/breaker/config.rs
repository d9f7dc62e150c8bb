//! Breaker configurations, with the real libraries' defaults as constants.

pub use crate::defaults::{
    HYSTRIX_BUCKETS, HYSTRIX_ERROR_PERCENT, HYSTRIX_REQUEST_VOLUME, HYSTRIX_SLEEP_WINDOW, HYSTRIX_WINDOW,
    R4J_AUTOMATIC_TRANSITION, R4J_FAILURE_RATE_THRESHOLD, R4J_MINIMUM_CALLS, R4J_PERMITTED_IN_HALF_OPEN,
    R4J_SLIDING_WINDOW_SIZE, R4J_SLOW_CALL_DURATION, R4J_SLOW_CALL_RATE_THRESHOLD, R4J_WAIT_IN_OPEN,
};
use sim_core::time::SimDuration;

/// The lesson's `failure_threshold` default: 5 failures.
pub const LESSON_FAILURE_THRESHOLD: u32 = 5;
/// The lesson's `failure_window_seconds` default: 60 s.
pub const LESSON_WINDOW: SimDuration = SimDuration::from_secs(60);
/// The lesson's `timeout_seconds` (time spent OPEN) default: 30 s.
pub const LESSON_OPEN_FOR: SimDuration = SimDuration::from_secs(30);
/// The lesson's `success_threshold` default: 2 successes in HALF_OPEN.
pub const LESSON_SUCCESS_THRESHOLD: u32 = 2;

/// resilience4j's sliding window.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SlidingWindow {
    /// COUNT_BASED: the last `size` calls (default [`R4J_SLIDING_WINDOW_SIZE`]).
    Count {
        /// Calls in the window, ≥ 1.
        size: u32,
    },
    /// TIME_BASED: the calls of the last `seconds` whole seconds (the current one included).
    Time {
        /// Seconds in the window, ≥ 1.
        seconds: u32,
    },
}

/// Which breaker, with its parameters (defaults of the real libraries in the `pub const`s).
#[derive(Clone, Debug, PartialEq)]
pub enum BreakerConfig {
    /// The lesson's breaker (class `CircuitBreaker`): opens when failures within the sliding
    /// `window` reach `failure_threshold`; open for `open_for`; the first call after that moves it
    /// to half-open lazily; while half-open, every call is let through when `half_open_trials` is
    /// `None` (the lesson's code does not limit them, although its prose says "one test
    /// request"), or at most `half_open_trials` calls at once, the others rejected as if open;
    /// `success_threshold` consecutive successes close it and clear the failure history; one
    /// failure reopens it. Failures are recorded with their time in every state.
    Lesson {
        /// Failures within `window` that open the breaker, ≥ 1 (default [`LESSON_FAILURE_THRESHOLD`]).
        failure_threshold: u32,
        /// Sliding window for counting failures (default [`LESSON_WINDOW`]).
        window: SimDuration,
        /// Time spent OPEN before a call may move it to HALF_OPEN (default [`LESSON_OPEN_FOR`]).
        open_for: SimDuration,
        /// Consecutive half-open successes that close it, ≥ 1 (default [`LESSON_SUCCESS_THRESHOLD`]).
        success_threshold: u32,
        /// The most half-open trial calls in flight at once, ≥ 1; `None` (the default, the
        /// lesson's code): no limit. In flight = calls admitted in the current half-open period
        /// minus results recorded in it. `Some(1)` is the lesson's prose and Hystrix's single
        /// test request, one at a time until `success_threshold` successes close it;
        /// resilience4j's `permittedNumberOfCallsInHalfOpenState` (default 10) instead counts
        /// the calls of a whole half-open period.
        half_open_trials: Option<u32>,
    },
    /// resilience4j `CircuitBreaker`: count- or time-based window, `minimum_calls` before any
    /// decision, open when failure rate ≥ `failure_rate_threshold` or slow-call rate ≥
    /// `slow_call_rate_threshold` (slow = duration > `slow_call_duration`, strictly); open for
    /// `wait_in_open`; OPEN → HALF_OPEN on the first call after the wait, or by the timer when
    /// `automatic_transition`; HALF_OPEN admits exactly `permitted_in_half_open` calls, rejects
    /// the rest, and decides once that many results are in (rate ≥ threshold → OPEN, else
    /// CLOSED). Rejected calls are not recorded.
    Resilience4j {
        /// Sliding window (default count-based, [`R4J_SLIDING_WINDOW_SIZE`]).
        window: SlidingWindow,
        /// Calls in the window before rates are evaluated, ≥ 1 (default [`R4J_MINIMUM_CALLS`];
        /// a count window uses `min(minimum_calls, size)`).
        minimum_calls: u32,
        /// Percent in (0, 100] (default [`R4J_FAILURE_RATE_THRESHOLD`]).
        failure_rate_threshold: f64,
        /// Percent in (0, 100] (default [`R4J_SLOW_CALL_RATE_THRESHOLD`]).
        slow_call_rate_threshold: f64,
        /// A call longer than this is slow (default [`R4J_SLOW_CALL_DURATION`]).
        slow_call_duration: SimDuration,
        /// Time spent OPEN, ≥ 1 ms (default [`R4J_WAIT_IN_OPEN`]).
        wait_in_open: SimDuration,
        /// Calls admitted in HALF_OPEN, ≥ 1 (default [`R4J_PERMITTED_IN_HALF_OPEN`]).
        permitted_in_half_open: u32,
        /// Whether a timer moves OPEN → HALF_OPEN without waiting for a call (default
        /// [`R4J_AUTOMATIC_TRANSITION`]).
        automatic_transition: bool,
    },
    /// Hystrix: rolling window of `window` split in 10 buckets; opens when requests in the window
    /// ≥ `request_volume` and error percentage (truncated to an integer, as Hystrix computes it)
    /// ≥ `error_percent`; after `sleep_window` one single trial request is let through (others
    /// rejected); its success closes (metrics reset), its failure reopens for another
    /// `sleep_window`.
    Hystrix {
        /// Rolling statistical window, ≥ 10 ns (default [`HYSTRIX_WINDOW`]).
        window: SimDuration,
        /// Requests in the window before the error percentage counts (default [`HYSTRIX_REQUEST_VOLUME`]).
        request_volume: u32,
        /// Percent in [0, 100] (default [`HYSTRIX_ERROR_PERCENT`]).
        error_percent: f64,
        /// Time spent OPEN before the trial (default [`HYSTRIX_SLEEP_WINDOW`]).
        sleep_window: SimDuration,
    },
}

impl BreakerConfig {
    /// "lesson", "resilience4j", "hystrix".
    pub fn name(&self) -> &'static str {
        match self {
            BreakerConfig::Lesson { .. } => "lesson",
            BreakerConfig::Resilience4j { .. } => "resilience4j",
            BreakerConfig::Hystrix { .. } => "hystrix",
        }
    }

    /// How long the breaker stays OPEN before a call (or the timer) may move it to HALF_OPEN.
    pub fn open_duration(&self) -> SimDuration {
        match *self {
            BreakerConfig::Lesson { open_for, .. } => open_for,
            BreakerConfig::Resilience4j { wait_in_open, .. } => wait_in_open,
            BreakerConfig::Hystrix { sleep_window, .. } => sleep_window,
        }
    }

    /// Checks the ranges the libraries enforce; the message names the parameter.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.name();
        let check = |ok: bool, what: String| {
            if ok {
                Ok(())
            } else {
                Err(format!("{name}: {what}"))
            }
        };
        match *self {
            BreakerConfig::Lesson {
                failure_threshold,
                success_threshold,
                half_open_trials,
                ..
            } => {
                check(
                    failure_threshold >= 1,
                    "failure_threshold must be at least 1".into(),
                )?;
                check(
                    success_threshold >= 1,
                    "success_threshold must be at least 1".into(),
                )?;
                check(
                    half_open_trials != Some(0),
                    "half_open_trials must be at least 1".into(),
                )
            }
            BreakerConfig::Resilience4j {
                window,
                minimum_calls,
                failure_rate_threshold: f,
                slow_call_rate_threshold: s,
                slow_call_duration,
                wait_in_open,
                permitted_in_half_open,
                ..
            } => {
                let size = match window {
                    SlidingWindow::Count { size } => size,
                    SlidingWindow::Time { seconds } => seconds,
                };
                check(
                    size >= 1,
                    "the sliding window must hold at least 1 call or second".into(),
                )?;
                check(minimum_calls >= 1, "minimum_calls must be at least 1".into())?;
                check(
                    f > 0.0 && f <= 100.0,
                    format!("failure_rate_threshold must be in (0, 100], got {f}"),
                )?;
                check(
                    s > 0.0 && s <= 100.0,
                    format!("slow_call_rate_threshold must be in (0, 100], got {s}"),
                )?;
                check(
                    !slow_call_duration.is_zero(),
                    "slow_call_duration must be positive".into(),
                )?;
                check(
                    wait_in_open >= SimDuration::from_millis(1),
                    "wait_in_open must be at least 1ms".into(),
                )?;
                check(
                    permitted_in_half_open >= 1,
                    "permitted_in_half_open must be at least 1".into(),
                )
            }
            BreakerConfig::Hystrix {
                window,
                error_percent: e,
                ..
            } => {
                check(
                    window.as_nanos() >= 10,
                    "window must be at least 10ns (10 buckets)".into(),
                )?;
                check(
                    (0.0..=100.0).contains(&e),
                    format!("error_percent must be in [0, 100], got {e}"),
                )
            }
        }
    }
}
