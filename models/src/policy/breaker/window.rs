//! resilience4j's sliding windows, with memory fixed by the configuration.
//!
//! - Count-based (`FixedSizeSlidingWindowMetrics`): a ring of the last `size` outcomes and a
//!   running total; recording evicts the oldest outcome once the ring is full.
//! - Time-based (`SlidingTimeWindowMetrics`): a ring of `seconds` buckets, one per (epoch)
//!   second — here per whole second of simulated time — and a running total. Recording first
//!   moves the head to the current second, subtracting each bucket it reuses, so the window
//!   covers the current second and the `seconds − 1` before it.

use sim_core::time::SimTime;

const NANOS_PER_SEC: u64 = 1_000_000_000;
const FAILED: u8 = 1;
const SLOW: u8 = 2;

/// Aggregated outcomes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    /// Calls recorded.
    pub(super) calls: u32,
    /// Of which failed.
    pub(super) failed: u32,
    /// Of which slower than the slow-call threshold.
    pub(super) slow: u32,
}

impl Counts {
    pub(super) fn add(&mut self, failed: bool, slow: bool) {
        self.calls += 1;
        self.failed += u32::from(failed);
        self.slow += u32::from(slow);
    }

    fn remove(&mut self, other: Counts) {
        self.calls -= other.calls;
        self.failed -= other.failed;
        self.slow -= other.slow;
    }

    /// resilience4j's `failedCalls * 100.0f / totalCalls`, in `f32` as Java computes it.
    pub(super) fn failure_rate(&self) -> f32 {
        percent(self.failed, self.calls)
    }

    /// resilience4j's `slowCalls * 100.0f / totalCalls`.
    pub(super) fn slow_call_rate(&self) -> f32 {
        percent(self.slow, self.calls)
    }
}

fn percent(part: u32, total: u32) -> f32 {
    if total == 0 {
        0.0
    } else {
        part as f32 * 100.0 / total as f32
    }
}

/// A count- or time-based window.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Window {
    Count(CountWindow),
    Time(TimeWindow),
}

impl Window {
    /// Records one outcome at `now` and returns the window's totals.
    pub(super) fn record(&mut self, now: SimTime, failed: bool, slow: bool) -> Counts {
        match self {
            Window::Count(w) => w.record(failed, slow),
            Window::Time(w) => w.record(now, failed, slow),
        }
    }

    /// Empties the window, as a fresh `ClosedState` does.
    pub(super) fn reset(&mut self, now: SimTime) {
        match self {
            Window::Count(w) => w.reset(),
            Window::Time(w) => w.reset(now),
        }
    }
}

/// The last `size` outcomes.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CountWindow {
    /// Outcome bits (`FAILED | SLOW`) in a ring; only the first `len` slots are meaningful.
    ring: Vec<u8>,
    head: usize,
    len: usize,
    totals: Counts,
}

impl CountWindow {
    pub(super) fn new(size: u32) -> CountWindow {
        CountWindow {
            ring: vec![0; size.max(1) as usize],
            head: 0,
            len: 0,
            totals: Counts::default(),
        }
    }

    fn record(&mut self, failed: bool, slow: bool) -> Counts {
        let bits = if failed { FAILED } else { 0 } | if slow { SLOW } else { 0 };
        if self.len == self.ring.len() {
            let old = self.ring[self.head];
            self.totals.remove(Counts {
                calls: 1,
                failed: u32::from(old & FAILED),
                slow: u32::from(old >> 1),
            });
        } else {
            self.len += 1;
        }
        self.ring[self.head] = bits;
        self.head = (self.head + 1) % self.ring.len();
        self.totals.add(failed, slow);
        self.totals
    }

    fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.totals = Counts::default();
    }
}

/// Per-second buckets over the last `seconds` seconds.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TimeWindow {
    /// `(second, counts)`; the head holds the latest second.
    buckets: Vec<(u64, Counts)>,
    head: usize,
    totals: Counts,
}

impl TimeWindow {
    pub(super) fn new(seconds: u32, now: SimTime) -> TimeWindow {
        let mut w = TimeWindow {
            buckets: vec![(0, Counts::default()); seconds.max(1) as usize],
            head: 0,
            totals: Counts::default(),
        };
        w.reset(now);
        w
    }

    fn record(&mut self, now: SimTime, failed: bool, slow: bool) -> Counts {
        self.move_to(now.as_nanos() / NANOS_PER_SEC);
        self.buckets[self.head].1.add(failed, slow);
        self.totals.add(failed, slow);
        self.totals
    }

    /// Advances the head to `second`, recycling at most `len` buckets.
    fn move_to(&mut self, second: u64) {
        let latest = self.buckets[self.head].0;
        if second <= latest {
            return;
        }
        let n = self.buckets.len() as u64;
        let steps = (second - latest).min(n);
        for k in (0..steps).rev() {
            self.head = (self.head + 1) % self.buckets.len();
            let old = self.buckets[self.head].1;
            self.totals.remove(old);
            self.buckets[self.head] = (second - k, Counts::default());
        }
    }

    fn reset(&mut self, now: SimTime) {
        let second = now.as_nanos() / NANOS_PER_SEC;
        self.buckets.fill((second, Counts::default()));
        self.head = 0;
        self.totals = Counts::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    #[test]
    fn count_window_keeps_the_last_n_outcomes() {
        let mut w = Window::Count(CountWindow::new(3));
        let now = SimTime::ZERO;
        assert_eq!(
            w.record(now, true, false),
            Counts {
                calls: 1,
                failed: 1,
                slow: 0
            }
        );
        assert_eq!(
            w.record(now, true, true),
            Counts {
                calls: 2,
                failed: 2,
                slow: 1
            }
        );
        assert_eq!(
            w.record(now, false, false),
            Counts {
                calls: 3,
                failed: 2,
                slow: 1
            }
        );
        // Evicts the first failure.
        assert_eq!(
            w.record(now, false, false),
            Counts {
                calls: 3,
                failed: 1,
                slow: 1
            }
        );
        // Evicts the slow failure.
        assert_eq!(
            w.record(now, false, false),
            Counts {
                calls: 3,
                failed: 0,
                slow: 0
            }
        );
        w.reset(now);
        assert_eq!(
            w.record(now, false, true),
            Counts {
                calls: 1,
                failed: 0,
                slow: 1
            }
        );
    }

    #[test]
    fn time_window_covers_the_current_second_and_the_ones_before() {
        let mut w = Window::Time(TimeWindow::new(3, SimTime::ZERO));
        w.record(at(100), true, false); // second 0
        w.record(at(1_900), true, false); // second 1
        assert_eq!(w.record(at(2_999), false, false).calls, 3, "seconds 0..=2");
        // Second 3: second 0 leaves.
        assert_eq!(
            w.record(at(3_000), false, false),
            Counts {
                calls: 3,
                failed: 1,
                slow: 0
            }
        );
        // A long gap empties everything.
        assert_eq!(
            w.record(at(60_000), false, true),
            Counts {
                calls: 1,
                failed: 0,
                slow: 1
            }
        );
        assert_eq!(w.record(at(62_500), false, false).calls, 2);
        assert_eq!(w.record(at(63_000), false, false).calls, 2, "second 60 left");
    }

    #[test]
    fn rates_are_computed_in_f32_like_java() {
        let c = Counts {
            calls: 3,
            failed: 1,
            slow: 2,
        };
        assert_eq!(c.failure_rate(), 100.0f32 / 3.0);
        assert_eq!(c.slow_call_rate(), 200.0f32 / 3.0);
        assert_eq!(Counts::default().failure_rate(), 0.0);
    }
}
