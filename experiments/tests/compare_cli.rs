//! `meshsim compare A B`: each kind of input (builtin, scenario file, run directory), the
//! comparison's directory, the diff figures against the two runs' own summary.json, one seed
//! for both, and bad input (exit 2, nothing written).

use std::path::Path;

use serde_json::Value;

mod common;
use common::{meshsim, ok, scratch, stderr};

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The row of compare.json about `what` and `figure`.
fn row<'a>(cmp: &'a Value, what: &str, figure: &str) -> &'a Value {
    cmp["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["what"] == what && r["figure"] == figure)
        .unwrap_or_else(|| panic!("no row {what} / {figure}"))
}

/// The object called `name` in `summary[list]`.
fn named<'a>(summary: &'a Value, list: &str, name: &str) -> &'a Value {
    summary[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .unwrap()
}

/// Every client and service figure of `cmp` equals the number in the summary.json of its run
/// directory (`a/`, `b/`), and B−A is their difference.
fn assert_figures_match(dir: &Path) {
    let cmp = json(&dir.join("compare.json"));
    let sums = [
        json(&dir.join("a/summary.json")),
        json(&dir.join("b/summary.json")),
    ];
    let client_keys = [
        ("goodput/s", &["goodput_per_s"][..]),
        ("ok", &["ok"]),
        ("degraded", &["degraded"]),
        ("failed", &["failed"]),
        ("ok latency p99 (ms)", &["latency_ok_ms", "p99"]),
    ];
    let mut checked = 0;
    for c in sums[0]["clients"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        for (figure, path) in client_keys {
            let r = row(&cmp, &format!("client {name}"), figure);
            for (side, s) in ["a", "b"].iter().zip(&sums) {
                let mut v = named(s, "clients", name);
                for k in path {
                    v = &v[*k];
                }
                assert_eq!(r[*side].as_f64(), v.as_f64(), "client {name} {figure} in {side}");
            }
            let (a, b) = (r["a"].as_f64().unwrap(), r["b"].as_f64().unwrap());
            let diff = r["b_minus_a"].as_f64().unwrap();
            // Within a rounding of the two numbers' last digits (JSON parsers may differ by an ulp).
            assert!(
                (diff - (b - a)).abs() <= 1e-9 * (a.abs() + b.abs()),
                "{name} {figure}: {diff} vs {b} − {a}"
            );
            checked += 1;
        }
    }
    for s in sums[0]["services"].as_array().unwrap() {
        let name = s["name"].as_str().unwrap();
        for (figure, key) in [
            ("wasted work (slot-s)", "wasted_work_s"),
            ("rejected", "rejected"),
        ] {
            let r = row(&cmp, &format!("service {name}"), figure);
            assert_eq!(r["a"].as_f64(), named(&sums[0], "services", name)[key].as_f64());
            assert_eq!(r["b"].as_f64(), named(&sums[1], "services", name)[key].as_f64());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} figures checked");
}

#[test]
fn two_builtins_give_the_comparison_directory_and_its_figures_are_the_runs_own() {
    let dir = scratch("builtins").join("cmp");
    let out = ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade-protected",
        "--out",
        dir.to_str().unwrap(),
    ]));
    assert!(out.contains("both runs use seed 1"), "{out}");
    assert!(out.contains("goodput/s") && out.contains("B−A"), "{out}");
    for f in [
        "timeline.svg",
        "timeline.png",
        "compare.txt",
        "compare.csv",
        "compare.json",
        "a/.meshsim-run",
        "a/summary.json",
        "a/timeline.svg",
        "b/.meshsim-run",
        "b/anatomy.txt",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let svg = std::fs::read_to_string(dir.join("timeline.svg")).unwrap();
    assert!(svg.contains("A: cascade") && svg.contains("B: cascade-protected"));
    assert_figures_match(&dir);
    // The CSV holds the same rows as the JSON.
    let csv = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    let rows = json(&dir.join("compare.json"))["rows"].as_array().unwrap().len();
    assert_eq!(csv.lines().count(), rows + 1);
    assert!(csv.starts_with("what,figure,a,b,b_minus_a,b_over_a\n"));
    // The same comparison again writes the same bytes.
    let again = dir.parent().unwrap().join("again");
    ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade-protected",
        "--out",
        again.to_str().unwrap(),
    ]));
    for f in [
        "timeline.svg",
        "timeline.png",
        "compare.txt",
        "compare.csv",
        "compare.json",
    ] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
    // A second comparison replaces the first whole.
    ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade",
        "--out",
        dir.to_str().unwrap(),
    ]));
    assert!(
        std::fs::read_to_string(dir.join("compare.txt"))
            .unwrap()
            .contains("B: cascade (")
    );
}

#[test]
fn a_scenario_file_and_a_run_directory_compare_like_the_builtins() {
    let base = scratch("inputs");
    let file = base.join("cascade.toml");
    std::fs::write(&file, ok(&meshsim(&["show", "cascade"]))).unwrap();
    let run_dir = base.join("cp-run");
    ok(&meshsim(&[
        "run",
        "cascade-protected",
        "--out",
        run_dir.to_str().unwrap(),
        "--quiet",
    ]));
    let from_builtins = base.join("builtins");
    ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade-protected",
        "--out",
        from_builtins.to_str().unwrap(),
    ]));
    let mixed = base.join("mixed");
    ok(&meshsim(&[
        "compare",
        file.to_str().unwrap(),
        run_dir.to_str().unwrap(),
        "--out",
        mixed.to_str().unwrap(),
    ]));
    assert_figures_match(&mixed);
    for f in [
        "compare.csv",
        "a/summary.json",
        "b/summary.json",
        "b/timeseries.csv",
    ] {
        assert_eq!(
            std::fs::read(from_builtins.join(f)).unwrap(),
            std::fs::read(mixed.join(f)).unwrap(),
            "{f}: a file and a run directory compare as the builtins do"
        );
    }
    let svg = std::fs::read_to_string(mixed.join("timeline.svg")).unwrap();
    // B's breaker bands, rebuilt from its events.jsonl: A (no breakers) faces a stand-in.
    assert!(svg.contains("only in B: Circuit breakers"), "B's breaker panel");
    assert!(
        svg.contains("upload→classification @ upload-0"),
        "B's breaker rows"
    );
}

#[test]
fn one_seed_for_both_and_set_a_set_b_label_the_herd_pair() {
    let out = ok(&meshsim(&[
        "compare",
        "thundering-herd",
        "thundering-herd",
        "--seed",
        "7",
        "--duration",
        "120s",
        "--set-a",
        "policies.retry.retry.backoff=fixed",
        "--set-b",
        "policies.retry.retry.backoff=full_jitter",
        "--json",
    ]));
    let cmp: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cmp["a"]["seed"], 7);
    assert_eq!(cmp["b"]["seed"], 7);
    assert_eq!(cmp["same_seed"], true);
    assert_eq!(
        cmp["a"]["label"],
        "thundering-herd (policies.retry.retry.backoff=fixed)"
    );
    assert_eq!(
        cmp["b"]["label"],
        "thundering-herd (policies.retry.retry.backoff=full_jitter)"
    );
    assert_ne!(cmp["a"]["scenario_hash"], cmp["b"]["scenario_hash"]);
}

/// Bad input of each kind exits 2, says what is wrong, and leaves no directory.
#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let base = scratch("bad");
    let run_dir = base.join("run");
    ok(&meshsim(&[
        "run",
        "cascade",
        "--out",
        run_dir.to_str().unwrap(),
        "--quiet",
        "--duration",
        "40s",
    ]));
    let bad_file = base.join("bad.toml");
    std::fs::write(&bad_file, "name = 3\n").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["cascade".into(), "no-such-scenario".into()],
            "no scenario file or builtin called `no-such-scenario`",
        ),
        (
            vec!["cascade".into(), bad_file.display().to_string()],
            "bad.toml:1:",
        ),
        (
            vec![
                "cascade".into(),
                "cascade".into(),
                "--set-b".into(),
                "policies.nope.x=1".into(),
            ],
            "policies.nope",
        ),
        (
            vec![
                run_dir.display().to_string(),
                "cascade".into(),
                "--set-a".into(),
                "seed=2".into(),
            ],
            "--set-a cannot change a finished run",
        ),
        (
            vec![base.display().to_string(), "cascade".into()],
            "not a run directory",
        ),
        (
            vec![
                "cascade".into(),
                "cascade".into(),
                "--duration".into(),
                "-5s".into(),
            ],
            "negative duration",
        ),
    ];
    for (i, (args, expected)) in cases.iter().enumerate() {
        let out_dir = base.join(format!("out{i}"));
        let mut all = vec!["compare".to_string()];
        all.extend(args.iter().cloned());
        all.extend(["--out".to_string(), out_dir.display().to_string()]);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let o = meshsim(&refs);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(
            o.stdout.is_empty(),
            "{args:?}: printed {}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(!out_dir.exists(), "{args:?}: {} was created", out_dir.display());
    }
}

#[test]
fn report_of_a_comparison_refuses_flags_that_change_runs() {
    let dir = scratch("report-flags").join("cmp");
    ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade",
        "--duration",
        "40s",
        "--out",
        dir.to_str().unwrap(),
    ]));
    let page = dir.parent().unwrap().join("page.html");
    let o = meshsim(&[
        "report",
        dir.to_str().unwrap(),
        "--seed",
        "3",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--seed cannot change its runs"),
        "{}",
        stderr(&o)
    );
    assert!(!page.exists());
    ok(&meshsim(&[
        "report",
        dir.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("id=\"diff\"") && html.contains("id=\"anatomy-b\""));
}

#[test]
fn a_scenario_takes_the_seed_of_the_run_directory_it_is_compared_with() {
    let base = scratch("dir-seed");
    let run_dir = base.join("run");
    ok(&meshsim(&[
        "run",
        "cascade",
        "--seed",
        "5",
        "--duration",
        "40s",
        "--quiet",
        "--out",
        run_dir.to_str().unwrap(),
    ]));
    for args in [
        [
            "compare",
            "cascade-protected",
            run_dir.to_str().unwrap(),
            "--json",
        ],
        [
            "compare",
            run_dir.to_str().unwrap(),
            "cascade-protected",
            "--json",
        ],
    ] {
        let cmp: Value = serde_json::from_str(&ok(&meshsim(&args))).unwrap();
        assert_eq!(
            (&cmp["a"]["seed"], &cmp["b"]["seed"]),
            (&Value::from(5), &Value::from(5)),
            "{args:?}"
        );
    }
}

/// A run directory's buckets are as wide as its run's (from its scenario.toml), even with one
/// bucket in its time series: read back, it draws the timeline a fresh run draws. Before, the
/// width came from the CSV's second row, or was taken as 1 s, so per-second values were 10×
/// too high.
#[test]
fn a_run_directory_keeps_its_runs_bucket_width() {
    let base = scratch("bucket-width");
    let run_dir = base.join("m10");
    let args = ["--duration", "10s", "--set", "bucket=10s"];
    let mut run = vec!["run", "mmc", "--quiet", "--out", run_dir.to_str().unwrap()];
    run.extend(args);
    ok(&meshsim(&run));
    let read_back = base.join("read-back");
    let r = read_back.to_str().unwrap();
    ok(&meshsim(&[
        "compare",
        run_dir.to_str().unwrap(),
        run_dir.to_str().unwrap(),
        "--out",
        r,
    ]));
    let fresh = base.join("fresh");
    let mut cmp = vec!["compare", "mmc", "mmc", "--out", fresh.to_str().unwrap()];
    cmp.extend(args);
    ok(&meshsim(&cmp));
    let svg = |d: &Path| std::fs::read_to_string(d.join("timeline.svg")).unwrap();
    let (back, new) = (svg(&read_back), svg(&fresh));
    assert!(new.contains("buckets of 10s"), "the fresh run's width");
    assert!(back.contains("buckets of 10s"), "the read-back run's width");
    // The same curves: every path the fresh pair draws, the read-back pair draws too.
    let paths = |s: &str| {
        s.lines()
            .filter(|l| l.contains("<path") || l.contains("<polyline"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&back), paths(&new), "the same values per second");
}

/// A comparison directory given as a side is named as one, with its runs to give instead
/// (before: "unexpected file name `a/summary.json`"); a run directory refusing --seed gives a
/// command that runs its scenario with the seed asked for, and without --seed, with the seed
/// the run used (its scenario.toml keeps the file's seed = 1).
#[test]
fn a_comparison_directory_and_a_refused_seed_say_what_to_run_instead() {
    let base = scratch("cmp-as-side");
    let cmp = base.join("cmp");
    let c = cmp.to_str().unwrap();
    ok(&meshsim(&[
        "compare",
        "cascade",
        "cascade",
        "--duration",
        "40s",
        "--out",
        c,
    ]));
    let o = meshsim(&["compare", c, "cascade"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("is a comparison directory"), "{err}");
    assert!(err.contains(&format!("{c}/a or {c}/b")), "{err}");
    let run_dir = base.join("r7");
    let r = run_dir.to_str().unwrap();
    ok(&meshsim(&[
        "run",
        "cascade",
        "--seed",
        "7",
        "--duration",
        "40s",
        "--quiet",
        "--out",
        r,
    ]));
    let o = meshsim(&["compare", "cascade", r, "--seed", "3"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("meshsim compare cascade {r}/scenario.toml --seed 3")),
        "{err}"
    );
    let o = meshsim(&["compare", r, "cascade", "--set", "duration=30s"]);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "meshsim compare {r}/scenario.toml cascade --seed 7 --set duration=30s"
        )),
        "{err}"
    );
}
