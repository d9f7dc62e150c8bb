//! A comparison's diff rows for people and programs: a text table for the terminal (columns as
//! wide as their longest cell, as the summary tables), `compare.csv` and `compare.json`.
//!
//! CSV and JSON carry the numbers exactly as the two summary.json files do (shortest
//! round-trip form); the terminal table rounds them for reading.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Comparison, Figure, Row, Side};
use crate::output::{Csv, cell};

/// The column heads of every form of the table.
pub const HEADS: [&str; 6] = ["what", "figure", "A", "B", "B−A", "B/A"];

/// A number for reading: whole numbers as such, others to two decimals.
fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn figure_text(f: &Figure) -> String {
    match f {
        Figure::Num(v) => short(*v),
        Figure::Text(t) => t.clone(),
        Figure::Missing => "-".into(),
    }
}

/// A row's cells as the terminal shows them.
fn cells(r: &Row) -> [String; 6] {
    let diff = r.diff().map_or("-".into(), |d| {
        if d > 0.0 {
            format!("+{}", short(d))
        } else {
            short(d)
        }
    });
    let ratio = r.ratio().map_or("-".into(), |x| format!("{x:.2}×"));
    [
        r.group.clone(),
        r.figure.clone(),
        figure_text(&r.a),
        figure_text(&r.b),
        diff,
        ratio,
    ]
}

/// The lines that say which run is which, and whether they share a seed.
pub fn head_lines(c: &Comparison) -> Vec<String> {
    let who = |name: &str, s: &Side| {
        format!(
            "{name}: {} (scenario {} {}, seed {})",
            s.label, s.scenario, s.scenario_hash, s.seed
        )
    };
    let seed = if c.same_seed() {
        format!("both runs use seed {}", c.a.seed)
    } else {
        format!("the runs use different seeds ({} and {})", c.a.seed, c.b.seed)
    };
    vec![who("A", &c.a), who("B", &c.b), seed]
}

/// The comparison as text: the head lines, then the table, each column as wide as its longest
/// cell (text left-aligned, numbers right-aligned), the group named once per run of rows.
pub fn text(c: &Comparison) -> String {
    let mut out = head_lines(c).join("\n");
    out.push_str("\n\n");
    let rows: Vec<[String; 6]> = c.rows.iter().map(cells).collect();
    let mut widths = HEADS.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            if i < 2 {
                let _ = write!(s, "{cell}{pad}  ");
            } else {
                let _ = write!(s, "{pad}{cell}  ");
            }
        }
        s.trim_end().to_string()
    };
    out.push_str(&line(HEADS));
    out.push('\n');
    let mut last_group = "";
    for (r, row) in rows.iter().zip(&c.rows) {
        let group = if row.group == last_group {
            ""
        } else {
            row.group.as_str()
        };
        last_group = &row.group;
        out.push_str(&line([group, &r[1], &r[2], &r[3], &r[4], &r[5]]));
        out.push('\n');
    }
    out
}

fn figure_cell(f: &Figure) -> String {
    match f {
        Figure::Num(v) => cell(*v),
        Figure::Text(t) => t.clone(),
        Figure::Missing => String::new(),
    }
}

/// `compare.csv`: one row per figure, `what,figure,a,b,b_minus_a,b_over_a`; a missing value or
/// an undefined difference is an empty cell.
pub fn csv(c: &Comparison) -> String {
    let mut out = Csv::new();
    for h in ["what", "figure", "a", "b", "b_minus_a", "b_over_a"] {
        out.field(h);
    }
    out.end_row();
    for r in &c.rows {
        out.field(&r.group);
        out.field(&r.figure);
        out.field(&figure_cell(&r.a));
        out.field(&figure_cell(&r.b));
        out.field(&r.diff().map_or(String::new(), cell));
        out.field(&r.ratio().map_or(String::new(), cell));
        out.end_row();
    }
    out.finish()
}

/// A number as summary.json writes it: a whole number without a fraction (counts stay `4644`,
/// not `4644.0`).
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn figure_json(f: &Figure) -> Value {
    match f {
        Figure::Num(v) => number(*v),
        Figure::Text(t) => json!(t),
        Figure::Missing => Value::Null,
    }
}

fn side_json(s: &Side, dir: &str) -> Value {
    json!({
        "label": s.label,
        "scenario": s.scenario,
        "scenario_hash": s.scenario_hash,
        "seed": s.seed,
        "dir": dir,
    })
}

/// `compare.json`: the two sides (label, scenario, hash, seed, and their run directories `a`
/// and `b`), whether they share a seed, and the rows (`null` where a value is missing).
pub fn json(c: &Comparison) -> String {
    let rows: Vec<Value> = c
        .rows
        .iter()
        .map(|r| {
            json!({
                "what": r.group,
                "figure": r.figure,
                "a": figure_json(&r.a),
                "b": figure_json(&r.b),
                "b_minus_a": r.diff().map(number),
                "b_over_a": r.ratio().map(number),
            })
        })
        .collect();
    let doc = json!({
        "meshsim_version": crate::output::VERSION,
        "a": side_json(&c.a, "a"),
        "b": side_json(&c.b, "b"),
        "same_seed": c.same_seed(),
        "rows": rows,
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises") + "\n"
}

fn figure_of(v: &Value) -> Figure {
    match v {
        Value::Number(n) => n.as_f64().map_or(Figure::Missing, Figure::Num),
        Value::String(s) => Figure::Text(s.clone()),
        _ => Figure::Missing,
    }
}

fn side_of(v: &Value) -> Option<Side> {
    Some(Side {
        label: v["label"].as_str()?.to_string(),
        scenario: v["scenario"].as_str()?.to_string(),
        scenario_hash: v["scenario_hash"].as_str()?.to_string(),
        seed: v["seed"].as_u64()?,
    })
}

/// A comparison read back from the text of `compare.json` ([`json`]); `None` if the text is
/// not such a document.
pub fn parse(text: &str) -> Option<Comparison> {
    let doc: Value = serde_json::from_str(text).ok()?;
    let rows = doc["rows"]
        .as_array()?
        .iter()
        .map(|r| {
            Some(Row {
                group: r["what"].as_str()?.to_string(),
                figure: r["figure"].as_str()?.to_string(),
                a: figure_of(&r["a"]),
                b: figure_of(&r["b"]),
            })
        })
        .collect::<Option<Vec<Row>>>()?;
    Some(Comparison {
        a: side_of(&doc["a"])?,
        b: side_of(&doc["b"])?,
        rows,
    })
}

/// The table's rows as the terminal shows them (for other renderings such as HTML).
pub fn display_rows(c: &Comparison) -> Vec<[String; 6]> {
    c.rows.iter().map(cells).collect()
}
