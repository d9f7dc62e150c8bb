//! Scenarios that swarm testing once broke, shrunk to their essentials
//! (`tests/fixtures/regressions/*.toml`, each saying what went wrong), and the seeds that found
//! the latest bug: each must now pass every swarm check (invariants after every event, the
//! oracles of `experiments::swarm::checks`, every output rendered).

use experiments::swarm::{check, check_text};

#[test]
fn every_shrunk_failure_now_passes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the regressions directory")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(f) = check_text(&name, &text) {
            panic!("{name}: {f}");
        }
    }
}

#[test]
fn the_seeds_that_found_the_grace_period_bug_pass() {
    for seed in [2508, 4334, 4643, 7255] {
        if let Err(f) = check(seed) {
            panic!("seed {seed}: {f}\nreproduce: meshsim swarm --seed {seed}");
        }
    }
}
