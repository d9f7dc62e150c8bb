//! `breaker`: the circuit breaker, the lesson's simple one, resilience4j's or Hystrix's.

use models::policy::breaker::{self as br, BreakerConfig, SlidingWindow};
use sim_core::time::SimDuration;

use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader};
use crate::scenario::schema::{MAX_BREAKER_COUNT, MAX_WINDOW_SECONDS};
use crate::scenario::warning::ReadWarning;

#[derive(Copy, Clone)]
enum Kind {
    Lesson,
    R4j,
    Hystrix,
}

/// Reads `breaker`, adding to `warnings` what is valid but probably not meant.
pub(super) fn read_breaker(item: &Item<'_>, warnings: &mut Vec<ReadWarning>) -> Result<BreakerConfig> {
    let mut t = item.as_table()?;
    let kind = t.required("kind")?.as_enum(&[
        ("lesson", Kind::Lesson),
        ("resilience4j", Kind::R4j),
        ("hystrix", Kind::Hystrix),
    ])?;
    let config = match kind {
        Kind::Lesson => read_lesson(&mut t)?,
        Kind::R4j => {
            let config = read_resilience4j(&mut t)?;
            warn_fraction_rates(&mut t, warnings);
            config
        }
        Kind::Hystrix => read_hystrix(&mut t)?,
    };
    t.finish()?;
    config
        .validate()
        .map_err(|why| item.error(ErrorKind::Value, "valid breaker parameters", why))?;
    Ok(config)
}

/// A count: 1 to [`MAX_BREAKER_COUNT`].
fn count(i: &Item<'_>) -> Result<u32> {
    i.as_u32_in(1, MAX_BREAKER_COUNT)
}

/// A percentage > 0 and ≤ 100.
fn percent(i: &Item<'_>) -> Result<f64> {
    i.as_percent(false)
}

/// Reads the lesson's breaker: failures in a time window open it for a while.
fn read_lesson(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
    Ok(BreakerConfig::Lesson {
        failure_threshold: t.optional_or("failure_threshold", br::LESSON_FAILURE_THRESHOLD, count)?,
        window: t.optional_or("window", br::LESSON_WINDOW, Item::as_positive_duration)?,
        open_for: t.optional_or("open_for", br::LESSON_OPEN_FOR, Item::as_positive_duration)?,
        success_threshold: t.optional_or("success_threshold", br::LESSON_SUCCESS_THRESHOLD, count)?,
        // Absent means the lesson's code (no limit); the key is ours, not the lesson's.
        half_open_trials: t.optional_or("half_open_trials", None, half_open_trials)?,
    })
}

/// The lesson breaker's `half_open_trials`: a count, or `"none"` (no limit, the lesson's code,
/// as when the key is absent), so that `--set …half_open_trials=none` can lift a limit.
fn half_open_trials(i: &Item<'_>) -> Result<Option<u32>> {
    if i.is_str() && i.as_str().ok() == Some("none") {
        return Ok(None);
    }
    count(i).map(Some)
}

/// Reads resilience4j's breaker: failure and slow-call rates over a sliding window.
fn read_resilience4j(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
    let default_window = SlidingWindow::Count {
        size: br::R4J_SLIDING_WINDOW_SIZE,
    };
    Ok(BreakerConfig::Resilience4j {
        window: t.optional_or("window", default_window, read_sliding_window)?,
        minimum_calls: t.optional_or("minimum_calls", br::R4J_MINIMUM_CALLS, count)?,
        failure_rate_threshold: t.optional_or("failure_rate", br::R4J_FAILURE_RATE_THRESHOLD, percent)?,
        slow_call_rate_threshold: t.optional_or(
            "slow_call_rate",
            br::R4J_SLOW_CALL_RATE_THRESHOLD,
            percent,
        )?,
        slow_call_duration: t.optional_or(
            "slow_call_duration",
            br::R4J_SLOW_CALL_DURATION,
            Item::as_positive_duration,
        )?,
        wait_in_open: t.optional_or("wait_in_open", br::R4J_WAIT_IN_OPEN, |i| {
            let d = i.as_duration()?;
            if d < SimDuration::from_millis(1) {
                return Err(i.value_error("a duration ≥ 1ms (resilience4j's minimum)"));
            }
            Ok(d)
        })?,
        permitted_in_half_open: t.optional_or(
            "permitted_in_half_open",
            br::R4J_PERMITTED_IN_HALF_OPEN,
            count,
        )?,
        automatic_transition: t.optional_or(
            "automatic_transition",
            br::R4J_AUTOMATIC_TRANSITION,
            Item::as_bool,
        )?,
    })
}

/// Warns about a resilience4j `failure_rate` or `slow_call_rate` below 1: resilience4j's rates
/// are percentages (`failureRateThreshold`, `slowCallRateThreshold` in `CircuitBreakerConfig`,
/// default 50 and 100), so 0.5 is half a percent, and a breaker that trips at 0.5 % errors opens
/// on background noise. Most likely a fraction was meant. (Values that are not numbers are left
/// for [`read_resilience4j`] to refuse.)
fn warn_fraction_rates(t: &mut TableReader<'_>, warnings: &mut Vec<ReadWarning>) {
    for key in ["failure_rate", "slow_call_rate"] {
        let Some(item) = t.optional(key) else {
            continue;
        };
        let Ok(rate) = item.as_f64() else {
            continue;
        };
        if rate > 0.0 && rate < 1.0 {
            let shown = item.node.describe();
            warnings.push(ReadWarning::new(
                item.origin(),
                item.path.clone(),
                format!("{shown} means {shown} %: resilience4j's rate is a percentage"),
                format!("if {} % was meant, write {}", percent_of(rate), percent_of(rate)),
            ));
        }
    }
}

/// `rate` as a percentage, for messages: `0.5` → `50`, `0.025` → `2.5`.
fn percent_of(rate: f64) -> String {
    let p = (rate * 100.0 * 1e6).round() / 1e6;
    format!("{p}")
}

/// Reads Hystrix's breaker: an error percentage over a rolling window of 10 buckets.
fn read_hystrix(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
    Ok(BreakerConfig::Hystrix {
        window: t.optional_or("window", br::HYSTRIX_WINDOW, |i| {
            let d = i.as_duration()?;
            if d.as_nanos() < 10 {
                return Err(i.value_error("a duration ≥ 10ns (the window has 10 buckets)"));
            }
            Ok(d)
        })?,
        request_volume: t.optional_or("request_volume", br::HYSTRIX_REQUEST_VOLUME, count)?,
        error_percent: t.optional_or("error_percent", br::HYSTRIX_ERROR_PERCENT, percent)?,
        sleep_window: t.optional_or(
            "sleep_window",
            br::HYSTRIX_SLEEP_WINDOW,
            Item::as_positive_duration,
        )?,
    })
}

/// Reads resilience4j's `window`: `type = "count"` with `size` calls (the default), or
/// `type = "time"` with `seconds`.
fn read_sliding_window(item: &Item<'_>) -> Result<SlidingWindow> {
    let mut t = item.as_table()?;
    let time = t.optional_or("type", false, |i| i.as_enum(&[("count", false), ("time", true)]))?;
    let window = if time {
        SlidingWindow::Time {
            seconds: t.optional_or("seconds", br::R4J_SLIDING_WINDOW_SIZE, |i| {
                i.as_u32_in(1, MAX_WINDOW_SECONDS)
            })?,
        }
    } else {
        SlidingWindow::Count {
            size: t.optional_or("size", br::R4J_SLIDING_WINDOW_SIZE, count)?,
        }
    };
    t.finish()?;
    Ok(window)
}
