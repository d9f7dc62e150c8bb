//! The floor under `meshsim run mmc`: the M/M/10 station of `bench/mmc_simpy.py` (λ = 9, μ = 1)
//! as the smallest Rust loop that keeps meshsim's determinism rules (one ChaCha stream per
//! consumer, sim-core's ziggurat sampler for each exponential draw, integer nanoseconds) and,
//! like the SimPy script, measures nothing but the mean wait in queue.
//!
//! `cargo run --release -p sim-core --example mmc_minimal -- [event-queue|binary-heap] [CUSTOMERS]`
//! (defaults: `event-queue`, 1 000 000). `bench/compare_simpy.py` times the built binary side by
//! side with SimPy and `meshsim run mmc`, as the README does.
//!
//! It exists to answer one question with a measurement: how fast is a plain event loop of this
//! model under these rules? meshsim's world path does far more per customer
//! (policies, pools, load balancing, time series, latency histograms), so this is a lower bound
//! on its time, not a target for it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use sim_core::dist::ziggurat::standard_exponential;
use sim_core::queue::EventQueue;
use sim_core::rng::{RngStreams, SimRng};
use sim_core::stats::theory::mmc_wq;
use sim_core::time::{SimDuration, SimTime};

const ARRIVAL_RATE: f64 = 9.0;
const SERVICE_RATE: f64 = 1.0;
const SERVERS: u32 = 10;

/// The two events of the station.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    Departure,
}

/// An exponential gap in nanoseconds, through sim-core's one seconds-to-nanoseconds conversion.
fn exponential_ns(rng: &mut SimRng, rate: f64) -> u64 {
    SimDuration::from_secs_f64(standard_exponential(rng) / rate).as_nanos()
}

/// The pending-event set, either sim-core's or the standard library's binary heap.
trait Pending {
    fn push(&mut self, time: u64, event: Ev);
    fn pop(&mut self) -> Option<(u64, Ev)>;
}

impl Pending for EventQueue<Ev> {
    fn push(&mut self, time: u64, event: Ev) {
        EventQueue::push(self, SimTime::from_nanos(time), event);
    }
    fn pop(&mut self) -> Option<(u64, Ev)> {
        EventQueue::pop(self).map(|(t, e)| (t.as_nanos(), e))
    }
}

/// A binary heap with an insertion sequence number, for FIFO ties like `EventQueue`.
struct Heap {
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
}

impl Pending for Heap {
    fn push(&mut self, time: u64, event: Ev) {
        self.heap.push(Reverse((time, self.seq, event)));
        self.seq += 1;
    }
    fn pop(&mut self) -> Option<(u64, Ev)> {
        self.heap.pop().map(|Reverse((t, _, e))| (t, e))
    }
}

/// Runs `customers` through the station; returns (served, total wait in queue in ns).
fn simulate(pending: &mut impl Pending, customers: u64) -> (u64, u64) {
    let streams = RngStreams::new(1);
    let mut arrivals_rng = streams.stream("arrivals");
    let mut service_rng = streams.stream("service");
    let mut line: VecDeque<u64> = VecDeque::new();
    let (mut busy, mut arrived, mut served, mut waited_ns) = (0u32, 0u64, 0u64, 0u64);
    pending.push(0, Ev::Arrival);
    while let Some((now, event)) = pending.pop() {
        match event {
            Ev::Arrival => {
                arrived += 1;
                if busy < SERVERS {
                    busy += 1;
                    served += 1;
                    pending.push(
                        now + exponential_ns(&mut service_rng, SERVICE_RATE),
                        Ev::Departure,
                    );
                } else {
                    line.push_back(now);
                }
                if arrived < customers {
                    pending.push(now + exponential_ns(&mut arrivals_rng, ARRIVAL_RATE), Ev::Arrival);
                }
            }
            Ev::Departure => match line.pop_front() {
                Some(arrived_at) => {
                    waited_ns += now - arrived_at;
                    served += 1;
                    pending.push(
                        now + exponential_ns(&mut service_rng, SERVICE_RATE),
                        Ev::Departure,
                    );
                }
                None => busy -= 1,
            },
        }
    }
    (served, waited_ns)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("event-queue", String::as_str);
    let customers: u64 = args
        .get(2)
        .map_or(1_000_000, |s| s.parse().expect("CUSTOMERS: a count"));
    let (served, waited_ns) = match kind {
        "event-queue" => simulate(&mut EventQueue::new(), customers),
        "binary-heap" => simulate(
            &mut Heap {
                heap: BinaryHeap::new(),
                seq: 0,
            },
            customers,
        ),
        other => panic!("unknown pending-event set {other:?}: event-queue or binary-heap"),
    };
    let mean_wait = waited_ns as f64 / 1e9 / served as f64;
    let predicted = mmc_wq(ARRIVAL_RATE, SERVICE_RATE, SERVERS);
    println!("customers {served} mean Wq {mean_wait:.4} s (Erlang C {predicted:.4} s; {kind})");
}
