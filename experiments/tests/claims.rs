//! Each builtin's claim in docs/catalog.md, asserted over five seeds (`experiments::claims`).
//! A claim is a comparison between configurations of one scenario; these tests fail if the
//! mechanism behind it breaks (e.g. jitter that no longer spreads retries), not on exact
//! numbers.

use experiments::claims::{SEEDS, cascade, herd};

/// thundering-herd: with the lesson's naive fixed 1 s retry the restarted service does not
/// recover within the run; with full jitter it recovers (so at least twice as soon), with a
/// lower peak arrival rate at the restarted service, no accept-queue overflow, less
/// amplification and a fraction of the wasted work. Equal and decorrelated jitter recover too.
/// (Exponential backoff without jitter recovers as well here: docs/catalog.md says why; the
/// jitter formulas themselves are tested in models' policy::backoff tests.)
#[test]
fn a_growing_backoff_lets_the_restarted_service_recover_where_a_fixed_retry_keeps_it_down() {
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
        // Nearly all of the naive herd's work at classification is for workers that left.
        assert!(naive.wasted_share > 0.8, "{naive:?}");
        assert!(jitter.wasted_work_s * 100.0 < naive.wasted_work_s, "{jitter:?}");
        for other in ["equal_jitter", "decorrelated_jitter"] {
            let o = herd(other, seed);
            assert!(o.recovery_s.is_some_and(|r| r < 30.0), "{o:?}");
        }
    }
}

/// cascade-protected: the lesson's client costs the healthy path nothing against the naive
/// `cascade` (within 5%), kills nothing where the cascade kills repeatedly, and keeps upload
/// available after its breaker opens (at least 80% of the goodput before the fault, against
/// under a tenth in the cascade). As written, the lesson retries only "unavailable" errors,
/// not timeouts, so the breaker sees its first failures one 10 s attempt after the fault; an
/// attempt timeout matched to the callee's p99 opens it within 2 s and keeps 90%.
#[test]
fn the_lesson_client_keeps_upload_available_where_the_naive_one_dies() {
    let matched = ["policies.classify.timeouts.attempt=1s".to_string()];
    for seed in SEEDS {
        let naive = cascade("cascade", seed, &[]);
        let lesson = cascade("cascade-protected", seed, &[]);
        let quick = cascade("cascade-protected", seed, &matched);
        assert!(naive.kills > 0 && naive.after < 0.1 * naive.before, "{naive:?}");
        assert!(lesson.before >= 0.95 * naive.before, "{lesson:?}\n{naive:?}");
        assert_eq!(lesson.kills, 0, "{lesson:?}");
        assert!(
            lesson.degraded > 0 && lesson.after >= 0.8 * lesson.before,
            "{lesson:?}"
        );
        let open = lesson.breaker_open_s.expect("the breaker opens");
        assert!((40.0..41.0).contains(&open), "{lesson:?}");
        let quick_open = quick.breaker_open_s.expect("the breaker opens");
        assert!(
            quick_open < 32.0 && quick.after >= 0.9 * quick.before,
            "{quick:?}"
        );
    }
}
