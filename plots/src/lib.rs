//! plots: charts of meshsim results, as SVG text and PNG bytes.
//!
//! Pure functions from plain data ([`data`]) to images; this crate knows nothing about the
//! simulator, and another crate maps results onto its input types. Three charts:
//!
//! - [`timeline_svg`] / [`timeline_png`]: an incident timeline, 1600 px wide. Panels are stacked
//!   on one shared time axis (0 to `end_secs`, in seconds) with aligned left and right edges, so
//!   an instant lines up down the page: lines (optionally log y, with dashed reference lines such
//!   as a capacity), stacked areas (outcomes per bucket) and state bands (one row per pod or
//!   breaker). Fault windows are shaded on every panel and labelled once at the top. Bucket `i`
//!   is plotted at its middle, `(i + 0.5) · bucket_secs`. Notes (e.g. what a caller left out)
//!   are printed under the subtitle. The image's height is bounded whatever the input: at most
//!   [`MAX_PANELS`] panels are drawn, the rest counted in a note. The SVG shows a series' full
//!   label and panel on hover over its line or legend entry (`<title>` tooltips, [`hover`]).
//! - [`timeline_pair_svg`] / [`timeline_pair_png`]: two timelines side by side (run A left, run
//!   B right, 1400 px each) on shared axes: the same time range, and for each row of panels
//!   (paired by title) the same y range and height, so that equal heights mean equal values.
//! - [`topology_svg`] / [`topology_png`]: the call graph: clients and services as boxes in
//!   columns by call depth, arrows labelled with their policy, faults printed in the box they
//!   strike; the SVG carries hover tooltips (`<title>`) with the full names and details.
//! - [`sweep_svg`] / [`sweep_png`]: a metric against a parameter, one line with markers and a
//!   translucent 95% confidence band per value of a second parameter.
//! - [`heatmap_svg`] / [`heatmap_png`]: a metric over two parameters, on a viridis colour scale
//!   with the value printed in each cell and a colour bar.
//!
//! **Legibility.** The charts are made for design reviews and projectors: text is at least 16 px
//! (titles 22–28 px), lines are 3 px, grids are light, every axis has a label with its unit
//! (given by the caller, e.g. "requests/s"), and legends sit beside the plots, never over data.
//!
//! **Font.** Text uses DejaVu Sans (regular and bold, Bitstream Vera licence, see
//! `assets/LICENSE-DejaVu.txt`), bundled with `include_bytes!` and registered once per process
//! with plotters' `ab_glyph` backend, so PNGs render identically on machines without any font
//! installed. SVGs name `"DejaVu Sans, sans-serif"`, falling back to the viewer's sans-serif.
//!
//! **Colours.** Series use the Okabe–Ito palette, distinguishable with the common forms of colour
//! blindness ([`series_colour`] gives it for HTML reports); sweep lines also differ by marker shape;
//! heatmaps use viridis. State tones: Good = bluish green, Warn = yellow, Bad = vermillion,
//! Info = sky blue, Neutral = grey.
//!
//! **Robustness.** Rendering never panics: NaN (and infinite) values are gaps, empty inputs give
//! an empty chart that says "no data", degenerate ranges are opened up, out-of-range values are
//! clamped, and any failure of the drawing backend or the PNG encoder is a [`PlotError`].
//!
//! **Determinism.** The same input gives byte-identical SVG and PNG on every run: no clocks, no
//! hash-map iteration, no randomness, fixed-precision number formatting, and a PNG encoder that
//! writes no timestamps.

pub mod data;
pub mod error;

mod axis;
mod draw;
mod heatmap;
mod hover;
mod png;
mod style;
mod sweep;
mod timeline;
mod topology;

pub use data::{
    BandPanel, BandRow, Heatmap, LinePanel, Panel, RefLine, Series, Shade, Span, StackedPanel, StateStyle,
    SweepChart, SweepLine, SweepPoint, Timeline, Tone,
};
pub use error::PlotError;
pub use style::{MAX_PIXELS, layer_colour, series_colour, tone_colour};
pub use timeline::{MAX_NOTES, MAX_PANELS};
pub use topology::{
    Arrow, MAX_DETAILS, MAX_FAULTS, MAX_LAYERS, MAX_OUT, MAX_PER_LAYER, Node, NodeKind, Topology,
};

/// Size in pixels (width, height) of the timeline image for `t`.
pub fn timeline_size(t: &Timeline) -> Result<(u32, u32), PlotError> {
    style::ensure_fonts()?;
    let l = timeline::Layout::new(t);
    Ok((l.width, l.height))
}

/// The timeline as an SVG document, with a `<title>` tooltip (the series' full label and its
/// panel) along every line series and over every legend entry.
pub fn timeline_svg(t: &Timeline) -> Result<String, PlotError> {
    style::ensure_fonts()?;
    let l = timeline::Layout::new(t);
    let svg = png::render_svg(l.width, l.height, |a| timeline::draw(a, t, &l))?;
    Ok(timeline::add_tooltips(svg, &l))
}

/// The timeline as PNG bytes (RGB, 8 bits per channel).
pub fn timeline_png(t: &Timeline) -> Result<Vec<u8>, PlotError> {
    style::ensure_fonts()?;
    let l = timeline::Layout::new(t);
    png::render_png(l.width, l.height, |a| timeline::draw(a, t, &l))
}

/// Size in pixels (width, height) of the side-by-side timelines of `a` and `b`.
pub fn timeline_pair_size(a: &Timeline, b: &Timeline) -> Result<(u32, u32), PlotError> {
    style::ensure_fonts()?;
    let p = timeline::Pair::new(a, b);
    Ok((p.width, p.height))
}

/// Two timelines side by side, `a` left and `b` right, on shared axes (the same time range, and
/// per row of panels paired by title the same y range and height), as an SVG document with the
/// timeline's tooltips, each ending with its column's title.
pub fn timeline_pair_svg(a: &Timeline, b: &Timeline) -> Result<String, PlotError> {
    style::ensure_fonts()?;
    let p = timeline::Pair::new(a, b);
    let svg = png::render_svg(p.width, p.height, |area| timeline::draw_pair(area, (a, b), &p))?;
    Ok(timeline::add_pair_tooltips(svg, &p))
}

/// [`timeline_pair_svg`] as PNG bytes (RGB, 8 bits per channel).
pub fn timeline_pair_png(a: &Timeline, b: &Timeline) -> Result<Vec<u8>, PlotError> {
    style::ensure_fonts()?;
    let p = timeline::Pair::new(a, b);
    png::render_png(p.width, p.height, |area| timeline::draw_pair(area, (a, b), &p))
}

/// Size in pixels (width, height) of a sweep chart (always the same).
pub fn sweep_size() -> (u32, u32) {
    (sweep::WIDTH as u32, sweep::HEIGHT as u32)
}

/// The sweep chart as an SVG document.
pub fn sweep_svg(c: &SweepChart) -> Result<String, PlotError> {
    style::ensure_fonts()?;
    let l = sweep::Layout::new(c);
    let (w, h) = sweep_size();
    png::render_svg(w, h, |a| sweep::draw(a, c, &l))
}

/// The sweep chart as PNG bytes (RGB, 8 bits per channel).
pub fn sweep_png(c: &SweepChart) -> Result<Vec<u8>, PlotError> {
    style::ensure_fonts()?;
    let l = sweep::Layout::new(c);
    let (w, h) = sweep_size();
    png::render_png(w, h, |a| sweep::draw(a, c, &l))
}

/// Size in pixels (width, height) of the heatmap image for `h`.
pub fn heatmap_size(h: &Heatmap) -> Result<(u32, u32), PlotError> {
    style::ensure_fonts()?;
    let l = heatmap::Layout::new(h);
    Ok((l.width, l.height))
}

/// The heatmap as an SVG document.
pub fn heatmap_svg(h: &Heatmap) -> Result<String, PlotError> {
    style::ensure_fonts()?;
    let l = heatmap::Layout::new(h);
    png::render_svg(l.width, l.height, |a| heatmap::draw(a, h, &l))
}

/// The heatmap as PNG bytes (RGB, 8 bits per channel).
pub fn heatmap_png(h: &Heatmap) -> Result<Vec<u8>, PlotError> {
    style::ensure_fonts()?;
    let l = heatmap::Layout::new(h);
    png::render_png(l.width, l.height, |a| heatmap::draw(a, h, &l))
}

/// Size in pixels (width, height) of the topology image for `t`.
pub fn topology_size(t: &Topology) -> Result<(u32, u32), PlotError> {
    style::ensure_fonts()?;
    let l = topology::Layout::new(t);
    Ok((l.width, l.height))
}

/// The topology as an SVG document, with a `<title>` tooltip on every box and arrow.
pub fn topology_svg(t: &Topology) -> Result<String, PlotError> {
    style::ensure_fonts()?;
    let l = topology::Layout::new(t);
    let svg = png::render_svg(l.width, l.height, |a| topology::draw(a, t, &l))?;
    Ok(topology::add_tooltips(svg, t, &l))
}

/// The topology as PNG bytes (RGB, 8 bits per channel).
pub fn topology_png(t: &Topology) -> Result<Vec<u8>, PlotError> {
    style::ensure_fonts()?;
    let l = topology::Layout::new(t);
    png::render_png(l.width, l.height, |a| topology::draw(a, t, &l))
}
