//! The heatmap: a metric over two parameter axes, one cell per pair, coloured on a viridis scale
//! with the value printed in the cell and a colour bar labelled with the value's unit.

use plotters::prelude::DrawingBackend;

use crate::axis::{self, Scale, Ticks, finite};
use crate::data::Heatmap;
use crate::draw::{self, Area, Rect, Res, Swatch};
use crate::style::{self, Anchor, FRAME, INK, size};

const MARGIN: i32 = 24;
/// Colour of cells without a value.
const MISSING: plotters::style::RGBColor = plotters::style::RGBColor(0xDD, 0xDD, 0xDD);
/// Width of the colour bar.
const BAR_W: i32 = 28;

/// Positions and ranges, computed before drawing.
pub(crate) struct Layout {
    pub(crate) width: u32,
    pub(crate) height: u32,
    nx: usize,
    ny: usize,
    plot: Rect,
    /// Value range mapped onto the colour scale.
    lo: f64,
    hi: f64,
    bar_ticks: Ticks,
    bar_x: i32,
    bar_tick_w: i32,
    any_missing: bool,
}

impl Layout {
    pub(crate) fn new(h: &Heatmap) -> Layout {
        let (nx, ny) = grid_size(h);
        let (mut lo, mut hi, any_missing) = value_range(h, nx, ny);
        let (nlo, nhi, bar_ticks) = axis::linear_axis(lo, hi, 5);
        if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
            // All values equal: centre them on the scale.
            (lo, hi) = (nlo, nhi);
        }
        let y_tick_w = h
            .y_ticks
            .iter()
            .map(|t| style::text_width(t, size::TICK, false))
            .max()
            .unwrap_or(0)
            .min(300) as i32;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        let plot_w = count(nx).saturating_mul(130).clamp(360, 1200);
        // Tall enough for the colour bar's label (it runs along the bar, above the "no data"
        // legend when there is one), up to the tallest plot.
        let label_h = style::text_width(&h.value_label, size::AXIS, false).min(720) as i32 + 16;
        let bar_room = if any_missing { 40 } else { 0 };
        let plot_h = count(ny)
            .saturating_mul(80)
            .clamp(240, 720)
            .max((label_h + bar_room).min(720));
        let x0 = MARGIN + 30 + 12 + y_tick_w + 10;
        let y0 = MARGIN + 44 + 12;
        let plot = Rect {
            x0,
            y0,
            x1: x0 + plot_w,
            y1: y0 + plot_h,
        };
        let bar_x = plot.x1 + 36;
        let bar_tick_w = draw::max_label_width(&bar_ticks) as i32;
        let legend_w = if any_missing {
            draw::legend_width(&["no data"]) as i32
        } else {
            0
        };
        let right = (bar_x + BAR_W + 8 + bar_tick_w + 16 + 26).max(bar_x + legend_w);
        let width = (right + MARGIN).max(900);
        let height = plot.y1 + 36 + 34 + MARGIN;
        Layout {
            width: width as u32,
            height: height as u32,
            nx,
            ny,
            plot,
            lo,
            hi,
            bar_ticks,
            bar_x,
            bar_tick_w,
            any_missing,
        }
    }

    /// Position of `v` on the colour scale, in [0, 1].
    fn t(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0)
        } else {
            0.5
        }
    }

    /// Width and height of a cell in pixels (fractional: cells are rounded when drawn).
    fn cell_size(&self) -> (f64, f64) {
        let cw = f64::from(self.plot.width()) / self.nx.max(1) as f64;
        let ch = f64::from(self.plot.height()) / self.ny.max(1) as f64;
        (cw, ch)
    }
}

/// Columns and rows of the grid: the longest row of values or the tick labels, whichever is more.
fn grid_size(h: &Heatmap) -> (usize, usize) {
    let nx = h
        .values
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(h.x_ticks.len());
    let ny = h.values.len().max(h.y_ticks.len());
    (nx, ny)
}

/// The smallest and largest finite value of the grid (0 and 1 if there is none), and whether
/// some cell has no value.
fn value_range(h: &Heatmap, nx: usize, ny: usize) -> (f64, f64, bool) {
    let (mut lo, mut hi, mut any_missing) = (f64::INFINITY, f64::NEG_INFINITY, false);
    for y in 0..ny {
        for x in 0..nx {
            match value(h, x, y) {
                Some(v) => {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                None => any_missing = true,
            }
        }
    }
    if lo > hi {
        (lo, hi) = (0.0, 1.0);
    }
    (lo, hi, any_missing)
}

/// The value of cell (`x`, `y`), if it has a finite one.
fn value(h: &Heatmap, x: usize, y: usize) -> Option<f64> {
    h.values
        .get(y)
        .and_then(|row| row.get(x))
        .and_then(|v| finite(*v))
}

/// Draws the heatmap: title, cells, column and row labels, axis labels, then the colour bar.
pub(crate) fn draw<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap, l: &Layout) -> Res {
    draw::page(area, &h.title, l.width, MARGIN)?;
    let plot = l.plot;
    if l.nx == 0 || l.ny == 0 {
        draw::frame_rect(area, plot, FRAME)?;
        draw::note(area, plot, "no data")?;
    }
    cells(area, h, l)?;
    column_labels(area, h, l)?;
    row_labels(area, h, l)?;
    draw::axis_titles(area, &h.x_label, &h.y_label, l.plot, MARGIN)?;
    colour_bar(area, h, l)
}

/// The cell labels, row by row: each value printed with the same precision, `None` without a value.
fn cell_labels(h: &Heatmap, l: &Layout) -> Vec<Vec<Option<String>>> {
    (0..l.ny)
        .map(|y| {
            (0..l.nx)
                .map(|x| value(h, x, y).map(|v| axis::uniform_number(v, l.lo.abs().max(l.hi.abs()))))
                .collect()
        })
        .collect()
}

/// One text size (px) for every cell label: the largest (18 down to 12 px) at which all of
/// `labels` fit cells of `cw` × `ch` pixels; none when they do not, rather than labelling some
/// cells and not others.
fn cell_text_size(labels: &[Vec<Option<String>>], cw: f64, ch: f64) -> Option<u32> {
    let widest = labels
        .iter()
        .flatten()
        .map(|s| s.as_deref().unwrap_or("n/a"))
        .max_by_key(|s| style::text_width(s, 18, false))
        .unwrap_or("");
    [18u32, 16, 14, 12]
        .into_iter()
        .find(|px| f64::from(style::text_width(widest, *px, false)) <= cw - 8.0 && f64::from(*px) * 1.4 <= ch)
}

/// The cells, row 0 at the bottom: coloured by value (grey without one), labelled when the
/// labels fit.
fn cells<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap, l: &Layout) -> Res {
    let plot = l.plot;
    let (cw, ch) = l.cell_size();
    let gap = if cw >= 8.0 && ch >= 8.0 { 1 } else { 0 };
    let labels = cell_labels(h, l);
    let cell_px = cell_text_size(&labels, cw, ch);
    for (y, row_labels) in labels.iter().enumerate() {
        // Row 0 at the bottom.
        let cy0 = (f64::from(plot.y1) - (y + 1) as f64 * ch).round() as i32;
        let cy1 = (f64::from(plot.y1) - y as f64 * ch).round() as i32;
        for (x, label) in row_labels.iter().enumerate() {
            let cx0 = (f64::from(plot.x0) + x as f64 * cw).round() as i32;
            let cx1 = (f64::from(plot.x0) + (x + 1) as f64 * cw).round() as i32;
            let cell = Rect {
                x0: cx0 + gap,
                y0: cy0 + gap,
                x1: (cx1 - gap).max(cx0 + 1),
                y1: (cy1 - gap).max(cy0 + 1),
            };
            let (color, label, ink) = match (value(h, x, y), label) {
                (Some(v), Some(label)) => {
                    let t = l.t(v);
                    (
                        style::viridis(t),
                        label.as_str(),
                        if t < 0.55 { style::WHITE } else { INK },
                    )
                }
                _ => (MISSING, "n/a", style::INK_SOFT),
            };
            draw::fill_rect(area, cell, color, 1.0)?;
            if let Some(px) = cell_px {
                let c = ((cx0 + cx1) / 2, (cy0 + cy1) / 2);
                draw::text(area, label, c, px, false, ink, Anchor::Center, false)?;
            }
        }
    }
    Ok(())
}

/// The column labels under the cells, thinned so they do not overlap.
fn column_labels<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap, l: &Layout) -> Res {
    let plot = l.plot;
    let (cw, _) = l.cell_size();
    let widest = h
        .x_ticks
        .iter()
        .map(|t| style::text_width(t, size::TICK, false))
        .max()
        .unwrap_or(0);
    let every = ((f64::from(widest) + 10.0) / cw.max(1e-9)).ceil().max(1.0) as usize;
    for (x, t) in h.x_ticks.iter().enumerate().filter(|(x, _)| x % every == 0) {
        let cx = (f64::from(plot.x0) + (x as f64 + 0.5) * cw).round() as i32;
        draw::text(
            area,
            t,
            (cx, plot.y1 + 8),
            size::TICK,
            false,
            style::INK_SOFT,
            Anchor::Top,
            false,
        )?;
    }
    Ok(())
}

/// The row labels left of the cells, at least 20 px apart and cut to the room there.
fn row_labels<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap, l: &Layout) -> Res {
    let plot = l.plot;
    let (_, ch) = l.cell_size();
    let every = (20.0 / ch.max(1e-9)).ceil().max(1.0) as usize;
    let max_w = (plot.x0 - MARGIN - 30 - 12 - 10 + 10).max(0) as u32;
    for (y, t) in h.y_ticks.iter().enumerate().filter(|(y, _)| y % every == 0) {
        let cy = (f64::from(plot.y1) - (y as f64 + 0.5) * ch).round() as i32;
        let t = style::fit_text(t, size::TICK, false, max_w);
        draw::text(
            area,
            &t,
            (plot.x0 - 10, cy),
            size::TICK,
            false,
            style::INK_SOFT,
            Anchor::Right,
            false,
        )?;
    }
    Ok(())
}

/// The colour bar right of the cells, with ticks, the value label and (when some cell has no
/// value) a legend entry for missing cells.
fn colour_bar<DB: DrawingBackend>(area: &Area<DB>, h: &Heatmap, l: &Layout) -> Res {
    let plot = l.plot;
    let bar_h = if l.any_missing {
        plot.height() - 40
    } else {
        plot.height()
    };
    let bar = Rect {
        x0: l.bar_x,
        y0: plot.y0,
        x1: l.bar_x + BAR_W,
        y1: plot.y0 + bar_h,
    };
    colour_steps(area, bar)?;
    draw::frame_rect(area, bar, FRAME)?;
    bar_ticks(area, l, bar)?;
    let label = style::fit_text(&h.value_label, size::AXIS, false, bar_h as u32);
    let lx = bar.x1 + 8 + l.bar_tick_w + 16 + 11;
    draw::text(
        area,
        &label,
        (lx, (bar.y0 + bar.y1) / 2),
        size::AXIS,
        false,
        INK,
        Anchor::Center,
        true,
    )?;
    if l.any_missing {
        let entries = [(
            Swatch::Fill {
                color: MISSING,
                alpha: 1.0,
            },
            "no data".to_string(),
        )];
        draw::legend(area, bar.x0, bar.y1 + 14, 200, draw::LEGEND_ROW, &entries)?;
    }
    Ok(())
}

/// Fills `bar` with the colour scale, bottom to top, in 60 flat steps: smooth to the eye, and
/// a small SVG.
fn colour_steps<DB: DrawingBackend>(area: &Area<DB>, bar: Rect) -> Res {
    const STEPS: i32 = 60;
    let bar_h = bar.height();
    for k in 0..STEPS {
        let y1 = bar.y1 - (bar_h * k) / STEPS;
        let y0 = bar.y1 - (bar_h * (k + 1)) / STEPS;
        let t = (f64::from(k) + 0.5) / f64::from(STEPS);
        draw::fill_rect(
            area,
            Rect {
                x0: bar.x0,
                y0,
                x1: bar.x1,
                y1,
            },
            style::viridis(t),
            1.0,
        )?;
    }
    Ok(())
}

/// The colour bar's tick marks and labels right of `bar`, skipping any that would overlap the
/// one below.
fn bar_ticks<DB: DrawingBackend>(area: &Area<DB>, l: &Layout, bar: Rect) -> Res {
    let scale = Scale::linear(l.lo, l.hi, bar.y1, bar.y0);
    let mut last_top = i32::MAX;
    for (v, label) in &l.bar_ticks.major {
        let p = scale.pos(*v).round();
        if p < f64::from(bar.y0) - 0.5 || p > f64::from(bar.y1) + 0.5 {
            continue;
        }
        let p = p as i32;
        if p + 10 > last_top {
            continue;
        }
        draw::segment(area, (bar.x1, p), (bar.x1 + 5, p), INK, 1)?;
        draw::text(
            area,
            label,
            (bar.x1 + 8, p),
            size::TICK,
            false,
            style::INK_SOFT,
            Anchor::Left,
            false,
        )?;
        last_top = p - 10;
    }
    Ok(())
}
