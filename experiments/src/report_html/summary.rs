//! The summary as HTML tables: the columns and cells of [`crate::text::summary_table`], the
//! tables `meshsim run` prints, each with a note on what its columns mean.

use std::fmt::Write as _;

use models::report::Summary;

use crate::text::{
    CLIENT_COLUMNS, Column, EDGE_COLUMNS, SERVICE_COLUMNS, client_cells, edge_cells, run_facts, service_cells,
};

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

    if s.edges.is_empty() {
        return;
    }
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
    out.push_str(
        "<p class=\"note\">amp: attempts per call (retry amplification); breaker, bulkhead, budget: \
         calls or retries refused by an open breaker, a full bulkhead, the retry budget; defer: \
         fallbacks that queued the work for later.</p>\n",
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
