//! Delay lines: FIFO lists of plain events that the model schedules with one constant delay each
//! (a network hop at a constant latency), kept entirely outside the heap.
//!
//! Events scheduled with one constant delay are due in the order they were scheduled, so a line
//! is a `VecDeque` and its front is its earliest event. Unlike a [timer lane](super::lanes), whose
//! head goes into the heap, a line's front stays in the line: the queue compares the heap's
//! minimum with the fronts of the (few) lines at every pop. A hop then costs a `push_back` and a
//! `pop_front`, where the radix heap stored it, moved it down a level or two and sorted the ties.
//!
//! Every event keeps the sequence number it was given when it was scheduled and the queue takes
//! the smallest `(time, sequence)` among the heap's head and the lines' fronts, so events come
//! out in exactly the order [`EventQueue::push`] would give them.
//!
//! An event earlier than the last one scheduled in its line (the model used two delays in one
//! line) cannot join the FIFO: it goes into the heap, in the same order, at the heap's cost.

use std::collections::VecDeque;

use super::{Entry, EventQueue, NO_SLOT, SLOT_BITS};
use crate::time::SimTime;

/// Which delay line an event goes in: a small number the model chooses, one per constant delay.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineId(pub u32);

/// The most delay lines a queue keeps: every pop looks at each line's front, so only a few pay.
/// Events given a higher line go into the heap.
pub const MAX_LINES: u32 = 4;

struct Line<E> {
    /// The time of the last event scheduled in the line: a later one earlier than this is not
    /// FIFO.
    last_time: u64,
    /// The line's events, in the order they were scheduled (and are due).
    entries: VecDeque<Entry<E>>,
}

/// Every line of a queue, how many events they hold, and which front is earliest.
pub(super) struct Lines<E> {
    lines: Vec<Line<E>>,
    /// Events in all lines (all live: line events cannot be cancelled).
    stored: usize,
    /// Each line's front as a [`key`] ([`NO_KEY`] for an empty or unused line), so that the
    /// earliest is found without touching the lines' storage.
    fronts: [u128; MAX_LINES as usize],
    /// The smallest of `fronts`, and its line.
    first: (u128, usize),
}

/// No event: greater than every key (a key's tag never has all bits set).
pub(super) const NO_KEY: u128 = u128::MAX;

/// An entry's `(time, tag)` as one integer.
#[inline(always)]
pub(super) fn key<E>(entry: &Entry<E>) -> u128 {
    (u128::from(entry.time) << 64) | u128::from(entry.tag)
}

impl<E> Default for Lines<E> {
    fn default() -> Self {
        Lines {
            lines: Vec::new(),
            stored: 0,
            fronts: [NO_KEY; MAX_LINES as usize],
            first: (NO_KEY, 0),
        }
    }
}

impl<E> Lines<E> {
    /// Events waiting in lines (live events that are not in the heap).
    #[inline(always)]
    pub(super) fn stored(&self) -> usize {
        self.stored
    }

    /// The earliest front's key ([`NO_KEY`] if every line is empty).
    #[inline(always)]
    pub(super) fn first_key(&self) -> u128 {
        self.first.0
    }

    /// Removes the earliest front.
    #[inline(always)]
    pub(super) fn pop_first(&mut self) -> Entry<E> {
        let i = self.first.1;
        self.stored -= 1;
        let line = &mut self.lines[i].entries;
        let entry = line.pop_front().expect("a line's front");
        self.fronts[i] = line.front().map_or(NO_KEY, key);
        // A select per line in use, not a branch: which line is next is unpredictable.
        let mut first = (self.fronts[0], 0);
        for (j, &k) in self.fronts[..self.lines.len()].iter().enumerate().skip(1) {
            first = if k < first.0 { (k, j) } else { first };
        }
        self.first = first;
        entry
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `time` in delay line `line`, as [`EventQueue::push`] does. Meant for
    /// events of one constant delay per line, which are scheduled in the order they are due: then
    /// they never enter the heap.
    ///
    /// A line number at or above [`MAX_LINES`] is no line: the event goes into the heap.
    ///
    /// # Panics
    /// As [`EventQueue::push`].
    #[inline(always)]
    pub fn push_in_line(&mut self, line: LineId, time: SimTime, event: E) {
        let LineId(index) = line;
        let time_ns = time.as_nanos();
        let lines = &mut self.lines.lines;
        let fifo = index < MAX_LINES && lines.get(index as usize).is_none_or(|l| time_ns >= l.last_time);
        if !fifo {
            return self.push(time, event);
        }
        if index as usize >= lines.len() {
            lines.resize_with(index as usize + 1, || Line {
                last_time: 0,
                entries: VecDeque::new(),
            });
        }
        assert!(
            time_ns >= self.floor,
            "event scheduled in the past: at {time_ns} ns, the queue is at {} ns",
            self.floor
        );
        let seq = self.next_seq();
        self.live += 1;
        self.lines.stored += 1;
        let entry = Entry {
            time: time_ns,
            tag: (seq << SLOT_BITS) | NO_SLOT,
            event,
        };
        let l = &mut self.lines.lines[index as usize];
        l.last_time = time_ns;
        if l.entries.is_empty() {
            // The line's new front; no stored event has a larger sequence number, so it is the
            // earliest front only if it is strictly earliest in time.
            let k = key(&entry);
            self.lines.fronts[index as usize] = k;
            if k < self.lines.first.0 {
                self.lines.first = (k, index as usize);
            }
        }
        l.entries.push_back(entry);
    }
}
