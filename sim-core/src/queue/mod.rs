//! The pending-event set: FIFO among equal times, O(1) cancellation, and fast at any size.
//!
//! A discrete-event simulation only schedules at or after the current time, so the queue is
//! *monotone*, and keys are integers. The queue has two storages and moves between them by size:
//! - up to 16 stored entries, a `Vec` sorted by decreasing `(time, sequence)`: a push is a search
//!   from the earliest end and an insert, a pop a `Vec::pop`, and the earliest entry is always
//!   the last one, so comparing it with the delay lines' fronts costs one comparison. For so few
//!   entries this costs fewer instructions than any heap, or than an unsorted `Vec` scanned on
//!   every pop;
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
//!
//! **Timer lanes.** Timers of one constant duration (an attempt timeout of one edge) expire in
//! the order they were set, so they need no heap: [`EventQueue::push_in_lane`] appends them to a
//! FIFO [lane](lanes) and only each lane's head is stored in the heap. A model with thousands of
//! pending timeouts, nearly all cancelled, then keeps one heap entry per lane, and a cancelled
//! timer behind the head never touches the heap (it is skipped when its lane reaches it, within
//! one delay, so a lane is not compacted). The order of events is the same `(time,
//! sequence)` order as with [`EventQueue::push_cancellable`], so outputs do not change.
//!
//! **Delay lines.** Plain events of one constant delay (a network hop at a constant latency) are
//! due in the order they were scheduled too: [`EventQueue::push_in_line`] appends them to a FIFO
//! [line](lines) that stays outside the heap; a pop takes the earliest of the heap's head and the
//! lines' fronts by `(time, sequence)`, so again outputs do not change.

mod lanes;
mod lines;
mod radix;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lines;

use crate::time::SimTime;
pub use lanes::{LaneId, MAX_LANES};
use lanes::{Lanes, NO_LANE};
pub use lines::{LineId, MAX_LINES};
use lines::{Lines, NO_KEY, key};
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

/// Slots for cancellable entries. A slot holds the sequence number of the entry that armed it, so
/// a key is valid exactly while that entry is pending: sequence numbers are never reused.
/// Each slot also records the lane its timer was set in ([`NO_LANE`] for a heap timer).
#[derive(Default)]
struct TimerSlots {
    armed: Vec<u64>,
    lane: Vec<u32>,
    free: Vec<u32>,
}

const DISARMED: u64 = u64::MAX;
/// `armed` of a lane head cancelled while in the heap: its sequence number with this bit set.
/// The slot stays taken until the entry leaves the heap, so that its lane can be advanced then.
const CANCELLED_HEAD: u64 = 1 << 63;

impl TimerSlots {
    #[inline]
    fn arm(&mut self, seq: u64, lane: u32) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                self.armed[slot as usize] = seq;
                self.lane[slot as usize] = lane;
                slot
            }
            None => {
                let slot = self.armed.len() as u64;
                assert!(
                    slot < NO_SLOT,
                    "more than {NO_SLOT} cancellable events pending at once"
                );
                self.armed.push(seq);
                self.lane.push(lane);
                slot as u32
            }
        }
    }

    /// Frees a slot whatever it holds.
    #[inline]
    fn release(&mut self, slot: u64) {
        self.armed[slot as usize] = DISARMED;
        self.free.push(slot as u32);
    }

    /// The lane of a cancelled lane head (`armed` marked [`CANCELLED_HEAD`]), if `entry` is one.
    #[inline]
    fn cancelled_head_lane<E>(&self, entry: &Entry<E>) -> Option<u32> {
        let slot = entry.slot();
        (slot != NO_SLOT && self.armed[slot as usize] == entry.seq() | CANCELLED_HEAD)
            .then(|| self.lane[slot as usize])
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
    /// While `in_radix` is false: every entry, by decreasing `(time, sequence)` (the earliest
    /// last).
    small: Vec<Entry<E>>,
    radix: RadixHeap<E>,
    in_radix: bool,
    /// The time of the last event returned by `pop`: nothing may be scheduled before it.
    floor: u64,
    next_seq: u64,
    timers: TimerSlots,
    lanes: Lanes<E>,
    lines: Lines<E>,
    /// Live pending events, in the heap, in lanes or in lines.
    live: usize,
    /// Cancelled entries still in the heap (those in lanes are counted by `lanes`).
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
            lanes: Lanes::default(),
            lines: Lines::default(),
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
        let slot = self.timers.arm(seq, NO_LANE);
        self.insert(Entry {
            time: time.as_nanos(),
            tag: (seq << SLOT_BITS) | u64::from(slot),
            event,
        });
        TimerKey { slot, seq }
    }

    /// Cancels a pending event in O(1). Returns `false` if it already fired or was cancelled.
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        let slot = u64::from(key.slot);
        if !self.timers.is_armed(slot, key.seq) {
            return false;
        }
        self.live -= 1;
        let lane = self.timers.lane[key.slot as usize];
        if lane != NO_LANE && !self.lanes.is_head(lane, key.seq) {
            // Waiting in its lane, off the heap: skipped when the lane reaches it.
            self.timers.disarm(slot, key.seq);
            self.lanes.cancelled_behind_head();
            return true;
        }
        if lane == NO_LANE {
            self.timers.disarm(slot, key.seq);
        } else {
            self.timers.armed[key.slot as usize] = key.seq | CANCELLED_HEAD;
        }
        self.dead += 1;
        let heap_live = self.heap_live();
        if self.in_radix && self.dead >= COMPACT_MIN_DEAD && self.dead > heap_live {
            let timers = &self.timers;
            let mut orphaned = Vec::new();
            self.radix.retain(|e| {
                let live = timers.is_live(e);
                if !live && let Some(lane) = timers.cancelled_head_lane(e) {
                    orphaned.push((e.slot(), lane));
                }
                live
            });
            self.dead = 0;
            self.readmit_lanes(orphaned);
        }
        true
    }

    /// Removes and returns the earliest live event (FIFO among equal times).
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            let entry = self.take(|_| true)?;
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
            let entry = self.take(|time| time < until)?;
            if let Some(event) = self.accept(entry) {
                return Some(event);
            }
        }
    }

    /// Removes the earliest stored entry, live or cancelled, of the heap and the lines, if it is
    /// `due`.
    #[inline(always)]
    fn take(&mut self, due: impl Fn(u64) -> bool) -> Option<Entry<E>> {
        let line = self.lines.first_key();
        if line != NO_KEY && self.heap_is_after(line) {
            return due((line >> 64) as u64).then(|| self.lines.pop_first());
        }
        if self.in_radix {
            if !due(self.radix.peek()?.time) {
                return None;
            }
            self.radix.pop()
        } else {
            if !due(self.small.last()?.time) {
                return None;
            }
            self.small.pop()
        }
    }

    /// Whether the heap's earliest entry comes after the entry keyed `line`, or the heap is
    /// empty. The radix heap is not refilled unless its minimum time is that entry's: a refill
    /// moves its `last` to that minimum, and an event scheduled before it would cost a rebase.
    #[inline(always)]
    fn heap_is_after(&mut self, line: u128) -> bool {
        if self.in_radix {
            let time = (line >> 64) as u64;
            match self.radix.min_time() {
                None => true,
                Some(min) if min != time => min > time,
                Some(_) => self.radix.peek().is_none_or(|head| key(head) > line),
            }
        } else {
            self.small.last().is_none_or(|e| key(e) > line)
        }
    }

    /// Live events in the heap (not waiting in a lane or a line).
    #[inline(always)]
    fn heap_live(&self) -> usize {
        self.live - self.lanes.waiting() - self.lines.stored()
    }

    /// Books a removed entry: `None` if it was cancelled, the event otherwise.
    #[inline(always)]
    fn accept(&mut self, entry: Entry<E>) -> Option<(SimTime, E)> {
        let slot = entry.slot();
        if slot != NO_SLOT {
            if !self.timers.disarm(slot, entry.seq()) {
                self.discard(&entry);
                return None;
            }
            let lane = self.timers.lane[slot as usize];
            if lane != NO_LANE {
                self.advance_lane(lane);
            }
        }
        self.live -= 1;
        self.floor = entry.time;
        if self.in_radix && self.heap_live() + self.dead < SMALL_MIN {
            self.move_to_small();
        }
        Some((SimTime::from_nanos(entry.time), entry.event))
    }

    /// Books a cancelled entry that left the heap; a cancelled lane head lets its lane's next
    /// live timer into the heap.
    #[inline]
    fn discard(&mut self, entry: &Entry<E>) {
        self.dead -= 1;
        if let Some(lane) = self.timers.cancelled_head_lane(entry) {
            self.timers.release(entry.slot());
            self.advance_lane(lane);
        }
    }

    /// The time of the earliest live event, without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            let line = self.lines.first_key();
            if line != NO_KEY && self.heap_is_after(line) {
                return Some(SimTime::from_nanos((line >> 64) as u64));
            }
            let head = if self.in_radix {
                self.radix.peek()
            } else {
                self.small.last()
            }?;
            if self.timers.is_live(head) {
                return Some(SimTime::from_nanos(head.time));
            }
            let dead = if self.in_radix {
                self.radix.pop()
            } else {
                self.small.pop()
            }
            .expect("peeked");
            self.discard(&dead);
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
        self.place(entry);
    }

    /// Stores an entry in the heap (or the small `Vec`) without counting it.
    #[inline(always)]
    fn place(&mut self, entry: Entry<E>) {
        if self.in_radix {
            if entry.time < self.radix.last {
                self.radix.rebase(entry.time);
            }
            self.radix.push(entry);
        } else if self.small.len() < SMALL_MAX {
            // Keys are unique (sequence numbers are), so the position is exact. Searched from
            // the earliest end: a new event is more often among the soonest (the next arrival)
            // than among the latest.
            let k = key(&entry);
            let at = self.small.iter().rposition(|e| key(e) > k).map_or(0, |i| i + 1);
            self.small.insert(at, entry);
        } else {
            self.move_to_radix();
            self.radix.push(entry);
        }
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
        let mut orphaned = Vec::new();
        self.small.extend(self.radix.drain_all().into_iter().filter(|e| {
            let live = timers.is_live(e);
            if !live && let Some(lane) = timers.cancelled_head_lane(e) {
                orphaned.push((e.slot(), lane));
            }
            live
        }));
        self.small.sort_unstable_by_key(|e| std::cmp::Reverse(key(e)));
        self.dead = 0;
        self.in_radix = false;
        self.readmit_lanes(orphaned);
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
