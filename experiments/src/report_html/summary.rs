//! The summary as HTML tables: the columns and cells of [`crate::text::summary_table`], the
//! tables `meshsim run` prints, each with a note on what its columns mean.

use std::fmt::Write as _;

use models::report::Summary;

use crate::text::{
    CAUSE_COLUMNS, CLIENT_COLUMNS, Column, EDGE_COLUMNS, SERVICE_COLUMNS, cause_rows, client_cells,
    edge_cells, run_facts, service_cells,
};

use crate::verdicts;

use super::html::{Cell, Head, esc, num, table, text};

/// Writes the summary section body: the stop line, then the clients, services and (when there
/// are any) call edges tables, each with its note.
pub fn write(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "<p class=\"facts\">{}</p>",
        esc(&run_facts(s, "stopped early"))
    );
    let clients = heads(&CLIENT_COLUMNS);
    block(
        out,
        "Clients",
        "summary clients",
        &clients,
        &CLIENT_COLUMNS,
        &s.clients,
        client_cells,
    );
    write_causes(out, s);
    let services = heads(&SERVICE_COLUMNS);
    block(
        out,
        "Services",
        "summary services",
        &services,
        &SERVICE_COLUMNS,
        &s.services,
        service_cells,
    );
    out.push_str(
        "<p class=\"note\">util: busy slots over the slots of pods that are up; in-flight and queued: \
         time averages over all pods; lost: requests in flight or queued on a container when it was \
         killed.</p>\n",
    );

    if !s.edges.is_empty() {
        write_edges(out, s);
    }
    write_faults(out, s);
}

/// The failure causes table and its note, when anything failed.
fn write_causes(out: &mut String, s: &Summary) {
    let rows = cause_rows(&s.clients);
    if rows.is_empty() {
        return;
    }
    block(
        out,
        "Failure causes",
        "summary causes",
        &heads(&CAUSE_COLUMNS),
        &CAUSE_COLUMNS,
        &rows,
        Vec::clone,
    );
    out.push_str(
        "<p class=\"note\">A failed request's chain of causes: the reason the client saw, then \
         where the failure started down the call tree. A service that answers 5xx because a \
         required call failed passes that call's cause on, so <code>error_response ← \
         connect_timeout at api→backend</code> is a client's 5xx whose root is a connect timeout \
         of api calling backend; every hop between the two answered 5xx. A failure with no \
         <code>←</code> is the client's own (its timeout, its breaker). With retries, the last \
         try's cause counts.</p>\n",
    );
}

/// The call edges table and its note.
fn write_edges(out: &mut String, s: &Summary) {
    let mut edges = heads(&EDGE_COLUMNS);
    // The page has room to say which failures these are.
    if let Some(last) = edges.last_mut() {
        last.0 = "top attempt failures";
    }
    block(
        out,
        "Call edges",
        "summary edges",
        &edges,
        &EDGE_COLUMNS,
        &s.edges,
        edge_cells,
    );
    let refusals = models::policy::Refusal::ALL;
    let _ = writeln!(
        out,
        "<p class=\"note\">amp: attempts per call (retry amplification); {}: calls or retries \
         refused by {}; defer: fallbacks that queued the work for later.</p>",
        refusals.map(|r| r.name()).join(", "),
        refusals.map(|r| r.refuser()).join(", "),
    );
}

/// The faults table: per fault and client, the phases before → during → after and the
/// verdict, the cells of the terminal summary's fault lines ([`crate::verdicts`]).
fn write_faults(out: &mut String, s: &Summary) {
    if s.faults.is_empty() {
        return;
    }
    let heads: [Head<'_>; 6] = [
        ("fault", false),
        ("client", false),
        ("goodput/s", false),
        ("p99 ms", false),
        ("failures", false),
        ("verdict", false),
    ];
    let rows: Vec<Vec<Cell>> = s
        .faults
        .iter()
        .flat_map(|f| {
            f.clients.iter().map(move |c| {
                vec![
                    text(&verdicts::fault_label(f)),
                    text(&c.name),
                    text(&verdicts::goodput_cell(c)),
                    text(&verdicts::p99_cell(c)),
                    text(&verdicts::failures_cell(c)),
                    text(&verdicts::verdict_cell(f, c, s.duration_s)),
                ]
            })
        })
        .collect();
    let _ = writeln!(out, "<h3>Fault phases</h3>");
    table(out, "summary faults", &heads, &rows);
    out.push_str(
        "<p class=\"note\">Each column reads before → during → after the fault: before is the \
         60 s before it starts, after runs from its end to the end of the run. goodput/s: ok and \
         degraded answers per second; p99 ms: of answered requests; failures: the two most \
         frequent reasons. Recovered: the client's goodput over 10 s is back to 90% of before.</p>\n",
    );
}

/// One table under its `<h3>` heading: a row of `columns` per item, from the text table's cells.
fn block<T>(
    out: &mut String,
    heading: &str,
    class: &str,
    heads: &[Head<'_>],
    columns: &[Column],
    items: &[T],
    row: fn(&T) -> Vec<String>,
) {
    let _ = writeln!(out, "<h3>{heading}</h3>");
    let rows: Vec<Vec<Cell>> = items.iter().map(|item| cells(columns, row(item))).collect();
    table(out, class, heads, &rows);
}

/// The header cells of `columns`.
fn heads(columns: &[Column]) -> Vec<Head<'static>> {
    columns.iter().map(|c| (c.head, c.num)).collect()
}

/// A row's text cells as table cells, numbers right-aligned.
fn cells(columns: &[Column], row: Vec<String>) -> Vec<Cell> {
    columns
        .iter()
        .zip(row)
        .map(|(c, v)| if c.num { num(v) } else { text(&v) })
        .collect()
}
