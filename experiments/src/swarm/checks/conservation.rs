//! Conservation of client requests: each ends exactly once, and the client's edge agrees.

use models::config::{ClientConfig, Fallback, Scenario};
use models::report::{ClientSummary, Summary};

use super::{Check, FailureKind, check_latency, fail, failed_by_total, same_count};

/// Every client request ends exactly once: requests = ok + degraded + failed + in flight, and
/// the client's edge saw the same calls and outcomes (its deferred work aside).
pub(super) fn check_clients(scenario: &Scenario, s: &Summary) -> Check {
    same_count(
        FailureKind::Conservation,
        "clients",
        s.clients.len(),
        scenario.clients.len(),
    )?;
    for (cfg, c) in scenario.clients.iter().zip(&s.clients) {
        check_client(c)?;
        check_client_edge(scenario, s, cfg, c)?;
    }
    Ok(())
}

/// A client's outcomes add up to its requests, and its latency counts to its outcomes.
fn check_client(c: &ClientSummary) -> Check {
    let k = FailureKind::Conservation;
    let finished = c.ok + c.degraded + c.failed;
    if c.in_flight > c.requests || finished + c.in_flight != c.requests {
        return fail(
            k,
            format!(
                "client {}: {} requests ≠ {} ok + {} degraded + {} failed + {} in flight",
                c.name, c.requests, c.ok, c.degraded, c.failed, c.in_flight
            ),
        );
    }
    if failed_by_total(&c.failed_by) != c.failed {
        return fail(
            k,
            format!(
                "client {}: failed_by sums to {}, failed is {}",
                c.name,
                failed_by_total(&c.failed_by),
                c.failed
            ),
        );
    }
    let by_cause: u64 = c.failed_by_cause.iter().map(|x| x.count).sum();
    if by_cause != c.failed {
        return fail(
            k,
            format!(
                "client {}: failed_by_cause sums to {by_cause}, failed is {}",
                c.name, c.failed
            ),
        );
    }
    let (answered, failed) = (&c.latency_answered_ms, &c.latency_failed_ms);
    if c.latency_ms.count != finished
        || c.latency_ok_ms.count != c.ok
        || answered.count != c.ok + c.degraded
        || failed.count != c.failed
    {
        return fail(
            k,
            format!(
                "client {}: latency counts {} / {} / {} / {} for {finished} finished / {} ok / {} answered / {} failed",
                c.name,
                c.latency_ms.count,
                c.latency_ok_ms.count,
                answered.count,
                failed.count,
                c.ok,
                c.ok + c.degraded,
                c.failed
            ),
        );
    }
    check_latency(&format!("client {}", c.name), &c.latency_ms)?;
    check_latency(&format!("client {} ok", c.name), &c.latency_ok_ms)?;
    check_latency(&format!("client {} answered", c.name), answered)?;
    check_latency(&format!("client {} failed", c.name), failed)?;
    // Every finished request is answered or failed: the whole's max is one of the parts'.
    if c.latency_ms.max != answered.max.max(failed.max) {
        return fail(
            k,
            format!(
                "client {}: latency max {} but answered {} and failed {}",
                c.name, c.latency_ms.max, answered.max, failed.max
            ),
        );
    }
    Ok(())
}

/// The client's edge saw the same calls and outcomes (unless its policy defers work).
fn check_client_edge(scenario: &Scenario, s: &Summary, cfg: &ClientConfig, c: &ClientSummary) -> Check {
    let k = FailureKind::Conservation;
    // The client's edge carries its requests, plus deferred work if its policy defers.
    let edge = &s.edges[cfg.edge.idx()];
    let policy = &scenario.policies[scenario.edges[cfg.edge.idx()].policy.idx()];
    if !matches!(policy.fallback, Fallback::Defer { .. })
        && (edge.counts.calls != c.requests
            || edge.counts.ok != c.ok
            || edge.counts.degraded != c.degraded
            || edge.failed() != c.failed)
    {
        return fail(
            k,
            format!(
                "client {}: {} requests ({} ok, {} degraded, {} failed) but its edge {} has {} calls ({} ok, {} degraded, {} failed)",
                c.name,
                c.requests,
                c.ok,
                c.degraded,
                c.failed,
                edge.name,
                edge.counts.calls,
                edge.counts.ok,
                edge.counts.degraded,
                edge.failed()
            ),
        );
    }
    Ok(())
}
