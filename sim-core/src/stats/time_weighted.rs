//! The time average of a piecewise-constant level.

use crate::time::SimTime;

/// Integrates a non-negative integer level (queue length, requests in flight, busy slots) over
/// time, exactly, in integer nanosecond-units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeWeighted {
    value: u64,
    since: SimTime,
    start: SimTime,
    area: u128,
    max: u64,
}

impl TimeWeighted {
    /// Starts integrating at `start` with level `initial`.
    pub fn new(start: SimTime, initial: u64) -> TimeWeighted {
        TimeWeighted {
            value: initial,
            since: start,
            start,
            area: 0,
            max: initial,
        }
    }

    #[inline]
    fn advance(&mut self, now: SimTime) {
        debug_assert!(now >= self.since, "time went backwards");
        self.area += u128::from(self.value) * u128::from(now.saturating_since(self.since).as_nanos());
        self.since = now;
    }

    /// Sets the level at `now`.
    #[inline]
    pub fn set(&mut self, now: SimTime, value: u64) {
        self.advance(now);
        self.value = value;
        self.max = self.max.max(value);
    }

    /// Raises the level by one at `now`.
    #[inline]
    pub fn increment(&mut self, now: SimTime) {
        self.set(now, self.value + 1);
    }

    /// Lowers the level by one at `now`.
    ///
    /// # Panics
    /// If the level is zero: a count never goes negative.
    #[inline]
    pub fn decrement(&mut self, now: SimTime) {
        assert!(self.value > 0, "level would go negative");
        self.set(now, self.value - 1);
    }

    /// The current level.
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The highest level seen since the start.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The time average over `[start, now]` (the current level if no time has passed).
    pub fn mean(&self, now: SimTime) -> f64 {
        let span = now.saturating_since(self.start).as_nanos();
        if span == 0 {
            return self.value as f64;
        }
        let area =
            self.area + u128::from(self.value) * u128::from(now.saturating_since(self.since).as_nanos());
        area as f64 / span as f64
    }

    /// Forgets the history and starts integrating afresh at `now` (e.g. after a warm-up period).
    pub fn restart(&mut self, now: SimTime) {
        self.advance(now);
        self.start = now;
        self.area = 0;
        self.max = self.value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_a_step_function_exactly() {
        let s = SimTime::from_secs;
        let mut tw = TimeWeighted::new(s(0), 0);
        tw.set(s(1), 4); // 0 for 1 s
        tw.increment(s(3)); // 4 for 2 s
        tw.decrement(s(4)); // 5 for 1 s
        // then 4 until t = 6: area = 0 + 8 + 5 + 8 = 21 over 6 s.
        assert_eq!(tw.mean(s(6)), 3.5);
        assert_eq!(tw.max(), 5);
        tw.restart(s(6));
        assert_eq!(tw.mean(s(8)), 4.0);
    }

    #[test]
    #[should_panic(expected = "negative")]
    fn never_goes_negative() {
        TimeWeighted::new(SimTime::ZERO, 0).decrement(SimTime::ZERO);
    }
}
