//! The human-readable summary printed by `meshsim run`: one table for clients, services and
//! edges, with the numbers an SRE looks at first.

use std::fmt::Write as _;

use models::report::{FailureCounts, Summary};

/// The `n` most frequent failure reasons, `reason count, ...`, or `-`.
pub fn top_failures(counts: &FailureCounts, n: usize) -> String {
    let mut v: Vec<(&str, u64)> = counts
        .0
        .iter()
        .filter(|(_, c)| **c > 0)
        .map(|(k, c)| (*k, *c))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = v.iter().take(n).map(|(k, c)| format!("{k} {c}")).collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(", ")
    }
}

/// Milliseconds with one decimal below 100, none above.
pub fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Renders the summary as text tables: a header line, then the clients, services and (when
/// there are any) call edges tables.
pub fn summary_table(s: &Summary, hash: &str) -> String {
    let mut out = String::new();
    let stop = if s.stop.partial {
        format!(
            "STOPPED EARLY at t={:.3}s by the {} limit: results are partial",
            s.stop.at_s, s.stop.reason
        )
    } else {
        format!("ran to {}", s.stop.reason.replace('_', " "))
    };
    let _ = writeln!(
        out,
        "meshsim: {} (seed {}, scenario {hash}): {:.3}s simulated, {} events, {stop}\n",
        s.scenario, s.seed, s.duration_s, s.events
    );
    clients(&mut out, s);
    services(&mut out, s);
    if !s.edges.is_empty() {
        edges(&mut out, s);
    }
    out
}

/// The clients table: requests by outcome, goodput and latency (ms), top failures.
fn clients(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "{:<20} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9} {:>9} {:>9}  top failures",
        "client", "requests", "ok", "degraded", "failed", "goodput/s", "p50 ms", "p99 ms", "max ms"
    );
    for c in &s.clients {
        let _ = writeln!(
            out,
            "{:<20} {:>9} {:>9} {:>9} {:>9} {:>10.2} {:>9} {:>9} {:>9}  {}",
            c.name,
            c.requests,
            c.ok,
            c.degraded,
            c.failed,
            c.goodput_per_s,
            ms(c.latency_ms.p50),
            ms(c.latency_ms.p99),
            ms(c.latency_ms.max),
            top_failures(&c.failed_by, 3)
        );
    }
}

/// The services table, after a blank line: pods, work done and refused, load, queue wait (ms),
/// restarts.
fn services(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "\n{:<20} {:>5} {:>6} {:>9} {:>9} {:>7} {:>8} {:>7} {:>6} {:>9} {:>8} {:>11} {:>8}",
        "service",
        "pods",
        "slots",
        "arrivals",
        "ok",
        "5xx",
        "rejected",
        "lost",
        "util",
        "in-flight",
        "queued",
        "wait p99 ms",
        "restarts"
    );
    for v in &s.services {
        let _ = writeln!(
            out,
            "{:<20} {:>5} {:>6} {:>9} {:>9} {:>7} {:>8} {:>7} {:>5.0}% {:>9.1} {:>8.1} {:>11} {:>8}",
            v.name,
            v.replicas,
            v.slots,
            v.arrivals,
            v.completed_ok,
            v.completed_error,
            v.rejected,
            v.lost,
            v.utilisation * 100.0,
            v.mean_in_flight,
            v.mean_queued,
            ms(v.queue_wait_ms.p99),
            v.restarts
        );
    }
}

/// The call edges table, after a blank line: calls, attempts, outcomes, what refused them, and
/// the top attempt failures.
fn edges(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "\n{:<32} {:>8} {:>9} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}  top failures",
        "edge (policy)",
        "calls",
        "attempts",
        "amp",
        "ok",
        "degraded",
        "failed",
        "breaker",
        "bulkhead",
        "budget",
        "defer"
    );
    for e in &s.edges {
        let name = format!("{} ({})", e.name, e.policy);
        let _ = writeln!(
            out,
            "{:<32} {:>8} {:>9} {:>5.2} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}  {}",
            name,
            e.calls,
            e.attempts,
            e.amplification,
            e.ok,
            e.degraded,
            e.failed,
            e.breaker_rejections,
            e.bulkhead_rejections,
            e.budget_rejections,
            e.fallback_defer,
            top_failures(&e.attempt_failures_by, 3)
        );
    }
}
