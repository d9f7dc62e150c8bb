//! Two runs side by side (`meshsim compare A B`): the key figures of each and their
//! difference, and the two incident timelines on shared axes.
//!
//! Independent of files: a [`Run`] is a run in memory, made from a finished run
//! ([`Run::of`]) or read from a run directory ([`rundir::read`]); [`compare`] gives the
//! figures and diff rows; [`timeline_svg`] / [`timeline_png`] draw the side-by-side timeline;
//! [`table`] renders the rows for the terminal, as CSV and as JSON.
//!
//! The figures are read from each run's summary in its `summary.json` form
//! ([`crate::output::summary_json`]), so a comparison says exactly what the two summary files
//! say: per client the goodput, ok, degraded and failed requests (in all and by each reason
//! either run saw), the p50 and p99 latency of its ok requests and its attempts per call (over
//! the edges it calls); per service its wasted work and rejections; per fault window and client
//! its goodput during and after the window, how long after the window's end it recovered, and
//! the verdict of the fault's phases.

pub mod dir;
pub mod rundir;
pub mod table;

use serde_json::Value;

use crate::run::Finished;

/// A directory's files in memory, `(name, bytes)`, as [`crate::run::render_outputs`] gives them.
pub type Files = Vec<(String, Vec<u8>)>;

/// A run to compare, in memory.
#[derive(Clone, Debug)]
pub struct Run {
    /// What the run is called in titles and tables (its scenario's name, or more: [`labels`]).
    pub label: String,
    /// The run's summary, as `summary.json` holds it.
    pub summary: Value,
    /// Its incident timeline ([`crate::charts::timeline`]).
    pub timeline: plots::Timeline,
    /// Its whole narrated anatomy, one line each (as `anatomy.txt`).
    pub anatomy: Vec<String>,
}

impl Run {
    /// The run `f`, called `label`.
    pub fn of(f: &Finished, label: &str) -> Run {
        let report = &f.output.report;
        let json = crate::output::summary_json(&report.summary, &f.loaded.hash);
        Run {
            label: label.to_string(),
            summary: serde_json::from_str(&json).expect("summary_json writes valid JSON"),
            timeline: crate::charts::timeline(&f.loaded.scenario, report, &f.loaded.hash),
            anatomy: crate::narrate::narrate(&f.loaded.scenario, report),
        }
    }

    /// The scenario's name, from the summary.
    pub fn scenario(&self) -> &str {
        self.summary["scenario"].as_str().unwrap_or("")
    }
}

/// The labels of two runs: their scenarios' names, or when those are equal each name followed
/// by what sets the run apart (`diff_a`, `diff_b`: its own `--set-a`/`--set-b` overrides, or
/// its directory), so that the two labels differ whenever the runs can.
pub fn labels(names: (&str, &str), diff_a: &[String], diff_b: &[String]) -> (String, String) {
    let (a, b) = names;
    if a != b {
        return (a.to_string(), b.to_string());
    }
    let with = |name: &str, diff: &[String]| {
        if diff.is_empty() {
            name.to_string()
        } else {
            format!("{name} ({})", diff.join(", "))
        }
    };
    (with(a, diff_a), with(b, diff_b))
}

/// One figure of one run.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    /// A number, as in summary.json.
    Num(f64),
    /// Words (a fault's verdict).
    Text(String),
    /// The run has no such figure (no such client, service or fault, or no value).
    Missing,
}

impl Figure {
    fn num(&self) -> Option<f64> {
        match self {
            Figure::Num(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }
}

/// A row of the diff table: one figure of one thing in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What it is about: `client uploaders`, `service upload`, `fault faults[0] (uploaders)`.
    pub group: String,
    /// The figure: `goodput/s`, `failed: reset`, `verdict`, ...
    pub figure: String,
    /// Its value in run A.
    pub a: Figure,
    /// Its value in run B.
    pub b: Figure,
}

impl Row {
    /// B − A, when both are numbers.
    pub fn diff(&self) -> Option<f64> {
        Some(self.b.num()? - self.a.num()?)
    }

    /// B / A, when both are numbers and A is not 0.
    pub fn ratio(&self) -> Option<f64> {
        let (a, b) = (self.a.num()?, self.b.num()?);
        (a != 0.0).then(|| b / a)
    }
}

/// One side of a comparison, as the table's head names it.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// The run's label.
    pub label: String,
    /// Its scenario's name.
    pub scenario: String,
    /// Its seed.
    pub seed: u64,
    /// Its scenario hash.
    pub scenario_hash: String,
}

/// Two runs compared: who they are and the diff rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Run A.
    pub a: Side,
    /// Run B.
    pub b: Side,
    /// The figures, grouped by client, then service, then fault window.
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Whether both runs used the same seed.
    pub fn same_seed(&self) -> bool {
        self.a.seed == self.b.seed
    }
}

fn side(r: &Run) -> Side {
    Side {
        label: r.label.clone(),
        scenario: r.scenario().to_string(),
        seed: r.summary["seed"].as_u64().unwrap_or(0),
        scenario_hash: r.summary["scenario_hash"].as_str().unwrap_or("").to_string(),
    }
}

/// Compares `a` and `b`: the figures of each client, service and fault window either has (A's
/// in A's order, then B's others).
pub fn compare(a: &Run, b: &Run) -> Comparison {
    let (sa, sb) = (&a.summary, &b.summary);
    let mut rows = Vec::new();
    for name in names(&sa["clients"], &sb["clients"]) {
        client_rows(&mut rows, &name, (sa, sb));
    }
    for name in names(&sa["services"], &sb["services"]) {
        let (va, vb) = (by_name(&sa["services"], &name), by_name(&sb["services"], &name));
        let group = format!("service {name}");
        for (figure, key) in [
            ("wasted work (slot-s)", "wasted_work_s"),
            ("rejected", "rejected"),
        ] {
            rows.push(row(&group, figure, (field(va, &[key]), field(vb, &[key]))));
        }
    }
    fault_rows(&mut rows, (sa, sb));
    Comparison {
        a: side(a),
        b: side(b),
        rows,
    }
}

/// The names in two arrays of named objects: A's in order, then B's others.
fn names(a: &Value, b: &Value) -> Vec<String> {
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["name"].as_str().map(str::to_string))
            .collect()
    };
    let mut out = list(a);
    for n in list(b) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The object called `name` in an array of named objects.
fn by_name<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_array()?.iter().find(|x| x["name"].as_str() == Some(name))
}

/// The figure at `path` in `v`.
fn field(v: Option<&Value>, path: &[&str]) -> Figure {
    let Some(mut v) = v else { return Figure::Missing };
    for key in path {
        v = &v[*key];
    }
    match v {
        Value::Number(n) => n.as_f64().map_or(Figure::Missing, Figure::Num),
        Value::String(s) => Figure::Text(s.clone()),
        _ => Figure::Missing,
    }
}

fn row(group: &str, figure: &str, (a, b): (Figure, Figure)) -> Row {
    Row {
        group: group.to_string(),
        figure: figure.to_string(),
        a,
        b,
    }
}

/// A client's rows: goodput, outcomes, each failure reason either run saw, latency of ok
/// requests, attempts per call.
fn client_rows(rows: &mut Vec<Row>, name: &str, (sa, sb): (&Value, &Value)) {
    let (ca, cb) = (by_name(&sa["clients"], name), by_name(&sb["clients"], name));
    let group = format!("client {name}");
    let both = |path: &[&str]| (field(ca, path), field(cb, path));
    for (figure, key) in [
        ("goodput/s", "goodput_per_s"),
        ("ok", "ok"),
        ("degraded", "degraded"),
        ("failed", "failed"),
    ] {
        rows.push(row(&group, figure, both(&[key])));
    }
    let mut reasons: Vec<String> = Vec::new();
    for c in [ca, cb].into_iter().flatten() {
        for (reason, n) in c["failed_by"].as_object().into_iter().flatten() {
            if n.as_u64().is_some_and(|n| n > 0) && !reasons.contains(reason) {
                reasons.push(reason.clone());
            }
        }
    }
    reasons.sort();
    for r in &reasons {
        rows.push(row(&group, &format!("failed: {r}"), both(&["failed_by", r])));
    }
    for q in ["p50", "p99"] {
        let latency = |c: Option<&Value>| match c {
            Some(c) if c["latency_ok_ms"]["count"].as_u64() == Some(0) => Figure::Missing,
            c => field(c, &["latency_ok_ms", q]),
        };
        rows.push(row(
            &group,
            &format!("ok latency {q} (ms)"),
            (latency(ca), latency(cb)),
        ));
    }
    let attempts = |s: &Value| attempts_per_call(s, name);
    rows.push(row(&group, "attempts per call", (attempts(sa), attempts(sb))));
}

/// Attempts per call on the edges `client` calls (its own retries), from the summary's edges.
fn attempts_per_call(summary: &Value, client: &str) -> Figure {
    let (mut calls, mut attempts) = (0u64, 0u64);
    let mut any = false;
    for e in summary["edges"].as_array().into_iter().flatten() {
        if e["caller"].as_str() == Some(client) {
            any = true;
            calls += e["calls"].as_u64().unwrap_or(0);
            attempts += e["attempts"].as_u64().unwrap_or(0);
        }
    }
    if !any || calls == 0 {
        return Figure::Missing;
    }
    Figure::Num(attempts as f64 / calls as f64)
}

/// Each fault window's rows, per client: goodput during and after, when it recovered, and its
/// verdict (faults matched by name, `faults[i]`).
fn fault_rows(rows: &mut Vec<Row>, (sa, sb): (&Value, &Value)) {
    for fault in names(&sa["faults"], &sb["faults"]) {
        let (fa, fb) = (by_name(&sa["faults"], &fault), by_name(&sb["faults"], &fault));
        let kind = [fa, fb]
            .into_iter()
            .flatten()
            .find_map(|f| Some(format!("{} on {}", f["kind"].as_str()?, f["service"].as_str()?)))
            .unwrap_or_default();
        let empty = Value::Null;
        let clients = |f: Option<&Value>| f.map_or(&empty, |f| &f["clients"]).clone();
        let (ka, kb) = (clients(fa), clients(fb));
        for client in names(&ka, &kb) {
            let (ca, cb) = (by_name(&ka, &client), by_name(&kb, &client));
            let group = format!("fault {fault}: {kind} ({client})");
            let both = |path: &[&str]| (field(ca, path), field(cb, path));
            rows.push(row(
                &group,
                "goodput/s during",
                both(&["during", "goodput_per_s"]),
            ));
            rows.push(row(&group, "goodput/s after", both(&["after", "goodput_per_s"])));
            rows.push(row(&group, "recovered, s after its end", both(&["recovered_s"])));
            let verdict = |c: Option<&Value>| match c {
                None => Figure::Missing,
                Some(c) => match c["verdict"].as_str() {
                    Some(v) => Figure::Text(v.to_string()),
                    None => Figure::Text("no verdict".into()),
                },
            };
            rows.push(row(&group, "verdict", (verdict(ca), verdict(cb))));
        }
    }
}

/// `run`'s timeline titled as the column `which` ("A" or "B") of a comparison.
fn column(run: &Run, which: &str) -> plots::Timeline {
    let mut t = run.timeline.clone();
    t.title = format!("{which}: {}", run.label);
    t
}

/// The side-by-side timeline of `a` (left) and `b` (right) on shared axes, as SVG.
pub fn timeline_svg(a: &Run, b: &Run) -> Result<String, plots::PlotError> {
    plots::timeline_pair_svg(&column(a, "A"), &column(b, "B"))
}

/// The side-by-side timeline of `a` (left) and `b` (right) on shared axes, as PNG.
pub fn timeline_png(a: &Run, b: &Run) -> Result<Vec<u8>, plots::PlotError> {
    plots::timeline_pair_png(&column(a, "A"), &column(b, "B"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(summary: Value) -> Run {
        Run {
            label: String::new(),
            summary,
            timeline: plots::Timeline::default(),
            anatomy: Vec::new(),
        }
    }

    fn client(name: &str, ok: u64, reset: u64) -> Value {
        json!({"name": name, "goodput_per_s": ok as f64 / 10.0, "ok": ok, "degraded": 0,
               "failed": reset, "failed_by": {"reset": reset, "rejected": 0},
               "latency_ok_ms": {"count": ok, "p50": 1.5, "p99": 9.0}})
    }

    fn find<'a>(c: &'a Comparison, what: &str, figure: &str) -> &'a Row {
        c.rows
            .iter()
            .find(|r| r.group == what && r.figure == figure)
            .unwrap()
    }

    #[test]
    fn figures_come_from_each_summary_and_missing_things_are_missing() {
        let a = run(
            json!({"scenario": "x", "seed": 1, "clients": [client("u", 100, 0)],
            "edges": [{"caller": "u", "calls": 100, "attempts": 150}]}),
        );
        let b = run(
            json!({"scenario": "x", "seed": 2, "clients": [client("u", 50, 7), client("v", 0, 0)],
            "edges": [{"caller": "u", "calls": 57, "attempts": 57}]}),
        );
        let c = compare(&a, &b);
        assert!(!c.same_seed());
        let ok = find(&c, "client u", "ok");
        assert_eq!(
            (ok.a.clone(), ok.b.clone()),
            (Figure::Num(100.0), Figure::Num(50.0))
        );
        assert_eq!((ok.diff(), ok.ratio()), (Some(-50.0), Some(0.5)));
        // Only reasons either run saw, and B/A undefined when A is 0.
        let reset = find(&c, "client u", "failed: reset");
        assert_eq!((reset.diff(), reset.ratio()), (Some(7.0), None));
        assert!(c.rows.iter().all(|r| r.figure != "failed: rejected"));
        assert_eq!(find(&c, "client u", "attempts per call").a, Figure::Num(1.5));
        // A client only B has: A's side is missing, the difference undefined.
        let v = find(&c, "client v", "ok");
        assert_eq!((v.a.clone(), v.diff()), (Figure::Missing, None));
        // No ok answers: no latency (not a 0 ms p50).
        assert_eq!(find(&c, "client v", "ok latency p50 (ms)").b, Figure::Missing);
    }

    #[test]
    fn labels_are_the_names_or_the_names_with_what_sets_each_apart() {
        let none: [String; 0] = [];
        assert_eq!(labels(("a", "b"), &none, &none), ("a".into(), "b".into()));
        assert_eq!(
            labels(("h", "h"), &["k=1".into()], &["k=2".into()]),
            ("h (k=1)".into(), "h (k=2)".into())
        );
    }

    #[test]
    fn the_json_table_reads_back_as_the_same_comparison() {
        let a =
            run(json!({"scenario": "x", "seed": 1, "scenario_hash": "ab", "clients": [client("u", 10, 3)]}));
        let b =
            run(json!({"scenario": "y", "seed": 1, "scenario_hash": "cd", "clients": [client("u", 20, 0)]}));
        let c = compare(&a, &b);
        assert_eq!(table::parse(&table::json(&c)), Some(c));
    }
}
