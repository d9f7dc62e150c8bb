//! A state that lasts one bucket of a long run stays visible in its band (at least the minimum
//! span width), and legend labels wider than the legend column wrap instead of being cut short.

use plots::{BandPanel, BandRow, LinePanel, Panel, Series, Span, StateStyle, Timeline, Tone, timeline_svg};

/// The texts of the SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

/// The widths of the SVG's rectangles filled with `fill`.
fn rect_widths(svg: &str, fill: &str) -> Vec<i64> {
    svg.split("<rect")
        .skip(1)
        .filter(|r| r[..r.find('>').unwrap()].contains(&format!("fill=\"{fill}\"")))
        .filter(|r| !r[..r.find('>').unwrap()].contains("fill-opacity=\"0\""))
        .map(|r| {
            let w = r.split("width=\"").nth(1).unwrap();
            w[..w.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

fn timeline(panels: Vec<Panel>) -> Timeline {
    Timeline {
        title: "t".into(),
        subtitle: String::new(),
        notes: vec![],
        bucket_secs: 1.0,
        end_secs: 3600.0,
        shaded: vec![],
        panels,
    }
}

#[test]
fn a_one_bucket_half_open_state_in_an_hour_is_drawn_at_least_the_minimum_width() {
    // One bucket of 3 600 across ~1 200 px is a third of a pixel: before, a 1 px sliver.
    let states = StateStyle::list(&[
        ("closed", Tone::Good),
        ("half-open", Tone::Warn),
        ("open", Tone::Bad),
    ]);
    let span = |a: f64, b: f64, state: usize| Span {
        start_secs: a,
        end_secs: b,
        state,
    };
    let rows = vec![BandRow {
        label: "api→backend @ api-0".into(),
        spans: vec![
            span(0.0, 1000.0, 0),
            span(1000.0, 1030.0, 2),
            span(1030.0, 1031.0, 1),
            span(1031.0, 3600.0, 0),
        ],
    }];
    let t = timeline(vec![Panel::Bands(BandPanel {
        title: "Circuit breakers".into(),
        states,
        rows,
    })]);
    let svg = timeline_svg(&t).unwrap();
    // Half-open's tone (Warn, #F0E442): the band's span and the legend's swatch (34 px).
    let widths = rect_widths(&svg, "#F0E442");
    assert_eq!(widths.len(), 2, "{widths:?}");
    let band = *widths.iter().min().unwrap();
    assert!(band >= 5, "the half-open span is {band} px wide");
    // The wide spans keep their place: the closed state after it is still drawn.
    assert!(rect_widths(&svg, "#009E73").iter().any(|&w| w > 500));
}

#[test]
fn long_legend_labels_wrap_and_are_never_cut_short() {
    let labels = [
        "attempts upload→classification",
        "checkout-frontend→payment-authorisation[payment-default] attempts",
        "refused: breaker open",
    ];
    let series = labels
        .iter()
        .enumerate()
        .map(|(i, l)| Series {
            label: (*l).into(),
            values: (0..60).map(|k| (k + i) as f64).collect(),
            dashed: false,
        })
        .collect();
    let t = Timeline {
        end_secs: 60.0,
        ..timeline(vec![Panel::Lines(LinePanel {
            title: "load".into(),
            y_label: "requests/s".into(),
            log_y: false,
            series,
            reference_lines: vec![],
        })])
    };
    let svg = timeline_svg(&t).unwrap();
    let texts = texts(&svg);
    assert!(!texts.iter().any(|t| t.contains('…')), "{texts:?}");
    // The longest label is on several lines which, joined, give it back whole.
    let long = labels[1];
    let start = texts
        .iter()
        .position(|t| long.starts_with(t) && !t.is_empty())
        .unwrap();
    let mut joined = String::new();
    for t in &texts[start..] {
        joined.push_str(t);
        if joined.len() >= long.len() {
            break;
        }
    }
    assert_eq!(joined.replace(' ', ""), long.replace(' ', ""), "{texts:?}");
    assert!(texts[start].len() < long.len(), "it wraps: {texts:?}");
    // Each entry keeps its tooltip with the full label.
    for l in labels {
        assert!(svg.contains(&format!("<title>{l}\nload</title>")), "{l}");
    }
}
