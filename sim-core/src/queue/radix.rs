//! A monotone multi-level radix heap: the large-queue storage of [`super::EventQueue`].
//!
//! Keys are read as [`LEVELS`] digits of [`DIGIT_BITS`] bits. An entry lives at the level of the
//! highest digit in which its key differs from `last` (the smallest key the heap may still hold),
//! in the bucket of its own value of that digit; keys equal to `last` live in the front. Entries
//! at a lower level, and at a lower digit within a level, have smaller keys, so the minimum is in
//! the first non-empty bucket, found with two bit scans.
//!
//! Popping takes from the front; when the front is empty, the first non-empty bucket is
//! redistributed around its minimum, which becomes `last`: every entry in it shares that digit
//! with the new `last`, so it moves to the front or down at least one whole level. An entry
//! therefore moves at most `LEVELS` times in its life, typically a few, and all of it is
//! sequential memory traffic, where a binary heap makes `log2(n)` cache-missing comparisons per
//! operation. With 6-bit digits (11 levels of 64 buckets), the hold-model benchmark at 100k pending
//! events moves 2.8 entries per operation, where a binary radix heap (one level per bit) moved 8.4
//! and ran at two thirds of the speed.
//!
//! Ties: `front` is in reverse sequence order (the next entry is at the end) and `tail` holds the
//! entries pushed at `last` since, in sequence order; it becomes the front when the front runs
//! out. A redistribution sorts what lands in the front. Equal keys therefore leave in sequence
//! order. An entry pushed at `last` with an older sequence number than some stored there (a
//! timer lane's next head) is inserted in its place in the front or the tail.

use super::Entry;

/// Bits per digit.
const DIGIT_BITS: u32 = 6;
/// Buckets per level.
const WIDTH: usize = 1 << DIGIT_BITS;
/// Levels needed for 64-bit keys.
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);
/// Capacity (in entries) an emptied bucket keeps. A bucket that held more gives the rest back,
/// so the heap's memory follows what it stores now rather than the sum of what each of its 704
/// buckets ever held, which creeps up over a long run (to 5-10× more in the catalog's
/// scenarios; `tests/tests/flat_memory.rs`). The price is regrowing large buckets: about 8% on
/// the hold benchmark at 10k-100k pending events, far less in a model, where the queue is a
/// small part of an event's cost.
const KEEP_CAPACITY: usize = 64;

/// Gives back the capacity of an emptied bucket beyond [`KEEP_CAPACITY`].
#[inline(always)]
fn trim<T>(bucket: &mut Vec<T>) {
    debug_assert!(bucket.is_empty());
    if bucket.capacity() > KEEP_CAPACITY {
        bucket.shrink_to(KEEP_CAPACITY);
    }
}

pub(super) struct RadixHeap<E> {
    /// No stored key is smaller.
    pub(super) last: u64,
    front: Vec<Entry<E>>,
    tail: Vec<Entry<E>>,
    /// `buckets[level * WIDTH + digit]`.
    buckets: Vec<Vec<Entry<E>>>,
    /// The smallest key in each bucket (`u64::MAX` when empty), kept on every push so that a
    /// redistribution reads its bucket once.
    minimum: Vec<u64>,
    /// Bit `d` of `occupied_digits[level]` is set iff that bucket is non-empty.
    occupied_digits: [u64; LEVELS],
    /// Bit `level` is set iff some bucket of that level is non-empty.
    occupied_levels: u64,
}

impl<E> RadixHeap<E> {
    pub(super) fn new() -> Self {
        RadixHeap {
            last: 0,
            front: Vec::new(),
            tail: Vec::new(),
            buckets: (0..LEVELS * WIDTH).map(|_| Vec::new()).collect(),
            minimum: vec![u64::MAX; LEVELS * WIDTH],
            occupied_digits: [0; LEVELS],
            occupied_levels: 0,
        }
    }

    /// Stores an entry; its key must not be below `last` (see [`RadixHeap::rebase`]).
    #[inline(always)]
    pub(super) fn push(&mut self, entry: Entry<E>) {
        debug_assert!(entry.time >= self.last);
        let diff = entry.time ^ self.last;
        if diff == 0 {
            // The newest entry at `last` usually has the largest sequence number: last in line.
            // A timer lane's next head keeps the older number it was set with, so it may belong
            // before some of them.
            let behind_front = self.front.first().is_none_or(|f| f.tag < entry.tag);
            if behind_front && self.tail.last().is_none_or(|t| t.tag < entry.tag) {
                self.tail.push(entry);
            } else {
                self.insert_in_line(entry, behind_front);
            }
        } else {
            self.place_in_bucket(diff, entry);
        }
    }

    /// Puts an entry at `last` where its sequence number belongs: in the tail (ascending) if it
    /// follows every entry of the front, else in the front (descending).
    #[cold]
    fn insert_in_line(&mut self, entry: Entry<E>, behind_front: bool) {
        if behind_front {
            let at = self.tail.partition_point(|e| e.tag < entry.tag);
            self.tail.insert(at, entry);
        } else {
            let at = self.front.partition_point(|e| e.tag > entry.tag);
            self.front.insert(at, entry);
        }
    }

    #[inline(always)]
    fn place_in_bucket(&mut self, diff: u64, entry: Entry<E>) {
        let level = ((63 - diff.leading_zeros()) / DIGIT_BITS) as usize;
        let digit = ((entry.time >> (level as u32 * DIGIT_BITS)) as usize) & (WIDTH - 1);
        let index = level * WIDTH + digit;
        self.occupied_digits[level] |= 1 << digit;
        self.occupied_levels |= 1 << level;
        self.minimum[index] = self.minimum[index].min(entry.time);
        self.buckets[index].push(entry);
    }

    /// The first non-empty bucket: `(level, digit)`.
    #[inline(always)]
    fn first_bucket(&self) -> Option<(usize, usize)> {
        if self.occupied_levels == 0 {
            return None;
        }
        let level = self.occupied_levels.trailing_zeros() as usize;
        Some((level, self.occupied_digits[level].trailing_zeros() as usize))
    }

    #[inline(always)]
    fn mark_empty(&mut self, level: usize, digit: usize) {
        self.minimum[level * WIDTH + digit] = u64::MAX;
        self.occupied_digits[level] &= !(1 << digit);
        if self.occupied_digits[level] == 0 {
            self.occupied_levels &= !(1 << level);
        }
    }

    /// Removes the entry with the smallest (key, sequence).
    #[inline(always)]
    pub(super) fn pop(&mut self) -> Option<Entry<E>> {
        if let Some(entry) = self.front.pop() {
            return Some(entry);
        }
        if self.tail.is_empty() {
            let (level, digit) = self.first_bucket()?;
            let bucket = &mut self.buckets[level * WIDTH + digit];
            if bucket.len() == 1 {
                // A lone entry in the first bucket is the minimum: no redistribution.
                let entry = bucket.pop().expect("len 1");
                self.mark_empty(level, digit);
                self.last = entry.time;
                return Some(entry);
            }
        }
        if self.refill() { self.front.pop() } else { None }
    }

    /// The smallest stored key, without refilling the front.
    #[inline(always)]
    pub(super) fn min_time(&self) -> Option<u64> {
        if !self.front.is_empty() || !self.tail.is_empty() {
            return Some(self.last);
        }
        let (level, digit) = self.first_bucket()?;
        Some(self.minimum[level * WIDTH + digit])
    }

    /// The entry `pop` would return, left in place.
    pub(super) fn peek(&mut self) -> Option<&Entry<E>> {
        if self.front.is_empty() && !self.refill() {
            return None;
        }
        self.front.last()
    }

    /// Refills the empty front from the tail, or by redistributing the first non-empty bucket
    /// around its minimum. Returns `false` if the heap is empty.
    fn refill(&mut self) -> bool {
        debug_assert!(self.front.is_empty());
        if !self.tail.is_empty() {
            std::mem::swap(&mut self.front, &mut self.tail);
            self.front.reverse();
            return true;
        }
        let Some((level, digit)) = self.first_bucket() else {
            return false;
        };
        let index = level * WIDTH + digit;
        self.last = self.minimum[index];
        self.mark_empty(level, digit);
        if self.buckets[index].len() == 1 {
            // A lone entry is the minimum: it is the whole front (as in `pop`, for `peek`).
            let entry = self.buckets[index].pop().expect("len 1");
            self.front.push(entry);
            return true;
        }
        let mut bucket = std::mem::take(&mut self.buckets[index]);
        debug_assert_eq!(Some(self.last), bucket.iter().map(|e| e.time).min());
        // Every entry moves to the front or to a lower level, never back to this bucket.
        for entry in bucket.drain(..) {
            let diff = entry.time ^ self.last;
            if diff == 0 {
                self.front.push(entry);
            } else {
                self.place_in_bucket(diff, entry);
            }
        }
        trim(&mut bucket);
        self.buckets[index] = bucket;
        if self.front.len() > 1 {
            // Largest sequence first: `pop` takes from the end.
            self.front.sort_unstable_by_key(|e| std::cmp::Reverse(e.tag));
        }
        true
    }

    /// Re-buckets everything around a smaller `last`. Needed only when the queue looked ahead
    /// (a peek, or skipping cancelled entries) past the clock and an event is then scheduled in
    /// between, e.g. at a `run_until` boundary: rare, so O(n) is fine.
    #[cold]
    pub(super) fn rebase(&mut self, last: u64) {
        debug_assert!(last < self.last);
        let all = self.drain_all();
        self.last = last;
        for entry in all {
            let diff = entry.time ^ last;
            debug_assert!(diff != 0, "no stored key was below the old `last`");
            self.place_in_bucket(diff, entry);
        }
    }

    /// Keeps only the entries for which `keep` holds; order among them is unchanged.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Entry<E>) -> bool) {
        self.front.retain(&mut keep);
        self.tail.retain(&mut keep);
        for level in 0..LEVELS {
            for digit in 0..WIDTH {
                if self.occupied_digits[level] & (1 << digit) == 0 {
                    continue;
                }
                let index = level * WIDTH + digit;
                self.buckets[index].retain(&mut keep);
                match self.buckets[index].iter().map(|e| e.time).min() {
                    Some(min) => self.minimum[index] = min,
                    None => {
                        trim(&mut self.buckets[index]);
                        self.mark_empty(level, digit);
                    }
                }
            }
        }
    }

    /// Removes every entry, in no particular order.
    pub(super) fn drain_all(&mut self) -> Vec<Entry<E>> {
        let mut all = std::mem::take(&mut self.front);
        all.append(&mut self.tail);
        for (bucket, minimum) in self.buckets.iter_mut().zip(&mut self.minimum) {
            all.append(bucket);
            trim(bucket);
            *minimum = u64::MAX;
        }
        self.occupied_digits = [0; LEVELS];
        self.occupied_levels = 0;
        all
    }

    /// Number of stored entries (live or cancelled).
    #[cfg(test)]
    pub(super) fn stored(&self) -> usize {
        self.front.len() + self.tail.len() + self.buckets.iter().map(Vec::len).sum::<usize>()
    }
}
