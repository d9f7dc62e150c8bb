//! The results of a run, as plain data: a summary (serialised as `summary.json`, schema in
//! `docs/outputs.md`), time series (one row per bucket), the event log, and state histories for
//! state bands. Built once at the end of a run from the world's streaming measurements.

use serde::Serialize;
use sim_core::stats::HistogramSummary;
use sim_core::time::SimTime;

use crate::log::LogEntry;
use crate::metrics::{ByFailure, EdgeCounts, PodState, ServiceCounts};
use crate::outcome::Failure;
use crate::policy::breaker::BreakerState;

/// Everything a run produced.
#[derive(Clone, Debug)]
pub struct Report {
    /// Totals and distributions.
    pub summary: Summary,
    /// Per-bucket series.
    pub series: TimeSeries,
    /// Notable state changes.
    pub log: Vec<LogEntry>,
    /// Pod and breaker state histories.
    pub bands: Bands,
    /// Per-request traces, if they were recorded.
    pub trace: Option<crate::trace::TraceData>,
}

/// Why the run stopped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StopInfo {
    /// `end_time`, `drained`, `max_events` or `max_pending`.
    pub reason: String,
    /// Whether the run stopped at a limit before its end time: results cover `[0, at_s)` only.
    pub partial: bool,
    /// Simulated time at the stop, seconds.
    pub at_s: f64,
}

/// Latency statistics in milliseconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LatencyMs {
    /// Values.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Maximum.
    pub max: f64,
}

impl From<HistogramSummary> for LatencyMs {
    fn from(h: HistogramSummary) -> LatencyMs {
        let ms = |ns: u64| ns as f64 / 1e6;
        LatencyMs {
            count: h.count,
            mean: h.mean / 1e6,
            p50: ms(h.p50),
            p90: ms(h.p90),
            p99: ms(h.p99),
            p999: ms(h.p999),
            max: ms(h.max),
        }
    }
}

/// Counts by failure reason, every reason present (a stable schema).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct FailureCounts(pub std::collections::BTreeMap<&'static str, u64>);

impl From<&ByFailure> for FailureCounts {
    fn from(b: &ByFailure) -> FailureCounts {
        FailureCounts(Failure::ALL.iter().map(|f| (f.name(), b.get(*f))).collect())
    }
}

/// Summary of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Simulated duration covered, seconds.
    pub duration_s: f64,
    /// Events processed.
    pub events: u64,
    /// Why the run stopped.
    pub stop: StopInfo,
    /// Log entries not kept because the log was full.
    pub log_dropped: u64,
    /// Per client.
    pub clients: Vec<ClientSummary>,
    /// Per service.
    pub services: Vec<ServiceSummary>,
    /// Per call edge.
    pub edges: Vec<EdgeSummary>,
    /// Per fault (the first [`crate::phases::MAX_PHASED_FAULTS`]): phases and verdicts.
    pub faults: Vec<crate::phases::FaultSummary>,
}

/// A client's totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClientSummary {
    /// Client name.
    pub name: String,
    /// Requests started.
    pub requests: u64,
    /// Real answers.
    pub ok: u64,
    /// Fallback answers.
    pub degraded: u64,
    /// Failures.
    pub failed: u64,
    /// Failures by reason.
    pub failed_by: FailureCounts,
    /// Failures by chain of causes, most frequent first.
    pub failed_by_cause: Vec<crate::causes::CauseCount>,
    /// Requests still in flight at the end.
    pub in_flight: u64,
    /// Answers (ok and degraded) per second of simulated time.
    pub goodput_per_s: f64,
    /// Latency of every finished request.
    pub latency_ms: LatencyMs,
    /// Latency of ok requests.
    pub latency_ok_ms: LatencyMs,
    /// Latency of answered requests (ok or degraded).
    pub latency_answered_ms: LatencyMs,
    /// Latency of failed requests.
    pub latency_failed_ms: LatencyMs,
}

/// A pod's totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PodSummary {
    /// Pod name.
    pub name: String,
    /// Traffic requests that reached it.
    pub arrivals: u64,
    /// Container restarts.
    pub restarts: u32,
    /// Containers killed (probes or faults).
    pub kills: u32,
    /// Time ready, seconds.
    pub time_ready_s: f64,
    /// Fraction of the run ready.
    pub ready_fraction: f64,
}

/// A service's totals over its pods.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceSummary {
    /// Service name.
    pub name: String,
    /// Pods.
    pub replicas: u32,
    /// Slots per pod.
    pub slots: u32,
    /// Arrivals, answers, rejections, drops, losses and probes, as counted.
    #[serde(flatten)]
    pub counts: ServiceCounts,
    /// Fraction of traffic requests that found every slot busy and queued (Erlang C's P(wait)).
    pub waited_fraction: f64,
    /// Wait for a slot, ms.
    pub queue_wait_ms: LatencyMs,
    /// Time holding a slot, ms.
    pub service_time_ms: LatencyMs,
    /// Time-average busy slots over all pods.
    pub mean_in_flight: f64,
    /// Time-average queued requests over all pods.
    pub mean_queued: f64,
    /// Busy slots / slots of pods up, time-averaged.
    pub utilisation: f64,
    /// Slot-seconds spent on requests whose caller had already given up (abandoned).
    pub wasted_work_s: f64,
    /// `wasted_work_s` over all busy slot-seconds (0 when nothing was busy).
    pub wasted_share: f64,
    /// Container restarts over all pods.
    pub restarts: u32,
    /// Per pod.
    pub pods: Vec<PodSummary>,
}

/// A call edge's totals over its caller pods.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeSummary {
    /// `caller→callee`.
    pub name: String,
    /// Caller (client or service) name.
    pub caller: String,
    /// Callee service name.
    pub callee: String,
    /// Policy name.
    pub policy: String,
    /// Calls, attempts, outcomes, refusals, fallbacks, as counted.
    pub counts: EdgeCounts,
    /// Deferred work still pending at the end.
    pub deferred_pending: u64,
    /// Breaker state changes over all caller pods.
    pub breaker_transitions: u64,
    /// Latency of whole calls.
    pub call_latency_ms: LatencyMs,
}

impl EdgeSummary {
    /// Attempts per call (0 without calls).
    pub fn amplification(&self) -> f64 {
        let c = &self.counts;
        if c.calls > 0 {
            c.attempts as f64 / c.calls as f64
        } else {
            0.0
        }
    }

    /// Calls failed.
    pub fn failed(&self) -> u64 {
        self.counts.failed.total()
    }

    /// Failed calls by final reason.
    pub fn failed_by(&self) -> FailureCounts {
        (&self.counts.failed).into()
    }

    /// Failed attempts by reason: timeouts by kind, errors by kind.
    pub fn attempt_failures_by(&self) -> FailureCounts {
        (&self.counts.attempt_failures).into()
    }

    /// Calls failed because their deadline was spent.
    pub fn deadline_exceeded(&self) -> u64 {
        self.counts.failed.get(Failure::DeadlineExceeded)
    }
}

/// `summary.json`'s edge object (docs/outputs.md): the counts in their documented places among
/// the derived fields.
impl Serialize for EdgeSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let c = &self.counts;
        let mut st = serializer.serialize_struct("EdgeSummary", 25)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("caller", &self.caller)?;
        st.serialize_field("callee", &self.callee)?;
        st.serialize_field("policy", &self.policy)?;
        st.serialize_field("calls", &c.calls)?;
        st.serialize_field("attempts", &c.attempts)?;
        st.serialize_field("retries", &c.retries)?;
        st.serialize_field("amplification", &self.amplification())?;
        st.serialize_field("ok", &c.ok)?;
        st.serialize_field("degraded", &c.degraded)?;
        st.serialize_field("failed", &self.failed())?;
        st.serialize_field("failed_by", &self.failed_by())?;
        st.serialize_field("attempt_failures_by", &self.attempt_failures_by())?;
        for r in crate::policy::Refusal::SUMMARY_ORDER {
            st.serialize_field(r.summary_key(), &c.rejections[r])?;
        }
        st.serialize_field("fallback_degrade", &c.fallback_degrade)?;
        st.serialize_field("fallback_defer", &c.fallback_defer)?;
        st.serialize_field("deferred_done", &c.deferred_done)?;
        st.serialize_field("deferred_pending", &self.deferred_pending)?;
        st.serialize_field("deferred_dropped", &c.deferred_dropped)?;
        st.serialize_field("degraded_answers", &c.degraded_answers)?;
        st.serialize_field("deadline_exceeded", &self.deadline_exceeded())?;
        st.serialize_field("breaker_transitions", &self.breaker_transitions)?;
        st.serialize_field("call_latency_ms", &self.call_latency_ms)?;
        st.end()
    }
}

/// A column of the time series.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Numbers (NaN where there is no value, e.g. a latency in a bucket without requests).
    Num(Vec<f64>),
    /// Words (pod states).
    Text(Vec<&'static str>),
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// `entity.name.metric`, e.g. `service.upload.busy_mean`.
    pub name: String,
    /// One value per bucket.
    pub values: Values,
}

/// Per-bucket series: bucket `i` covers `[i·bucket, (i+1)·bucket)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeries {
    /// Bucket width, seconds.
    pub bucket_s: f64,
    /// Number of buckets.
    pub buckets: usize,
    /// The columns, in a fixed order (clients, services, edges, pods; each in scenario order).
    pub columns: Vec<Column>,
}

impl TimeSeries {
    /// The numeric column called `name`.
    pub fn num(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| match &c.values {
                Values::Num(v) => Some(v.as_slice()),
                Values::Text(_) => None,
            })
    }
}

/// State histories: `(time, state)` changes from time zero.
#[derive(Clone, Debug, PartialEq)]
pub struct Bands {
    /// Per pod.
    pub pods: Vec<PodBand>,
    /// Per breaker (one per caller pod and edge with a breaker).
    pub breakers: Vec<BreakerBand>,
}

/// A pod's state history.
#[derive(Clone, Debug, PartialEq)]
pub struct PodBand {
    /// Pod name.
    pub pod: String,
    /// `(time, new state)` from time zero, up to [`crate::history::MAX_KEPT_CHANGES`].
    pub states: Vec<(SimTime, PodState)>,
    /// When the record stops, if the pod changed state more often than the bound.
    pub kept_until: Option<SimTime>,
}

/// A breaker's state history.
#[derive(Clone, Debug, PartialEq)]
pub struct BreakerBand {
    /// Edge name, `caller→callee`.
    pub edge: String,
    /// The caller pod (or client) owning it.
    pub owner: String,
    /// `(time, new state)` from time zero, up to [`crate::history::MAX_KEPT_CHANGES`].
    pub states: Vec<(SimTime, BreakerState)>,
    /// When the record stops, if the breaker changed state more often than the bound.
    pub kept_until: Option<SimTime>,
}
