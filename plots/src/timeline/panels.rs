//! Drawing of the three kinds of timeline panel inside their plot rectangle.

use plotters::prelude::DrawingBackend;

use super::MARGIN;
use super::prep::{Stack, Time, YAxis, is_dashed};
use crate::axis::{self, Scale, finite};
use crate::data::{BandPanel, LinePanel, Series, StackedPanel, Tone};
use crate::draw::{self, Area, Rect, Res};
use crate::error::PlotError;
use crate::style::{self, Anchor, INK, REF_LINE, size};

/// Draws the y axis (grid, ticks, rotated title) of a lines or stacked panel.
fn y_axis<DB: DrawingBackend>(area: &Area<DB>, y: &YAxis, plot: Rect, label: &str) -> Res {
    let ys = y.scale(plot);
    draw::grid(area, plot, None, Some((&ys, &y.ticks)))?;
    draw::y_tick_labels(area, plot, &ys, &y.ticks)?;
    let label = style::fit_text(label, size::AXIS, false, plot.height() as u32);
    // Close to this panel's tick labels (the left column may be wider for band labels).
    let x = (plot.x0 - 9 - draw::max_label_width(&y.ticks) as i32 - 12 - 11).max(MARGIN + 11);
    draw::text(
        area,
        &label,
        (x, (plot.y0 + plot.y1) / 2),
        size::AXIS,
        false,
        INK,
        Anchor::Center,
        true,
    )
}

/// Draws a lines panel: y axis, reference lines, each series (broken at gaps; a lone point is
/// a dot), then the reference line labels, or a note when nothing could be drawn.
pub(super) fn draw_lines<DB: DrawingBackend>(
    area: &Area<DB>,
    p: &LinePanel,
    y: &YAxis,
    plot: Rect,
    x: &Scale,
    time: &Time,
) -> Res {
    y_axis(area, y, plot, &p.y_label)?;
    let ys = y.scale(plot);
    let mut any = false;
    let refs: Vec<(i32, &str, f64)> = p
        .reference_lines
        .iter()
        .filter(|r| ys.accepts(r.value))
        .map(|r| (ys.px(r.value), r.label.as_str(), r.value))
        .collect();
    for (py, ..) in &refs {
        draw::polyline(area, &[(plot.x0, *py), (plot.x1, *py)], REF_LINE, 2, true)?;
    }
    for (i, s) in p.series.iter().enumerate() {
        any |= draw_series(area, s, i, &ys, plot, x, time)?;
    }
    // Reference line labels last, on a translucent box, so lines never hide them.
    for (py, label, value) in refs {
        ref_label(area, plot, py, label, value)?;
    }
    if !any {
        draw::note(area, plot, "no data")?;
    }
    Ok(())
}

/// Draws series number `i` in runs of consecutive valid buckets: a NaN (or a value the axis
/// `ys` cannot show) breaks the line. Returns whether any point was drawn.
fn draw_series<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &Series,
    i: usize,
    ys: &Scale,
    plot: Rect,
    x: &Scale,
    time: &Time,
) -> Result<bool, PlotError> {
    let color = style::series_rgb(i);
    let mut any = false;
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>| -> Res {
        if run.len() == 1 {
            let p = (run[0].0.round() as i32, run[0].1.round() as i32);
            draw::marker(area, p, draw::Marker::Circle, 4, color)?;
        } else if run.len() > 1 {
            draw::polyline(area, &draw::thin(run), color, 3, is_dashed(s, i))?;
        }
        run.clear();
        Ok(())
    };
    for (t, v) in time.points(&s.values) {
        match v.filter(|v| ys.accepts(*v)) {
            Some(v) => {
                any = true;
                let py = ys.pos(v).clamp(f64::from(plot.y0), f64::from(plot.y1));
                run.push((x.pos(t), py));
            }
            None => flush(&mut run)?,
        }
    }
    flush(&mut run)?;
    Ok(any)
}

/// The label of the reference line at pixel row `py` (`label = value`, or the value alone), at
/// the plot's right edge above the line (below it near the top), on a translucent box.
fn ref_label<DB: DrawingBackend>(area: &Area<DB>, plot: Rect, py: i32, label: &str, value: f64) -> Res {
    let value = axis::short_number(value);
    let label = if label.is_empty() {
        value
    } else {
        format!("{label} = {value}")
    };
    let label = style::fit_text(&label, size::TICK, false, (plot.width() / 2).max(0) as u32);
    let w = style::text_width(&label, size::TICK, false) as i32;
    let (tx, ty) = (plot.x1 - 8, if py - 24 >= plot.y0 { py - 13 } else { py + 13 });
    draw::fill_rect(
        area,
        Rect {
            x0: tx - w - 4,
            y0: ty - 10,
            x1: tx + 4,
            y1: ty + 10,
        },
        style::WHITE,
        0.8,
    )?;
    draw::text(
        area,
        &label,
        (tx, ty),
        size::TICK,
        false,
        REF_LINE,
        Anchor::Right,
        false,
    )
}

/// Draws a stacked panel: y axis, then each run of buckets with data as one filled polygon
/// per layer, flat to the run's outer bucket edges; a note when there is no data.
pub(super) fn draw_stacked<DB: DrawingBackend>(
    area: &Area<DB>,
    p: &StackedPanel,
    y: &YAxis,
    stack: &Stack,
    plot: Rect,
    x: &Scale,
    time: &Time,
) -> Res {
    y_axis(area, y, plot, &p.y_label)?;
    let ys = y.scale(plot);
    let n = stack.tops.first().map_or(0, Vec::len);
    let half = time.bucket / 2.0;
    let mut any = false;
    // Runs of buckets with data; each run is drawn flat to its buckets' outer edges.
    let mut i = 0;
    while i < n {
        if stack.tops[0][i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && stack.tops[0][i].is_some() {
            i += 1;
        }
        any = true;
        let ts: Vec<f64> = (start..i).map(|j| (j as f64 + 0.5) * time.bucket).collect();
        let (t_first, t_last) = ((ts[0] - half).max(0.0), (ts[ts.len() - 1] + half).min(time.end));
        // A layer's edge over the run, flat out to the outer bucket edges, in pixels.
        let edge = |level: &dyn Fn(usize) -> f64| {
            let mut pts = vec![(x.pos(t_first), ys.pos(level(start)))];
            pts.extend(
                ts.iter()
                    .enumerate()
                    .map(|(o, t)| (x.pos(*t), ys.pos(level(start + o)))),
            );
            pts.push((x.pos(t_last), ys.pos(level(i - 1))));
            draw::thin(&pts)
        };
        // Each layer fills from its top down to the top of the layer below (the axis for the first).
        let mut below = edge(&|_| 0.0);
        for (k, layer) in stack.tops.iter().enumerate() {
            let top = edge(&|j| layer[j].unwrap_or(0.0));
            let mut pts = top.clone();
            pts.extend(below.iter().rev());
            draw::polygon(area, pts, style::layer_rgb(k), 1.0)?;
            below = top;
        }
    }
    if !any {
        draw::note(area, plot, "no data")?;
    }
    Ok(())
}

/// Narrowest a band span is drawn (px): a state that lasts less (a breaker half-open for a few
/// milliseconds, one bucket of a long run) is widened to this about its middle and drawn over
/// its neighbours, so the shortest state stays visible.
pub(crate) const MIN_SPAN_PX: i32 = 5;

/// A row's spans as (x0, x1, state) in drawing order: the spans at least [`MIN_SPAN_PX`] wide
/// first, then the narrower ones widened to it (within the plot) on top.
fn span_rects(spans: &[crate::data::Span], x: &Scale, plot: Rect) -> Vec<(i32, i32, usize)> {
    let mut wide = Vec::with_capacity(spans.len());
    let mut narrow = Vec::new();
    for s in spans {
        let (Some(a), Some(b)) = (finite(s.start_secs), finite(s.end_secs)) else {
            continue;
        };
        let (x0, x1) = (x.px(a.min(b)), x.px(a.max(b)));
        if x1 - x0 >= MIN_SPAN_PX {
            wide.push((x0, x1, s.state));
        } else {
            let c0 = ((x0 + x1) / 2 - MIN_SPAN_PX / 2).clamp(plot.x0, (plot.x1 - MIN_SPAN_PX).max(plot.x0));
            narrow.push((c0, c0 + MIN_SPAN_PX, s.state));
        }
    }
    wide.extend(narrow);
    wide
}

/// Draws a bands panel: each row's spans filled in their state's tone (a short one widened to
/// [`MIN_SPAN_PX`]), and the row labels
/// left of the plot (every k-th row when rows are short); a note when there are no rows.
pub(super) fn draw_bands<DB: DrawingBackend>(
    area: &Area<DB>,
    p: &BandPanel,
    plot: Rect,
    x: &Scale,
    left: i32,
) -> Res {
    let n = p.rows.len();
    if n == 0 {
        return draw::note(area, plot, "no rows");
    }
    let row_h = f64::from(plot.height()) / n as f64;
    // Label every row when they are tall enough, else every k-th row.
    let every = (18.0 / row_h).ceil().max(1.0) as usize;
    let label_w = (left - MARGIN - 14).max(0) as u32;
    let pad = if row_h >= 10.0 {
        (row_h * 0.14).round()
    } else {
        0.0
    };
    for (r, row) in p.rows.iter().enumerate() {
        let y0 = f64::from(plot.y0) + r as f64 * row_h;
        let (ry0, ry1) = ((y0 + pad).round() as i32, (y0 + row_h - pad).round() as i32);
        for (x0, x1, state) in span_rects(&row.spans, x, plot) {
            let tone = p.states.get(state).map_or(Tone::Neutral, |st| st.tone);
            draw::fill_rect(
                area,
                Rect {
                    x0,
                    y0: ry0,
                    x1,
                    y1: ry1.max(ry0 + 1),
                },
                style::tone_rgb(tone),
                1.0,
            )?;
        }
        if r % every == 0 {
            let label = style::fit_text(&row.label, size::TICK, false, label_w);
            let cy = (y0 + row_h / 2.0).round() as i32;
            draw::text(
                area,
                &label,
                (plot.x0 - 10, cy),
                size::TICK,
                false,
                INK,
                Anchor::Right,
                false,
            )?;
        }
    }
    Ok(())
}
