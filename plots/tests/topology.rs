//! The topology picture: what it names, its tooltips, its bounded size whatever the input, and
//! its determinism.

use plots::*;

mod common;

/// The texts of the SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

/// Renders both formats; the PNG decodes to the announced size, within the pixel cap.
fn renders(t: &Topology) -> String {
    let svg = topology_svg(t).unwrap_or_else(|e| panic!("svg: {e}"));
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let png = topology_png(t).unwrap_or_else(|e| panic!("png: {e}"));
    let (w, h) = topology_size(t).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
    assert_eq!((reader.info().width, reader.info().height), (w, h));
    assert!(u64::from(w) * u64::from(h) <= MAX_PIXELS, "{w}x{h}");
    svg
}

#[test]
fn names_every_box_policy_and_fault_with_escaped_tooltips() {
    let svg = renders(&common::topology());
    let texts = texts(&svg);
    for name in [
        "uploaders",
        "upload",
        "classification",
        "storage",
        "uploaders-default",
        "naive",
        "⚠ slow (15s), from 30s",
        "bulkhead 50",
    ] {
        assert!(texts.contains(&name), "{name} not drawn: {texts:?}");
    }
    // One tooltip per box, and two per arrow (its line and its label), escaped.
    assert_eq!(svg.matches("<title>").count(), 4 + 2 * 3);
    assert!(svg.contains("<title>1→2 &lt;naive&gt; &amp; more</title>"));
    assert!(svg.contains("<title>classification\n2 replicas × 100 slots\nqueue 1000</title>"));
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let t = common::topology();
    assert_eq!(topology_svg(&t).unwrap(), topology_svg(&t).unwrap());
    assert_eq!(topology_png(&t).unwrap(), topology_png(&t).unwrap());
}

#[test]
fn empty_and_broken_inputs_render() {
    renders(&Topology::default());
    let mut t = common::topology();
    // Arrows naming boxes that do not exist are ignored; a cycle and a self-call still draw.
    t.arrows.push(common_arrow(7, 0));
    t.arrows.push(common_arrow(2, 1));
    t.arrows.push(common_arrow(3, 3));
    renders(&t);
}

fn common_arrow(from: usize, to: usize) -> Arrow {
    Arrow {
        from,
        to,
        policy: "p".into(),
        summary: vec![],
        tooltip: String::new(),
    }
}

/// The largest topology there can be (more columns and boxes per column than are drawn, every
/// box with more arrows, details and faults than it shows, 300-character names) still draws as
/// a PNG within `MAX_PIXELS`, shortens the names with "…" and says what it left out.
#[test]
fn any_number_of_boxes_draws_within_the_pixel_cap_and_says_what_it_left_out() {
    let long = "l".repeat(300);
    let layers = MAX_LAYERS + 3;
    let per = MAX_PER_LAYER + 4;
    let mut nodes = Vec::new();
    for l in 0..layers {
        for i in 0..per {
            nodes.push(Node {
                kind: if l == 0 {
                    NodeKind::Client
                } else {
                    NodeKind::Service
                },
                name: format!("{l}-{i}-{long}"),
                details: (0..MAX_DETAILS + 3)
                    .map(|d| format!("detail {d} {long}"))
                    .collect(),
                faults: (0..MAX_FAULTS + 3).map(|d| format!("fault {d} {long}")).collect(),
                tooltip: format!("{l}-{i}-{long}"),
            });
        }
    }
    let mut arrows = Vec::new();
    for l in 0..layers - 1 {
        for i in 0..per {
            for j in 0..MAX_OUT + 2 {
                arrows.push(Arrow {
                    from: l * per + i,
                    to: (l + 1) * per + (i + j) % per,
                    policy: format!("policy {long}"),
                    summary: (0..8).map(|k| format!("part {k} {long}")).collect(),
                    tooltip: String::new(),
                });
            }
        }
    }
    let t = Topology {
        title: long.clone(),
        subtitle: long.clone(),
        notes: (0..10).map(|i| format!("note {i}")).collect(),
        nodes,
        arrows,
    };
    let svg = renders(&t);
    common::maybe_write("topology-worst.svg", svg.as_bytes());
    let texts = texts(&svg);
    assert!(
        texts.iter().any(|t| t.starts_with("0-0-lll") && t.ends_with('…')),
        "{texts:?}"
    );
    let whole = format!("0-0-{long}");
    assert!(
        !texts.iter().any(|t| t.contains(&whole)),
        "the whole name is only in a tooltip"
    );
    assert!(svg.contains(&format!("<title>0-0-{long}</title>")));
    assert!(texts.iter().any(|t| t.ends_with("more notes")), "{texts:?}");
}

#[test]
fn notes_count_what_is_left_out() {
    let mut t = common::topology();
    // A fourth column is within the limits; a box beyond MAX_PER_LAYER in a column is not.
    for i in 0..MAX_PER_LAYER {
        t.nodes.push(Node {
            kind: NodeKind::Client,
            name: format!("c{i}"),
            details: vec![],
            faults: vec![],
            tooltip: String::new(),
        });
    }
    let svg = renders(&t);
    assert!(
        svg.contains(&format!(
            "and 1 boxes beyond {MAX_PER_LAYER} per column not drawn"
        )),
        "{:?}",
        texts(&svg)
    );
}
