//! The stop record (`stop.partial`, `stop.reason`, `stop.at_s`) agrees with the limit the run hit.

use models::config::Scenario;
use models::report::Summary;
use sim_core::sim::LimitExceeded;
use sim_core::time::SimTime;

use super::{Check, FailureKind, fail};

/// `stop` agrees with the limit the run hit (`RunOutput::limit`).
pub(super) fn check_stop(scenario: &Scenario, s: &Summary, limit: Option<&LimitExceeded>) -> Check {
    let stop = &s.stop;
    let k = FailureKind::Limit;
    if stop.partial != limit.is_some() {
        return fail(
            k,
            format!("stop.partial = {} but the limit hit is {limit:?}", stop.partial),
        );
    }
    if stop.at_s != s.duration_s {
        return fail(
            k,
            format!("stop.at_s {} ≠ duration_s {}", stop.at_s, s.duration_s),
        );
    }
    match limit {
        None => check_complete(scenario, s),
        Some(l) => check_limit_hit(scenario, s, l),
    }
}

/// A complete run stopped at its end, within its event budget.
fn check_complete(scenario: &Scenario, s: &Summary) -> Check {
    let stop = &s.stop;
    let k = FailureKind::Limit;
    if !matches!(stop.reason.as_str(), "end_time" | "drained") {
        return fail(k, format!("complete run with stop.reason {:?}", stop.reason));
    }
    let end = scenario.duration.as_secs_f64();
    if stop.at_s != end {
        return fail(
            k,
            format!("complete run stopped at {} s, not at its end {end} s", stop.at_s),
        );
    }
    if s.events > scenario.limits.max_events {
        return fail(
            k,
            format!(
                "{} events over max_events {}",
                s.events, scenario.limits.max_events
            ),
        );
    }
    Ok(())
}

/// A run stopped by limit `l` says so, with the limit's reason and time.
fn check_limit_hit(scenario: &Scenario, s: &Summary, l: &LimitExceeded) -> Check {
    let stop = &s.stop;
    let k = FailureKind::Limit;
    let (reason, at) = match *l {
        LimitExceeded::MaxEvents { limit, at } => {
            if s.events != limit {
                return fail(k, format!("max_events {limit} hit after {} events", s.events));
            }
            ("max_events", at)
        }
        LimitExceeded::MaxPending { limit, at } => {
            if limit != scenario.limits.max_pending {
                return fail(k, format!("max_pending {limit} ≠ the scenario's"));
            }
            ("max_pending", at)
        }
    };
    if stop.reason != reason || stop.at_s != at.as_secs_f64() {
        return fail(
            k,
            format!("limit {l} but stop says {:?} at {} s", stop.reason, stop.at_s),
        );
    }
    if at > SimTime::ZERO.saturating_add(scenario.duration) {
        return fail(k, format!("limit hit at {at}, after the end of the run"));
    }
    Ok(())
}
