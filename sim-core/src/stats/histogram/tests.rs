//! The histogram's buckets, its interpolated quantiles against exact sample quantiles (by hand
//! and by property), merging and the empty case.

use proptest::prelude::*;

use super::*;

/// The exact nearest-rank `q`-quantile of sorted `values`, as [`Histogram::quantile`] defines it.
fn exact(sorted: &[u64], q: f64) -> u64 {
    let n = sorted.len() as u64;
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    sorted[rank as usize - 1]
}

/// Whether `got` is within the documented bound of `want`: exact below 128, else less than
/// 1/128 of `want` away (integer arithmetic, so the test itself cannot round).
fn within_bound(got: u64, want: u64) -> bool {
    got == want || (want >= 128 && u128::from(got.abs_diff(want)) * 128 < u128::from(want))
}

fn histogram_of(values: &[u64]) -> Histogram {
    let mut h = Histogram::new();
    for &v in values {
        h.record(v);
    }
    h
}

#[test]
fn buckets_are_contiguous_and_at_most_a_128th_of_their_values_wide() {
    let mut prev = 0;
    for v in 0..300_000u64 {
        let b = bucket_of::<SUB_BITS>(v);
        assert!(b == prev || b == prev + 1, "gap at {v}");
        prev = b;
    }
    for v in (0..300_000u64)
        .chain((1..64).map(|e| (1u64 << e) - 1))
        .chain((1..64).map(|e| 1u64 << e))
        .chain([u64::MAX])
    {
        let b = bucket_of::<SUB_BITS>(v);
        let (low, width) = bounds_of::<SUB_BITS>(b);
        assert!(low <= v && v - low < width, "value {v} outside bucket {b}");
        assert!(
            width == 1 || width * 128 <= low,
            "bucket {b} at {low} is {width} wide"
        );
        let mid = midpoint_of::<SUB_BITS>(b);
        assert!(low <= mid && mid - low < width);
    }
    assert_eq!(bucket_of::<SUB_BITS>(u64::MAX), 7423);
}

#[test]
fn a_single_value_comes_back_exactly() {
    for v in [0, 1, 127, 128, 1000, 3_238_002_687, u64::MAX - 1, u64::MAX] {
        for n in [1, 2, 1000] {
            let mut h = Histogram::new();
            h.record_n(v, n);
            for q in [0.0, 0.001, 0.5, 0.9, 0.99, 0.999, 1.0] {
                assert_eq!(h.quantile(q), v, "{n} × {v}, q = {q}");
            }
        }
    }
}

#[test]
fn values_spread_evenly_over_a_bucket_come_back_exactly() {
    // The bucket [2^20, 2^20 + 8192): 8192 values wide. Every value in it three times, with
    // values below and above so that the bucket's ranks sit in the middle of the histogram.
    let (low, width) = bounds_of::<SUB_BITS>(bucket_of::<SUB_BITS>(1 << 20));
    assert_eq!((low, width), (1 << 20, 8192));
    let mut values: Vec<u64> = (0..width).flat_map(|i| [low + i; 3]).collect();
    values.extend([5, 77, 1000, low - 1, low + width, 1 << 30]);
    values.sort_unstable();
    let h = histogram_of(&values);
    let n = values.len();
    let mut checked = 0;
    for k in (1..=n).filter(|&k| (low..low + width).contains(&values[k - 1])) {
        let q = (k as f64 - 0.5) / n as f64; // nearest rank k
        assert_eq!(h.quantile(q), values[k - 1], "rank {k}");
        checked += 1;
    }
    assert_eq!(checked, 3 * width);
}

#[test]
fn quantiles_inside_one_bucket_are_distinct() {
    // The case: 10 000 latencies between 3.000 s and 3.001 s share one bucket
    // (2986.3 ms to 3003.1 ms). Its midpoint would make p50, p90, p99 and p999 one number, and
    // a sweep's interval over such runs zero wide.
    let values: Vec<u64> = (0..10_000u64).map(|i| 3_000_000_000 + i * 100).collect();
    let h = histogram_of(&values);
    let s = h.summary();
    assert!(
        s.p50 < s.p90 && s.p90 < s.p99 && s.p99 < s.p999 && s.p999 < s.max,
        "{s:?}"
    );
    for q in [0.5, 0.9, 0.99, 0.999] {
        let (got, want) = (h.quantile(q), exact(&values, q));
        // Spread evenly over the values seen, which fill a sixteenth of the bucket: the
        // bucket narrowed to the min and max interpolates to within one step of 100 ns.
        assert!(got.abs_diff(want) <= 100, "q = {q}: {got} vs {want}");
        assert!(within_bound(got, want), "q = {q}: {got} vs {want}");
    }
    // One more slow request moves p99: the rank lands on another value of the bucket.
    let mut more = h.clone();
    more.record(3_000_999_999);
    assert_ne!(more.quantile(0.99), h.quantile(0.99));
}

#[test]
fn quantiles_within_the_bound_of_exact() {
    let mut values: Vec<u64> = (0..100_000u64)
        .map(|i| (i * i * 7919) % 1_000_000_007 + 1)
        .collect();
    let h = histogram_of(&values);
    values.sort_unstable();
    for q in [0.0, 0.01, 0.5, 0.9, 0.99, 0.999, 1.0] {
        let (got, want) = (h.quantile(q), exact(&values, q));
        assert!(within_bound(got, want), "q={q}: {got} vs {want}");
    }
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64;
    assert!((h.mean() - mean).abs() < 1e-6 * mean);
    assert_eq!((h.min(), h.max()), (values[0], values[values.len() - 1]));
    assert_eq!(
        (h.quantile(0.0), h.quantile(1.0)),
        (values[0], values[values.len() - 1])
    );
}

/// Values of every magnitude, and clusters of nearby values (many in one bucket, where
/// interpolation does its work and where it could err most).
fn samples() -> impl Strategy<Value = Vec<u64>> {
    let spread = prop::collection::vec((0u32..64, any::<u64>()).prop_map(|(s, x)| x >> s), 1..300);
    let clustered = (
        (0u32..64, any::<u64>()),
        prop::collection::vec(0u64..5000, 1..300),
    )
        .prop_map(|((s, x), offsets)| {
            let base = x >> s;
            offsets.into_iter().map(|o| base.saturating_add(o)).collect()
        });
    prop_oneof![spread, clustered]
}

proptest! {
    #[test]
    fn every_quantile_within_a_128th_of_the_exact_one_and_monotone(
        mut values in samples(),
        qs in prop::collection::vec(0.0f64..=1.0, 1..20),
    ) {
        let h = histogram_of(&values);
        values.sort_unstable();
        let mut qs = qs;
        qs.extend([0.0, 0.5, 0.9, 0.99, 0.999, 1.0]);
        qs.sort_by(f64::total_cmp);
        let mut prev = 0u64;
        for q in qs {
            let (got, want) = (h.quantile(q), exact(&values, q));
            prop_assert!(within_bound(got, want), "q = {}: {} vs exact {}", q, got, want);
            prop_assert!(got >= prev, "q = {}: {} after {}", q, got, prev);
            prev = got;
        }
        prop_assert_eq!(h.quantile(0.0), values[0]);
        prop_assert_eq!(h.quantile(1.0), values[values.len() - 1]);
    }
}

#[test]
fn merge_equals_recording_everything_in_one() {
    let (mut a, mut b, mut all) = (Histogram::new(), Histogram::new(), Histogram::new());
    for v in 0..5000u64 {
        let x = v * 31 % 4000 + 3;
        if v % 3 == 0 {
            a.record(x)
        } else {
            b.record(x)
        }
        all.record(x);
    }
    a.merge(&b);
    assert_eq!(a, all);
}

#[test]
fn empty_histogram_reports_zeros() {
    let h = Histogram::new();
    assert_eq!(
        h.summary(),
        HistogramSummary {
            count: 0,
            mean: 0.0,
            p50: 0,
            p90: 0,
            p99: 0,
            p999: 0,
            max: 0
        }
    );
}
