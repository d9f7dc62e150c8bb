//! The incident timeline: panels stacked on one shared time axis, fault windows shaded.
//!
//! Layout (top to bottom): title, subtitle, the notes, the fault labels, then each panel (title
//! row, plot, time tick labels); "time (s)" under the last panel.
//!
//! **Size.** However large the input, the image stays within [`crate::MAX_PIXELS`]: at most
//! [`MAX_PANELS`] panels are drawn (the rest are counted in a note), at most [`MAX_NOTES`] note
//! lines, three rows of fault labels, a band panel is at most 600 px tall whatever its rows, and a
//! legend makes room for at most 12 one-line entries (long labels wrap onto further lines; more
//! entries are summarised as "+N more"). Every plot has the same left and right
//! edge, so an instant lines up down the page; legends sit in a column right of the plots, so
//! they never cover data.

use plotters::prelude::DrawingBackend;

use crate::axis::{self, Scale, Ticks, finite};
use crate::data::{Panel, Timeline};
use crate::draw::{self, Area, Rect, Res};
use crate::style::{self, Anchor, FRAME, INK, SHADE, SHADE_ALPHA, size};

mod hover;
mod pair;
mod panels;
mod prep;

pub(crate) use hover::add_tooltips;
pub(crate) use pair::{Pair, add_tooltips as add_pair_tooltips, draw as draw_pair};

use prep::{Prep, Stack, Time, YAxis};

/// Width of a timeline image.
pub(crate) const WIDTH: i32 = 1600;
/// Outer margin.
pub(super) const MARGIN: i32 = 24;
/// Height of the title row above each plot.
const TITLE_ROW: i32 = 34;
/// Height for the tick labels under each plot.
const TICK_ROW: i32 = 30;
/// Gap between panels.
const PANEL_GAP: i32 = 18;
/// Most legend rows a panel makes room for.
const MAX_LEGEND: usize = 12;
/// Height of one line of fault labels.
const SHADE_ROW: i32 = 26;
/// Height of one note line.
const NOTE_ROW: i32 = 24;
/// Most panels a timeline draws; the rest are left out with a note. With the tallest panels (a
/// band panel is at most 600 px plus its title and tick rows) the image stays within
/// [`crate::MAX_PIXELS`]: `plots/tests/degenerate.rs` draws the worst case.
pub const MAX_PANELS: usize = 24;
/// Most note lines printed under the subtitle; the last then counts the notes left out.
pub const MAX_NOTES: usize = 6;

/// Pixel positions of everything, computed before drawing.
pub(crate) struct Layout<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// The column's left edge in the whole image (0 alone; B's column in a [`Pair`]).
    dx: i32,
    /// Added as a last line to every tooltip (the column's label in a [`Pair`]; empty alone).
    tag: String,
    left: i32,
    right: i32,
    legend_w: i32,
    subtitle_y: i32,
    /// The notes, shortened to fit, and where the first one goes.
    notes: Vec<String>,
    notes_y: i32,
    shade_y: i32,
    /// Where the bars over the fault windows go, under the labels' rows.
    shade_bar_y: i32,
    shade_labels: Vec<ShadeLabel>,
    time: Time,
    x_ticks: Ticks,
    panels: Vec<(Prep<'a>, i32, Rect)>,
    axis_title_y: i32,
    /// Where the first panel's title row starts.
    panels_top: i32,
}

/// What a column of a [`Pair`] shares with the other (a timeline alone shares nothing): its
/// width, the plots' left edge and legend width, the panels' top, and each panel's plot height.
pub(super) struct Frame {
    width: i32,
    left: i32,
    legend_w: i32,
    top: i32,
    heights: Option<Vec<i32>>,
    /// Each row's tallest legend in either column (px), so that rows start level however
    /// differently the two columns' legends wrap.
    legends: Option<Vec<i32>>,
}

impl Frame {
    /// The frame of `preps` drawn alone, `width` px wide.
    fn alone(preps: &[Prep<'_>], width: i32) -> Frame {
        Frame {
            width,
            left: left_column(preps),
            legend_w: legend_column(preps),
            top: 0,
            heights: None,
            legends: None,
        }
    }
}

impl<'a> Layout<'a> {
    pub(crate) fn new(t: &'a Timeline) -> Layout<'a> {
        let time = Time::new(t);
        let preps = prepare(t, &time);
        let frame = Frame::alone(&preps, WIDTH);
        let left_out = (t.panels.len() > MAX_PANELS)
            .then(|| format!("and {} more panels not drawn", t.panels.len() - MAX_PANELS));
        Layout::place(t, time, preps, &frame, left_out)
    }

    /// Places `t`'s prepared panels in `frame`: panels start at `frame.top` or lower.
    /// `left_out`, if any, is the first note: what the picture leaves out of `t`'s panels.
    fn place(
        t: &Timeline,
        time: Time,
        preps: Vec<Prep<'a>>,
        frame: &Frame,
        left_out: Option<String>,
    ) -> Layout<'a> {
        let (left, legend_w) = (frame.left, frame.legend_w);
        let right = frame.width - MARGIN - legend_w - 24;

        let x_count = ((right - left) / 110).max(2) as usize;
        // The axis runs exactly from 0 to end; nice ticks beyond end are not drawn.
        let (_, _, x_ticks) = axis::linear_axis(0.0, time.end, x_count);
        let x_scale = Scale::linear(0.0, time.end, left, right);

        let mut y = MARGIN + 38;
        let subtitle_y = y;
        if !t.subtitle.is_empty() {
            y += 28;
        }
        let notes_y = y;
        let notes = notes(t, left_out, frame.width);
        y += notes.len() as i32 * NOTE_ROW;
        y += 6;
        let shade_y = y;
        let shade_labels = place_shade_labels(t, &x_scale, left, right);
        let rows = shade_labels.iter().map(|s| s.row + 1).max().unwrap_or(0);
        let shade_bar_y = shade_y + rows * SHADE_ROW;
        if rows > 0 {
            y += rows * SHADE_ROW + 10;
        }
        let panels_top = y.max(frame.top);
        let (panels, y) = stack_panels(
            preps,
            panels_top,
            (left, right),
            legend_w,
            (frame.heights.as_deref(), frame.legends.as_deref()),
        );
        // "time (s)" right under the last panel's tick labels; the image ends below it or below
        // the last legend, whichever is lower.
        let last_plot_bottom = panels.last().expect("prepare makes at least one panel").2.y1;
        let axis_title_y = last_plot_bottom + TICK_ROW + 2;
        let height = (axis_title_y + 28).max(y - PANEL_GAP) + MARGIN;
        Layout {
            width: frame.width as u32,
            height: height.max(1) as u32,
            dx: 0,
            tag: String::new(),
            left,
            right,
            legend_w,
            subtitle_y,
            notes,
            notes_y,
            shade_y,
            shade_bar_y,
            shade_labels,
            time,
            x_ticks,
            panels,
            axis_title_y,
            panels_top,
        }
    }

    /// The shared time axis, from 0 at the plots' left edge to the end at their right edge.
    fn x_scale(&self) -> Scale {
        Scale::linear(0.0, self.time.end, self.left, self.right)
    }
}

/// The note lines of `t`, shortened to the image's width: `left_out` (how many of its panels
/// are not drawn), then its own notes; at most [`MAX_NOTES`], the last of them then saying how
/// many notes are left out.
fn notes(t: &Timeline, left_out: Option<String>, width: i32) -> Vec<String> {
    let mut all: Vec<String> = left_out.into_iter().collect();
    all.extend(t.notes.iter().filter(|n| !n.trim().is_empty()).cloned());
    if all.len() > MAX_NOTES {
        let more = all.len() - (MAX_NOTES - 1);
        all.truncate(MAX_NOTES - 1);
        all.push(format!("and {more} more notes"));
    }
    let room = (width - 2 * MARGIN) as u32;
    all.iter()
        .map(|n| style::fit_text(n, size::AXIS, false, room))
        .collect()
}

/// Each panel of `t` (the first [`MAX_PANELS`]) with its data prepared: y axes over the values
/// inside the time axis (with reference lines), and the stacked tops of stacked panels. A
/// timeline without panels gets an empty frame, so that the time axis still shows.
fn prepare<'a>(t: &'a Timeline, time: &Time) -> Vec<Prep<'a>> {
    if t.panels.is_empty() {
        return vec![Prep::Empty];
    }
    t.panels
        .iter()
        .take(MAX_PANELS)
        .map(|p| prepare_panel(p, time))
        .collect()
}

/// One panel prepared: its y axis over its values inside the time axis ([`y_values`]).
fn prepare_panel<'a>(p: &'a Panel, time: &Time) -> Prep<'a> {
    match p {
        Panel::Lines(l) => Prep::Lines(l, YAxis::from_values(y_values(p, time).into_iter(), l.log_y)),
        Panel::Stacked(s) => {
            let values = y_values(p, time);
            Prep::Stacked(
                s,
                YAxis::from_values(values.into_iter(), false),
                Stack::new(s, time),
            )
        }
        Panel::Bands(b) => Prep::Bands(b),
    }
}

/// The values a panel's y axis covers: a lines panel's points inside the time axis and its
/// reference lines, a stacked panel's top layer's tops; none for bands.
fn y_values(p: &Panel, time: &Time) -> Vec<f64> {
    match p {
        Panel::Lines(l) => l
            .series
            .iter()
            .flat_map(|s| time.points(&s.values).filter_map(|(_, v)| v))
            .chain(l.reference_lines.iter().filter_map(|r| finite(r.value)))
            .collect(),
        Panel::Stacked(s) => Stack::new(s, time)
            .tops
            .last()
            .map(|v| v.iter().filter_map(|t| *t).collect())
            .unwrap_or_default(),
        Panel::Bands(_) => Vec::new(),
    }
}

/// The plots' left edge (px): room for the widest y axis title and tick labels, or band row
/// labels; the same for every panel, at most 420.
fn left_column(preps: &[Prep<'_>]) -> i32 {
    let mut left = MARGIN + 60;
    for p in preps {
        let need = match p {
            Prep::Lines(_, y) | Prep::Stacked(_, y, _) => {
                MARGIN + 26 + 12 + draw::max_label_width(&y.ticks) as i32 + 10
            }
            Prep::Bands(b) => {
                let w = b
                    .rows
                    .iter()
                    .map(|r| style::text_width(&r.label, size::TICK, false))
                    .max()
                    .unwrap_or(0);
                MARGIN + w as i32 + 14
            }
            Prep::Empty | Prep::Absent(_) => 0,
        };
        left = left.max(need);
    }
    left.min(420)
}

/// Width (px) of the legend column right of the plots: the widest legend, 150 to 340.
fn legend_column(preps: &[Prep<'_>]) -> i32 {
    preps
        .iter()
        .map(|p| {
            let entries = p.legend();
            draw::legend_width(&entries.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>()) as i32
        })
        .max()
        .unwrap_or(0)
        .clamp(150, 340)
}

/// Places the panels one under another from `y`, each as (panel, top, plot), each plot
/// `heights[i]` tall if given (a [`Pair`]'s rows), else its own height. Also returns the `y`
/// below the last panel and its gap.
fn stack_panels<'a>(
    preps: Vec<Prep<'a>>,
    mut y: i32,
    (left, right): (i32, i32),
    legend_w: i32,
    (heights, legends): (Option<&[i32]>, Option<&[i32]>),
) -> (Vec<(Prep<'a>, i32, Rect)>, i32) {
    let mut panels = Vec::with_capacity(preps.len());
    for (i, p) in preps.into_iter().enumerate() {
        let top = y;
        let h = heights
            .and_then(|h| h.get(i).copied())
            .unwrap_or_else(|| p.plot_height());
        let plot = Rect {
            x0: left,
            y0: top + TITLE_ROW,
            x1: right,
            y1: top + TITLE_ROW + h,
        };
        // Room for the legend beside the plot (its wrapped entries, up to MAX_LEGEND rows'
        // height; more are summarised).
        let own = legend_height(&p, legend_w, plot);
        let legend_h = legends
            .and_then(|l| l.get(i).copied())
            .map_or(own, |l| l.max(own));
        y = (plot.y1 + TICK_ROW).max(plot.y0 + legend_h) + PANEL_GAP;
        panels.push((p, top, plot));
    }
    (panels, y)
}

/// A fault window's label, placed.
struct ShadeLabel {
    /// The label, shortened to fit.
    text: String,
    /// The window's left edge (px).
    x0: i32,
    /// The window's right edge (px).
    x1: i32,
    /// Which of the label rows it is on.
    row: i32,
    /// The label's centre (px): over the window, moved in so that it stays within the plots.
    centre: i32,
}

/// Places each fault label centred over its window, on the first of three rows where it does not
/// overlap another label.
fn place_shade_labels(t: &Timeline, x: &Scale, left: i32, right: i32) -> Vec<ShadeLabel> {
    let mut rows: Vec<Vec<(i32, i32)>> = vec![Vec::new(); 3];
    let mut out = Vec::new();
    for s in &t.shaded {
        let (Some(a), Some(b)) = (finite(s.start_secs), finite(s.end_secs)) else {
            continue;
        };
        let (a, b) = (a.min(b), a.max(b));
        let (x0, x1) = (x.px(a), x.px(b));
        if x.pos(b) < f64::from(left) || x.pos(a) > f64::from(right) {
            continue;
        }
        let label = style::fit_text(&s.label, size::TICK, false, (right - left) as u32);
        let w = style::text_width(&label, size::TICK, false) as i32;
        let c = ((x0 + x1) / 2).clamp(left + w / 2, (right - w / 2).max(left + w / 2));
        let span = (c - w / 2 - 6, c + w / 2 + 6);
        let row = (0..3)
            .find(|r| rows[*r].iter().all(|o| span.1 < o.0 || span.0 > o.1))
            .unwrap_or(2);
        rows[row].push(span);
        out.push(ShadeLabel {
            text: label,
            x0,
            x1,
            row: row as i32,
            centre: c,
        });
    }
    out
}

/// Draws the whole timeline: title and subtitle, fault labels, each panel, then "time (s)"
/// under the last panel.
pub(crate) fn draw<DB: DrawingBackend>(area: &Area<DB>, t: &Timeline, l: &Layout<'_>) -> Res {
    draw::head(area, (&t.title, &t.subtitle), l.width, MARGIN, l.subtitle_y)?;
    draw::notes(area, &l.notes, (MARGIN, l.notes_y), NOTE_ROW, INK)?;
    shade_labels(area, l)?;
    let x = l.x_scale();
    let windows: Vec<(i32, i32)> = l.shade_labels.iter().map(|s| (s.x0, s.x1)).collect();
    for (p, top, plot) in &l.panels {
        panel(area, l, p, *top, *plot, &x, &windows)?;
    }
    let c = ((l.left + l.right) / 2, l.axis_title_y);
    draw::text(area, "time (s)", c, size::AXIS, false, INK, Anchor::Top, false)?;
    Ok(())
}

/// The fault labels, each on its row, and under them a bar over each fault's window.
fn shade_labels<DB: DrawingBackend>(area: &Area<DB>, l: &Layout<'_>) -> Res {
    for s in &l.shade_labels {
        let y = l.shade_y + s.row * SHADE_ROW;
        draw::text(
            area,
            &s.text,
            (s.centre, y + 2),
            size::TICK,
            false,
            INK,
            Anchor::Top,
            false,
        )?;
        draw::fill_rect(
            area,
            Rect {
                x0: s.x0,
                y0: l.shade_bar_y,
                x1: s.x1.max(s.x0 + 2),
                y1: l.shade_bar_y + 6,
            },
            SHADE,
            0.55,
        )?;
    }
    Ok(())
}

/// One panel whose title row starts at `top`: title, time grid, the fault `windows` (px)
/// shaded, the data, window edges, frame, time tick labels and legend.
fn panel<DB: DrawingBackend>(
    area: &Area<DB>,
    l: &Layout<'_>,
    p: &Prep<'_>,
    top: i32,
    plot: Rect,
    x: &Scale,
    windows: &[(i32, i32)],
) -> Res {
    let (title, px) = panel_title(l, p.title());
    draw::text(
        area,
        &title,
        (plot.x0, top + 4),
        px,
        true,
        INK,
        Anchor::TopLeft,
        false,
    )?;
    draw::grid(area, plot, Some((x, &l.x_ticks)), None)?;
    for &(x0, x1) in windows {
        draw::fill_rect(
            area,
            Rect {
                x0,
                y0: plot.y0,
                x1: x1.max(x0 + 2),
                y1: plot.y1,
            },
            SHADE,
            SHADE_ALPHA,
        )?;
    }
    match p {
        Prep::Lines(lp, y) => panels::draw_lines(area, lp, y, plot, x, &l.time)?,
        Prep::Stacked(sp, y, stack) => panels::draw_stacked(area, sp, y, stack, plot, x, &l.time)?,
        Prep::Bands(bp) => panels::draw_bands(area, bp, plot, x, l.left)?,
        Prep::Empty => draw::note(area, plot, "no data")?,
        Prep::Absent(why) => draw::note(area, plot, why)?,
    }
    // Window edges on top of the data, so an instant can be followed down the page.
    for &(x0, x1) in windows {
        for xe in [x0, x1] {
            draw::polyline(area, &[(xe, plot.y0), (xe, plot.y1)], SHADE, 1, true)?;
        }
    }
    draw::frame_rect(area, plot, FRAME)?;
    draw::x_tick_labels(area, plot, x, &l.x_ticks)?;
    let entries = p.legend();
    draw::legend(
        area,
        l.right + 24,
        plot.y0,
        l.legend_w,
        legend_room(plot),
        &entries,
    )
}

/// A panel's title and its size (px): it runs from the plots' left edge over the legend column
/// (the legends start below the title row) to the margin; a title too long for that at
/// [`size::PANEL_TITLE`] is drawn at the smallest size that fits it, down to [`size::TICK`], and
/// only past that shortened with "…" (a pair's columns are narrower than a timeline alone).
fn panel_title(l: &Layout<'_>, title: &str) -> (String, u32) {
    let room = (l.width as i32 - MARGIN - l.left).max(1) as u32;
    let px = (size::TICK..=size::PANEL_TITLE)
        .rev()
        .find(|&px| style::text_width(title, px, true) <= room)
        .unwrap_or(size::TICK);
    (style::fit_text(title, px, true, room), px)
}

/// The most height a panel's legend may take: beside its plot and tick labels, or
/// [`MAX_LEGEND`] one-line rows, whichever is taller (wrapped entries take more than one row).
/// The height (px) of `p`'s legend, wrapped `legend_w` wide, beside `plot`.
fn legend_height(p: &Prep<'_>, legend_w: i32, plot: Rect) -> i32 {
    let entries = p.legend();
    let labels: Vec<&str> = entries.iter().map(|(_, l)| l.as_str()).collect();
    draw::legend_layout(&labels, legend_w, legend_room(plot)).height
}

pub(super) fn legend_room(plot: Rect) -> i32 {
    (plot.height() + TICK_ROW).max(MAX_LEGEND as i32 * draw::LEGEND_ROW)
}
