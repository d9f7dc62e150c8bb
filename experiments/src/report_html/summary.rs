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
    out.push_str("<h3>Clients</h3>\n");
    let rows: Vec<Vec<Cell>> = s
        .clients
        .iter()
        .map(|c| cells(&CLIENT_COLUMNS, client_cells(c)))
        .collect();
    table(out, "summary clients", None, &heads(&CLIENT_COLUMNS), &rows);

    out.push_str("<h3>Services</h3>\n");
    let rows: Vec<Vec<Cell>> = s
        .services
        .iter()
        .map(|v| cells(&SERVICE_COLUMNS, service_cells(v)))
        .collect();
    table(out, "summary services", None, &heads(&SERVICE_COLUMNS), &rows);
    out.push_str(
        "<p class=\"note\">util: busy slots over the slots of pods that are up; in-flight and queued: \
         time averages over all pods; lost: requests in flight or queued on a container when it was \
         killed.</p>\n",
    );

    if s.edges.is_empty() {
        return;
    }
    out.push_str("<h3>Call edges</h3>\n");
    let rows: Vec<Vec<Cell>> = s
        .edges
        .iter()
        .map(|e| cells(&EDGE_COLUMNS, edge_cells(e)))
        .collect();
    let mut heads = heads(&EDGE_COLUMNS);
    // The page has room to say which failures these are.
    if let Some(last) = heads.last_mut() {
        last.0 = "top attempt failures";
    }
    table(out, "summary edges", None, &heads, &rows);
    out.push_str(
        "<p class=\"note\">amp: attempts per call (retry amplification); breaker, bulkhead, budget: \
         calls or retries refused by an open breaker, a full bulkhead, the retry budget; defer: \
         fallbacks that queued the work for later.</p>\n",
    );
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
