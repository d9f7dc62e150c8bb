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
