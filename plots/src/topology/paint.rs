//! Drawing a laid-out topology: title, notes, arrows (under everything), boxes, then labels.

use plotters::prelude::{DrawingBackend, Rectangle};

use super::NodeKind;
use super::Topology;
use super::layout::{LINE_ROW, Layout, MARGIN, NAME_ROW, PAD, PlacedArrow, PlacedNode};
use crate::data::Tone;
use crate::draw::{self, Area, Rect, Res};
use crate::error::drawing;
use crate::style::{self, Anchor, INK, INK_SOFT, SHADE, WHITE, size};

/// Colour of the arrows.
const ARROW: plotters::style::RGBColor = INK_SOFT;

/// Draws the whole topology.
pub(crate) fn draw<DB: DrawingBackend>(area: &Area<DB>, t: &Topology, l: &Layout) -> Res {
    draw::head(area, (&t.title, &t.subtitle), l.width, MARGIN, l.subtitle_y)?;
    draw::notes(area, &l.notes, (MARGIN, l.notes_y), 24, INK_SOFT)?;
    for a in &l.arrows {
        arrow(area, a)?;
    }
    for n in &l.nodes {
        node(area, n)?;
    }
    for a in &l.arrows {
        label(area, a)?;
    }
    Ok(())
}

/// An arrow's line and its head at the callee's edge.
fn arrow<DB: DrawingBackend>(area: &Area<DB>, a: &PlacedArrow) -> Res {
    draw::polyline(area, &a.path, ARROW, 2, false)?;
    let (x, y) = a.path[a.path.len() - 1];
    draw::polygon(area, vec![(x, y), (x - 14, y - 7), (x - 14, y + 7)], ARROW, 1.0)
}

/// An arrow's label under its line: the policy's name in bold and the summary lines.
fn label<DB: DrawingBackend>(area: &Area<DB>, a: &PlacedArrow) -> Res {
    let (x, y) = a.label_at;
    draw::text(
        area,
        &a.policy,
        (x, y),
        size::TICK,
        true,
        INK,
        Anchor::TopLeft,
        false,
    )?;
    for (i, s) in a.summary.iter().enumerate() {
        let ly = y + 22 + i as i32 * 21;
        draw::text(
            area,
            s,
            (x, ly),
            size::TICK,
            false,
            INK_SOFT,
            Anchor::TopLeft,
            false,
        )?;
    }
    Ok(())
}

/// A box: filled by kind (clients sky blue, services grey), a thick fault-coloured border when a
/// fault strikes it; its name, detail lines and fault lines.
fn node<DB: DrawingBackend>(area: &Area<DB>, n: &PlacedNode) -> Res {
    let r = n.rect;
    let (fill, alpha) = match n.kind {
        NodeKind::Client => (style::tone_rgb(Tone::Info), 0.22),
        NodeKind::Service => (style::GREY, 0.14),
    };
    draw::fill_rect(area, r, WHITE, 1.0)?;
    draw::fill_rect(area, r, fill, alpha)?;
    let (border, width) = if n.faults.is_empty() {
        (INK_SOFT, 2)
    } else {
        (SHADE, 4)
    };
    area.draw(&Rectangle::new(
        [(r.x0, r.y0), (r.x1, r.y1)],
        draw::stroke(border, width),
    ))
    .map_err(drawing)?;
    let x = r.x0 + PAD;
    draw::text(
        area,
        &n.name,
        (x, r.y0 + PAD),
        size::AXIS,
        true,
        INK,
        Anchor::TopLeft,
        false,
    )?;
    let mut y = r.y0 + PAD + NAME_ROW;
    for d in &n.details {
        draw::text(area, d, (x, y), size::TICK, false, INK, Anchor::TopLeft, false)?;
        y += LINE_ROW;
    }
    if !n.faults.is_empty() {
        let band = Rect {
            x0: r.x0 + 2,
            y0: y - 2,
            x1: r.x1 - 2,
            y1: y + n.faults.len() as i32 * LINE_ROW,
        };
        draw::fill_rect(area, band, SHADE, 0.15)?;
    }
    for f in &n.faults {
        draw::text(area, f, (x, y), size::TICK, true, SHADE, Anchor::TopLeft, false)?;
        y += LINE_ROW;
    }
    Ok(())
}
