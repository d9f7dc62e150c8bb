//! Sweeps through the library: the same files, byte for byte, at 1, 2 and 4 threads, after a
//! resume that re-runs lost runs, and from shards joined by merge; common random numbers across
//! points; means and intervals that match the runs; output directories of another sweep refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use experiments::determinism::{self, SweepVerdict, compare_trees};
use experiments::scenario::Source;
use experiments::sweep::{self, NoProgress, Options, Plan, Shard, SweepError};
use sim_core::rng::derive_seed;
use sim_core::stats::ci::mean_ci;

/// A small scenario with a fault: an API calling a database that is slow from 20 s to 35 s.
/// The CLI's sweep tests use it too.
const BASE: &str = include_str!("../../../experiments/tests/fixtures/sweep-base.toml");

/// The files under `dir`, by relative path with `/` separators, read by the walker
/// `--check-determinism` uses.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    determinism::tree(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    read_tree(dir).into_iter().collect()
}

/// Asserts that `a` and `b` hold the same files with the same bytes, naming the first file that
/// differs (and its first differing line, 0 when a file is missing or binary), with
/// `--check-determinism`'s own comparison.
#[track_caller]
fn assert_same_tree(a: &Path, b: &Path) {
    if let SweepVerdict::Diverges { file, line } = compare_trees(&read_tree(a), &read_tree(b)) {
        panic!(
            "{file} differs (line {line}) between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// 2 × 2 points (the second axis changes nothing the run measures) × 3 replications.
const SWEEP: &str = r#"name = "small-sweep"
base = "base.toml"
seed = 3
replications = 3
metrics = [
  "client.users.goodput_per_s",
  "client.users.recovery_s",
  "edge.api→db.attempts",
  { metric = "client.users.latency_ms.p99", label = "p99 (ms)" },
]

[[axes]]
path = "policies.db.retry.max_attempts"
values = [1, 3]

[[axes]]
path = "limits.max_log_entries"       # does not change what the run does
values = [1000, 2000]
"#;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meshsim-sweep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sweep `text` with its base file in a fresh directory.
fn plan_in(dir: &Path, text: &str) -> Plan {
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    std::fs::write(dir.join("sweep.toml"), text).unwrap();
    sweep::prepare(&Source::new("sweep.toml", text), dir, None).unwrap()
}

fn options(out: &Path, threads: usize) -> Options {
    Options {
        out: out.to_path_buf(),
        threads,
        resume: false,
        shard: None,
    }
}

/// The expected final files of the sweep above.
const FINAL: [&str; 5] = ["sweep.toml", "base.toml", "sweep.json", "runs.csv", "points.csv"];

#[test]
fn outputs_are_byte_identical_at_1_2_and_4_threads() {
    let dir = temp_dir("threads");
    let plan = plan_in(&dir, SWEEP);
    let outs: Vec<PathBuf> = [1, 2, 4].iter().map(|t| dir.join(format!("out{t}"))).collect();
    for (t, out) in [1, 2, 4].iter().zip(&outs) {
        let done = sweep::execute(&plan, &options(out, *t), &NoProgress).unwrap();
        assert_eq!((done.total, done.ran, done.reused), (12, 12, 0));
    }
    let files = tree(&outs[0]);
    for name in FINAL {
        assert!(files.contains_key(name), "{name} missing");
    }
    assert_eq!(files.keys().filter(|k| k.starts_with("runs/")).count(), 12);
    // Two axes: a chart and a heatmap per metric, each SVG and PNG.
    for slug in [
        "client.users.goodput_per_s",
        "edge.api-to-db.attempts",
        "client.users.latency_ms.p99",
    ] {
        for ext in ["svg", "png", "heatmap.svg", "heatmap.png"] {
            assert!(
                files.contains_key(&format!("charts/{slug}.{ext}")),
                "charts/{slug}.{ext}"
            );
        }
    }
    assert_same_tree(&outs[0], &outs[1]);
    assert_same_tree(&outs[0], &outs[2]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_after_losing_runs_writes_the_same_files() {
    let dir = temp_dir("resume");
    let plan = plan_in(&dir, SWEEP);
    let whole = dir.join("whole");
    sweep::execute(&plan, &options(&whole, 2), &NoProgress).unwrap();

    // An interrupted sweep: some run files and every final file missing, a temporary file of a
    // write that never finished, one run file cut short.
    let cut = dir.join("cut");
    sweep::execute(&plan, &options(&cut, 2), &NoProgress).unwrap();
    for name in ["runs.csv", "points.csv", "charts"] {
        let p = cut.join(name);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    }
    for i in [0, 5, 11] {
        std::fs::remove_file(cut.join(format!("runs/{i:06}.json"))).unwrap();
    }
    std::fs::write(cut.join("runs/.000005.json.999.tmp"), b"{\"half").unwrap();
    let truncated = cut.join("runs/000007.json");
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    // Without --resume the directory is refused: it holds runs of this sweep.
    match sweep::execute(&plan, &options(&cut, 2), &NoProgress) {
        Err(SweepError::Input(m)) => assert!(m.contains("--resume"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let done = sweep::execute(
        &plan,
        &Options {
            resume: true,
            ..options(&cut, 2)
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!(
        (done.ran, done.reused),
        (4, 8),
        "the lost and the corrupt runs, and only those"
    );
    assert_eq!(done.replaced, vec![truncated]);
    assert_same_tree(&whole, &cut);

    // Resuming a complete sweep runs nothing and rewrites the same files.
    let again = sweep::execute(
        &plan,
        &Options {
            resume: true,
            ..options(&cut, 1)
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!((again.ran, again.reused), (0, 12));
    assert_same_tree(&whole, &cut);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_merged_give_the_files_of_a_single_run() {
    let dir = temp_dir("shards");
    let plan = plan_in(&dir, SWEEP);
    let whole = dir.join("whole");
    sweep::execute(&plan, &options(&whole, 2), &NoProgress).unwrap();

    // Two shards in their own directories.
    let shard_dirs: Vec<PathBuf> = (1..=2).map(|k| dir.join(format!("shard{k}"))).collect();
    for (k, d) in (1..=2).zip(&shard_dirs) {
        let done = sweep::execute(
            &plan,
            &Options {
                shard: Some(Shard { index: k, count: 2 }),
                ..options(d, 1)
            },
            &NoProgress,
        )
        .unwrap();
        assert_eq!((done.slice, done.ran), (6, 6));
        assert!(done.files.is_empty(), "a shard writes no final files");
        assert!(!d.join("runs.csv").exists());
        assert!(d.join(format!("shard-{k}-of-2.json")).exists());
    }
    // One shard alone is not the sweep.
    match sweep::merge(&dir.join("partial"), &shard_dirs[..1], 1) {
        Err(SweepError::Input(m)) => assert!(m.contains("shard 2/2 is missing"), "{m}"),
        other => panic!("expected an error, got {other:?}"),
    }
    let merged = dir.join("merged");
    let done = sweep::merge(&merged, &shard_dirs, 2).unwrap();
    assert_eq!(done.total, 12);
    assert_same_tree(&whole, &merged);

    // Three shards sharing one directory (a shared volume), merged from it.
    let shared = dir.join("shared");
    for k in 1..=3 {
        sweep::execute(
            &plan,
            &Options {
                shard: Some(Shard { index: k, count: 3 }),
                ..options(&shared, 2)
            },
            &NoProgress,
        )
        .unwrap();
    }
    let merged3 = dir.join("merged3");
    sweep::merge(&merged3, &[shared.clone(), shared.clone()], 1).unwrap();
    assert_same_tree(&whole, &merged3);

    // A lost run file is found missing, and the message says which shard to finish.
    std::fs::remove_file(shared.join("runs/000004.json")).unwrap();
    match sweep::merge(&dir.join("merged4"), &[shared], 1) {
        Err(SweepError::Input(m)) => assert!(m.contains("shard 2/3") && m.contains("--resume"), "{m}"),
        other => panic!("expected an error, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Parsed `runs.csv`: header and rows of cells (no quoted cells in this sweep).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

#[test]
fn replications_share_random_numbers_across_points_and_points_csv_matches_runs_csv() {
    let dir = temp_dir("crn");
    let plan = plan_in(&dir, SWEEP);
    let out = dir.join("out");
    sweep::execute(&plan, &options(&out, 2), &NoProgress).unwrap();
    let (header, rows) = csv(&out.join("runs.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (point, rep, seed) = (col("point"), col("replication"), col("seed"));
    let metric_cols: Vec<usize> = (col("stop") + 1..header.len()).collect();
    assert_eq!(metric_cols.len(), 4, "a column per metric: {header:?}");
    assert_eq!(rows.len(), 12);
    for row in &rows {
        let r: u64 = row[rep].parse().unwrap();
        assert_eq!(
            row[seed],
            derive_seed(3, r).to_string(),
            "replication {r} has its seed at every point"
        );
        assert_eq!(row[col("stop")], "end_time");
    }
    // Points 0 and 1 differ only in a parameter that changes nothing measured: with common
    // random numbers every replication gives exactly the same values at both.
    for r in 0..3 {
        let at = |p: usize| {
            rows.iter()
                .find(|row| row[point] == p.to_string() && row[rep] == r.to_string())
                .unwrap()
        };
        for &c in &metric_cols {
            assert_eq!(at(0)[c], at(1)[c], "{} at replication {r}", header[c]);
            assert_eq!(at(2)[c], at(3)[c], "{} at replication {r}", header[c]);
        }
        // … while retries do change the work at the database.
        assert_ne!(
            at(0)[col("edge.api→db.attempts")],
            at(2)[col("edge.api→db.attempts")]
        );
    }

    // points.csv: the mean and Student-t 95% interval of the replications of runs.csv.
    let (pheader, prows) = csv(&out.join("points.csv"));
    assert_eq!(prows.len(), 4, "a row per point");
    for (p, prow) in prows.iter().enumerate() {
        for &c in &metric_cols {
            let name = &header[c];
            let xs: Vec<f64> = rows
                .iter()
                .filter(|row| row[point] == p.to_string())
                .map(|row| row[c].parse().unwrap())
                .collect();
            let ci = mean_ci(&xs, 0.95).unwrap();
            // The interval by hand, so that a wrong t quantile or variance in mean_ci (which
            // the sweep also uses) cannot pass: three replications, t(0.975, 2 d.f.) = 4.3027.
            assert_eq!(xs.len(), 3);
            let mean = xs.iter().sum::<f64>() / 3.0;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
            let half = 4.302_652_729_911_275 * sd / 3f64.sqrt();
            assert!((ci.mean - mean).abs() <= 1e-9 * mean.abs().max(1.0), "{name}");
            assert!((ci.half_width - half).abs() <= 1e-9 * half.max(1.0), "{name}");
            let get = |suffix: &str| -> f64 {
                let i = pheader
                    .iter()
                    .position(|h| *h == format!("{name}.{suffix}"))
                    .unwrap();
                prow[i].parse().unwrap()
            };
            assert!(
                (get("mean") - ci.mean).abs() <= 1e-9 * ci.mean.abs().max(1.0),
                "{name}"
            );
            assert!(
                (get("ci95_low") - ci.low()).abs() <= 1e-9 * ci.low().abs().max(1.0),
                "{name}"
            );
            assert!(
                (get("ci95_high") - ci.high()).abs() <= 1e-9 * ci.high().abs().max(1.0),
                "{name}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_replication_leaves_the_intervals_empty() {
    let dir = temp_dir("one");
    let plan = plan_in(&dir, &SWEEP.replace("replications = 3", "replications = 1"));
    let out = dir.join("out");
    sweep::execute(&plan, &options(&out, 1), &NoProgress).unwrap();
    let (header, rows) = csv(&out.join("points.csv"));
    let low = header
        .iter()
        .position(|h| h == "client.users.goodput_per_s.ci95_low")
        .unwrap();
    let mean = header
        .iter()
        .position(|h| h == "client.users.goodput_per_s.mean")
        .unwrap();
    assert_eq!(rows.len(), 4, "a row per point");
    for row in rows {
        assert_eq!(row[low], "");
        assert!(row[mean].parse::<f64>().unwrap() > 0.0);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_of_another_sweep_is_refused() {
    let dir = temp_dir("foreign");
    let plan = plan_in(&dir, SWEEP);
    let out = dir.join("out");
    sweep::execute(&plan, &options(&out, 2), &NoProgress).unwrap();
    let other = sweep::prepare(&Source::new("sweep.toml", SWEEP), &dir, Some(99)).unwrap();
    for resume in [false, true] {
        match sweep::execute(
            &other,
            &Options {
                resume,
                ..options(&out, 1)
            },
            &NoProgress,
        ) {
            Err(SweepError::Input(m)) => assert!(m.contains("another sweep"), "{m}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    // Nothing of the other sweep was written over the first.
    let again = dir.join("again");
    sweep::execute(&plan, &options(&again, 1), &NoProgress).unwrap();
    assert_same_tree(&out, &again);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_examples_and_the_documented_sweep_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut examples = 0;
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        // Only the TOML files: examples/ also holds the notebooks' directory.
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("[[axes]]") {
            let plan = sweep::load_sweep(&path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(plan.file.runs <= 200, "{}: keep examples small", path.display());
            assert!(
                plan.file.replications >= 2,
                "{}: intervals need replications",
                path.display()
            );
            examples += 1;
        }
    }
    assert!(examples >= 2, "at least two example sweeps");
    let docs = std::fs::read_to_string(root.join("docs/sweeps.md")).unwrap();
    let mut blocks = 0;
    for block in docs.split("```toml\n").skip(1) {
        let text = block.split("```").next().unwrap();
        if text.contains("[[axes]]") {
            sweep::prepare(&Source::new("docs/sweeps.md", text), root, None)
                .unwrap_or_else(|e| panic!("a sweep in docs/sweeps.md does not plan: {e}\n{text}"));
            blocks += 1;
        }
    }
    assert!(blocks >= 1);
}
