//! Each builtin's claim in docs/catalog.md, asserted over five seeds (`experiments::claims`).
//! A claim is a comparison between configurations of one scenario; these tests fail if the
//! mechanism behind it breaks (e.g. jitter that no longer spreads retries), not on exact
//! numbers.

use experiments::claims::{SEEDS, herd};

/// thundering-herd: with the lesson's naive fixed 1 s retry the restarted service does not
/// recover within the run; with full jitter it recovers (so at least twice as soon), with a
/// lower peak arrival rate at the restarted service, no accept-queue overflow and less
/// amplification. Equal and decorrelated jitter recover too.
#[test]
fn jitter_lets_the_restarted_service_recover_where_a_fixed_retry_keeps_it_down() {
    for seed in SEEDS {
        let naive = herd("fixed", seed);
        let jitter = herd("full_jitter", seed);
        assert_eq!(naive.recovery_s, None, "{naive:?}");
        let rec = jitter.recovery_s.expect("full jitter recovers");
        assert!(rec < 30.0, "{jitter:?}");
        assert!(
            jitter.peak_arrivals_per_s * 3.0 < naive.peak_arrivals_per_s,
            "{naive:?}\n{jitter:?}"
        );
        assert!(naive.rejected > 1000 && jitter.rejected * 100 < naive.rejected);
        assert!(jitter.amplification * 3.0 < naive.amplification);
        for other in ["equal_jitter", "decorrelated_jitter"] {
            let o = herd(other, seed);
            assert!(o.recovery_s.is_some_and(|r| r < 30.0), "{o:?}");
        }
    }
}
