//! What the integration tests of `experiments` share: running the `meshsim` binary, a fresh
//! scratch directory per test, whole output trees, and run options for a builtin.
//!
//! Each test file is its own crate and uses a part of this module.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use experiments::run::{RunOptions, resolve_source};
use experiments::scenario::Override;

pub mod tree;

/// The binary under test.
pub const MESHSIM: &str = env!("CARGO_BIN_EXE_meshsim");

/// Runs `meshsim args` to its end.
pub fn meshsim(args: &[&str]) -> Output {
    Command::new(MESHSIM).args(args).output().expect("meshsim runs")
}

/// Runs `meshsim args`, killing it and failing the test if it has not ended within `limit`: a
/// run that blocks forever (on a FIFO) or spins must fail the test, not hang it. Both pipes are
/// drained on threads while it runs, so a child that prints a lot never blocks on a full pipe.
pub fn meshsim_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(MESHSIM)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("meshsim starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            pipe.read_to_end(&mut text).map(|_| text)
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    // Polled every 20 ms: a count of polls rather than the wall clock, which clippy.toml bans.
    let polls = limit.as_millis() / 20;
    let mut status = None;
    for _ in 0..polls {
        status = child.try_wait().expect("wait");
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let Some(status) = status else {
        child.kill().expect("kill");
        child.wait().expect("reaped");
        panic!("meshsim {args:?} still running after {limit:?}: killed");
    };
    Output {
        status,
        stdout: out.join().unwrap().expect("stdout read"),
        stderr: err.join().unwrap().expect("stderr read"),
    }
}

/// What a run of the binary printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts that a run of the binary succeeded, printing its exit code and both streams if not,
/// and returns its stdout.
#[track_caller]
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        stderr(out)
    );
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

/// A fresh, empty directory `name` for one test, under cargo's scratch directory in a
/// directory of the test file's own (`module_path!` here is `<test file>::common`).
pub fn scratch(name: &str) -> PathBuf {
    let file = module_path!().split("::").next().unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(file).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sections of the cascade's `meshsim report` page: (id, heading).
pub const HEADINGS: &[(&str, &str)] = &[
    ("overview", "cascade"),
    ("topology", "Topology"),
    ("parameters", "Parameters that matter"),
    ("summary", "Summary"),
    ("anatomy", "Anatomy"),
    ("timeline", "Timeline"),
    ("reproduce", "Reproduce"),
];

/// Options to run `builtin` with the `--set` arguments `overrides`: its own seed, no trace, no
/// invariant checks (change them with `RunOptions { .., ..run_options(..) }`).
pub fn run_options(builtin: &str, overrides: &[&str]) -> RunOptions {
    RunOptions {
        source: resolve_source(builtin).unwrap(),
        overrides: overrides.iter().map(|o| Override::parse(o).unwrap()).collect(),
        seed: None,
        trace: None,
        check_invariants: false,
    }
}
