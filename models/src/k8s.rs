//! Kubernetes rules that are pure functions of time: CrashLoopBackOff.
//!
//! Source: kubernetes `pkg/kubelet` restart back-off (`client-go/util/flowcontrol/backoff.go`;
//! https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts): the
//! first restart is immediate, then 10, 20, 40, 80, 160,
//! 300, 300… seconds; the back-off resets once a container has run for 10 minutes.

pub use crate::defaults::{BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_RESET_AFTER};
use sim_core::time::{SimDuration, SimTime};

/// The restart back-off of one pod's container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrashLoopBackOff {
    next: SimDuration,
}

impl Default for CrashLoopBackOff {
    fn default() -> Self {
        CrashLoopBackOff::new()
    }
}

impl CrashLoopBackOff {
    /// A pod that has never restarted: its first restart is immediate.
    pub fn new() -> CrashLoopBackOff {
        CrashLoopBackOff {
            next: SimDuration::ZERO,
        }
    }

    /// The container, started at `started_at`, died at `now`: returns how long to wait before
    /// starting it again, and advances the back-off.
    pub fn on_exit(&mut self, started_at: SimTime, now: SimTime) -> SimDuration {
        if now.saturating_since(started_at) >= BACKOFF_RESET_AFTER {
            self.next = SimDuration::ZERO;
        }
        let delay = self.next;
        self.next = if delay.is_zero() {
            BACKOFF_INITIAL
        } else {
            delay.saturating_mul(2).min(BACKOFF_MAX)
        };
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_ten_seconds_to_five_minutes() {
        let mut b = CrashLoopBackOff::new();
        let mut t = SimTime::ZERO;
        let mut delays = Vec::new();
        for _ in 0..9 {
            let start = t;
            t = t.saturating_add(SimDuration::from_secs(30)); // runs 30 s, dies
            let d = b.on_exit(start, t);
            delays.push(d.as_nanos() / 1_000_000_000);
            t = t.saturating_add(d);
        }
        assert_eq!(delays, vec![0, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn ten_minutes_up_resets() {
        let mut b = CrashLoopBackOff::new();
        let s = SimTime::from_secs;
        assert_eq!(b.on_exit(s(0), s(30)), SimDuration::ZERO);
        assert_eq!(b.on_exit(s(30), s(60)), BACKOFF_INITIAL);
        // Up for exactly 10 minutes: reset, immediate restart again.
        assert_eq!(b.on_exit(s(100), s(700)), SimDuration::ZERO);
        // Up for just under 10 minutes: no reset.
        assert_eq!(
            b.on_exit(s(700), SimTime::from_nanos(1_299_999_999_999)),
            BACKOFF_INITIAL
        );
    }
}
