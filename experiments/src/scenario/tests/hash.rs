//! The scenario hash: stable, insensitive to formatting, sensitive to every override.

use super::{CASCADE, load_text, load_with};

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
