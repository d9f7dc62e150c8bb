//! Hostile input through the CLI (issue 19): special files and oversized files as input, files
//! that are not UTF-8, bad output directories, seeds across the whole `u64` range, names that
//! look like numbers or hold control characters, flag combinations that were silently wrong.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

mod common;
use common::{MESHSIM, meshsim, meshsim_within, ok, scratch, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `meshsim args`, failing if it takes more than 60 s: a run that blocks forever on a
/// FIFO or reads `/dev/zero` until memory runs out must fail the test, not hang it.
#[track_caller]
fn bounded(args: &[&str]) -> Output {
    meshsim_within(args, Duration::from_secs(60))
}

/// Exit code 2 and `needle` in the message.
#[track_caller]
fn refused(out: &Output, needle: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(needle), "{needle:?} not in: {err}");
    err
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_as_such_by_every_reader() {
    let dir = scratch("special");
    let adir = dir.join("adir");
    std::fs::create_dir(&adir).unwrap();
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    for (path, kind) in [
        (s(&adir), "it is a directory"),
        (s(&fifo), "it is a FIFO"),
        ("/dev/null", "it is a character device"),
        ("/dev/zero", "it is a character device"),
        ("/dev/urandom", "it is a character device"),
    ] {
        for cmd in [
            &["run", path][..],
            &["validate", path],
            &["sweep", path],
            &["report", path, "-o", "x.html"],
        ] {
            let out = bounded(cmd);
            refused(&out, &format!("cannot read {path}: {kind}"));
        }
    }
    // A directory named after a builtin does not hide the builtin (`--out cascade` is natural).
    let cwd_builtin = dir.join("cascade");
    std::fs::create_dir(&cwd_builtin).unwrap();
    let out = Command::new(MESHSIM)
        .args(["validate", "cascade"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(ok(&out).starts_with("builtin:cascade: ok"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_input_over_the_ceiling_is_refused_before_it_is_read() {
    let dir = scratch("large");
    let big = dir.join("big.toml");
    let ceiling = experiments::input::MAX_INPUT_BYTES;
    std::fs::write(&big, vec![b'#'; ceiling as usize + 1]).unwrap();
    for cmd in ["run", "validate", "sweep"] {
        let out = bounded(&[cmd, s(&big)]);
        refused(
            &out,
            &format!("it is {} bytes, larger than the {ceiling} bytes", ceiling + 1),
        );
    }
    // At the ceiling it is read (and is a scenario without a name).
    std::fs::write(&big, vec![b'#'; ceiling as usize]).unwrap();
    refused(&meshsim(&["validate", s(&big)]), "name");
    // A long line makes a short message: the snippet is cut around the column.
    let long = dir.join("long.toml");
    std::fs::write(&long, format!("name = \"{}\" oops", "n".repeat(3_000_000))).unwrap();
    let err = refused(&meshsim(&["validate", s(&long)]), "long.toml:1:3000011:");
    assert!(err.len() < 2_000, "a {}-byte message", err.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_that_is_not_utf8_names_the_first_bad_byte() {
    let dir = scratch("utf8");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, b"name = \"x\"\nduration = \"1s\"\n# caf\xc3\xa9 \xff\n").unwrap();
    for cmd in ["run", "validate", "sweep"] {
        refused(
            &meshsim(&[cmd, s(&bad)]),
            &format!(
                "{}:3:8: not UTF-8 text: the first invalid byte is at byte offset 35",
                s(&bad)
            ),
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn an_out_that_is_not_a_directory_is_refused_before_the_run() {
    let dir = scratch("out");
    let file = dir.join("afile");
    std::fs::write(&file, "mine").unwrap();
    let dangling = dir.join("dangling");
    std::os::unix::fs::symlink(dir.join("nowhere"), &dangling).unwrap();
    let base = dir.join("base.toml");
    std::fs::write(&base, include_str!("fixtures/sweep-base.toml")).unwrap();
    let sweep = dir.join("sweep.toml");
    let sweep_text = "name = \"o\"\nbase = \"base.toml\"\nreplications = 1\nmetrics = [\"client.users.goodput_per_s\"]\nset = { duration = \"2s\", faults = [] }\n\n[[axes]]\npath = \"clients.users.load.rate\"\nvalues = [10]\n";
    std::fs::write(&sweep, sweep_text).unwrap();
    for out in [&file, &dangling] {
        let run = meshsim(&["run", "cascade", "--duration", "1s", "--out", s(out)]);
        refused(&run, &format!("--out {}: it is ", s(out)));
        let sw = meshsim(&["sweep", s(&sweep), "--out", s(out), "--quiet"]);
        refused(&sw, &format!("--out {}: it is ", s(out)));
    }
    refused(
        &meshsim(&["run", "cascade", "--out", s(&file)]),
        "it is a file, not a directory",
    );
    refused(
        &meshsim(&["run", "cascade", "--out", s(&dangling)]),
        "it is a symbolic link to",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    assert!(!dir.join("nowhere").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_determinism_refuses_an_out_it_would_ignore() {
    let dir = scratch("determinism-out");
    let d = dir.join("D");
    let out = meshsim(&[
        "run",
        "cascade",
        "--duration",
        "1s",
        "--check-determinism",
        "--out",
        s(&d),
    ]);
    refused(&out, "--check-determinism writes nothing, so --out");
    assert!(!d.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_negative_duration_flag_is_a_duration_error() {
    for cmd in [&["run"][..], &["report", "-o", "never.html"]] {
        let args: Vec<&str> = cmd
            .iter()
            .copied()
            .chain(["cascade", "--duration", "-5s"])
            .collect();
        let out = meshsim(&args);
        refused(&out, "--duration -5s: a negative duration");
    }
}

#[test]
fn control_characters_in_names_are_escaped_on_the_terminal() {
    let dir = scratch("controls");
    // A name with control characters is refused at load time (docs/scenarios.md, "Names"); the
    // refusal quotes the name escaped, so the terminal never receives them raw.
    let name = r#"clients[0].name="up\u001b[2J\u0007loaders""#;
    let out = meshsim(&[
        "run",
        "cascade",
        "--duration",
        "5s",
        "--set",
        name,
        "--out",
        s(&dir.join("out")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(r#"found "up\u001B[2J\u0007loaders""#), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    assert!(!dir.join("out").exists());
    // Errors too: the file name and the snippet are escaped.
    let bad = dir.join("bad\u{1b}[31m.toml");
    // (A raw control character in a TOML string is a syntax error, shown with its line.)
    std::fs::write(&bad, "name = \"\u{1b}]0;owned\u{7}\"\nduration = 5\n").unwrap();
    let err = stderr(&meshsim(&["validate", s(&bad)]));
    assert!(err.contains(r"bad\u{1b}[31m.toml:1:9"), "{err}");
    assert!(err.contains(r#"name = "\u{1b}]0;owned\u{7}""#), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    // Ordinary names are unchanged: the builtin's table has its own names.
    let plain = ok(&meshsim(&["run", "cascade", "--duration", "35s", "--quiet"]));
    assert!(plain.contains("\nuploaders "), "{plain}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn names_that_read_as_non_finite_numbers_pass_swarm_checks() {
    let dir = scratch("nan-names");
    // The client is called NaN, a service inf (and its policy keeps its name).
    let text = include_str!("fixtures/sweep-base.toml")
        .replace("name = \"users\"", "name = \"NaN\"")
        .replace("name = \"db\"", "name = \"inf\"")
        .replace("call = \"db\"", "call = \"inf\"")
        .replace("service = \"db\"", "service = \"inf\"");
    let file = dir.join("nan.toml");
    std::fs::write(&file, &text).unwrap();
    ok(&meshsim(&["validate", s(&file)]));
    let out = meshsim(&["swarm", "--file", s(&file)]);
    let stdout = ok(&out);
    assert!(stdout.contains("every check passed"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every seed meshsim prints replays: swarm's largest seed loads and passes, and each seed of a
/// sweep's runs.csv — about half of them 2^63 or more — replays through `--set seed=N` and
/// through `--seed N` to the same run.
#[test]
fn every_printed_seed_replays() {
    let max = u64::MAX.to_string();
    let out = meshsim(&["swarm", "--seed", &max, "--toml", "--shrink-tries", "0"]);
    let stdout = ok(&out);
    assert!(stdout.contains(&format!("seed = \"{max}\"")), "{stdout}");
    // The same seed in hexadecimal is the same scenario.
    let hex = ok(&meshsim(&[
        "swarm",
        "--seed",
        "0xffffffffffffffff",
        "--toml",
        "--shrink-tries",
        "0",
    ]));
    assert_eq!(hex, stdout);
    // The largest seed is reachable in a range too (seeds start..start + count).
    let last = ok(&meshsim(&["swarm", "--seed", &max, "--count", "1", "--quiet"]));
    assert!(
        last.starts_with("swarm: 1 seed passed (18446744073709551615..=18446744073709551615)"),
        "{last}"
    );
    refused(
        &meshsim(&["swarm", "--seed", &max, "--count", "2"]),
        "goes past the largest seed",
    );

    let dir = scratch("seeds");
    std::fs::write(dir.join("base.toml"), include_str!("fixtures/sweep-base.toml")).unwrap();
    let sweep = dir.join("sweep.toml");
    let sweep_text = "name = \"seeds\"\nbase = \"base.toml\"\nseed = 18446744073709551615\nreplications = 6\nmetrics = [\"client.users.requests\"]\nset = { duration = \"3s\", faults = [] }\n\n[[axes]]\npath = \"clients.users.load.rate\"\nvalues = [20]\n";
    std::fs::write(&sweep, sweep_text).unwrap();
    let out_dir = dir.join("out");
    ok(&meshsim(&[
        "sweep",
        s(&sweep),
        "--out",
        s(&out_dir),
        "--quiet",
        "--threads",
        "1",
    ]));
    let runs = std::fs::read_to_string(out_dir.join("runs.csv")).unwrap();
    let header: Vec<&str> = runs.lines().next().unwrap().split(',').collect();
    let seed_col = header.iter().position(|h| *h == "seed").unwrap();
    let requests_col = header.iter().position(|h| *h == "client.users.requests").unwrap();
    let mut big = 0;
    for row in runs.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        let seed: u64 = cells[seed_col].parse().unwrap();
        big += usize::from(seed > i64::MAX as u64);
        let base = dir.join("base.toml");
        let common = [
            "run",
            s(&base),
            "--set",
            "duration=3s",
            "--set",
            "faults=[]",
            "--set",
            "clients.users.load.rate=20",
            "--json",
        ];
        for how in [
            ["--set".to_string(), format!("seed={seed}")],
            ["--seed".to_string(), seed.to_string()],
        ] {
            let args: Vec<&str> = common
                .iter()
                .copied()
                .chain(how.iter().map(String::as_str))
                .collect();
            let summary: Value = serde_json::from_str(&ok(&meshsim(&args))).unwrap();
            assert_eq!(summary["seed"].as_u64(), Some(seed), "{how:?}");
            let requests = summary["clients"][0]["requests"].as_u64().unwrap();
            assert_eq!(requests.to_string(), cells[requests_col], "{how:?}: {row}");
        }
    }
    assert!(big > 0, "no seed ≥ 2^63 among:\n{runs}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The ceiling of files a sweep reads back: a shard manifest (here a sparse file, so nothing is
/// really written) one byte over it is refused from its size.
#[test]
fn a_sweep_file_read_back_over_its_ceiling_is_refused() {
    let dir = scratch("sweep-ceiling");
    let shard = dir.join("shard");
    std::fs::create_dir(&shard).unwrap();
    let manifest = std::fs::File::create(shard.join("shard-1-of-1.json")).unwrap();
    let ceiling = experiments::input::MAX_SWEEP_FILE_BYTES;
    manifest.set_len(ceiling + 1).unwrap();
    let out = bounded(&["merge", s(&dir.join("out")), s(&shard)]);
    refused(
        &out,
        &format!("it is {} bytes, larger than the {ceiling} bytes", ceiling + 1),
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
