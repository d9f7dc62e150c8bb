//! Drawing primitives in pixel coordinates on top of plotters elements, shared by the charts:
//! lines (solid or dashed, with gaps), filled shapes, text, axes with grids, and legends.

use plotters::coord::Shift;
use plotters::prelude::{Circle, DrawingArea, DrawingBackend, PathElement, Polygon, Rectangle};
use plotters::style::{Color, RGBColor, ShapeStyle};

use crate::axis::{Scale, Ticks};
use crate::error::{PlotError, drawing};
use crate::style::{self, Anchor, FRAME, GRID, GRID_MINOR, INK, INK_SOFT, size};

/// The whole image, in pixel coordinates with (0, 0) at the top left.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Result of a drawing step.
pub(crate) type Res = Result<(), PlotError>;

/// A pixel rectangle, `x0 < x1`, `y0 < y1` (top left to bottom right).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub(crate) x0: i32,
    pub(crate) y0: i32,
    pub(crate) x1: i32,
    pub(crate) y1: i32,
}

impl Rect {
    pub(crate) fn width(&self) -> i32 {
        self.x1 - self.x0
    }
    pub(crate) fn height(&self) -> i32 {
        self.y1 - self.y0
    }
}

/// A solid stroke style.
pub(crate) fn stroke(c: RGBColor, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: c.to_rgba(),
        filled: false,
        stroke_width: width,
    }
}

/// A fill style with opacity.
pub(crate) fn fill(c: RGBColor, alpha: f64) -> ShapeStyle {
    ShapeStyle {
        color: c.mix(alpha),
        filled: true,
        stroke_width: 0,
    }
}

/// Fills a rectangle.
pub(crate) fn fill_rect<DB: DrawingBackend>(area: &Area<DB>, r: Rect, c: RGBColor, alpha: f64) -> Res {
    if r.x1 <= r.x0 || r.y1 <= r.y0 {
        return Ok(());
    }
    area.draw(&Rectangle::new([(r.x0, r.y0), (r.x1, r.y1)], fill(c, alpha)))
        .map_err(drawing)
}

/// Outlines a rectangle.
pub(crate) fn frame_rect<DB: DrawingBackend>(area: &Area<DB>, r: Rect, c: RGBColor) -> Res {
    area.draw(&Rectangle::new([(r.x0, r.y0), (r.x1, r.y1)], stroke(c, 1)))
        .map_err(drawing)
}

/// A straight segment.
pub(crate) fn segment<DB: DrawingBackend>(
    area: &Area<DB>,
    a: (i32, i32),
    b: (i32, i32),
    c: RGBColor,
    width: u32,
) -> Res {
    area.draw(&PathElement::new(vec![a, b], stroke(c, width)))
        .map_err(drawing)
}

/// Fills a polygon given in pixel coordinates.
pub(crate) fn polygon<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: Vec<(i32, i32)>,
    c: RGBColor,
    alpha: f64,
) -> Res {
    if pts.len() < 3 {
        return Ok(());
    }
    area.draw(&Polygon::new(pts, fill(c, alpha))).map_err(drawing)
}

/// Collapses runs of points on the same pixel column into at most four points (first, min, max,
/// last), which draws the same picture with far fewer points when data is dense.
pub(crate) fn thin(pts: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len().min(8192));
    let mut i = 0;
    while i < pts.len() {
        let x = pts[i].0.round() as i32;
        let mut j = i;
        while j + 1 < pts.len() && pts[j + 1].0.round() as i32 == x {
            j += 1;
        }
        let ys: Vec<i32> = pts[i..=j].iter().map(|p| p.1.round() as i32).collect();
        let (first, last) = (ys[0], ys[ys.len() - 1]);
        let (min, max) = (
            *ys.iter().min().unwrap_or(&first),
            *ys.iter().max().unwrap_or(&first),
        );
        for y in [first, min, max, last] {
            if out.last() != Some(&(x, y)) {
                out.push((x, y));
            }
        }
        i = j + 1;
    }
    out
}

/// Draws a polyline, solid or dashed (12 px dashes, 8 px gaps, continuous across vertices).
pub(crate) fn polyline<DB: DrawingBackend>(
    area: &Area<DB>,
    pts: &[(i32, i32)],
    c: RGBColor,
    width: u32,
    dashed: bool,
) -> Res {
    if pts.len() < 2 {
        return Ok(());
    }
    if !dashed {
        return area
            .draw(&PathElement::new(pts.to_vec(), stroke(c, width)))
            .map_err(drawing);
    }
    const DASH: f64 = 12.0;
    const GAP: f64 = 8.0;
    let mut on = true;
    let mut left = DASH; // length left in the current dash or gap
    let mut current: Vec<(i32, i32)> = vec![pts[0]];
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let len = (dx * dx + dy * dy).sqrt();
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (
                (f64::from(a.0) + dx * t / len).round() as i32,
                (f64::from(a.1) + dy * t / len).round() as i32,
            );
            if on {
                current.push(p);
                area.draw(&PathElement::new(std::mem::take(&mut current), stroke(c, width)))
                    .map_err(drawing)?;
            } else {
                current = vec![p];
            }
            on = !on;
            left = if on { DASH } else { GAP };
        }
        left -= len - t;
        if on {
            current.push(b);
        }
    }
    if on && current.len() >= 2 {
        area.draw(&PathElement::new(current, stroke(c, width)))
            .map_err(drawing)?;
    }
    Ok(())
}

/// Marker shapes, cycled per line so lines differ by shape as well as colour.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    TriangleDown,
}

impl Marker {
    /// The marker of line `i`.
    pub(crate) fn nth(i: usize) -> Marker {
        [
            Marker::Circle,
            Marker::Square,
            Marker::Triangle,
            Marker::Diamond,
            Marker::TriangleDown,
        ][i % 5]
    }
}

/// Draws a filled marker of radius `r` centred on `p`, with a white outline.
pub(crate) fn marker<DB: DrawingBackend>(
    area: &Area<DB>,
    p: (i32, i32),
    m: Marker,
    r: i32,
    c: RGBColor,
) -> Res {
    let (x, y) = p;
    let pts = match m {
        Marker::Circle => {
            area.draw(&Circle::new(p, r + 1, fill(style::WHITE, 1.0)))
                .map_err(drawing)?;
            return area.draw(&Circle::new(p, r, fill(c, 1.0))).map_err(drawing);
        }
        Marker::Square => vec![(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)],
        Marker::Triangle => vec![(x, y - r - 2), (x + r + 1, y + r), (x - r - 1, y + r)],
        Marker::Diamond => vec![(x, y - r - 2), (x + r + 2, y), (x, y + r + 2), (x - r - 2, y)],
        Marker::TriangleDown => vec![(x, y + r + 2), (x + r + 1, y - r), (x - r - 1, y - r)],
    };
    let outline: Vec<(i32, i32)> = pts.iter().copied().chain(std::iter::once(pts[0])).collect();
    polygon(area, pts, c, 1.0)?;
    area.draw(&PathElement::new(outline, stroke(style::WHITE, 1)))
        .map_err(drawing)
}

/// A white image with the chart's `title` at its top left, `margin` px from the borders and
/// shortened to fit the image's `width` less its margins.
pub(crate) fn page<DB: DrawingBackend>(area: &Area<DB>, title: &str, width: u32, margin: i32) -> Res {
    area.fill(&style::WHITE).map_err(drawing)?;
    let title = style::fit_text(title, size::TITLE, true, width.saturating_sub(2 * margin as u32));
    text(
        area,
        &title,
        (margin, margin),
        size::TITLE,
        true,
        INK,
        Anchor::TopLeft,
        false,
    )
}

/// A page's head: [`page`] with its title, then the subtitle at `subtitle_y`, both fitted
/// into `width` less the margins.
pub(crate) fn head<DB: DrawingBackend>(
    area: &Area<DB>,
    (title, subtitle): (&str, &str),
    width: u32,
    margin: i32,
    subtitle_y: i32,
) -> Res {
    page(area, title, width, margin)?;
    let sub = style::fit_text(
        subtitle,
        size::SUBTITLE,
        false,
        width.saturating_sub(2 * margin as u32),
    );
    text(
        area,
        &sub,
        (margin, subtitle_y),
        size::SUBTITLE,
        false,
        style::INK_SOFT,
        Anchor::TopLeft,
        false,
    )
}

/// Notes under a page's head, one a row of `row` pixels from `top`, at the left margin.
pub(crate) fn notes<DB: DrawingBackend>(
    area: &Area<DB>,
    notes: &[String],
    (margin, top): (i32, i32),
    row: i32,
    colour: RGBColor,
) -> Res {
    for (i, n) in notes.iter().enumerate() {
        text(
            area,
            n,
            (margin, top + i as i32 * row),
            size::AXIS,
            false,
            colour,
            Anchor::TopLeft,
            false,
        )?;
    }
    Ok(())
}

/// Draws text.
#[allow(clippy::too_many_arguments)]
pub(crate) fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    p: (i32, i32),
    px: u32,
    bold: bool,
    c: RGBColor,
    anchor: Anchor,
    vertical: bool,
) -> Res {
    if s.is_empty() {
        return Ok(());
    }
    area.draw_text(s, &style::text_style(px, bold, c, anchor, vertical), p)
        .map_err(drawing)
}

/// Light grid lines inside `plot` for the given ticks (vertical lines for `x`, horizontal for `y`).
pub(crate) fn grid<DB: DrawingBackend>(
    area: &Area<DB>,
    plot: Rect,
    x: Option<(&Scale, &Ticks)>,
    y: Option<(&Scale, &Ticks)>,
) -> Res {
    for (scale, ticks, vertical) in x
        .map(|(s, t)| (s, t, true))
        .into_iter()
        .chain(y.map(|(s, t)| (s, t, false)))
    {
        let lines = ticks
            .minor
            .iter()
            .map(|v| (*v, GRID_MINOR))
            .chain(ticks.major.iter().map(|(v, _)| (*v, GRID)));
        for (v, c) in lines {
            let p = scale.pos(v).round();
            if vertical {
                if p < f64::from(plot.x0) || p > f64::from(plot.x1) {
                    continue;
                }
                segment(area, (p as i32, plot.y0), (p as i32, plot.y1), c, 1)?;
            } else {
                if p < f64::from(plot.y0) || p > f64::from(plot.y1) {
                    continue;
                }
                segment(area, (plot.x0, p as i32), (plot.x1, p as i32), c, 1)?;
            }
        }
    }
    Ok(())
}

/// Tick labels under the plot (x), skipping labels that would overlap their neighbour.
pub(crate) fn x_tick_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    plot: Rect,
    scale: &Scale,
    ticks: &Ticks,
) -> Res {
    let mut last_right = i32::MIN;
    for (v, label) in &ticks.major {
        let p = scale.pos(*v).round();
        if p < f64::from(plot.x0) - 0.5 || p > f64::from(plot.x1) + 0.5 {
            continue;
        }
        let p = p as i32;
        let w = style::text_width(label, size::TICK, false) as i32;
        if p - w / 2 < last_right + 10 {
            continue;
        }
        segment(area, (p, plot.y1), (p, plot.y1 + 5), FRAME, 1)?;
        text(
            area,
            label,
            (p, plot.y1 + 8),
            size::TICK,
            false,
            INK_SOFT,
            Anchor::Top,
            false,
        )?;
        last_right = p + w / 2;
    }
    Ok(())
}

/// Tick labels left of the plot (y), skipping labels that would overlap.
pub(crate) fn y_tick_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    plot: Rect,
    scale: &Scale,
    ticks: &Ticks,
) -> Res {
    let mut last_top = i32::MAX;
    for (v, label) in &ticks.major {
        let p = scale.pos(*v).round();
        if p < f64::from(plot.y0) - 0.5 || p > f64::from(plot.y1) + 0.5 {
            continue;
        }
        let p = p as i32;
        if p + 10 > last_top {
            continue;
        }
        segment(area, (plot.x0 - 5, p), (plot.x0, p), FRAME, 1)?;
        text(
            area,
            label,
            (plot.x0 - 9, p),
            size::TICK,
            false,
            INK_SOFT,
            Anchor::Right,
            false,
        )?;
        last_top = p - 10;
    }
    Ok(())
}

/// Widest tick label of an axis, in pixels.
pub(crate) fn max_label_width(ticks: &Ticks) -> u32 {
    ticks
        .major
        .iter()
        .map(|(_, s)| style::text_width(s, size::TICK, false))
        .max()
        .unwrap_or(0)
}

/// What a legend entry shows next to its text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    /// A line, solid or dashed.
    Line { color: RGBColor, dashed: bool },
    /// A line with a marker.
    LineMarker { color: RGBColor, marker: Marker },
    /// A filled box.
    Fill { color: RGBColor, alpha: f64 },
}

/// Height of one legend row (an entry of one line).
pub(crate) const LEGEND_ROW: i32 = 26;
/// Height each further line of a wrapped legend entry adds.
pub(crate) const LEGEND_LINE: i32 = 21;
/// Width of the swatch plus the gap before the text.
pub(crate) const LEGEND_SWATCH: i32 = 46;
/// Most lines a legend entry wraps to; only a label longer than this many lines of the legend
/// column (hundreds of characters) ends its last line with "…", so the legend stays bounded.
pub(crate) const LEGEND_MAX_LINES: usize = 6;

/// Width a legend needs for these labels.
pub(crate) fn legend_width(labels: &[&str]) -> u32 {
    labels
        .iter()
        .map(|l| style::text_width(l, size::LEGEND, false))
        .max()
        .unwrap_or(0)
        + LEGEND_SWATCH as u32
        + 8
}

/// One legend entry placed: which entry, its top (px from the legend's top), its height and
/// its label's lines.
pub(crate) struct LegendEntry {
    pub(crate) index: usize,
    pub(crate) top: i32,
    pub(crate) height: i32,
    pub(crate) lines: Vec<String>,
}

/// A legend laid out in a column `max_w` wide and `max_h` tall: the entries that fit, each
/// label wrapped to the column, then how many are left out ("+N more" takes the next row).
pub(crate) struct LegendLayout {
    pub(crate) shown: Vec<LegendEntry>,
    pub(crate) more: usize,
    /// Height used, the "+N more" row included.
    pub(crate) height: i32,
}

/// Lays out a legend of `labels` (see [`LegendLayout`]); at least the first entry is shown.
pub(crate) fn legend_layout(labels: &[&str], max_w: i32, max_h: i32) -> LegendLayout {
    let text_w = (max_w - LEGEND_SWATCH).max(0) as u32;
    let mut shown: Vec<LegendEntry> = Vec::new();
    let mut top = 0;
    for (i, label) in labels.iter().enumerate() {
        let lines = style::wrap_text(label, size::LEGEND, text_w, LEGEND_MAX_LINES);
        let height = LEGEND_ROW + (lines.len() as i32 - 1) * LEGEND_LINE;
        // Room for this entry, and for the "+N more" row if entries remain after it.
        let need = if i + 1 < labels.len() {
            height + LEGEND_ROW
        } else {
            height
        };
        if i > 0 && top + need > max_h {
            break;
        }
        shown.push(LegendEntry {
            index: i,
            top,
            height,
            lines,
        });
        top += height;
    }
    let more = labels.len() - shown.len();
    LegendLayout {
        shown,
        more,
        height: top + if more > 0 { LEGEND_ROW } else { 0 },
    }
}

/// Draws a legend in a column starting at (`x`, `y`), at most `max_w` wide and `max_h` tall:
/// long labels wrap onto further lines (never cut short); entries that do not fit are
/// summarised as "+N more".
pub(crate) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    x: i32,
    y: i32,
    max_w: i32,
    max_h: i32,
    entries: &[(Swatch, String)],
) -> Res {
    let labels: Vec<&str> = entries.iter().map(|(_, l)| l.as_str()).collect();
    let layout = legend_layout(&labels, max_w, max_h);
    for e in &layout.shown {
        let cy = y + e.top + LEGEND_ROW / 2;
        draw_swatch(area, entries[e.index].0, x, cy)?;
        for (k, line) in e.lines.iter().enumerate() {
            text(
                area,
                line,
                (x + LEGEND_SWATCH, cy + k as i32 * LEGEND_LINE),
                size::LEGEND,
                false,
                INK,
                Anchor::Left,
                false,
            )?;
        }
    }
    if layout.more > 0 {
        let cy = y + layout.height - LEGEND_ROW / 2;
        let more = format!("+{} more", layout.more);
        text(
            area,
            &more,
            (x + LEGEND_SWATCH, cy),
            size::LEGEND,
            false,
            INK_SOFT,
            Anchor::Left,
            false,
        )?;
    }
    Ok(())
}

/// Draws a legend swatch starting at `x`, centred on row `cy`: a 34–36 px line, a line with a
/// marker, or a 34 × 16 px box.
fn draw_swatch<DB: DrawingBackend>(area: &Area<DB>, swatch: Swatch, x: i32, cy: i32) -> Res {
    match swatch {
        Swatch::Line { color, dashed } => {
            let pts = if dashed {
                vec![(x, cy), (x + 36, cy)]
            } else {
                vec![(x, cy), (x + 34, cy)]
            };
            polyline(area, &pts, color, 3, dashed)
        }
        Swatch::LineMarker { color, marker: m } => {
            segment(area, (x, cy), (x + 34, cy), color, 3)?;
            marker(area, (x + 17, cy), m, 5, color)
        }
        Swatch::Fill { color, alpha } => fill_rect(
            area,
            Rect {
                x0: x,
                y0: cy - 8,
                x1: x + 34,
                y1: cy + 8,
            },
            color,
            alpha,
        ),
    }
}

/// The axis titles of a chart: `x_label` centred under the plot, `y_label` rotated at the left
/// edge, `margin` px from the image's border; each shortened to fit its side of the plot.
pub(crate) fn axis_titles<DB: DrawingBackend>(
    area: &Area<DB>,
    x_label: &str,
    y_label: &str,
    plot: Rect,
    margin: i32,
) -> Res {
    let x_label = style::fit_text(x_label, size::AXIS, false, plot.width() as u32);
    text(
        area,
        &x_label,
        ((plot.x0 + plot.x1) / 2, plot.y1 + 40),
        size::AXIS,
        false,
        INK,
        Anchor::Top,
        false,
    )?;
    let y_label = style::fit_text(y_label, size::AXIS, false, plot.height() as u32);
    let y_mid = (plot.y0 + plot.y1) / 2;
    text(
        area,
        &y_label,
        (margin + 11, y_mid),
        size::AXIS,
        false,
        INK,
        Anchor::Center,
        true,
    )
}

/// A centred grey note inside an empty plot ("no data").
pub(crate) fn note<DB: DrawingBackend>(area: &Area<DB>, plot: Rect, s: &str) -> Res {
    let c = ((plot.x0 + plot.x1) / 2, (plot.y0 + plot.y1) / 2);
    text(area, s, c, size::AXIS, false, style::GREY, Anchor::Center, false)
}
