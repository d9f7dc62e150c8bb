//! `meshsim report` through the binary: sections, escaping, determinism, bad input, partial
//! runs and sweeps. The page in a real browser is tested in `report_browser.rs`.

use std::path::Path;
use std::process::Output;

mod common;
use common::{HEADINGS, meshsim, scratch, stderr};

const CASCADE: &str = include_str!("../catalog/cascade.toml");

fn report(args: &[&str], out: &Path) -> (Output, String) {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let out_s = out.to_str().unwrap();
    all.extend_from_slice(&["-o", out_s]);
    let o = meshsim(&all);
    let page = std::fs::read_to_string(out).unwrap_or_default();
    (o, page)
}

/// The text of the element with `id`'s heading (`<h1>` or `<h2>` with id `{id}-h`).
fn heading<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let marker = format!("id=\"{id}-h\">");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find("</h")? + start;
    Some(&page[start..end])
}

#[test]
fn the_page_has_every_section_with_its_heading() {
    let dir = scratch("sections");
    let out = dir.join("report.html");
    let (o, page) = report(&["cascade"], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(page.starts_with("<!DOCTYPE html>"));
    for (id, h) in HEADINGS {
        assert!(page.contains(&format!("id=\"{id}\"")), "section {id} missing");
        assert_eq!(heading(&page, id), Some(*h), "heading of {id}");
    }
    assert!(!page.contains("id=\"sweep\""), "no sweep section without --sweep");
    assert!(
        !page.contains("id=\"partial\""),
        "a complete run has no partial banner"
    );
    // The description, the parameters, the summary numbers, the anatomy, the timeline.
    assert!(page.contains("Upload calls a classification service that turned slow"));
    for p in [
        "<h3>Clients</h3>",
        "<h3>Services</h3>",
        "<h3>Call policies</h3>",
        "<h3>Faults</h3>",
    ] {
        assert!(page.contains(p), "{p}");
    }
    assert!(page.contains("slow: every request takes 15s"));
    assert!(page.contains("<details id=\"effective-toml\">"));
    assert!(
        page.contains("name = &quot;cascade&quot;"),
        "the canonical TOML, escaped"
    );
    assert!(page.contains("<table class=\"summary clients\">"));
    // The fault's phases and verdict, as the terminal's fault lines say them.
    let phases = &page[page
        .find("<h3>Fault phases</h3>")
        .expect("the fault phases table")..];
    assert!(phases.contains("<table class=\"summary faults\">"));
    assert!(
        phases.contains(
            "<th scope=\"row\">faults[0]: slow on classification (30–300 s)</th><td>uploaders</td>"
        )
    );
    assert!(phases.contains("no verdict: the fault lasts to the end of the run"));
    assert!(page.contains("container killed"), "the narrated anatomy");
    let timeline = &page[page.find("<section id=\"timeline\"").unwrap()..];
    assert!(timeline.contains("<svg role=\"img\""), "inline SVG timeline");
    assert!(timeline.contains("viewBox="));
    assert!(page.contains("meshsim run cascade --seed 1"));
    // Self-contained, no JavaScript.
    for external in ["<script", "<link", "src=\"", "href=\"http", "url(", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    // Nothing else was written next to it.
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, vec!["report.html"]);
}

#[test]
fn user_strings_are_escaped() {
    let dir = scratch("escaping");
    let file = dir.join("hostile.toml");
    let text = CASCADE
        .replacen(
            "description = \"",
            "description = \"<script>alert('x')</script> & <b>bold</b> ",
            1,
        )
        .replace("name = \"uploaders\"", "name = \"<i>uploaders</i>\"")
        .replace("duration = \"300s\"", "duration = \"60s\"");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("report.html");
    let (o, page) = report(&[file.to_str().unwrap()], &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!page.contains("<script"), "a description cannot inject markup");
    assert!(!page.contains("<b>bold"));
    assert!(!page.contains("<i>uploaders"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"));
    assert!(page.contains("&lt;i&gt;uploaders&lt;/i&gt;"));
}

#[test]
fn the_same_scenario_and_seed_give_the_same_bytes() {
    let dir = scratch("determinism");
    let args = [
        "cascade",
        "--seed",
        "7",
        "--duration",
        "90s",
        "--set",
        "services.upload.replicas=3",
    ];
    let (o1, a) = report(&args, &dir.join("a.html"));
    let (o2, b) = report(&args, &dir.join("b.html"));
    assert!(o1.status.success() && o2.status.success(), "{}", stderr(&o1));
    assert!(a == b, "two reports of the same run differ");
    assert!(a.contains("meshsim run cascade --seed 7 --duration 90s --set services.upload.replicas=3"));
    // Another seed, all else equal: other numbers in the summary (each page also quotes its
    // own command, so only that section is compared).
    let mut other = args;
    other[2] = "8";
    let (o3, c) = report(&other, &dir.join("c.html"));
    assert!(o3.status.success(), "{}", stderr(&o3));
    assert_ne!(
        section(&a, "summary"),
        section(&c, "summary"),
        "another seed, another summary"
    );
}

/// The `<section>` with `id`, whole.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = page[start..].find("</section>").expect("the section ends") + start;
    &page[start..end]
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = scratch("bad-input");
    let out = dir.join("report.html");
    let missing = dir.join("no-such-dir");
    let cases: Vec<Vec<&str>> = vec![
        vec!["no-such-scenario"],
        vec!["cascade", "--set", "services.upload.replicaz=3"],
        vec!["cascade", "--set", "services.upload.replicas=-2"],
        vec!["cascade", "--duration", "5 parsecs"],
        vec!["cascade", "--sweep", missing.to_str().unwrap()],
    ];
    for args in cases {
        let (o, _) = report(&args, &out);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?} says why");
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(files.is_empty(), "{args:?} wrote {files:?}");
    }
}

#[test]
fn a_run_that_hits_a_limit_is_reported_as_partial_with_exit_3() {
    let dir = scratch("partial");
    let out = dir.join("report.html");
    let (o, page) = report(&["cascade", "--set", "limits.max_events=5000"], &out);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(page.contains("id=\"partial\""), "banner");
    assert!(page.contains("Partial results"));
    assert!(page.contains("max events limit (5000) reached"));
    assert!(
        page.contains("id=\"timeline\""),
        "the rest of the page is still there"
    );
}

/// A sweep output directory like `meshsim sweep --out` writes.
fn sweep_fixture(dir: &Path) {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).unwrap();
    let line = |label: &str, k: f64| plots::SweepLine {
        label: label.into(),
        points: (1..=4)
            .map(|i| {
                let x = f64::from(i);
                plots::SweepPoint {
                    x,
                    mean: k * x,
                    low: k * x - 0.5,
                    high: k * x + 0.5,
                }
            })
            .collect(),
    };
    let chart = plots::SweepChart {
        title: "goodput vs replicas".into(),
        x_label: "replicas".into(),
        y_label: "goodput (requests/s)".into(),
        log_x: false,
        lines: vec![line("retries = 1", 10.0), line("retries = 3", 7.0)],
    };
    std::fs::write(charts.join("goodput.svg"), plots::sweep_svg(&chart).unwrap()).unwrap();
    let heat = plots::Heatmap {
        title: "success rate".into(),
        x_label: "replicas".into(),
        y_label: "retries".into(),
        x_ticks: vec!["1".into(), "2".into()],
        y_ticks: vec!["1".into(), "3".into()],
        values: vec![vec![90.0, 99.0], vec![70.0, 95.0]],
        value_label: "success rate (%)".into(),
    };
    std::fs::write(
        charts.join("goodput.heatmap.svg"),
        plots::heatmap_svg(&heat).unwrap(),
    )
    .unwrap();
    // Something that is not a plain chart: shown as an image, never inlined.
    std::fs::write(
        charts.join("zz-hostile.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
    )
    .unwrap();
    std::fs::write(charts.join("notes.txt"), "not a chart").unwrap();
    std::fs::write(
        dir.join("points.csv"),
        "replicas,retries,goodput_mean,goodput_ci95\n1,1,10,0.5\n2,1,20,0.5\n1,3,\"7\",0.25\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sweep.toml"),
        "scenario = \"cascade\"\n# <b>not markup</b>\n",
    )
    .unwrap();
}

#[test]
fn a_sweep_directory_adds_its_charts_and_points() {
    let dir = scratch("sweep");
    let sweep = dir.join("sweep-out");
    sweep_fixture(&sweep);
    let out = dir.join("report.html");
    let (o, page) = report(
        &["cascade", "--duration", "60s", "--sweep", sweep.to_str().unwrap()],
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let at = page.find("<section id=\"sweep\"").expect("sweep section");
    assert_eq!(heading(&page, "sweep"), Some("Sweep"));
    assert!(at > page.find("<section id=\"timeline\"").unwrap());
    let sweep_html = &page[at..page.find("id=\"reproduce\"").unwrap()];
    // Charts in name order, the plain ones inline.
    let heat = sweep_html.find("charts/goodput.heatmap.svg").expect("heatmap");
    let line = sweep_html.find("charts/goodput.svg").expect("sweep chart");
    let hostile = sweep_html
        .find("charts/zz-hostile.svg")
        .expect("hostile chart listed");
    assert!(heat < line && line < hostile, "name order");
    assert_eq!(
        sweep_html.matches("<svg role=\"img\"").count(),
        2,
        "two inline charts"
    );
    assert!(sweep_html.contains("goodput vs replicas"));
    assert!(sweep_html.contains("<img alt=\"zz-hostile\" src=\"data:image/svg+xml;base64,"));
    assert!(!page.contains("<script"), "the hostile chart is not inlined");
    assert!(!sweep_html.contains("notes.txt"), "only SVGs are charts");
    // points.csv as a table.
    assert!(sweep_html.contains("<th scope=\"col\" class=\"num\">goodput_<wbr>mean</th>"));
    assert!(sweep_html.contains("<td class=\"num\">20</td>"));
    assert_eq!(sweep_html.matches("<tr>").count(), 4, "header and three points");
    // The sweep file, escaped, collapsed.
    assert!(sweep_html.contains("<summary>Sweep file <code>sweep.toml</code></summary>"));
    assert!(sweep_html.contains("&lt;b&gt;not markup&lt;/b&gt;"));
    assert!(page.contains("<a href=\"#sweep\">Sweep</a>"));
    assert!(page.contains(&format!("--sweep {}", sweep.display())));
}

#[test]
fn an_empty_sweep_directory_is_noted_not_an_error() {
    let dir = scratch("sweep-empty");
    let sweep = dir.join("empty");
    std::fs::create_dir_all(&sweep).unwrap();
    let out = dir.join("report.html");
    let (o, page) = report(
        &["cascade", "--duration", "40s", "--sweep", sweep.to_str().unwrap()],
        &out,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(page.contains("id=\"sweep\""));
    assert!(page.contains("no points.csv; no charts/ directory"));
    assert!(stderr(&o).contains("no charts/ directory"));
}
