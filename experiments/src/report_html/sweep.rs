//! The sweep section: the charts a sweep wrote (`DIR/charts/*.svg`, in name order), its
//! `points.csv` as a table, and its sweep file(s) (`DIR/*.toml`) in a collapsed block.
//!
//! The directory is read once ([`read_dir`]) into a [`SweepInput`]; rendering is pure. Reading
//! is tolerant: whatever is missing or unreadable becomes a note on the page, never an error,
//! except a directory that does not exist.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::input::{InputError, MAX_INPUT_BYTES, MAX_SWEEP_FILE_BYTES, read_text};

use super::html::{Cell, base64, esc, num, table, text};
use crate::output::parse_csv;

/// The most rows of `points.csv` shown; the rest are counted.
pub const MAX_ROWS: usize = 1000;
/// Larger chart files are skipped (with a note).
const MAX_CHART_BYTES: u64 = 32 << 20;

/// What a sweep directory holds, read into memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SweepInput {
    /// The directory as the user named it.
    pub label: String,
    /// `(file name, SVG text)` from `charts/`, sorted by file name.
    pub charts: Vec<(String, String)>,
    /// `points.csv`, if present.
    pub points_csv: Option<String>,
    /// `(file name, text)` of `*.toml` files at the top of the directory, sorted by name.
    pub files: Vec<(String, String)>,
    /// Things that could not be read, in words.
    pub notes: Vec<String>,
}

/// The files (not directories) in `dir` as `(file name, path)`, sorted by name.
fn sorted_entries(dir: &Path) -> io::Result<Vec<(String, std::path::PathBuf)>> {
    let mut v = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if path.is_file() {
            v.push((entry.file_name().to_string_lossy().into_owned(), path));
        }
    }
    v.sort();
    Ok(v)
}

/// Reads a sweep's output directory. Fails only if `dir` is not a readable directory.
pub fn read_dir(dir: &Path, label: &str) -> io::Result<SweepInput> {
    if !dir.is_dir() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "not a directory"));
    }
    let mut input = SweepInput {
        label: label.to_string(),
        ..SweepInput::default()
    };
    for (name, path) in sorted_entries(dir)? {
        if name.ends_with(".toml") {
            match read_text(&path, MAX_INPUT_BYTES) {
                Ok(t) => input.files.push((name, t)),
                Err(e) => input.notes.push(format!("{name}: not read ({e})")),
            }
        }
    }
    let points = dir.join("points.csv");
    if points.is_file() {
        match read_text(&points, MAX_SWEEP_FILE_BYTES) {
            Ok(t) => input.points_csv = Some(t),
            Err(e) => input.notes.push(format!("points.csv: not read ({e})")),
        }
    } else {
        input.notes.push("no points.csv".into());
    }
    let charts = dir.join("charts");
    if charts.is_dir() {
        for (name, path) in sorted_entries(&charts)? {
            if !name.ends_with(".svg") {
                continue;
            }
            match read_text(&path, MAX_CHART_BYTES) {
                Ok(t) => input.charts.push((name, t)),
                Err(InputError::TooLarge { size, .. }) => {
                    input.notes.push(format!("charts/{name}: skipped ({size} bytes)"))
                }
                Err(e) => input.notes.push(format!("charts/{name}: not read ({e})")),
            }
        }
    } else {
        input.notes.push("no charts/ directory".into());
    }
    Ok(input)
}

/// Whether `s` parses as a number.
fn is_number(s: &str) -> bool {
    !s.is_empty() && s.parse::<f64>().is_ok()
}

/// A number from the CSV for reading: at most six significant digits (the exact value stays in
/// the cell's title and in points.csv).
pub fn short_number(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && s.len() > 8 => {
            let rounded: f64 = format!("{v:.5e}").parse().unwrap_or(v);
            format!("{rounded}")
        }
        _ => s.to_string(),
    }
}

/// An SVG that can be put into the page as is: the document element, without an XML prolog,
/// doctype or comments before it, and nothing active (scripts, event handlers, foreign HTML,
/// external references, entities) or with ids that could clash with other inlined charts.
/// `None` if it is not such a plain SVG.
pub fn plain_svg(svg: &str) -> Option<&str> {
    let mut s = svg.trim_start_matches('\u{feff}').trim_start();
    loop {
        if s.starts_with("<?") {
            s = s[s.find("?>")? + 2..].trim_start();
        } else if s.starts_with("<!--") {
            s = s[s.find("-->")? + 3..].trim_start();
        } else if s.starts_with("<!DOCTYPE") || s.starts_with("<!doctype") {
            let end = s.find('>')?;
            if s[..end].contains('[') {
                return None;
            }
            s = s[end + 1..].trim_start();
        } else {
            break;
        }
    }
    if !s.starts_with("<svg") || !s.trim_end().ends_with("</svg>") {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let banned = [
        "<script",
        "<foreignobject",
        "javascript:",
        "<!entity",
        "href=",
        "id=",
        "url(",
        "<iframe",
        "<image",
        "@import",
    ];
    if banned.iter().any(|b| lower.contains(b)) {
        return None;
    }
    // Event handler attributes: ` on…=`.
    let bytes = lower.as_bytes();
    for i in 0..bytes.len().saturating_sub(3) {
        if bytes[i].is_ascii_whitespace() && bytes[i + 1] == b'o' && bytes[i + 2] == b'n' {
            let rest = &lower[i + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
                return None;
            }
        }
    }
    Some(s.trim_end())
}

/// The value of attribute `name` of the first tag of `svg`, in pixels.
fn svg_attr(svg: &str, name: &str) -> Option<f64> {
    let open = &svg[svg.find("<svg")?..];
    let open = &open[..open.find('>')?];
    let key = format!(" {name}=\"");
    let i = open.find(&key)? + key.len();
    let j = open[i..].find('"')? + i;
    let v: f64 = open[i..j].trim_end_matches("px").parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

/// The width of `svg` in pixels, from its first tag.
fn svg_width(svg: &str) -> Option<f64> {
    svg_attr(svg, "width")
}

/// The opening tag of an inline SVG, with a viewBox (so CSS can scale it) and an accessible name.
pub fn inline_svg(svg: &str, label: &str) -> String {
    let end = svg.find('>').unwrap_or(svg.len());
    let (open, rest) = svg.split_at(end);
    let mut open = open.to_string();
    if !open.contains("viewBox")
        && let (Some(w), Some(h)) = (svg_attr(svg, "width"), svg_attr(svg, "height"))
    {
        let _ = write!(open, " viewBox=\"0 0 {w} {h}\"");
    }
    let open = open.replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{}\"", esc(label)),
        1,
    );
    format!("{open}{rest}")
}

/// A chart's title from its file name: the stem, with `.heatmap` said in words.
fn chart_title(name: &str) -> String {
    let stem = name.strip_suffix(".svg").unwrap_or(name);
    match stem.strip_suffix(".heatmap") {
        Some(metric) => format!("{metric} (heatmap)"),
        None => stem.to_string(),
    }
}

/// Writes the sweep section body: a facts line, each chart in a figure, the points table, the
/// sweep files in collapsed blocks, and a note on what could not be shown.
pub fn write(out: &mut String, s: &SweepInput) {
    let _ = writeln!(
        out,
        "<p class=\"facts\">From <code>{}</code>: {} chart(s){}.</p>",
        esc(&s.label),
        s.charts.len(),
        if s.points_csv.is_some() {
            " and the table of points"
        } else {
            ""
        }
    );
    for (name, svg) in &s.charts {
        chart(out, name, svg);
    }
    if let Some(csv) = &s.points_csv {
        points(out, csv);
    }
    for (name, t) in &s.files {
        file(out, name, t);
    }
    if !s.notes.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Not shown: {}.</p>",
            esc(&s.notes.join("; "))
        );
    }
}

/// One chart file `name` as a figure: inlined if it is a plain SVG, otherwise as an image.
fn chart(out: &mut String, name: &str, svg: &str) {
    let title = chart_title(name);
    // Charts are drawn for their size: scaled down to fit, up by a quarter at most.
    match svg_width(svg) {
        Some(w) => {
            let _ = writeln!(
                out,
                "<figure class=\"chart sweep-chart\" style=\"max-width:{}px\">",
                (w * 1.25).round()
            );
        }
        None => out.push_str("<figure class=\"chart sweep-chart\">\n"),
    }
    match plain_svg(svg) {
        Some(svg) => out.push_str(&inline_svg(svg, &title)),
        None => {
            // Not plain: shown as an image, where nothing in it can run or clash.
            let _ = write!(
                out,
                "<img alt=\"{}\" src=\"data:image/svg+xml;base64,{}\">",
                esc(&title),
                base64(svg.as_bytes())
            );
        }
    }
    let _ = writeln!(
        out,
        "\n<figcaption>{} <code>charts/{}</code></figcaption></figure>",
        esc(&title),
        esc(name)
    );
}

/// The points heading and table from the text of `points.csv` (at most [`MAX_ROWS`] rows, the
/// rest counted in a note), or a line saying it is empty.
fn points(out: &mut String, csv: &str) {
    let rows = parse_csv(csv);
    out.push_str("<h3>Points</h3>\n");
    let Some((head, body)) = rows.split_first() else {
        out.push_str("<p>points.csv is empty.</p>\n");
        return;
    };
    let numeric = numeric_columns(head.len(), body);
    let heads: Vec<(&str, bool)> = head
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), numeric[i]))
        .collect();
    let cells: Vec<Vec<Cell>> = body
        .iter()
        .take(MAX_ROWS)
        .map(|r| {
            (0..head.len().max(r.len()))
                .map(|i| {
                    let numeric = numeric.get(i).copied().unwrap_or(false);
                    point_cell(r.get(i).map_or("", String::as_str), numeric)
                })
                .collect()
        })
        .collect();
    table(out, "points", &heads, &cells);
    if body.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">… and {} more rows in points.csv.</p>",
            body.len() - MAX_ROWS
        );
    }
}

/// For each of the first `columns` columns, whether every non-empty cell of `body` in it is a number.
fn numeric_columns(columns: usize, body: &[Vec<String>]) -> Vec<bool> {
    (0..columns)
        .map(|i| {
            body.iter()
                .filter_map(|r| r.get(i))
                .filter(|c| !c.is_empty())
                .all(|c| is_number(c))
        })
        .collect()
}

/// A cell of the points table: text, or in a `numeric` column a right-aligned number,
/// shortened for reading with the exact value in its title.
fn point_cell(v: &str, numeric: bool) -> Cell {
    if !numeric {
        return text(v);
    }
    let short = short_number(v);
    if short == v {
        num(v)
    } else {
        Cell {
            html: format!("<span title=\"{}\">{}</span>", esc(v), esc(&short)),
            num: true,
        }
    }
}

/// One file of the sweep directory, `name` with text `t`, in a collapsed block.
fn file(out: &mut String, name: &str, t: &str) {
    let what = match name {
        "sweep.toml" => "Sweep file",
        "base.toml" => "Base scenario",
        _ => "File",
    };
    let _ = writeln!(
        out,
        "<details><summary>{what} <code>{}</code></summary><pre><code>{}</code></pre></details>",
        esc(name),
        esc(t)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_handles_quotes_and_line_ends() {
        assert_eq!(
            parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n1,\n"),
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["x, y".into(), "say \"hi\"".into()],
                vec!["1".into(), String::new()],
            ]
        );
        assert_eq!(parse_csv("a,b"), vec![vec!["a".to_string(), "b".into()]]);
        assert!(parse_csv("").is_empty());
    }

    #[test]
    fn only_plain_svgs_are_inlined() {
        let ok = "<?xml version=\"1.0\"?>\n<!-- x -->\n<svg width=\"10\" height=\"5\"><rect/></svg>\n";
        assert_eq!(
            plain_svg(ok),
            Some("<svg width=\"10\" height=\"5\"><rect/></svg>")
        );
        for bad in [
            "<svg><script>alert(1)</script></svg>",
            "<svg><rect onclick=\"x()\"/></svg>",
            "<svg><rect onload = \"x()\"/></svg>",
            "<svg><a href=\"http://x\"/></svg>",
            "<svg><g id=\"a\"/></svg>",
            "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg></svg>",
            "<html></html>",
        ] {
            assert_eq!(plain_svg(bad), None, "{bad}");
        }
        // Words starting with "on" are fine, unless they look like an attribute (conservative:
        // such a chart is shown as an image instead).
        assert!(plain_svg("<svg><text>online</text></svg>").is_some());
        assert!(plain_svg("<svg><text>only one = two</text></svg>").is_none());
    }

    #[test]
    fn long_numbers_are_shortened_for_reading() {
        assert_eq!(short_number("0.3333333333333333"), "0.333333");
        assert_eq!(short_number("1234567.891"), "1234570");
        assert_eq!(short_number("12.5"), "12.5");
        assert_eq!(short_number("3d854114c05f3136"), "3d854114c05f3136");
        assert_eq!(short_number("100000000"), "100000000");
    }

    #[test]
    fn inline_svgs_get_a_view_box() {
        assert_eq!(
            inline_svg("<svg width=\"10\" height=\"5\"><rect/></svg>", "a <b>"),
            "<svg role=\"img\" aria-label=\"a &lt;b&gt;\" width=\"10\" height=\"5\" viewBox=\"0 0 10 5\"><rect/></svg>"
        );
    }
}
