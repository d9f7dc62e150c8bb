//! Bounded histories of state changes (a pod's states, a breaker's), for the state bands of
//! the timeline.
//!
//! A history keeps the first [`MAX_KEPT_CHANGES`] changes and after that only counts them, so a
//! breaker that flaps for a simulated week costs the same memory as one that flaps for an hour.
//! A band drawn from a truncated history stops where its record stops
//! ([`History::kept_until`]) rather than pretending the last kept state lasted.

use sim_core::time::SimTime;

/// The most changes a history keeps (16 bytes each).
pub const MAX_KEPT_CHANGES: usize = 4096;

/// `(time, new state)` from time zero, bounded.
#[derive(Clone, Debug, PartialEq)]
pub struct History<S> {
    kept: Vec<(SimTime, S)>,
    current: S,
    changes: u64,
    truncated_at: Option<SimTime>,
}

impl<S: Copy + PartialEq> History<S> {
    /// A history in state `initial` from time zero.
    pub fn new(initial: S) -> History<S> {
        History {
            kept: vec![(SimTime::ZERO, initial)],
            current: initial,
            changes: 0,
            truncated_at: None,
        }
    }

    /// Records `state` at `now`; a no-op if it is the current state. Returns whether it
    /// changed.
    pub fn record(&mut self, now: SimTime, state: S) -> bool {
        if state == self.current {
            return false;
        }
        self.current = state;
        self.changes += 1;
        if self.kept.len() < MAX_KEPT_CHANGES {
            self.kept.push((now, state));
        } else if self.truncated_at.is_none() {
            self.truncated_at = Some(now);
        }
        true
    }

    /// The current state.
    pub fn current(&self) -> S {
        self.current
    }

    /// Every change, kept or not.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// The kept changes, starting with the initial state at time zero.
    pub fn kept(&self) -> &[(SimTime, S)] {
        &self.kept
    }

    /// When the record stops: the time of the first change not kept, if any.
    pub fn kept_until(&self) -> Option<SimTime> {
        self.truncated_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_changes_up_to_the_bound_then_counts_them() {
        let mut h = History::new(0u8);
        assert!(!h.record(SimTime::from_secs(1), 0), "no change");
        for i in 1..=(MAX_KEPT_CHANGES as u64 + 10) {
            assert!(h.record(SimTime::from_secs(i), (i % 2) as u8));
        }
        assert_eq!(h.kept().len(), MAX_KEPT_CHANGES);
        assert_eq!(h.changes(), MAX_KEPT_CHANGES as u64 + 10);
        // The initial state plus 4095 kept changes: change number 4096 is the first dropped.
        assert_eq!(h.kept_until(), Some(SimTime::from_secs(MAX_KEPT_CHANGES as u64)));
        assert_eq!(h.current(), ((MAX_KEPT_CHANGES as u64 + 10) % 2) as u8);
        assert_eq!(h.kept()[0], (SimTime::ZERO, 0));
    }
}
