//! Timer lanes: FIFO lists of cancellable timers that the model sets with one constant delay
//! each (an edge's attempt timeout), so that they expire in the order they were set.
//!
//! A lane stores its timers in a `VecDeque` and keeps only its head in the heap. When the head
//! leaves the heap (it fired, or it was cancelled and reached the front), the next timer of the
//! lane that is still armed takes its place; timers cancelled behind the head are skipped then,
//! in O(1) each, and never touch the heap. A lane holds the timers set within one delay of now. Every timer keeps the sequence number it was given
//! when it was set, and the head has the smallest `(time, sequence)` of its lane, so events come
//! out in exactly the order [`EventQueue::push_cancellable`] would give them.
//!
//! A timer whose time is earlier than the last one set in its lane (the model used two delays in
//! one lane) cannot join the FIFO: it goes into the heap as a plain cancellable timer, in the
//! same order, at the heap's cost.

use std::collections::VecDeque;

use super::{Entry, EventQueue, NO_SLOT, SLOT_BITS, TimerKey};
use crate::time::SimTime;

/// Which lane a timer goes in: a dense number the model chooses (for example a call site's index
/// times the number of timer kinds plus the kind).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LaneId(pub u32);

/// The most lanes a queue keeps (a lane costs a few words even when unused); timers given a
/// higher lane go into the heap.
pub const MAX_LANES: u32 = 1 << 20;

/// `TimerSlots::lane` of a timer that is not in a lane.
pub(super) const NO_LANE: u32 = u32::MAX;
/// `Lane::head` when no timer of the lane is in the heap.
const NO_HEAD: u64 = u64::MAX;

struct Lane<E> {
    /// The sequence number of the lane's timer in the heap, or [`NO_HEAD`].
    head: u64,
    /// The time of the last timer set in the lane: a later one earlier than this is not FIFO.
    last_time: u64,
    /// The timers behind the head, in the order they were set (cancelled ones included).
    waiting: VecDeque<Entry<E>>,
}

/// Every lane of a queue, and how many armed timers wait in them.
pub(super) struct Lanes<E> {
    lanes: Vec<Lane<E>>,
    /// Armed timers waiting behind a head.
    waiting: usize,
}

impl<E> Default for Lanes<E> {
    fn default() -> Self {
        Lanes {
            lanes: Vec::new(),
            waiting: 0,
        }
    }
}

impl<E> Lanes<E> {
    /// Armed timers waiting behind a head (live events that are not in the heap).
    #[inline(always)]
    pub(super) fn waiting(&self) -> usize {
        self.waiting
    }

    /// Whether the timer with sequence number `seq` is its lane's head (in the heap).
    #[inline(always)]
    pub(super) fn is_head(&self, lane: u32, seq: u64) -> bool {
        self.lanes[lane as usize].head == seq
    }

    /// Books the cancellation of a waiting timer. It stays where it is until its lane reaches
    /// it: a lane holds only the timers set within one delay of now, cancelled or not, so its
    /// memory is bounded by the rate at which they are set (a compaction here cost more than it
    /// saved on the metastable scenario).
    #[inline]
    pub(super) fn cancelled_behind_head(&mut self) {
        self.waiting -= 1;
    }

    /// Stored timers waiting behind heads, armed or cancelled.
    #[cfg(test)]
    pub(super) fn stored(&self) -> usize {
        self.lanes.iter().map(|l| l.waiting.len()).sum()
    }
}

impl<E> EventQueue<E> {
    /// Schedules a cancellable `event` at `time` in `lane` and returns a key that can cancel it,
    /// as [`EventQueue::push_cancellable`] does. Meant for timers of one constant delay per lane,
    /// which are set in the order they expire: then only the lane's head is in the heap.
    ///
    /// A lane number at or above [`MAX_LANES`] is no lane: the timer goes into the heap.
    ///
    /// # Panics
    /// As [`EventQueue::push`].
    #[inline]
    pub fn push_in_lane(&mut self, lane: LaneId, time: SimTime, event: E) -> TimerKey {
        let LaneId(index) = lane;
        if index >= MAX_LANES {
            return self.push_cancellable(time, event);
        }
        if index as usize >= self.lanes.lanes.len() {
            self.lanes.lanes.resize_with(index as usize + 1, || Lane {
                head: NO_HEAD,
                last_time: 0,
                waiting: VecDeque::new(),
            });
        }
        let time = time.as_nanos();
        let seq = self.next_seq();
        let fifo = time >= self.lanes.lanes[index as usize].last_time;
        let slot = self.timers.arm(seq, if fifo { index } else { NO_LANE });
        let entry = Entry {
            time,
            tag: (seq << SLOT_BITS) | u64::from(slot),
            event,
        };
        if !fifo {
            self.insert(entry);
            return TimerKey { slot, seq };
        }
        assert!(
            time >= self.floor,
            "event scheduled in the past: at {time} ns, the queue is at {} ns",
            self.floor
        );
        self.live += 1;
        let l = &mut self.lanes.lanes[index as usize];
        l.last_time = time;
        if l.head == NO_HEAD {
            debug_assert!(l.waiting.is_empty());
            l.head = seq;
            self.place(entry);
        } else {
            l.waiting.push_back(entry);
            self.lanes.waiting += 1;
        }
        TimerKey { slot, seq }
    }

    /// The head of `lane` left the heap: its next armed timer (if any) takes its place.
    #[inline]
    pub(super) fn advance_lane(&mut self, lane: u32) {
        let l = &mut self.lanes.lanes[lane as usize];
        l.head = NO_HEAD;
        while let Some(next) = l.waiting.pop_front() {
            if self.timers.is_live(&next) {
                l.head = next.seq();
                self.lanes.waiting -= 1;
                self.place(next);
                return;
            }
        }
    }

    /// Cancelled lane heads that a compaction dropped from the heap: free their slots and let
    /// their lanes' next timers in.
    #[cold]
    pub(super) fn readmit_lanes(&mut self, orphaned: Vec<(u64, u32)>) {
        for (slot, lane) in orphaned {
            debug_assert_ne!(slot, NO_SLOT);
            self.timers.release(slot);
            self.advance_lane(lane);
        }
    }
}
