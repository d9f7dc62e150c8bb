//! Where every box, label and arrow of a topology goes, computed before drawing.

use super::{MAX_DETAILS, MAX_FAULTS, MAX_LAYERS, MAX_OUT, MAX_PER_LAYER, NodeKind, Topology};
use crate::draw::Rect;
use crate::style::{self, size};

/// Outer margin.
pub(super) const MARGIN: i32 = 24;
/// Width of a box.
const BOX_W: i32 = 300;
/// Width of the label column right of a box.
const LABEL_W: i32 = 390;
/// Width left for an arrow to run from the label column to the next column's boxes.
const ROUTE_W: i32 = 120;
/// Padding inside a box.
pub(super) const PAD: i32 = 10;
/// Height of the name row of a box.
pub(super) const NAME_ROW: i32 = 30;
/// Height of a detail or fault line.
pub(super) const LINE_ROW: i32 = 22;
/// Most summary lines under an arrow's policy name.
const SUMMARY_LINES: usize = 3;
/// Height of an arrow's label slot: the arrow, the policy's name and the summary lines.
pub(super) const SLOT_H: i32 = 30 + SUMMARY_LINES as i32 * 21 + 8;
/// Vertical gap between boxes of a column.
const V_GAP: i32 = 36;
/// Height of one note line.
const NOTE_ROW: i32 = 24;
/// Most note lines printed (the last then counts the rest).
const MAX_NOTES: usize = 4;
/// Text width available in a label slot.
pub(super) const LABEL_TEXT_W: i32 = LABEL_W - 24;

/// A box placed on the page, with the text it shows (already shortened to fit).
pub(crate) struct PlacedNode {
    pub(super) index: usize,
    pub(super) kind: NodeKind,
    pub(super) rect: Rect,
    pub(super) name: String,
    pub(super) details: Vec<String>,
    pub(super) faults: Vec<String>,
}

/// An arrow placed on the page: its path (first point on the caller's box, last on the
/// callee's), its label's top left corner and lines.
pub(crate) struct PlacedArrow {
    pub(super) index: usize,
    pub(super) path: Vec<(i32, i32)>,
    pub(super) label_at: (i32, i32),
    pub(super) policy: String,
    pub(super) summary: Vec<String>,
}

/// The whole page.
pub(crate) struct Layout {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(super) subtitle_y: i32,
    pub(super) notes: Vec<String>,
    pub(super) notes_y: i32,
    pub(super) nodes: Vec<PlacedNode>,
    pub(super) arrows: Vec<PlacedArrow>,
}

/// The column of every node: clients 0; a service one right of its deepest caller (1 without
/// callers). Relaxed at most `n` times, so a cycle ends with deep columns instead of looping.
fn layers(t: &Topology) -> Vec<usize> {
    let n = t.nodes.len();
    let mut layer: Vec<usize> = t
        .nodes
        .iter()
        .map(|v| usize::from(v.kind == NodeKind::Service))
        .collect();
    for _ in 0..n {
        let mut changed = false;
        for a in &t.arrows {
            if a.from >= n || a.to >= n || a.from == a.to || t.nodes[a.to].kind == NodeKind::Client {
                continue;
            }
            let want = (layer[a.from] + 1).min(n);
            if layer[a.to] < want {
                layer[a.to] = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    layer
}

/// Joins `parts` with `sep` into at most `most` lines of `max` px at `px`, the last shortened
/// with "…" when the parts do not fit.
fn pack(parts: &[&str], sep: &str, px: u32, bold: bool, max: u32, most: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in parts.iter().filter(|p| !p.trim().is_empty()) {
        let joined = if cur.is_empty() {
            p.to_string()
        } else {
            format!("{cur}{sep}{p}")
        };
        if cur.is_empty() || style::text_width(&joined, px, bold) <= max || lines.len() + 1 >= most {
            cur = joined;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = p.to_string();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines.iter().map(|l| style::fit_text(l, px, bold, max)).collect()
}

/// An arrow's summary parts joined with " · " into at most [`SUMMARY_LINES`] lines.
fn wrap(parts: &[String]) -> Vec<String> {
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    pack(
        &parts,
        " · ",
        size::TICK,
        false,
        LABEL_TEXT_W as u32,
        SUMMARY_LINES,
    )
}

/// The lines of a box (measured `bold` or not), at most `most`: each wrapped at spaces to the
/// box's text width, leaving a row for the lines after it; when they do not all fit, the last
/// row says how many more there are.
fn fit_lines(lines: &[String], bold: bool, most: usize) -> Vec<String> {
    let room = (BOX_W - 2 * PAD) as u32;
    let mut out: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let left = most - out.len();
        if left == 1 && i + 1 < lines.len() {
            out.push(format!("and {} more", lines.len() - i));
            break;
        }
        let words: Vec<&str> = l.split(' ').collect();
        let rows = if i + 1 < lines.len() { left - 1 } else { left };
        out.extend(pack(&words, " ", size::TICK, bold, room, rows));
        if out.len() >= most {
            break;
        }
    }
    out
}

impl Layout {
    pub(crate) fn new(t: &Topology) -> Layout {
        let layer = layers(t);
        let mut notes: Vec<String> = t.notes.iter().filter(|n| !n.trim().is_empty()).cloned().collect();
        // Columns of node indices, in input order, within the limits.
        let mut columns: Vec<Vec<usize>> = vec![Vec::new(); MAX_LAYERS];
        let (mut too_deep, mut too_many) = (0, 0);
        for (i, &l) in layer.iter().enumerate() {
            if l >= MAX_LAYERS {
                too_deep += 1;
            } else if columns[l].len() >= MAX_PER_LAYER {
                too_many += 1;
            } else {
                columns[l].push(i);
            }
        }
        while columns.last().is_some_and(Vec::is_empty) {
            columns.pop();
        }
        if too_deep > 0 {
            notes.push(format!(
                "and {too_deep} boxes deeper than {MAX_LAYERS} columns not drawn"
            ));
        }
        if too_many > 0 {
            notes.push(format!(
                "and {too_many} boxes beyond {MAX_PER_LAYER} per column not drawn"
            ));
        }
        let drawn: Vec<bool> = (0..t.nodes.len())
            .map(|i| columns.iter().any(|c| c.contains(&i)))
            .collect();

        // Arrows kept: both ends drawn, at most MAX_OUT per caller, in input order.
        let mut out_count = vec![0usize; t.nodes.len()];
        let mut kept: Vec<usize> = Vec::new();
        let mut dropped = 0;
        for (k, a) in t.arrows.iter().enumerate() {
            if a.from >= t.nodes.len() || a.to >= t.nodes.len() || !drawn[a.from] || !drawn[a.to] {
                continue;
            }
            if out_count[a.from] >= MAX_OUT {
                dropped += 1;
                continue;
            }
            out_count[a.from] += 1;
            kept.push(k);
        }
        if dropped > 0 {
            notes.push(format!("and {dropped} arrows beyond {MAX_OUT} per box not drawn"));
        }
        if notes.len() > MAX_NOTES {
            let more = notes.len() - (MAX_NOTES - 1);
            notes.truncate(MAX_NOTES - 1);
            notes.push(format!("and {more} more notes"));
        }

        let n_cols = columns.len().max(1) as i32;
        let any_out_of_last = kept.iter().any(|&k| layer[t.arrows[k].from] + 1 == columns.len());
        let width = 2 * MARGIN + n_cols * (BOX_W + LABEL_W + ROUTE_W)
            - ROUTE_W
            - if any_out_of_last { 0 } else { LABEL_W };
        let room = (width - 2 * MARGIN).max(0) as u32;
        let notes: Vec<String> = notes
            .iter()
            .map(|n| style::fit_text(n, size::AXIS, false, room))
            .collect();
        let subtitle_y = MARGIN + 38;
        let notes_y = subtitle_y + if t.subtitle.is_empty() { 0 } else { 30 };
        let top = notes_y + notes.len() as i32 * NOTE_ROW + 16;

        // Boxes, column by column, top to bottom.
        let mut rect_of: Vec<Option<Rect>> = vec![None; t.nodes.len()];
        let mut placed = Vec::new();
        let mut bottom = top;
        for (c, col) in columns.iter().enumerate() {
            let x0 = MARGIN + c as i32 * (BOX_W + LABEL_W + ROUTE_W);
            let mut y = top;
            for &i in col {
                let v = &t.nodes[i];
                let details = fit_lines(&v.details, false, MAX_DETAILS);
                // Fault lines are drawn in bold.
                let faults = fit_lines(&v.faults, true, MAX_FAULTS);
                let text_h = 2 * PAD + NAME_ROW + (details.len() + faults.len()) as i32 * LINE_ROW;
                let slots_h = out_count[i] as i32 * SLOT_H + 2 * PAD;
                let h = text_h.max(slots_h).max(80);
                let rect = Rect {
                    x0,
                    y0: y,
                    x1: x0 + BOX_W,
                    y1: y + h,
                };
                rect_of[i] = Some(rect);
                placed.push(PlacedNode {
                    index: i,
                    kind: v.kind,
                    rect,
                    name: style::fit_text(&v.name, size::AXIS, true, (BOX_W - 2 * PAD) as u32),
                    details,
                    faults,
                });
                y += h + V_GAP;
            }
            bottom = bottom.max(y - V_GAP);
        }
        let arrows = place_arrows(t, &kept, &rect_of, &layer);
        Layout {
            width: width.max(1) as u32,
            height: (bottom + MARGIN).max(1) as u32,
            subtitle_y,
            notes,
            notes_y,
            nodes: placed,
            arrows,
        }
    }
}

/// Paths and labels of the kept arrows: each leaves its caller's right edge at the top of its own
/// label slot, runs over its label to the end of the label column, then straight to the callee's
/// left edge, where incoming arrows are spread evenly (ordered by their caller's column and
/// position, so they do not cross needlessly).
fn place_arrows(t: &Topology, kept: &[usize], rect_of: &[Option<Rect>], layer: &[usize]) -> Vec<PlacedArrow> {
    let mut slot = vec![0i32; t.nodes.len()];
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); t.nodes.len()];
    for &k in kept {
        incoming[t.arrows[k].to].push(k);
    }
    for list in &mut incoming {
        list.sort_by_key(|&k| {
            let a = &t.arrows[k];
            (layer[a.from], rect_of[a.from].map_or(0, |r| r.y0), k)
        });
    }
    // Each caller's slots top to bottom in the order of its callees' positions, so its arrows
    // do not cross each other.
    let mut order: Vec<usize> = kept.to_vec();
    order.sort_by_key(|&k| {
        let a = &t.arrows[k];
        (a.from, rect_of[a.to].map_or((0, 0), |r| (r.y0, r.x0)), k)
    });
    let mut out = Vec::with_capacity(kept.len());
    for &k in &order {
        let a = &t.arrows[k];
        let (Some(src), Some(dst)) = (rect_of[a.from], rect_of[a.to]) else {
            continue;
        };
        let y = src.y0 + PAD + slot[a.from] * SLOT_H + 4;
        slot[a.from] += 1;
        let list = &incoming[a.to];
        let pos = list.iter().position(|&j| j == k).unwrap_or(0) as i32;
        let ty = dst.y0 + (pos + 1) * dst.height() / (list.len() as i32 + 1);
        let bend = src.x1 + LABEL_W;
        let path = if dst.x0 > bend {
            vec![(src.x1, y), (bend, y), (dst.x0 - 16, ty), (dst.x0, ty)]
        } else {
            // A callee in the same or an earlier column (only with a cycle): a straight line.
            vec![(src.x1, y), (bend, y), (dst.x0, ty)]
        };
        out.push(PlacedArrow {
            index: k,
            path,
            label_at: (src.x1 + 12, y + 6),
            policy: style::fit_text(&a.policy, size::TICK, true, LABEL_TEXT_W as u32),
            summary: wrap(&a.summary),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{Arrow, Node};

    fn overlap(a: Rect, b: Rect) -> bool {
        a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
    }

    #[test]
    fn long_box_lines_wrap_and_what_does_not_fit_is_counted() {
        crate::style::ensure_fonts().unwrap();
        let long = "word ".repeat(40);
        let lines = vec![long.clone(), "b".to_string(), "c".to_string()];
        let out = fit_lines(&lines, false, 3);
        // The long line wraps onto two rows and leaves the last to count the two after it.
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].starts_with("word word"), "{out:?}");
        assert_eq!(out[2], "and 2 more");
        assert_eq!(fit_lines(&["a".into(), "b".into()], false, 3), ["a", "b"]);
    }

    /// A graph with skipped layers, several callers per callee and up to four arrows per box:
    /// no two boxes overlap, no label slot overlaps a box or another label, clients are in the
    /// left column and every callee is right of its caller.
    #[test]
    fn boxes_and_labels_never_overlap_and_arrows_point_right() {
        crate::style::ensure_fonts().unwrap();
        let n = 14;
        let nodes = (0..n)
            .map(|i| Node {
                kind: if i < 3 {
                    NodeKind::Client
                } else {
                    NodeKind::Service
                },
                name: format!("n{i}"),
                details: vec!["d".repeat(i)],
                faults: if i % 4 == 0 { vec!["f".into()] } else { vec![] },
                tooltip: String::new(),
            })
            .collect();
        let mut arrows = Vec::new();
        for i in 0..n {
            for j in [i + 3, i + 5, i + 6, i + 9] {
                if j < n && j >= 3 {
                    arrows.push(Arrow {
                        from: i,
                        to: j,
                        policy: format!("p{i}-{j}"),
                        summary: vec!["timeout 1s".into(), "3 tries".into()],
                        tooltip: String::new(),
                    });
                }
            }
        }
        let t = Topology {
            nodes,
            arrows,
            ..Topology::default()
        };
        let l = Layout::new(&t);
        assert_eq!(l.nodes.len(), n);
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                assert!(!overlap(a.rect, b.rect), "boxes {} and {}", a.index, b.index);
            }
            if a.kind == NodeKind::Client {
                assert_eq!(a.rect.x0, MARGIN);
            }
        }
        let labels: Vec<Rect> = l
            .arrows
            .iter()
            .map(|a| Rect {
                x0: a.label_at.0,
                y0: a.label_at.1,
                x1: a.label_at.0 + LABEL_TEXT_W,
                y1: a.label_at.1 + SLOT_H - 10,
            })
            .collect();
        for (i, r) in labels.iter().enumerate() {
            for o in &labels[i + 1..] {
                assert!(!overlap(*r, *o), "labels overlap");
            }
            for b in &l.nodes {
                assert!(!overlap(*r, b.rect), "a label overlaps box {}", b.index);
            }
        }
        for a in &l.arrows {
            let (first, last) = (a.path[0], a.path[a.path.len() - 1]);
            assert!(last.0 > first.0, "arrow {} points right", a.index);
        }
        // Deterministic: the same input, the same layout.
        let again = Layout::new(&t);
        assert_eq!(
            l.arrows.iter().map(|a| a.path.clone()).collect::<Vec<_>>(),
            again.arrows.iter().map(|a| a.path.clone()).collect::<Vec<_>>()
        );
    }
}
