//! A fault's phases and verdict in words: one line per fault and client for the terminal
//! summary, and the same cells for the report's table (`summary.json`'s `faults[]`,
//! models::phases).

use models::phases::{FaultClient, FaultSummary, NOT_RECOVERED, PhaseSummary, RECOVERED};
use models::report::Summary;

use crate::text::{secs, top_failures};

/// A rate per second: no decimal from 10 on (or at 0), one below.
pub fn rate(v: f64) -> String {
    if v >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The fault as a heading: `restart on classification (30–60 s)`, its name first when it has
/// one other than its kind.
pub fn fault_label(f: &FaultSummary) -> String {
    let named = if f.name == f.kind {
        String::new()
    } else {
        format!("{}: ", f.name)
    };
    format!(
        "{named}{} on {} ({}–{} s)",
        f.kind,
        f.service,
        secs(f.window.from_s),
        secs(f.window.until_s)
    )
}

/// A phase's answered p99, `-` when it answered nothing.
fn p99(p: &PhaseSummary) -> String {
    crate::text::ms_of(&p.latency_answered_ms, |l| l.p99)
}

/// The three phases of one statistic, `a → b → c`.
fn arrow(c: &FaultClient, f: impl Fn(&PhaseSummary) -> String) -> String {
    format!("{} → {} → {}", f(&c.before), f(&c.during), f(&c.after))
}

/// Goodput before → during → after, `98/s → 0/s → 0/s` (`-` for an empty phase: a fault
/// from 0 has no before, one to the end of the run no after).
pub fn goodput_cell(c: &FaultClient) -> String {
    arrow(c, |p| {
        if p.from_s < p.until_s {
            format!("{}/s", rate(p.goodput_per_s))
        } else {
            "-".into()
        }
    })
}

/// Answered p99 before → during → after, ms (`-` where nothing was answered).
pub fn p99_cell(c: &FaultClient) -> String {
    arrow(c, p99)
}

/// The two most frequent failures of each phase, `- → connect_refused 2900 → …`.
pub fn failures_cell(c: &FaultClient) -> String {
    arrow(c, |p| top_failures(&p.failed_by, 2))
}

/// The verdict in words.
pub fn verdict_cell(f: &FaultSummary, c: &FaultClient, duration_s: f64) -> String {
    match (c.verdict, c.recovered_s) {
        (Some(RECOVERED), Some(s)) => format!("recovered {} s after it ended", secs(s)),
        (Some(NOT_RECOVERED), _) => format!("{NOT_RECOVERED} (metastable)"),
        _ if f.window.until_s >= duration_s => "no verdict: the fault lasts to the end of the run".into(),
        _ => "no verdict: nothing to compare with before the fault".into(),
    }
}

/// One line per fault and client, for the terminal summary.
pub fn lines(s: &Summary) -> Vec<String> {
    s.faults
        .iter()
        .flat_map(|f| {
            f.clients.iter().map(move |c| {
                format!(
                    "fault {}: {} goodput {}, p99 {} ms, failures {}; {}",
                    fault_label(f),
                    c.name,
                    goodput_cell(c),
                    p99_cell(c),
                    failures_cell(c),
                    verdict_cell(f, c, s.duration_s)
                )
            })
        })
        .collect()
}
