//! `meshsim run --check-determinism` on real scenarios: two runs in one process agree on every
//! event and every output byte.

use experiments::determinism::{Verdict, check};
use experiments::run::RunOptions;

mod common;
use common::{meshsim, ok, run_options, scratch};

#[test]
fn builtins_are_deterministic_event_by_event() {
    // Each run long enough for its faults to act: the herd's cold start and metastable's trigger
    // start at 60 s (a run
    // that ends before a fault starts is refused).
    for (name, duration) in [
        ("cascade", "duration=60s"),
        ("thundering-herd", "duration=90s"),
        ("metastable", "duration=75s"),
    ] {
        let opts = RunOptions {
            seed: Some(9),
            ..run_options(name, &[duration])
        };
        match check(&opts).unwrap() {
            Verdict::Identical { events, files, .. } => assert!(events > 1000 && files >= 6, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn the_cli_reports_the_check() {
    let stdout = ok(&meshsim(&[
        "run",
        "breaker",
        "--check-determinism",
        "--duration",
        "40s",
    ]));
    assert!(stdout.starts_with("deterministic: two runs processed the same"));
}

#[test]
fn a_sweep_at_one_and_two_threads_writes_the_same_bytes() {
    let dir = scratch("sweep");
    let file = dir.join("small.toml");
    std::fs::write(
        &file,
        "name = \"small\"\nbase = \"breaker\"\nseed = 3\nreplications = 2\nset = { duration = \"40s\" }\n\
         metrics = [\"client.users.goodput_per_s\"]\n[[axes]]\npath = \"policies.guarded.breaker.wait_in_open\"\n\
         values = [\"5s\", \"10s\"]\n",
    )
    .unwrap();
    let stdout = ok(&meshsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--check-determinism",
        "--threads",
        "2",
    ]));
    assert!(stdout.starts_with("deterministic: 1 and 2 threads"));
    std::fs::remove_dir_all(dir).unwrap();
}
