//! Phases of a fault and a verdict: for each fault window and client, the answers, answered
//! latency and failures measured before, during and after it, and whether the client's goodput
//! came back once the fault ended ([`recovery_s`]: the one definition, used by the claims too).
//!
//! A fault's window is `[from, until)` (`[from, from + down_for)` for a restart or reschedule;
//! without `until`, to the end of the run). Its phases: `before` = `[max(0, from − 60 s), from)`,
//! `during` = the window, `after` = `[window end, run end)`. A request counts in every phase its
//! finish time falls in, so phases are known at setup and cost three histograms per fault and
//! client, for at most [`MAX_PHASED_FAULTS`] faults.

use serde::Serialize;
use sim_core::stats::Histogram;
use sim_core::time::{SimDuration, SimTime};

use crate::config::{FaultConfig, FaultKind};
use crate::metrics::ByFailure;
use crate::outcome::Outcome;
use crate::report::{FailureCounts, LatencyMs, TimeSeries};

/// Faults measured in phases: the first this many, in scenario order (three histograms per
/// fault and client bound the memory they take).
pub const MAX_PHASED_FAULTS: usize = 32;

/// How far back the `before` phase reaches.
pub const BEFORE: SimDuration = SimDuration::from_secs(60);

/// The window over which goodput must be back for a recovery, seconds.
pub const RECOVERY_WINDOW_S: f64 = 10.0;

/// The verdict of a client that never got its goodput back after a fault.
pub const NOT_RECOVERED: &str = "not recovered by the end of the run";

/// The verdict of a client whose goodput came back.
pub const RECOVERED: &str = "recovered";

/// A fault's window, `[from, until)`; `until` is [`SimTime::MAX`] when it lasts to the end.
pub fn window(f: &FaultConfig) -> (SimTime, SimTime) {
    (f.from, f.end().unwrap_or(SimTime::MAX))
}

/// The three phases of a fault: before, during, after (`after` open-ended).
pub fn phases(f: &FaultConfig) -> [(SimTime, SimTime); 3] {
    let (from, until) = window(f);
    [
        (from.saturating_sub(BEFORE), from),
        (from, until),
        (until, SimTime::MAX),
    ]
}

/// The `kind` name of a fault, as a scenario writes it.
pub fn kind_name(kind: &FaultKind) -> &'static str {
    match kind {
        FaultKind::Slow { .. } => "slow",
        FaultKind::Errors { .. } => "errors",
        FaultKind::Crash { .. } => "crash",
        FaultKind::CapacityCut { .. } => "capacity_cut",
        FaultKind::Leak { .. } => "leak",
        FaultKind::Restart { .. } => "restart",
        FaultKind::Reschedule { .. } => "reschedule",
    }
}

/// One phase's measurements for one client.
#[derive(Clone, Debug, Default)]
pub struct PhaseMetrics {
    /// Answered requests (ok or degraded) that finished in the phase.
    pub answered: u64,
    /// Their latency, ns.
    pub latency_answered: Histogram,
    /// Failed requests that finished in the phase, by reason.
    pub failed: ByFailure,
}

/// A client's phase measurements: three per phased fault.
#[derive(Clone, Debug)]
pub struct ClientPhases {
    /// Per phased fault, its three phases' bounds ([`phases`]): contiguous, so a request falls
    /// in at most one of them.
    bounds: Vec<[(SimTime, SimTime); 3]>,
    /// Per phase, three per fault (before, during, after).
    pub metrics: Vec<PhaseMetrics>,
}

impl ClientPhases {
    /// Phases of the first [`MAX_PHASED_FAULTS`] faults.
    pub fn new(faults: &[FaultConfig]) -> ClientPhases {
        let bounds: Vec<_> = faults.iter().take(MAX_PHASED_FAULTS).map(phases).collect();
        for b in &bounds {
            debug_assert!(b[0].1 == b[1].0 && b[1].0 <= b[1].1 && b[1].1 == b[2].0);
        }
        let metrics = vec![PhaseMetrics::default(); 3 * bounds.len()];
        ClientPhases { bounds, metrics }
    }

    /// A request finished at `now`: counted in the one phase of each fault it falls in (one
    /// comparison per fault it is before, three at most otherwise).
    #[inline]
    pub fn record(&mut self, now: SimTime, outcome: Outcome, latency_ns: u64) {
        for (fault, [(before, from), (_, until), _]) in self.bounds.iter().enumerate() {
            if now < *before {
                continue;
            }
            let phase = usize::from(now >= *from) + usize::from(now >= *until);
            let m = &mut self.metrics[3 * fault + phase];
            match outcome {
                Outcome::Failed(f) => m.failed.add(f),
                Outcome::Ok | Outcome::Degraded => {
                    m.answered += 1;
                    m.latency_answered.record(latency_ns);
                }
            }
        }
    }
}

/// A phase in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseSummary {
    /// Start, seconds.
    pub from_s: f64,
    /// End (exclusive; the run's end at most), seconds.
    pub until_s: f64,
    /// Answers (ok and degraded) that finished in the phase.
    pub answered: u64,
    /// Answers per second of the phase (0 for an empty phase).
    pub goodput_per_s: f64,
    /// Latency of those answers.
    pub latency_answered_ms: LatencyMs,
    /// Failures that finished in the phase.
    pub failed: u64,
    /// Failures by reason.
    pub failed_by: FailureCounts,
}

/// One client's view of a fault.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultClient {
    /// Client name.
    pub name: String,
    /// `[max(0, from − 60 s), from)`.
    pub before: PhaseSummary,
    /// The fault's window.
    pub during: PhaseSummary,
    /// From the window's end to the run's end.
    pub after: PhaseSummary,
    /// Seconds after the window's end until goodput was back ([`recovery_s`]).
    pub recovered_s: Option<f64>,
    /// [`RECOVERED`], [`NOT_RECOVERED`], or none (no `before`, or the fault lasts to the end).
    pub verdict: Option<&'static str>,
}

/// A fault's window in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowS {
    /// Start, seconds.
    pub from_s: f64,
    /// End (exclusive), seconds; the run's end when the fault lasts to the end.
    pub until_s: f64,
}

/// A fault in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaultSummary {
    /// Its name, or `faults[i]`.
    pub name: String,
    /// The service it acts on.
    pub service: String,
    /// Its kind.
    pub kind: &'static str,
    /// Its window.
    pub window: WindowS,
    /// Per client, in scenario order.
    pub clients: Vec<FaultClient>,
}

/// A phase's summary, its end clipped to the run's `end`.
pub fn phase_summary(m: &PhaseMetrics, (from, until): (SimTime, SimTime), end: SimTime) -> PhaseSummary {
    let (from, until) = (from.min(end), until.min(end));
    let secs = until.saturating_since(from).as_secs_f64();
    PhaseSummary {
        from_s: from.as_secs_f64(),
        until_s: until.as_secs_f64(),
        answered: m.answered,
        goodput_per_s: if secs > 0.0 { m.answered as f64 / secs } else { 0.0 },
        latency_answered_ms: m.latency_answered.summary().into(),
        failed: m.failed.total(),
        failed_by: (&m.failed).into(),
    }
}

/// The verdict for one client: `(recovered_s, verdict)`. None when the `before` phase is empty
/// (the fault starts at 0) or the window lasts to the end of the run.
pub fn verdict(
    series: &TimeSeries,
    client: &str,
    f: &FaultConfig,
    end: SimTime,
) -> (Option<f64>, Option<&'static str>) {
    let [(b0, b1), _, (a0, _)] = phases(f);
    let bucket = series.bucket_s;
    let whole = |t: SimTime| (t.as_secs_f64() / bucket) as usize;
    if whole(b0) >= whole(b1) || a0 >= end {
        // No whole bucket before the fault to compare with, or it never ended.
        return (None, None);
    }
    let baseline = (b0.as_secs_f64(), b1.as_secs_f64());
    match recovery_s(series, client, baseline, a0.as_secs_f64(), RECOVERY_WINDOW_S) {
        // Not below 0 however the bucket arithmetic rounds.
        Some(s) => (Some(s.max(0.0)), Some(RECOVERED)),
        None => (None, Some(NOT_RECOVERED)),
    }
}

/// Seconds after `fault_end` until `client`'s goodput (ok + degraded), averaged over the next
/// `window` seconds, is back to at least 90% of its mean over `baseline` (seconds); `None` if
/// it never is before the run ends. Read from the time series, so at bucket granularity: the
/// baseline covers whole buckets from `⌊from / bucket⌋` to `⌊to / bucket⌋`, the search starts
/// at the first bucket starting at or after `fault_end`, and the answer is that bucket's start
/// minus `fault_end`.
pub fn recovery_s(
    series: &TimeSeries,
    client: &str,
    baseline: (f64, f64),
    fault_end: f64,
    window: f64,
) -> Option<f64> {
    let column = |c: &str| {
        series
            .num(&format!("client.{client}.{c}"))
            .unwrap_or_else(|| panic!("no column client.{client}.{c}"))
    };
    let good: Vec<f64> = column("ok")
        .iter()
        .zip(column("degraded"))
        .map(|(a, b)| a + b)
        .collect();
    let b = series.bucket_s;
    let before = mean_of(&good, baseline.0, baseline.1, b);
    let w = (window / b).round().max(1.0) as usize;
    let first = (fault_end / b).ceil() as usize;
    (first..good.len().saturating_sub(w - 1))
        .find(|&i| good[i..i + w].iter().sum::<f64>() / (w as f64 * b) >= 0.9 * before)
        .map(|i| i as f64 * b - fault_end)
}

fn mean_of(v: &[f64], from: f64, to: f64, bucket: f64) -> f64 {
    let (i, j) = ((from / bucket) as usize, ((to / bucket) as usize).min(v.len()));
    v[i..j].iter().sum::<f64>() / ((j - i) as f64 * bucket)
}
