//! Retry budgets: limits on retries shared by all calls of one caller on one edge, so that
//! retries cannot multiply load without bound (the sustaining effect of metastable failures).
//!
//! Four mechanisms, each as its source implements it:
//!
//! - **gRPC retry throttling** (proposal A6; grpc-java `RetriableStream.Throttle`, grpc-core
//!   `ServerRetryThrottleData`): tokens start at `max_tokens`; every failed attempt costs 1 token
//!   (floored at 0), every success adds `token_ratio` (capped at `max_tokens`); a retry is
//!   allowed only while `tokens > max_tokens / 2` — at exactly half, retries stop. Both
//!   implementations count in thousandths of a token (A6 allows three decimals), so do we:
//!   `0.1` added ten times is exactly one token. Granting a retry charges nothing (the failure
//!   that caused it already did); the caller reports which failures count (A6: retryable
//!   status codes) through [`RetryBudget::on_attempt_result`].
//! - **Brooker's token bucket** (mbrooker/simulator_example `retry_sim/retry_strategy.py`,
//!   `AdaptiveRetryStrategy`): the bucket starts full at `capacity`; each new call (first attempt
//!   only, `start()`) deposits `deposit` up to `capacity`; a retry is allowed only if
//!   `tokens > retry_cost`, strictly (`if self.bucket > 1.0`), and then costs `retry_cost`. A
//!   bucket holding exactly `retry_cost` tokens refuses. Attempt results do not touch the bucket.
//! - **Envoy retry budget** (`CircuitBreakers.Thresholds.RetryBudget`, `ResourceManagerImpl`):
//!   concurrent active retries must stay below `max(min_retry_concurrency, ⌊budget_percent/100 ×
//!   (active + pending requests)⌋)`; a retry is allowed if `active_retries < bound` and counts as
//!   active until [`RetryBudget::on_retry_finished`]. Envoy counts every active upstream request
//!   of the cluster (retries included) plus those pending a connection; the caller passes that
//!   number as `active_requests`.
//! - **Finagle `RetryBudget`** (also Linkerd's): over a sliding `ttl`, retries may add
//!   `percent_can_retry` of the requests plus a reserve of `min_retries_per_sec × ttl`. Finagle
//!   keeps a leaky token bucket in fixed point: each request deposits 1000, a retry withdraws
//!   `W = ⌊1000 / percent_can_retry⌋` if the balance (deposits − withdrawals in the window, plus
//!   the reserve `min_retries_per_sec × ⌊ttl⌋s × W`) is at least `W`. Both deposits and
//!   withdrawals expire with the window, a `WindowedAdder` of 10 slices of `ttl/10`. Finagle's
//!   slices start whenever the adder is next touched after the previous one ended; ours are
//!   aligned to multiples of `ttl/10`, so reading the level never changes the result.
//!
//! Memory is fixed: a few numbers, and for Finagle 10 slice sums.

#[cfg(test)]
mod tests;

use sim_core::time::{SimDuration, SimTime};

/// gRPC A6 example (and meshsim's suggested) `maxTokens`: 10.
pub const GRPC_MAX_TOKENS: f64 = 10.0;
/// gRPC A6 example `tokenRatio`: 0.1.
pub const GRPC_TOKEN_RATIO: f64 = 0.1;
/// Brooker's simulation: deposit per new call, 0.1 token.
pub const BROOKER_DEPOSIT: f64 = 0.1;
/// Brooker's simulation: bucket size, 5 tokens.
pub const BROOKER_CAPACITY: f64 = 5.0;
/// Brooker's simulation: cost (and threshold) of a retry, 1 token.
pub const BROOKER_RETRY_COST: f64 = 1.0;
/// Envoy `retry_budget.budget_percent` default: 20 (%).
pub const ENVOY_BUDGET_PERCENT: f64 = 20.0;
/// Envoy `retry_budget.min_retry_concurrency` default: 3.
pub const ENVOY_MIN_RETRY_CONCURRENCY: u32 = 3;
/// Finagle `RetryBudget` default `ttl`: 10 s.
pub const FINAGLE_TTL: SimDuration = SimDuration::from_secs(10);
/// Finagle `RetryBudget` default `minRetriesPerSec`: 10.
pub const FINAGLE_MIN_RETRIES_PER_SEC: f64 = 10.0;
/// Finagle `RetryBudget` default `percentCanRetry`: 0.2 (a fraction: 20 %).
pub const FINAGLE_PERCENT_CAN_RETRY: f64 = 0.2;

/// Slices of Finagle's `WindowedAdder` over the ttl.
const FINAGLE_SLICES: u64 = 10;
/// Finagle's fixed-point scale: a request deposits this much.
const FINAGLE_SCALE: i64 = 1000;
/// gRPC's fixed-point scale: thousandths of a token.
const GRPC_SCALE: f64 = 1000.0;

/// Which retry budget, with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum RetryBudgetConfig {
    /// gRPC retryThrottling (A6): tokens start at max_tokens; each failed attempt −1, each success
    /// +token_ratio (capped at max); a retry is allowed only while tokens > max_tokens/2.
    GrpcThrottling {
        /// `maxTokens`, in (0, 1000] (example [`GRPC_MAX_TOKENS`]).
        max_tokens: f64,
        /// `tokenRatio`, tokens added per success, > 0, three decimals (example [`GRPC_TOKEN_RATIO`]).
        token_ratio: f64,
    },
    /// Brooker token bucket: each new call deposits `deposit` up to `capacity` (starting full); a
    /// retry is allowed only if tokens > `retry_cost` (strictly), and then costs `retry_cost`.
    Brooker {
        /// Tokens added per new call (Brooker: [`BROOKER_DEPOSIT`]).
        deposit: f64,
        /// Bucket size, and the initial content (Brooker: [`BROOKER_CAPACITY`]).
        capacity: f64,
        /// Tokens a retry costs, and the level it must exceed (Brooker: [`BROOKER_RETRY_COST`]).
        retry_cost: f64,
    },
    /// Envoy retry_budget: concurrent active retries < max(min_retry_concurrency,
    /// ⌊budget_percent% × (active + pending requests)⌋).
    Envoy {
        /// Percent (0–100) of active requests that may be retries (default [`ENVOY_BUDGET_PERCENT`]).
        budget_percent: f64,
        /// Concurrent retries always allowed (default [`ENVOY_MIN_RETRY_CONCURRENCY`]).
        min_retry_concurrency: u32,
    },
    /// Finagle RetryBudget / Linkerd: over a sliding `ttl`, retries ≤ percent_can_retry ×
    /// requests + min_retries_per_sec × ttl.
    Finagle {
        /// Window, between 1 s and 60 s as Finagle requires (default [`FINAGLE_TTL`]).
        ttl: SimDuration,
        /// Reserve, retries per second allowed without requests (default
        /// [`FINAGLE_MIN_RETRIES_PER_SEC`]).
        min_retries_per_sec: f64,
        /// Retries per request, a fraction in [0, 1000] (0.2 = 20 %, default
        /// [`FINAGLE_PERCENT_CAN_RETRY`]).
        percent_can_retry: f64,
    },
}

impl RetryBudgetConfig {
    /// Short name: "grpc", "brooker", "envoy", "finagle".
    pub fn name(&self) -> &'static str {
        match self {
            RetryBudgetConfig::GrpcThrottling { .. } => "grpc",
            RetryBudgetConfig::Brooker { .. } => "brooker",
            RetryBudgetConfig::Envoy { .. } => "envoy",
            RetryBudgetConfig::Finagle { .. } => "finagle",
        }
    }

    /// Checks the ranges the sources enforce; the message names the parameter.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.name();
        let check = |ok: bool, what: &str, v: f64| {
            if ok {
                Ok(())
            } else {
                Err(format!("{name}: {what}, got {v}"))
            }
        };
        match *self {
            RetryBudgetConfig::GrpcThrottling {
                max_tokens,
                token_ratio,
            } => {
                check(
                    max_tokens > 0.0 && max_tokens <= 1000.0,
                    "max_tokens must be in (0, 1000]",
                    max_tokens,
                )?;
                check(
                    token_ratio > 0.0 && token_ratio.is_finite(),
                    "token_ratio must be positive",
                    token_ratio,
                )
            }
            RetryBudgetConfig::Brooker {
                deposit,
                capacity,
                retry_cost,
            } => {
                check(
                    deposit >= 0.0 && deposit.is_finite(),
                    "deposit must be ≥ 0",
                    deposit,
                )?;
                check(
                    capacity > 0.0 && capacity.is_finite(),
                    "capacity must be positive",
                    capacity,
                )?;
                check(
                    retry_cost > 0.0 && retry_cost.is_finite(),
                    "retry_cost must be positive",
                    retry_cost,
                )
            }
            RetryBudgetConfig::Envoy { budget_percent, .. } => check(
                (0.0..=100.0).contains(&budget_percent),
                "budget_percent must be in [0, 100]",
                budget_percent,
            ),
            RetryBudgetConfig::Finagle {
                ttl,
                min_retries_per_sec,
                percent_can_retry,
            } => {
                let secs = ttl.as_secs_f64();
                check(
                    (1.0..=60.0).contains(&secs),
                    "ttl must be between 1 s and 60 s",
                    secs,
                )?;
                check(
                    min_retries_per_sec >= 0.0 && min_retries_per_sec.is_finite(),
                    "min_retries_per_sec must be ≥ 0",
                    min_retries_per_sec,
                )?;
                check(
                    (0.0..=1000.0).contains(&percent_can_retry),
                    "percent_can_retry must be in [0, 1000]",
                    percent_can_retry,
                )
            }
        }
    }
}

/// One retry budget's state.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryBudget {
    config: RetryBudgetConfig,
    state: State,
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    /// Thousandths of a token.
    Grpc {
        tokens: i64,
        max: i64,
        threshold: i64,
        ratio: i64,
    },
    Brooker {
        tokens: f64,
        deposit: f64,
        capacity: f64,
        retry_cost: f64,
    },
    Envoy {
        active_retries: u64,
    },
    Finagle(FinagleBucket),
}

impl RetryBudget {
    /// A fresh budget (full bucket, empty windows).
    ///
    /// # Panics
    /// If the configuration is invalid (see [`RetryBudgetConfig::validate`]).
    pub fn new(config: RetryBudgetConfig, now: SimTime) -> RetryBudget {
        if let Err(e) = config.validate() {
            panic!("invalid retry budget: {e}");
        }
        let state = match config {
            RetryBudgetConfig::GrpcThrottling {
                max_tokens,
                token_ratio,
            } => {
                let max = (max_tokens * GRPC_SCALE).round() as i64;
                let ratio = (token_ratio * GRPC_SCALE).round() as i64;
                State::Grpc {
                    tokens: max,
                    max,
                    threshold: max / 2,
                    ratio,
                }
            }
            RetryBudgetConfig::Brooker {
                deposit,
                capacity,
                retry_cost,
            } => State::Brooker {
                tokens: capacity,
                deposit,
                capacity,
                retry_cost,
            },
            RetryBudgetConfig::Envoy { .. } => State::Envoy { active_retries: 0 },
            RetryBudgetConfig::Finagle {
                ttl,
                min_retries_per_sec,
                percent_can_retry,
            } => State::Finagle(FinagleBucket::new(
                ttl,
                min_retries_per_sec,
                percent_can_retry,
                now,
            )),
        };
        RetryBudget { config, state }
    }

    /// The configuration.
    pub fn config(&self) -> &RetryBudgetConfig {
        &self.config
    }

    /// A logical call's first attempt starts (Brooker and Finagle deposit).
    pub fn on_request(&mut self, now: SimTime) {
        match &mut self.state {
            State::Brooker {
                tokens,
                deposit,
                capacity,
                ..
            } => *tokens = (*tokens + *deposit).min(*capacity),
            State::Finagle(bucket) => bucket.deposit(now),
            State::Grpc { .. } | State::Envoy { .. } => {}
        }
    }

    /// Any attempt finished (gRPC: a failure costs a token, a success adds `token_ratio`). The
    /// caller decides which failures count (A6: those with a retryable status).
    pub fn on_attempt_result(&mut self, _now: SimTime, success: bool) {
        if let State::Grpc {
            tokens, max, ratio, ..
        } = &mut self.state
        {
            *tokens = if success {
                (*tokens + *ratio).min(*max)
            } else {
                (*tokens - GRPC_SCALE as i64).max(0)
            };
        }
    }

    /// Asks permission to start a retry now; `active_requests` = calls currently in flight on
    /// this edge (for Envoy). If granted, the budget is charged (Envoy: an active retry is
    /// counted until `on_retry_finished`).
    pub fn try_retry(&mut self, now: SimTime, active_requests: u64) -> bool {
        match &mut self.state {
            State::Grpc {
                tokens, threshold, ..
            } => *tokens > *threshold,
            State::Brooker {
                tokens, retry_cost, ..
            } => {
                let ok = *tokens > *retry_cost;
                if ok {
                    *tokens -= *retry_cost;
                }
                ok
            }
            State::Envoy { active_retries } => {
                let ok = *active_retries < envoy_bound(&self.config, active_requests);
                if ok {
                    *active_retries += 1;
                }
                ok
            }
            State::Finagle(bucket) => bucket.try_withdraw(now),
        }
    }

    /// A granted retry attempt finished (Envoy bookkeeping; no-op for others).
    pub fn on_retry_finished(&mut self, _now: SimTime) {
        if let State::Envoy { active_retries } = &mut self.state {
            debug_assert!(
                *active_retries > 0,
                "envoy budget: retry finished without one active"
            );
            *active_retries = active_retries.saturating_sub(1);
        }
    }

    /// The level to plot over time:
    /// - gRPC, Brooker: tokens in the bucket;
    /// - Envoy: retries that could start now, `bound(active_requests) − active retries` (≥ 0);
    /// - Finagle: retries that could start now, Finagle's `balance` (`⌊count / W⌋`), floored at 0
    ///   (Finagle's own gauge dips below zero while expired deposits leave withdrawals behind).
    pub fn level(&self, now: SimTime, active_requests: u64) -> f64 {
        match &self.state {
            State::Grpc { tokens, .. } => *tokens as f64 / GRPC_SCALE,
            State::Brooker { tokens, .. } => *tokens,
            State::Envoy { active_retries } => {
                envoy_bound(&self.config, active_requests).saturating_sub(*active_retries) as f64
            }
            State::Finagle(bucket) => bucket.balance(now).max(0) as f64,
        }
    }

    /// Envoy: retries currently counted as active (0 for the other budgets).
    pub fn active_retries(&self) -> u64 {
        match self.state {
            State::Envoy { active_retries } => active_retries,
            _ => 0,
        }
    }

    /// Short name: "grpc", "brooker", "envoy", "finagle".
    pub fn name(&self) -> &'static str {
        self.config.name()
    }
}

/// Envoy's concurrent-retry bound: `max(⌊percent/100 × active⌋, min)` (a double truncated to
/// `uint64_t`, as `std::max<uint64_t>` does). Zero for the other budgets.
pub fn envoy_bound(config: &RetryBudgetConfig, active_requests: u64) -> u64 {
    match *config {
        RetryBudgetConfig::Envoy {
            budget_percent,
            min_retry_concurrency,
        } => {
            let share = (budget_percent / 100.0 * active_requests as f64) as u64;
            share.max(u64::from(min_retry_concurrency))
        }
        _ => 0,
    }
}

/// Finagle's leaky token bucket over a windowed adder of 10 slices of `ttl / 10`.
#[derive(Clone, Debug, PartialEq)]
struct FinagleBucket {
    /// Width of a slice, in nanoseconds (≥ 100 ms since ttl ≥ 1 s).
    slice: u64,
    /// Slot `k % 10` holds slice `k`'s index and its sum of deposits − withdrawals.
    index: [u64; FINAGLE_SLICES as usize],
    sums: [i64; FINAGLE_SLICES as usize],
    deposit: i64,
    withdrawal: i64,
    reserve: i64,
}

impl FinagleBucket {
    fn new(ttl: SimDuration, min_retries_per_sec: f64, percent_can_retry: f64, now: SimTime) -> Self {
        // Finagle: with no percentage, requests earn nothing and a retry costs 1.
        let (deposit, withdrawal) = if percent_can_retry == 0.0 {
            (0, 1)
        } else {
            (FINAGLE_SCALE, (FINAGLE_SCALE as f64 / percent_can_retry) as i64)
        };
        let whole_secs = (ttl.as_nanos() / 1_000_000_000) as f64;
        let reserve = (min_retries_per_sec * whole_secs * withdrawal as f64) as i64;
        let slice = ttl.as_nanos() / FINAGLE_SLICES;
        let current = now.as_nanos() / slice;
        FinagleBucket {
            slice,
            index: [current; FINAGLE_SLICES as usize],
            sums: [0; FINAGLE_SLICES as usize],
            deposit,
            withdrawal,
            reserve,
        }
    }

    /// Deposits minus withdrawals in the live slices (the current one and the 9 before), plus
    /// the reserve.
    fn count(&self, now: SimTime) -> i64 {
        let current = now.as_nanos() / self.slice;
        let live = |i: usize| self.index[i] <= current && self.index[i] + FINAGLE_SLICES > current;
        let window: i64 = (0..self.sums.len())
            .filter(|&i| live(i))
            .map(|i| self.sums[i])
            .sum();
        window + self.reserve
    }

    fn add(&mut self, now: SimTime, amount: i64) {
        let current = now.as_nanos() / self.slice;
        let slot = (current % FINAGLE_SLICES) as usize;
        if self.index[slot] != current {
            self.index[slot] = current;
            self.sums[slot] = 0;
        }
        self.sums[slot] += amount;
    }

    fn deposit(&mut self, now: SimTime) {
        self.add(now, self.deposit);
    }

    /// `tryGet(W)`: withdraw if the count is at least `W`.
    fn try_withdraw(&mut self, now: SimTime) -> bool {
        let ok = self.count(now) >= self.withdrawal;
        if ok {
            self.add(now, -self.withdrawal);
        }
        ok
    }

    /// Finagle's `balance`: retries the count would pay for now (may be negative).
    fn balance(&self, now: SimTime) -> i64 {
        self.count(now) / self.withdrawal
    }
}
