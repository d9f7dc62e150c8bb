//! The timeline's SVG shows each line series' full label and panel on hover: along its line and
//! over its legend entry.

use plots::{Panel, timeline_svg};

mod common;

#[test]
fn every_line_series_and_legend_entry_has_a_tooltip() {
    let t = common::cascade();
    let svg = timeline_svg(&t).unwrap();
    let tips = &svg[svg.find("<g class=\"tooltips\">").expect("a tooltip group")..];
    let mut series = 0;
    for p in &t.panels {
        if let Panel::Lines(l) = p {
            for s in &l.series {
                let title = format!("<title>{}\n{}</title>", s.label, l.title).replace('&', "&amp;");
                // One along the line (a path), one over the legend entry (a rect).
                assert_eq!(tips.matches(&title).count(), 2, "{title}");
                series += 1;
            }
        }
    }
    assert!(series >= 6, "the fixture has line series");
    assert!(tips.contains("<path d=\"M"));
    assert!(svg.trim_end().ends_with("</g>\n</svg>"));
    // The SVG stays the same bytes run after run.
    assert_eq!(svg, timeline_svg(&t).unwrap());
}
