//! Output directories as a set and CSV text that survives any name (issue 19, items 4 and 5):
//! a run's `--out` holds one whole run or nothing, however the run ends (SIGKILL at any
//! moment, a second writer, a previous run there); stale temporaries are removed by the next
//! writer, a sweep's `--resume` included; names with commas and quotes keep their CSV columns,
//! and names with line breaks are located errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use experiments::outdir::{self, Mode, RUN_MARKER};

mod common;
use common::tree::assert_same_tree;
use common::{MESHSIM, meshsim, ok, scratch, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `meshsim run cascade --seed SEED --out OUT --quiet`, to its end.
fn run_cascade(seed: u64, out: &Path) {
    let seed = seed.to_string();
    ok(&meshsim(&[
        "run",
        "cascade",
        "--seed",
        &seed,
        "--out",
        s(out),
        "--quiet",
    ]));
}

#[test]
fn a_previous_run_is_replaced_whole_and_a_foreign_directory_is_refused() {
    let root = scratch("replace");
    let out = root.join("out");
    ok(&meshsim(&[
        "run",
        "cascade",
        "--out",
        s(&out),
        "--quiet",
        "--trace",
        "chrome",
        "--trace-sample",
        "0.01",
    ]));
    assert!(out.join("trace.chrome.json").is_file());
    run_cascade(1, &out);
    // The second run's files alone: the first run's trace went with it.
    let expected = [
        RUN_MARKER,
        "anatomy.txt",
        "events.jsonl",
        "scenario.toml",
        "summary.json",
        "timeline.png",
        "timeline.svg",
        "timeseries.csv",
        "topology.png",
        "topology.svg",
    ];
    assert_eq!(names(&out), expected);
    assert_eq!(names(&root), ["out"], "nothing is left next to it");

    // A directory meshsim did not write is refused before the run, and left as it was.
    let foreign = root.join("notes");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("todo.txt"), "keep me").unwrap();
    let refused = meshsim(&["run", "cascade", "--out", s(&foreign), "--quiet"]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains(RUN_MARKER), "{}", stderr(&refused));
    assert_eq!(names(&foreign), ["todo.txt"]);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_second_writer_is_refused_and_concurrent_runs_never_mix() {
    let root = scratch("concurrent");
    let out = root.join("out");
    // A writer holding the lock (this test): meshsim refuses, exit 1, and writes nothing.
    let held = outdir::lock(&out, Mode::Exclusive).unwrap();
    let refused = meshsim(&["run", "cascade", "--out", s(&out), "--quiet"]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("is being written by another meshsim"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists());
    let sweep = meshsim(&["sweep", "no-such-sweep.toml", "--out", s(&out)]);
    assert_eq!(
        sweep.status.code(),
        Some(2),
        "a bad sweep file is still told first"
    );
    drop(held);

    // Two real runs at once, of different seeds: each either wins or is refused, and the
    // directory holds exactly one of them, whole.
    let (one, two) = (root.join("ref1"), root.join("ref2"));
    run_cascade(1, &one);
    run_cascade(2, &two);
    for round in 0..3 {
        let spawn = |seed: &str| {
            Command::new(MESHSIM)
                .args(["run", "cascade", "--seed", seed, "--out", s(&out), "--quiet"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn("1"), spawn("2"));
        let results = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let winners = results.iter().filter(|r| r.status.success()).count();
        assert!(winners >= 1, "round {round}: one of them wins");
        for r in results.iter().filter(|r| !r.status.success()) {
            assert_eq!(r.status.code(), Some(1));
            assert!(
                stderr(r).contains("is being written by another meshsim"),
                "{}",
                stderr(r)
            );
        }
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        let reference = if summary.contains("\"seed\": 1,") {
            &one
        } else {
            &two
        };
        assert_same_tree(reference, &out);
    }
    std::fs::remove_dir_all(&root).unwrap();
}

/// The siblings of `out` in `root` other than the reference directories: stale temporaries.
fn leftovers(root: &Path) -> Vec<String> {
    names(root)
        .into_iter()
        .filter(|n| !["out", "ref1", "ref2"].contains(&n.as_str()))
        .collect()
}

/// Whether a temporary file or directory of a writer shows in `root` or `out`.
fn writing(root: &Path, out: &Path) -> bool {
    [root, out].iter().any(|d| {
        std::fs::read_dir(d).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().contains("tmp"))
        })
    })
}

#[test]
fn a_run_killed_at_any_moment_leaves_one_whole_run_or_none() {
    let root = scratch("kill");
    let out = root.join("out");
    let refs: [PathBuf; 2] = [root.join("ref1"), root.join("ref2")];
    // How long one run takes here (wall clock for spacing the kills only).
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    run_cascade(1, &refs[0]);
    let took = started.elapsed();
    run_cascade(2, &refs[1]);
    run_cascade(1, &out);
    const KILLS: u32 = 18;
    for k in 0..KILLS {
        let seed = 1 + u64::from(k / 2 % 2);
        let mut child = Command::new(MESHSIM)
            .args([
                "run",
                "cascade",
                "--seed",
                &seed.to_string(),
                "--out",
                s(&out),
                "--quiet",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if k % 2 == 0 {
            // Anywhere in the run (or just after it).
            std::thread::sleep(took * (k + 2) / KILLS);
        } else {
            // While it writes: once a temporary file or directory shows, a little later each
            // time (0 to 1.7 ms).
            while !writing(&root, &out) && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(Duration::from_micros(200 * u64::from(k / 2)));
        }
        let _ = child.kill();
        child.wait().unwrap();
        if out.exists() {
            let summary = std::fs::read_to_string(out.join("summary.json"))
                .unwrap_or_else(|e| panic!("kill {k}: a partial set, no summary.json ({e})"));
            let which = if summary.contains("\"seed\": 1,") { 0 } else { 1 };
            assert_same_tree(&refs[which], &out);
        }
    }
    // The next run removes whatever the killed ones left next to the directory.
    run_cascade(2, &out);
    assert_same_tree(&refs[1], &out);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    // So it does with temporaries it could not have made itself (another process's).
    for stale in [".out.meshsim-tmp-4000000-0", ".out.meshsim-old-4000000-1"] {
        std::fs::create_dir(root.join(stale)).unwrap();
        std::fs::write(root.join(stale).join("summary.json"), "{}").unwrap();
    }
    run_cascade(1, &out);
    assert!(leftovers(&root).is_empty(), "{:?}", leftovers(&root));
    std::fs::remove_dir_all(&root).unwrap();
}

/// A sweep of 2 points × 1 replication on the fixture scenario: quick in a debug build.
const SWEEP: &str = r#"name = "tiny"
base = "base.toml"
seed = 3
replications = 1
metrics = ["client.users.goodput_per_s"]

[[axes]]
path = "policies.db.retry.max_attempts"
values = [1, 3]
"#;

#[test]
fn a_resumed_sweep_removes_stale_temporaries_and_a_busy_one_is_refused() {
    let root = scratch("sweep");
    std::fs::write(root.join("base.toml"), include_str!("fixtures/sweep-base.toml")).unwrap();
    let sweep = root.join("sweep.toml");
    std::fs::write(&sweep, SWEEP).unwrap();
    let out = root.join("out");
    ok(&meshsim(&["sweep", s(&sweep), "--out", s(&out), "--quiet"]));
    let clean = root.join("clean");
    ok(&meshsim(&["sweep", s(&sweep), "--out", s(&clean), "--quiet"]));
    // What a sweep killed while writing its final files and charts leaves.
    let chart = names(&out.join("charts"))[0].clone();
    let stale = [
        out.join(format!("charts/.{chart}.4000000.tmp")),
        out.join(".points.csv.4000000.tmp"),
        out.join("runs/.000001.json.4000000.tmp"),
    ];
    for p in &stale {
        std::fs::write(p, "half").unwrap();
    }
    let held = outdir::lock(&out, Mode::Exclusive).unwrap();
    let busy = meshsim(&["sweep", s(&sweep), "--out", s(&out), "--resume", "--quiet"]);
    assert_eq!(busy.status.code(), Some(1), "{}", stderr(&busy));
    assert!(
        stderr(&busy).contains("is being written by another meshsim"),
        "{}",
        stderr(&busy)
    );
    assert!(
        stale.iter().all(|p| p.exists()),
        "a refused sweep touches nothing"
    );
    drop(held);
    ok(&meshsim(&[
        "sweep",
        s(&sweep),
        "--out",
        s(&out),
        "--resume",
        "--quiet",
    ]));
    for p in &stale {
        assert!(!p.exists(), "{} is removed", p.display());
    }
    assert_same_tree(&clean, &out);
    std::fs::remove_dir_all(&root).unwrap();
}

/// A scenario whose service and client names hold commas and quotes (`NAME` replaced).
const NAMED: &str = r#"name = "names"
duration = "20s"
bucket = "1s"

[[clients]]
name = "users, \"eu\""
target = "NAME"
load = { kind = "open", rate = 20 }

[[services]]
name = "NAME"
replicas = 2
slots = 4
steps = [ { work = "5ms" } ]
"#;

#[test]
fn names_with_commas_and_quotes_keep_their_csv_columns() {
    let root = scratch("names");
    let file = root.join("names.toml");
    let service = r#"api,\"v2\""#;
    std::fs::write(&file, NAMED.replace("NAME", service)).unwrap();
    let out = root.join("out");
    ok(&meshsim(&["run", s(&file), "--out", s(&out), "--quiet"]));
    let text = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 20);
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "every row as wide as the header"
    );
    assert!(
        header.contains(&r#"client.users, "eu".ok"#.to_string()),
        "{header:?}"
    );
    assert!(header.iter().any(|h| h.contains(r#"api,"v2""#)), "{header:?}");
    // Exactly the header a reader expects: time_s and every column once.
    assert_eq!(header[0], "time_s");
    let unique: std::collections::BTreeSet<&String> = header.iter().collect();
    assert_eq!(unique.len(), header.len(), "{header:?}");
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn a_name_with_a_line_break_is_a_located_error() {
    let root = scratch("newline");
    let file = root.join("names.toml");
    std::fs::write(&file, NAMED.replace("NAME", r"api\nv2")).unwrap();
    let out = root.join("out");
    let refused = meshsim(&["run", s(&file), "--out", s(&out)]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let err = stderr(&refused);
    assert!(
        err.contains("names.toml:11:") && err.contains("services[0].name"),
        "{err}"
    );
    assert!(err.contains("control characters"), "{err}");
    assert!(!out.exists(), "nothing written");
    std::fs::remove_dir_all(&root).unwrap();
}
