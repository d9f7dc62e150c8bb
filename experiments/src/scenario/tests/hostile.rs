//! Hostile input to the loader (issue 19): seeds across the whole `u64` range, integers outside
//! TOML's range, names that are not numbers.

use super::{BASE, at, load_text, load_with};
use crate::scenario::ErrorKind;

fn with_seed(seed: &str) -> String {
    BASE.replacen(
        "duration = \"60s\"",
        &format!("duration = \"60s\"\nseed = {seed}"),
        1,
    )
}

/// A seed is any `u64`: an integer (even past TOML's 2^63 - 1), or a decimal or hex string.
#[test]
fn every_u64_seed_loads_from_the_file_and_from_set() {
    let max = u64::MAX;
    for written in [
        "18446744073709551615",
        "\"18446744073709551615\"",
        "\"0xffffffffffffffff\"",
        "\"0XFFFFFFFFFFFFFFFF\"",
    ] {
        let loaded = load_text(&with_seed(written)).unwrap_or_else(|e| panic!("{written}: {e}"));
        assert_eq!(loaded.seed, max, "{written}");
    }
    assert_eq!(
        load_text(&with_seed("9223372036854775807")).unwrap().seed,
        i64::MAX as u64
    );
    // What a sweep's runs.csv prints, given back through --set.
    for set in [
        "seed=18446744073709551615",
        "seed=\"18446744073709551615\"",
        "seed=0xffffffffffffffff",
    ] {
        assert_eq!(
            load_with(BASE, &[set])
                .unwrap_or_else(|e| panic!("{set}: {e}"))
                .seed,
            max
        );
    }
    // The two spellings of one seed are one scenario.
    assert_eq!(
        load_text(&with_seed("18446744073709551615")).unwrap().hash,
        load_text(&with_seed("\"18446744073709551615\"")).unwrap().hash
    );
}

#[test]
fn a_seed_outside_the_u64_range_names_the_range() {
    for bad in ["18446744073709551616", "-1", "\"-1\"", "\"12abc\"", "1.5"] {
        let text = with_seed(bad);
        let e = load_text(&text).expect_err(bad);
        assert_eq!(e.path, "seed", "{e}");
        assert!(e.expected.contains("18446744073709551615"), "{e}");
        let (line, column) = at(&text, &format!("seed = {bad}"), bad);
        assert_eq!((e.line(), e.column()), (Some(line), Some(column)), "{e}");
    }
}

/// An integer past TOML's range is reported with the key's own range, not TOML's.
#[test]
fn an_integer_past_the_i64_range_cites_the_keys_range() {
    let text = BASE.replacen("slots = 4", "replicas = 18446744073709551615\nslots = 4", 1);
    let e = load_text(&text).unwrap_err();
    assert_eq!(
        (e.kind, e.path.as_str()),
        (ErrorKind::Value, "services[0].replicas"),
        "{e}"
    );
    assert_eq!(e.expected, "an integer between 1 and 1000", "{e}");
    let e = load_with(BASE, &["services.a.replicas=-99999999999999999999"]).unwrap_err();
    assert!(e.expected.starts_with("an integer ≥ 1"), "{e}");
    assert!(e.argument().is_some(), "{e}");
}
