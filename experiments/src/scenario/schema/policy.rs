//! `[policies.NAME]`: timeouts, pool, retry (backoff, budget), breaker, bulkhead, deadline,
//! fallback and composition order.

use models::config::{Fallback, PolicyConfig, PolicyOrder, PoolConfig, RetryConfig, RetryOn, Timeouts};
use models::outcome::Failure;
use models::policy::backoff::{AWS_SDK_BASE_DELAY, AWS_SDK_MAX_BACKOFF, Backoff, ENVOY_BASE_INTERVAL};
use models::policy::breaker::{self as br, BreakerConfig, SlidingWindow};
use models::policy::budget::{self as bu, RetryBudgetConfig};
use models::policy::bulkhead::{BulkheadConfig, R4J_MAX_CONCURRENT_CALLS, R4J_MAX_WAIT};
use sim_core::dist::Dist;
use sim_core::time::SimDuration;

use crate::scenario::dist::read_dist;
use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader, closest, list};

/// httpx `Timeout(5.0)`: connect, read, write and pool timeouts.
pub const HTTPX_TIMEOUT: SimDuration = SimDuration::from_secs(5);
/// httpx `Limits.max_connections`.
pub const HTTPX_MAX_CONNECTIONS: u32 = 100;
/// httpx `Limits.max_keepalive_connections`.
pub const HTTPX_MAX_KEEPALIVE: u32 = 20;
/// httpx `Limits.keepalive_expiry`: 5 s.
pub const HTTPX_KEEPALIVE_EXPIRY: SimDuration = SimDuration::from_secs(5);
/// Default `retry.max_attempts` (AWS SDK standard mode, resilience4j, the SRE book): 3.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
/// Default `retry.on`.
pub const DEFAULT_RETRY_ON: [&str; 5] = ["timeout", "connect", "reset", "5xx", "rejected"];
/// gRPC A6 / grpc-java default `backoffMultiplier`.
pub const GRPC_MULTIPLIER: f64 = 1.6;
/// Default `fallback.retry_every` for deferred work.
pub const DEFER_RETRY_EVERY: SimDuration = SimDuration::from_secs(10);
/// Default `fallback.capacity` for deferred work.
pub const DEFER_CAPACITY: u32 = 10_000;

/// httpx's client defaults: `Timeout(5.0)`, `Limits(100, 20, 5.0)`, no retry, breaker or
/// bulkhead, no deadline.
pub fn httpx_default(name: &str) -> PolicyConfig {
    PolicyConfig {
        name: name.to_string(),
        timeouts: Timeouts {
            connect: Some(HTTPX_TIMEOUT),
            read: Some(HTTPX_TIMEOUT),
            write: Some(HTTPX_TIMEOUT),
            pool: Some(HTTPX_TIMEOUT),
            attempt: None,
        },
        pool: PoolConfig {
            max_connections: HTTPX_MAX_CONNECTIONS,
            max_keepalive: HTTPX_MAX_KEEPALIVE,
            keepalive_expiry: HTTPX_KEEPALIVE_EXPIRY,
            connect_time: Dist::Constant { value: 0.0 },
            sticky: false,
            shared: None,
        },
        retry: None,
        breaker: None,
        bulkhead: None,
        deadline: None,
        propagate_deadline: false,
        fallback: Fallback::Fail,
        order: PolicyOrder::Lesson,
    }
}

/// A client's implicit policy (a browser or load generator): no timeouts but the `deadline`, no
/// retries, and a pool that never limits.
pub fn unlimited(name: String, deadline: Option<SimDuration>) -> PolicyConfig {
    PolicyConfig {
        name,
        timeouts: Timeouts {
            connect: None,
            read: None,
            write: None,
            pool: None,
            attempt: None,
        },
        pool: PoolConfig {
            max_connections: u32::MAX,
            max_keepalive: u32::MAX,
            keepalive_expiry: SimDuration::from_secs(3600),
            connect_time: Dist::Constant { value: 0.0 },
            sticky: false,
            shared: None,
        },
        retry: None,
        breaker: None,
        bulkhead: None,
        deadline,
        propagate_deadline: false,
        fallback: Fallback::Fail,
        order: PolicyOrder::Lesson,
    }
}

/// Reads `[policies.NAME]`.
pub(super) fn read_policy(name: &str, item: &Item<'_>) -> Result<PolicyConfig> {
    let mut t = item.as_table()?;
    let mut p = httpx_default(name);
    if let Some(item) = t.optional("timeouts") {
        let mut tt = item.as_table()?;
        let mut read = |key: &str, default: Option<SimDuration>| -> Result<Option<SimDuration>> {
            tt.optional(key)
                .map(|i| i.as_timeout())
                .transpose()
                .map(|v| v.unwrap_or(default))
        };
        p.timeouts = Timeouts {
            connect: read("connect", Some(HTTPX_TIMEOUT))?,
            read: read("read", Some(HTTPX_TIMEOUT))?,
            write: read("write", Some(HTTPX_TIMEOUT))?,
            pool: read("pool", Some(HTTPX_TIMEOUT))?,
            attempt: read("attempt", None)?,
        };
        tt.finish()?;
    }
    if let Some(item) = t.optional("pool") {
        let mut pt = item.as_table()?;
        let pool = &mut p.pool;
        if let Some(i) = pt.optional("max_connections") {
            pool.max_connections = i.as_u32_at_least(1)?;
        }
        if let Some(i) = pt.optional("max_keepalive") {
            pool.max_keepalive = i.as_u32_at_least(0)?;
        }
        if let Some(i) = pt.optional("keepalive_expiry") {
            pool.keepalive_expiry = i.as_duration()?;
        }
        if let Some(i) = pt.optional("connect_time") {
            pool.connect_time = read_dist(&i)?;
        }
        if let Some(i) = pt.optional("sticky") {
            pool.sticky = i.as_bool()?;
        }
        if let Some(i) = pt.optional("shared") {
            let name = i.as_str()?;
            if name.is_empty() {
                return Err(i.value_error("a pool name (policies naming the same pool share it)"));
            }
            pool.shared = Some(name.to_string());
        }
        pt.finish()?;
    }
    // `"none"` switches a part off, so `--set policies.p.bulkhead=none` can remove it.
    let none = |i: &Item<'_>| i.is_str() && i.as_str().ok() == Some("none");
    p.retry = t
        .optional("retry")
        .filter(|i| !none(i))
        .map(|i| read_retry(&i))
        .transpose()?;
    p.breaker = t
        .optional("breaker")
        .filter(|i| !none(i))
        .map(|i| read_breaker(&i))
        .transpose()?;
    p.bulkhead = t
        .optional("bulkhead")
        .filter(|i| !none(i))
        .map(|i| read_bulkhead(&i))
        .transpose()?;
    p.deadline = t
        .optional("deadline")
        .map(|i| i.as_timeout())
        .transpose()?
        .flatten();
    if let Some(i) = t.optional("propagate_deadline") {
        p.propagate_deadline = i.as_bool()?;
    }
    if let Some(i) = t.optional("fallback") {
        p.fallback = read_fallback(&i)?;
    }
    if let Some(i) = t.optional("order") {
        p.order = i.as_enum(&[
            ("lesson", PolicyOrder::Lesson),
            ("resilience4j", PolicyOrder::Resilience4j),
        ])?;
    }
    t.finish()?;
    Ok(p)
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum BackoffKind {
    None,
    Fixed,
    Exponential,
    FullJitter,
    EqualJitter,
    Decorrelated,
    DecorrelatedV2,
    Envoy,
    Grpc,
}

const BACKOFFS: [(&str, BackoffKind); 9] = [
    ("none", BackoffKind::None),
    ("fixed", BackoffKind::Fixed),
    ("exponential", BackoffKind::Exponential),
    ("full_jitter", BackoffKind::FullJitter),
    ("equal_jitter", BackoffKind::EqualJitter),
    ("decorrelated_jitter", BackoffKind::Decorrelated),
    ("decorrelated_jitter_v2", BackoffKind::DecorrelatedV2),
    ("envoy", BackoffKind::Envoy),
    ("grpc", BackoffKind::Grpc),
];

/// The values `retry.backoff` accepts, in the order of the documentation.
pub const BACKOFF_NAMES: [&str; BACKOFFS.len()] = {
    let mut names = [""; BACKOFFS.len()];
    let mut i = 0;
    while i < BACKOFFS.len() {
        names[i] = BACKOFFS[i].0;
        i += 1;
    }
    names
};

fn read_retry(item: &Item<'_>) -> Result<RetryConfig> {
    let mut t = item.as_table()?;
    let max_attempts = t
        .optional("max_attempts")
        .map(|i| i.as_u32_at_least(1))
        .transpose()?
        .unwrap_or(DEFAULT_MAX_ATTEMPTS);
    let on = match t.optional("on") {
        Some(i) => read_retry_on(&i)?,
        None => {
            let mut mask = 0;
            for name in DEFAULT_RETRY_ON {
                mask |= condition_mask(name).unwrap_or(0);
            }
            RetryOn { mask }
        }
    };
    let backoff_item = t.optional("backoff");
    let kind = backoff_item
        .as_ref()
        .map(|i| i.as_enum(&BACKOFFS))
        .transpose()?
        .unwrap_or(BackoffKind::Exponential);
    // `base`, `cap` and `multiplier` are read (and checked) whatever the strategy, so that a
    // `--set ...backoff=none` switch does not turn the file's other keys into errors; each
    // strategy uses the ones that apply to it.
    let opt_dur = |t: &mut TableReader<'_>, key: &str| -> Result<Option<SimDuration>> {
        t.optional(key).map(|i| i.as_duration()).transpose()
    };
    let base = opt_dur(&mut t, "base")?;
    let cap = opt_dur(&mut t, "cap")?;
    let multiplier = t.optional("multiplier").map(|i| i.as_positive()).transpose()?;
    let backoff = match kind {
        BackoffKind::None => Backoff::None,
        BackoffKind::Fixed => Backoff::Fixed {
            delay: base.unwrap_or(AWS_SDK_BASE_DELAY),
        },
        BackoffKind::Exponential
        | BackoffKind::FullJitter
        | BackoffKind::EqualJitter
        | BackoffKind::Decorrelated
        | BackoffKind::DecorrelatedV2 => {
            let base = base.unwrap_or(AWS_SDK_BASE_DELAY);
            let cap = cap.unwrap_or(AWS_SDK_MAX_BACKOFF);
            match kind {
                BackoffKind::Exponential => Backoff::Exponential { base, cap },
                BackoffKind::FullJitter => Backoff::FullJitter { base, cap },
                BackoffKind::EqualJitter => Backoff::EqualJitter { base, cap },
                BackoffKind::Decorrelated => Backoff::DecorrelatedJitter { base, cap },
                _ => Backoff::DecorrelatedJitterV2 {
                    median_first_delay: base,
                    cap,
                },
            }
        }
        BackoffKind::Envoy => {
            // Envoy's own defaults: base_interval 25 ms, max_interval 10 × base_interval.
            let base = base.unwrap_or(ENVOY_BASE_INTERVAL);
            Backoff::Envoy {
                base,
                max: cap.unwrap_or(base.saturating_mul(10)),
            }
        }
        BackoffKind::Grpc => Backoff::Grpc {
            initial: base.unwrap_or(AWS_SDK_BASE_DELAY),
            multiplier: multiplier.unwrap_or(GRPC_MULTIPLIER),
            max: cap.unwrap_or(AWS_SDK_MAX_BACKOFF),
        },
    };
    if let Err(why) = backoff.validate() {
        let at = backoff_item.unwrap_or_else(|| t.at());
        return Err(at.error(ErrorKind::Value, "valid backoff parameters", why));
    }
    let budget = t.optional("budget").map(|i| read_budget(&i)).transpose()?;
    t.finish()?;
    Ok(RetryConfig {
        max_attempts,
        on,
        backoff,
        budget,
    })
}

/// The failure mask of a retry condition: a group of [`Failure::groups`] or one reason's name.
fn condition_mask(name: &str) -> Option<u32> {
    if let Some((_, reasons)) = Failure::groups().iter().find(|(g, _)| *g == name) {
        return Some(reasons.iter().fold(0, |m, f| m | f.bit()));
    }
    Failure::ALL.iter().find(|f| f.name() == name).map(|f| f.bit())
}

fn read_retry_on(item: &Item<'_>) -> Result<RetryOn> {
    let mut mask = 0;
    for i in item.as_array()? {
        let name = i.as_str()?;
        match condition_mask(name) {
            Some(m) => mask |= m,
            None => {
                let groups: Vec<&str> = Failure::groups().iter().map(|(g, _)| *g).collect();
                let all = groups
                    .iter()
                    .copied()
                    .chain(Failure::ALL.iter().map(|f| f.name()));
                let err = i.value_error(format!(
                    "a retry condition: {} (or a single reason such as \"read_timeout\")",
                    list(&groups)
                ));
                return Err(match closest(name, all) {
                    Some(best) => err.with_help(format!("did you mean \"{best}\"?")),
                    None => err,
                });
            }
        }
    }
    Ok(RetryOn { mask })
}

fn read_budget(item: &Item<'_>) -> Result<RetryBudgetConfig> {
    #[derive(Copy, Clone)]
    enum K {
        Grpc,
        Brooker,
        Envoy,
        Finagle,
    }
    let mut t = item.as_table()?;
    let kind = t.required("kind")?.as_enum(&[
        ("grpc", K::Grpc),
        ("brooker", K::Brooker),
        ("envoy", K::Envoy),
        ("finagle", K::Finagle),
    ])?;
    let num = |t: &mut TableReader<'_>,
               key: &str,
               default: f64,
               ok: fn(f64) -> bool,
               expected: &str|
     -> Result<f64> {
        t.optional(key)
            .map(|i| i.number_where(ok, expected))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let config = match kind {
        K::Grpc => RetryBudgetConfig::GrpcThrottling {
            max_tokens: num(
                &mut t,
                "max_tokens",
                bu::GRPC_MAX_TOKENS,
                |x| x > 0.0 && x <= 1000.0,
                "a number > 0 and ≤ 1000",
            )?,
            token_ratio: num(
                &mut t,
                "token_ratio",
                bu::GRPC_TOKEN_RATIO,
                |x| x > 0.0,
                "a number > 0",
            )?,
        },
        K::Brooker => RetryBudgetConfig::Brooker {
            deposit: num(
                &mut t,
                "deposit",
                bu::BROOKER_DEPOSIT,
                |x| x >= 0.0,
                "a number ≥ 0",
            )?,
            capacity: num(
                &mut t,
                "capacity",
                bu::BROOKER_CAPACITY,
                |x| x > 0.0,
                "a number > 0",
            )?,
            retry_cost: num(
                &mut t,
                "retry_cost",
                bu::BROOKER_RETRY_COST,
                |x| x > 0.0,
                "a number > 0",
            )?,
        },
        K::Envoy => RetryBudgetConfig::Envoy {
            budget_percent: num(
                &mut t,
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
        },
        K::Finagle => {
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
            RetryBudgetConfig::Finagle {
                ttl,
                min_retries_per_sec: num(
                    &mut t,
                    "min_retries_per_sec",
                    bu::FINAGLE_MIN_RETRIES_PER_SEC,
                    |x| x >= 0.0,
                    "a number ≥ 0",
                )?,
                percent_can_retry: num(
                    &mut t,
                    "percent",
                    bu::FINAGLE_PERCENT_CAN_RETRY * 100.0,
                    |x| (0.0..=100_000.0).contains(&x),
                    "a percentage between 0 and 100000",
                )? / 100.0,
            }
        }
    };
    t.finish()?;
    config
        .validate()
        .map_err(|why| item.error(ErrorKind::Value, "valid retry budget parameters", why))?;
    Ok(config)
}

fn read_breaker(item: &Item<'_>) -> Result<BreakerConfig> {
    #[derive(Copy, Clone)]
    enum K {
        Lesson,
        R4j,
        Hystrix,
    }
    let mut t = item.as_table()?;
    let kind = t.required("kind")?.as_enum(&[
        ("lesson", K::Lesson),
        ("resilience4j", K::R4j),
        ("hystrix", K::Hystrix),
    ])?;
    let count = |t: &mut TableReader<'_>, key: &str, default: u32| -> Result<u32> {
        t.optional(key)
            .map(|i| i.as_u32_in(1, super::MAX_BREAKER_COUNT))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let dur = |t: &mut TableReader<'_>, key: &str, default: SimDuration| -> Result<SimDuration> {
        t.optional(key)
            .map(|i| i.as_positive_duration())
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let percent = |t: &mut TableReader<'_>, key: &str, default: f64| -> Result<f64> {
        t.optional(key)
            .map(|i| i.as_percent(false))
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let config = match kind {
        K::Lesson => BreakerConfig::Lesson {
            failure_threshold: count(&mut t, "failure_threshold", br::LESSON_FAILURE_THRESHOLD)?,
            window: dur(&mut t, "window", br::LESSON_WINDOW)?,
            open_for: dur(&mut t, "open_for", br::LESSON_OPEN_FOR)?,
            success_threshold: count(&mut t, "success_threshold", br::LESSON_SUCCESS_THRESHOLD)?,
        },
        K::R4j => {
            let window = match t.optional("window") {
                Some(i) => read_sliding_window(&i)?,
                None => SlidingWindow::Count {
                    size: br::R4J_SLIDING_WINDOW_SIZE,
                },
            };
            let minimum_calls = count(&mut t, "minimum_calls", br::R4J_MINIMUM_CALLS)?;
            let failure_rate_threshold = percent(&mut t, "failure_rate", br::R4J_FAILURE_RATE_THRESHOLD)?;
            let slow_call_rate_threshold =
                percent(&mut t, "slow_call_rate", br::R4J_SLOW_CALL_RATE_THRESHOLD)?;
            let slow_call_duration = dur(&mut t, "slow_call_duration", br::R4J_SLOW_CALL_DURATION)?;
            let wait_item = t.optional("wait_in_open");
            let wait_in_open = wait_item
                .as_ref()
                .map(|i| i.as_duration())
                .transpose()?
                .unwrap_or(br::R4J_WAIT_IN_OPEN);
            if let Some(i) = &wait_item
                && wait_in_open < SimDuration::from_millis(1)
            {
                return Err(i.value_error("a duration ≥ 1ms (resilience4j's minimum)"));
            }
            BreakerConfig::Resilience4j {
                window,
                minimum_calls,
                failure_rate_threshold,
                slow_call_rate_threshold,
                slow_call_duration,
                wait_in_open,
                permitted_in_half_open: count(
                    &mut t,
                    "permitted_in_half_open",
                    br::R4J_PERMITTED_IN_HALF_OPEN,
                )?,
                automatic_transition: t
                    .optional("automatic_transition")
                    .map(|i| i.as_bool())
                    .transpose()?
                    .unwrap_or(br::R4J_AUTOMATIC_TRANSITION),
            }
        }
        K::Hystrix => {
            let window_item = t.optional("window");
            let window = window_item
                .as_ref()
                .map(|i| i.as_duration())
                .transpose()?
                .unwrap_or(br::HYSTRIX_WINDOW);
            if let Some(i) = &window_item
                && window.as_nanos() < 10
            {
                return Err(i.value_error("a duration ≥ 10ns (the window has 10 buckets)"));
            }
            BreakerConfig::Hystrix {
                window,
                request_volume: count(&mut t, "request_volume", br::HYSTRIX_REQUEST_VOLUME)?,
                error_percent: percent(&mut t, "error_percent", br::HYSTRIX_ERROR_PERCENT)?,
                sleep_window: dur(&mut t, "sleep_window", br::HYSTRIX_SLEEP_WINDOW)?,
            }
        }
    };
    t.finish()?;
    config
        .validate()
        .map_err(|why| item.error(ErrorKind::Value, "valid breaker parameters", why))?;
    Ok(config)
}

fn read_sliding_window(item: &Item<'_>) -> Result<SlidingWindow> {
    let mut t = item.as_table()?;
    let time = match t.optional("type") {
        Some(i) => i.as_enum(&[("count", false), ("time", true)])?,
        None => false,
    };
    let window = if time {
        let seconds = t
            .optional("seconds")
            .map(|i| i.as_u32_in(1, super::MAX_WINDOW_SECONDS))
            .transpose()?;
        SlidingWindow::Time {
            seconds: seconds.unwrap_or(br::R4J_SLIDING_WINDOW_SIZE),
        }
    } else {
        let size = t
            .optional("size")
            .map(|i| i.as_u32_in(1, super::MAX_BREAKER_COUNT))
            .transpose()?;
        SlidingWindow::Count {
            size: size.unwrap_or(br::R4J_SLIDING_WINDOW_SIZE),
        }
    };
    t.finish()?;
    Ok(window)
}

fn read_bulkhead(item: &Item<'_>) -> Result<BulkheadConfig> {
    let mut t = item.as_table()?;
    let max_concurrent = t
        .optional("max_concurrent")
        .map(|i| i.as_u32_at_least(1))
        .transpose()?
        .unwrap_or(R4J_MAX_CONCURRENT_CALLS);
    let max_wait = t
        .optional("max_wait")
        .map(|i| i.as_duration())
        .transpose()?
        .unwrap_or(R4J_MAX_WAIT);
    t.finish()?;
    Ok(BulkheadConfig {
        max_concurrent,
        max_wait,
    })
}

fn read_fallback(item: &Item<'_>) -> Result<Fallback> {
    #[derive(Copy, Clone)]
    enum K {
        Fail,
        Degrade,
        Defer,
    }
    const KINDS: [(&str, K); 3] = [("fail", K::Fail), ("degrade", K::Degrade), ("defer", K::Defer)];
    let defer = |t: Option<&mut TableReader<'_>>| -> Result<Fallback> {
        let (mut retry_every, mut capacity) = (DEFER_RETRY_EVERY, DEFER_CAPACITY);
        if let Some(t) = t {
            if let Some(i) = t.optional("retry_every") {
                retry_every = i.as_positive_duration()?;
            }
            if let Some(i) = t.optional("capacity") {
                capacity = i.as_u32_at_least(1)?;
            }
        }
        Ok(Fallback::Defer {
            retry_every,
            capacity,
        })
    };
    if item.is_str() {
        return match item.as_enum(&KINDS)? {
            K::Fail => Ok(Fallback::Fail),
            K::Degrade => Ok(Fallback::Degrade),
            K::Defer => defer(None),
        };
    }
    if !item.is_table() {
        return Err(item.type_error(
            "\"fail\", \"degrade\", or a table such as { kind = \"defer\", retry_every = \"10s\" }",
        ));
    }
    let mut t = item.as_table()?;
    let fallback = match t.required("kind")?.as_enum(&KINDS)? {
        K::Fail => Fallback::Fail,
        K::Degrade => Fallback::Degrade,
        K::Defer => defer(Some(&mut t))?,
    };
    t.finish()?;
    Ok(fallback)
}
