//! The topology's hover tooltips ([`crate::hover`]): a rectangle over every box and arrow label
//! and a 12 px wide line along every arrow, each with its full text.

use super::Topology;
use super::layout::{LABEL_TEXT_W, Layout, SLOT_H};
use crate::draw::Rect;
use crate::hover::Tooltips;

/// `svg` with the tooltips of `t` (laid out as `l`) added before its closing tag.
pub(crate) fn add_tooltips(svg: String, t: &Topology, l: &Layout) -> String {
    let mut tips = Tooltips::new();
    for n in &l.nodes {
        tips.rect(n.rect, &t.nodes[n.index].tooltip);
    }
    for a in &l.arrows {
        let tip = &t.arrows[a.index].tooltip;
        tips.line(&a.path, 12, tip);
        let (x, y) = a.label_at;
        let label = Rect {
            x0: x,
            y0: y,
            x1: x + LABEL_TEXT_W,
            y1: y + SLOT_H - 10,
        };
        tips.rect(label, tip);
    }
    tips.insert(svg)
}
