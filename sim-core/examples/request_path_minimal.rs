//! The floor under `meshsim run bench/request_path.toml`: the request path of
//! `bench/request_path_simpy.py` (Poisson clients at 80/s → front: 20 slots, 5 ms of work → back:
//! 12 slots, exponential work with mean 100 ms; 300 ms attempt timeout, 3 attempts, full-jitter
//! backoff 25 ms → 250 ms; the back finishes abandoned attempts) as the smallest Rust loop that
//! keeps meshsim's rules — one ChaCha stream per consumer, sim-core's ziggurat exponential,
//! integer nanoseconds, sim-core's event queue with the attempt timeouts in a timer lane — and
//! computes only the figures the SimPy script reports: requests, ok, attempts per request, mean
//! latency.
//!
//! `cargo run --release -p sim-core --example request_path_minimal -- [SECONDS]` (default 20 000
//! simulated seconds, about 1.6 M requests). `bench/compare_request_path.py` times the built
//! binary beside SimPy and meshsim. Like `mmc_minimal`, it measures how fast a plain loop of this
//! model can be; it is a lower bound on meshsim's time, not a target for it.

use std::collections::VecDeque;

use sim_core::dist::ziggurat::standard_exponential;
use sim_core::queue::{EventQueue, LaneId, TimerKey};
use sim_core::rng::{RngStreams, SimRng};
use sim_core::time::{SimDuration, SimTime};

const ARRIVAL_RATE: f64 = 80.0;
const FRONT_SLOTS: u32 = 20;
const FRONT_WORK_NS: u64 = 5_000_000;
const BACK_SLOTS: u32 = 12;
const BACK_MEAN_S: f64 = 0.1;
const ATTEMPT_TIMEOUT_NS: u64 = 300_000_000;
const MAX_ATTEMPTS: u32 = 3;
const BACKOFF_BASE_S: f64 = 0.025;
const BACKOFF_CAP_S: f64 = 0.25;

/// The events: a request is an index into the request table; an attempt a global number.
#[derive(Copy, Clone)]
enum Ev {
    Arrival,
    FrontWorkDone(u32),
    BackDone(u32, u64),
    Timeout(u32, u64),
    Retry(u32),
}

/// A request that arrived and has not finished.
struct Request {
    arrived: u64,
    attempts: u32,
    /// The attempt the front waits for.
    attempt: u64,
    timer: Option<TimerKey>,
}

struct Loop {
    queue: EventQueue<Ev>,
    requests: Vec<Request>,
    free: Vec<u32>,
    front_busy: u32,
    front_line: VecDeque<u32>,
    back_busy: u32,
    back_line: VecDeque<(u32, u64)>,
    next_attempt: u64,
    work_rng: SimRng,
    jitter_rng: SimRng,
    /// requests, ok, attempts, latency of the answered ones (ns).
    figures: (u64, u64, u64, u64),
}

fn exponential_ns(rng: &mut SimRng, mean_s: f64) -> u64 {
    SimDuration::from_secs_f64(standard_exponential(rng) * mean_s).as_nanos()
}

impl Loop {
    fn push(&mut self, at: u64, event: Ev) {
        self.queue.push(SimTime::from_nanos(at), event);
    }

    fn start_front(&mut self, now: u64, request: u32) {
        self.front_busy += 1;
        self.push(now + FRONT_WORK_NS, Ev::FrontWorkDone(request));
    }

    fn attempt(&mut self, now: u64, request: u32) {
        let attempt = self.next_attempt;
        self.next_attempt += 1;
        self.figures.2 += 1;
        let timer = self.queue.push_in_lane(
            LaneId(0),
            SimTime::from_nanos(now + ATTEMPT_TIMEOUT_NS),
            Ev::Timeout(request, attempt),
        );
        let r = &mut self.requests[request as usize];
        r.attempts += 1;
        r.attempt = attempt;
        r.timer = Some(timer);
        if self.back_busy < BACK_SLOTS {
            self.back_busy += 1;
            let work = exponential_ns(&mut self.work_rng, BACK_MEAN_S);
            self.push(now + work, Ev::BackDone(request, attempt));
        } else {
            self.back_line.push_back((request, attempt));
        }
    }

    /// The request leaves the front: its slot goes to the next in line.
    fn finish(&mut self, now: u64, request: u32, ok: bool) {
        if ok {
            self.figures.1 += 1;
            self.figures.3 += now - self.requests[request as usize].arrived;
        }
        self.free.push(request);
        match self.front_line.pop_front() {
            Some(next) => {
                self.front_busy -= 1;
                self.start_front(now, next);
            }
            None => self.front_busy -= 1,
        }
    }

    fn handle(&mut self, now: u64, event: Ev, arrivals: &mut SimRng) {
        match event {
            Ev::Arrival => {
                self.figures.0 += 1;
                let fresh = Request {
                    arrived: now,
                    attempts: 0,
                    attempt: u64::MAX,
                    timer: None,
                };
                let request = match self.free.pop() {
                    Some(i) => {
                        self.requests[i as usize] = fresh;
                        i
                    }
                    None => {
                        self.requests.push(fresh);
                        (self.requests.len() - 1) as u32
                    }
                };
                if self.front_busy < FRONT_SLOTS {
                    self.start_front(now, request);
                } else {
                    self.front_line.push_back(request);
                }
                let gap = exponential_ns(arrivals, 1.0 / ARRIVAL_RATE);
                self.push(now + gap, Ev::Arrival);
            }
            Ev::FrontWorkDone(request) | Ev::Retry(request) => self.attempt(now, request),
            Ev::BackDone(request, attempt) => {
                if let Some((next, next_attempt)) = self.back_line.pop_front() {
                    let work = exponential_ns(&mut self.work_rng, BACK_MEAN_S);
                    self.push(now + work, Ev::BackDone(next, next_attempt));
                } else {
                    self.back_busy -= 1;
                }
                let r = &mut self.requests[request as usize];
                if r.attempt == attempt {
                    let timer = r.timer.take().expect("an attempt has a timer");
                    self.queue.cancel(timer);
                    self.finish(now, request, true);
                }
            }
            Ev::Timeout(request, attempt) => {
                let r = &mut self.requests[request as usize];
                debug_assert_eq!(r.attempt, attempt);
                r.attempt = u64::MAX;
                r.timer = None;
                if r.attempts < MAX_ATTEMPTS {
                    let ceiling = (BACKOFF_BASE_S * f64::from(1u32 << (r.attempts - 1))).min(BACKOFF_CAP_S);
                    let sleep = SimDuration::from_secs_f64(self.jitter_rng.uniform() * ceiling);
                    self.push(now + sleep.as_nanos(), Ev::Retry(request));
                } else {
                    self.finish(now, request, false);
                }
            }
        }
    }
}

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .map_or(20_000, |s| s.parse().expect("SECONDS: simulated seconds"));
    let streams = RngStreams::new(1);
    let mut arrivals = streams.stream("arrivals");
    let mut world = Loop {
        queue: EventQueue::new(),
        requests: Vec::new(),
        free: Vec::new(),
        front_busy: 0,
        front_line: VecDeque::new(),
        back_busy: 0,
        back_line: VecDeque::new(),
        next_attempt: 0,
        work_rng: streams.stream("work"),
        jitter_rng: streams.stream("jitter"),
        figures: (0, 0, 0, 0),
    };
    let end = SimTime::from_secs(seconds);
    world.push(0, Ev::Arrival);
    while let Some((now, event)) = world.queue.pop_before(end) {
        world.handle(now.as_nanos(), event, &mut arrivals);
    }
    let (requests, ok, attempts, latency_ns) = world.figures;
    println!(
        "requests {requests} ok {ok} attempts/request {:.4} mean latency {:.4} s",
        attempts as f64 / requests as f64,
        latency_ns as f64 / 1e9 / ok as f64
    );
}
