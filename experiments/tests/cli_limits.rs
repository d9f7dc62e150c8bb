//! Hostile limits through the binary: every limit has a ceiling, and a value above it is a
//! located error (file:line:column or the `--set` argument, the key path, the range, the
//! ceiling) with exit code 2 and nothing written; the ceiling itself is accepted. A ramp to a
//! huge rate stops at `max_events` at once (exit 3) instead of spinning inside one event.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

mod common;
use common::{meshsim, meshsim_within, ok, scratch, stderr};

/// Asserts that `out` is bad input (exit 2) whose message holds every one of `parts`, and that
/// `dir` was not created.
#[track_caller]
fn assert_refused(out: &Output, parts: &[&str], dir: &Path) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for part in parts {
        assert!(err.contains(part), "`{part}` missing from:\n{err}");
    }
    assert!(!dir.exists(), "nothing written on bad input");
}

/// A scenario file: one service, and `limits` as given.
fn limits_file(dir: &Path, key: &str, value: u64) -> String {
    let text = format!(
        "name = \"l\"\nduration = \"1s\"\n\n[limits]\n{key} = {value}\n\n[[services]]\nname = \"a\"\nslots = 1\nsteps = []\n"
    );
    let file = dir.join(format!("{key}.toml"));
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn every_limit_above_its_ceiling_is_a_located_error() {
    let root = scratch("ceilings");
    let out_dir = root.join("out");
    let out = out_dir.to_str().unwrap();
    for (key, ceiling) in [
        ("max_events", 1_000_000_000_000u64),
        ("max_pending", 5_000_000),
        ("max_log_entries", 1_000_000),
        ("max_buckets", 100_000),
    ] {
        // In a file: line 5, column of the value.
        let file = limits_file(&root, key, ceiling + 1);
        let found = meshsim(&["run", &file, "--out", out]);
        let at = format!(".toml:5:{}: limits.{key}", key.len() + 4);
        let range = format!("and {ceiling}, found {}", ceiling + 1);
        let help = format!("{ceiling} is the ceiling of this limit");
        assert_refused(&found, &[&at, &range, &help], &out_dir);
        // In an override.
        let set = format!("limits.{key}={}", ceiling + 1);
        let found = meshsim(&["run", "mmc", "--set", &set, "--out", out]);
        assert_refused(&found, &[&format!("--set {set}"), &range, &help], &out_dir);
        // The ceiling itself is a valid value.
        ok(&meshsim(&["validate", &limits_file(&root, key, ceiling)]));
    }
    // i64::MAX, the value that filled 5.9 GB with log entries in 5 s.
    let found = meshsim(&[
        "run",
        "mmc",
        "--set",
        "limits.max_log_entries=9223372036854775807",
    ]);
    assert_refused(&found, &["limits.max_log_entries", "ceiling"], &out_dir);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn trace_max_spans_above_its_ceiling_is_refused_and_writes_nothing() {
    let root = scratch("spans");
    let dir = root.join("out");
    let out = dir.to_str().unwrap();
    let args = [
        "run",
        "mmc",
        "--out",
        out,
        "--trace",
        "chrome",
        "--trace-max-spans",
    ];
    let found = meshsim(&[&args[..], &["1000001"]].concat());
    assert_refused(
        &found,
        &["--trace-max-spans", "at most 1000000", "found 1000001"],
        &dir,
    );
    // The ceiling is accepted (a short run, to write little).
    let found = meshsim(&[&args[..], &["1000000", "--duration", "1s"]].concat());
    ok(&found);
    assert!(dir.join("trace.chrome.json").exists());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn open_loop_rates_above_one_per_nanosecond_are_refused() {
    let root = scratch("rates");
    let dir = root.join("out");
    let out = dir.to_str().unwrap();
    for schedule in [
        "[{ at = \"1s\", ramp_to = 1e12, until = \"2s\" }]",
        "[{ at = \"1s\", spike = 2e9, for = \"1s\" }]",
        "[{ at = \"1s\", rate = 1000000001 }]",
    ] {
        let set = format!("clients.poisson.load.schedule={schedule}");
        let found = meshsim(&["run", "mmc", "--set", &set, "--out", out]);
        assert_refused(
            &found,
            &["clients[0].load.schedule[0].", "a rate between 0 and 1e9"],
            &dir,
        );
    }
    let found = meshsim(&[
        "run",
        "mmc",
        "--set",
        "clients.poisson.load.rate=1.5e9",
        "--out",
        out,
    ]);
    assert_refused(
        &found,
        &["clients[0].load.rate", "a rate between 0 and 1e9"],
        &dir,
    );
    std::fs::remove_dir_all(root).unwrap();
}

/// The regression of the ramp hang (issue: a ramp to 1e12/s ran for ever at 100% CPU whatever
/// `max_events` said). At the ceiling rate, over a ramp a million seconds long, thinning drew
/// about 10^9 candidates for the first thousand events; inversion draws one per arrival.
#[test]
fn a_ramp_to_the_ceiling_rate_stops_at_max_events_at_once() {
    let found = meshsim_within(
        &[
            "run",
            "mmc",
            "--set",
            "clients.poisson.load.schedule=[{ at = \"1s\", ramp_to = 1e9, until = \"1000000s\" }]",
            "--set",
            "limits.max_events=2000",
        ],
        Duration::from_secs(15),
    );
    assert_eq!(found.status.code(), Some(3), "{}", stderr(&found));
    assert!(
        stderr(&found).contains("max events limit (2000)"),
        "{}",
        stderr(&found)
    );
}

/// `count` services of `replicas` pods, each calling every later one (a DAG).
fn services_file(dir: &Path, name: &str, count: usize, replicas: u32) -> String {
    let mut text = format!("name = \"{name}\"\nduration = \"1s\"\n");
    for i in 0..count {
        let calls: Vec<String> = (i + 1..count).map(|j| format!("{{ call = \"s{j}\" }}")).collect();
        text += &format!(
            "\n[[services]]\nname = \"s{i}\"\nreplicas = {replicas}\nslots = 1\nsteps = [{}]\n",
            calls.join(", ")
        );
    }
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn total_pods_and_pod_pairs_have_ceilings() {
    let root = scratch("pods");
    let dir = root.join("out");
    let out = dir.to_str().unwrap();
    // 10 000 pods in 10 services that call no one: accepted; 11 000: refused at the 11th
    // service's replicas (line 6 + 6 × 10 = 66).
    let mut text = String::from("name = \"many\"\nduration = \"1s\"\n");
    for i in 0..11 {
        text += &format!("\n[[services]]\nname = \"s{i}\"\nreplicas = 1000\nslots = 1\nsteps = []\n");
    }
    let file = root.join("many.toml");
    std::fs::write(&file, &text).unwrap();
    let found = meshsim(&["run", file.to_str().unwrap(), "--out", out]);
    assert_refused(
        &found,
        &[
            "many.toml:66:12: services[10].replicas",
            "at most 10000 pods",
            "11000 pods",
        ],
        &dir,
    );
    let ten: String = text
        .split("\n[[services]]")
        .take(11)
        .collect::<Vec<_>>()
        .join("\n[[services]]");
    std::fs::write(&file, ten).unwrap();
    ok(&meshsim(&["validate", file.to_str().unwrap()]));
    // Every pair of 1000-pod services calling each other: 7 services make 21 M pod pairs
    // (accepted), 8 make 28 M (refused at the call that crosses 25 M).
    ok(&meshsim(&["validate", &services_file(&root, "seven", 7, 1000)]));
    let found = meshsim(&["run", &services_file(&root, "eight", 8, 1000), "--out", out]);
    assert_refused(
        &found,
        &[
            "eight.toml:",
            ".steps[",
            "at most 25000000 (caller pod, callee pod) pairs",
        ],
        &dir,
    );
    std::fs::remove_dir_all(root).unwrap();
}
