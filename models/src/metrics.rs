//! What the world measures while it runs, in memory independent of the number of requests:
//! counters, histograms, time-weighted levels and per-bucket series (sim-core's streaming
//! statistics). Turned into a [`crate::report::Report`] at the end.

use sim_core::stats::{CounterSeries, GaugeSeries, Histogram, QuantileSeries, TimeWeighted};
use sim_core::time::{SimDuration, SimTime};

use crate::config::FaultConfig;
use crate::history::History;
use crate::outcome::{Failure, Outcome};
use crate::phases::ClientPhases;
use crate::policy::breaker::BreakerState;
use crate::policy::{PolicyGauge, Refusal, RefusalCounts};

const N_FAILURES: usize = Failure::ALL.len();

/// Counts by failure reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ByFailure(pub [u64; N_FAILURES]);

impl ByFailure {
    /// Adds one failure.
    pub fn add(&mut self, failure: Failure) {
        self.0[failure.index()] += 1;
    }
    /// The count for one reason.
    pub fn get(&self, failure: Failure) -> u64 {
        self.0[failure.index()]
    }
    /// The total over all reasons.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// A client's measurements.
pub struct ClientMetrics {
    /// Requests started (offered load; first tries only).
    pub started: u64,
    /// Requests that got a real answer.
    pub ok: u64,
    /// Requests that got a fallback answer.
    pub degraded: u64,
    /// Failed requests by reason.
    pub failed: ByFailure,
    /// Latency of ok requests, ns.
    pub latency_ok: Histogram,
    /// Latency of degraded requests, ns. With `latency_ok` it holds the answered requests
    /// ([`ClientMetrics::latency_answered`] merges the two), so that each finished request's
    /// latency is recorded in one histogram.
    pub latency_degraded: Histogram,
    /// Latency of failed requests, ns.
    pub latency_failed: Histogram,
    /// Per bucket: requests started.
    pub series_started: CounterSeries,
    /// Per bucket: ok.
    pub series_ok: CounterSeries,
    /// Per bucket: degraded.
    pub series_degraded: CounterSeries,
    /// Per bucket and reason: failed.
    pub series_failed: Vec<CounterSeries>,
    /// Per bucket: latency quantiles of answered requests (ok or degraded): a failure's
    /// latency (a fast 503, a timeout) never mixes into the answers'.
    pub series_latency: QuantileSeries,
    /// Per bucket: latency quantiles of failed requests.
    pub series_latency_failed: QuantileSeries,
    /// Per fault: before, during and after it.
    pub phases: ClientPhases,
    /// Failures by their chain of causes.
    pub causes: crate::causes::CauseCounts,
}

impl ClientMetrics {
    /// Empty measurements with time-series buckets `bucket` wide, and phases around `faults`.
    pub fn new(bucket: SimDuration, faults: &[FaultConfig]) -> ClientMetrics {
        ClientMetrics {
            started: 0,
            ok: 0,
            degraded: 0,
            failed: ByFailure::default(),
            latency_ok: Histogram::new(),
            latency_degraded: Histogram::new(),
            latency_failed: Histogram::new(),
            series_started: CounterSeries::new(bucket),
            series_ok: CounterSeries::new(bucket),
            series_degraded: CounterSeries::new(bucket),
            series_failed: (0..N_FAILURES).map(|_| CounterSeries::new(bucket)).collect(),
            series_latency: QuantileSeries::new(bucket),
            series_latency_failed: QuantileSeries::new(bucket),
            phases: ClientPhases::new(faults),
            causes: crate::causes::CauseCounts::new(bucket),
        }
    }

    /// Latency of answered requests (ok or degraded), ns: the two merged, the same histogram as
    /// recording each into one, which would be a second record per request.
    pub fn latency_answered(&self) -> Histogram {
        let mut answered = self.latency_ok.clone();
        answered.merge(&self.latency_degraded);
        answered
    }

    /// Latency of every finished request, ns: the answered and the failed merged.
    pub fn latency(&self) -> Histogram {
        let mut all = self.latency_answered();
        all.merge(&self.latency_failed);
        all
    }

    /// A request started.
    #[inline]
    pub fn on_start(&mut self, now: SimTime) {
        self.started += 1;
        self.series_started.add(now, 1);
    }

    /// A request ended.
    #[inline]
    pub fn on_end(&mut self, now: SimTime, outcome: Outcome, latency: SimDuration) {
        let ns = latency.as_nanos();
        self.phases.record(now, outcome, ns);
        if let Outcome::Failed(_) = outcome {
            self.latency_failed.record(ns);
            self.series_latency_failed.record(now, ns);
        } else {
            self.series_latency.record(now, ns);
        }
        match outcome {
            Outcome::Ok => {
                self.ok += 1;
                self.latency_ok.record(ns);
                self.series_ok.add(now, 1);
            }
            Outcome::Degraded => {
                self.degraded += 1;
                self.latency_degraded.record(ns);
                self.series_degraded.add(now, 1);
            }
            Outcome::Failed(f) => {
                self.failed.add(f);
                self.series_failed[f.index()].add(now, 1);
            }
        }
    }
}

/// A service's counts over all its pods: counted live by [`ServiceMetrics`], reported as they
/// are in the summary (`report::ServiceSummary` flattens them, in this order).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ServiceCounts {
    /// Traffic requests that reached a pod.
    pub arrivals: u64,
    /// Answered 2xx.
    pub completed_ok: u64,
    /// Answered 5xx.
    pub completed_error: u64,
    /// Of the 2xx answers, those built with a degraded downstream answer (degraded too).
    pub completed_degraded: u64,
    /// Rejected at once (queue full, 503).
    pub rejected: u64,
    /// Dropped because their deadline had passed.
    pub dropped_deadline: u64,
    /// Lost when a container died.
    pub lost: u64,
    /// Probe requests received.
    pub probes: u64,
}

/// A service's measurements, over all its pods.
pub struct ServiceMetrics {
    /// The counts the summary reports.
    pub counts: ServiceCounts,
    /// Traffic requests that found every slot busy and waited in the queue.
    pub waited: u64,
    /// Time from arrival to getting a slot, ns (admitted requests).
    pub queue_wait: Histogram,
    /// Time from getting a slot to answering, ns.
    pub service_time: Histogram,
    /// Per bucket: arrivals (attempts reaching the service: retries show here).
    pub series_arrivals: CounterSeries,
    /// Per bucket: rejections.
    pub series_rejected: CounterSeries,
    /// Per bucket: answers (ok or error).
    pub series_completed: CounterSeries,
    /// Busy slots over all pods, per bucket (and overall: [`GaugeSeries::mean`]).
    pub series_busy: GaugeSeries,
    /// Queued requests over all pods, per bucket.
    pub series_queued: GaugeSeries,
    /// Slots of pods whose process is up, per bucket.
    pub series_capacity: GaugeSeries,
    /// Per bucket: ready pods.
    pub series_ready: GaugeSeries,
    /// Busy slots held by abandoned requests (their callers gave up) over all pods: its mean
    /// times the time is the wasted work in slot-seconds.
    pub series_wasted: GaugeSeries,
}

impl ServiceMetrics {
    /// Empty measurements.
    pub fn new(bucket: SimDuration) -> ServiceMetrics {
        ServiceMetrics {
            counts: ServiceCounts::default(),
            waited: 0,
            queue_wait: Histogram::new(),
            service_time: Histogram::new(),
            series_arrivals: CounterSeries::new(bucket),
            series_rejected: CounterSeries::new(bucket),
            series_completed: CounterSeries::new(bucket),
            series_busy: GaugeSeries::new(bucket, 0),
            series_queued: GaugeSeries::new(bucket, 0),
            series_capacity: GaugeSeries::new(bucket, 0),
            series_ready: GaugeSeries::new(bucket, 0),
            series_wasted: GaugeSeries::new(bucket, 0),
        }
    }

    /// Busy slots changed by `delta` at `now`.
    pub fn add_busy(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_busy
            .value()
            .checked_add_signed(delta)
            .expect("busy count never goes negative");
        self.series_busy.set(now, v);
    }

    /// Busy slots held by abandoned requests changed by `delta` at `now`.
    pub fn add_wasted(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_wasted
            .value()
            .checked_add_signed(delta)
            .expect("wasted slots never go negative");
        self.series_wasted.set(now, v);
    }

    /// A traffic request was turned away by a full accept queue at `now`.
    #[inline]
    pub fn on_rejected(&mut self, now: SimTime) {
        self.counts.rejected += 1;
        self.series_rejected.add(now, 1);
    }

    /// Queued requests changed by `delta` at `now`.
    pub fn add_queued(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_queued
            .value()
            .checked_add_signed(delta)
            .expect("queue count never goes negative");
        self.series_queued.set(now, v);
    }

    /// Available slots changed by `delta` at `now`.
    pub fn add_capacity(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_capacity
            .value()
            .checked_add_signed(delta)
            .expect("capacity never goes negative");
        self.series_capacity.set(now, v);
    }

    /// Ready pods changed by `delta` at `now`.
    pub fn add_ready(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_ready
            .value()
            .checked_add_signed(delta)
            .expect("ready count never negative");
        self.series_ready.set(now, v);
    }
}

/// An edge's counts over all its caller pods: counted live by [`EdgeMetrics`], reported as they
/// are in the summary (`report::EdgeSummary`, whose serializer places them among its derived
/// fields).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EdgeCounts {
    /// Logical calls started (first attempts).
    pub calls: u64,
    /// Attempts started (first attempts plus retries that reached the network).
    pub attempts: u64,
    /// Retries started.
    pub retries: u64,
    /// Calls that ended ok.
    pub ok: u64,
    /// Calls that ended with a fallback answer.
    pub degraded: u64,
    /// Calls that failed, by the final reason.
    pub failed: ByFailure,
    /// Attempts that failed, by reason (timeouts by kind, errors by kind).
    pub attempt_failures: ByFailure,
    /// Calls or tries refused, by the refusing policy (the budget refuses retries only).
    pub rejections: RefusalCounts,
    /// Fallbacks to a default answer.
    pub fallback_degrade: u64,
    /// Fallbacks that deferred the work.
    pub fallback_defer: u64,
    /// Deferred work completed later.
    pub deferred_done: u64,
    /// Deferred work dropped because the deferred queue was full.
    pub deferred_dropped: u64,
    /// Calls that succeeded with the callee's degraded answer (`Response::Degraded`).
    pub degraded_answers: u64,
}

/// An edge's measurements, over all its caller pods.
pub struct EdgeMetrics {
    /// The counts the summary reports.
    pub counts: EdgeCounts,
    /// Latency of whole calls, ns, but for the calls a client's requests make: those are
    /// recorded once, as the client's latency, and merged in at the end (`World::call_latency`
    /// in `world/finish.rs`).
    pub call_latency: Histogram,
    /// Per bucket: calls.
    pub series_calls: CounterSeries,
    /// Per bucket: attempts.
    pub series_attempts: CounterSeries,
    /// Per bucket: retries.
    pub series_retries: CounterSeries,
    /// Per bucket: calls that failed (final).
    pub series_failed: CounterSeries,
    /// Per bucket and policy gauge (by [`PolicyGauge::index`]), over caller pods.
    pub series_policy: [GaugeSeries; PolicyGauge::ALL.len()],
    /// Per bucket: deferred work pending.
    pub series_deferred: GaugeSeries,
    /// Per bucket: calls that ended ok.
    pub series_ok: CounterSeries,
    /// Per bucket: calls that ended with a fallback or degraded answer.
    pub series_degraded: CounterSeries,
    /// Per bucket and final reason: calls that failed.
    pub series_failed_by: Vec<CounterSeries>,
    /// Per bucket and refusing policy (by [`Refusal::index`]): calls or tries refused.
    pub series_rejections: [CounterSeries; Refusal::ALL.len()],
    /// Per bucket: pool connections held by this edge's attempts (over caller pods).
    pub series_pool_in_use: GaugeSeries,
    /// Per bucket: this edge's attempts waiting for a pool connection (over caller pods).
    pub series_pool_waiters: GaugeSeries,
}

impl EdgeMetrics {
    /// Empty measurements.
    pub fn new(bucket: SimDuration) -> EdgeMetrics {
        EdgeMetrics {
            counts: EdgeCounts::default(),
            call_latency: Histogram::new(),
            series_calls: CounterSeries::new(bucket),
            series_attempts: CounterSeries::new(bucket),
            series_retries: CounterSeries::new(bucket),
            series_failed: CounterSeries::new(bucket),
            series_policy: PolicyGauge::ALL.map(|_| GaugeSeries::new(bucket, 0)),
            series_deferred: GaugeSeries::new(bucket, 0),
            series_ok: CounterSeries::new(bucket),
            series_degraded: CounterSeries::new(bucket),
            series_failed_by: (0..N_FAILURES).map(|_| CounterSeries::new(bucket)).collect(),
            series_rejections: Refusal::ALL.map(|_| CounterSeries::new(bucket)),
            series_pool_in_use: GaugeSeries::new(bucket, 0),
            series_pool_waiters: GaugeSeries::new(bucket, 0),
        }
    }

    /// A call ended with `outcome`.
    #[inline]
    pub fn on_outcome(&mut self, now: SimTime, outcome: Outcome) {
        match outcome {
            Outcome::Ok => {
                self.counts.ok += 1;
                self.series_ok.add(now, 1);
            }
            Outcome::Degraded => {
                self.counts.degraded += 1;
                self.series_degraded.add(now, 1);
            }
            Outcome::Failed(f) => {
                self.counts.failed.add(f);
                self.series_failed.add(now, 1);
                self.series_failed_by[f.index()].add(now, 1);
            }
        }
    }

    /// A call or try (a retry, for the budget) was refused by `by`.
    pub fn on_rejection(&mut self, by: Refusal, now: SimTime) {
        self.counts.rejections[by] += 1;
        self.series_rejections[by.index()].add(now, 1);
    }

    /// Pool connections held by this edge's attempts changed by `delta`.
    pub fn add_pool_in_use(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_pool_in_use
            .value()
            .checked_add_signed(delta)
            .expect("connections in use never negative");
        self.series_pool_in_use.set(now, v);
    }

    /// This edge's attempts waiting for a pool connection changed by `delta`.
    pub fn add_pool_waiters(&mut self, now: SimTime, delta: i64) {
        let v = self
            .series_pool_waiters
            .value()
            .checked_add_signed(delta)
            .expect("pool waiters never negative");
        self.series_pool_waiters.set(now, v);
    }

    /// A breaker of this edge moved from `from` to `to`.
    pub fn on_breaker(&mut self, now: SimTime, from: BreakerState, to: BreakerState) {
        for (state, delta) in [(from, -1i64), (to, 1)] {
            let gauge = match state {
                BreakerState::Open => PolicyGauge::BreakersOpen,
                BreakerState::HalfOpen => PolicyGauge::BreakersHalfOpen,
                BreakerState::Closed => continue,
            };
            self.add_policy_gauge(gauge, now, delta);
        }
    }

    /// The policies' gauges in the time series' column order ([`PolicyGauge::ALL`]), each with
    /// its column's name (after `edge.<edge>.`) and the factor its values are stored multiplied by.
    pub fn policy_gauges(&self) -> [(&'static str, &GaugeSeries, u32); PolicyGauge::ALL.len()] {
        PolicyGauge::ALL.map(|g| (g.name(), &self.series_policy[g.index()], g.scale()))
    }

    /// The policy gauge `gauge` changed by `delta`.
    pub fn add_policy_gauge(&mut self, gauge: PolicyGauge, now: SimTime, delta: i64) {
        let series = &mut self.series_policy[gauge.index()];
        let v = series
            .value()
            .checked_add_signed(delta)
            .unwrap_or_else(|| panic!("{} never negative", gauge.name()));
        series.set(now, v);
    }
}

/// A pod's state, for state bands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PodState {
    /// Container starting, or up but not yet ready.
    Starting,
    /// Up and ready.
    Ready,
    /// Up, not ready (readiness failing).
    NotReady,
    /// Terminating, dead, or waiting for a restart.
    Down,
}

/// A pod's measurements.
pub struct PodMetrics {
    /// Traffic requests that reached this pod.
    pub arrivals: u64,
    /// State changes, starting at time zero (bounded: see [`History`]).
    pub states: History<PodState>,
    /// The state at the end of each time-series bucket so far.
    states_by_bucket: Vec<PodState>,
    bucket_width: u64,
    /// Containers killed (by probes or faults).
    pub kills: u32,
    /// Time ready (1) or not (0).
    pub ready: TimeWeighted,
}

impl PodMetrics {
    /// A pod starting at time zero, with time-series buckets `bucket` wide.
    pub fn new(bucket: SimDuration) -> PodMetrics {
        assert!(!bucket.is_zero(), "bucket width must be positive");
        PodMetrics {
            arrivals: 0,
            states: History::new(PodState::Starting),
            states_by_bucket: Vec::new(),
            bucket_width: bucket.as_nanos(),
            kills: 0,
            ready: TimeWeighted::new(SimTime::ZERO, 0),
        }
    }

    /// Records the pod's state at `now` (no-op if unchanged).
    pub fn set_state(&mut self, now: SimTime, state: PodState) {
        let before = self.states.current();
        if self.states.record(now, state) {
            let i = (now.as_nanos() / self.bucket_width) as usize;
            if i >= self.states_by_bucket.len() {
                self.states_by_bucket.resize(i + 1, before);
            }
            self.states_by_bucket[i] = state;
        }
        self.ready.set(now, u64::from(state == PodState::Ready));
    }

    /// The state at the end of each of the first `buckets` buckets.
    pub fn states_by_bucket(&self, buckets: usize) -> Vec<PodState> {
        let mut v = self.states_by_bucket.clone();
        v.truncate(buckets);
        v.resize(buckets, self.states.current());
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each finished request is recorded in one histogram; the answered and the all-requests
    /// histograms merged from them are the ones recording every value into each would give.
    #[test]
    fn merged_latency_histograms_equal_recording_into_each() {
        let mut m = ClientMetrics::new(SimDuration::from_secs(1), &[]);
        let (mut answered, mut all) = (Histogram::new(), Histogram::new());
        let outcomes = [
            Outcome::Ok,
            Outcome::Degraded,
            Outcome::Failed(Failure::ReadTimeout),
        ];
        for i in 0..3_000u64 {
            let outcome = outcomes[(i % 3) as usize];
            let ns = 1 + i * i * 997 % 5_000_000_000;
            m.on_end(
                SimTime::from_nanos(i * 1_000_000),
                outcome,
                SimDuration::from_nanos(ns),
            );
            if !matches!(outcome, Outcome::Failed(_)) {
                answered.record(ns);
            }
            all.record(ns);
        }
        assert_eq!(m.latency_answered(), answered);
        assert_eq!(m.latency(), all);
        assert_eq!(m.latency_degraded.count(), 1_000);
    }
}
