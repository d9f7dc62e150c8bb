//! Sleep before a retry: none, fixed, exponential, and the jittered strategies of AWS, Polly,
//! Envoy, gRPC and Python's tenacity.
//!
//! Each strategy is a pure function of the retry number, a small per-call [`BackoffState`] (the
//! previous sleep, for the two decorrelated strategies) and an explicit [`SimRng`]. The sampled
//! value is drawn in `f64` seconds and converted to [`SimDuration`] exactly once, by
//! [`SimDuration::from_secs_f64`]; bounds that need no randomness are integer arithmetic.
//!
//! `retry` counts from 0: retry 0 is the first retry, after the first failed attempt. With
//! `expo(n) = min(cap, base · 2^n)` and `n = retry`:
//!
//! | strategy | sleep | source |
//! |---|---|---|
//! | [`Backoff::None`] | 0 | |
//! | [`Backoff::Fixed`] | `delay` | the lesson's "fixed delay" |
//! | [`Backoff::Exponential`] | `expo(n)`: 1 s, 2 s, 4 s with base 1 s | AWS blog (2015), the lesson |
//! | [`Backoff::FullJitter`] | `U(0, expo(n))` | AWS blog, the lesson's `retry_with_jitter` |
//! | [`Backoff::EqualJitter`] | `v/2 + U(0, v/2)`, `v = expo(n)` | AWS blog |
//! | [`Backoff::DecorrelatedJitter`] | `s = min(cap, U(base, 3·s_prev))`, `s_prev` starts at `base` | aws-samples/aws-arch-backoff-simulator `backoff_simulator.py` |
//! | [`Backoff::DecorrelatedJitterV2`] | Polly's formula below, capped at `cap` | Polly.Contrib.WaitAndRetry `Backoff.DecorrelatedJitterV2.cs` |
//! | [`Backoff::Envoy`] | `U[0, min((2^(n+1) − 1)·base, max))` | Envoy router docs (`x-envoy-max-retries`) |
//! | [`Backoff::Grpc`] | `U(0, min(initial·multiplier^n, max))` | gRPC proposal A6 |
//! | [`Backoff::Tenacity`] | `U(min, max(min, min(multiplier·2^n, max)))` | tenacity `wait_random_exponential` |
//!
//! Polly's decorrelated jitter V2, for retry `i` (from 0) of one logical call:
//! `t = i + U[0,1)`, `next = 2^t · tanh(sqrt(4t))`, `delay = (next − prev) / 1.4 · median_first_delay`,
//! then `prev = next` (`prev` starts at 0). It replaced V1 because clamping at a cap, as the AWS
//! formula does, piles retries up exactly at the maximum (App-vNext/Polly issue #530). Polly's
//! parameter is called the median first delay, but the true median of the first delay is
//! `2^0.5 · tanh(sqrt 2) / 1.4 ≈ 0.897` times it (the delay grows with `t`, so its median is the
//! value at `t = 0.5`); the tests pin this. Polly truncates to 100 ns ticks, we round to the
//! nanosecond; Polly v8 applies its optional `MaxDelay` after the formula, as `cap` does here.
//!
//! Envoy: the documented range for retry `N` (from 1) is `[0, (2^N − 1)·base)`, capped at
//! `max_interval` (default 10 × base = 250 ms). Envoy draws whole milliseconds; we draw
//! continuously. The code changed over time: older releases computed the range as documented
//! but clamped the *sample* (`min(random % range, max)`, a point mass at `max`); current ones
//! (`JitteredExponentialBackOffStrategy`) draw from `[0, min(base · 2^(N−1), max))`. We implement the documented formula
//! with the range capped, so there is no point mass.
//!
//! gRPC: the interval is updated the way grpc-java does it, `interval ← min(⌊interval ·
//! multiplier⌋, max)` in nanoseconds once per retry, which is `min(initial · multiplier^n, max)`
//! up to truncation and needs no `pow`.
//!
//! tenacity (the lesson's client, `wait_random_exponential(min=0.5, max=10)`), as of 9.x in
//! `tenacity/wait.py` (<https://github.com/jd/tenacity/blob/main/tenacity/wait.py>):
//! `wait_random_exponential` subclasses `wait_exponential`, whose value after failed attempt `a`
//! (tenacity's `retry_state.attempt_number`, 1 for the first attempt, so `a − 1 = n` here) is
//! `high = max(max(0, min), min(multiplier · exp_base^(a−1), max))` with `exp_base = 2`; the
//! sleep is `random.uniform(min, high)`, i.e. `min + (high − min) · U[0, 1)`. So the floor `min`
//! bounds both the draw and the top of its range, which no other strategy here has. tenacity's
//! `multiplier` is in seconds (a scale, not a growth factor: that is `exp_base`), so it is a
//! duration here. The defaults are `multiplier = 1` (s), `min = 0`, `max = sys.maxsize / 2` s.
//!
//! Transcendental functions come from `libm` (`exp2`, `tanh`, `sqrt`), so V2's values are the
//! same on every platform.

#[cfg(test)]
mod tests;

pub use crate::defaults::{AWS_SDK_BASE_DELAY, AWS_SDK_MAX_BACKOFF};
use sim_core::rng::SimRng;
use sim_core::time::SimDuration;

/// Envoy's default `retry_back_off.base_interval`: 25 ms.
pub const ENVOY_BASE_INTERVAL: SimDuration = SimDuration::from_millis(25);
/// Envoy's default `retry_back_off.max_interval`: 10 × the base interval, 250 ms.
pub const ENVOY_MAX_INTERVAL: SimDuration = SimDuration::from_millis(250);

/// tenacity's default `multiplier` for `wait_random_exponential`: 1 (second).
pub const TENACITY_MULTIPLIER: SimDuration = SimDuration::from_secs(1);
/// tenacity's default `max`, `sys.maxsize / 2` seconds (`_utils.MAX_WAIT`), is far beyond the
/// longest [`SimDuration`] (about 584 years), which stands in for it.
pub const TENACITY_MAX: SimDuration = SimDuration::MAX;

/// Polly V2's `pFactor`, smoothing the first delay.
const POLLY_P_FACTOR: f64 = 4.0;
/// Polly V2's `rpScalingFactor`, bringing the medians near 1, 2, 4 … × the first delay.
const POLLY_SCALING: f64 = 1.0 / 1.4;

/// How long to sleep before each retry.
#[derive(Clone, Debug, PartialEq)]
pub enum Backoff {
    /// Retry at once.
    None,
    /// The same sleep before every retry.
    Fixed {
        /// Sleep before each retry.
        delay: SimDuration,
    },
    /// `expo(n) = min(cap, base · 2^n)`: 1 s, 2 s, 4 s … with a base of 1 s.
    Exponential {
        /// Sleep before the first retry.
        base: SimDuration,
        /// Longest sleep.
        cap: SimDuration,
    },
    /// AWS "full jitter": `U(0, expo(n))`.
    FullJitter {
        /// Top of the first retry's range.
        base: SimDuration,
        /// Largest top of the range.
        cap: SimDuration,
    },
    /// AWS "equal jitter": `v/2 + U(0, v/2)` with `v = expo(n)`.
    EqualJitter {
        /// `v` for the first retry.
        base: SimDuration,
        /// Largest `v`.
        cap: SimDuration,
    },
    /// AWS "decorrelated jitter": `s = min(cap, U(base, 3 · s_prev))`, `s_prev` starting at `base`.
    /// Needs `base ≤ cap`; draws pile up exactly at `cap`.
    DecorrelatedJitter {
        /// Shortest sleep, and the starting `s_prev`.
        base: SimDuration,
        /// Longest sleep.
        cap: SimDuration,
    },
    /// Polly's decorrelated jitter V2 (see the module docs), the result capped at `cap`.
    DecorrelatedJitterV2 {
        /// Polly's `medianFirstRetryDelay`, the scale of the series (the first delay's actual
        /// median is about 0.897 × this).
        median_first_delay: SimDuration,
        /// Longest sleep (Polly v8 `MaxDelay`).
        cap: SimDuration,
    },
    /// Envoy: retry `N` (from 1) sleeps `U[0, (2^N − 1) · base)`, the range capped at `max`.
    /// Defaults [`ENVOY_BASE_INTERVAL`] and [`ENVOY_MAX_INTERVAL`].
    Envoy {
        /// `base_interval` (Envoy default 25 ms).
        base: SimDuration,
        /// `max_interval` (Envoy default 10 × base).
        max: SimDuration,
    },
    /// gRPC A6: retry `n` (from 1) sleeps `U(0, min(initial · multiplier^(n−1), max))`.
    Grpc {
        /// `initialBackoff`.
        initial: SimDuration,
        /// `backoffMultiplier` (> 0).
        multiplier: f64,
        /// `maxBackoff`.
        max: SimDuration,
    },
    /// tenacity's `wait_random_exponential`: retry `n` (from 0) sleeps
    /// `U(min, max(min, min(multiplier · 2^n, max)))` (see the module docs). Needs `min ≤ max`.
    Tenacity {
        /// `multiplier`: the top of the first retry's range (tenacity default 1 s).
        multiplier: SimDuration,
        /// `min`: the shortest sleep, and the lowest top of the range (tenacity default 0).
        min: SimDuration,
        /// `max`: the largest top of the range.
        max: SimDuration,
    },
}

/// Per-logical-call memory of the decorrelated strategies; start each call with
/// [`BackoffState::new`] and pass retries to [`Backoff::next_sleep`] in order (0, 1, 2 …).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BackoffState {
    /// AWS decorrelated jitter: the previous sleep (`None` before the first retry = `base`).
    prev_sleep: Option<SimDuration>,
    /// Polly V2: the previous value of `next` (dimensionless, starts at 0).
    prev_next: f64,
}

impl BackoffState {
    /// The state of a call that has not retried yet.
    pub fn new() -> BackoffState {
        BackoffState {
            prev_sleep: None,
            prev_next: 0.0,
        }
    }
}

impl Backoff {
    /// Sleep before retry number `retry` (0 = the first retry, after the first failed attempt).
    pub fn next_sleep(&self, retry: u32, state: &mut BackoffState, rng: &mut SimRng) -> SimDuration {
        match *self {
            Backoff::None => SimDuration::ZERO,
            Backoff::Fixed { delay } => delay,
            Backoff::Exponential { base, cap } => expo(base, cap, retry),
            Backoff::FullJitter { base, cap } => {
                let v = expo(base, cap, retry).as_secs_f64();
                SimDuration::from_secs_f64(rng.uniform() * v)
            }
            Backoff::EqualJitter { base, cap } => {
                let half = expo(base, cap, retry).as_secs_f64() / 2.0;
                SimDuration::from_secs_f64(half + rng.uniform() * half)
            }
            Backoff::DecorrelatedJitter { base, cap } => {
                let prev = state.prev_sleep.unwrap_or(base).as_secs_f64();
                let drawn = rng.uniform_range(base.as_secs_f64(), 3.0 * prev);
                let sleep = SimDuration::from_secs_f64(drawn.min(cap.as_secs_f64()));
                state.prev_sleep = Some(sleep);
                sleep
            }
            Backoff::DecorrelatedJitterV2 {
                median_first_delay,
                cap,
            } => polly_v2(retry, median_first_delay, cap, state, rng),
            Backoff::Envoy { base, max } => {
                SimDuration::from_secs_f64(rng.uniform() * envoy_range(base, max, retry).as_secs_f64())
            }
            Backoff::Grpc {
                initial,
                multiplier,
                max,
            } => {
                let range = grpc_range(initial, multiplier, max, retry).as_secs_f64();
                SimDuration::from_secs_f64(rng.uniform() * range)
            }
            Backoff::Tenacity { multiplier, min, max } => {
                let high = tenacity_high(multiplier, min, max, retry).as_secs_f64();
                SimDuration::from_secs_f64(rng.uniform_range(min.as_secs_f64(), high))
            }
        }
    }

    /// The longest sleep this strategy can return before retry `retry` (the top of the range for
    /// the memoryless strategies, `cap` for the decorrelated ones).
    pub fn ceiling(&self, retry: u32) -> SimDuration {
        match *self {
            Backoff::None => SimDuration::ZERO,
            Backoff::Fixed { delay } => delay,
            Backoff::Exponential { base, cap }
            | Backoff::FullJitter { base, cap }
            | Backoff::EqualJitter { base, cap } => expo(base, cap, retry),
            Backoff::DecorrelatedJitter { cap, .. } | Backoff::DecorrelatedJitterV2 { cap, .. } => cap,
            Backoff::Envoy { base, max } => envoy_range(base, max, retry),
            Backoff::Grpc {
                initial,
                multiplier,
                max,
            } => grpc_range(initial, multiplier, max, retry),
            Backoff::Tenacity { multiplier, min, max } => tenacity_high(multiplier, min, max, retry),
        }
    }

    /// Short name for outputs: "none", "fixed", "exponential", "full_jitter", "equal_jitter",
    /// "decorrelated_jitter", "decorrelated_jitter_v2", "envoy", "grpc", "tenacity".
    pub fn name(&self) -> &'static str {
        match self {
            Backoff::None => "none",
            Backoff::Fixed { .. } => "fixed",
            Backoff::Exponential { .. } => "exponential",
            Backoff::FullJitter { .. } => "full_jitter",
            Backoff::EqualJitter { .. } => "equal_jitter",
            Backoff::DecorrelatedJitter { .. } => "decorrelated_jitter",
            Backoff::DecorrelatedJitterV2 { .. } => "decorrelated_jitter_v2",
            Backoff::Envoy { .. } => "envoy",
            Backoff::Grpc { .. } => "grpc",
            Backoff::Tenacity { .. } => "tenacity",
        }
    }

    /// Checks the parameters the formulas need: `base ≤ cap` for AWS decorrelated jitter (its
    /// uniform draw starts at `base`), a positive base for Envoy (as Envoy asserts), and a finite
    /// positive gRPC multiplier (A6), and `min ≤ max` for tenacity (tenacity itself would then
    /// always sleep `min`, which is surely not what was meant). Returns a message naming the
    /// offending parameter.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Backoff::DecorrelatedJitter { base, cap } if base > cap => Err(format!(
                "decorrelated_jitter: base ({base}) must not exceed cap ({cap})"
            )),
            Backoff::Envoy { base, .. } if base.is_zero() => Err("envoy: base must be positive".to_string()),
            Backoff::Envoy { base, max } if base > max => {
                Err(format!("envoy: base ({base}) must not exceed max ({max})"))
            }
            Backoff::Grpc { multiplier, .. } if !(multiplier.is_finite() && multiplier > 0.0) => Err(
                format!("grpc: multiplier must be a positive number, got {multiplier}"),
            ),
            Backoff::Tenacity { min, max, .. } if min > max => {
                Err(format!("tenacity: min ({min}) must not exceed max ({max})"))
            }
            _ => Ok(()),
        }
    }
}

/// `min(cap, base · 2^n)` in integer nanoseconds, saturating: a shift that would overflow (or any
/// `n ≥ 64`) gives `cap`.
fn expo(base: SimDuration, cap: SimDuration, n: u32) -> SimDuration {
    let b = base.as_nanos();
    if b == 0 {
        return SimDuration::ZERO;
    }
    if n >= 64 || b > (u64::MAX >> n) {
        return cap;
    }
    SimDuration::from_nanos(b << n).min(cap)
}

/// tenacity's `wait_exponential` value before retry `retry` (after failed attempt `retry + 1`):
/// `max(min, min(multiplier · 2^retry, max))`, in integer nanoseconds, saturating.
fn tenacity_high(multiplier: SimDuration, min: SimDuration, max: SimDuration, retry: u32) -> SimDuration {
    expo(multiplier, max, retry).max(min)
}

/// Envoy's range for retry `retry + 1`: `min((2^(retry+1) − 1) · base, max)`, saturating.
fn envoy_range(base: SimDuration, max: SimDuration, retry: u32) -> SimDuration {
    let n = retry.saturating_add(1);
    if n >= 64 {
        return max;
    }
    let multiplier = (1u64 << n) - 1;
    match base.as_nanos().checked_mul(multiplier) {
        Some(nanos) => SimDuration::from_nanos(nanos).min(max),
        None => max,
    }
}

/// gRPC's interval before retry `retry` (from 0), updated the grpc-java way: start at
/// `min(initial, max)`, then `retry` times `interval ← min(⌊interval · multiplier⌋, max)`.
/// Stops early at a fixed point, so a huge `retry` costs at most a few hundred steps.
fn grpc_range(initial: SimDuration, multiplier: f64, max: SimDuration, retry: u32) -> SimDuration {
    let cap = max.as_nanos();
    let mut interval = initial.as_nanos().min(cap);
    for _ in 0..retry {
        // `as u64` saturates (and maps NaN to 0), so this never overflows.
        let next = ((interval as f64 * multiplier) as u64).min(cap);
        if next == interval {
            break;
        }
        interval = next;
    }
    SimDuration::from_nanos(interval)
}

/// Polly's decorrelated jitter V2 for retry `retry`, capped at `cap`.
fn polly_v2(
    retry: u32,
    median_first_delay: SimDuration,
    cap: SimDuration,
    state: &mut BackoffState,
    rng: &mut SimRng,
) -> SimDuration {
    let t = f64::from(retry) + rng.uniform();
    let next = libm::exp2(t) * libm::tanh(libm::sqrt(POLLY_P_FACTOR * t));
    let intrinsic = next - state.prev_next;
    state.prev_next = next;
    let secs = intrinsic * POLLY_SCALING * median_first_delay.as_secs_f64();
    // Past t ≈ 1024 `next` is infinite (Polly v8 returns its maximum there): cap it.
    if secs.is_nan() || secs >= cap.as_secs_f64() {
        return cap;
    }
    SimDuration::from_secs_f64(secs)
}
