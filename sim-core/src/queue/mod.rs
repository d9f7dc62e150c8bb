//! The pending-event set: FIFO among equal times, O(1) cancellation, and fast at any size.
//!
//! A discrete-event simulation only schedules at or after the current time, so the queue is
//! *monotone*, and keys are integers. The queue has two storages and moves between them by size:
//! - up to 16 stored entries, an unsorted `Vec`: a push is a `Vec::push` and a pop a branch-free
//!   scan for the minimum `(time, sequence)` and a `swap_remove`, faster than any heap when little
//!   is pending;
//! - beyond that, a monotone [radix heap](radix), whose cost does not grow with the number of
//!   pending events the way a binary heap's cache misses do (see the README's benchmark table).
//!
//! It returns to the `Vec` when fewer than 4 entries are left, so it cannot oscillate between the
//! two on every operation.
//!
//! **Ties.** Every entry carries an insertion sequence number, and both storages order by
//! `(time, sequence)`: equal times are FIFO, so the order of events never depends on their
//! payload or on memory layout.
//!
//! **Cancellation.** Timeouts are scheduled for nearly every request and nearly always cancelled.
//! [`EventQueue::push_cancellable`] hands out a [`TimerKey`]; [`EventQueue::cancel`] disarms it in
//! O(1) and leaves the entry where it is. A cancelled entry is dropped when it reaches the front,
//! and when cancelled entries outnumber live ones the queue compacts itself, so memory stays
//! within about twice the live set.

mod radix;
#[cfg(test)]
mod tests;

use crate::time::SimTime;
use radix::RadixHeap;

/// Low bits of an entry's tag: the timer slot, or `NO_SLOT` for a plain event.
const SLOT_BITS: u32 = 24;
const NO_SLOT: u64 = (1 << SLOT_BITS) - 1;
/// The most events a queue accepts over its life (the sequence number's 40 bits): at 20M events/s
/// that is 15 hours of computation for one run.
pub const MAX_SCHEDULED: u64 = 1 << (64 - SLOT_BITS);
/// Above this many stored entries the queue uses the radix heap...
const SMALL_MAX: usize = 16;
/// ...and below this many it goes back to the `Vec`.
const SMALL_MIN: usize = 4;
/// Compaction is not worth it for small queues.
const COMPACT_MIN_DEAD: usize = 4096;

/// A handle to a cancellable event. Cancelling after the event fired (or twice) is a no-op.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TimerKey {
    slot: u32,
    seq: u64,
}

/// 16 bytes plus the payload: the time, and a tag holding the insertion sequence number in the
/// high 40 bits (so ordering tags orders by sequence) and the timer slot in the low 24.
struct Entry<E> {
    time: u64,
    tag: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline(always)]
    fn slot(&self) -> u64 {
        self.tag & NO_SLOT
    }
    #[inline(always)]
    fn seq(&self) -> u64 {
        self.tag >> SLOT_BITS
    }
}

/// The index of the earliest entry of a non-empty slice.
#[inline(always)]
fn index_of_min<E>(entries: &[Entry<E>]) -> usize {
    // Written as selects rather than a branch: which entry is smaller is unpredictable, and a
    // mispredicted branch per entry cost more than the whole comparison.
    let mut best = 0;
    let (mut best_time, mut best_tag) = (entries[0].time, entries[0].tag);
    for (i, entry) in entries.iter().enumerate().skip(1) {
        let less = (entry.time < best_time) | ((entry.time == best_time) & (entry.tag < best_tag));
        best = if less { i } else { best };
        best_time = if less { entry.time } else { best_time };
        best_tag = if less { entry.tag } else { best_tag };
    }
    best
}

/// Slots for cancellable entries. A slot holds the sequence number of the entry that armed it, so
/// a key is valid exactly while that entry is pending: sequence numbers are never reused.
#[derive(Default)]
struct TimerSlots {
    armed: Vec<u64>,
    free: Vec<u32>,
}

const DISARMED: u64 = u64::MAX;

impl TimerSlots {
    fn arm(&mut self, seq: u64) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.armed[slot as usize] = seq;
                slot
            }
            None => {
                let slot = self.armed.len() as u64;
                assert!(
                    slot < NO_SLOT,
                    "more than {NO_SLOT} cancellable events pending at once"
                );
                self.armed.push(seq);
                slot as u32
            }
        }
    }

    #[inline]
    fn is_armed(&self, slot: u64, seq: u64) -> bool {
        self.armed[slot as usize] == seq
    }

    /// Disarms the slot if `seq` armed it; returns whether it did.
    #[inline]
    fn disarm(&mut self, slot: u64, seq: u64) -> bool {
        let armed = &mut self.armed[slot as usize];
        if *armed != seq {
            return false;
        }
        *armed = DISARMED;
        self.free.push(slot as u32);
        true
    }

    /// Whether the entry is live (plain, or cancellable and not cancelled).
    #[inline(always)]
    fn is_live<E>(&self, entry: &Entry<E>) -> bool {
        let slot = entry.slot();
        slot == NO_SLOT || self.is_armed(slot, entry.seq())
    }
}

/// A monotone priority queue of events keyed by [`SimTime`], FIFO among equal times.
pub struct EventQueue<E> {
    /// While `in_radix` is false: every entry, unordered.
    small: Vec<Entry<E>>,
    radix: RadixHeap<E>,
    in_radix: bool,
    /// The time of the last event returned by `pop`: nothing may be scheduled before it.
    floor: u64,
    next_seq: u64,
    timers: TimerSlots,
    live: usize,
    /// Cancelled entries still stored.
    dead: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue whose clock starts at zero.
    pub fn new() -> Self {
        EventQueue {
            small: Vec::with_capacity(SMALL_MAX),
            radix: RadixHeap::new(),
            in_radix: false,
            floor: 0,
            next_seq: 0,
            timers: TimerSlots::default(),
            live: 0,
            dead: 0,
        }
    }

    /// Number of live (not cancelled) pending events.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no live event is pending.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Schedules `event` at `time`.
    ///
    /// # Panics
    /// If `time` is earlier than the last popped time (a simulation never schedules in the past),
    /// or after [`MAX_SCHEDULED`] insertions.
    #[inline(always)]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq();
        self.insert(Entry {
            time: time.as_nanos(),
            tag: (seq << SLOT_BITS) | NO_SLOT,
            event,
        });
    }

    /// Schedules `event` at `time` and returns a key that can cancel it.
    #[inline]
    pub fn push_cancellable(&mut self, time: SimTime, event: E) -> TimerKey {
        let seq = self.next_seq();
        let slot = self.timers.arm(seq);
        self.insert(Entry {
            time: time.as_nanos(),
            tag: (seq << SLOT_BITS) | u64::from(slot),
            event,
        });
        TimerKey { slot, seq }
    }

    /// Cancels a pending event in O(1). Returns `false` if it already fired or was cancelled.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        if !self.timers.disarm(u64::from(key.slot), key.seq) {
            return false;
        }
        self.live -= 1;
        self.dead += 1;
        if self.in_radix && self.dead >= COMPACT_MIN_DEAD && self.dead > self.live {
            let timers = &self.timers;
            self.radix.retain(|e| timers.is_live(e));
            self.dead = 0;
        }
        true
    }

    /// Removes and returns the earliest live event (FIFO among equal times).
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            let entry = if self.in_radix {
                self.radix.pop()
            } else {
                self.pop_small()
            }?;
            if let Some(event) = self.accept(entry) {
                return Some(event);
            }
        }
    }

    /// Removes and returns the earliest live event if it is strictly before `until`: a peek and
    /// a pop in one search.
    #[inline(always)]
    pub fn pop_before(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let until = until.as_nanos();
        loop {
            let entry = if self.in_radix {
                if self.radix.peek()?.time >= until {
                    return None;
                }
                self.radix.pop().expect("peeked")
            } else {
                if self.small.is_empty() {
                    return None;
                }
                let i = index_of_min(&self.small);
                if self.small[i].time >= until {
                    return None;
                }
                self.small.swap_remove(i)
            };
            if let Some(event) = self.accept(entry) {
                return Some(event);
            }
        }
    }

    /// Books a removed entry: `None` if it was cancelled, the event otherwise.
    #[inline(always)]
    fn accept(&mut self, entry: Entry<E>) -> Option<(SimTime, E)> {
        let slot = entry.slot();
        if slot != NO_SLOT && !self.timers.disarm(slot, entry.seq()) {
            self.dead -= 1;
            return None;
        }
        self.live -= 1;
        self.floor = entry.time;
        if self.in_radix && self.live + self.dead < SMALL_MIN {
            self.move_to_small();
        }
        Some((SimTime::from_nanos(entry.time), entry.event))
    }

    /// The time of the earliest live event, without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            let head = if self.in_radix {
                self.radix.peek()
            } else if self.small.is_empty() {
                None
            } else {
                Some(&self.small[index_of_min(&self.small)])
            }?;
            if self.timers.is_live(head) {
                return Some(SimTime::from_nanos(head.time));
            }
            if self.in_radix {
                self.radix.pop()
            } else {
                self.pop_small()
            };
            self.dead -= 1;
        }
    }

    #[inline(always)]
    fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        assert!(
            seq < MAX_SCHEDULED,
            "more than {MAX_SCHEDULED} events scheduled in one run"
        );
        self.next_seq += 1;
        seq
    }

    #[inline(always)]
    fn insert(&mut self, entry: Entry<E>) {
        assert!(
            entry.time >= self.floor,
            "event scheduled in the past: at {} ns, the queue is at {} ns",
            entry.time,
            self.floor
        );
        self.live += 1;
        if self.in_radix {
            if entry.time < self.radix.last {
                self.radix.rebase(entry.time);
            }
            self.radix.push(entry);
        } else if self.small.len() < SMALL_MAX {
            self.small.push(entry);
        } else {
            self.move_to_radix();
            self.radix.push(entry);
        }
    }

    #[inline(always)]
    fn pop_small(&mut self) -> Option<Entry<E>> {
        if self.small.is_empty() {
            return None;
        }
        let i = index_of_min(&self.small);
        Some(self.small.swap_remove(i))
    }

    /// Moves every entry into the radix heap, bucketed around the clock.
    #[cold]
    fn move_to_radix(&mut self) {
        debug_assert!(!self.in_radix);
        self.radix.last = self.floor;
        // In sequence order, so entries at `floor` reach the radix heap's tail in FIFO order.
        self.small.sort_unstable_by_key(|e| e.tag);
        for entry in self.small.drain(..) {
            self.radix.push(entry);
        }
        self.in_radix = true;
    }

    /// Moves the live entries back into the `Vec`.
    #[cold]
    fn move_to_small(&mut self) {
        let timers = &self.timers;
        self.small
            .extend(self.radix.drain_all().into_iter().filter(|e| timers.is_live(e)));
        self.dead = 0;
        self.in_radix = false;
    }

    /// Number of stored entries, live or cancelled.
    #[cfg(test)]
    fn stored(&self) -> usize {
        if self.in_radix {
            self.radix.stored()
        } else {
            self.small.len()
        }
    }
}
