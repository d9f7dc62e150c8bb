//! Hover tooltips for the topology's SVG: `<title>` elements on transparent shapes.
//!
//! plotters' SVG backend has no way to attach a `<title>` to what it draws, so after the
//! picture is rendered a group of invisible shapes is added before `</svg>`: a rectangle over
//! every box and every arrow label, and a 12 px wide line along every arrow. They are filled or
//! stroked with opacity 0, which SVG still counts as painted, so the pointer hits them and a
//! browser shows their `<title>` (SVG 1.1, section 5.4 "The 'desc' and 'title' elements",
//! <https://www.w3.org/TR/SVG11/struct.html#DescriptionAndTitleElements>, and `pointer-events`
//! "visiblePainted", <https://www.w3.org/TR/SVG11/interact.html#PointerEventsProperty>).

use std::fmt::Write as _;

use super::Topology;
use super::layout::{LABEL_TEXT_W, Layout, SLOT_H};

/// Escapes text for SVG character data and attribute values.
fn esc(s: &str) -> String {
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

/// `svg` with the tooltip group of `t` (laid out as `l`) added before its closing tag.
pub(crate) fn add_tooltips(svg: String, t: &Topology, l: &Layout) -> String {
    let mut g = String::from("<g class=\"tooltips\">\n");
    for n in &l.nodes {
        let r = n.rect;
        let _ = writeln!(
            g,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" fill-opacity=\"0\">\
             <title>{}</title></rect>",
            r.x0,
            r.y0,
            r.width(),
            r.height(),
            esc(&t.nodes[n.index].tooltip)
        );
    }
    for a in &l.arrows {
        let tip = esc(&t.arrows[a.index].tooltip);
        let points: Vec<String> = a.path.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(
            g,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0\" \
             stroke-width=\"12\"><title>{tip}</title></polyline>",
            points.join(" ")
        );
        let (x, y) = a.label_at;
        let _ = writeln!(
            g,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{LABEL_TEXT_W}\" height=\"{}\" fill=\"#ffffff\" \
             fill-opacity=\"0\"><title>{tip}</title></rect>",
            SLOT_H - 10
        );
    }
    g.push_str("</g>\n");
    match svg.rfind("</svg>") {
        Some(at) => {
            let mut out = svg;
            out.insert_str(at, &g);
            out
        }
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(esc("a<b>&\"c'\u{1}\nd"), "a&lt;b&gt;&amp;&quot;c&apos;\nd");
    }
}
