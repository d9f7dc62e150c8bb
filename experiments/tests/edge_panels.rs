//! The timeline's per-edge panels (issue 14): outcomes by reason, refusals by policy, bulkhead
//! permits against the limit, pool connections against the pool's size, for the edges in most
//! trouble within the panel cap; the capacity line follows a capacity cut; the breaker's short
//! half-open states stay visible; no legend is cut short.

use experiments::run::{Finished, execute};
use models::policy::Refusal;
use plots::{LinePanel, Panel, StackedPanel, Timeline};

mod common;
use common::run_options;

fn run(name: &str) -> (Finished, Timeline) {
    let f = execute(&run_options(name, &[])).unwrap_or_else(|e| panic!("{name}: {e}"));
    let t = experiments::charts::timeline(&f.loaded.scenario, &f.output.report, &f.loaded.hash);
    (f, t)
}

fn lines<'a>(t: &'a Timeline, title: &str) -> &'a LinePanel {
    t.panels
        .iter()
        .find_map(|p| match p {
            Panel::Lines(l) if l.title == title => Some(l),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no lines panel {title:?}"))
}

fn stacked<'a>(t: &'a Timeline, title: &str) -> &'a StackedPanel {
    t.panels
        .iter()
        .find_map(|p| match p {
            Panel::Stacked(s) if s.title == title => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no stacked panel {title:?}"))
}

fn series<'a>(p: &'a LinePanel, label: &str) -> &'a [f64] {
    &p.series
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("{}: no series {label:?}", p.title))
        .values
}

/// The texts of the SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| Some(t[t.find('>')? + 1..t.find("</text>")?].trim()))
        .collect()
}

#[test]
fn the_bulkhead_scenario_shows_each_edges_outcomes_refusals_permits_and_pool() {
    let (f, t) = run("bulkhead");
    let bucket = f.output.report.series.bucket_s;
    let e = "upload→classification";
    // Outcomes: ok and degraded, stacked per second, matching the edge's summary.
    let out = stacked(&t, &format!("{e}: call outcomes"));
    let labels: Vec<&str> = out.layers.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(&labels[..2], ["ok", "degraded"], "{labels:?}");
    let summary = f
        .output
        .report
        .summary
        .edges
        .iter()
        .find(|s| s.name == e)
        .unwrap();
    let ok: f64 = out.layers[0].values.iter().map(|v| v * bucket).sum();
    assert!(
        (ok - summary.counts.ok as f64).abs() < 1e-6,
        "{ok} vs {}",
        summary.counts.ok
    );
    // Refusals by the bulkhead, the ones the summary counts.
    let refusals = lines(&t, &format!("{e}: refusals by policy"));
    let full: f64 = series(refusals, "refused: bulkhead full")
        .iter()
        .map(|v| v * bucket)
        .sum();
    assert!(summary.counts.rejections[Refusal::Bulkhead] > 0);
    assert!((full - summary.counts.rejections[Refusal::Bulkhead] as f64).abs() < 1e-6);
    // Permits: at the limit (2 pods × 10) during the slow fault, the limit drawn as a line.
    let permits = lines(&t, &format!("{e}: bulkhead permits in use (mean)"));
    assert_eq!(permits.reference_lines.len(), 1);
    assert_eq!(permits.reference_lines[0].value, 20.0);
    assert_eq!(permits.reference_lines[0].label, "limit 2 pods × 10");
    let in_use = series(permits, "permits in use");
    let top = in_use.iter().copied().fold(0.0, f64::max);
    assert!((top - 20.0).abs() < 1e-9, "the bulkhead fills: {top}");
    // Pool: in use and waiting, against the pool's size over the caller pods.
    // Pool: in use and waiting, against the pool's size over the caller pods (2 pods × 30,
    // shared with upload's other edges).
    let pool = lines(&t, &format!("{e}: pool connections (mean)"));
    assert_eq!(pool.series.len(), 2);
    let peak = series(pool, "in use").iter().copied().fold(0.0, f64::max);
    assert!(peak > 0.0);
    assert_eq!(pool.reference_lines.len(), 1);
    assert_eq!(
        pool.reference_lines[0].label,
        "pool size 2 pods × 30 (shared with other edges)"
    );
    assert_eq!(pool.reference_lines[0].value, 60.0);
    // A pool without a limit has no line.
    let (_, breaker) = run("breaker");
    assert!(
        lines(&breaker, "users→api: pool connections (mean)")
            .reference_lines
            .is_empty()
    );
    assert!(t.panels.len() <= plots::MAX_PANELS, "{}", t.panels.len());
    // The new panels keep the tooltips: each line series along its line and over its legend
    // entry, each stacked layer over its legend entry.
    let svg = plots::timeline_svg(&t).unwrap();
    for p in t.panels.iter().filter(|p| panel_title(p).starts_with(e)) {
        let (title, labels, each) = match p {
            Panel::Lines(l) => (&l.title, l.series.iter().map(|s| &s.label).collect::<Vec<_>>(), 2),
            Panel::Stacked(s) => (&s.title, s.layers.iter().map(|s| &s.label).collect(), 1),
            Panel::Bands(_) => unreachable!(),
        };
        for label in labels {
            let tip = format!("<title>{label}\n{title}</title>");
            assert_eq!(svg.matches(&tip).count(), each, "{tip}");
        }
    }
}

fn panel_title(p: &Panel) -> &str {
    match p {
        Panel::Lines(l) => &l.title,
        Panel::Stacked(s) => &s.title,
        Panel::Bands(b) => &b.title,
    }
}

#[test]
fn edge_panels_fit_the_panel_cap_and_say_what_they_leave_out() {
    for name in ["bulkhead", "cascade-protected", "breaker", "probes", "discovery"] {
        let (f, t) = run(name);
        assert!(t.panels.len() <= plots::MAX_PANELS, "{name}: {}", t.panels.len());
        let shown = t
            .panels
            .iter()
            .filter(|p| matches!(p, Panel::Stacked(s) if s.title.ends_with(": call outcomes")))
            .count();
        assert!(shown >= 1, "{name}: an edge's outcomes");
        let edges = f.loaded.scenario.edges.len();
        let noted = t.notes.iter().any(|n| n.starts_with("Edge panels:"));
        assert_eq!(
            shown < edges,
            noted,
            "{name}: {shown} of {edges} edges, notes {:?}",
            t.notes
        );
    }
}

#[test]
fn the_capacity_line_follows_the_capacity_cut_in_probes() {
    // One of orders' three pods (40 slots each) is cut to 2 slots from 160 s to 200 s.
    let (f, t) = run("probes");
    let bucket = f.output.report.series.bucket_s;
    let cap = series(
        lines(&t, "orders: in flight and queued (time-averaged per bucket)"),
        "slots of pods up",
    );
    let at = |s: f64| cap[(s / bucket) as usize];
    assert_eq!(at(150.0), 120.0);
    assert_eq!(at(170.0), 82.0, "the cut pod counts 2 slots");
    assert_eq!(at(195.0), 82.0);
    assert_eq!(at(220.0), 120.0);
}

#[test]
fn the_breakers_half_open_states_are_visible_and_no_legend_is_cut() {
    for name in ["breaker", "bulkhead", "cascade-protected", "probes", "discovery"] {
        let (_, t) = run(name);
        let svg = plots::timeline_svg(&t).unwrap();
        let cut: Vec<&str> = texts(&svg).into_iter().filter(|t| t.contains('…')).collect();
        assert!(cut.is_empty(), "{name}: texts cut short: {cut:?}");
    }
    // breaker: every half-open span, however short, is drawn at least MIN_SPAN_PX wide in the
    // half-open colour (yellow, #F0E442).
    let (_, t) = run("breaker");
    let svg = plots::timeline_svg(&t).unwrap();
    let widths: Vec<f64> = svg
        .split("<rect")
        .skip(1)
        .filter(|r| r.contains("fill=\"#F0E442\"") && !r.contains("fill-opacity=\"0\""))
        .filter_map(|r| {
            let w = r.split("width=\"").nth(1)?;
            w[..w.find('"')?].parse().ok()
        })
        .collect();
    let half_open = t
        .panels
        .iter()
        .find_map(|p| match p {
            Panel::Bands(b) if b.title == "Circuit breakers" => Some(b),
            _ => None,
        })
        .unwrap()
        .rows
        .iter()
        .flat_map(|r| &r.spans)
        .filter(|s| s.state == 1)
        .count();
    assert!(half_open > 0);
    assert!(
        widths.len() >= half_open,
        "{} rects for {half_open} spans",
        widths.len()
    );
    assert!(widths.iter().all(|&w| w >= 5.0), "{widths:?}");
}
