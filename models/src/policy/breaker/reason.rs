//! Why a breaker changed state, in data (for `events.jsonl`) and in plain words (for the
//! narrated timeline).

use std::fmt;

use sim_core::time::SimDuration;

/// Why a breaker changed state. Percentages are in percent (62.5 = 62.5 %).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransitionReason {
    /// Lesson, CLOSED → OPEN: `failures` within `window`.
    FailureThreshold {
        /// Failures counted in the window.
        failures: u32,
        /// The window.
        window: SimDuration,
    },
    /// resilience4j, CLOSED → OPEN: failure rate at or above the threshold.
    FailureRate {
        /// Failure rate, percent (as resilience4j computes it, in `f32`).
        percent: f64,
        /// Threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
    },
    /// resilience4j, CLOSED → OPEN: slow-call rate at or above the threshold.
    SlowCallRate {
        /// Slow-call rate, percent.
        percent: f64,
        /// Threshold, percent.
        threshold: f64,
        /// Calls in the window.
        calls: u32,
        /// Calls longer than this are slow.
        slow_call_duration: SimDuration,
    },
    /// Hystrix, CLOSED → OPEN: enough requests and error percentage at or above the threshold.
    ErrorPercentage {
        /// Error percentage, truncated to an integer as Hystrix does.
        percent: u32,
        /// Threshold, percent.
        threshold: f64,
        /// Requests in the rolling window.
        requests: u32,
        /// The rolling window.
        window: SimDuration,
    },
    /// OPEN → HALF_OPEN: the wait is over (a call arrived after it, or the timer fired).
    OpenTimeElapsed {
        /// The configured wait.
        waited: SimDuration,
    },
    /// HALF_OPEN → OPEN: a half-open call failed (lesson, Hystrix).
    TrialFailed,
    /// Hystrix, HALF_OPEN → CLOSED: the trial call succeeded.
    TrialSucceeded,
    /// Lesson, HALF_OPEN → CLOSED: enough consecutive successes.
    HalfOpenSucceeded {
        /// Consecutive successes in HALF_OPEN.
        successes: u32,
    },
    /// resilience4j, HALF_OPEN → OPEN: failure rate of the half-open calls at or above the
    /// threshold.
    HalfOpenFailureRate {
        /// Failure rate, percent.
        percent: f64,
        /// Threshold, percent.
        threshold: f64,
        /// Half-open calls evaluated.
        calls: u32,
    },
    /// resilience4j, HALF_OPEN → OPEN: slow-call rate of the half-open calls at or above the
    /// threshold.
    HalfOpenSlowCallRate {
        /// Slow-call rate, percent.
        percent: f64,
        /// Threshold, percent.
        threshold: f64,
        /// Half-open calls evaluated.
        calls: u32,
    },
    /// resilience4j, HALF_OPEN → CLOSED: both rates of the half-open calls below their
    /// thresholds.
    HalfOpenBelowThresholds {
        /// Failure rate, percent.
        failure_percent: f64,
        /// Slow-call rate, percent.
        slow_percent: f64,
        /// Half-open calls evaluated.
        calls: u32,
    },
}

/// A percentage with at most two decimals and no trailing zeros: `50`, `62.5`, `33.33`.
struct Pct(f64);

impl fmt::Display for Pct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{:.2}", self.0);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{s}%")
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Plain words for a narrated timeline, e.g. "5 failures in 60s", "failure rate 62.5% ≥ 50%
/// over 100 calls", "wait of 30s elapsed", "trial call failed".
impl fmt::Display for TransitionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TransitionReason::*;
        match *self {
            FailureThreshold { failures, window } => {
                write!(
                    f,
                    "{failures} {} in {window}",
                    plural(failures, "failure", "failures")
                )
            }
            FailureRate {
                percent,
                threshold,
                calls,
            } => {
                write!(
                    f,
                    "failure rate {} ≥ {} over {calls} calls",
                    Pct(percent),
                    Pct(threshold)
                )
            }
            SlowCallRate {
                percent,
                threshold,
                calls,
                slow_call_duration,
            } => write!(
                f,
                "slow-call rate {} ≥ {} over {calls} calls (slow: over {slow_call_duration})",
                Pct(percent),
                Pct(threshold)
            ),
            ErrorPercentage {
                percent,
                threshold,
                requests,
                window,
            } => write!(
                f,
                "error percentage {percent}% ≥ {} over {requests} requests in {window}",
                Pct(threshold)
            ),
            OpenTimeElapsed { waited } => write!(f, "wait of {waited} elapsed"),
            TrialFailed => f.write_str("trial call failed"),
            TrialSucceeded => f.write_str("trial call succeeded"),
            HalfOpenSucceeded { successes } => write!(
                f,
                "{successes} consecutive {} in half-open",
                plural(successes, "success", "successes")
            ),
            HalfOpenFailureRate {
                percent,
                threshold,
                calls,
            } => write!(
                f,
                "half-open failure rate {} ≥ {} over {calls} calls",
                Pct(percent),
                Pct(threshold)
            ),
            HalfOpenSlowCallRate {
                percent,
                threshold,
                calls,
            } => write!(
                f,
                "half-open slow-call rate {} ≥ {} over {calls} calls",
                Pct(percent),
                Pct(threshold)
            ),
            HalfOpenBelowThresholds {
                failure_percent,
                slow_percent,
                calls,
            } => write!(
                f,
                "half-open calls healthy: failure rate {}, slow-call rate {} over {calls} calls",
                Pct(failure_percent),
                Pct(slow_percent)
            ),
        }
    }
}
