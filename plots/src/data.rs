//! Plain input data for the charts.
//!
//! These types know nothing about the simulator: another crate maps its results onto them.
//! Every value is a plain `f64`; `NaN` means "no data" (drawn as a gap), infinities are treated
//! the same way, and out-of-range values are clamped or shown rather than rejected.

/// A timeline: stacked panels sharing one time axis from 0 to `end_secs`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// Title at the top of the figure.
    pub title: String,
    /// Smaller line under the title (scenario, seed, ...); may be empty.
    pub subtitle: String,
    /// Lines printed under the subtitle, e.g. what a large scenario's chart leaves out ("and 108
    /// more services (see timeseries.csv)"); each is shortened to the image's width, and at most
    /// [`crate::MAX_NOTES`] are printed (the last then says how many more there were).
    pub notes: Vec<String>,
    /// Width of one bucket of the per-bucket series, in seconds.
    pub bucket_secs: f64,
    /// End of the time axis, in seconds (the axis always starts at 0).
    pub end_secs: f64,
    /// Time windows shaded on every panel (faults), each labelled once at the top.
    pub shaded: Vec<Shade>,
    /// The panels, drawn top to bottom. At most [`crate::MAX_PANELS`] are drawn; the rest are
    /// left out with a note saying how many, so that the image stays within
    /// [`crate::MAX_PIXELS`] however many panels there are.
    pub panels: Vec<Panel>,
}

/// A time window shaded across every panel (a fault), labelled once at the top.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shade {
    /// Start of the window, in seconds.
    pub start_secs: f64,
    /// End of the window, in seconds.
    pub end_secs: f64,
    /// Label printed above the first panel (e.g. "classification slow (15 s)").
    pub label: String,
}

/// One panel of a [`Timeline`].
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    /// Lines over time.
    Lines(LinePanel),
    /// Stacked areas over time.
    Stacked(StackedPanel),
    /// State bands, one row per entity.
    Bands(BandPanel),
}

/// Lines over time, one value per bucket (bucket i covers [i·bucket_secs, (i+1)·bucket_secs);
/// it is plotted at the bucket's middle).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinePanel {
    /// Panel title, printed above the panel.
    pub title: String,
    /// Y axis label with its unit, e.g. "requests/s" or "latency (ms)".
    pub y_label: String,
    /// Logarithmic y axis (values ≤ 0 are then drawn as gaps).
    pub log_y: bool,
    /// The lines; colours follow [`crate::series_colour`] in order.
    pub series: Vec<Series>,
    /// Horizontal reference lines (capacity limits, SLOs).
    pub reference_lines: Vec<RefLine>,
}

/// One named sequence of per-bucket values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// One value per bucket; `NaN` = no data in that bucket (a gap).
    pub values: Vec<f64>,
    /// Draw the line dashed (ignored for stacked layers). Panels with more than eight series
    /// repeat the colours with the dash style inverted (series 8–15), so lines stay distinct.
    pub dashed: bool,
}

/// A horizontal line such as a capacity limit, drawn dashed and labelled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RefLine {
    /// Label printed next to the line.
    pub label: String,
    /// Y value of the line.
    pub value: f64,
}

/// Stacked areas bottom-up (outcomes per bucket: ok, degraded, failed by reason).
///
/// Layer colours: ok-like first layer bluish green, then yellow, vermillion, reddish purple, ...
/// (see [`crate::layer_colour`]). Negative values are clamped to 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackedPanel {
    /// Panel title, printed above the panel.
    pub title: String,
    /// Y axis label with its unit, e.g. "requests/s".
    pub y_label: String,
    /// Layers, bottom first.
    pub layers: Vec<Series>,
}

/// State bands: one row per entity (each pod, each breaker), coloured spans over time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandPanel {
    /// Panel title, printed above the panel.
    pub title: String,
    /// The states a span can be in, with their colour; shown in the legend.
    pub states: Vec<StateStyle>,
    /// One row per entity, drawn top to bottom.
    pub rows: Vec<BandRow>,
}

/// A named state and its semantic colour.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StateStyle {
    /// State name shown in the legend (e.g. "ready").
    pub name: String,
    /// Its colour.
    pub tone: Tone,
}

impl StateStyle {
    /// The states of a band panel, in index order, from `(name, tone)` pairs.
    pub fn list(states: &[(&str, Tone)]) -> Vec<StateStyle> {
        states
            .iter()
            .map(|&(name, tone)| StateStyle {
                name: name.into(),
                tone,
            })
            .collect()
    }
}

/// Semantic colours, chosen by the plots crate: Good (e.g. ready, closed), Warn (not ready,
/// half-open), Bad (killed, open), Info (starting), Neutral (terminated/unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tone {
    /// Healthy: ready, closed (bluish green).
    Good,
    /// Degraded: not ready, half-open (yellow).
    Warn,
    /// Failed: killed, open (vermillion).
    Bad,
    /// Informational: starting (sky blue).
    Info,
    /// Neither: terminated, unknown (grey).
    #[default]
    Neutral,
}

/// One entity's row of a [`BandPanel`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandRow {
    /// Row label printed at the left (e.g. "upload-0").
    pub label: String,
    /// Coloured spans; time not covered by any span is left blank.
    pub spans: Vec<Span>,
}

/// A time span in one state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Span {
    /// Start, in seconds.
    pub start_secs: f64,
    /// End, in seconds.
    pub end_secs: f64,
    /// Index into [`BandPanel::states`]; an unknown index is drawn in the neutral colour.
    pub state: usize,
}

/// A metric against one parameter axis with 95% confidence bands, one line per value of a second
/// axis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepChart {
    /// Chart title.
    pub title: String,
    /// X axis label with its unit (the swept parameter).
    pub x_label: String,
    /// Y axis label with its unit (the metric).
    pub y_label: String,
    /// Logarithmic x axis (points with x ≤ 0 are then skipped).
    pub log_x: bool,
    /// One line per value of the second axis.
    pub lines: Vec<SweepLine>,
}

/// One line of a [`SweepChart`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepLine {
    /// Legend label (e.g. "retries = 3").
    pub label: String,
    /// Points, in any order (they are sorted by x).
    pub points: Vec<SweepPoint>,
}

/// A mean with its 95% confidence interval at one parameter value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepPoint {
    /// Parameter value.
    pub x: f64,
    /// Mean of the metric; `NaN` = missing (a gap).
    pub mean: f64,
    /// Lower end of the 95% confidence interval (`NaN` = no band at this point).
    pub low: f64,
    /// Upper end of the 95% confidence interval (`NaN` = no band at this point).
    pub high: f64,
}

/// A metric over two parameter axes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Chart title.
    pub title: String,
    /// X axis label (the parameter along the columns).
    pub x_label: String,
    /// Y axis label (the parameter along the rows).
    pub y_label: String,
    /// Column labels, left to right.
    pub x_ticks: Vec<String>,
    /// Row labels, bottom to top.
    pub y_ticks: Vec<String>,
    /// `values[y][x]`; NaN = missing. Row 0 is drawn at the bottom.
    pub values: Vec<Vec<f64>>,
    /// What the colour encodes, with its unit (e.g. "success rate (%)").
    pub value_label: String,
}
