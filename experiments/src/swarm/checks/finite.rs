//! No NaN, infinity or negative number in the summary, the time series or the event log.

use models::log::{LogEntry, LogKind};
use models::report::{Report, TimeSeries, Values};

use super::{Check, Failure, FailureKind, fail};

/// Keys whose `null` means "none", not a non-finite number (a fault's verdict; the faults
/// check holds `recovered_s` to be finite when it is a number).
const NULLABLE: [&str; 2] = ["recovered_s", "verdict"];

/// Walks a JSON value: no `null` (a non-finite number) but under a [`NULLABLE`] key, no
/// negative number.
fn walk_json(v: &serde_json::Value, path: &mut String) -> Check {
    match v {
        serde_json::Value::Null if NULLABLE.iter().any(|k| path.ends_with(&format!(".{k}"))) => Ok(()),
        serde_json::Value::Null => fail(
            FailureKind::NonFinite,
            format!("summary.json: {path} is null (NaN or infinity)"),
        ),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(()),
            _ => fail(FailureKind::NonFinite, format!("summary.json: {path} = {n}")),
        },
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_json(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk_json(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// No NaN or infinity in any output: summary (as `summary.json` writes it), time series (NaN
/// only in latency quantile columns, where it means "no value"), event log.
pub(super) fn check_finite(report: &Report) -> Check {
    let json = serde_json::to_value(&report.summary)
        .map_err(|e| Failure::new(FailureKind::NonFinite, format!("summary does not serialise: {e}")))?;
    walk_json(&json, &mut String::new())?;
    check_series_finite(&report.series)?;
    check_log_finite(&report.log)
}

/// Every column has one value per bucket, finite and not negative (NaN only in latency
/// quantile columns, where it means "no value").
fn check_series_finite(series: &TimeSeries) -> Check {
    if !series.bucket_s.is_finite() || series.bucket_s <= 0.0 {
        return fail(
            FailureKind::NonFinite,
            format!("bucket width {}", series.bucket_s),
        );
    }
    for c in &series.columns {
        // Covers `failed_latency_p50_ms` and `failed_latency_p99_ms` too.
        let nan_ok = c.name.ends_with("latency_p50_ms") || c.name.ends_with("latency_p99_ms");
        let len = match &c.values {
            Values::Num(v) => v.len(),
            Values::Text(v) => v.len(),
        };
        if len != series.buckets {
            return fail(
                FailureKind::Counts,
                format!(
                    "column {} has {len} values for {} buckets",
                    c.name, series.buckets
                ),
            );
        }
        let Values::Num(v) = &c.values else { continue };
        for (b, &x) in v.iter().enumerate() {
            let bad = if x.is_nan() {
                !nan_ok
            } else {
                !x.is_finite() || x < 0.0
            };
            if bad {
                return fail(
                    FailureKind::NonFinite,
                    format!("timeseries {} bucket {b}: {x}", c.name),
                );
            }
        }
    }
    Ok(())
}

/// Every log time and back-off is finite and not negative.
fn check_log_finite(log: &[LogEntry]) -> Check {
    for (i, e) in log.iter().enumerate() {
        if !e.t.is_finite() || e.t < 0.0 {
            return fail(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: t = {}", i + 1, e.t),
            );
        }
        if let LogKind::RestartScheduled { backoff_s, .. } = &e.kind
            && (!backoff_s.is_finite() || *backoff_s < 0.0)
        {
            return fail(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: backoff_s = {backoff_s}", i + 1),
            );
        }
    }
    Ok(())
}
