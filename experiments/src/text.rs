//! The human-readable summary printed by `meshsim run`: one table for clients, services and
//! edges, with the numbers an SRE looks at first.
//!
//! The tables' columns and cells are defined here once ([`CLIENT_COLUMNS`] and [`client_cells`],
//! and likewise for services and edges); `meshsim report` lays the same cells out as HTML.

use std::fmt::Write as _;

use models::policy::Refusal;
use models::report::{ClientSummary, EdgeSummary, FailureCounts, LatencyMs, ServiceSummary, Summary};

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

/// The run in one line: simulated time, events, and why it stopped (`stopped_early` words a
/// stop at a limit, before the partial-results note).
pub fn run_facts(s: &Summary, stopped_early: &str) -> String {
    let stop = if s.stop.partial {
        format!(
            "{stopped_early} at t={:.3}s by the {} limit: results are partial",
            s.stop.at_s, s.stop.reason
        )
    } else {
        format!("ran to {}", s.stop.reason.replace('_', " "))
    };
    format!("{:.3}s simulated, {} events, {stop}", s.duration_s, s.events)
}

/// A column of a summary table.
#[derive(Copy, Clone)]
pub struct Column {
    /// The header.
    pub head: &'static str,
    /// Width in the text table; 0 for the last, free-width column, set off by two spaces.
    pub width: usize,
    /// Whether it holds numbers (right-aligned).
    pub num: bool,
}

const fn col(head: &'static str, width: usize, num: bool) -> Column {
    Column { head, width, num }
}

/// Seconds for a reader: without a fraction when whole, else to a tenth (`300`, `15.5`).
pub(crate) fn secs(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A latency statistic in ms, or `-` when nothing was measured (never a 0 ms p50 for
/// requests that did not happen).
pub(crate) fn ms_of(l: &LatencyMs, stat: fn(&LatencyMs) -> f64) -> String {
    if l.count == 0 { "-".into() } else { ms(stat(l)) }
}

/// The clients table: requests by outcome, goodput, latency (ms) of answered requests (ok or
/// degraded) and of failed ones, never mixed, and top failures.
pub const CLIENT_COLUMNS: [Column; 12] = [
    col("client", 20, false),
    col("requests", 9, true),
    col("ok", 9, true),
    col("degraded", 9, true),
    col("failed", 9, true),
    col("goodput/s", 10, true),
    col("p50 ms", 9, true),
    col("p99 ms", 9, true),
    col("max ms", 9, true),
    col("fail p50", 9, true),
    col("fail p99", 9, true),
    col("top failures", 0, false),
];

/// One client's cells, in [`CLIENT_COLUMNS`] order.
pub fn client_cells(c: &ClientSummary) -> Vec<String> {
    vec![
        c.name.clone(),
        c.requests.to_string(),
        c.ok.to_string(),
        c.degraded.to_string(),
        c.failed.to_string(),
        format!("{:.2}", c.goodput_per_s),
        ms_of(&c.latency_answered_ms, |l| l.p50),
        ms_of(&c.latency_answered_ms, |l| l.p99),
        ms_of(&c.latency_answered_ms, |l| l.max),
        ms_of(&c.latency_failed_ms, |l| l.p50),
        ms_of(&c.latency_failed_ms, |l| l.p99),
        top_failures(&c.failed_by, 3),
    ]
}

/// The most causes a client gets rows for in the failure causes table; the rest are one row.
pub const MAX_CAUSE_ROWS: usize = 5;

/// The failure causes table: each client's failures by chain of causes, the client's own
/// reason first, then where the chain ends (`error_response ← connect_timeout at
/// upload→classification`), most frequent first.
pub const CAUSE_COLUMNS: [Column; 4] = [
    col("client", 20, false),
    col("failed", 9, true),
    col("share", 6, true),
    col("cause: the client's failure ← where it started", 0, false),
];

/// The failure causes table's rows, in [`CAUSE_COLUMNS`] order: up to [`MAX_CAUSE_ROWS`] a
/// client (its name on the first), then one row for the rest. Empty when nothing failed.
pub fn cause_rows(clients: &[ClientSummary]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for c in clients.iter().filter(|c| c.failed > 0) {
        let share = |n: u64| format!("{:.0}%", n as f64 * 100.0 / c.failed as f64);
        for (i, cause) in c.failed_by_cause.iter().take(MAX_CAUSE_ROWS).enumerate() {
            let name = if i == 0 { c.name.clone() } else { String::new() };
            rows.push(vec![
                name,
                cause.count.to_string(),
                share(cause.count),
                cause.chain.clone(),
            ]);
        }
        let rest = &c.failed_by_cause[c.failed_by_cause.len().min(MAX_CAUSE_ROWS)..];
        if !rest.is_empty() {
            let n: u64 = rest.iter().map(|x| x.count).sum();
            let more = format!("{} more causes (summary.json: failed_by_cause)", rest.len());
            rows.push(vec![String::new(), n.to_string(), share(n), more]);
        }
    }
    rows
}

/// The services table: pods, work done and refused, load, queue wait (ms), restarts.
pub const SERVICE_COLUMNS: [Column; 13] = [
    col("service", 20, false),
    col("pods", 5, true),
    col("slots", 6, true),
    col("arrivals", 9, true),
    col("ok", 9, true),
    col("5xx", 7, true),
    col("rejected", 8, true),
    col("lost", 7, true),
    col("util", 6, true),
    col("in-flight", 9, true),
    col("queued", 8, true),
    col("wait p99 ms", 11, true),
    col("restarts", 8, true),
];

/// One service's cells, in [`SERVICE_COLUMNS`] order.
pub fn service_cells(v: &ServiceSummary) -> Vec<String> {
    vec![
        v.name.clone(),
        v.replicas.to_string(),
        v.slots.to_string(),
        v.counts.arrivals.to_string(),
        v.counts.completed_ok.to_string(),
        v.counts.completed_error.to_string(),
        v.counts.rejected.to_string(),
        v.counts.lost.to_string(),
        format!("{:.0}%", v.utilisation * 100.0),
        format!("{:.1}", v.mean_in_flight),
        format!("{:.1}", v.mean_queued),
        ms(v.queue_wait_ms.p99),
        v.restarts.to_string(),
    ]
}

/// The call edges table: calls, attempts, outcomes, what refused them (a column per
/// [`Refusal`]), and the top attempt failures.
pub const EDGE_COLUMNS: [Column; 9 + Refusal::ALL.len()] = edge_columns();

/// [`EDGE_COLUMNS`]: the fixed columns around one column per refusing policy.
const fn edge_columns() -> [Column; 9 + Refusal::ALL.len()] {
    let before = [
        col("edge (policy)", 32, false),
        col("calls", 8, true),
        col("attempts", 9, true),
        col("amp", 5, true),
        col("ok", 8, true),
        col("degraded", 8, true),
        col("failed", 8, true),
    ];
    let mut out = [col("", 0, false); 9 + Refusal::ALL.len()];
    let mut i = 0;
    while i < before.len() {
        out[i] = before[i];
        i += 1;
    }
    let mut r = 0;
    while r < Refusal::ALL.len() {
        out[i + r] = col(Refusal::ALL[r].name(), 8, true);
        r += 1;
    }
    out[i + r] = col("defer", 7, true);
    out[i + r + 1] = col("top failures", 0, false);
    out
}

/// One call edge's cells, in [`EDGE_COLUMNS`] order.
pub fn edge_cells(e: &EdgeSummary) -> Vec<String> {
    let mut cells = vec![
        format!("{} ({})", e.name, e.policy),
        e.counts.calls.to_string(),
        e.counts.attempts.to_string(),
        format!("{:.2}", e.amplification()),
        e.counts.ok.to_string(),
        e.counts.degraded.to_string(),
        e.failed().to_string(),
    ];
    cells.extend(Refusal::ALL.map(|r| e.counts.rejections[r].to_string()));
    cells.push(e.counts.fallback_defer.to_string());
    cells.push(top_failures(&e.attempt_failures_by(), 3));
    cells
}

/// Renders the summary as text tables: a header line, then the clients, services and (when
/// there are any) call edges tables, each after a blank line.
pub fn summary_table(s: &Summary, hash: &str) -> String {
    let mut out = String::new();
    summary_tables(&mut out, s, hash);
    escape_controls(&out).into_owned()
}

/// The summary table, names as they are.
fn summary_tables(out: &mut String, s: &Summary, hash: &str) {
    let _ = writeln!(
        out,
        "meshsim: {} (seed {}, scenario {hash}): {}\n",
        s.scenario,
        s.seed,
        run_facts(s, "STOPPED EARLY")
    );
    table(out, &CLIENT_COLUMNS, s.clients.iter().map(client_cells));
    let causes = cause_rows(&s.clients);
    if !causes.is_empty() {
        out.push('\n');
        table(out, &CAUSE_COLUMNS, causes.into_iter());
    }
    out.push('\n');
    table(out, &SERVICE_COLUMNS, s.services.iter().map(service_cells));
    if !s.edges.is_empty() {
        out.push('\n');
        table(out, &EDGE_COLUMNS, s.edges.iter().map(edge_cells));
    }
    let faults = crate::verdicts::lines(s);
    if !faults.is_empty() {
        out.push('\n');
        for l in faults {
            out.push_str(&l);
            out.push('\n');
        }
    }
}

/// `text` with every control character but newline and tab escaped as Rust's `escape_debug`
/// does (`\u{1b}`, `\r`, `\0`), so that a name holding an escape sequence cannot drive the
/// terminal it is printed on; text without one is returned as it is.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes a text table: the header line, then a line per row. A column is as wide as its
/// set width or its longest cell (a long name widens its column rather than pushing the rest
/// of its row out of line); the last column, width 0, is not padded.
fn table(out: &mut String, columns: &[Column], rows: impl Iterator<Item = Vec<String>>) {
    let rows: Vec<Vec<String>> = rows.collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| match c.width {
            0 => 0,
            w => rows
                .iter()
                .filter_map(|r| r.get(i))
                .map(|v| v.chars().count())
                .fold(w, usize::max),
        })
        .collect();
    line(out, columns, &widths, columns.iter().map(|c| c.head));
    for row in &rows {
        line(out, columns, &widths, row.iter().map(String::as_str));
    }
}

/// One line of a text table: each cell padded to its column's width.
fn line<'a>(out: &mut String, columns: &[Column], widths: &[usize], cells: impl Iterator<Item = &'a str>) {
    for (i, ((c, w), v)) in columns.iter().zip(widths).zip(cells).enumerate() {
        if i > 0 {
            out.push_str(if *w == 0 { "  " } else { " " });
        }
        let _ = if c.num {
            write!(out, "{v:>w$}")
        } else {
            write!(out, "{v:<w$}")
        };
    }
    out.push('\n');
}
