//! Metrics per fixed-width time bucket, for time series output and plots.
//!
//! Bucket `i` covers `[i·width, (i+1)·width)`. Memory is one or two numbers per bucket, so it
//! grows with simulated time divided by the width, never with the amount of traffic.

use crate::time::{SimDuration, SimTime};

fn bucket_index(t: SimTime, width: u64) -> usize {
    (t.as_nanos() / width) as usize
}

fn bucket_count(end: SimTime, width: u64) -> usize {
    end.as_nanos().div_ceil(width) as usize
}

/// The bucket of the last update, so that updates within it skip the division.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Cursor {
    start: u64,
    end: u64,
    index: usize,
}

impl Cursor {
    pub(super) fn new() -> Cursor {
        Cursor {
            start: 0,
            end: 0,
            index: 0,
        }
    }

    /// The index of `t`'s bucket, remembered for the next call.
    #[inline(always)]
    pub(super) fn index(&mut self, t: SimTime, width: u64) -> usize {
        let t = t.as_nanos();
        if t < self.start || t >= self.end {
            self.index = (t / width) as usize;
            self.start = self.index as u64 * width;
            self.end = self.start.saturating_add(width);
        }
        self.index
    }
}

/// Counts per bucket (arrivals, completions, timeouts, ...).
///
/// The count of the bucket of the last update is kept apart, in `current`, and written to
/// `counts` only when an update lands in another bucket (or when the counts are read): an update
/// within the bucket is one comparison and one addition.
#[derive(Clone, Debug)]
pub struct CounterSeries {
    width: u64,
    /// Every bucket but the cursor's (its entry, if any, is stale while `current` holds it).
    counts: Vec<u64>,
    cursor: Cursor,
    /// The count of the cursor's bucket.
    current: u64,
}

impl CounterSeries {
    /// An empty series with buckets `width` wide.
    ///
    /// # Panics
    /// If `width` is zero.
    pub fn new(width: SimDuration) -> CounterSeries {
        assert!(!width.is_zero(), "bucket width must be positive");
        CounterSeries {
            width: width.as_nanos(),
            counts: Vec::new(),
            cursor: Cursor::new(),
            current: 0,
        }
    }

    /// Adds `n` at time `now`.
    #[inline(always)]
    pub fn add(&mut self, now: SimTime, n: u64) {
        let t = now.as_nanos();
        if t < self.cursor.start || t >= self.cursor.end {
            self.enter(now);
        }
        self.current += n;
    }

    /// Moves the cursor to `now`'s bucket: the count of the bucket it leaves is written, the
    /// one of the bucket it enters is taken up.
    #[cold]
    #[inline(never)]
    fn enter(&mut self, now: SimTime) {
        self.flush();
        let i = self.cursor.index(now, self.width);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.current = std::mem::take(&mut self.counts[i]);
    }

    /// Writes the cursor's count back to its bucket (a cursor that never moved has none).
    fn flush(&mut self) {
        if self.cursor.end > self.cursor.start {
            self.counts[self.cursor.index] += std::mem::take(&mut self.current);
        }
    }

    /// The counts of every bucket up to `end` (zero-filled), as many as cover `[0, end)`.
    pub fn counts(&self, end: SimTime) -> Vec<u64> {
        let mut closed = self.clone();
        closed.flush();
        let mut out = closed.counts;
        out.resize(bucket_count(end, self.width).max(out.len()), 0);
        out
    }
}

impl PartialEq for CounterSeries {
    /// Equal widths and equal counts in every bucket (wherever each keeps its current one).
    fn eq(&self, other: &CounterSeries) -> bool {
        let (mut a, mut b) = (self.clone(), other.clone());
        a.flush();
        b.flush();
        a.width == b.width && a.counts == b.counts
    }
}

impl Eq for CounterSeries {}

/// A level per bucket: its time-weighted mean and its maximum (queue length, in flight, state).
///
/// The area and maximum of the bucket of the last update are kept apart (`area`, `max`) and
/// written to `areas`/`maxes` only when an update lands in another bucket (or when they are
/// read), so an update within the bucket touches no vector.
#[derive(Clone, Debug)]
pub struct GaugeSeries {
    width: u64,
    value: u64,
    since: SimTime,
    /// Every bucket but the cursor's (its entries are stale while `area`/`max` hold them).
    areas: Vec<u128>,
    maxes: Vec<u64>,
    cursor: Cursor,
    /// The area of the cursor's bucket (once it has moved: `cursor.end > 0`).
    area: u128,
    /// The maximum of the cursor's bucket.
    max: u64,
}

impl GaugeSeries {
    /// A series whose level is `initial` from time zero.
    ///
    /// # Panics
    /// If `width` is zero.
    pub fn new(width: SimDuration, initial: u64) -> GaugeSeries {
        assert!(!width.is_zero(), "bucket width must be positive");
        GaugeSeries {
            width: width.as_nanos(),
            value: initial,
            since: SimTime::ZERO,
            areas: Vec::new(),
            maxes: Vec::new(),
            cursor: Cursor::new(),
            area: 0,
            max: 0,
        }
    }

    /// The current level.
    #[inline]
    pub fn value(&self) -> u64 {
        self.value
    }

    fn ensure(&mut self, i: usize) {
        if i >= self.areas.len() {
            self.areas.resize(i + 1, 0);
            self.maxes.resize(i + 1, 0);
        }
    }

    /// Integrates the current level up to `now` (the cursor's bucket flushed).
    fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.since, "time went backwards");
        let mut t = self.since.as_nanos();
        let end = now.as_nanos();
        let first = bucket_index(self.since, self.width);
        self.ensure(bucket_index(now, self.width));
        let mut i = first;
        while t < end {
            let bucket_end = ((i as u64) + 1) * self.width;
            let upto = bucket_end.min(end);
            self.areas[i] += u128::from(self.value) * u128::from(upto - t);
            self.maxes[i] = self.maxes[i].max(self.value);
            t = upto;
            i += 1;
        }
        self.since = now;
    }

    /// Writes the cursor's bucket back to `areas`/`maxes` (a cursor that never moved has none).
    fn flush(&mut self) {
        if self.cursor.end > 0 {
            let i = self.cursor.index;
            self.areas[i] = self.area;
            self.maxes[i] = self.max;
        }
    }

    /// Sets the level at `now`.
    #[inline(always)]
    pub fn set(&mut self, now: SimTime, value: u64) {
        // Fast path: `now` is in the bucket of the last update (the cursor's, which every `set`
        // leaves on `since`), whose maximum already holds the old level.
        let (t, since) = (now.as_nanos(), self.since.as_nanos());
        if t >= since && t < self.cursor.end {
            self.area += u128::from(self.value) * u128::from(t - since);
            self.max = self.max.max(value);
            self.since = now;
            self.value = value;
            return;
        }
        self.set_elsewhere(now, value);
    }

    /// `set` at a time outside the cursor's bucket: integrates the old level up to `now`, then
    /// takes up `now`'s bucket.
    #[cold]
    #[inline(never)]
    fn set_elsewhere(&mut self, now: SimTime, value: u64) {
        self.flush();
        self.advance(now);
        let i = self.cursor.index(now, self.width);
        self.maxes[i] = self.maxes[i].max(value);
        self.value = value;
        (self.area, self.max) = (self.areas[i], self.maxes[i]);
    }

    /// This series with the cursor's bucket written back.
    fn flushed(&self) -> GaugeSeries {
        let mut closed = self.clone();
        closed.flush();
        closed
    }

    /// The time average over `[0, end)` (so a gauge series also serves as a [`crate::stats::TimeWeighted`]).
    pub fn mean(&self, end: SimTime) -> f64 {
        if end.as_nanos() == 0 {
            return self.value as f64;
        }
        let closed = self.flushed();
        let recorded: u128 = closed.areas.iter().sum();
        let pending = u128::from(self.value) * u128::from(end.saturating_since(self.since).as_nanos());
        (recorded + pending) as f64 / end.as_nanos() as f64
    }

    /// Time-weighted mean and maximum of every bucket covering `[0, end)`; a partial last bucket
    /// is averaged over its covered part.
    pub fn finish(&self, end: SimTime) -> (Vec<f64>, Vec<u64>) {
        let mut closed = self.flushed();
        if end > closed.since {
            closed.advance(end);
        }
        let n = bucket_count(end, self.width);
        closed.ensure(n.max(1) - 1);
        let means = (0..n)
            .map(|i| {
                let start = i as u64 * self.width;
                let span = (start + self.width).min(end.as_nanos()) - start;
                closed.areas[i] as f64 / span as f64
            })
            .collect();
        closed.maxes.truncate(n);
        (means, closed.maxes)
    }
}

impl PartialEq for GaugeSeries {
    /// The same level since the same time, and equal buckets (wherever each keeps its current one).
    fn eq(&self, other: &GaugeSeries) -> bool {
        let (a, b) = (self.flushed(), other.flushed());
        (a.width, a.value, a.since) == (b.width, b.value, b.since) && a.areas == b.areas && a.maxes == b.maxes
    }
}

impl Eq for GaugeSeries {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_land_in_their_buckets() {
        let mut c = CounterSeries::new(SimDuration::from_secs(1));
        c.add(SimTime::from_nanos(999_999_999), 2);
        c.add(SimTime::from_secs(1), 1);
        c.add(SimTime::from_secs(3), 5);
        assert_eq!(c.counts(SimTime::from_secs(5)), vec![2, 1, 0, 5, 0]);
    }

    /// The current bucket's count, kept apart, is in every read, and an update that goes back
    /// to an earlier bucket still lands there.
    #[test]
    fn counters_read_and_revisit_the_current_bucket() {
        let mut c = CounterSeries::new(SimDuration::from_secs(1));
        c.add(SimTime::from_secs(2), 3);
        assert_eq!(c.counts(SimTime::from_secs(3)), vec![0, 0, 3]);
        c.add(SimTime::ZERO, 1);
        c.add(SimTime::from_nanos(2_500_000_000), 1);
        assert_eq!(c.counts(SimTime::from_secs(3)), vec![1, 0, 4]);
        let mut d = CounterSeries::new(SimDuration::from_secs(1));
        d.add(SimTime::ZERO, 1);
        d.add(SimTime::from_secs(2), 4);
        assert_eq!(c, d, "the same counts, whichever bucket each holds apart");
    }

    /// Reads in the middle of a bucket see its area and maximum so far, and leave the series
    /// as it was.
    #[test]
    fn gauges_read_mid_bucket() {
        let mut g = GaugeSeries::new(SimDuration::from_nanos(10), 0);
        g.set(SimTime::from_nanos(2), 3);
        g.set(SimTime::from_nanos(4), 1);
        assert_eq!(
            g.finish(SimTime::from_nanos(6)),
            (vec![(6.0 + 2.0) / 6.0], vec![3])
        );
        assert_eq!(g.mean(SimTime::from_nanos(6)), 8.0 / 6.0);
        g.set(SimTime::from_nanos(8), 2);
        assert_eq!(
            g.finish(SimTime::from_nanos(10)),
            (vec![(6.0 + 4.0 + 4.0) / 10.0], vec![3])
        );
    }

    #[test]
    fn gauges_average_within_buckets_and_track_maxima() {
        let ms = SimTime::from_nanos;
        let mut g = GaugeSeries::new(SimDuration::from_nanos(10), 0);
        g.set(ms(5), 4); // bucket 0: 0 for 5, 4 for 5 → mean 2, max 4
        g.set(ms(12), 1); // bucket 1: 4 for 2, then 1 for 8 → mean 1.6, max 4
        g.set(ms(35), 7); // buckets 2: 1; 3: 1 for 5, 7 for 5 → 4
        let (means, maxes) = g.finish(ms(40));
        assert_eq!(means, vec![2.0, 1.6, 1.0, 4.0]);
        assert_eq!(maxes, vec![4, 4, 1, 7]);
        // A partial last bucket averages over its covered part.
        let (means, _) = g.finish(ms(38));
        assert_eq!(means[3], (5.0 + 7.0 * 3.0) / 8.0);
        // The overall mean agrees with the buckets'.
        assert_eq!(g.mean(ms(40)), (2.0 + 1.6 + 1.0 + 4.0) / 4.0);
    }
}
