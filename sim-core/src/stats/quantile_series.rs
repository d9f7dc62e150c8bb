//! Quantiles per time bucket (latency p50/p99 over time), in bounded memory.
//!
//! Each bucket keeps a coarse log histogram: 8 sub-buckets per power of two, so a reported
//! quantile is within 1/16 (6.25%) of the true value, enough for a timeline. A bucket's counts
//! are allocated when its first value arrives and cover only the octaves seen, so memory is a
//! few hundred bytes per busy bucket, independent of the number of values.

use super::histogram::{bucket_of, midpoint_of};
use super::series::Cursor;
use crate::time::{SimDuration, SimTime};

/// Sub-buckets per power of two: 2^3 = 8.
const SUB_BITS: u32 = 3;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Coarse {
    offset: u32,
    counts: Vec<u32>,
    total: u64,
}

impl Coarse {
    #[inline]
    fn record(&mut self, value: u64) {
        let index = bucket_of::<SUB_BITS>(value) as u32;
        // Fast path: an octave already covered (`wrapping_sub` puts indices below the offset
        // past the end too).
        if let Some(c) = self.counts.get_mut(index.wrapping_sub(self.offset) as usize) {
            *c = c.saturating_add(1);
            self.total += 1;
            return;
        }
        self.record_outside(index);
    }

    /// `record` of a value whose bucket is not covered yet: grows the counts to it.
    #[cold]
    #[inline(never)]
    fn record_outside(&mut self, index: u32) {
        if self.counts.is_empty() {
            self.offset = index;
        }
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let at = (index - self.offset) as usize;
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] = self.counts[at].saturating_add(1);
        self.total += 1;
    }

    fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(midpoint_of::<SUB_BITS>((self.offset + i as u32) as usize));
            }
        }
        None
    }
}

/// Per-bucket quantiles of `u64` values (e.g. latencies in nanoseconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantileSeries {
    width: u64,
    buckets: Vec<Coarse>,
    /// The bucket of the last value.
    cursor: Cursor,
}

impl QuantileSeries {
    /// An empty series with buckets `width` wide.
    ///
    /// # Panics
    /// If `width` is zero.
    pub fn new(width: SimDuration) -> QuantileSeries {
        assert!(!width.is_zero(), "bucket width must be positive");
        QuantileSeries {
            width: width.as_nanos(),
            buckets: Vec::new(),
            cursor: Cursor::new(),
        }
    }

    /// Records `value` in the bucket of time `now`.
    #[inline]
    pub fn record(&mut self, now: SimTime, value: u64) {
        let i = self.cursor.index(now, self.width);
        match self.buckets.get_mut(i) {
            Some(b) => b.record(value),
            None => self.record_new(i, value),
        }
    }

    /// `record` in a bucket past the last one: grows the buckets to it.
    #[cold]
    #[inline(never)]
    fn record_new(&mut self, i: usize, value: u64) {
        self.buckets.resize_with(i + 1, Coarse::default);
        self.buckets[i].record(value);
    }

    /// The `q`-quantile of every bucket covering `[0, end)`; `None` for buckets without values.
    pub fn quantiles(&self, q: f64, end: SimTime) -> Vec<Option<u64>> {
        let n = end.as_nanos().div_ceil(self.width) as usize;
        (0..n)
            .map(|i| self.buckets.get(i).and_then(|b| b.quantile(q)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_bucket_quantiles_within_a_sixteenth() {
        let mut s = QuantileSeries::new(SimDuration::from_secs(1));
        for i in 1..=1000u64 {
            s.record(SimTime::ZERO, i * 1_000_000); // 1..1000 ms in bucket 0
            s.record(SimTime::from_secs(2), 5_000_000); // constant in bucket 2
        }
        let p50 = s.quantiles(0.5, SimTime::from_secs(3));
        assert_eq!(p50.len(), 3);
        let got = p50[0].unwrap() as f64;
        assert!((got - 500e6).abs() <= 500e6 / 16.0, "{got}");
        assert_eq!(p50[1], None);
        assert!((p50[2].unwrap() as f64 - 5e6).abs() <= 5e6 / 16.0);
        let p99 = s.quantiles(0.99, SimTime::from_secs(3))[0].unwrap() as f64;
        assert!((p99 - 990e6).abs() <= 990e6 / 16.0, "{p99}");
    }

    #[test]
    fn growing_downwards_keeps_counts() {
        let mut c = Coarse::default();
        c.record(1_000_000);
        c.record(10);
        c.record(1_000_000_000);
        assert_eq!(c.total, 3);
        assert_eq!(c.quantile(0.0), Some(10));
    }
}
