//! Unit tests of the sweep module: the file format and its located errors, ranges, grid and
//! zip expansion, point validation, metric paths, seeds, slugs and CSV cells. Running sweeps
//! (threads, resume, shards) is tested in `tests/tests/workspace/sweep_*.rs`, the CLI in
//! `experiments/tests/sweep_cli.rs`.

use std::path::Path;

use sim_core::rng::derive_seed;

use super::metrics::{self, slug, unique_slugs};
use super::plan::{Plan, coords_of, prepare};
use super::spec::{self, Spec};
use super::values::{ValueKind, duration_text};
use super::{Shard, SweepError};
use crate::output::cell;
use crate::scenario::tests::at;
use crate::scenario::{ErrorKind, ScenarioError, Source};

/// A small valid sweep over the cascade builtin, which the error tests break one line at a time.
const SWEEP: &str = r#"name = "t"
base = "cascade"
replications = 2
metrics = ["client.uploaders.goodput_per_s", "service.upload.kills"]

[[axes]]
path = "services.upload.liveness.timeout"
values = ["1s", "5s"]

[[axes]]
path = "faults[0].latency"
range = { from = "5s", to = "15s", step = "5s" }
"#;

fn source(text: &str) -> Source {
    Source::new("sweep.toml", text)
}

fn plan(text: &str) -> Result<Plan, SweepError> {
    prepare(&source(text), Path::new("."), None)
}

fn spec(text: &str) -> Result<Spec, ScenarioError> {
    spec::parse(&source(text))
}

fn with(from: &str, to: &str) -> String {
    assert!(SWEEP.contains(from), "{from:?} not in the sweep");
    SWEEP.replacen(from, to, 1)
}

/// The located error of a sweep that must fail, checked for kind, key path and position.
#[track_caller]
fn located(text: &str, kind: ErrorKind, path: &str, context: &str, needle: &str) -> ScenarioError {
    let e = match plan(text) {
        Ok(_) => panic!("should fail:\n{text}"),
        Err(SweepError::Located(e)) => e,
        Err(other) => panic!("expected a located error, got: {other}"),
    };
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.path, path, "{e}");
    assert_eq!((e.line(), e.column()), {
        let (l, c) = at(text, context, needle);
        (Some(l), Some(c))
    });
    e
}

#[test]
fn the_example_sweep_plans() {
    let p = plan(SWEEP).unwrap();
    let f = &p.file;
    assert_eq!(f.points.len(), 6);
    assert_eq!(f.runs, 12);
    assert_eq!(f.dimensions, vec![vec![0], vec![1]]);
    assert_eq!(f.axes[1].values, ["\"5s\"", "\"10s\"", "\"15s\""]);
    assert_eq!(f.axes[0].kind, ValueKind::Duration);
    assert_eq!(p.scenarios.len(), 6);
    // The first axis varies slowest.
    let firsts: Vec<String> = (0..6).map(|i| f.value_display(i, 0)).collect();
    assert_eq!(firsts, ["1s", "1s", "1s", "5s", "5s", "5s"]);
    let seconds: Vec<String> = (0..6).map(|i| f.value_display(i, 1)).collect();
    assert_eq!(seconds, ["5s", "10s", "15s", "5s", "10s", "15s"]);
    // Each point's scenario really has its values.
    let s = &p.scenarios[4];
    assert_eq!(
        s.services[0]
            .lifecycle
            .liveness
            .as_ref()
            .unwrap()
            .timeout
            .as_nanos(),
        5_000_000_000
    );
    // Different points, different scenarios; same plan twice, same hash.
    let hashes: std::collections::BTreeSet<&str> =
        f.points.iter().map(|p| p.scenario_hash.as_str()).collect();
    assert_eq!(hashes.len(), 6);
    assert_eq!(plan(SWEEP).unwrap().file, p.file);
    assert_eq!(p.file.base.source, "builtin");
}

#[test]
fn replication_r_has_the_same_seed_at_every_point() {
    let p = plan(&with("replications = 2", "replications = 3\nseed = 42")).unwrap();
    let f = &p.file;
    assert_eq!(f.seed, 42);
    let seeds: Vec<u64> = (0..3).map(|r| derive_seed(42, r)).collect();
    assert_eq!(f.replication_seeds, seeds);
    for i in 0..f.runs {
        let (point, r) = f.split(i);
        assert_eq!(i, point * 3 + r);
    }
    // A `--seed` overrides the file's seed, and changes nothing else.
    let q = prepare(
        &source(&with("replications = 2", "replications = 3\nseed = 42")),
        Path::new("."),
        Some(5),
    )
    .unwrap();
    assert_eq!(q.file.seed, 5);
    assert_eq!(q.file.replication_seeds[1], derive_seed(5, 1));
    assert_eq!(q.file.sweep_hash, f.sweep_hash);
}

#[test]
fn the_sweep_hash_ignores_comments_and_follows_values() {
    let a = plan(SWEEP).unwrap().file.sweep_hash;
    let b = plan(&format!("# a comment\n{SWEEP}")).unwrap().file.sweep_hash;
    assert_eq!(a, b);
    let c = plan(&with("replications = 2", "replications = 3"))
        .unwrap()
        .file
        .sweep_hash;
    assert_ne!(a, c);
}

#[test]
fn zipped_axes_vary_together_and_others_form_a_grid() {
    let text = r#"name = "z"
base = "cascade"
replications = 1
metrics = ["service.upload.restarts"]

[[axes]]
path = "services.upload.liveness.timeout"
zip = "probe"
values = ["1s", "2s", "3s"]

[[axes]]
path = "faults[0].latency"
values = ["5s", "15s"]

[[axes]]
path = "services.upload.liveness.period"
zip = "probe"
values = ["10s", "20s", "30s"]
"#;
    let p = plan(text).unwrap();
    let f = &p.file;
    assert_eq!(f.dimensions, vec![vec![0, 2], vec![1]]);
    assert_eq!(f.points.len(), 6);
    for (i, point) in f.points.iter().enumerate() {
        assert_eq!(point.values[0], point.values[2], "zipped axes move together");
        assert_eq!(f.coords(i), vec![i / 2, i % 2]);
    }
    let s = &p.scenarios[5];
    let live = s.services[0].lifecycle.liveness.as_ref().unwrap();
    assert_eq!(
        (live.timeout.as_nanos(), live.period.as_nanos()),
        (3_000_000_000, 30_000_000_000)
    );

    // Zipped axes must have equal lengths.
    let bad = text.replacen(
        "values = [\"10s\", \"20s\", \"30s\"]",
        "values = [\"10s\", \"20s\"]",
        1,
    );
    let e = located(
        &bad,
        ErrorKind::Rule,
        "axes[2].values",
        "values = [\"10s\", \"20s\"]",
        "[",
    );
    assert!(e.expected.contains("3 values"), "{e}");
}

#[test]
fn mixed_radix_coordinates() {
    assert_eq!(coords_of(0, &[2, 3]), vec![0, 0]);
    assert_eq!(coords_of(4, &[2, 3]), vec![1, 1]);
    assert_eq!(coords_of(23, &[2, 3, 4]), vec![1, 2, 3]);
    assert_eq!(coords_of(0, &[]), Vec::<usize>::new());
}

fn axis_values(range: &str) -> Result<Vec<String>, ScenarioError> {
    let text = with(
        "range = { from = \"5s\", to = \"15s\", step = \"5s\" }",
        &format!("range = {range}"),
    );
    spec(&text).map(|s| s.axes[1].values.iter().map(|v| v.text.clone()).collect())
}

#[test]
fn ranges_of_numbers_and_durations() {
    assert_eq!(
        axis_values("{ from = \"500ms\", to = \"2s\", step = \"500ms\" }").unwrap(),
        ["\"500ms\"", "\"1s\"", "\"1500ms\"", "\"2s\""]
    );
    assert_eq!(
        axis_values("{ from = 1, to = 10, step = 4 }").unwrap(),
        ["1", "5", "9"]
    );
    assert_eq!(
        axis_values("{ from = 0.1, to = 0.5, step = 0.1 }").unwrap(),
        ["0.1", "0.2", "0.3", "0.4", "0.5"]
    );
    assert_eq!(
        axis_values("{ from = 1, to = 1000, factor = 10 }").unwrap(),
        ["1", "10", "100", "1000"]
    );
    assert_eq!(
        axis_values("{ from = \"100ms\", to = \"1s\", factor = 2 }").unwrap(),
        ["\"100ms\"", "\"200ms\"", "\"400ms\"", "\"800ms\""]
    );
    let s = spec(&with(
        "range = { from = \"5s\", to = \"15s\", step = \"5s\" }",
        "range = { from = 1, to = 100, factor = 10 }",
    ))
    .unwrap();
    assert!(s.axes[1].log, "a geometric range gets a log axis");
    assert_eq!(s.axes[1].kind, ValueKind::Number);
    assert_eq!(duration_text(90_000_000_000), "90s");
    assert_eq!(duration_text(1_500_000), "1500us");
    assert_eq!(duration_text(7), "7ns");
}

#[test]
fn bad_ranges_are_located() {
    let base = "range = { from = \"5s\", to = \"15s\", step = \"5s\" }";
    let e = located(
        &with(base, "range = { from = \"5s\", to = \"1s\", step = \"1s\" }"),
        ErrorKind::Value,
        "axes[1].range.to",
        "to = \"1s\"",
        "\"1s\"",
    );
    assert!(e.expected.contains("≥ `from`"), "{e}");
    located(
        &with(base, "range = { from = \"5s\", to = 15, step = \"1s\" }"),
        ErrorKind::Type,
        "axes[1].range.to",
        "to = 15",
        "15",
    );
    located(
        &with(base, "range = { from = \"5s\", to = \"15s\" }"),
        ErrorKind::Missing,
        "axes[1].range",
        "range = {",
        "{",
    );
    located(
        &with(base, "range = { from = 1, to = 2, step = 0 }"),
        ErrorKind::Value,
        "axes[1].range.step",
        "step = 0",
        "0",
    );
    located(
        &with(base, "range = { from = \"1ns\", to = \"1h\", step = \"1ns\" }"),
        ErrorKind::Value,
        "axes[1].range",
        "range = {",
        "{",
    );
}

#[test]
fn sweep_file_mistakes_are_located() {
    let e = located(
        &with("replications = 2", "replications = 2\nreplicatoins = 3"),
        ErrorKind::UnknownKey,
        "replicatoins",
        "replicatoins",
        "r",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `replications`?"));
    located(
        &with("replications = 2", "replications = 0"),
        ErrorKind::Value,
        "replications",
        "replications = 0",
        "0",
    );
    located(
        &with("replications = 2\n", ""),
        ErrorKind::Missing,
        "",
        "name = \"t\"",
        "n",
    );
    located(
        &with("values = [\"1s\", \"5s\"]", "values = []"),
        ErrorKind::Value,
        "axes[0].values",
        "values = []",
        "[",
    );
    located(
        &with("values = [\"1s\", \"5s\"]", "values = [\"1s\", \"1s\"]"),
        ErrorKind::Duplicate,
        "axes[0].values[1]",
        "\"1s\", \"1s\"]",
        "\"1s\"]",
    );
    located(
        &with(
            "path = \"faults[0].latency\"",
            "path = \"services.upload.liveness.timeout\"",
        ),
        ErrorKind::Duplicate,
        "axes[1].path",
        "path = \"services.upload.liveness.timeout\"\nrange",
        "\"services",
    );
    let e = located(
        &with("path = \"faults[0].latency\"", "path = \"faults[x].latency\""),
        ErrorKind::Value,
        "axes[1].path",
        "faults[x]",
        "[x",
    );
    assert!(e.found.contains("[` not followed by a number"), "{e}");
    located(
        &with(
            "values = [\"1s\", \"5s\"]",
            "values = [\"1s\", \"5s\"]\nlabels = [\"one\"]",
        ),
        ErrorKind::Rule,
        "axes[0].labels",
        "labels = [\"one\"]",
        "[",
    );
    located(
        &with("base = \"cascade\"", "base = 3"),
        ErrorKind::Type,
        "base",
        "base = 3",
        "3",
    );
    located(
        &with("metrics = [\"client", "metrics = [3, \"client"),
        ErrorKind::Type,
        "metrics[0]",
        "metrics = [3,",
        "3",
    );
    // The sweep file itself is not TOML.
    let e = located(
        &format!("{SWEEP}\n[[axes]\n"),
        ErrorKind::Syntax,
        "",
        "[[axes]\n",
        "\n",
    );
    assert!(e.to_string().starts_with("error: sweep.toml:"), "{e}");
}

#[test]
fn a_missing_base_is_located_with_a_suggestion() {
    let e = located(
        &with("base = \"cascade\"", "base = \"cascdae\""),
        ErrorKind::Reference,
        "base",
        "base = \"cascdae\"",
        "\"cascdae\"",
    );
    assert_eq!(e.help.as_deref(), Some("did you mean \"cascade\"?"));
}

#[test]
fn an_axis_value_that_breaks_the_scenario_is_located_at_the_value() {
    let text = with("values = [\"1s\", \"5s\"]", "values = [\"1s\", \"0s\"]");
    let e = located(
        &text,
        ErrorKind::Value,
        "axes[0].values[1]: services[0].liveness.timeout",
        "\"0s\"",
        "\"0s\"",
    );
    assert!(e.to_string().contains("expected a duration > 0"), "{e}");
    // A path that leads nowhere in the scenario.
    let text = with("path = \"faults[0].latency\"", "path = \"faults[3].latency\"");
    let e = located(
        &text,
        ErrorKind::Override,
        "axes[1].path: faults",
        "path = \"faults[3].latency\"",
        "\"faults",
    );
    assert!(e.expected.contains("an index below 1"), "{e}");
    // A `set` entry that breaks the scenario is located at the entry.
    let text = with(
        "replications = 2",
        "replications = 2\nset = { duration = \"-1s\" }",
    );
    located(
        &text,
        ErrorKind::Value,
        "set.duration: duration",
        "\"-1s\"",
        "\"-1s\"",
    );
}

#[test]
fn set_accepts_a_table_of_paths_or_override_strings() {
    let a = plan(&with(
        "replications = 2",
        "replications = 2\nset = { duration = \"60s\", services.storage.replicas = 1 }",
    ))
    .unwrap();
    assert_eq!(a.file.set, ["duration=\"60s\"", "services.storage.replicas=1"]);
    assert_eq!(a.scenarios[0].duration.as_nanos(), 60_000_000_000);
    assert_eq!(a.scenarios[0].services[2].replicas, 1);
    let b = plan(&with(
        "replications = 2",
        "replications = 2\nset = [\"duration=60s\", \"services.storage.replicas=1\"]",
    ))
    .unwrap();
    assert_eq!(b.scenarios[0].duration.as_nanos(), 60_000_000_000);
    assert_eq!(b.scenarios[0].services[2].replicas, 1);
    let e = located(
        &with("replications = 2", "replications = 2\nset = [\"duration\"]"),
        ErrorKind::Override,
        "set[0]",
        "[\"duration\"]",
        "\"duration\"",
    );
    assert!(e.found.contains("no `=`"), "{e}");
}

#[test]
fn metric_mistakes_are_located_and_list_the_valid_fields() {
    let metric = "\"service.upload.kills\"";
    let e = located(
        &with(metric, "\"service.upload.kils\""),
        ErrorKind::Value,
        "metrics[1]",
        "\"service.upload.kils\"",
        "\"",
    );
    assert!(e.expected.contains("`restarts`"), "{e}");
    assert_eq!(e.help.as_deref(), Some("did you mean `service.upload.kills`?"));
    let e = located(
        &with(metric, "\"service.uplaod.kills\""),
        ErrorKind::Value,
        "metrics[1]",
        "\"service.uplaod.kills\"",
        "\"",
    );
    assert!(
        e.expected.contains("`upload`, `classification` or `storage`"),
        "{e}"
    );
    let e = located(
        &with(metric, "\"service.upload.pods\""),
        ErrorKind::Value,
        "metrics[1]",
        "\"service.upload.pods\"",
        "\"",
    );
    assert!(e.found.contains("an array, not a number"), "{e}");
    let e = located(
        &with(metric, "\"client.uploaders.latency_ms\""),
        ErrorKind::Value,
        "metrics[1]",
        "\"client.uploaders.latency_ms\"",
        "\"",
    );
    assert!(e.help.as_deref().unwrap().contains("`latency_ms.p99`"), "{e}");
    let e = located(
        &with(metric, "\"pod.upload-0.kills\""),
        ErrorKind::Value,
        "metrics[1]",
        "\"pod.upload-0.kills\"",
        "\"",
    );
    assert!(e.expected.contains("`client.`, `service.` or `edge.`"), "{e}");
    // Nested fields and edges with their arrow are fine.
    plan(&with(
        metric,
        "\"edge.upload→classification.amplification\", \"client.uploaders.failed_by.reset\", \"client.uploaders.latency_ms.p99\"",
    ))
    .unwrap();
}

#[test]
fn recovery_needs_a_fault_after_the_first_bucket() {
    plan(&with(
        "\"service.upload.kills\"",
        "\"client.uploaders.recovery_s\"",
    ))
    .unwrap();
    let text = with("\"service.upload.kills\"", "\"client.uploaders.recovery_s\"").replacen(
        "replications = 2",
        "replications = 2\nset = { \"faults[0].from\" = \"0s\" }",
        1,
    );
    let e = located(
        &text,
        ErrorKind::Value,
        "metrics[1]",
        "\"client.uploaders.recovery_s\"",
        "\"",
    );
    assert!(e.expected.contains("a fault that starts after"), "{e}");
}

#[test]
fn summary_values_have_the_derived_fields() {
    let p = plan(SWEEP).unwrap();
    let mut s = p.scenarios[0].clone();
    s.duration = sim_core::time::SimDuration::from_secs(120);
    let out = models::run(s.clone(), 3);
    let v = metrics::summary_value(&out.report, &s);
    let pods_kills: u64 = out.report.summary.services[0]
        .pods
        .iter()
        .map(|p| u64::from(p.kills))
        .sum();
    assert_eq!(
        metrics::extract(&v, "service.upload.kills").unwrap(),
        pods_kills as f64
    );
    let r = metrics::extract(&v, "client.uploaders.recovery_s").unwrap();
    // The fault starts at 30 s and lasts to the end: either recovered at some point or censored.
    assert!((0.0..=90.0).contains(&r), "{r}");
    assert_eq!(
        metrics::extract(&v, "client.uploaders.goodput_per_s").unwrap(),
        out.report.summary.clients[0].goodput_per_s
    );
}

#[test]
fn slugs_are_file_names() {
    assert_eq!(
        slug("client.uploaders.goodput_per_s"),
        "client.uploaders.goodput_per_s"
    );
    assert_eq!(
        slug("edge.upload→classification.amplification"),
        "edge.upload-to-classification.amplification"
    );
    assert_eq!(slug("service.my svc/x.kills"), "service.my-svc-x.kills");
    assert_eq!(slug("../.."), "metric");
    assert_eq!(unique_slugs(&["a b.x", "a/b.x", "c"]), ["a-b.x", "a-b.x-2", "c"]);
}

#[test]
fn csv_cells() {
    assert_eq!(cell(3.0), "3");
    assert_eq!(cell(0.1), "0.1");
    assert_eq!(cell(f64::NAN), "");
    let field = |s: &str| {
        let mut c = crate::output::Csv::new();
        c.field(s);
        c.end_row();
        c.finish()
    };
    assert_eq!(field("a,b"), "\"a,b\"\n");
    assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"\n");
    assert_eq!(field("two\nlines"), "\"two\nlines\"\n");
    assert_eq!(field("plain"), "plain\n");
}

#[test]
fn shards_split_runs_evenly() {
    let s = Shard::parse("2/3").unwrap();
    assert_eq!((s.index, s.count), (2, 3));
    let mine: Vec<u64> = (0..10).filter(|&i| s.contains(i)).collect();
    assert_eq!(mine, [1, 4, 7]);
    for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
    // Every run is in exactly one shard.
    for i in 0..50 {
        let n = (1..=7)
            .filter(|&k| Shard { index: k, count: 7 }.contains(i))
            .count();
        assert_eq!(n, 1);
    }
}

#[test]
fn every_builtin_has_a_summary_shape_from_a_run_of_zero_length() {
    // Planning checks metrics against the summary of a zero-length run of each point.
    for b in crate::catalog::BUILTINS {
        let loaded = crate::scenario::load(&Source::new(b.name, b.text), &[]).unwrap();
        let mut empty = loaded.scenario.clone();
        empty.duration = sim_core::time::SimDuration::ZERO;
        let out = models::run(empty, 1);
        let v = metrics::summary_value(&out.report, &loaded.scenario);
        for (array, n) in [
            ("clients", loaded.scenario.clients.len()),
            ("services", loaded.scenario.services.len()),
            ("edges", loaded.scenario.edges.len()),
        ] {
            assert_eq!(v[array].as_array().map(Vec::len), Some(n), "{}: {array}", b.name);
        }
        let service = &loaded.scenario.services[0].name;
        assert!(
            metrics::extract(&v, &format!("service.{service}.kills")).is_ok(),
            "{}",
            b.name
        );
    }
}

/// A run file whose metric was tampered into an infinity (which `run_one` never writes: a
/// metric is finite, or NaN for no value) is not used; the run is run again.
#[test]
fn a_run_file_with_an_infinite_metric_is_corrupt() {
    use super::runs::{Rejected, check, run_one};
    let p = plan(SWEEP).unwrap();
    let mut run = run_one(&p, 0);
    assert!(check(&p.file, 0, &run).is_ok());
    let metric = p.file.metrics[0].metric.clone();
    for tampered in ["inf", "-inf", "infinity", "1e999"] {
        run.metrics.insert(metric.clone(), tampered.to_string());
        match check(&p.file, 0, &run) {
            Err(Rejected::Corrupt(why)) => assert!(why.contains("not a finite number"), "{why}"),
            other => panic!("{tampered}: {other:?}"),
        }
    }
    run.metrics.insert(metric, "NaN".to_string());
    assert!(check(&p.file, 0, &run).unwrap()[0].is_nan());
}

#[test]
fn a_points_warning_is_located_at_the_axis_value_once_and_the_clean_sweep_has_none() {
    assert_eq!(plan(SWEEP).unwrap().warnings, []);
    // breaker's resilience4j breaker at 0.5 % (surely 50 % was meant) and at 50 %, crossed with
    // two wait_in_open values: one warning, though two points have the value.
    let text = "name = \"t\"\nbase = \"breaker\"\nreplications = 1\nmetrics = [\"client.users.goodput_per_s\"]\n\n\
                [[axes]]\npath = \"policies.guarded.breaker.failure_rate\"\nvalues = [0.5, 50]\n\n\
                [[axes]]\npath = \"policies.guarded.breaker.wait_in_open\"\nvalues = [\"5s\", \"10s\"]\n";
    let p = plan(text).unwrap();
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    let w = &p.warnings[0];
    assert_eq!(w.path, "axes[0].values[0]: policies.guarded.breaker.failure_rate");
    let (line, column) = at(text, "[0.5, 50]", "0.5");
    assert!(
        w.to_string().starts_with(&format!(
            "warning: sweep.toml:{line}:{column}: axes[0].values[0]: "
        )),
        "{w}"
    );
    // The scenario is the one asked for: 0.5 %.
    assert!(format!("{:?}", p.scenarios[0].policies).contains("failure_rate_threshold: 0.5"));
}

/// A fault's phases and verdict are metrics: `client.C.during:F.goodput_per_s`,
/// `client.C.after:F.p99_ms`, `client.C.recovery_s:F` (censored when not recovered); a fault
/// name may hold a dot; `client.C.recovery_s` is still the sweep's own.
#[test]
fn fault_phases_are_metrics() {
    let rename = "faults[0].name=\"re.start\"".to_string();
    let f = crate::claims::run_builtin("thundering-herd", 1, &[rename]);
    let (r, s) = (&f.output.report, &f.loaded.scenario);
    let v = metrics::summary_value(r, s);
    let c = &r.summary.faults[0].clients[0];
    let get = |path: &str| metrics::extract(&v, path).unwrap_or_else(|e| panic!("{path}: {e:?}"));
    assert_eq!(
        get("client.workers.during:re.start.goodput_per_s"),
        c.during.goodput_per_s
    );
    assert_eq!(
        get("client.workers.before:re.start.goodput_per_s"),
        c.before.goodput_per_s
    );
    assert_eq!(
        get("client.workers.after:re.start.p99_ms"),
        c.after.latency_answered_ms.p99
    );
    assert_eq!(
        get("client.workers.after:re.start.failed_by.deadline_exceeded"),
        c.after.failed_by.0["deadline_exceeded"] as f64
    );
    // The fixed retry never recovers: censored at the run's end (240 s), from the end of the
    // restart (60 s) and of the cold start (90 s).
    assert_eq!(c.recovered_s, None);
    assert_eq!(get("client.workers.recovery_s:re.start"), 180.0);
    assert_eq!(get("client.workers.recovery_s:cold"), 150.0);
    assert_eq!(
        get("client.workers.recovery_s"),
        metrics::recovery_s(r, s, "workers")
    );
    let e = metrics::extract(&v, "client.workers.during:restart.goodput_per_s").unwrap_err();
    assert!(
        e.help.as_ref().is_some_and(|h| h.contains("during:re.start")),
        "{e:?}"
    );
}

#[test]
fn a_sweep_in_memory_renders_the_files_a_sweep_writes() {
    let p = plan(SWEEP).unwrap();
    let dir = std::env::temp_dir().join(format!("meshsim-sweep-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let opts = super::Options {
        out: dir.clone(),
        threads: 2,
        resume: false,
        shard: None,
    };
    super::execute(&p, &opts, &super::NoProgress).unwrap();
    let files = super::execute_in_memory(&p, 3).unwrap();
    assert!(files.iter().any(|(n, _)| n == "points.csv"));
    for (name, bytes) in &files {
        let written = std::fs::read(dir.join(name)).unwrap();
        assert!(
            written == *bytes,
            "{name} differs from the file meshsim sweep writes"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
