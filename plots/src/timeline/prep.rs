//! Panel data prepared for layout: the sanitised time axis, each panel's y axis before it is
//! placed, the cumulative tops of stacked layers, and each panel's plot height and legend.

use crate::axis::{self, Scale, Ticks, finite};
use crate::data::{BandPanel, LinePanel, Panel, Series, StackedPanel, Timeline, Tone};
use crate::draw::{Rect, Swatch};
use crate::style;

/// Height of the plot area of a lines or stacked panel (the whole panel is 282 px).
const PLOT_H: i32 = 200;
/// Row height of a bands panel (for up to 20 rows; more rows share 600 px).
const BAND_ROW: f64 = 30.0;

/// The time axis, sanitised.
#[derive(Clone, Copy)]
pub(super) struct Time {
    pub(super) bucket: f64,
    pub(super) end: f64,
}

impl Time {
    /// The time axis of `t`: its bucket (1 s if unusable) and its end (at most
    /// [`axis::MAX_ABS`]); without a usable end, the end of the data, or 1 s without any.
    pub(super) fn new(t: &Timeline) -> Time {
        let bucket = if t.bucket_secs.is_finite() && t.bucket_secs > 0.0 {
            t.bucket_secs
        } else {
            1.0
        };
        let end = if t.end_secs.is_finite() && t.end_secs > 0.0 {
            t.end_secs.min(axis::MAX_ABS)
        } else {
            // No usable end: derive it from the data, or show 0..1.
            let mut end = 0.0f64;
            for p in &t.panels {
                let n = match p {
                    Panel::Lines(l) => l.series.iter().map(|s| s.values.len()).max().unwrap_or(0),
                    Panel::Stacked(s) => s.layers.iter().map(|s| s.values.len()).max().unwrap_or(0),
                    Panel::Bands(b) => {
                        for s in b.rows.iter().flat_map(|r| &r.spans) {
                            end = end
                                .max(finite(s.end_secs).unwrap_or(0.0))
                                .max(finite(s.start_secs).unwrap_or(0.0));
                        }
                        0
                    }
                };
                end = end.max(n as f64 * bucket);
            }
            for s in &t.shaded {
                end = end.max(finite(s.end_secs).unwrap_or(0.0));
            }
            if end.is_finite() && end > 0.0 {
                end.min(axis::MAX_ABS)
            } else {
                1.0
            }
        };
        Time { bucket, end }
    }

    /// (time, value) of the buckets that fall inside the axis; `None` for a gap.
    pub(super) fn points<'a>(&'a self, values: &'a [f64]) -> impl Iterator<Item = (f64, Option<f64>)> + 'a {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| ((i as f64 + 0.5) * self.bucket, finite(*v)))
            .take_while(|(t, _)| *t <= self.end)
    }
}

/// A y axis before it is placed.
pub(super) struct YAxis {
    lo: f64,
    hi: f64,
    log: Option<(i32, i32)>,
    pub(super) ticks: Ticks,
}

impl YAxis {
    /// A y axis covering `values` (only positive ones on a `log` axis): log decades, or a
    /// linear range from zero with 5% headroom; 1..10 or 0..1 without values.
    pub(super) fn from_values(values: impl Iterator<Item = f64>, log: bool) -> YAxis {
        let (mut lo, mut hi, mut any) = (f64::INFINITY, f64::NEG_INFINITY, false);
        for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
            lo = lo.min(v);
            hi = hi.max(v);
            any = true;
        }
        if log {
            let (e0, e1, ticks) = if any {
                axis::log_axis(lo, hi, 2)
            } else {
                axis::log_axis(1.0, 10.0, 2)
            };
            return YAxis {
                lo: 0.0,
                hi: 0.0,
                log: Some((e0, e1)),
                ticks,
            };
        }
        let (lo, hi) = if any {
            (lo.min(0.0), hi.max(0.0))
        } else {
            (0.0, 1.0)
        };
        let hi = if hi > 0.0 { hi + (hi - lo) * 0.05 } else { hi };
        let (lo, hi, ticks) = axis::linear_axis(lo, hi, 5);
        YAxis {
            lo,
            hi,
            log: None,
            ticks,
        }
    }

    /// The axis placed on `plot`, bottom to top.
    pub(super) fn scale(&self, plot: Rect) -> Scale {
        match self.log {
            Some((e0, e1)) => Scale::log(f64::from(e0), f64::from(e1), plot.y1, plot.y0),
            None => Scale::linear(self.lo, self.hi, plot.y1, plot.y0),
        }
    }
}

/// Stacked layers: cumulative tops per bucket (`None` = gap).
pub(super) struct Stack {
    /// tops[k][i]: top of layer k at bucket i.
    pub(super) tops: Vec<Vec<Option<f64>>>,
}

impl Stack {
    /// The stacked tops of `p`'s layers over the buckets inside the time axis (negative values
    /// count as zero).
    pub(super) fn new(p: &StackedPanel, time: &Time) -> Stack {
        let n = p
            .layers
            .iter()
            .map(|l| time.points(&l.values).count())
            .max()
            .unwrap_or(0);
        // Per bucket: the cumulative tops of all layers, or None when no layer has data there.
        let columns: Vec<Option<Vec<f64>>> = (0..n)
            .map(|i| {
                let vals: Vec<Option<f64>> = p
                    .layers
                    .iter()
                    .map(|l| l.values.get(i).and_then(|v| finite(*v)))
                    .collect();
                if vals.iter().all(Option::is_none) {
                    return None;
                }
                let mut cum = 0.0f64;
                Some(
                    vals.iter()
                        .map(|v| {
                            cum = (cum + v.unwrap_or(0.0).max(0.0)).min(axis::MAX_ABS);
                            cum
                        })
                        .collect(),
                )
            })
            .collect();
        let tops = (0..p.layers.len())
            .map(|k| columns.iter().map(|c| c.as_ref().map(|c| c[k])).collect())
            .collect();
        Stack { tops }
    }
}

/// A panel with its data prepared for layout.
pub(super) enum Prep<'a> {
    Lines(&'a LinePanel, YAxis),
    Stacked(&'a StackedPanel, YAxis, Stack),
    Bands(&'a BandPanel),
    /// Stands in for a timeline without panels: an empty frame over the time axis.
    Empty,
    /// Stands in, in one column of a pair, for a panel only the other column has: an empty
    /// frame saying so, titled like the other column's panel.
    Absent(String),
}

impl Prep<'_> {
    /// The panel's title (empty for the empty frame).
    pub(super) fn title(&self) -> &str {
        match self {
            Prep::Lines(p, _) => p.title.as_str(),
            Prep::Stacked(p, ..) => p.title.as_str(),
            Prep::Bands(p) => p.title.as_str(),
            Prep::Empty => "",
            Prep::Absent(_) => "",
        }
    }

    /// Height in pixels of the panel's plot area.
    pub(super) fn plot_height(&self) -> i32 {
        match self {
            Prep::Bands(b) => band_height(b.rows.len()),
            Prep::Empty | Prep::Absent(_) => 60,
            _ => PLOT_H,
        }
    }

    /// The legend entries: lines in order, stacked layers top first, band states (and
    /// `unknown` if some span has a state without a style); none for the empty stand-in.
    pub(super) fn legend(&self) -> Vec<(Swatch, String)> {
        match self {
            Prep::Lines(l, _) => line_legend(l),
            Prep::Stacked(s, ..) => stacked_legend(s),
            Prep::Bands(b) => band_legend(b),
            Prep::Empty | Prep::Absent(_) => Vec::new(),
        }
    }
}

/// A lines panel's legend: each series' colour and dash, in order.
fn line_legend(l: &LinePanel) -> Vec<(Swatch, String)> {
    l.series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                Swatch::Line {
                    color: style::series_rgb(i),
                    dashed: is_dashed(s, i),
                },
                s.label.clone(),
            )
        })
        .collect()
}

/// A stacked panel's legend: top layer first, as the areas are stacked.
fn stacked_legend(s: &StackedPanel) -> Vec<(Swatch, String)> {
    let mut v: Vec<_> = s
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                Swatch::Fill {
                    color: style::layer_rgb(i),
                    alpha: 1.0,
                },
                l.label.clone(),
            )
        })
        .collect();
    v.reverse();
    v
}

/// A bands panel's legend: each state's tone, and `unknown` if some span's state has no style.
fn band_legend(b: &BandPanel) -> Vec<(Swatch, String)> {
    let mut v: Vec<_> = b
        .states
        .iter()
        .map(|s| {
            (
                Swatch::Fill {
                    color: style::tone_rgb(s.tone),
                    alpha: 1.0,
                },
                s.name.clone(),
            )
        })
        .collect();
    if b.rows
        .iter()
        .flat_map(|r| &r.spans)
        .any(|s| s.state >= b.states.len())
    {
        v.push((
            Swatch::Fill {
                color: style::tone_rgb(Tone::Neutral),
                alpha: 1.0,
            },
            "unknown".into(),
        ));
    }
    v
}

/// Whether line series `i` is drawn dashed: as asked for series 0–7; series 8–15 repeat the
/// palette's eight colours with the dash style inverted (16–23 as asked again, ...), so that no
/// two of the first sixteen lines look alike.
pub(super) fn is_dashed(s: &Series, i: usize) -> bool {
    s.dashed != ((i / 8) % 2 == 1)
}

/// Height in pixels of a bands panel's plot with `rows` rows (44 without rows, at most 600).
fn band_height(rows: usize) -> i32 {
    if rows == 0 {
        return 44;
    }
    (rows as f64 * BAND_ROW).min(600.0).round() as i32
}
