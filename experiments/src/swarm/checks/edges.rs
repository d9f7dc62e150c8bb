//! Edge counts agree with each other and with the edge's policy.

use models::config::{Fallback, PolicyConfig, PolicyOrder, Scenario};
use models::policy::Refusal;
use models::report::{EdgeSummary, Summary};

use super::{Check, FailureKind, check_latency, fail, failed_by_total, same_count};

/// Edge counts agree with each other.
pub(super) fn check_edges(scenario: &Scenario, s: &Summary) -> Check {
    same_count(FailureKind::Counts, "edges", s.edges.len(), scenario.edges.len())?;
    for (cfg, e) in scenario.edges.iter().zip(&s.edges) {
        let policy = &scenario.policies[cfg.policy.idx()];
        check_edge_ends(e)?;
        check_edge_tries(policy, e)?;
        check_edge_fallback(policy, e)?;
        check_edge_parts(policy, e)?;
    }
    Ok(())
}

/// Each call ends at most once, and its latency and failure counts agree.
fn check_edge_ends(e: &EdgeSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &e.name;
    let ended = e.counts.ok + e.counts.degraded + e.failed();
    // Each call ends at most once (calls of a dead container end silently).
    if ended > e.counts.calls {
        return fail(
            k,
            format!("edge {name}: {ended} calls ended but {} started", e.counts.calls),
        );
    }
    if e.call_latency_ms.count != ended {
        return fail(
            k,
            format!(
                "edge {name}: call latency count {} for {ended} ended calls",
                e.call_latency_ms.count
            ),
        );
    }
    check_latency(&format!("edge {name}"), &e.call_latency_ms)?;
    if failed_by_total(&e.failed_by()) != e.failed() {
        return fail(
            k,
            format!(
                "edge {name}: failed_by sums to {} for {} failed",
                failed_by_total(&e.failed_by()),
                e.failed()
            ),
        );
    }
    if e.deadline_exceeded() != e.failed_by().0.get("deadline_exceeded").copied().unwrap_or(0) {
        return fail(
            k,
            format!("edge {name}: deadline_exceeded disagrees with failed_by"),
        );
    }
    Ok(())
}

/// Attempts, retries and refusals agree with the calls.
fn check_edge_tries(policy: &PolicyConfig, e: &EdgeSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &e.name;
    // Every failed attempt was an attempt (a policy's refusal of a try is not an attempt).
    let attempt_failures = failed_by_total(&e.attempt_failures_by());
    if attempt_failures > e.counts.attempts {
        return fail(
            k,
            format!(
                "edge {name}: {attempt_failures} attempt failures for {} attempts",
                e.counts.attempts
            ),
        );
    }
    // Each try (a call's first, or a retry) is at most one of: an attempt, or a refusal by a
    // part that refuses tries (`Refusal::ALL[..Refusal::FAILING]`; the budget refuses retries
    // before they are tries).
    let refusing = &Refusal::ALL[..Refusal::FAILING];
    let refused: u64 = refusing.iter().map(|&r| e.counts.rejections[r]).sum();
    if e.counts.attempts + refused > e.counts.calls + e.counts.retries {
        let each: Vec<String> = refusing
            .iter()
            .map(|&r| format!("{} {}", e.counts.rejections[r], r.name()))
            .collect();
        return fail(
            k,
            format!(
                "edge {name}: {} attempts + refusals ({}) > {} calls + {} retries",
                e.counts.attempts,
                each.join(", "),
                e.counts.calls,
                e.counts.retries
            ),
        );
    }
    // In the lesson's order a retry is always an attempt.
    if policy.order == PolicyOrder::Lesson && e.counts.retries > e.counts.attempts {
        return fail(
            k,
            format!(
                "edge {name}: {} retries but {} attempts",
                e.counts.retries, e.counts.attempts
            ),
        );
    }
    let expected_amplification = if e.counts.calls > 0 {
        e.counts.attempts as f64 / e.counts.calls as f64
    } else {
        0.0
    };
    if e.amplification() != expected_amplification {
        return fail(
            k,
            format!(
                "edge {name}: amplification {} ≠ attempts / calls",
                e.amplification()
            ),
        );
    }
    Ok(())
}

/// Degraded answers and deferred work agree with the fallback.
fn check_edge_fallback(policy: &PolicyConfig, e: &EdgeSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &e.name;
    // Degraded answers come from the fallback: degrade, or defer (queued or dropped).
    // A call ends degraded by its own fallback, or with the callee's degraded answer.
    let fallbacks = e.counts.fallback_degrade + e.counts.fallback_defer + e.counts.deferred_dropped;
    if e.counts.degraded != fallbacks + e.counts.degraded_answers {
        return fail(
            k,
            format!(
                "edge {name}: {} degraded ≠ {} degrade + {} defer + {} dropped + {} degraded answers",
                e.counts.degraded,
                e.counts.fallback_degrade,
                e.counts.fallback_defer,
                e.counts.deferred_dropped,
                e.counts.degraded_answers
            ),
        );
    }
    if e.counts.fallback_defer != e.counts.deferred_done + e.deferred_pending {
        return fail(
            k,
            format!(
                "edge {name}: {} deferred ≠ {} done + {} pending",
                e.counts.fallback_defer, e.counts.deferred_done, e.deferred_pending
            ),
        );
    }
    match policy.fallback {
        Fallback::Defer { capacity, .. } => {
            if e.deferred_pending > u64::from(capacity) {
                return fail(
                    k,
                    format!(
                        "edge {name}: {} deferred pending over capacity {capacity}",
                        e.deferred_pending
                    ),
                );
            }
        }
        Fallback::Degrade => {
            if e.counts.fallback_defer + e.counts.deferred_dropped > 0 {
                return fail(k, format!("edge {name}: deferred work under a degrade fallback"));
            }
        }
        Fallback::Fail => {
            if fallbacks > 0 {
                return fail(
                    k,
                    format!("edge {name}: {fallbacks} fallback answers under a fail fallback"),
                );
            }
        }
    }
    Ok(())
}

/// No retries without a retry policy, no refusals without the part that refuses, no breaker
/// transitions without a breaker.
fn check_edge_parts(policy: &PolicyConfig, e: &EdgeSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &e.name;
    if policy.retry.is_none() && e.counts.retries > 0 {
        return fail(
            k,
            format!("edge {name}: {} retries without a retry policy", e.counts.retries),
        );
    }
    for r in Refusal::ALL {
        if !r.is_in(policy) && e.counts.rejections[r] > 0 {
            return fail(
                k,
                format!("edge {name}: {} rejections without a {}", r.name(), r.name()),
            );
        }
    }
    if policy.breaker.is_none() && e.breaker_transitions > 0 {
        return fail(k, format!("edge {name}: breaker activity without a breaker"));
    }
    Ok(())
}
