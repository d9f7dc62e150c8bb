//! Engine benchmarks: the event queue against `std::collections::BinaryHeap` in the classic hold
//! model, and the M/M/c station against a minimal `BinaryHeap` loop of the same model.
//!
//! Run: `cargo bench -p sim-core --bench engine`. Divan reports items/s; an item is one event
//! (one pop plus one push in the hold model).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use sim_core::queue::EventQueue;
use sim_core::time::SimTime;

fn main() {
    divan::main();
}

/// Events per benchmark iteration.
const OPS: usize = 100_000;

/// A cyclic table of exponential increments (mean 1 ms, in ns), so that drawing an increment
/// costs the same negligible amount for every queue under test.
fn increments() -> Vec<u64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = ((state >> 11) + 1) as f64 / (1u64 << 53) as f64;
            (-libm::log(u) * 1e6) as u64
        })
        .collect()
}

/// The payload stands in for a model's event enum (16 bytes).
type Payload = [u64; 2];

#[divan::bench_group(name = "hold model: pop + push at steady pending size")]
mod hold {
    use super::*;

    #[divan::bench(args = [10, 10_000, 100_000])]
    fn binary_heap(bencher: Bencher<'_, '_>, pending: usize) {
        let inc = increments();
        let mut heap: BinaryHeap<Reverse<(u64, u64, Payload)>> = BinaryHeap::new();
        let mut seq = 0u64;
        for i in 0..pending {
            heap.push(Reverse((inc[i % inc.len()] * 4, seq, [i as u64; 2])));
            seq += 1;
        }
        let mut k = 0usize;
        bencher.counter(ItemsCount::new(OPS)).bench_local(|| {
            for _ in 0..OPS {
                let Reverse((t, _, payload)) = heap.pop().expect("non-empty");
                k = (k + 1) & 4095;
                heap.push(Reverse((t + inc[k] * pending as u64, seq, black_box(payload))));
                seq += 1;
            }
        });
    }

    #[divan::bench(args = [10, 10_000, 100_000])]
    fn event_queue(bencher: Bencher<'_, '_>, pending: usize) {
        let inc = increments();
        let mut queue: EventQueue<Payload> = EventQueue::new();
        for i in 0..pending {
            queue.push(SimTime::from_nanos(inc[i % inc.len()] * 4), [i as u64; 2]);
        }
        let mut k = 0usize;
        bencher.counter(ItemsCount::new(OPS)).bench_local(|| {
            for _ in 0..OPS {
                let (t, payload) = queue.pop().expect("non-empty");
                k = (k + 1) & 4095;
                queue.push(
                    SimTime::from_nanos(t.as_nanos() + inc[k] * pending as u64),
                    black_box(payload),
                );
            }
        });
    }
}

/// The M/M/c station (10 servers, ρ = 0.9) on the engine, and the same model with the same
/// statistics in a minimal hand-written `BinaryHeap` loop: the ratio is the engine's overhead.
#[divan::bench_group(name = "M/M/10 at rho 0.9, 200k customers")]
mod mmc {
    use std::collections::VecDeque;

    use super::*;
    use sim_core::dist::Dist;
    use sim_core::rng::RngStreams;
    use sim_core::station::{Station, StationConfig};
    use sim_core::stats::ci::BatchMeans;
    use sim_core::stats::{GaugeSeries, TimeWeighted};
    use sim_core::time::SimDuration;

    const CUSTOMERS: u64 = 200_000;
    const EVENTS: usize = 2 * CUSTOMERS as usize;

    fn config() -> StationConfig {
        StationConfig {
            servers: 10,
            interarrival: Dist::exponential(1.0 / 9.0).unwrap(),
            service: Dist::exponential(1.0).unwrap(),
            customers: CUSTOMERS,
            warmup_customers: 1_000,
            bucket: SimDuration::from_secs(200),
        }
    }

    #[divan::bench]
    fn engine_station(bencher: Bencher<'_, '_>) {
        let config = config();
        bencher
            .counter(ItemsCount::new(EVENTS))
            .bench_local(|| Station::run(black_box(&config), 1).unwrap());
    }

    #[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Arrival,
        Departure,
    }

    #[divan::bench]
    fn minimal_binary_heap_loop(bencher: Bencher<'_, '_>) {
        let config = config();
        bencher.counter(ItemsCount::new(EVENTS)).bench_local(|| {
            let streams = RngStreams::new(1);
            let (mut arr_rng, mut svc_rng) = (
                streams.stream("station/arrivals"),
                streams.stream("station/service"),
            );
            let mut heap: BinaryHeap<Reverse<(u64, u64, Ev)>> = BinaryHeap::new();
            let mut seq = 0u64;
            let mut line: VecDeque<(u64, u64)> = VecDeque::new();
            let (mut busy, mut arrived) = (0u32, 0u64);
            let (mut wq, mut w, mut waited) = (BatchMeans::new(), BatchMeans::new(), BatchMeans::new());
            let mut in_queue = TimeWeighted::new(SimTime::ZERO, 0);
            let mut in_system = TimeWeighted::new(SimTime::ZERO, 0);
            let mut queue_series = GaugeSeries::new(config.bucket, 0);
            let mut system_series = GaugeSeries::new(config.bucket, 0);
            heap.push(Reverse((0, seq, Ev::Arrival)));
            seq += 1;
            while let Some(Reverse((now, _, ev))) = heap.pop() {
                let mut start = |arrived_at: u64, index: u64, heap: &mut BinaryHeap<_>, seq: &mut u64| {
                    let service = config.service.sample_duration(&mut svc_rng);
                    if index >= config.warmup_customers {
                        let wait = SimDuration::from_nanos(now - arrived_at).as_secs_f64();
                        wq.push(wait);
                        w.push(wait + service.as_secs_f64());
                    }
                    heap.push(Reverse((now + service.as_nanos(), *seq, Ev::Departure)));
                    *seq += 1;
                };
                match ev {
                    Ev::Arrival => {
                        let index = arrived;
                        arrived += 1;
                        if index >= config.warmup_customers {
                            waited.push(if busy == config.servers { 1.0 } else { 0.0 });
                        }
                        if busy < config.servers {
                            busy += 1;
                            start(now, index, &mut heap, &mut seq);
                        } else {
                            line.push_back((now, index));
                        }
                        if arrived < config.customers {
                            let gap = config.interarrival.sample_duration(&mut arr_rng);
                            heap.push(Reverse((now + gap.as_nanos(), seq, Ev::Arrival)));
                            seq += 1;
                        }
                    }
                    Ev::Departure => {
                        busy -= 1;
                        if let Some((at, index)) = line.pop_front() {
                            busy += 1;
                            start(at, index, &mut heap, &mut seq);
                        }
                    }
                }
                let t = SimTime::from_nanos(now);
                let queue = line.len() as u64;
                in_queue.set(t, queue);
                in_system.set(t, queue + u64::from(busy));
                queue_series.set(t, queue);
                system_series.set(t, queue + u64::from(busy));
            }
            black_box((
                wq.mean(),
                w.mean(),
                waited.mean(),
                in_queue.max(),
                in_system.max(),
            ))
        });
    }
}
