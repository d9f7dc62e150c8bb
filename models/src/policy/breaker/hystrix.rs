//! Hystrix's `HystrixCircuitBreakerImpl` (1.5):
//!
//! - CLOSED: results go into a rolling window of 10 buckets; when the window holds at least
//!   `requestVolumeThreshold` requests and `errorPercentage = (int)(errors / total × 100)` is at
//!   least `errorThresholdPercentage`, the breaker opens (`CLOSED → OPEN`, `circuitOpened = now`).
//! - OPEN: `attemptExecution` lets exactly one request through once `now > circuitOpened +
//!   sleepWindow` (strictly), moving to HALF_OPEN; every other request is short-circuited
//!   (not counted in the window's total).
//! - HALF_OPEN: every request is rejected; `markSuccess` closes and resets the metrics,
//!   `markNonSuccess` reopens with a new `circuitOpened`. Both act on whatever result comes
//!   first, the trial's or a late one.
//!
//! Results while OPEN or HALF_OPEN would land in the window, but leaving HALF_OPEN for CLOSED
//! always resets it, so they are not kept.

use sim_core::time::{SimDuration, SimTime};

use super::{BreakerConfig, BreakerState, Core, HYSTRIX_BUCKETS, Rejected, Transition, TransitionReason};

const BUCKETS: usize = HYSTRIX_BUCKETS as usize;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct HystrixBreaker {
    pub(super) core: Core,
    window: SimDuration,
    request_volume: u32,
    error_percent: f64,
    sleep_window: SimDuration,
    buckets: Buckets,
}

/// 10 buckets of `window / 10`, aligned to multiples of the width.
#[derive(Clone, Debug, PartialEq)]
struct Buckets {
    width: u64,
    /// Slot `k % 10` holds bucket `k`: its index, requests and errors.
    index: [u64; BUCKETS],
    total: [u32; BUCKETS],
    errors: [u32; BUCKETS],
}

impl Buckets {
    fn new(window: SimDuration) -> Buckets {
        Buckets {
            width: window.as_nanos() / BUCKETS as u64,
            index: [0; BUCKETS],
            total: [0; BUCKETS],
            errors: [0; BUCKETS],
        }
    }

    fn record(&mut self, now: SimTime, error: bool) {
        let current = now.as_nanos() / self.width;
        let slot = (current % BUCKETS as u64) as usize;
        if self.index[slot] != current {
            self.index[slot] = current;
            self.total[slot] = 0;
            self.errors[slot] = 0;
        }
        self.total[slot] += 1;
        self.errors[slot] += u32::from(error);
    }

    /// Requests and errors in the current bucket and the 9 before it.
    fn health(&self, now: SimTime) -> (u32, u32) {
        let current = now.as_nanos() / self.width;
        let live = |i: &usize| self.index[*i] <= current && self.index[*i] + BUCKETS as u64 > current;
        (0..BUCKETS)
            .filter(live)
            .fold((0, 0), |(t, e), i| (t + self.total[i], e + self.errors[i]))
    }

    fn reset(&mut self) {
        self.total = [0; BUCKETS];
        self.errors = [0; BUCKETS];
    }
}

impl HystrixBreaker {
    pub(super) fn new(config: &BreakerConfig) -> HystrixBreaker {
        let BreakerConfig::Hystrix {
            window,
            request_volume,
            error_percent,
            sleep_window,
        } = *config
        else {
            panic!("not a Hystrix breaker: {config:?}");
        };
        HystrixBreaker {
            core: Core::new(),
            window,
            request_volume,
            error_percent,
            sleep_window,
            buckets: Buckets::new(window),
        }
    }

    pub(super) fn try_acquire(&mut self, now: SimTime) -> (Result<(), Rejected>, Option<Transition>) {
        match self.core.state {
            BreakerState::Closed => (Ok(()), None),
            BreakerState::Open if now > self.core.opened_at.saturating_add(self.sleep_window) => {
                let reason = TransitionReason::OpenTimeElapsed {
                    waited: self.sleep_window,
                };
                let transition = self.core.go(now, BreakerState::HalfOpen, reason);
                self.core.admit_half_open();
                (Ok(()), Some(transition))
            }
            BreakerState::Open | BreakerState::HalfOpen => (Err(Rejected), None),
        }
    }

    pub(super) fn on_result(&mut self, now: SimTime, success: bool) -> Option<Transition> {
        match self.core.state {
            BreakerState::Closed => {
                self.buckets.record(now, !success);
                let (requests, errors) = self.buckets.health(now);
                let percent = error_percentage(errors, requests);
                if requests < self.request_volume || f64::from(percent) < self.error_percent {
                    return None;
                }
                let reason = TransitionReason::ErrorPercentage {
                    percent,
                    threshold: self.error_percent,
                    requests,
                    window: self.window,
                };
                Some(self.core.go(now, BreakerState::Open, reason))
            }
            BreakerState::HalfOpen => {
                self.core.complete_half_open();
                if success {
                    self.buckets.reset();
                    Some(
                        self.core
                            .go(now, BreakerState::Closed, TransitionReason::TrialSucceeded),
                    )
                } else {
                    Some(
                        self.core
                            .go(now, BreakerState::Open, TransitionReason::TrialFailed),
                    )
                }
            }
            BreakerState::Open => None,
        }
    }
}

/// `HealthCounts`: `(int) ((double) errorCount / totalCount * 100)`, 0 without requests.
fn error_percentage(errors: u32, total: u32) -> u32 {
    if total == 0 {
        0
    } else {
        (f64::from(errors) / f64::from(total) * 100.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_percentage_truncates_like_java() {
        assert_eq!(error_percentage(0, 0), 0);
        assert_eq!(error_percentage(1, 2), 50);
        assert_eq!(error_percentage(2, 3), 66);
        // 29/100 in doubles is 28.999999999999996: Java's (int) cast gives 28, not 29.
        assert_eq!(error_percentage(29, 100), 28);
    }

    #[test]
    fn buckets_roll_over_the_window() {
        let mut b = Buckets::new(SimDuration::from_secs(10));
        let at = |ms: u64| SimTime::from_nanos(ms * 1_000_000);
        b.record(at(500), true);
        b.record(at(9_999), false);
        assert_eq!(b.health(at(9_999)), (2, 1));
        assert_eq!(b.health(at(10_000)), (1, 0), "bucket [0, 1s) left");
        assert_eq!(b.health(at(30_000)), (0, 0));
        b.reset();
        assert_eq!(b.health(at(9_999)), (0, 0));
    }
}
