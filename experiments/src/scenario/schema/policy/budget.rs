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

/// Reads gRPC's retry throttling: `max_tokens` and `token_ratio`.
fn read_grpc(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::GrpcThrottling {
        max_tokens: t.optional_or("max_tokens", bu::GRPC_MAX_TOKENS, |i| {
            i.number_where(|x| x > 0.0 && x <= 1000.0, "a number > 0 and ≤ 1000")
        })?,
        token_ratio: t.optional_or("token_ratio", bu::GRPC_TOKEN_RATIO, Item::as_positive)?,
    })
}

/// Reads Brooker's token bucket: `deposit`, `capacity` and `retry_cost`, in tokens.
fn read_brooker(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::Brooker {
        deposit: t.optional_or("deposit", bu::BROOKER_DEPOSIT, Item::as_non_negative)?,
        capacity: t.optional_or("capacity", bu::BROOKER_CAPACITY, Item::as_positive)?,
        retry_cost: t.optional_or("retry_cost", bu::BROOKER_RETRY_COST, Item::as_positive)?,
    })
}

/// Reads Envoy's retry budget: `percent` of active requests and `min_concurrent` retries.
fn read_envoy(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::Envoy {
        budget_percent: t.optional_or("percent", bu::ENVOY_BUDGET_PERCENT, |i| i.as_percent(true))?,
        min_retry_concurrency: t.optional_or("min_concurrent", bu::ENVOY_MIN_RETRY_CONCURRENCY, |i| {
            i.as_u32_at_least(0)
        })?,
    })
}

/// Reads Finagle's retry budget: `ttl` (1 s to 60 s), `min_retries_per_sec` and `percent`
/// (stored as a fraction).
fn read_finagle(t: &mut TableReader<'_>) -> Result<RetryBudgetConfig> {
    Ok(RetryBudgetConfig::Finagle {
        ttl: t.optional_or("ttl", bu::FINAGLE_TTL, |i| {
            let ttl = i.as_duration()?;
            if ttl < SimDuration::from_secs(1) || ttl > SimDuration::from_secs(60) {
                return Err(i.value_error("a duration between 1s and 60s (Finagle's limits)"));
            }
            Ok(ttl)
        })?,
        min_retries_per_sec: t.optional_or(
            "min_retries_per_sec",
            bu::FINAGLE_MIN_RETRIES_PER_SEC,
            Item::as_non_negative,
        )?,
        percent_can_retry: t.optional_or("percent", bu::FINAGLE_PERCENT_CAN_RETRY * 100.0, |i| {
            i.number_where(
                |x| (0.0..=100_000.0).contains(&x),
                "a percentage between 0 and 100000",
            )
        })? / 100.0,
    })
}
