//! The hold model outside the benchmark harness, for profilers and instruction counters:
//! `cargo run --release -p sim-core --example hold -- radix 10 10000000`
//! (`radix` or `heap`, pending events, operations). Prints the final time so nothing is elided.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use sim_core::queue::EventQueue;
use sim_core::time::SimTime;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("radix", String::as_str);
    let pending: u64 = args.get(2).map_or(10, |s| s.parse().expect("pending"));
    let ops: u64 = args.get(3).map_or(10_000_000, |s| s.parse().expect("ops"));
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let inc: Vec<u64> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = ((state >> 11) + 1) as f64 / (1u64 << 53) as f64;
            (-libm::log(u) * 1e6) as u64
        })
        .collect();
    let mut k = 0usize;
    let last = match kind {
        "heap" => {
            let mut heap: BinaryHeap<Reverse<(u64, u64, [u64; 2])>> = BinaryHeap::new();
            for i in 0..pending {
                heap.push(Reverse((inc[i as usize % 4096] * 4, i, [i; 2])));
            }
            let mut t = 0;
            for seq in pending..pending + ops {
                let Reverse((time, _, payload)) = heap.pop().expect("non-empty");
                k = (k + 1) & 4095;
                heap.push(Reverse((time + inc[k] * pending, seq, payload)));
                t = time;
            }
            t
        }
        _ => {
            let mut queue: EventQueue<[u64; 2]> = EventQueue::new();
            for i in 0..pending {
                queue.push(SimTime::from_nanos(inc[i as usize % 4096] * 4), [i; 2]);
            }
            let mut t = 0;
            for _ in 0..ops {
                let (time, payload) = queue.pop().expect("non-empty");
                k = (k + 1) & 4095;
                queue.push(SimTime::from_nanos(time.as_nanos() + inc[k] * pending), payload);
                t = time.as_nanos();
            }
            t
        }
    };
    println!("{kind} pending={pending} ops={ops} last={last}");
}
