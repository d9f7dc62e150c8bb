//! A log-linear histogram with bounded relative error.
//!
//! Values below 64 have a bucket each (exact). Above, every power of two `[2^e, 2^(e+1))` is cut
//! into 64 equal sub-buckets, so a bucket is at most 1/64 of its lower bound wide; reporting its
//! midpoint errs by at most 1/128 of the true value. The bucket array grows to the largest value
//! seen: at most 3,776 counters (30 KiB) for the full `u64` range.

use serde::Serialize;

/// Sub-buckets per power of two: 2^6 = 64.
const SUB_BITS: u32 = 6;

/// Streaming distribution of `u64` values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

/// The numbers a report needs from a [`Histogram`], in the histogram's unit.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct HistogramSummary {
    /// Number of values.
    pub count: u64,
    /// Exact mean (0 when empty).
    pub mean: f64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Exact maximum.
    pub max: u64,
}

/// The bucket of `value` when every power of two is cut into `2^BITS` sub-buckets (values below
/// `2^BITS` exact). Shared with the coarser [`super::QuantileSeries`].
#[inline]
pub(super) fn bucket_of<const BITS: u32>(value: u64) -> usize {
    let sub = 1u64 << BITS;
    if value < sub {
        value as usize
    } else {
        let exponent = 63 - value.leading_zeros();
        let shift = exponent - BITS;
        let mantissa = (value >> shift) - sub;
        (sub * (u64::from(shift) + 1) + mantissa) as usize
    }
}

/// The midpoint of bucket `index` of [`bucket_of`] (the value itself for exact buckets).
pub(super) fn midpoint_of<const BITS: u32>(index: usize) -> u64 {
    let sub = 1u64 << BITS;
    let index = index as u64;
    if index < sub {
        return index;
    }
    let shift = index / sub - 1;
    let low = (sub + index % sub) << shift;
    let width = 1u64 << shift;
    low + (width - 1) / 2
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// Records one value.
    #[inline]
    pub fn record(&mut self, value: u64) {
        self.record_n(value, 1);
    }

    /// Records `n` copies of a value.
    #[inline]
    pub fn record_n(&mut self, value: u64, n: u64) {
        if n == 0 {
            return;
        }
        let index = bucket_of::<SUB_BITS>(value);
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += n;
        if self.count == 0 || value < self.min {
            self.min = value;
        }
        self.max = self.max.max(value);
        self.count += n;
        self.sum += u128::from(value) * u128::from(n);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        if self.count == 0 || other.min < self.min {
            self.min = other.min;
        }
        self.max = self.max.max(other.max);
        self.count += other.count;
        self.sum += other.sum;
    }

    /// Number of values recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact mean, 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// Exact minimum, 0 when empty.
    pub fn min(&self) -> u64 {
        self.min
    }

    /// Exact maximum, 0 when empty.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The `q`-quantile (`0 ≤ q ≤ 1`, nearest rank) within 1/128 relative error, clamped to the
    /// exact min and max; 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (index, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return midpoint_of::<SUB_BITS>(index).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Count, mean, p50/p90/p99/p999 and max.
    pub fn summary(&self) -> HistogramSummary {
        HistogramSummary {
            count: self.count,
            mean: self.mean(),
            p50: self.quantile(0.5),
            p90: self.quantile(0.9),
            p99: self.quantile(0.99),
            p999: self.quantile(0.999),
            max: self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_bound_the_relative_error() {
        let mut prev = 0;
        for v in 0..200_000u64 {
            let b = bucket_of::<SUB_BITS>(v);
            assert!(b == prev || b == prev + 1, "gap at {v}");
            prev = b;
        }
        for v in (0..200_000u64)
            .chain((1..64).map(|e| (1u64 << e) - 1))
            .chain((1..64).map(|e| 1u64 << e))
            .chain([u64::MAX])
        {
            let b = bucket_of::<SUB_BITS>(v);
            let mid = midpoint_of::<SUB_BITS>(b);
            let err = (mid as f64 - v as f64).abs() / (v.max(1) as f64);
            assert!(
                err <= 1.0 / 128.0,
                "value {v} bucket {b} midpoint {mid} error {err}"
            );
        }
        assert!(bucket_of::<SUB_BITS>(u64::MAX) < 3776);
    }

    #[test]
    fn quantiles_within_one_percent_of_exact() {
        let mut h = Histogram::new();
        let mut values: Vec<u64> = (0..100_000u64)
            .map(|i| (i * i * 7919) % 1_000_000_007 + 1)
            .collect();
        for &v in &values {
            h.record(v);
        }
        values.sort_unstable();
        for q in [0.01, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let exact = values[((q * values.len() as f64).ceil() as usize).max(1) - 1];
            let got = h.quantile(q);
            assert!(
                (got as f64 - exact as f64).abs() <= exact as f64 / 100.0,
                "q={q}: {got} vs {exact}"
            );
        }
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64;
        assert!((h.mean() - mean).abs() < 1e-6 * mean);
        assert_eq!((h.min(), h.max()), (values[0], values[values.len() - 1]));
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
}
