//! Post-run checks: what must hold of a run's outputs whatever the scenario, on top of the
//! world's own invariants (checked after every event, `models/src/world/invariants.rs`).
//!
//! Each check names what it found wrong; [`check_run`] returns the first failure. The checks
//! only assert what the model guarantees (each is argued in a comment from the world's code):
//! a check that can fire on a correct run would make swarm failures noise.
//!
//! The checks, by family: `stop` (the stop record against the limit hit), `finite` (no NaN,
//! infinity or negative number), `conservation` (client requests), `edges` and `services`
//! (counts that must agree), `series` (the time series against the totals), `log` (the event
//! log: order, breakers, CrashLoopBackOff, probes, faults) and `outputs` (every rendered
//! output, and tracing that changes nothing).

mod conservation;
mod edges;
mod faults;
mod finite;
mod log;
pub(super) mod outputs;
mod series;
mod services;
mod stop;

use models::RunOutput;
use models::config::Scenario;
use models::report::LatencyMs;

/// What kind of rule a failure broke (shrinking keeps a simplification only if the failure
/// stays of the same kind).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FailureKind {
    /// The generated scenario did not load (a bug in the generator or the loader).
    Load,
    /// Something panicked (loading, running, or rendering the outputs).
    Panic,
    /// The world's own after-every-event checker reported a violation.
    Invariant,
    /// `stop.partial`/`stop.reason` disagree with the limit the run hit.
    Limit,
    /// A NaN, an infinity or a negative number in an output.
    NonFinite,
    /// Client requests not conserved, or client and edge totals disagree.
    Conservation,
    /// Counts inconsistent with each other (edges, services, pods, time series).
    Counts,
    /// A circuit breaker moved along an edge that is not in its state diagram.
    Breaker,
    /// A restart that does not follow CrashLoopBackOff, or a kill that does not follow the
    /// probe rule, or a container running while a fault holds it down.
    Lifecycle,
    /// The event log is out of time order.
    Log,
}

impl FailureKind {
    /// A short lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Load => "load",
            FailureKind::Panic => "panic",
            FailureKind::Invariant => "invariant",
            FailureKind::Limit => "limit",
            FailureKind::NonFinite => "non-finite",
            FailureKind::Conservation => "conservation",
            FailureKind::Counts => "counts",
            FailureKind::Breaker => "breaker",
            FailureKind::Lifecycle => "lifecycle",
            FailureKind::Log => "log",
        }
    }
}

/// A failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Which rule.
    pub kind: FailureKind,
    /// What is wrong, in words.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.kind.name(), self.message)
    }
}

impl Failure {
    /// A failure of `kind`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

type Check = Result<(), Failure>;

fn fail(kind: FailureKind, message: String) -> Check {
    Err(Failure::new(kind, message))
}

/// Runs every post-run check on the output of running `scenario`.
pub fn check_run(scenario: &Scenario, out: &RunOutput) -> Check {
    if let Some(v) = &out.violation {
        return fail(FailureKind::Invariant, format!("world invariant broken at {v}"));
    }
    let report = &out.report;
    stop::check_stop(scenario, &report.summary, out.limit.as_ref())?;
    finite::check_finite(report)?;
    conservation::check_clients(scenario, &report.summary)?;
    edges::check_edges(scenario, &report.summary)?;
    services::check_services(scenario, &report.summary)?;
    faults::check_faults(scenario, &report.summary)?;
    series::check_series(scenario, report)?;
    log::check_log(scenario, report)
}

/// The summary has as many `what` (clients, services, edges) as the scenario.
fn same_count(kind: FailureKind, what: &str, in_summary: usize, in_scenario: usize) -> Check {
    if in_summary != in_scenario {
        return fail(
            kind,
            format!("{in_summary} {what} in the summary, {in_scenario} in the scenario"),
        );
    }
    Ok(())
}

/// Latency statistics are ordered: quantiles increase and stay below the maximum, the mean too.
fn check_latency(what: &str, l: &LatencyMs) -> Check {
    let ordered = l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max;
    let mean_ok = l.mean <= l.max * (1.0 + 1e-12) + 1e-12;
    let empty_ok = l.count > 0 || (l.max == 0.0 && l.mean == 0.0);
    if ordered && mean_ok && empty_ok {
        Ok(())
    } else {
        fail(
            FailureKind::Counts,
            format!("{what}: latency statistics out of order: {l:?}"),
        )
    }
}

fn failed_by_total(m: &models::report::FailureCounts) -> u64 {
    m.0.values().sum()
}
