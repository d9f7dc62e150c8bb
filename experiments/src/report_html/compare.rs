//! `meshsim report DIR` for a comparison's directory (`meshsim compare A B --out DIR`): one
//! self-contained page with the two timelines side by side on shared axes, the diff table and
//! both anatomies. Sections, each a `<section id=…>` with an `<h2>`:
//!
//! | id | heading | content |
//! |---|---|---|
//! | `overview` | A vs B | which run is which, their seeds |
//! | `timeline` | Timelines side by side | the directory's `timeline.svg` inlined |
//! | `diff` | Key figures | the diff table: A, B, B−A, B/A |
//! | `anatomy-a` | Anatomy of A | A's `anatomy.txt` |
//! | `anatomy-b` | Anatomy of B | B's `anatomy.txt` |
//! | `reproduce` | Reproduce | (the footer) meshsim version and where the runs' directories are |
//!
//! Like the run's page, it has no external resources and no JavaScript, and every string read
//! from the directory is escaped (the SVG is inlined only if it is plain, [`super::sweep::plain_svg`]).

use std::fmt::Write as _;

use super::html::{self, Cell, esc};
use super::{anatomy, sweep};
use crate::compare::dir::Read;
use crate::compare::{Change, Comparison, table};
use crate::narrate::{Line, Tone};
use crate::output::VERSION;

/// Section ids and headings of the comparison page, in page order.
pub const SECTIONS: &[(&str, &str)] = &[
    ("overview", "A vs B"),
    ("timeline", "Timelines side by side"),
    ("diff", "Key figures"),
    ("anatomy-a", "Anatomy of A"),
    ("anatomy-b", "Anatomy of B"),
    ("reproduce", "Reproduce"),
];

fn open(out: &mut String, id: &str) {
    let heading = SECTIONS.iter().find(|(i, _)| *i == id).map_or("", |(_, h)| h);
    let _ = writeln!(
        out,
        "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>",
        esc(heading)
    );
}

/// An anatomy.txt line (`t=  30.000s  words`) as a narrated line (its tone is not kept in the
/// file: information).
fn line(text: &str) -> Option<Line> {
    let rest = text.trim_start().strip_prefix("t=")?;
    let (t, words) = rest.trim_start().split_once("s ")?;
    Some(Line {
        t: t.parse().ok()?,
        text: words.trim().to_string(),
        tone: Tone::Info,
        subjects: Vec::new(),
    })
}

/// An anatomy's section: its timed lines as the run's page shows them, others as notes.
fn anatomy_section(out: &mut String, id: &str, label: &str, text: &[String]) {
    open(out, id);
    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(label));
    let lines: Vec<Line> = text.iter().filter_map(|t| line(t)).collect();
    let notes: Vec<String> = text
        .iter()
        .filter(|t| line(t).is_none() && !t.trim().is_empty())
        .cloned()
        .collect();
    anatomy::write(out, &lines, &notes);
    out.push_str("</section>\n");
}

/// The diff table of `c` as HTML (`table.diff`): the columns of [`table::HEADS`], each row
/// classed `better` or `worse` when B differs from A on a figure with a better way
/// ([`crate::compare::Row::change`]), which the style colours in B−A and B/A. The comparison
/// page and `meshsim serve`'s A/B both show it.
pub fn diff_table(out: &mut String, c: &Comparison) {
    let heads: Vec<html::Head<'_>> = table::HEADS
        .iter()
        .enumerate()
        .map(|(i, h)| (*h, i >= 2))
        .collect();
    let cells: Vec<Vec<Cell>> = table::display_rows(c)
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, v)| if i >= 2 { html::num(v) } else { html::text(&v) })
                .collect()
        })
        .collect();
    let rows: Vec<(&str, &[Cell])> = c
        .rows
        .iter()
        .zip(&cells)
        .map(|(r, cells)| {
            let class = match r.change() {
                Change::Better => "better",
                Change::Worse => "worse",
                Change::Same => "",
            };
            (class, cells.as_slice())
        })
        .collect();
    html::classed_table(out, "diff", &heads, &rows);
}

/// The page of the comparison read from `dir_label`.
pub fn render(r: &Read, dir_label: &str) -> String {
    let c = &r.comparison;
    let title = format!("{} vs {}", c.a.label, c.b.label);
    let mut out = String::with_capacity(r.timeline_svg.len() + 64 * 1024);
    super::page_head(&mut out, &title, "meshsim comparison");
    let _ = writeln!(
        out,
        "<header class=\"top\" id=\"overview\" aria-labelledby=\"overview-h\"><div class=\"wrap\">\n\
         <p class=\"kicker\">meshsim comparison</p>\n<h1 id=\"overview-h\">{}</h1>",
        esc(&title)
    );
    for l in table::head_lines(c) {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&l));
    }
    out.push_str("</div></header>\n<main class=\"wrap\">\n");

    open(&mut out, "timeline");
    out.push_str(
        "<p class=\"note\">A left, B right. Both columns share the time axis, and each row of \
         panels one y axis, so equal heights are equal values. Hover over a line for its name.</p>\n\
         <figure class=\"chart timeline\">\n",
    );
    match sweep::plain_svg(&r.timeline_svg) {
        Some(svg) => out.push_str(&sweep::inline_svg(svg, &title)),
        None => out.push_str("<p>timeline.svg is not a plain SVG written by meshsim; not shown.</p>"),
    }
    out.push_str("\n</figure>\n</section>\n");

    open(&mut out, "diff");
    diff_table(&mut out, c);
    out.push_str("</section>\n");

    anatomy_section(&mut out, "anatomy-a", &format!("A: {}", c.a.label), &r.anatomy_a);
    anatomy_section(&mut out, "anatomy-b", &format!("B: {}", c.b.label), &r.anatomy_b);
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer class=\"bottom\" id=\"reproduce\" aria-labelledby=\"reproduce-h\"><div class=\"wrap\">\n\
         <h2 id=\"reproduce-h\">Reproduce</h2>\n<dl>\n<dt>meshsim</dt><dd>{VERSION}</dd>\n\
         <dt>comparison</dt><dd><code>{}</code></dd>\n</dl>\n<p>Each run's whole output, with its \
         scenario.toml, is in <code>a/</code> and <code>b/</code> of that directory.</p>\n</div></footer>\n</body>\n</html>",
        esc(dir_label)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Figure, Row, Side};

    fn row(figure: &str, a: f64, b: f64) -> Row {
        Row {
            group: "client u".into(),
            figure: figure.into(),
            a: Figure::Num(a),
            b: Figure::Num(b),
        }
    }

    #[test]
    fn the_diff_table_marks_rows_where_b_is_better_or_worse() {
        let side = Side {
            label: "x".into(),
            scenario: "x".into(),
            seed: 1,
            scenario_hash: String::new(),
        };
        let c = Comparison {
            a: side.clone(),
            b: side,
            rows: vec![
                row("goodput/s", 1.0, 2.0),
                row("failed", 1.0, 2.0),
                row("degraded", 1.0, 2.0),
                row("ok", 3.0, 3.0),
            ],
        };
        let mut out = String::new();
        diff_table(&mut out, &c);
        let classes: Vec<&str> = out
            .split("<tr")
            .skip(2)
            .map(|r| {
                r.strip_prefix(" class=\"")
                    .map_or("", |r| &r[..r.find('"').unwrap()])
            })
            .collect();
        assert_eq!(classes, ["better", "worse", "", ""]);
        assert!(out.starts_with("<div class=\"table-wrap\"><table class=\"diff\">"));
    }
}
