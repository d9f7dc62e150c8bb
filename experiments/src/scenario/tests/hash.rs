//! The scenario hash: stable, insensitive to formatting, sensitive to every override.

use models::policy::breaker::BreakerConfig;

use super::{BASE, CASCADE, load_text, load_with};

#[test]
fn the_hash_is_stable_and_pinned() {
    let a = load_text(CASCADE).unwrap();
    let b = load_text(CASCADE).unwrap();
    assert_eq!(a.hash, b.hash);
    assert_eq!(a.canonical, b.canonical);
    assert_eq!(a.hash.len(), 16);
    assert!(
        a.hash
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    // Pinned: the canonical layout and the hash function are part of the output format.
    assert_eq!(a.hash, "5e60c037a52fc4f3");
}

#[test]
fn comments_and_layout_do_not_change_the_hash() {
    let a = load_text(CASCADE).unwrap();
    let stripped: String = CASCADE
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{}\n", l.replace("  ", " ")))
        .collect();
    let b = load_text(&stripped).unwrap();
    assert_eq!(a.hash, b.hash);
    // The canonical rendering is itself a scenario with the same hash.
    let c = load_text(&a.canonical).unwrap();
    assert_eq!(c.hash, a.hash);
    assert_eq!(c.canonical, a.canonical);
}

#[test]
fn every_override_changes_the_hash() {
    let base = load_text(CASCADE).unwrap().hash;
    let sets = [
        "seed=2",
        "duration=181s",
        "services.upload.replicas=3",
        "services[2].slots=201",
        "policies.naive.timeouts.read=\"1s\"",
        "faults[0].latency=14s",
        "description=\"x\"",
        "services.upload.warm_start=true",
    ];
    let mut seen = vec![base.clone()];
    for set in sets {
        let h = load_with(CASCADE, &[set]).unwrap().hash;
        assert!(!seen.contains(&h), "{set} gives a hash seen before");
        seen.push(h);
    }
}

/// The lesson breaker's `half_open_trials` (our addition, absent from the lesson): absent, the
/// breaker admits every half-open call and the canonical text, hence the hash, does not
/// mention it; set, it is read and changes the hash.
#[test]
fn half_open_trials_is_read_and_hashed_only_when_set() {
    let with = |breaker: &str| load_text(&format!("{BASE}\n[policies.p]\nbreaker = {breaker}\n")).unwrap();
    let trials = |l: &super::Loaded| match l.scenario.policies[0].breaker {
        Some(BreakerConfig::Lesson { half_open_trials, .. }) => half_open_trials,
        ref other => panic!("not a lesson breaker: {other:?}"),
    };
    let absent = with("{ kind = \"lesson\" }");
    let one = with("{ kind = \"lesson\", half_open_trials = 1 }");
    assert_eq!(trials(&absent), None);
    assert_eq!(trials(&one), Some(1));
    assert!(
        !absent.canonical.contains("half_open_trials"),
        "{}",
        absent.canonical
    );
    assert_ne!(absent.hash, one.hash);
    let three = with("{ kind = \"lesson\", half_open_trials = 3 }");
    assert_eq!(trials(&three), Some(3));
    assert_ne!(three.hash, one.hash);
    // "none" lifts the limit, as absence does (for `--set …half_open_trials=none`).
    assert_eq!(
        trials(&with("{ kind = \"lesson\", half_open_trials = \"none\" }")),
        None
    );
}
