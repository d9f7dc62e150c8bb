//! The `meshsim` binary as a user runs it: the M/M/c builtin reproduces Erlang C through the
//! CLI, outputs are byte-identical for the same seed, bad input is a located error with exit
//! code 2 and nothing written, a limit is exit code 3 with partial results marked.

use std::process::Output;

use serde_json::Value;
use sim_core::stats::ci::mean_ci;
use sim_core::stats::theory::{erlang_c, mmc_wq};

mod common;
use common::tree::{assert_same_tree, tree};
use common::{meshsim, ok, scratch, stderr};

fn json(out: &Output) -> Value {
    serde_json::from_str(&ok(out)).expect("--json prints JSON")
}

/// Independent replications of the `mmc` builtin (λ = 9, μ = 1, c = 10) through the CLI:
/// Erlang C's Wq and P(wait) must lie inside the 99% Student-t intervals of the replication
/// means.
#[test]
fn mmc_through_the_cli_reproduces_erlang_c() {
    let (lambda, mu, c) = (9.0, 1.0, 10);
    let mut wq = Vec::new();
    let mut p_wait = Vec::new();
    for seed in 1..=10u64 {
        let s = json(&meshsim(&[
            "run",
            "mmc",
            "--json",
            "--seed",
            &seed.to_string(),
            "--duration",
            "10000s",
        ]));
        let station = &s["services"][0];
        wq.push(station["queue_wait_ms"]["mean"].as_f64().unwrap() / 1000.0);
        p_wait.push(station["waited_fraction"].as_f64().unwrap());
    }
    let wq_ci = mean_ci(&wq, 0.99).unwrap();
    let p_ci = mean_ci(&p_wait, 0.99).unwrap();
    let (wq_theory, p_theory) = (mmc_wq(lambda, mu, c), erlang_c(c, lambda / mu));
    assert!(wq_ci.contains(wq_theory), "Wq {wq_ci:?} vs Erlang C {wq_theory}");
    assert!(p_ci.contains(p_theory), "P(wait) {p_ci:?} vs Erlang C {p_theory}");
}

#[test]
fn the_same_seed_writes_byte_identical_outputs() {
    let dir = scratch("same-seed");
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    // The second run also checks invariants after every event: checking must change nothing.
    for (dir, seed, check) in [(&a, "5", false), (&b, "5", true), (&c, "6", false)] {
        let mut args = vec![
            "run",
            "cascade",
            "--seed",
            seed,
            "--duration",
            "90s",
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
            "--trace",
            "chrome",
            "--trace",
            "otlp",
            "--trace-sample",
            "0.1",
        ];
        if check {
            args.push("--check-invariants");
        }
        let out = meshsim(&args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let (fa, fc) = (tree(&a), tree(&c));
    let names: Vec<&str> = fa.keys().map(String::as_str).collect();
    for expected in [
        "summary.json",
        "timeseries.csv",
        "events.jsonl",
        "timeline.svg",
        "timeline.png",
        "topology.svg",
        "topology.png",
        "anatomy.txt",
        "trace.chrome.json",
        "trace.otlp.json",
    ] {
        assert!(names.contains(&expected), "{expected} written: {names:?}");
    }
    // Same seed, same bytes, with or without --check-invariants.
    assert_same_tree(&a, &b);
    // Another seed, other results (the summary would differ by its `seed` field alone).
    assert_ne!(fa.get("timeseries.csv"), fc.get("timeseries.csv"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_json_summary_has_its_documented_fields() {
    let s = json(&meshsim(&["run", "cascade", "--json", "--duration", "60s"]));
    for key in [
        "meshsim_version",
        "scenario_hash",
        "scenario",
        "seed",
        "duration_s",
        "events",
        "stop",
        "clients",
        "services",
        "edges",
    ] {
        assert!(s.get(key).is_some(), "{key}");
    }
    let client = &s["clients"][0];
    for key in [
        "requests",
        "ok",
        "degraded",
        "failed",
        "failed_by",
        "latency_ms",
        "goodput_per_s",
    ] {
        assert!(client.get(key).is_some(), "clients[].{key}");
    }
    for key in ["mean", "p50", "p90", "p99", "max"] {
        assert!(client["latency_ms"].get(key).is_some(), "latency_ms.{key}");
    }
    let edge = &s["edges"][0];
    for key in [
        "calls",
        "attempts",
        "retries",
        "attempt_failures_by",
        "failed_by",
        "breaker_rejections",
        "bulkhead_rejections",
        "budget_rejections",
    ] {
        assert!(edge.get(key).is_some(), "edges[].{key}");
    }
    let service = &s["services"][0];
    for key in [
        "arrivals",
        "completed_ok",
        "rejected",
        "queue_wait_ms",
        "service_time_ms",
        "mean_in_flight",
        "utilisation",
        "pods",
    ] {
        assert!(service.get(key).is_some(), "services[].{key}");
    }
    assert_eq!(s["scenario_hash"].as_str().unwrap().len(), 16);
}

#[test]
fn bad_input_is_located_exits_2_and_writes_nothing() {
    let root = scratch("bad");
    let (dir, file) = (root.join("out"), root.join("bad.toml"));
    let text = "name = \"bad\"\nduration = \"60s\"\n\n[[services]]\nname = \"api\"\nslots = 10\nreplicas = -2\nsteps = []\n";
    std::fs::write(&file, text).unwrap();
    let out = meshsim(&["run", file.to_str().unwrap(), "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(":7:") && err.contains("services[0].replicas"),
        "{err}"
    );
    assert!(!dir.exists(), "nothing written on bad input");
    // Overrides, unknown builtins and bad flags too.
    let out = meshsim(&[
        "run",
        "cascade",
        "--set",
        "services.nope.replicas=2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--set"));
    assert!(!dir.exists());
    assert_eq!(meshsim(&["run", "no-such-scenario"]).status.code(), Some(2));
    // With two mistakes, the scenario's is told first (then the trace flags').
    let out = meshsim(&["run", "no-such-scenario", "--trace", "chrome"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no scenario file or builtin"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        meshsim(&["run", "cascade", "--duration", "15"]).status.code(),
        Some(2)
    );
    assert_eq!(
        meshsim(&["validate", file.to_str().unwrap()]).status.code(),
        Some(2)
    );
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_limit_hit_exits_3_and_marks_the_results_partial() {
    let out = meshsim(&["run", "cascade", "--json", "--set", "limits.max_events=2000"]);
    assert_eq!(out.status.code(), Some(3));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["stop"]["partial"], true);
    assert_eq!(s["stop"]["reason"], "max_events");
    assert!(stderr(&out).contains("max events"));
}

#[test]
fn list_show_and_validate() {
    let dir = scratch("show");
    let out = meshsim(&["list"]);
    assert!(out.status.success());
    let list = String::from_utf8_lossy(&out.stdout).to_string();
    for name in [
        "cascade",
        "cascade-protected",
        "thundering-herd",
        "breaker",
        "bulkhead",
        "deadline",
        "probes",
        "discovery",
        "metastable",
        "mmc",
    ] {
        assert!(list.lines().any(|l| l.starts_with(name)), "{name} listed");
        let shown = meshsim(&["show", name]);
        assert!(shown.status.success());
        // What `show` prints is a scenario file that validates as is.
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, &shown.stdout).unwrap();
        let v = meshsim(&["validate", file.to_str().unwrap()]);
        assert!(v.status.success(), "{name}: {}", stderr(&v));
    }
    assert_eq!(meshsim(&["show", "nope"]).status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A reader that stops early (`meshsim run metastable | head -1`) ends meshsim quietly: exit 0,
/// nothing on stderr, no panic. The pipe is closed before meshsim prints anything.
#[test]
fn a_closed_stdout_ends_meshsim_quietly() {
    use std::process::Stdio;
    let mut child = std::process::Command::new(common::MESHSIM)
        .args(["run", "mmc", "--duration", "20s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshsim starts");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("meshsim ends");
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(0), "stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}

/// The unit traps: a fault the shortened run never reaches and a bare-number duration are
/// refused (exit 2, nothing written); a resilience4j rate below 1 is a located warning on stderr
/// that leaves stdout and the outputs alone.
#[test]
fn unit_traps_are_refused_or_warned_about_on_stderr() {
    let root = scratch("traps");
    let dir = root.join("out");
    // breaker's backend goes down from 30 s: a 20 s run never gets there.
    let out = meshsim(&[
        "run",
        "breaker",
        "--duration",
        "20s",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for part in [
        "faults[0].from",
        "starts at 30s",
        "end of the run, 20s",
        "--duration",
    ] {
        assert!(err.contains(part), "{part:?} missing in:\n{err}");
    }
    assert!(!dir.exists(), "nothing written on bad input");
    let out = meshsim(&["run", "breaker", "--duration", "200"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean \"200ms\" or \"200s\"?"),
        "{}",
        stderr(&out)
    );

    let rate = "policies.guarded.breaker.failure_rate=0.5";
    let out = meshsim(&["validate", "breaker", "--set", rate]);
    let stdout = ok(&out);
    assert!(
        stdout.starts_with("builtin:breaker: ok (") && stdout.lines().count() == 1,
        "{stdout}"
    );
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!(
            "warning: builtin:breaker: --set {rate}: policies.guarded.breaker.failure_rate: 0.5 means \
             0.5 %: resilience4j's rate is a percentage\n"
        )),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with("= help: if 50 % was meant, write 50"),
        "{err}"
    );
    // `run` warns the same way; stdout is the summary alone, and the file's own value (rate 50)
    // gives no warning at all.
    let out = meshsim(&["run", "breaker", "--json", "--duration", "40s", "--set", rate]);
    let stdout = ok(&out);
    assert!(stdout.starts_with('{') && !stdout.contains("warning"), "{stdout}");
    assert!(stderr(&out).contains("0.5 means 0.5 %"), "{}", stderr(&out));
    let out = meshsim(&["run", "breaker", "--json", "--duration", "40s"]);
    ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(root);
}
