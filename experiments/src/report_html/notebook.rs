//! A run as an HTML fragment for a notebook cell (the Python module's `Result._repr_html_`):
//! the summary tables, the incident timeline and the brief anatomy of the report page, in one
//! `<div>` with no page-wide stylesheet, so it cannot restyle the notebook around it. The same
//! run gives the same bytes.

use std::fmt::Write as _;

use super::html::esc;
use super::{anatomy, summary, sweep};
use crate::run::Finished;

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
        "<div class=\"meshsim-run\">\n<h3>{} <small>seed {}, scenario {}</small></h3>",
        esc(&s.name),
        f.seed,
        esc(&f.loaded.hash)
    );
    summary::write(&mut out, &report.summary);
    out.push_str("<h4>Timeline</h4>\n<div style=\"max-width:100%;overflow-x:auto\">");
    out.push_str(&sweep::inline_svg(svg.trim(), &timeline.title));
    out.push_str("</div>\n<h4>Anatomy</h4>\n");
    let brief = crate::narrate::anatomy(s, report, crate::narrate::View::Brief, None);
    anatomy::write(&mut out, &brief.lines, &brief.notes);
    out.push_str("</div>\n");
    Ok(out)
}
