//! The A/B comparison of `meshsim serve`: the pinned run A and the current run B through the
//! comparison of `meshsim compare` ([`crate::compare`]), so that there is one comparison
//! renderer and one set of key figures: the two timelines side by side on shared axes (one SVG,
//! both columns) and the diff table as the comparison page shows it
//! ([`crate::report_html::compare::diff_table`]).

use serde::Serialize;

use super::run::{Ran, Side, reproduce};
use crate::compare::{self, Run};
use crate::report_html::{compare::diff_table, sweep::inline_svg};

/// What the page shows for A/B.
#[derive(Serialize)]
pub struct Comparison {
    /// A's label (its scenario's name, with what sets it apart from B when the names are equal).
    pub a_label: String,
    /// B's label.
    pub b_label: String,
    /// A's reproduce command.
    pub a_reproduce: String,
    /// B's reproduce command.
    pub b_reproduce: String,
    /// A (left) and B (right) on shared axes, one inline SVG with its tooltips.
    pub timeline_svg: String,
    /// The key figures of both with B − A and B / A (HTML table).
    pub diff_html: String,
}

/// What sets `side` apart from `other`: its `--set` overrides the other lacks, and its seed
/// when the two differ.
fn apart(side: &Side, seed: u64, other: &Side, other_seed: u64) -> Vec<String> {
    let mut out: Vec<String> = side
        .set
        .iter()
        .filter(|s| !other.set.contains(s))
        .cloned()
        .collect();
    if seed != other_seed {
        out.push(format!("seed {seed}"));
    }
    out
}

/// A (the pin) and B compared as `meshsim compare` compares them.
pub fn compare(a_side: &Side, a: &Ran, b_side: &Side, b: &Ran) -> Result<Comparison, plots::PlotError> {
    let (fa, fb) = (&a.finished, &b.finished);
    let (la, lb) = compare::labels(
        (&fa.loaded.scenario.name, &fb.loaded.scenario.name),
        &apart(a_side, fa.seed, b_side, fb.seed),
        &apart(b_side, fb.seed, a_side, fa.seed),
    );
    let (ra, rb) = (Run::of(fa, &la), Run::of(fb, &lb));
    let c = compare::compare(&ra, &rb);
    let svg = compare::timeline_svg(&ra, &rb)?;
    let mut diff_html = String::new();
    diff_table(&mut diff_html, &c);
    Ok(Comparison {
        timeline_svg: inline_svg(svg.trim(), &format!("A: {la} vs B: {lb}")),
        diff_html,
        a_reproduce: reproduce(a_side, fa.seed),
        b_reproduce: reproduce(b_side, fb.seed),
        a_label: la,
        b_label: lb,
    })
}
