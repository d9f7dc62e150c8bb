//! `breaker`: the circuit breaker, the lesson's simple one, resilience4j's or Hystrix's.

use models::policy::breaker::{self as br, BreakerConfig, SlidingWindow};
use sim_core::time::SimDuration;

use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader};
use crate::scenario::schema::{MAX_BREAKER_COUNT, MAX_WINDOW_SECONDS};

#[derive(Copy, Clone)]
enum Kind {
    Lesson,
    R4j,
    Hystrix,
}

/// Reads `breaker`.
pub(super) fn read_breaker(item: &Item<'_>) -> Result<BreakerConfig> {
    let mut t = item.as_table()?;
    let kind = t.required("kind")?.as_enum(&[
        ("lesson", Kind::Lesson),
        ("resilience4j", Kind::R4j),
        ("hystrix", Kind::Hystrix),
    ])?;
    let config = match kind {
        Kind::Lesson => read_lesson(&mut t)?,
        Kind::R4j => read_resilience4j(&mut t)?,
        Kind::Hystrix => read_hystrix(&mut t)?,
    };
    t.finish()?;
    config
        .validate()
        .map_err(|why| item.error(ErrorKind::Value, "valid breaker parameters", why))?;
    Ok(config)
}

/// The count at `key` (1 to [`MAX_BREAKER_COUNT`]) if present, else `default`.
fn count(t: &mut TableReader<'_>, key: &str, default: u32) -> Result<u32> {
    t.optional(key)
        .map(|i| i.as_u32_in(1, MAX_BREAKER_COUNT))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

/// The duration > 0 at `key` if present, else `default`.
fn duration(t: &mut TableReader<'_>, key: &str, default: SimDuration) -> Result<SimDuration> {
    t.optional(key)
        .map(|i| i.as_positive_duration())
        .transpose()
        .map(|v| v.unwrap_or(default))
}

/// The percentage (> 0 and ≤ 100) at `key` if present, else `default`.
fn percent(t: &mut TableReader<'_>, key: &str, default: f64) -> Result<f64> {
    t.optional(key)
        .map(|i| i.as_percent(false))
        .transpose()
        .map(|v| v.unwrap_or(default))
}

/// Reads the lesson's breaker: failures in a time window open it for a while.
fn read_lesson(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
    Ok(BreakerConfig::Lesson {
        failure_threshold: count(t, "failure_threshold", br::LESSON_FAILURE_THRESHOLD)?,
        window: duration(t, "window", br::LESSON_WINDOW)?,
        open_for: duration(t, "open_for", br::LESSON_OPEN_FOR)?,
        success_threshold: count(t, "success_threshold", br::LESSON_SUCCESS_THRESHOLD)?,
    })
}

/// Reads resilience4j's breaker: failure and slow-call rates over a sliding window.
fn read_resilience4j(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
    let window = match t.optional("window") {
        Some(i) => read_sliding_window(&i)?,
        None => SlidingWindow::Count {
            size: br::R4J_SLIDING_WINDOW_SIZE,
        },
    };
    let minimum_calls = count(t, "minimum_calls", br::R4J_MINIMUM_CALLS)?;
    let failure_rate_threshold = percent(t, "failure_rate", br::R4J_FAILURE_RATE_THRESHOLD)?;
    let slow_call_rate_threshold = percent(t, "slow_call_rate", br::R4J_SLOW_CALL_RATE_THRESHOLD)?;
    let slow_call_duration = duration(t, "slow_call_duration", br::R4J_SLOW_CALL_DURATION)?;
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
    Ok(BreakerConfig::Resilience4j {
        window,
        minimum_calls,
        failure_rate_threshold,
        slow_call_rate_threshold,
        slow_call_duration,
        wait_in_open,
        permitted_in_half_open: count(t, "permitted_in_half_open", br::R4J_PERMITTED_IN_HALF_OPEN)?,
        automatic_transition: t
            .optional("automatic_transition")
            .map(|i| i.as_bool())
            .transpose()?
            .unwrap_or(br::R4J_AUTOMATIC_TRANSITION),
    })
}

/// Reads Hystrix's breaker: an error percentage over a rolling window of 10 buckets.
fn read_hystrix(t: &mut TableReader<'_>) -> Result<BreakerConfig> {
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
    Ok(BreakerConfig::Hystrix {
        window,
        request_volume: count(t, "request_volume", br::HYSTRIX_REQUEST_VOLUME)?,
        error_percent: percent(t, "error_percent", br::HYSTRIX_ERROR_PERCENT)?,
        sleep_window: duration(t, "sleep_window", br::HYSTRIX_SLEEP_WINDOW)?,
    })
}

/// Reads resilience4j's `window`: `type = "count"` with `size` calls (the default), or
/// `type = "time"` with `seconds`.
fn read_sliding_window(item: &Item<'_>) -> Result<SlidingWindow> {
    let mut t = item.as_table()?;
    let time = match t.optional("type") {
        Some(i) => i.as_enum(&[("count", false), ("time", true)])?,
        None => false,
    };
    let window = if time {
        let seconds = t
            .optional("seconds")
            .map(|i| i.as_u32_in(1, MAX_WINDOW_SECONDS))
            .transpose()?;
        SlidingWindow::Time {
            seconds: seconds.unwrap_or(br::R4J_SLIDING_WINDOW_SIZE),
        }
    } else {
        let size = t
            .optional("size")
            .map(|i| i.as_u32_in(1, MAX_BREAKER_COUNT))
            .transpose()?;
        SlidingWindow::Count {
            size: size.unwrap_or(br::R4J_SLIDING_WINDOW_SIZE),
        }
    };
    t.finish()?;
    Ok(window)
}
