//! A G/G/c queueing station: the worked example of a model on sim-core, the reference against
//! which the engine is validated (M/M/c, M/M/1, M/D/1, M/G/1, Little's law), and the workload of
//! the engine benchmark.
//!
//! Customers arrive with i.i.d. inter-arrival times, wait in one FIFO line for the first of `c`
//! identical servers and are served for an i.i.d. time. The station measures, for customers
//! arriving after the warm-up:
//! - the waiting time in queue `Wq`, the time in system `W` and whether a customer waited at all,
//!   as [`BatchMeans`] (customer-indexed batches);
//! - the number in queue `Lq` and in system `L` as time averages, both overall and per time
//!   bucket (time-indexed batches for their confidence intervals).
//!
//! ```
//! use sim_core::dist::Dist;
//! use sim_core::station::{Station, StationConfig};
//! use sim_core::time::SimDuration;
//!
//! let config = StationConfig {
//!     servers: 2,
//!     interarrival: Dist::exponential(1.0 / 1.5).unwrap(),
//!     service: Dist::exponential(1.0).unwrap(),
//!     customers: 50_000,
//!     warmup_customers: 1_000,
//!     bucket: SimDuration::from_secs(500),
//! };
//! let report = Station::run(&config, 7).unwrap();
//! assert_eq!(report.served_after_warmup, 49_000);
//! ```

use std::collections::VecDeque;

use crate::dist::Dist;
use crate::rng::{RngStreams, SimRng};
use crate::sim::{LimitExceeded, Limits, Model, Scheduler, Simulation};
use crate::stats::ci::{BatchMeans, ConfidenceInterval, mean_ci};
use crate::stats::{GaugeSeries, TimeWeighted};
use crate::time::{SimDuration, SimTime};

/// What the station is.
#[derive(Clone, Debug)]
pub struct StationConfig {
    /// Number of servers `c` (≥ 1).
    pub servers: u32,
    /// Inter-arrival time distribution, in seconds.
    pub interarrival: Dist,
    /// Service time distribution, in seconds.
    pub service: Dist,
    /// Number of customers that arrive in the run.
    pub customers: u64,
    /// The first customers, excluded from the statistics.
    pub warmup_customers: u64,
    /// Width of the time buckets for the time-average confidence intervals.
    pub bucket: SimDuration,
}

/// The station's events.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StationEvent {
    /// A customer arrives.
    Arrival,
    /// A server finishes a customer.
    Departure,
}

/// The station's state.
pub struct Station {
    servers: u32,
    busy: u32,
    line: VecDeque<(SimTime, u64)>,
    interarrival: Dist,
    service: Dist,
    arrivals_rng: SimRng,
    service_rng: SimRng,
    customers: u64,
    warmup_customers: u64,
    arrived: u64,
    warmup_end: Option<SimTime>,
    /// The last arrival: levels are measured up to here (the run then drains the line).
    measure_end: Option<SimTime>,
    bucket_width: u64,
    wq: BatchMeans,
    w: BatchMeans,
    waited: BatchMeans,
    in_queue: TimeWeighted,
    in_system: TimeWeighted,
    queue_series: GaugeSeries,
    system_series: GaugeSeries,
}

/// Point estimates and 99% confidence intervals from a run (time in seconds).
#[derive(Clone, Debug)]
pub struct StationReport {
    /// Customers that arrived after the warm-up and completed service start.
    pub served_after_warmup: u64,
    /// Observed arrival rate after the warm-up (customers per second).
    pub lambda: f64,
    /// Waiting time in queue.
    pub wq: ConfidenceInterval,
    /// Time in system (waiting plus service).
    pub w: ConfidenceInterval,
    /// Probability of waiting: the fraction of arrivals that found every server busy.
    pub p_wait: ConfidenceInterval,
    /// Number in queue (time average).
    pub lq: ConfidenceInterval,
    /// Number in system (time average).
    pub l: ConfidenceInterval,
    /// Exact time average of the number in queue over the measured period.
    pub lq_mean: f64,
    /// Exact time average of the number in system over the measured period.
    pub l_mean: f64,
    /// Events processed.
    pub events: u64,
}

/// The confidence level of every interval in a [`StationReport`].
pub const LEVEL: f64 = 0.99;

impl Station {
    /// A station at time zero, with its streams from `streams`.
    pub fn new(config: &StationConfig, streams: &RngStreams) -> Station {
        assert!(config.servers >= 1, "a station needs at least one server");
        assert!(
            config.customers > config.warmup_customers,
            "no customers left after the warm-up"
        );
        Station {
            servers: config.servers,
            busy: 0,
            line: VecDeque::new(),
            interarrival: config.interarrival.clone(),
            service: config.service.clone(),
            arrivals_rng: streams.stream("station/arrivals"),
            service_rng: streams.stream("station/service"),
            customers: config.customers,
            warmup_customers: config.warmup_customers,
            arrived: 0,
            warmup_end: None,
            measure_end: None,
            bucket_width: config.bucket.as_nanos(),
            wq: BatchMeans::new(),
            w: BatchMeans::new(),
            waited: BatchMeans::new(),
            in_queue: TimeWeighted::new(SimTime::ZERO, 0),
            in_system: TimeWeighted::new(SimTime::ZERO, 0),
            queue_series: GaugeSeries::new(config.bucket, 0),
            system_series: GaugeSeries::new(config.bucket, 0),
        }
    }

    /// Runs a station to completion with this master seed.
    pub fn run(config: &StationConfig, seed: u64) -> Result<StationReport, LimitExceeded> {
        let station = Station::new(config, &RngStreams::new(seed));
        let limits = Limits {
            end: SimTime::MAX,
            max_events: 4 * config.customers + 16,
            max_pending: usize::MAX,
        };
        let mut sim = Simulation::new(station, limits);
        sim.scheduler().schedule_at(SimTime::ZERO, StationEvent::Arrival);
        let run = sim.run()?;
        Ok(sim.model().report(run.events))
    }

    fn start_service(&mut self, arrived_at: SimTime, index: u64, sched: &mut Scheduler<StationEvent>) {
        let now = sched.now();
        let service = self.service.sample_duration(&mut self.service_rng);
        if index >= self.warmup_customers {
            let wait = now.saturating_since(arrived_at).as_secs_f64();
            self.wq.push(wait);
            self.w.push(wait + service.as_secs_f64());
        }
        self.busy += 1;
        debug_assert!(self.busy <= self.servers);
        sched.schedule_in(service, StationEvent::Departure);
    }

    fn set_levels(&mut self, now: SimTime) {
        let queue = self.line.len() as u64;
        let system = queue + u64::from(self.busy);
        self.in_queue.set(now, queue);
        self.in_system.set(now, system);
        self.queue_series.set(now, queue);
        self.system_series.set(now, system);
    }

    fn report(&self, events: u64) -> StationReport {
        let warmup_end = self.warmup_end.expect("the run passed the warm-up");
        let end = self.measure_end.expect("the last customer arrived");
        let width = self.bucket_width;
        let time_ci = |series: &GaugeSeries| {
            let (means, _) = series.finish(end);
            // Only whole buckets after the warm-up.
            let first = warmup_end.as_nanos().div_ceil(width) as usize;
            let last = (end.as_nanos() / width) as usize;
            mean_ci(&means[first.min(last)..last], LEVEL).expect("at least two whole buckets after warm-up")
        };
        let measured_arrivals = self.customers - self.warmup_customers;
        StationReport {
            served_after_warmup: self.wq.count(),
            lambda: measured_arrivals as f64 / end.saturating_since(warmup_end).as_secs_f64(),
            wq: self.wq.ci(LEVEL).expect("enough customers"),
            w: self.w.ci(LEVEL).expect("enough customers"),
            p_wait: self.waited.ci(LEVEL).expect("enough customers"),
            lq: time_ci(&self.queue_series),
            l: time_ci(&self.system_series),
            lq_mean: self.in_queue.mean(end),
            l_mean: self.in_system.mean(end),
            events,
        }
    }
}

impl Model for Station {
    type Event = StationEvent;

    fn handle(&mut self, event: StationEvent, sched: &mut Scheduler<StationEvent>) {
        let now = sched.now();
        match event {
            StationEvent::Arrival => {
                let index = self.arrived;
                self.arrived += 1;
                if index == self.warmup_customers {
                    self.warmup_end = Some(now);
                    self.in_queue.restart(now);
                    self.in_system.restart(now);
                }
                if index >= self.warmup_customers {
                    // Erlang C's event: the arrival finds every server busy.
                    self.waited
                        .push(if self.busy == self.servers { 1.0 } else { 0.0 });
                }
                if self.busy < self.servers {
                    self.start_service(now, index, sched);
                } else {
                    self.line.push_back((now, index));
                }
                if self.arrived < self.customers {
                    sched.schedule_in(
                        self.interarrival.sample_duration(&mut self.arrivals_rng),
                        StationEvent::Arrival,
                    );
                }
            }
            StationEvent::Departure => {
                self.busy -= 1;
                if let Some((arrived_at, index)) = self.line.pop_front() {
                    self.start_service(arrived_at, index, sched);
                }
            }
        }
        if self.measure_end.is_none() {
            self.set_levels(now);
            if self.arrived == self.customers {
                self.measure_end = Some(now);
            }
        }
    }
}
