//! Snapshot tests of the SVG output: any change to a chart shows up as a reviewable diff.
//! Update with `INSTA_UPDATE=always cargo test -p plots --test snapshots` and review the diff.

mod common;

#[test]
fn timeline_svg_snapshot() {
    let svg = plots::timeline_svg(&common::cascade()).expect("timeline renders");
    common::maybe_write("timeline.svg", svg.as_bytes());
    insta::assert_snapshot!("timeline_cascade", svg);
}

#[test]
fn sweep_svg_snapshot() {
    let svg = plots::sweep_svg(&common::sweep()).expect("sweep renders");
    common::maybe_write("sweep.svg", svg.as_bytes());
    insta::assert_snapshot!("sweep_backoff", svg);
}

#[test]
fn heatmap_svg_snapshot() {
    let svg = plots::heatmap_svg(&common::heatmap()).expect("heatmap renders");
    common::maybe_write("heatmap.svg", svg.as_bytes());
    insta::assert_snapshot!("heatmap_probes", svg);
}

#[test]
fn svg_carries_titles_labels_units_and_legends() {
    let svg = plots::timeline_svg(&common::cascade()).unwrap();
    for text in [
        "cascade: slow classification takes upload down",
        "classification slow (15 s)",
        "time (s)",
        "requests/s",
        "latency (ms)",
        "capacity = 48",
        "attempts (incl. retries)",
        "failed: pod killed",
        "upload-2",
        "killed (liveness)",
        "half-open",
        ">\n10k\n</text>",
    ] {
        let escaped = text.replace('&', "&amp;");
        assert!(svg.contains(&escaped), "timeline SVG lacks {text:?}");
    }
    assert!(svg.contains(r#"font-family="DejaVu Sans, sans-serif""#));
    let sweep = plots::sweep_svg(&common::sweep()).unwrap();
    for text in [
        "max retries per request",
        "success rate (%)",
        "decorrelated jitter",
        "95% CI",
    ] {
        assert!(sweep.contains(text), "sweep SVG lacks {text:?}");
    }
    let heat = plots::heatmap_svg(&common::heatmap()).unwrap();
    for text in [
        "goodput (% of offered)",
        "liveness probe timeout",
        "probe period",
        "n/a",
        "no data",
    ] {
        assert!(heat.contains(text), "heatmap SVG lacks {text:?}");
    }
}

#[test]
fn fonts_meet_projector_sizes() {
    // Every text is at least 16 px, titles at least 20 px.
    let svg = plots::timeline_svg(&common::cascade()).unwrap();
    let mut sizes = Vec::new();
    for part in svg.split("font-size=\"").skip(1) {
        let end = part.find('"').unwrap();
        sizes.push(part[..end].parse::<f64>().unwrap());
    }
    assert!(!sizes.is_empty());
    assert!(sizes.iter().all(|s| *s >= 16.0), "{sizes:?}");
    assert!(sizes.iter().any(|s| *s >= 28.0), "no title size in {sizes:?}");
    // Series lines are 3 px.
    assert!(svg.contains(r##"stroke="#0072B2" stroke-width="3""##));
}

#[test]
fn topology_svg_snapshot() {
    let svg = plots::topology_svg(&common::topology()).expect("topology renders");
    common::maybe_write("topology.svg", svg.as_bytes());
    insta::assert_snapshot!("topology_cascade", svg);
}
