//! `meshsim report`: one self-contained HTML page about a run, for a design review or a
//! workshop's projector.
//!
//! The page has no external resources and needs no JavaScript: the CSS is inline, the charts
//! are inline SVG (the incident timeline from [`crate::charts::timeline`], and, given a sweep's
//! output directory, its charts). Sections, each a `<section id=…>` with an `<h2>`:
//!
//! | id | heading | content |
//! |---|---|---|
//! | `overview` | the scenario's name | description, headline numbers, the partial-results banner |
//! | `topology` | Topology | the call graph from [`crate::charts::topology`] (SVG, with hover tooltips) |
//! | `parameters` | Parameters that matter | clients, services, policies and faults as tables; the effective TOML in a collapsed block |
//! | `summary` | Summary | the clients / services / edges tables of [`crate::text::summary_table`] |
//! | `anatomy` | Anatomy | the narrated timeline of [`crate::narrate::narrate`] |
//! | `timeline` | Timeline | the incident timeline (SVG) |
//! | `sweep` | Sweep | only with a sweep: its charts, points table and sweep file |
//! | `reproduce` | Reproduce | (the footer) meshsim version, seed, scenario hash, the command line |
//!
//! A comparison's directory (`meshsim compare A B --out DIR`) gets its own page instead
//! ([`compare`]).
//!
//! Rendering is a pure function of the run, the command line and the sweep directory's
//! contents: the same scenario and seed give byte-identical HTML. Every string that comes from
//! a user (names, descriptions, file contents) is escaped.

pub(crate) mod anatomy;
pub mod compare;
mod html;
mod notebook;
pub(crate) mod params;
pub(crate) mod summary;
pub(crate) mod sweep;

use std::fmt::Write as _;

pub use html::{esc, shell_quote};
pub use notebook::fragment;
pub use sweep::{SweepInput, inline_svg, read_dir as read_sweep_dir};

use models::report::Summary;

use crate::output::VERSION;
use crate::run::Finished;

/// The stylesheet, inlined into every page.
const STYLE: &str = include_str!("style.css");

/// Opens a page: the doctype, the head (charset, viewport, generator, `title · kind`, the
/// stylesheet) and `<body>` — the same for a run's, a sweep's and a comparison's page.
fn page_head(out: &mut String, title: &str, kind: &str) {
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"meshsim {VERSION}\">\n\
         <title>{} · {kind}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>",
        esc(title)
    );
}

/// Section ids and headings, in page order (`sweep` only with a sweep).
pub const SECTIONS: &[(&str, &str)] = &[
    ("overview", "Overview"),
    ("topology", "Topology"),
    ("parameters", "Parameters that matter"),
    ("summary", "Summary"),
    ("anatomy", "Anatomy"),
    ("timeline", "Timeline"),
    ("sweep", "Sweep"),
    ("reproduce", "Reproduce"),
];

/// How the run was asked for, to print the command that reproduces it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The scenario argument as given (a file path or a builtin name).
    pub scenario: String,
    /// `--set` arguments as given, in order.
    pub set: Vec<String>,
    /// `--duration`, as given.
    pub duration: Option<String>,
    /// `--sweep`, as given.
    pub sweep: Option<String>,
}

impl Invocation {
    /// The arguments after the subcommand that reproduce the run with `seed`.
    fn args(&self, seed: u64) -> String {
        let mut parts = vec![shell_quote(&self.scenario), "--seed".into(), seed.to_string()];
        if let Some(d) = &self.duration {
            parts.push("--duration".into());
            parts.push(shell_quote(d));
        }
        for s in &self.set {
            parts.push("--set".into());
            parts.push(shell_quote(s));
        }
        parts.join(" ")
    }
}

/// The heading of section `id` (empty for an unknown id).
fn heading(id: &str) -> &'static str {
    SECTIONS.iter().find(|(i, _)| *i == id).map_or("", |(_, h)| h)
}

/// Opens section `id` and writes its `<h2>`.
fn open_section(out: &mut String, id: &str) {
    let _ = writeln!(
        out,
        "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>",
        esc(heading(id))
    );
}

/// Whole seconds as such, others to a tenth: `300 s`, `15.5 s`.
fn seconds(s: f64) -> String {
    format!("{} s", crate::text::secs(s))
}

/// `part` as a percentage of `whole`, to a tenth (`–` when `whole` is 0).
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The page's header: kicker, title, description, the partial-results banner, the headline
/// numbers and the table of contents (without `sweep` unless `has_sweep`).
fn overview(out: &mut String, f: &Finished, has_sweep: bool) {
    let s = &f.loaded.scenario;
    let sum = &f.output.report.summary;
    let _ = writeln!(
        out,
        "<header class=\"top\" id=\"overview\" aria-labelledby=\"overview-h\"><div class=\"wrap\">\n\
         <p class=\"kicker\">meshsim report · seed {} · scenario {}</p>\n<h1 id=\"overview-h\">{}</h1>",
        f.seed,
        esc(&f.loaded.hash),
        esc(&s.name)
    );
    if s.description.trim().is_empty() {
        out.push_str("<p class=\"description\"><i>The scenario has no description.</i></p>\n");
    } else {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(s.description.trim()));
    }
    if let Some(limit) = &f.output.limit {
        let _ = writeln!(
            out,
            "<div class=\"banner\" id=\"partial\" role=\"alert\"><strong>Partial results</strong>\
             The run stopped early: {}. Every number and chart below covers only the first {:.3} s \
             of the {} the scenario asks for.</div>",
            esc(&limit.to_string()),
            sum.stop.at_s,
            s.duration
        );
    }
    out.push_str("<div class=\"stats\">\n");
    for (class, v, k) in headline_stats(sum) {
        let _ = writeln!(
            out,
            "<div class=\"stat {class}\"><span class=\"v\">{}</span><span class=\"k\">{}</span></div>",
            esc(&v),
            esc(&k)
        );
    }
    out.push_str("</div>\n");
    toc(out, has_sweep);
    out.push_str("</div></header>\n");
}

/// The headline numbers as `(CSS class, value, label)`: simulated time, requests and their
/// outcomes, restarts and lost requests; bad numbers get the class `bad`.
fn headline_stats(sum: &Summary) -> Vec<(&'static str, String, String)> {
    let requests: u64 = sum.clients.iter().map(|c| c.requests).sum();
    let ok: u64 = sum.clients.iter().map(|c| c.ok).sum();
    let degraded: u64 = sum.clients.iter().map(|c| c.degraded).sum();
    let failed: u64 = sum.clients.iter().map(|c| c.failed).sum();
    let restarts: u32 = sum.services.iter().map(|v| v.restarts).sum();
    let lost: u64 = sum.services.iter().map(|v| v.counts.lost).sum();
    let mut stats = vec![
        ("", seconds(sum.duration_s), "simulated".to_string()),
        ("", requests.to_string(), "client requests".to_string()),
        ("good", pct(ok, requests), "answered ok".to_string()),
    ];
    if degraded > 0 {
        stats.push(("", pct(degraded, requests), "degraded (fallback)".to_string()));
    }
    stats.push((
        if failed > 0 { "bad" } else { "" },
        pct(failed, requests),
        "failed".to_string(),
    ));
    stats.push((
        if restarts > 0 { "bad" } else { "" },
        restarts.to_string(),
        "container restarts".to_string(),
    ));
    stats.push((
        if lost > 0 { "bad" } else { "" },
        lost.to_string(),
        "requests lost when containers died".to_string(),
    ));
    stats
}

/// The table of contents: a link to every section after the overview (`sweep` only if `has_sweep`).
fn toc(out: &mut String, has_sweep: bool) {
    out.push_str("<nav class=\"toc\" aria-label=\"Sections\">");
    for (id, h) in SECTIONS.iter().skip(1) {
        if *id == "sweep" && !has_sweep {
            continue;
        }
        let _ = write!(out, "<a href=\"#{id}\">{}</a>", esc(h));
    }
    out.push_str("</nav>\n");
}

/// Renders the page.
pub fn render(
    f: &Finished,
    how: &Invocation,
    sweep: Option<&SweepInput>,
) -> Result<String, plots::PlotError> {
    let s = &f.loaded.scenario;
    let report = &f.output.report;
    let timeline = crate::charts::timeline(s, report, &f.loaded.hash);
    let svg = plots::timeline_svg(&timeline)?;
    let topology = crate::charts::topology(s, report, &f.loaded.hash);
    let topology_svg = plots::topology_svg(&topology)?;

    let mut out = String::with_capacity(svg.len() + topology_svg.len() + 64 * 1024);
    page_head(&mut out, &s.name, "meshsim report");
    overview(&mut out, f, sweep.is_some());
    out.push_str("<main class=\"wrap\">\n");
    topology_section(&mut out, &topology_svg, &topology);

    open_section(&mut out, "parameters");
    params::write(&mut out, s);
    let _ = writeln!(
        out,
        "<details id=\"effective-toml\"><summary>Effective scenario (TOML, after overrides)</summary>\
         <pre><code>{}</code></pre></details>\n</section>",
        esc(&f.loaded.canonical)
    );

    open_section(&mut out, "summary");
    summary::write(&mut out, &report.summary);
    out.push_str("</section>\n");

    open_section(&mut out, "anatomy");
    let whole = crate::narrate::anatomy(s, report, crate::narrate::View::Full, None);
    anatomy::write(&mut out, &whole.lines, &whole.notes);
    out.push_str("</section>\n");

    timeline_section(&mut out, &svg, &timeline);

    if let Some(sw) = sweep {
        open_section(&mut out, "sweep");
        sweep::write(&mut out, sw);
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    footer(&mut out, f, how);
    Ok(out)
}

/// The topology section: a note, the call graph's `svg` inlined (its tooltips work in the
/// page), and its caption.
fn topology_section(out: &mut String, svg: &str, topology: &plots::Topology) {
    open_section(out, "topology");
    out.push_str(
        "<p class=\"note\">Clients on the left, then services by depth of the call graph; arrows \
         are calls, labelled with their policy; faults are marked on the service they strike. \
         Hover over a box or an arrow for the details.</p>\n<figure class=\"chart topology\">\n",
    );
    out.push_str(&sweep::inline_svg(svg.trim(), &topology.title));
    let _ = writeln!(
        out,
        "\n<figcaption>{}: {}</figcaption>\n</figure>\n</section>",
        esc(&topology.title),
        esc(&topology.subtitle)
    );
}

/// The timeline section: a note, the incident timeline's `svg` inlined, and its caption.
fn timeline_section(out: &mut String, svg: &str, timeline: &plots::Timeline) {
    open_section(out, "timeline");
    out.push_str(
        "<p class=\"note\">Panels share one time axis; fault windows are shaded. Values are per \
         bucket of the time series.</p>\n<figure class=\"chart timeline\">\n",
    );
    out.push_str(&sweep::inline_svg(svg.trim(), &timeline.title));
    let _ = writeln!(
        out,
        "\n<figcaption>{}: {}</figcaption>\n</figure>\n</section>",
        esc(&timeline.title),
        esc(&timeline.subtitle)
    );
}

/// The footer (the `reproduce` section) and the end of the page: version, seed, scenario hash,
/// and the command lines that run the scenario again and rebuild the page.
fn footer(out: &mut String, f: &Finished, how: &Invocation) {
    let args = how.args(f.seed);
    let _ = writeln!(
        out,
        "<footer class=\"bottom\" id=\"reproduce\" aria-labelledby=\"reproduce-h\"><div class=\"wrap\">\n\
         <h2 id=\"reproduce-h\">{}</h2>\n<dl>\n<dt>meshsim</dt><dd>{VERSION}</dd>\n\
         <dt>seed</dt><dd>{}</dd>\n<dt>scenario hash</dt><dd><code>{}</code> (FNV-1a of the effective \
         scenario)</dd>\n</dl>\n<p>The same scenario, seed and meshsim version give the same results, \
         bit for bit. To run it again:</p>\n<pre><code>meshsim run {}\n</code></pre>\n\
         <p>and to rebuild this page:</p>\n<pre><code>meshsim report {} -o report.html{}\n</code></pre>\n\
         </div></footer>\n</body>\n</html>",
        esc(heading("reproduce")),
        f.seed,
        esc(&f.loaded.hash),
        esc(&args),
        esc(&args),
        how.sweep
            .as_ref()
            .map_or(String::new(), |d| esc(&format!(" --sweep {}", shell_quote(d))))
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{RunOptions, execute};
    use crate::scenario::Source;

    fn cascade(duration: &str) -> Finished {
        let b = crate::catalog::find("cascade").unwrap();
        let text = b
            .text
            .replace("duration = \"300s\"", &format!("duration = \"{duration}\""));
        execute(&RunOptions {
            source: Source::new("builtin:cascade", text),
            overrides: vec![],
            seed: None,
            trace: None,
            check_invariants: false,
        })
        .unwrap()
    }

    #[test]
    fn the_page_colours_are_the_plots_colours() {
        use plots::Tone;
        let expected = [
            ("--accent", plots::series_colour(0)),
            ("--good", plots::tone_colour(Tone::Good)),
            ("--warn", plots::tone_colour(Tone::Warn)),
            ("--bad", plots::tone_colour(Tone::Bad)),
            ("--info", plots::tone_colour(Tone::Info)),
        ];
        for (var, colour) in expected {
            let line = format!("{var}: {colour};");
            assert!(STYLE.contains(&line), "style.css should say `{line}`");
        }
    }

    #[test]
    fn summary_tables_show_the_text_tables_numbers() {
        let f = cascade("120s");
        let page = render(&f, &Invocation::default(), None).unwrap();
        let text = crate::text::summary_table(&f.output.report.summary, &f.loaded.hash);
        // The summary section only (the stylesheet alone holds " 0", " 1", " 10", ...).
        let start = page.find("<section id=\"summary\"").expect("summary section");
        let section = &page[start..start + page[start..].find("</section>").expect("its end")];
        // Every numeric token of every row of the text tables is in a cell of that section: a
        // whole cell, or a count inside a cell's text ("reset 12, read_timeout 3").
        let mut checked = 0;
        for line in text.lines().skip(2) {
            // A fault line: its goodput, p99 and failures are the faults table's cells.
            if let Some(rest) = line.strip_prefix("fault ") {
                let between = |a: &str, b: &str| {
                    let from = rest.find(a).expect(a) + a.len();
                    rest[from..from + rest[from..].find(b).expect(b)].to_string()
                };
                for cell in [
                    between(" goodput ", ", p99 "),
                    between(", p99 ", " ms, failures "),
                ] {
                    assert!(
                        section.contains(&format!("<td>{cell}</td>")),
                        "{cell} of `{line}`"
                    );
                    checked += 1;
                }
                continue;
            }
            for token in line.split_whitespace() {
                let token = token.trim_end_matches(',');
                if token.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    let in_cell = [format!(">{token}<"), format!(" {token}<"), format!(" {token},")];
                    assert!(
                        in_cell.iter().any(|t| section.contains(t.as_str())),
                        "{token} of `{line}` is not in the summary section"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 40, "only {checked} numbers checked");
    }

    #[test]
    fn the_topology_is_inlined_with_its_tooltips() {
        let f = cascade("60s");
        let page = render(&f, &Invocation::default(), None).unwrap();
        let at = page.find("<section id=\"topology\"").expect("a topology section");
        let section = &page[at..at + page[at..].find("</section>").unwrap()];
        assert!(section.contains("<svg role=\"img\" aria-label=\"cascade: topology\""));
        assert!(section.contains("<title>service classification\n"));
        assert!(section.contains("<title>upload→classification\npolicy naive\n"));
        assert!(section.contains("⚠ slow (15s), from 30s"));
    }

    #[test]
    fn sections_come_in_order_and_the_page_is_self_contained() {
        let f = cascade("60s");
        let page = render(&f, &Invocation::default(), None).unwrap();
        let mut last = 0;
        for (id, _) in SECTIONS.iter().filter(|(id, _)| *id != "sweep") {
            let at = page
                .find(&format!("id=\"{id}\""))
                .unwrap_or_else(|| panic!("no {id}"));
            assert!(at > last, "{id} out of order");
            last = at;
        }
        assert!(!page.contains("<script"));
        for external in ["<link", "src=\"", "href=\"http", "url(", "@import"] {
            assert!(!page.contains(external), "{external}");
        }
    }
}
