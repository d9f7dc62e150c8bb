//! A run as an HTML fragment for a notebook cell (the Python module's `Result._repr_html_`):
//! the summary tables, the incident timeline and the brief anatomy of the report page, in one
//! `<div>` with a few style rules scoped to it (no page-wide stylesheet), so it cannot restyle
//! the notebook around it. The same run gives the same bytes.

use std::fmt::Write as _;

use super::html::esc;
use super::{anatomy, summary, sweep};
use crate::run::Finished;

/// The few rules of the page's stylesheet the fragment needs (the anatomy's tone dots, hidden
/// screen-reader labels, numbers aligned right), each scoped to the fragment's `div`.
const SCOPED_STYLE: &str = ".meshsim-run .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
.meshsim-run .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;border:2px solid transparent}\
.meshsim-run .dot.bad{background:#d55e00}.meshsim-run .dot.warn{background:#f0e442;border-color:#8a7f00}\
.meshsim-run .dot.good{background:#009e73}.meshsim-run .dot.info{background:#56b4e9}\
.meshsim-run td.num{text-align:right;white-space:nowrap}";

/// Renders the fragment: a heading with the scenario's name, seed and hash, the summary, the
/// timeline (inline SVG) and the anatomy in its brief view (as `meshsim run` prints it).
pub fn fragment(f: &Finished) -> Result<String, plots::PlotError> {
    let s = &f.loaded.scenario;
    let report = &f.output.report;
    let timeline = crate::charts::timeline(s, report, &f.loaded.hash);
    let svg = plots::timeline_svg(&timeline)?;
    let mut out = String::with_capacity(svg.len() + 32 * 1024);
    let _ = writeln!(
        out,
        "<div class=\"meshsim-run\">\n<style>{SCOPED_STYLE}</style>\n<h3>{} <small>seed {}, scenario {}</small></h3>",
        esc(&s.name),
        f.seed,
        esc(&f.loaded.hash)
    );
    summary::write(&mut out, &report.summary);
    // Scaled to the cell's width (inline_svg gives it a viewBox).
    let inline = sweep::inline_svg(svg.trim(), &timeline.title).replacen(
        "<svg",
        "<svg style=\"width:100%;max-width:100%;height:auto\"",
        1,
    );
    out.push_str("<h4>Timeline</h4>\n");
    out.push_str(&inline);
    out.push_str("\n<h4>Anatomy</h4>\n");
    let brief = crate::narrate::anatomy(s, report, crate::narrate::View::Brief, None);
    anatomy::write(&mut out, &brief.lines, &brief.notes);
    out.push_str("</div>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::run::{RunOptions, execute};
    use crate::scenario::{Override, Source};

    #[test]
    fn the_fragment_shows_the_run_and_styles_nothing_outside_itself() {
        let text = crate::catalog::find("mmc").expect("a builtin").text;
        let opts = RunOptions {
            source: Source::new("builtin:mmc", text),
            overrides: vec![Override::parse("duration=30s").unwrap()],
            seed: None,
            trace: None,
            check_invariants: false,
        };
        let html = super::fragment(&execute(&opts).unwrap()).unwrap();
        assert!(html.starts_with("<div class=\"meshsim-run\">"), "{html:.80}");
        assert!(html.trim_end().ends_with("</div>"));
        for part in ["<table", "<svg style=\"width:100%", "viewBox", "what happened"] {
            assert!(html.contains(part), "no {part}");
        }
        let style = &html[html.find("<style>").unwrap() + 7..html.find("</style>").unwrap()];
        for rule in style.split('}').filter(|r| !r.trim().is_empty()) {
            assert!(
                rule.trim_start().starts_with(".meshsim-run "),
                "unscoped rule: {rule}"
            );
        }
    }
}
