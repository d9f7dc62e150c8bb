//! A log-linear histogram with bounded relative error.
//!
//! Values below 128 have a bucket each (exact). Above, every power of two `[2^e, 2^(e+1))` is
//! cut into 128 equal sub-buckets, so a bucket is at most 1/128 of its lower bound wide. The
//! bucket array grows to the largest value seen: at most 7,424 counters (58 KiB) for the full
//! `u64` range, about 4,100 (33 KiB) for latencies up to five minutes in nanoseconds.
//!
//! A quantile is interpolated within its bucket by rank: the `k`-th of the bucket's `c` values
//! is placed at the centre of the `k`-th of `c` equal slices of the bucket (narrowed to the
//! exact min and max when it holds them), so values spread evenly over a bucket come back
//! exactly, and two runs whose counts differ inside the bucket get different quantiles (a
//! bucket's midpoint would give both the same number — sweep intervals of zero width). The
//! estimate stays inside the bucket of the exact sample quantile, so it errs by less than one
//! bucket width: **less than 1/128 of the true value**, and not at all below 128. (That is
//! twice the worst case of reporting the midpoint, which is why the buckets are twice as fine
//! as a midpoint would need.)

use serde::Serialize;

/// Sub-buckets per power of two: 2^7 = 128.
const SUB_BITS: u32 = 7;

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

/// The lowest value and the width of bucket `index` of [`bucket_of`].
pub(super) fn bounds_of<const BITS: u32>(index: usize) -> (u64, u64) {
    let sub = 1u64 << BITS;
    let index = index as u64;
    if index < sub {
        return (index, 1);
    }
    let shift = index / sub - 1;
    ((sub + index % sub) << shift, 1u64 << shift)
}

/// The midpoint of bucket `index` of [`bucket_of`] (the value itself for exact buckets).
pub(super) fn midpoint_of<const BITS: u32>(index: usize) -> u64 {
    let (low, width) = bounds_of::<BITS>(index);
    low + (width - 1) / 2
}

/// The `k`-th (from 1) of `c` values in the bucket `[low, low + width)`, taken as spread
/// evenly: the centre of the `k`-th of `c` equal slices, rounded down,
/// `low + ⌊width · (2k − 1) / 2c⌋`. Always inside the bucket; integer arithmetic only.
fn interpolate(low: u64, width: u64, k: u64, c: u64) -> u64 {
    debug_assert!(1 <= k && k <= c);
    let offset = u128::from(width) * (2 * u128::from(k) - 1) / (2 * u128::from(c));
    low + offset as u64
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// Records one value.
    #[inline]
    pub fn record(&mut self, value: u64) {
        let index = bucket_of::<SUB_BITS>(value);
        match self.counts.get_mut(index) {
            Some(c) => *c += 1,
            None => self.grow_to(index),
        }
        if self.count == 0 || value < self.min {
            self.min = value;
        }
        self.max = self.max.max(value);
        self.count += 1;
        self.sum += u128::from(value);
    }

    /// Grows the counts to hold `index` and counts one value there.
    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, index: usize) {
        self.counts.resize(index + 1, 0);
        self.counts[index] = 1;
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

    /// The `q`-quantile (`0 ≤ q ≤ 1`) by nearest rank, `r = max(1, ⌈q·n⌉)`: the `r`-th
    /// smallest value, interpolated within its bucket narrowed to the exact min and max (see
    /// the module doc); the first and last ranks are the exact min and max. Less than 1/128
    /// relative error (exact below 128); non-decreasing in `q`; 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank == 1 {
            return self.min;
        }
        if rank == self.count {
            return self.max;
        }
        let mut seen = 0u64;
        for (index, &c) in self.counts.iter().enumerate() {
            if seen + c >= rank {
                // The bucket, narrowed to [min, max]: its values all lie in there.
                let (low, width) = bounds_of::<SUB_BITS>(index);
                let from = low.max(self.min);
                let to = (low + (width - 1)).min(self.max);
                return interpolate(from, to - from + 1, rank - seen, c);
            }
            seen += c;
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
mod tests;
