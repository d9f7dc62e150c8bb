//! The summary as HTML tables: the same numbers, formatted the same way, as
//! [`crate::text::summary_table`] prints for `meshsim run`.

use std::fmt::Write as _;

use models::report::{ClientSummary, EdgeSummary, ServiceSummary, Summary};

use crate::text::{ms, top_failures};

use super::html::{Cell, esc, num, table, text};

/// The one-line account of the run: what ran, for how long, and why it stopped.
pub fn stop_line(s: &Summary) -> String {
    let stop = if s.stop.partial {
        format!(
            "stopped early at t={:.3}s by the {} limit: results are partial",
            s.stop.at_s, s.stop.reason
        )
    } else {
        format!("ran to {}", s.stop.reason.replace('_', " "))
    };
    format!("{:.3}s simulated, {} events, {stop}", s.duration_s, s.events)
}

/// Writes the summary section body: the stop line, then the clients, services and (when there
/// are any) call edges tables, each with its note.
pub fn write(out: &mut String, s: &Summary) {
    let _ = writeln!(out, "<p class=\"facts\">{}</p>", esc(&stop_line(s)));
    clients(out, s);
    services(out, s);
    if s.edges.is_empty() {
        return;
    }
    edges(out, s);
}

/// The clients table: requests by outcome, goodput and latency (ms).
fn clients(out: &mut String, s: &Summary) {
    let rows: Vec<Vec<Cell>> = s.clients.iter().map(client_row).collect();
    out.push_str("<h3>Clients</h3>\n");
    table(
        out,
        "summary clients",
        None,
        &[
            ("client", false),
            ("requests", true),
            ("ok", true),
            ("degraded", true),
            ("failed", true),
            ("goodput/s", true),
            ("p50 ms", true),
            ("p99 ms", true),
            ("max ms", true),
            ("top failures", false),
        ],
        &rows,
    );
}

/// One client's row of the clients table.
fn client_row(c: &ClientSummary) -> Vec<Cell> {
    vec![
        text(&c.name),
        num(c.requests),
        num(c.ok),
        num(c.degraded),
        num(c.failed),
        num(format!("{:.2}", c.goodput_per_s)),
        num(ms(c.latency_ms.p50)),
        num(ms(c.latency_ms.p99)),
        num(ms(c.latency_ms.max)),
        text(&top_failures(&c.failed_by, 3)),
    ]
}

/// The services table and its note: pods, work done and refused, load, queue wait (ms), restarts.
fn services(out: &mut String, s: &Summary) {
    let rows: Vec<Vec<Cell>> = s.services.iter().map(service_row).collect();
    out.push_str("<h3>Services</h3>\n");
    table(
        out,
        "summary services",
        None,
        &[
            ("service", false),
            ("pods", true),
            ("slots", true),
            ("arrivals", true),
            ("ok", true),
            ("5xx", true),
            ("rejected", true),
            ("lost", true),
            ("util", true),
            ("in-flight", true),
            ("queued", true),
            ("wait p99 ms", true),
            ("restarts", true),
        ],
        &rows,
    );
    out.push_str(
        "<p class=\"note\">util: busy slots over the slots of pods that are up; in-flight and queued: \
         time averages over all pods; lost: requests in flight or queued on a container when it was \
         killed.</p>\n",
    );
}

/// One service's row of the services table.
fn service_row(v: &ServiceSummary) -> Vec<Cell> {
    vec![
        text(&v.name),
        num(v.replicas),
        num(v.slots),
        num(v.arrivals),
        num(v.completed_ok),
        num(v.completed_error),
        num(v.rejected),
        num(v.lost),
        num(format!("{:.0}%", v.utilisation * 100.0)),
        num(format!("{:.1}", v.mean_in_flight)),
        num(format!("{:.1}", v.mean_queued)),
        num(ms(v.queue_wait_ms.p99)),
        num(v.restarts),
    ]
}

/// The call edges table and its note: calls, attempts, outcomes and what refused them.
fn edges(out: &mut String, s: &Summary) {
    let rows: Vec<Vec<Cell>> = s.edges.iter().map(edge_row).collect();
    out.push_str("<h3>Call edges</h3>\n");
    table(
        out,
        "summary edges",
        None,
        &[
            ("edge (policy)", false),
            ("calls", true),
            ("attempts", true),
            ("amp", true),
            ("ok", true),
            ("degraded", true),
            ("failed", true),
            ("breaker", true),
            ("bulkhead", true),
            ("budget", true),
            ("defer", true),
            ("top attempt failures", false),
        ],
        &rows,
    );
    out.push_str(
        "<p class=\"note\">amp: attempts per call (retry amplification); breaker, bulkhead, budget: \
         calls or retries refused by an open breaker, a full bulkhead, the retry budget; defer: \
         fallbacks that queued the work for later.</p>\n",
    );
}

/// One call edge's row of the call edges table.
fn edge_row(e: &EdgeSummary) -> Vec<Cell> {
    vec![
        text(&format!("{} ({})", e.name, e.policy)),
        num(e.calls),
        num(e.attempts),
        num(format!("{:.2}", e.amplification)),
        num(e.ok),
        num(e.degraded),
        num(e.failed),
        num(e.breaker_rejections),
        num(e.bulkhead_rejections),
        num(e.budget_rejections),
        num(e.fallback_defer),
        text(&top_failures(&e.attempt_failures_by, 3)),
    ]
}
