//! The timeline's per-edge panels, for the edges in most trouble ([`select::edge_trouble`]):
//! call outcomes (stacked: ok, degraded, failed by reason), refusals by each policy that
//! refuses (`models::policy::Refusal`), each policy part's own panel (`crate::policies`, e.g.
//! permits in use against a limit), and pool connections in use and waiting against the pool's
//! size. Limits are the configured ones summed over the
//! edge's caller pods (one for a client), as the series sum over them.

use std::collections::BTreeMap;

use models::config::{Caller, PolicyConfig, Scenario};
use models::ids::EdgeIdx;
use models::outcome::Failure;
use models::policy::Refusal;
use models::report::Report;
use plots::{LinePanel, Panel, RefLine, StackedPanel};

use super::{column, line, per_second, select};
use crate::policies::{EdgeView, PARTS};

/// Most edges that get panels (each two to four of them).
pub const MAX_EDGES: usize = 4;

/// The panels of each chosen edge, at most `room` in all: the edges in most trouble first
/// choose, up to [`MAX_EDGES`], shown in scenario order; a note says how many are left out.
pub fn edge_panels(scenario: &Scenario, report: &Report, room: usize, notes: &mut Vec<String>) -> Vec<Panel> {
    let summaries: BTreeMap<&str, _> = report
        .summary
        .edges
        .iter()
        .map(|e| (e.name.as_str(), e))
        .collect();
    let names: Vec<String> = (0..scenario.edges.len())
        .map(|i| scenario.edge_name(EdgeIdx(i as u32)))
        .collect();
    let troubles: Vec<select::Trouble> = names
        .iter()
        .map(|n| {
            summaries
                .get(n.as_str())
                .map_or([0; 4], |e| select::edge_trouble(e))
        })
        .collect();
    let mut ranked = select::most_troubled(
        names.iter().map(String::as_str).zip(troubles.iter().copied()),
        MAX_EDGES,
    );
    // Within the room, most trouble first (as `most_troubled` ranks): keep an edge whose
    // panels still fit.
    ranked.sort_by_key(|&i| (std::cmp::Reverse(troubles[i]), names[i].as_str(), i));
    let mut used = 0;
    let mut chosen = Vec::new();
    for i in ranked {
        let n = panel_count(policy(scenario, i));
        if used + n <= room {
            used += n;
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    if chosen.len() < names.len() {
        notes.push(format!(
            "Edge panels: the {} in most trouble shown; and {} (see timeseries.csv)",
            select::count(chosen.len(), "edge"),
            select::more(names.len() - chosen.len(), "edge")
        ));
    }
    chosen
        .into_iter()
        .flat_map(|i| panels_of(scenario, report, i, &names[i]))
        .collect()
}

/// The policy of edge `i`.
fn policy(scenario: &Scenario, i: usize) -> &PolicyConfig {
    &scenario.policies[scenario.edges[i].policy.idx()]
}

/// How many panels an edge with `p` gets: outcomes and pool, refusals when it has a part that
/// refuses, and each part's own panel (`crate::policies`) when it has that part.
pub fn panel_count(p: &PolicyConfig) -> usize {
    2 + usize::from(refusing(p)) + PARTS.iter().filter_map(|part| (part.panel)(p)).count()
}

/// Whether a policy can refuse calls or tries (it has a part that refuses).
fn refusing(p: &PolicyConfig) -> bool {
    Refusal::ALL.into_iter().any(|r| r.is_in(p))
}

/// Caller pods of edge `i` (a client is one caller).
fn callers(scenario: &Scenario, i: usize) -> u32 {
    match scenario.edges[i].caller {
        Caller::Client(_) => 1,
        Caller::Service(s) => scenario.services[s.idx()].replicas,
    }
}

/// The panels of edge `i`, named `name`.
fn panels_of(scenario: &Scenario, report: &Report, i: usize, name: &str) -> Vec<Panel> {
    let p = policy(scenario, i);
    let pods = callers(scenario, i);
    let mut out = vec![outcomes(report, name)];
    if refusing(p) {
        out.push(refusals(report, name, p));
    }
    let view = EdgeView {
        report,
        name,
        pods,
        policy: p,
    };
    out.extend(
        PARTS
            .iter()
            .filter_map(|part| (part.panel)(p))
            .map(|panel| panel(&view)),
    );
    out.push(pool(report, name, pods, p));
    out
}

/// "N pods × M" (or "M" for one caller).
pub(crate) fn times(pods: u32, each: u32) -> String {
    if pods == 1 {
        each.to_string()
    } else {
        format!("{pods} pods × {each}")
    }
}

/// Calls ending per second on the edge, stacked: ok, degraded, and each failure reason that
/// happened.
fn outcomes(report: &Report, name: &str) -> Panel {
    let bucket = report.series.bucket_s;
    let p = format!("edge.{name}");
    let mut layers = vec![
        line(
            "ok",
            per_second(&column(report, &format!("{p}.ok")), bucket),
            false,
        ),
        line(
            "degraded",
            per_second(&column(report, &format!("{p}.degraded")), bucket),
            false,
        ),
    ];
    for f in Failure::ALL {
        let v = column(report, &format!("{p}.failed.{}", f.name()));
        if v.iter().any(|&x| x > 0.0) {
            layers.push(line(
                format!("failed: {}", f.name().replace('_', " ")),
                per_second(&v, bucket),
                false,
            ));
        }
    }
    Panel::Stacked(StackedPanel {
        title: format!("{name}: call outcomes"),
        y_label: "calls/s".into(),
        layers,
    })
}

/// Refusals per second by the policies the edge has (zeros included: "none refused" shows).
fn refusals(report: &Report, name: &str, p: &PolicyConfig) -> Panel {
    let bucket = report.series.bucket_s;
    let series = Refusal::ALL
        .into_iter()
        .filter(|r| r.is_in(p))
        .map(|r| {
            let v = column(report, &format!("edge.{name}.rejected_{}", r.name()));
            line(r.label(), per_second(&v, bucket), false)
        })
        .collect();
    Panel::Lines(LinePanel {
        title: format!("{name}: refusals by policy"),
        y_label: "refusals/s (tries)".into(),
        log_y: false,
        series,
        reference_lines: vec![],
    })
}

/// A lines panel of `series` with a line at `limit` (labelled `label`), if there is one. The
/// line is drawn however far above the data it is: a pool far from full is worth seeing.
pub(crate) fn against_limit(
    title: String,
    y_label: &str,
    series: Vec<plots::Series>,
    label: String,
    limit: Option<f64>,
) -> Panel {
    Panel::Lines(LinePanel {
        title,
        y_label: y_label.into(),
        log_y: false,
        series,
        reference_lines: limit.map(|value| RefLine { label, value }).into_iter().collect(),
    })
}

/// Pool connections in use and attempts waiting for one (time-averaged) against the pool's
/// size over the caller pods (no line for a pool without a limit).
fn pool(report: &Report, name: &str, pods: u32, p: &PolicyConfig) -> Panel {
    let max = p.pool.max_connections;
    let shared = if p.pool.shared.is_some() {
        " (shared with other edges)"
    } else {
        ""
    };
    against_limit(
        format!("{name}: pool connections (mean)"),
        "connections",
        vec![
            line(
                "in use",
                column(report, &format!("edge.{name}.pool_in_use")),
                false,
            ),
            line(
                "attempts waiting",
                column(report, &format!("edge.{name}.pool_waiters")),
                true,
            ),
        ],
        format!("pool size {}{shared}", times(pods, max)),
        (max != u32::MAX).then(|| f64::from(pods) * f64::from(max)),
    )
}
