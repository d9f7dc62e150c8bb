//! `meshsim run --check-determinism` on real scenarios: two runs in one process agree on every
//! event and every output byte.

use experiments::determinism::{Verdict, check};
use experiments::run::{RunOptions, resolve_source};
use experiments::scenario::Override;

#[test]
fn builtins_are_deterministic_event_by_event() {
    for name in ["cascade", "thundering-herd", "metastable"] {
        let opts = RunOptions {
            source: resolve_source(name).unwrap(),
            overrides: vec![Override::parse("duration=60s").unwrap()],
            seed: Some(9),
            trace: None,
            check_invariants: false,
        };
        match check(&opts).unwrap() {
            Verdict::Identical { events, files, .. } => assert!(events > 1000 && files >= 6, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn the_cli_reports_the_check() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshsim"))
        .args(["run", "breaker", "--check-determinism", "--duration", "40s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("deterministic: two runs processed the same"));
}

#[test]
fn a_sweep_at_one_and_two_threads_writes_the_same_bytes() {
    let dir = std::env::temp_dir().join(format!("meshsim-sweep-det-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("small.toml");
    std::fs::write(
        &file,
        "name = \"small\"\nbase = \"breaker\"\nseed = 3\nreplications = 2\nset = { duration = \"30s\" }\n\
         metrics = [\"client.users.goodput_per_s\"]\n[[axes]]\npath = \"policies.guarded.breaker.wait_in_open\"\n\
         values = [\"5s\", \"10s\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshsim"))
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--check-determinism",
            "--threads",
            "2",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("deterministic: 1 and 2 threads"));
    std::fs::remove_dir_all(dir).unwrap();
}
