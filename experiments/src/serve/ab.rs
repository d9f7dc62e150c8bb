//! The A/B comparison of `meshsim serve`: the pinned run A and the current run B as two
//! timelines on the same time axis, and a table of the key figures of both summaries with their
//! differences.
//!
//! Kept to this one small module ([`compare`] and [`figures`]) so that it can be switched to the
//! shared comparison renderer of `meshsim compare` without touching the rest of the server.

use std::fmt::Write as _;

use models::report::Summary;
use serde::Serialize;

use super::run::{Ran, Side, reproduce};
use crate::report_html::{esc, sweep::inline_svg};

/// Which way a figure is better.
#[derive(Serialize, Copy, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    /// More is better (answers, goodput).
    Higher,
    /// Less is better (failures, latency, kills).
    Lower,
    /// Neither (events).
    Neutral,
}

/// One key figure of a run.
#[derive(Serialize, Clone, Debug)]
pub struct Figure {
    /// What it is, e.g. `uploaders: answered`.
    pub label: String,
    /// Its value (NaN when there is none, e.g. no answered request has a p99).
    pub value: f64,
    /// Which way is better.
    pub better: Better,
}

fn fig(label: String, value: f64, better: Better) -> Figure {
    Figure { label, value, better }
}

/// The key figures of a summary: per client its answers, failures, goodput and answered p99;
/// over the services the container kills and restarts and the wasted slot-seconds; the events.
pub fn figures(s: &Summary) -> Vec<Figure> {
    let mut out = Vec::new();
    for c in &s.clients {
        let p99 = if c.latency_answered_ms.count > 0 {
            c.latency_answered_ms.p99
        } else {
            f64::NAN
        };
        out.push(fig(
            format!("{}: answered", c.name),
            (c.ok + c.degraded) as f64,
            Better::Higher,
        ));
        out.push(fig(format!("{}: failed", c.name), c.failed as f64, Better::Lower));
        out.push(fig(
            format!("{}: goodput/s", c.name),
            c.goodput_per_s,
            Better::Higher,
        ));
        out.push(fig(format!("{}: answered p99 ms", c.name), p99, Better::Lower));
    }
    let kills: u32 = s.services.iter().flat_map(|v| &v.pods).map(|p| p.kills).sum();
    let restarts: u32 = s.services.iter().map(|v| v.restarts).sum();
    let wasted: f64 = s.services.iter().map(|v| v.wasted_work_s).sum();
    out.push(fig("container kills".into(), f64::from(kills), Better::Lower));
    out.push(fig("restarts".into(), f64::from(restarts), Better::Lower));
    out.push(fig("wasted slot-seconds".into(), wasted, Better::Lower));
    out.push(fig("events".into(), s.events as f64, Better::Neutral));
    out
}

/// What the page shows for A/B.
#[derive(Serialize)]
pub struct Comparison {
    /// A's reproduce command.
    pub a_reproduce: String,
    /// B's reproduce command.
    pub b_reproduce: String,
    /// A's timeline, on the shared time axis.
    pub a_timeline_svg: String,
    /// B's timeline, on the shared time axis.
    pub b_timeline_svg: String,
    /// The key figures side by side with B − A (HTML table).
    pub diff_html: String,
}

/// A number for the table: integers without decimals, others with two; `–` for none.
fn show(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The diff table: every figure of A or B (A's order, then B's own), A, B, B − A, and a class
/// saying whether B is better or worse.
pub fn diff_table(a: &[Figure], b: &[Figure]) -> String {
    let mut labels: Vec<&str> = a.iter().map(|f| f.label.as_str()).collect();
    labels.extend(
        b.iter()
            .map(|f| f.label.as_str())
            .filter(|l| !a.iter().any(|f| f.label == *l)),
    );
    let find = |v: &[Figure], l: &str| v.iter().find(|f| f.label == l).map_or(f64::NAN, |f| f.value);
    let mut out = String::from(
        "<div class=\"table-wrap\"><table class=\"ab-diff\"><thead><tr><th scope=\"col\">key figure</th>\
         <th scope=\"col\" class=\"num\">A</th><th scope=\"col\" class=\"num\">B</th>\
         <th scope=\"col\" class=\"num\">B − A</th></tr></thead><tbody>\n",
    );
    for l in labels {
        let better = a
            .iter()
            .chain(b)
            .find(|f| f.label == l)
            .map_or(Better::Neutral, |f| f.better);
        let (va, vb) = (find(a, l), find(b, l));
        let d = vb - va;
        let class = match better {
            _ if d.is_nan() || d == 0.0 => "same",
            Better::Higher if d > 0.0 => "better",
            Better::Lower if d < 0.0 => "better",
            Better::Neutral => "same",
            _ => "worse",
        };
        let sign = if d > 0.0 { "+" } else { "" };
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{sign}{}</td></tr>",
            esc(l),
            show(va),
            show(vb),
            show(d)
        );
    }
    out.push_str("</tbody></table></div>\n");
    out
}

/// A (the pin) and B side by side: both timelines drawn to the later of the two ends, and the
/// diff of their key figures.
pub fn compare(a_side: &Side, a: &Ran, b_side: &Side, b: &Ran) -> Result<Comparison, plots::PlotError> {
    let timeline = |r: &Ran| {
        let f = &r.finished;
        crate::charts::timeline(&f.loaded.scenario, &f.output.report, &f.loaded.hash)
    };
    let (mut ta, mut tb) = (timeline(a), timeline(b));
    let end = ta.end_secs.max(tb.end_secs);
    ta.end_secs = end;
    tb.end_secs = end;
    ta.title = format!("A · {}", ta.title);
    tb.title = format!("B · {}", tb.title);
    let sa = &a.finished.output.report.summary;
    let sb = &b.finished.output.report.summary;
    Ok(Comparison {
        a_reproduce: reproduce(a_side, a.finished.seed),
        b_reproduce: reproduce(b_side, b.finished.seed),
        a_timeline_svg: inline_svg(plots::timeline_svg(&ta)?.trim(), &ta.title),
        b_timeline_svg: inline_svg(plots::timeline_svg(&tb)?.trim(), &tb.title),
        diff_html: diff_table(&figures(sa), &figures(sb)),
    })
}
