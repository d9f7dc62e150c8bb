//! The timeline's hover tooltips ([`crate::hover`]): a 10 px wide invisible line along every
//! drawn run of a line series, and a rectangle over every legend entry drawn, each titled with
//! the panel's title and the series' full label.

use super::prep::Prep;
use super::{Layout, legend_room};
use crate::draw::{self, Rect};

/// Pixel columns per point of a hover line: the line is only a target for the pointer, so one
/// point every few columns is enough and keeps dense series from doubling the SVG's size.
const HOVER_STEP: i32 = 4;

/// The x of the last point of a non-empty run.
fn prev_x(run: &[(i32, i32)]) -> i32 {
    run.last().map_or(i32::MIN, |p| p.0)
}

/// `run` with one point per [`HOVER_STEP`] pixel columns (the first in each), and its last.
fn coarse(run: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    for &(x, y) in run {
        let p = (x.round() as i32, y.round() as i32);
        if out.last().is_none_or(|l| p.0 >= l.0 + HOVER_STEP) {
            out.push(p);
        }
    }
    if let Some(&(x, y)) = run.last() {
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}
use crate::hover::Tooltips;

/// `svg` with the tooltips of `t` (laid out as `l`) added before its closing tag.
pub(crate) fn add_tooltips(svg: String, l: &Layout<'_>) -> String {
    let mut tips = Tooltips::new();
    column_tooltips(&mut tips, l);
    tips.insert(svg)
}

/// Adds the tooltips of one column laid out as `l` to `tips`: shifted by the column's left
/// edge, each ending with the column's tag if it has one.
pub(super) fn column_tooltips(tips: &mut Tooltips, l: &Layout<'_>) {
    let x = l.x_scale();
    let tag = if l.tag.is_empty() {
        String::new()
    } else {
        format!("\n{}", l.tag)
    };
    for (p, _, plot) in &l.panels {
        let title = format!("{}{tag}", p.title());
        if let Prep::Lines(lp, y) = p {
            let ys = y.scale(*plot);
            for s in &lp.series {
                let tip = format!("{}\n{title}", s.label);
                let mut runs: Vec<Vec<(i32, i32)>> = Vec::new();
                let mut run: Vec<(f64, f64)> = Vec::new();
                let points = l
                    .time
                    .points(&s.values)
                    .map(|(t, v)| (t, v.filter(|v| ys.accepts(*v))));
                for (t, v) in points.chain(std::iter::once((0.0, None))) {
                    match v {
                        Some(v) => {
                            let py = ys.pos(v).clamp(f64::from(plot.y0), f64::from(plot.y1));
                            run.push((x.pos(t) + f64::from(l.dx), py));
                        }
                        None if run.is_empty() => {}
                        None => {
                            // A gap narrower than a hover step is bridged: the line is only a
                            // target for the pointer, and a broken dense series stays small.
                            let next = coarse(&run);
                            match runs.last_mut() {
                                Some(prev) if prev.last().is_some_and(|p| next[0].0 - p.0 <= HOVER_STEP) => {
                                    let last = prev_x(prev);
                                    prev.extend(next.into_iter().filter(|q| q.0 >= last + HOVER_STEP));
                                }
                                _ => runs.push(next),
                            }
                            run.clear();
                        }
                    }
                }
                tips.path(&runs, 10, &tip);
            }
        }
        // The legend entries drawn (as `draw::legend` places them), with their full labels.
        let entries = p.legend();
        let labels: Vec<&str> = entries.iter().map(|(_, l)| l.as_str()).collect();
        let legend = draw::legend_layout(&labels, l.legend_w, legend_room(*plot));
        for e in &legend.shown {
            let y0 = plot.y0 + e.top;
            let r = Rect {
                x0: l.dx + l.right + 24,
                y0,
                x1: l.dx + l.right + 24 + l.legend_w,
                y1: y0 + e.height,
            };
            tips.rect(r, &format!("{}\n{title}", labels[e.index]));
        }
    }
}
