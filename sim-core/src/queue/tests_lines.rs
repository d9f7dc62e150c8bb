//! Delay lines against an ordered reference: ties with the heap, both storages, the line
//! ceiling, and no look-ahead in the radix heap.

use super::reference::Reference;
use super::*;

fn t(n: u64) -> SimTime {
    SimTime::from_nanos(n)
}

/// Plain events in lines of a few constant delays (line 2 mixes two, so its out-of-order events
/// go to the heap; line 7 is beyond the ceiling), among plain heap events, heap timers and lane
/// timers with cancellations, popped with `pop` and `pop_before`, in phases that move the queue
/// between its storages.
#[test]
fn lines_match_an_ordered_reference_under_churn() {
    let delays = [250u64, 0, 40, 1_000];
    let mut q = EventQueue::new();
    let mut model = Reference::new(0x1234_5678_9ABC_DEF1);
    for id in 0..400_000u64 {
        let r = model.next();
        let pushing = (id / 20_000) % 2 == 0;
        let now = model.now;
        match r % 12 {
            0..=3 if pushing || r.is_multiple_of(3) => {
                let line = (model.next() % 5) as u32;
                let at = match line {
                    2 if model.next().is_multiple_of(2) => now + 7,
                    4 => now + 250,
                    _ => now + delays[line as usize],
                };
                let line = if line == 4 { 7 } else { line };
                q.push_in_line(LineId(line), t(at), id);
                model.pushed(at, id, None);
            }
            4 => {
                // Often at the very times the lines use, for ties with the heap.
                let at = now + [0, 250, 1_000, model.next() % 600][(model.next() % 4) as usize];
                q.push(t(at), id);
                model.pushed(at, id, None);
            }
            5 => {
                let (at, key) = if r.is_multiple_of(2) {
                    let at = now + 250 * (model.next() % 3);
                    (at, q.push_cancellable(t(at), id))
                } else {
                    (now + 250, q.push_in_lane(LaneId(0), t(now + 250), id))
                };
                model.pushed(at, id, Some(key));
            }
            6 => model.cancel(&mut q, false),
            7 => {
                let until = now + model.next() % 300;
                model.pop_before(&mut q, until, id);
            }
            8 => model.peek(&mut q, id),
            _ => model.pop(&mut q, id),
        }
        model.check_len(&q);
    }
    model.drain(&mut q);
    assert_eq!(q.lines.stored(), 0);
}

#[test]
fn line_events_and_heap_events_at_one_time_leave_in_sequence_order() {
    for heap_size in [3u64, 100] {
        let mut q = EventQueue::new();
        for i in 0..heap_size {
            // Later events: the small storage with 3, the radix heap with 100.
            q.push(t(10_000 + i), 1_000 + i);
        }
        q.push(t(50), 1);
        q.push_in_line(LineId(0), t(50), 2);
        q.push_in_line(LineId(1), t(50), 3);
        q.push(t(50), 4);
        q.push_in_line(LineId(0), t(50), 5);
        q.push_in_line(LineId(1), t(60), 6);
        q.push(t(55), 7);
        let out: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(&out[..7], &[1, 2, 3, 4, 5, 7, 6], "heap of {heap_size}");
        assert_eq!(out.len() as u64, 7 + heap_size);
    }
}

#[test]
fn a_line_beyond_the_ceiling_or_out_of_order_is_the_heap() {
    let mut q = EventQueue::new();
    q.push_in_line(LineId(MAX_LINES), t(5), 1);
    q.push_in_line(LineId(u32::MAX), t(3), 2);
    assert_eq!(q.lines.stored(), 0, "no line was used");
    q.push_in_line(LineId(0), t(9), 3);
    q.push_in_line(LineId(0), t(4), 4);
    assert_eq!(q.lines.stored(), 1, "the earlier event went to the heap");
    let out: Vec<(u64, u32)> = std::iter::from_fn(|| q.pop())
        .map(|(tm, e)| (tm.as_nanos(), e))
        .collect();
    assert_eq!(out, vec![(3, 2), (4, 4), (5, 1), (9, 3)]);
}

/// A line's front earlier than the heap's minimum is taken without refilling the radix heap:
/// a refill would move its `last` to the heap's minimum, and every event then scheduled between
/// the clock and that minimum would cost a rebase of the whole heap.
#[test]
fn a_line_front_before_the_heap_does_not_advance_the_radix_heap() {
    let mut q = EventQueue::new();
    for i in 0..100u64 {
        q.push(t(1_000_000 + i), i);
    }
    q.push_in_line(LineId(0), t(250), 500);
    let last = q.radix.last;
    assert!(q.in_radix);
    assert_eq!(q.pop(), Some((t(250), 500)));
    assert_eq!(q.radix.last, last, "the radix heap did not look ahead");
    q.push(t(300), 501);
    assert_eq!(q.pop(), Some((t(300), 501)));
}
