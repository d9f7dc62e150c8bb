//! The queue against an ordered reference, ties, cancellation, compaction and mode switches.

use super::reference::Reference;
use super::*;

fn t(n: u64) -> SimTime {
    SimTime::from_nanos(n)
}

#[test]
fn pops_in_time_order_and_fifo_among_ties() {
    let mut q = EventQueue::new();
    let input = [
        (5, 'a'),
        (3, 'b'),
        (5, 'c'),
        (1, 'd'),
        (3, 'e'),
        (5, 'f'),
        (1_000_000, 'g'),
        (3, 'h'),
    ];
    for (time, ev) in input {
        q.push(t(time), ev);
    }
    let out: Vec<(u64, char)> = std::iter::from_fn(|| q.pop())
        .map(|(tm, e)| (tm.as_nanos(), e))
        .collect();
    assert_eq!(
        out,
        vec![
            (1, 'd'),
            (3, 'b'),
            (3, 'e'),
            (3, 'h'),
            (5, 'a'),
            (5, 'c'),
            (5, 'f'),
            (1_000_000, 'g')
        ]
    );
}

#[test]
fn pushes_at_the_current_time_go_behind_earlier_ties() {
    let mut q = EventQueue::new();
    q.push(t(10), 1);
    q.push(t(10), 2);
    assert_eq!(q.pop(), Some((t(10), 1)));
    q.push(t(10), 3);
    q.push(t(11), 4);
    q.push(t(10), 5);
    let rest: Vec<i32> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    assert_eq!(rest, vec![2, 3, 5, 4]);
}

#[test]
fn scheduling_between_the_clock_and_a_peeked_event_still_orders_correctly() {
    let mut q = EventQueue::new();
    q.push(t(100), "late");
    let dead = q.push_cancellable(t(50), "cancelled");
    q.cancel(dead);
    assert_eq!(
        q.peek_time(),
        Some(t(100)),
        "peek looked past the cancelled entry"
    );
    q.push(t(60), "between");
    q.push(t(100), "late-2");
    assert_eq!(q.pop(), Some((t(60), "between")));
    assert_eq!(q.pop(), Some((t(100), "late")));
    assert_eq!(q.pop(), Some((t(100), "late-2")));
}

#[test]
fn cancelled_events_never_fire_and_keys_go_stale() {
    let mut q = EventQueue::new();
    let k1 = q.push_cancellable(t(5), "timeout");
    q.push(t(7), "response");
    let k2 = q.push_cancellable(t(9), "other");
    assert_eq!(q.len(), 3);
    assert!(q.cancel(k1));
    assert!(!q.cancel(k1), "double cancel is a no-op");
    assert_eq!(q.len(), 2);
    assert_eq!(q.peek_time(), Some(t(7)));
    assert_eq!(q.pop(), Some((t(7), "response")));
    assert_eq!(q.pop(), Some((t(9), "other")));
    assert!(!q.cancel(k2), "cancelling a fired event is a no-op");
    assert_eq!(q.pop(), None);
    assert!(q.is_empty());
}

#[test]
#[should_panic(expected = "scheduled in the past")]
fn scheduling_in_the_past_is_a_bug() {
    let mut q = EventQueue::new();
    q.push(t(10), ());
    q.pop();
    q.push(t(9), ());
}

/// Reference model: an ordered map by (time, seq). A deterministic pseudo-random workload of
/// pushes, cancels and pops must give the same sequence from both, across compactions.
#[test]
fn matches_an_ordered_reference_under_churn() {
    let mut q = EventQueue::new();
    let mut model = Reference::new(0x9E37_79B9_7F4A_7C15);
    for id in 0..300_000u64 {
        let r = model.next();
        match r % 10 {
            0..=3 => {
                let scale = if r.is_multiple_of(7) {
                    1_000_000
                } else {
                    1 + (r >> 40) % 3
                };
                let at = model.now + (model.next() % 1000) * scale;
                let key = if r.is_multiple_of(3) {
                    Some(q.push_cancellable(t(at), id))
                } else {
                    q.push(t(at), id);
                    None
                };
                model.pushed(at, id, key);
            }
            4..=5 => model.cancel(&mut q, false),
            _ => model.pop(&mut q, id),
        }
        model.check_len(&q);
    }
    model.drain(&mut q);
}

#[test]
fn compaction_keeps_memory_within_twice_the_live_set() {
    let mut q = EventQueue::new();
    q.push(t(1), 0u32);
    for i in 0..100_000u64 {
        let key = q.push_cancellable(t(10 + i), 1);
        q.cancel(key);
    }
    let stored = q.stored();
    assert!(
        stored <= 2 * q.len() + COMPACT_MIN_DEAD,
        "stored {stored} entries for {} live",
        q.len()
    );
    assert_eq!(q.pop(), Some((t(1), 0)));
    assert_eq!(q.pop(), None);
}

#[test]
fn switches_storage_both_ways_without_losing_order() {
    let mut q = EventQueue::new();
    // Grow past the small storage with many ties, then shrink back below it, twice.
    for round in 0..2u64 {
        let base = round * 1_000;
        for i in 0..100u64 {
            q.push(t(base + 10 + i % 7), (round, i));
        }
        assert!(q.in_radix);
        let mut out = Vec::new();
        while let Some((tm, ev)) = q.pop() {
            out.push((tm.as_nanos(), ev));
        }
        assert!(!q.in_radix);
        let mut expected: Vec<(u64, (u64, u64))> =
            (0..100u64).map(|i| (base + 10 + i % 7, (round, i))).collect();
        expected.sort_by_key(|&(time, (_, i))| (time, i));
        assert_eq!(out, expected);
    }
}

#[test]
fn pop_before_stops_at_the_bound_in_both_storages() {
    for n in [5u64, 500] {
        let mut q = EventQueue::new();
        for i in 0..n {
            q.push(t(i * 10), i);
        }
        let dead = q.push_cancellable(t(1), u64::MAX);
        q.cancel(dead);
        let mut got = Vec::new();
        while let Some((_, e)) = q.pop_before(t(n * 5)) {
            got.push(e);
        }
        let before: Vec<u64> = (0..n).filter(|i| i * 10 < n * 5).collect();
        assert_eq!(got, before, "n = {n}");
        let next = before.len() as u64;
        assert_eq!(q.len() as u64, n - next);
        assert_eq!(q.pop(), Some((t(next * 10), next)));
    }
}

/// Lanes against the ordered reference: timers of a few constant delays in lanes, one delay per
/// lane except lane 3, which mixes two (its out-of-order timers go to the heap), among plain
/// events and heap timers, with cancellations of heads and of waiting timers, across the
/// storages' switches and both compactions.
#[test]
fn lanes_match_an_ordered_reference_under_churn() {
    let delays = [1_000u64, 0, 7, 250, 1_000];
    let mut q = EventQueue::new();
    let mut model = Reference::new(0x2545_F491_4F6C_DD1D);
    for id in 0..400_000u64 {
        let r = model.next();
        // Phases of mostly pushing and mostly popping move the queue between its storages.
        let pushing = (id / 20_000) % 2 == 0;
        let now = model.now;
        match r % 10 {
            0..=3 if pushing || r.is_multiple_of(3) => {
                let lane = (model.next() % 5) as u32;
                let at = if lane == 3 && model.next().is_multiple_of(2) {
                    now + 100
                } else {
                    now + delays[lane as usize]
                };
                let key = q.push_in_lane(LaneId(lane), t(at), id);
                model.pushed(at, id, Some(key));
            }
            4 => {
                let at = now + model.next() % 600;
                q.push(t(at), id);
                model.pushed(at, id, None);
            }
            // Mostly one drawn at random, sometimes the one at the front of the list.
            5..=6 => model.cancel(&mut q, r.is_multiple_of(4)),
            _ => model.pop(&mut q, id),
        }
        model.check_len(&q);
    }
    model.drain(&mut q);
}

#[test]
fn a_lane_keeps_one_heap_entry_and_skips_cancelled_timers_behind_its_head() {
    let mut q = EventQueue::new();
    for i in 0..20u64 {
        q.push(t(1_000_000 + i), u64::MAX - i);
    }
    let keys: Vec<TimerKey> = (0..100_000u64)
        .map(|i| q.push_in_lane(LaneId(0), t(10 + i), i))
        .collect();
    assert_eq!(q.stored(), 21, "only the lane's head is in the heap");
    for key in &keys[1..99_999] {
        assert!(q.cancel(*key));
    }
    assert_eq!(q.len(), 22);
    assert_eq!(q.pop(), Some((t(10), 0)));
    assert_eq!(q.lanes.stored(), 0, "the cancelled timers were skipped");
    assert_eq!(q.pop(), Some((t(10 + 99_999), 99_999)));
    assert_eq!(q.len(), 20);
}

#[test]
fn a_lane_head_at_the_clock_goes_before_later_ties() {
    // Lane timers set at one instant expire at one instant; a plain event scheduled for that
    // instant in between must come between them, although the second timer enters the heap
    // only when the first leaves it.
    let mut q = EventQueue::new();
    for i in 0..40u64 {
        q.push(t(5 + i), 100 + i);
        // Later events keep the queue in the radix heap when the instant comes.
        q.push(t(1_000 + i), 200 + i);
    }
    q.push_in_lane(LaneId(2), t(50), 1);
    q.push(t(50), 2);
    q.push_in_lane(LaneId(2), t(50), 3);
    q.push(t(50), 4);
    let out: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    let at_50: Vec<u64> = out.iter().copied().filter(|&e| e < 100).collect();
    assert_eq!(at_50, vec![1, 2, 3, 4]);
    assert_eq!(out.len(), 84);
}

#[test]
fn a_lane_beyond_the_ceiling_is_the_heap() {
    let mut q = EventQueue::new();
    let key = q.push_in_lane(LaneId(MAX_LANES), t(5), 1);
    q.push_in_lane(LaneId(u32::MAX), t(3), 2);
    assert_eq!(q.lanes.stored(), 0, "no lane was made");
    assert!(q.cancel(key));
    assert_eq!(q.pop(), Some((t(3), 2)));
    assert_eq!(q.pop(), None);
}
