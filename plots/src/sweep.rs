//! The sweep chart: a metric against one parameter, one line (with markers and a translucent
//! 95% confidence band) per value of a second parameter.

use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use crate::axis::{self, Scale, Ticks, finite};
use crate::data::SweepChart;
use crate::draw::{self, Area, Marker, Rect, Res, Swatch};
use crate::error::PlotError;
use crate::style::{self, FRAME};

/// Image width.
pub(crate) const WIDTH: i32 = 1400;
/// Image height.
pub(crate) const HEIGHT: i32 = 820;
const MARGIN: i32 = 24;
/// Opacity of the confidence bands.
const BAND_ALPHA: f64 = 0.18;

/// One line's usable points: (x, mean, band) sorted by x; `mean` None = gap.
type Points = Vec<(f64, Option<f64>, Option<(f64, f64)>)>;

/// Positions and ranges, computed before drawing.
pub(crate) struct Layout {
    plot: Rect,
    x: Scale,
    x_ticks: Ticks,
    y: Scale,
    y_ticks: Ticks,
    legend_w: i32,
    lines: Vec<Points>,
}

impl Layout {
    pub(crate) fn new(c: &SweepChart) -> Layout {
        let lines = usable_points(c);
        let xs = || lines.iter().flatten().map(|p| p.0);
        let (x_min, x_max) = (
            xs().fold(f64::INFINITY, f64::min),
            xs().fold(f64::NEG_INFINITY, f64::max),
        );
        let (y_lo, y_hi, y_ticks) = y_range(&lines);
        let legend_labels: Vec<&str> = c
            .lines
            .iter()
            .map(|l| l.label.as_str())
            .chain(std::iter::once(BAND_NOTE))
            .collect();
        let legend_w = (draw::legend_width(&legend_labels) as i32).clamp(150, 360);
        let y_tick_w = draw::max_label_width(&y_ticks) as i32;
        let plot = Rect {
            x0: MARGIN + 30 + 12 + y_tick_w + 10,
            y0: MARGIN + 44 + 12,
            x1: WIDTH - MARGIN - legend_w - 24,
            y1: HEIGHT - MARGIN - 30 - 34,
        };
        let y = Scale::linear(y_lo, y_hi, plot.y1, plot.y0);
        let (x, x_ticks) = if c.log_x {
            log_x_axis(x_min, x_max, plot)
        } else {
            linear_x_axis(x_min, x_max, plot)
        };
        Layout {
            plot,
            x,
            x_ticks,
            y,
            y_ticks,
            legend_w,
            lines,
        }
    }
}

/// Each line's usable points, sorted by x: finite x (positive on a log axis), the mean if
/// finite, and the interval only where the mean and both ends are finite.
fn usable_points(c: &SweepChart) -> Vec<Points> {
    c.lines
        .iter()
        .map(|l| {
            let mut pts: Points = l
                .points
                .iter()
                .filter_map(|p| {
                    let x = finite(p.x).filter(|x| !c.log_x || *x > 0.0)?;
                    let mean = finite(p.mean);
                    // An interval without its mean is not drawn either.
                    let band = match (mean, finite(p.low), finite(p.high)) {
                        (Some(_), Some(a), Some(b)) => Some((a.min(b), a.max(b))),
                        _ => None,
                    };
                    Some((x, mean, band))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            pts
        })
        .collect()
}

/// The y scale's range (`lo`, `hi`) and ticks: the ticks cover the means and intervals, from
/// zero unless the data sits far from it; the range adds 5% headroom so markers stay off the frame.
fn y_range(lines: &[Points]) -> (f64, f64, Ticks) {
    let ys = lines.iter().flatten().flat_map(|p| {
        let (a, b) = p.2.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        [p.1, a, b]
    });
    let (mut y_min, mut y_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in ys.flatten() {
        y_min = y_min.min(v);
        y_max = y_max.max(v);
    }
    if y_min > y_max {
        (y_min, y_max) = (0.0, 1.0);
    }
    // Start at zero unless the data sits far from it (then zoom on the data).
    if y_min >= 0.0 && y_min <= 0.4 * y_max {
        y_min = 0.0;
    }
    // Ticks cover the data; the scale adds 5% headroom so markers stay off the frame.
    let (nlo, nhi, y_ticks) = axis::linear_axis(y_min, y_max, 6);
    let (y_lo, y_hi) = if y_max - y_min > y_max.abs().max(y_min.abs()) * 1e-12 {
        let pad = (y_max - y_min) * 0.05;
        (if y_min == 0.0 { 0.0 } else { y_min - pad }, y_max + pad)
    } else {
        (nlo, nhi)
    };
    (y_lo, y_hi, y_ticks)
}

/// A log x scale over the plot for data from `x_min` to `x_max` (1 to 10 without data), with 4%
/// padding each side, and its ticks.
fn log_x_axis(x_min: f64, x_max: f64, plot: Rect) -> (Scale, Ticks) {
    let (lo, hi) = if x_min <= x_max {
        (x_min, x_max)
    } else {
        (1.0, 10.0)
    };
    let (e0, e1, ticks) = axis::log_axis(lo, hi, 3);
    let (l0, l1) = (lo.log10(), hi.log10());
    let (l0, l1) = if l1 - l0 > 1e-9 {
        (l0, l1)
    } else {
        (f64::from(e0), f64::from(e1))
    };
    let pad = (l1 - l0) * 0.04;
    (Scale::log(l0 - pad, l1 + pad, plot.x0, plot.x1), ticks)
}

/// A linear x scale over the plot for data from `x_min` to `x_max` (0 to 1 without data), with
/// 4% padding each side, and its ticks.
fn linear_x_axis(x_min: f64, x_max: f64, plot: Rect) -> (Scale, Ticks) {
    let (lo, hi) = if x_min <= x_max {
        (x_min, x_max)
    } else {
        (0.0, 1.0)
    };
    let (nlo, nhi, ticks) = axis::linear_axis(lo, hi, 8);
    let (lo, hi) = if hi - lo > (hi.abs() + lo.abs()) * 1e-12 {
        (lo, hi)
    } else {
        (nlo, nhi)
    };
    let pad = (hi - lo) * 0.04;
    (Scale::linear(lo - pad, hi + pad, plot.x0, plot.x1), ticks)
}

const BAND_NOTE: &str = "shaded: 95% CI";

/// Draws the sweep chart: title and grid, then every line's confidence bands, mean lines and
/// markers (each layer for all lines before the next), frame, ticks, axis labels and legend.
pub(crate) fn draw<DB: DrawingBackend>(area: &Area<DB>, c: &SweepChart, l: &Layout) -> Res {
    draw::page(area, &c.title, WIDTH as u32, MARGIN)?;
    let plot = l.plot;
    draw::grid(area, plot, Some((&l.x, &l.x_ticks)), Some((&l.y, &l.y_ticks)))?;
    for (i, pts) in l.lines.iter().enumerate() {
        bands(area, l, pts, style::series_rgb(i))?;
    }
    for (i, pts) in l.lines.iter().enumerate() {
        mean_lines(area, l, pts, style::series_rgb(i))?;
    }
    if !markers(area, l)? {
        draw::note(area, plot, "no data")?;
    }
    draw::frame_rect(area, plot, FRAME)?;
    draw::x_tick_labels(area, plot, &l.x, &l.x_ticks)?;
    draw::y_tick_labels(area, plot, &l.y, &l.y_ticks)?;
    draw::axis_titles(area, &c.x_label, &c.y_label, plot, MARGIN)?;
    let entries = legend_entries(c, l);
    draw::legend(area, plot.x1 + 24, plot.y0, l.legend_w, plot.height(), &entries)
}

/// One line's confidence intervals in `color`: a translucent band over each run of points with
/// one, or an error bar where a run is a single point.
fn bands<DB: DrawingBackend>(area: &Area<DB>, l: &Layout, pts: &Points, color: RGBColor) -> Res {
    let plot = l.plot;
    for run in runs(pts, |p| p.2.is_some()) {
        if run.len() == 1 {
            // A lone interval: an error bar.
            let (x, _, band) = run[0];
            let Some((lo, hi)) = band else { continue };
            let (px, y0, y1) = (l.x.px(x), l.y.px(lo), l.y.px(hi));
            draw::segment(area, (px, y0), (px, y1), color, 2)?;
            draw::segment(area, (px - 6, y0), (px + 6, y0), color, 2)?;
            draw::segment(area, (px - 6, y1), (px + 6, y1), color, 2)?;
            continue;
        }
        let upper: Vec<(f64, f64)> = run
            .iter()
            .filter_map(|p| Some((l.x.pos(p.0), l.y.pos(p.2?.1))))
            .collect();
        let lower: Vec<(f64, f64)> = run
            .iter()
            .filter_map(|p| Some((l.x.pos(p.0), l.y.pos(p.2?.0))))
            .collect();
        let mut poly = draw::thin(&clamp_y(upper, plot));
        poly.extend(draw::thin(&clamp_y(lower, plot)).into_iter().rev());
        draw::polygon(area, poly, color, BAND_ALPHA)?;
    }
    Ok(())
}

/// One line's means in `color`, a polyline per run of points with a mean (gaps stay gaps).
fn mean_lines<DB: DrawingBackend>(area: &Area<DB>, l: &Layout, pts: &Points, color: RGBColor) -> Res {
    for run in runs(pts, |p| p.1.is_some()) {
        let line: Vec<(f64, f64)> = run
            .iter()
            .filter_map(|p| Some((l.x.pos(p.0), l.y.pos(p.1?))))
            .collect();
        draw::polyline(area, &draw::thin(&clamp_y(line, l.plot)), color, 3, false)?;
    }
    Ok(())
}

/// A marker at every mean, line by line; whether there was any.
fn markers<DB: DrawingBackend>(area: &Area<DB>, l: &Layout) -> Result<bool, PlotError> {
    let mut any = false;
    for (i, pts) in l.lines.iter().enumerate() {
        let color = style::series_rgb(i);
        for (x, mean, _) in pts {
            if let Some(m) = mean {
                any = true;
                draw::marker(area, (l.x.px(*x), l.y.px(*m)), Marker::nth(i), 5, color)?;
            }
        }
    }
    Ok(any)
}

/// The legend: each line's colour and marker, and the band note when some line has an interval.
fn legend_entries(c: &SweepChart, l: &Layout) -> Vec<(Swatch, String)> {
    let mut entries: Vec<(Swatch, String)> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            (
                Swatch::LineMarker {
                    color: style::series_rgb(i),
                    marker: Marker::nth(i),
                },
                line.label.clone(),
            )
        })
        .collect();
    if l.lines.iter().flatten().any(|p| p.2.is_some()) {
        entries.push((
            Swatch::Fill {
                color: style::GREY,
                alpha: 0.35,
            },
            BAND_NOTE.to_string(),
        ));
    }
    entries
}

/// Maximal runs of consecutive points satisfying `keep`.
fn runs<T>(pts: &[T], keep: impl Fn(&T) -> bool) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, p) in pts.iter().enumerate() {
        match (keep(p), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&pts[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&pts[s..]);
    }
    out
}

/// Keeps pixel y inside the plot (values are in range by construction; this guards rounding).
fn clamp_y(pts: Vec<(f64, f64)>, plot: Rect) -> Vec<(f64, f64)> {
    pts.into_iter()
        .map(|(x, y)| (x, y.clamp(f64::from(plot.y0), f64::from(plot.y1))))
        .collect()
}
