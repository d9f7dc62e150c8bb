//! The call policy types of a [`Spec`](super::Spec) (`[policies.NAME]`): timeouts, pool,
//! retries and their budget, circuit breaker, bulkhead, deadline and fallback.

use super::{DistSpec, Dur, Part, Timeout};

/// A call policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySpec {
    /// The table's name.
    pub name: String,
    /// `timeouts`: connect, read, write, pool, attempt.
    pub timeouts: Option<[Option<Timeout>; 5]>,
    /// `pool`.
    pub pool: Option<PoolSpec>,
    /// `retry`.
    pub retry: Option<Part<RetrySpec>>,
    /// `breaker`.
    pub breaker: Option<Part<BreakerSpec>>,
    /// `bulkhead`.
    pub bulkhead: Option<Part<BulkheadSpec>>,
    /// `deadline`.
    pub deadline: Option<Timeout>,
    /// `propagate_deadline`.
    pub propagate_deadline: Option<bool>,
    /// `fallback`.
    pub fallback: Option<FallbackSpec>,
    /// `order`: `Some(true)` resilience4j, `Some(false)` lesson.
    pub resilience4j: Option<bool>,
}

/// Connection pool settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSpec {
    /// `max_connections`.
    pub max_connections: Option<u32>,
    /// `max_keepalive`.
    pub max_keepalive: Option<u32>,
    /// `keepalive_expiry`.
    pub keepalive_expiry: Option<Dur>,
    /// `connect_time`.
    pub connect_time: Option<DistSpec>,
    /// `sticky`.
    pub sticky: Option<bool>,
    /// `shared`.
    pub shared: Option<String>,
}

/// Retries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetrySpec {
    /// `max_attempts`.
    pub max_attempts: Option<u32>,
    /// `on`.
    pub on: Option<Vec<&'static str>>,
    /// `backoff`.
    pub backoff: Option<&'static str>,
    /// `base`.
    pub base: Option<Dur>,
    /// `cap`.
    pub cap: Option<Dur>,
    /// `min` (tenacity's floor).
    pub min: Option<Dur>,
    /// `multiplier`.
    pub multiplier: Option<f64>,
    /// `budget`.
    pub budget: Option<BudgetSpec>,
}

/// A retry budget.
#[derive(Clone, Debug, PartialEq)]
pub enum BudgetSpec {
    /// gRPC: `max_tokens`, `token_ratio`.
    Grpc(Option<f64>, Option<f64>),
    /// Brooker: `deposit`, `capacity`, `retry_cost`.
    Brooker(Option<f64>, Option<f64>, Option<f64>),
    /// Envoy: `percent`, `min_concurrent`.
    Envoy(Option<f64>, Option<u32>),
    /// Finagle: `ttl`, `min_retries_per_sec`, `percent`.
    Finagle(Option<Dur>, Option<f64>, Option<f64>),
}

/// A circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub enum BreakerSpec {
    /// The lesson's: `failure_threshold`, `window`, `open_for`, `success_threshold`.
    Lesson(Option<u32>, Option<Dur>, Option<Dur>, Option<u32>),
    /// resilience4j's.
    R4j(R4jSpec),
    /// Hystrix: `window`, `request_volume`, `error_percent`, `sleep_window`.
    Hystrix(Option<Dur>, Option<u32>, Option<f64>, Option<Dur>),
}

/// resilience4j breaker settings.
#[derive(Clone, Debug, PartialEq)]
pub struct R4jSpec {
    /// `window`: `(time based, size or seconds)`.
    pub window: Option<(bool, u32)>,
    /// `minimum_calls`.
    pub minimum_calls: Option<u32>,
    /// `failure_rate`.
    pub failure_rate: Option<f64>,
    /// `slow_call_rate`.
    pub slow_call_rate: Option<f64>,
    /// `slow_call_duration`.
    pub slow_call_duration: Option<Dur>,
    /// `wait_in_open`.
    pub wait_in_open: Option<Dur>,
    /// `permitted_in_half_open`.
    pub permitted_in_half_open: Option<u32>,
    /// `automatic_transition`.
    pub automatic_transition: Option<bool>,
}

/// A bulkhead.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkheadSpec {
    /// `max_concurrent`.
    pub max_concurrent: Option<u32>,
    /// `max_wait`.
    pub max_wait: Option<Dur>,
}

/// A fallback.
#[derive(Clone, Debug, PartialEq)]
pub enum FallbackSpec {
    /// `"fail"` (`true`: as the table `{ kind = "fail" }`).
    Fail(bool),
    /// `"degrade"` (`true`: as a table).
    Degrade(bool),
    /// `"defer"` as a string.
    Defer,
    /// `{ kind = "defer", retry_every, capacity }`.
    DeferTable(Option<Dur>, Option<u32>),
}
