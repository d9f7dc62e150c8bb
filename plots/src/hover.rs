//! Hover tooltips in SVG output: invisible shapes with a `<title>`, added after plotters' drawing.
//!
//! plotters' SVG backend (plotters-svg 0.3.7) writes shapes and text only and has no way to
//! attach a `<title>` to them, so a chart that wants tooltips gets a group of invisible shapes
//! inserted before `</svg>`. They are filled or stroked with opacity 0, which SVG still counts as
//! painted, so the pointer hits them and a browser shows their `<title>` on hover (SVG 1.1,
//! section 5.4 "The 'desc' and 'title' elements",
//! <https://www.w3.org/TR/SVG11/struct.html#DescriptionAndTitleElements>, and the
//! `pointer-events` value `visiblePainted`,
//! <https://www.w3.org/TR/SVG11/interact.html#PointerEventsProperty>). PNGs have no tooltips.

use std::fmt::Write as _;

use crate::draw::Rect;

/// Escapes text for SVG character data and attribute values; drops control characters other
/// than line breaks and tabs (XML 1.0 does not allow them).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A group of invisible shapes with tooltips, built up and then inserted into an SVG.
pub(crate) struct Tooltips {
    group: String,
}

impl Tooltips {
    pub(crate) fn new() -> Tooltips {
        Tooltips {
            group: String::from("<g class=\"tooltips\">\n"),
        }
    }

    /// A rectangle over `r` showing `tip`.
    pub(crate) fn rect(&mut self, r: Rect, tip: &str) {
        let _ = writeln!(
            self.group,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0\">\
             <title>{}</title></rect>",
            r.x0,
            r.y0,
            r.width().max(0),
            r.height().max(0),
            esc(tip)
        );
    }

    /// A line `width` px wide along `points` showing `tip`.
    pub(crate) fn line(&mut self, points: &[(i32, i32)], width: u32, tip: &str) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(
            self.group,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0\" \
             stroke-width=\"{width}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(tip)
        );
    }

    /// A path `width` px wide along each of `runs` (one element, however many runs, so broken
    /// series stay small) showing `tip`; round caps make a one-point run a dot.
    pub(crate) fn path(&mut self, runs: &[Vec<(i32, i32)>], width: u32, tip: &str) {
        let mut d = String::new();
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let _ = write!(d, "M{},{}", run[0].0, run[0].1);
            if run.len() == 1 {
                d.push_str("h0");
            }
            for (x, y) in &run[1..] {
                let _ = write!(d, "L{x},{y}");
            }
        }
        if d.is_empty() {
            return;
        }
        let _ = writeln!(
            self.group,
            "<path d=\"{d}\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0\" \
             stroke-width=\"{width}\" stroke-linecap=\"round\"><title>{}</title></path>",
            esc(tip)
        );
    }

    /// `svg` with the group inserted before its closing tag.
    pub(crate) fn insert(mut self, svg: String) -> String {
        self.group.push_str("</g>\n");
        match svg.rfind("</svg>") {
            Some(at) => {
                let mut out = svg;
                out.insert_str(at, &self.group);
                out
            }
            None => svg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(esc("a<b>&\"c'\u{1}\nd"), "a&lt;b&gt;&amp;&quot;c&apos;\nd");
    }

    #[test]
    fn the_group_goes_before_the_closing_tag() {
        let mut t = Tooltips::new();
        t.line(&[(0, 1), (2, 3)], 10, "a & b");
        let svg = t.insert("<svg>\n<rect/>\n</svg>\n".to_string());
        assert_eq!(
            svg,
            "<svg>\n<rect/>\n<g class=\"tooltips\">\n<polyline points=\"0,1 2,3\" fill=\"none\" \
             stroke=\"#ffffff\" stroke-opacity=\"0\" stroke-width=\"10\"><title>a &amp; b</title>\
             </polyline>\n</g>\n</svg>\n"
        );
    }
}
