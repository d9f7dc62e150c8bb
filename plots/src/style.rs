//! Colours, fonts and sizes shared by every chart.
//!
//! Colours come from the Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), which
//! stays distinguishable for the common forms of colour blindness; heatmaps use a viridis scale.

use std::sync::OnceLock;

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, TextStyle};

use crate::data::Tone;
use crate::error::PlotError;

/// The largest PNG, in pixels, that a render function will produce (40 million pixels, 120 MB
/// of RGB while drawing): beyond it [`PlotError::TooLarge`] is returned instead of exhausting
/// memory. SVG output has no such limit.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Okabe–Ito colours with their names, in the order used for line series.
/// Yellow is last: thin yellow lines are hard to see on white.
const SERIES: [(&str, RGBColor); 8] = [
    ("blue", RGBColor(0x00, 0x72, 0xB2)),
    ("orange", RGBColor(0xE6, 0x9F, 0x00)),
    ("bluish green", RGBColor(0x00, 0x9E, 0x73)),
    ("vermillion", RGBColor(0xD5, 0x5E, 0x00)),
    ("reddish purple", RGBColor(0xCC, 0x79, 0xA7)),
    ("sky blue", RGBColor(0x56, 0xB4, 0xE9)),
    ("black", RGBColor(0x00, 0x00, 0x00)),
    ("yellow", RGBColor(0xF0, 0xE4, 0x42)),
];

/// Indices into [`SERIES`] for stacked layers: ok first (green), then degraded (yellow), then
/// failures (vermillion, reddish purple, orange, blue, sky blue, black).
const LAYERS: [usize; 8] = [2, 7, 3, 4, 1, 0, 5, 6];

/// Grey for the neutral tone and for missing heatmap cells.
pub(crate) const GREY: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// Colour of fault windows (vermillion, drawn translucent).
pub(crate) const SHADE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Opacity of fault-window shading.
pub(crate) const SHADE_ALPHA: f64 = 0.12;
/// Main text colour (near black).
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text colour (subtitles, tick labels).
pub(crate) const INK_SOFT: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
/// Minor grid lines (log axes).
pub(crate) const GRID_MINOR: RGBColor = RGBColor(0xF1, 0xF1, 0xF1);
/// Plot frame.
pub(crate) const FRAME: RGBColor = RGBColor(0xB0, 0xB0, 0xB0);
/// Reference lines.
pub(crate) const REF_LINE: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Background.
pub(crate) const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// Colour of line series `i` of a panel (cycles through the eight Okabe–Ito colours).
pub(crate) fn series_rgb(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()].1
}

/// Colour of stacked layer `i` (bottom first).
pub(crate) fn layer_rgb(i: usize) -> RGBColor {
    SERIES[LAYERS[i % LAYERS.len()]].1
}

/// Colour of a semantic tone.
pub(crate) fn tone_rgb(tone: Tone) -> RGBColor {
    match tone {
        Tone::Good => SERIES[2].1,
        Tone::Warn => SERIES[7].1,
        Tone::Bad => SERIES[3].1,
        Tone::Info => SERIES[5].1,
        Tone::Neutral => GREY,
    }
}

/// `#rrggbb` of a colour.
pub(crate) fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// `#rrggbb` of line series `i` of a lines panel or of line `i` of a sweep chart.
pub fn series_colour(i: usize) -> String {
    hex(series_rgb(i))
}

/// `#rrggbb` of layer `i` (bottom first) of a stacked panel.
pub fn layer_colour(i: usize) -> String {
    hex(layer_rgb(i))
}

/// `#rrggbb` of a state tone in band panels.
pub fn tone_colour(tone: Tone) -> String {
    hex(tone_rgb(tone))
}

// ---------------------------------------------------------------------------------------------
// Fonts

/// Family name under which the bundled font is registered. It is also what SVG files name, so a
/// viewer uses DejaVu Sans when installed and its own sans-serif font otherwise.
const FAMILY: &str = "DejaVu Sans, sans-serif";
static REGULAR: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");
static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the bundled DejaVu Sans (regular and bold) with plotters, once per process.
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    FONTS
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR)
                .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())?;
            plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD)
                .map_err(|_| "DejaVuSans-Bold.ttf is not a valid font".to_string())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Text sizes, in CSS pixels (the SVG `font-size`).
pub(crate) mod size {
    /// Figure title.
    pub(crate) const TITLE: u32 = 28;
    /// Figure subtitle.
    pub(crate) const SUBTITLE: u32 = 20;
    /// Panel title.
    pub(crate) const PANEL_TITLE: u32 = 22;
    /// Axis titles.
    pub(crate) const AXIS: u32 = 18;
    /// Legend entries.
    pub(crate) const LEGEND: u32 = 18;
    /// Tick labels, row labels, annotations.
    pub(crate) const TICK: u32 = 16;
}

/// Where a text is anchored relative to its position.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Anchor {
    /// Left end, vertically centred.
    Left,
    /// Right end, vertically centred.
    Right,
    /// Centre.
    Center,
    /// Horizontally centred, top edge.
    Top,
    /// Left end, top edge.
    TopLeft,
}

/// A font description: `px` is the CSS pixel size (plotters' size unit is 1.24 × larger).
pub(crate) fn font(px: u32, bold: bool) -> FontDesc<'static> {
    let style = if bold { FontStyle::Bold } else { FontStyle::Normal };
    FontDesc::new(FontFamily::Name(FAMILY), f64::from(px) * 1.24, style)
}

/// A text style with colour, anchor and rotation.
pub(crate) fn text_style(
    px: u32,
    bold: bool,
    color: RGBColor,
    anchor: Anchor,
    vertical: bool,
) -> TextStyle<'static> {
    let (h, v) = match anchor {
        Anchor::Left => (HPos::Left, VPos::Center),
        Anchor::Right => (HPos::Right, VPos::Center),
        Anchor::Center => (HPos::Center, VPos::Center),
        Anchor::Top => (HPos::Center, VPos::Top),
        Anchor::TopLeft => (HPos::Left, VPos::Top),
    };
    let mut f = font(px, bold);
    if vertical {
        f = f.transform(FontTransform::Rotate270);
    }
    let mut style = f.color(&color);
    style.pos = Pos::new(h, v);
    style
}

/// Width in pixels of `text` at `px` (an estimate when the font is unavailable).
pub(crate) fn text_width(text: &str, px: u32, bold: bool) -> u32 {
    match font(px, bold).box_size(text) {
        Ok((w, _)) => w,
        Err(_) => (text.chars().count() as u32).saturating_mul(px * 6 / 10),
    }
}

/// `text` shortened with an ellipsis so that it is at most `max_w` pixels wide.
pub(crate) fn fit_text(text: &str, px: u32, bold: bool, max_w: u32) -> String {
    if text_width(text, px, bold) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    // Largest prefix that fits together with the ellipsis (binary search on the prefix length).
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(std::iter::once(&'…')).collect();
        if text_width(&candidate, px, bold) <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return String::new();
    }
    chars[..lo].iter().collect::<String>().trim_end().to_string() + "…"
}

/// `text` wrapped into lines at most `max_w` pixels wide: broken after a space, `→`, `/`,
/// `,` or `·` where it can be, else between two characters (a name longer than the width); at
/// most `max_lines`, the last then shortened with "…" if text remains.
pub(crate) fn wrap_text(text: &str, px: u32, max_w: u32, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: &str = text.trim();
    while !rest.is_empty() {
        if lines.len() + 1 == max_lines.max(1) || text_width(rest, px, false) <= max_w {
            lines.push(fit_text(rest, px, false, max_w));
            break;
        }
        // The longest prefix that fits, then back to its last break opportunity.
        let ends: Vec<usize> = rest.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        let fit = ends.partition_point(|&e| text_width(&rest[..e], px, false) <= max_w);
        let fit = fit.max(1); // at least one character per line
        let cut = ends[..fit]
            .iter()
            .rev()
            .find(|&&e| rest[..e].ends_with([' ', '→', '/', ',', '·']))
            .copied()
            .unwrap_or(ends[fit - 1]);
        lines.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Viridis colour at `t` in [0, 1] (linear interpolation between eleven stops of matplotlib's
/// viridis, which is perceptually uniform and colour-blind safe).
pub(crate) fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x44, 0x01, 0x54),
        (0x48, 0x24, 0x75),
        (0x41, 0x44, 0x87),
        (0x35, 0x5F, 0x8D),
        (0x2A, 0x78, 0x8E),
        (0x21, 0x91, 0x8C),
        (0x22, 0xA8, 0x84),
        (0x44, 0xBF, 0x70),
        (0x7A, 0xD1, 0x51),
        (0xBD, 0xDF, 0x26),
        (0xFD, 0xE7, 0x25),
    ];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let pos = t * 10.0;
    let i = (pos.floor() as usize).min(9);
    let f = pos - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_and_tones_use_the_palette() {
        assert_eq!(self::hex(GREY), "#999999");
        assert_eq!(self::hex(SHADE), "#d55e00");
        assert_eq!(layer_colour(0), "#009e73", "ok is bluish green");
        assert_eq!(tone_colour(Tone::Bad), "#d55e00");
    }

    #[test]
    fn viridis_ends_and_clamps() {
        assert_eq!(hex(viridis(0.0)), "#440154");
        assert_eq!(hex(viridis(1.0)), "#fde725");
        assert_eq!(viridis(-3.0), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
    }

    #[test]
    fn long_text_is_shortened_with_an_ellipsis() {
        ensure_fonts().unwrap();
        let long = "upload-7f9c4d-classification-worker-pool-replica-0042";
        let fitted = fit_text(long, 16, false, 150);
        assert!(fitted.ends_with('…') && fitted.len() < long.len(), "{fitted}");
        assert!(text_width(&fitted, 16, false) <= 150);
        assert_eq!(fit_text("short", 16, false, 150), "short");
        assert_eq!(fit_text("anything", 16, false, 0), "");
    }

    #[test]
    fn wrapped_text_keeps_every_character_within_its_lines() {
        ensure_fonts().unwrap();
        let label = "attempts upload→classification[classification-default]";
        let lines = wrap_text(label, 18, 150, 6);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l, 18, false) <= 150), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), label.replace(' ', ""));
        // Broken after the arrow where it can be.
        assert!(lines.iter().any(|l| l.ends_with('→')), "{lines:?}");
        assert_eq!(wrap_text("short", 18, 150, 6), ["short"]);
        // Bounded: the last of max_lines lines ends with an ellipsis; no width never panics.
        let bounded = wrap_text(&"x".repeat(500), 18, 100, 3);
        assert_eq!(bounded.len(), 3);
        assert!(bounded[2].ends_with('…'));
        assert_eq!(wrap_text("abc", 18, 0, 6), ["a", "b", "c"]);
    }
}
