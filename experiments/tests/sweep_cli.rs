//! `meshsim sweep` and `meshsim merge` as a user runs them: a sweep killed with SIGKILL and
//! resumed writes the same files as one left alone; shards and merge through the CLI; bad sweep
//! files are located errors with exit code 2 and nothing written; nothing but a short summary
//! on stdout, and no progress bar when stderr is not a terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;
use common::tree::assert_same_tree;
use common::{MESHSIM, meshsim, ok, scratch};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A scenario small enough for a debug build: an API calling a database that is slow for a
/// while (shared with the library's sweep tests, `tests/tests/workspace/sweep_runs.rs`).
const BASE: &str = include_str!("fixtures/sweep-base.toml");

/// 4 × 2 points × 5 replications = 40 runs, each three times as long as the library tests' so
/// that a sweep at one thread lasts long enough to be killed half-way.
const SWEEP: &str = r#"name = "cli-sweep"
base = "base.toml"
seed = 5
replications = 5
metrics = ["client.users.goodput_per_s", "client.users.recovery_s", "edge.api→db.attempts"]
set = { duration = "180s" }

[[axes]]
path = "policies.db.timeouts.read"
values = ["250ms", "500ms", "1s", "2s"]

[[axes]]
path = "policies.db.retry.max_attempts"
values = [1, 3]
"#;

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    std::fs::write(dir.join("base.toml"), BASE).unwrap();
    let sweep = dir.join("sweep.toml");
    std::fs::write(&sweep, SWEEP).unwrap();
    (dir, sweep)
}

fn run_files(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("runs")).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .count()
    })
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let (dir, sweep) = setup("kill");
    let killed = dir.join("killed");
    let mut child = Command::new(MESHSIM)
        .args(["sweep", s(&sweep), "--out", s(&killed), "--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no chance to clean up) once a few runs are on disk.
    while run_files(&killed) < 3 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the sweep ended ({status}) before it could be killed");
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = run_files(&killed);
    assert!(left < 40, "the sweep was killed before its end ({left} runs)");
    assert!(!killed.join("runs.csv").exists(), "no final file before the end");

    // Without --resume the directory is refused, and left alone.
    let refused = meshsim(&["sweep", s(&sweep), "--out", s(&killed)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));

    let resumed = ok(&meshsim(&[
        "sweep",
        s(&sweep),
        "--out",
        s(&killed),
        "--resume",
        "--threads",
        "2",
    ]));
    assert!(resumed.contains("already done"), "{resumed}");
    let whole = dir.join("whole");
    ok(&meshsim(&[
        "sweep",
        s(&sweep),
        "--out",
        s(&whole),
        "--threads",
        "2",
    ]));
    assert_same_tree(&whole, &killed);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_through_the_cli_merge_into_the_files_of_one_run() {
    let (dir, sweep) = setup("shards");
    let whole = dir.join("whole");
    let out = meshsim(&["sweep", s(&sweep), "--out", s(&whole), "--threads", "2"]);
    let stdout = ok(&out);
    // stdout: a short summary only; stderr: nothing (no progress bar off a terminal).
    assert!(stdout.lines().count() <= 4, "{stdout}");
    assert!(stdout.contains("40 runs"), "{stdout}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    for k in 1..=3 {
        let d = dir.join(format!("shard{k}"));
        let shard = format!("{k}/3");
        let text = ok(&meshsim(&[
            "sweep",
            s(&sweep),
            "--out",
            s(&d),
            "--shard",
            &shard,
            "--resume",
        ]));
        assert!(text.contains("meshsim merge"), "{text}");
    }
    let merged = dir.join("merged");
    ok(&meshsim(&[
        "merge",
        s(&merged),
        s(&dir.join("shard1")),
        s(&dir.join("shard2")),
        s(&dir.join("shard3")),
    ]));
    assert_same_tree(&whole, &merged);
    let merged2 = dir.join("merged2");
    ok(&meshsim(&[
        "merge",
        "--out",
        s(&merged2),
        s(&dir.join("shard3")),
        s(&dir.join("shard1")),
        s(&dir.join("shard2")),
    ]));
    assert_same_tree(&whole, &merged2);
    let missing = meshsim(&["merge", s(&dir.join("m3")), s(&dir.join("shard1"))]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("is missing"));
    let nowhere = dir.join("bad-shard");
    let bad_shard = meshsim(&["sweep", s(&sweep), "--shard", "4/3", "--out", s(&nowhere)]);
    assert_eq!(bad_shard.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_shard.stderr).contains("--shard"));
    assert!(!nowhere.exists(), "nothing written for a bad --shard");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_sweep_files_are_located_and_write_nothing() {
    let (dir, sweep) = setup("bad");
    let out = dir.join("out");
    for (from, to, needle) in [
        (
            "values = [1, 3]",
            "values = [1, 0]",
            "sweep.toml:14:14: axes[1].values[1]: policies.db.retry.max_attempts",
        ),
        (
            "\"edge.api→db.attempts\"",
            "\"edge.api→db.atempts\"",
            "metrics[2]: expected a numeric field of `edge.api→db`",
        ),
        (
            "replications = 5",
            "replications = -1",
            "sweep.toml:4:16: replications",
        ),
    ] {
        std::fs::write(&sweep, SWEEP.replacen(from, to, 1)).unwrap();
        let r = meshsim(&["sweep", s(&sweep), "--out", s(&out)]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        assert!(r.stdout.is_empty());
        assert!(!out.exists(), "nothing written");
    }
    std::fs::write(&sweep, SWEEP).unwrap();
    let check = ok(&meshsim(&["sweep", s(&sweep), "--out", s(&out), "--check"]));
    assert!(check.contains("8 points") && check.contains("40 runs"), "{check}");
    assert!(!out.exists(), "--check writes nothing");
    std::fs::remove_dir_all(&dir).unwrap();
}
