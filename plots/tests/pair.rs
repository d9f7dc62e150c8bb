//! Two timelines side by side: one image twice a column wide, both columns' tooltips (each
//! ending with its column's title, B's shifted onto the right half), the same bytes each time,
//! and a single timeline drawn as before.

use plots::{Panel, timeline_pair_png, timeline_pair_size, timeline_pair_svg};

mod common;

#[test]
fn the_pair_has_both_columns_tooltips_and_is_deterministic() {
    let mut a = common::cascade();
    a.title = "A: cascade".into();
    let mut b = common::cascade();
    b.title = "B: cascade again".into();
    b.end_secs *= 2.0;
    let svg = timeline_pair_svg(&a, &b).unwrap();
    let (w, h) = timeline_pair_size(&a, &b).unwrap();
    assert!(svg.contains(&format!("width=\"{w}\"")) && svg.contains(&format!("height=\"{h}\"")));
    let tips = &svg[svg.find("<g class=\"tooltips\">").expect("a tooltip group")..];
    let Panel::Lines(first) = &a.panels[0] else {
        panic!("the fixture starts with lines")
    };
    let s = &first.series[0];
    for column in [&a.title, &b.title] {
        let title = format!("<title>{}\n{}\n{column}</title>", s.label, first.title).replace('&', "&amp;");
        assert_eq!(
            tips.matches(&title).count(),
            2,
            "{title}: along the line and on the legend"
        );
    }
    // B's legend tooltips sit in the right half.
    let b_legend = tips
        .split("<rect x=\"")
        .skip(1)
        .filter(|r| r[..r.find("</rect>").unwrap()].contains(&b.title))
        .map(|r| r.split('"').next().unwrap().parse::<u32>().unwrap())
        .min()
        .unwrap();
    assert!(
        b_legend > w / 2,
        "B's legend at x={b_legend} in an image {w} wide"
    );
    assert_eq!(svg, timeline_pair_svg(&a, &b).unwrap());
    let png = timeline_pair_png(&a, &b).unwrap();
    assert_eq!(png, timeline_pair_png(&a, &b).unwrap());
    common::maybe_write("pair.png", &png);
}
