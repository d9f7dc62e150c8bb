//! `retry.budget`: the retry budget, one of gRPC's throttling, Brooker's token bucket, Envoy's
//! budget or Finagle's.

use models::policy::budget::{self as bu, RetryBudgetConfig};
use sim_core::time::SimDuration;

use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader};

#[derive(Copy, Clone)]
enum Kind {
    Grpc,
    Brooker,
    Envoy,
    Finagle,
}

/// Reads `retry.budget`.
pub(super) fn read_budget(item: &Item<'_>) -> Result<RetryBudgetConfig> {
    let mut t = item.as_table()?;
    let kind = t.required("kind")?.as_enum(&[
        ("grpc", Kind::Grpc),
        ("brooker", Kind::Brooker),
        ("envoy", Kind::Envoy),
        ("finagle", Kind::Finagle),
    ])?;
    let config = match kind {
        Kind::Grpc => read_grpc(&mut t)?,
        Kind::Brooker => read_brooker(&mut t)?,
        Kind::Envoy => read_envoy(&mut t)?,
        Kind::Finagle => read_finagle(&mut t)?,
    };
    t.finish()?;
    config
        .validate()
        .map_err(|why| item.error(ErrorKind::Value, "valid retry budget parameters", why))?;
    Ok(config)
}

/// The number at `key` if present (checked by `ok`, described by `expected`), else `default`.
fn number(
    t: &mut TableReader<'_>,
    key: &str,
    default: f64,
    ok: fn(f64) -> bool,
    expected: &str,
) -> Result<f64> {
    t.optional(key)
        .map(|i| i.number_where(ok, expected))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

/// Reads gRPC's retry throttling: `max_tokens` and `token_ratio`.
fn read_grpc(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::GrpcThrottling {
        max_tokens: number(
            t,
            "max_tokens",
            bu::GRPC_MAX_TOKENS,
            |x| x > 0.0 && x <= 1000.0,
            "a number > 0 and ≤ 1000",
        )?,
        token_ratio: number(
            t,
            "token_ratio",
            bu::GRPC_TOKEN_RATIO,
            |x| x > 0.0,
            "a number > 0",
        )?,
    })
}

/// Reads Brooker's token bucket: `deposit`, `capacity` and `retry_cost`, in tokens.
fn read_brooker(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::Brooker {
        deposit: number(t, "deposit", bu::BROOKER_DEPOSIT, |x| x >= 0.0, "a number ≥ 0")?,
        capacity: number(t, "capacity", bu::BROOKER_CAPACITY, |x| x > 0.0, "a number > 0")?,
        retry_cost: number(
            t,
            "retry_cost",
            bu::BROOKER_RETRY_COST,
            |x| x > 0.0,
            "a number > 0",
        )?,
    })
}

/// Reads Envoy's retry budget: `percent` of active requests and `min_concurrent` retries.
fn read_envoy(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::Envoy {
        budget_percent: number(
            t,
            "percent",
            bu::ENVOY_BUDGET_PERCENT,
            |x| (0.0..=100.0).contains(&x),
            "a percentage between 0 and 100",
        )?,
        min_retry_concurrency: t
            .optional("min_concurrent")
            .map(|i| i.as_u32_at_least(0))
            .transpose()?
            .unwrap_or(bu::ENVOY_MIN_RETRY_CONCURRENCY),
    })
}

/// Reads Finagle's retry budget: `ttl` (1 s to 60 s), `min_retries_per_sec` and `percent`
/// (stored as a fraction).
fn read_finagle(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    let ttl_item = t.optional("ttl");
    let ttl = ttl_item
        .as_ref()
        .map(|i| i.as_duration())
        .transpose()?
        .unwrap_or(bu::FINAGLE_TTL);
    if let Some(i) = &ttl_item
        && (ttl < SimDuration::from_secs(1) || ttl > SimDuration::from_secs(60))
    {
        return Err(i.value_error("a duration between 1s and 60s (Finagle's limits)"));
    }
    Ok(RetryBudgetConfig::Finagle {
        ttl,
        min_retries_per_sec: number(
            t,
            "min_retries_per_sec",
            bu::FINAGLE_MIN_RETRIES_PER_SEC,
            |x| x >= 0.0,
            "a number ≥ 0",
        )?,
        percent_can_retry: number(
            t,
            "percent",
            bu::FINAGLE_PERCENT_CAN_RETRY * 100.0,
            |x| (0.0..=100_000.0).contains(&x),
            "a percentage between 0 and 100000",
        )? / 100.0,
    })
}
