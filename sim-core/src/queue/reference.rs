//! The ordered model the queue's churn tests hold it to: every pending event by `(time, id)`,
//! the cancellable ones with their keys, the clock, and a xorshift stream of choices (tests
//! only).

use std::collections::BTreeMap;

use super::{EventQueue, TimerKey};
use crate::time::SimTime;

/// The pending events a correct queue holds, and what it must answer.
pub(super) struct Reference {
    pending: BTreeMap<(u64, u64), ()>,
    cancellable: Vec<((u64, u64), TimerKey)>,
    /// The time of the last event popped.
    pub(super) now: u64,
    state: u64,
}

impl Reference {
    /// An empty model whose choices come from `seed` (not zero).
    pub(super) fn new(seed: u64) -> Reference {
        Reference {
            pending: BTreeMap::new(),
            cancellable: Vec::new(),
            now: 0,
            state: seed,
        }
    }

    /// The next pseudo-random word (xorshift64).
    pub(super) fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// Event `id` was pushed at `at`, cancellable with `key` if given.
    pub(super) fn pushed(&mut self, at: u64, id: u64, key: Option<TimerKey>) {
        self.pending.insert((at, id), ());
        if let Some(key) = key {
            self.cancellable.push(((at, id), key));
        }
    }

    /// Cancels a cancellable event, the one at the front of the list if `front` (the first
    /// pushed, until a `swap_remove` brought the last one there), else one drawn at random: the
    /// queue must succeed exactly when the event is still pending, and a second cancel must do
    /// nothing.
    pub(super) fn cancel(&mut self, q: &mut EventQueue<u64>, front: bool) {
        if self.cancellable.is_empty() {
            return;
        }
        let i = if front {
            0
        } else {
            (self.next() as usize) % self.cancellable.len()
        };
        let (entry, key) = self.cancellable.swap_remove(i);
        let pending = self.pending.remove(&entry).is_some();
        assert_eq!(q.cancel(key), pending, "cancel succeeds iff the event is pending");
        assert!(!q.cancel(key), "a second cancel is a no-op");
    }

    /// Pops from the queue and from the model: the same event (or none) after operation `op`.
    pub(super) fn pop(&mut self, q: &mut EventQueue<u64>, op: u64) {
        let expected = self.pending.pop_first().map(|(k, ())| k);
        let got = q.pop().map(|(tm, e)| (tm.as_nanos(), e));
        assert_eq!(got, expected, "at operation {op}");
        if let Some((tm, _)) = got {
            self.now = tm;
        }
    }

    /// `pop_before(until)` on the queue against the model.
    pub(super) fn pop_before(&mut self, q: &mut EventQueue<u64>, until: u64, op: u64) {
        let first = self.pending.first_key_value().map(|(k, ())| *k);
        let expected = first.filter(|&(at, _)| at < until);
        let got = q
            .pop_before(SimTime::from_nanos(until))
            .map(|(tm, e)| (tm.as_nanos(), e));
        assert_eq!(got, expected, "pop_before at operation {op}");
        if let Some(k) = got {
            self.pending.remove(&k);
            self.now = k.0;
        }
    }

    /// `peek_time` on the queue against the model.
    pub(super) fn peek(&self, q: &mut EventQueue<u64>, op: u64) {
        let first = self
            .pending
            .first_key_value()
            .map(|(k, ())| SimTime::from_nanos(k.0));
        assert_eq!(q.peek_time(), first, "peek at operation {op}");
    }

    /// The queue holds as many live events as the model.
    pub(super) fn check_len(&self, q: &EventQueue<u64>) {
        assert_eq!(q.len(), self.pending.len());
    }

    /// Pops everything left: the same events in the same order, and nothing more.
    pub(super) fn drain(&mut self, q: &mut EventQueue<u64>) {
        while let Some((tm, e)) = q.pop() {
            assert_eq!(
                Some((tm.as_nanos(), e)),
                self.pending.pop_first().map(|(k, ())| k)
            );
        }
        assert!(self.pending.is_empty());
    }
}
