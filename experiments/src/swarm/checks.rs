//! Post-run checks: what must hold of a run's outputs whatever the scenario, on top of the
//! world's own invariants (checked after every event, `models/src/world/invariants.rs`).
//!
//! Each check names what it found wrong; [`check_run`] returns the first failure. The checks
//! only assert what the model guarantees (each is argued in a comment from the world's code):
//! a check that can fire on a correct run would make swarm failures noise.

use std::collections::BTreeMap;

use models::RunOutput;
use models::config::{Caller, Fallback, FaultKind, PolicyOrder, Scenario};
use models::k8s::CrashLoopBackOff;
use models::log::{KillReason, LogEntry, LogKind};
use models::policy::breaker::{BreakerState, is_legal};
use models::report::{LatencyMs, Report, Summary, Values};
use sim_core::sim::LimitExceeded;
use sim_core::time::SimTime;

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
    check_stop(scenario, &report.summary, out.limit.as_ref())?;
    check_finite(report)?;
    check_clients(scenario, &report.summary)?;
    check_edges(scenario, &report.summary)?;
    check_services(scenario, &report.summary)?;
    check_series(scenario, report)?;
    check_log(scenario, report)
}

/// `stop` agrees with the limit the run hit (`RunOutput::limit`).
fn check_stop(scenario: &Scenario, s: &Summary, limit: Option<&LimitExceeded>) -> Check {
    let stop = &s.stop;
    let k = FailureKind::Limit;
    if stop.partial != limit.is_some() {
        return fail(
            k,
            format!("stop.partial = {} but the limit hit is {limit:?}", stop.partial),
        );
    }
    if stop.at_s != s.duration_s {
        return fail(
            k,
            format!("stop.at_s {} ≠ duration_s {}", stop.at_s, s.duration_s),
        );
    }
    match limit {
        None => {
            if !matches!(stop.reason.as_str(), "end_time" | "drained") {
                return fail(k, format!("complete run with stop.reason {:?}", stop.reason));
            }
            let end = scenario.duration.as_secs_f64();
            if stop.at_s != end {
                return fail(
                    k,
                    format!("complete run stopped at {} s, not at its end {end} s", stop.at_s),
                );
            }
            if s.events > scenario.limits.max_events {
                return fail(
                    k,
                    format!(
                        "{} events over max_events {}",
                        s.events, scenario.limits.max_events
                    ),
                );
            }
        }
        Some(l) => {
            let (reason, at) = match *l {
                LimitExceeded::MaxEvents { limit, at } => {
                    if s.events != limit {
                        return fail(k, format!("max_events {limit} hit after {} events", s.events));
                    }
                    ("max_events", at)
                }
                LimitExceeded::MaxPending { limit, at } => {
                    if limit != scenario.limits.max_pending {
                        return fail(k, format!("max_pending {limit} ≠ the scenario's"));
                    }
                    ("max_pending", at)
                }
            };
            if stop.reason != reason || stop.at_s != at.as_secs_f64() {
                return fail(
                    k,
                    format!("limit {l} but stop says {:?} at {} s", stop.reason, stop.at_s),
                );
            }
            if at > SimTime::ZERO.saturating_add(scenario.duration) {
                return fail(k, format!("limit hit at {at}, after the end of the run"));
            }
        }
    }
    Ok(())
}

/// Walks a JSON value: no `null` (a non-finite number), no negative number.
fn walk_json(v: &serde_json::Value, path: &mut String) -> Check {
    match v {
        serde_json::Value::Null => fail(
            FailureKind::NonFinite,
            format!("summary.json: {path} is null (NaN or infinity)"),
        ),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => Ok(()),
            _ => fail(FailureKind::NonFinite, format!("summary.json: {path} = {n}")),
        },
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_json(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk_json(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// No NaN or infinity in any output: summary (as `summary.json` writes it), time series (NaN
/// only in latency quantile columns, where it means "no value"), event log.
fn check_finite(report: &Report) -> Check {
    let json = serde_json::to_value(&report.summary)
        .map_err(|e| Failure::new(FailureKind::NonFinite, format!("summary does not serialise: {e}")))?;
    walk_json(&json, &mut String::new())?;
    let series = &report.series;
    if !series.bucket_s.is_finite() || series.bucket_s <= 0.0 {
        return fail(
            FailureKind::NonFinite,
            format!("bucket width {}", series.bucket_s),
        );
    }
    for c in &series.columns {
        let nan_ok = c.name.ends_with(".latency_p50_ms") || c.name.ends_with(".latency_p99_ms");
        match &c.values {
            Values::Num(v) => {
                if v.len() != series.buckets {
                    return fail(
                        FailureKind::Counts,
                        format!(
                            "column {} has {} values for {} buckets",
                            c.name,
                            v.len(),
                            series.buckets
                        ),
                    );
                }
                for (b, &x) in v.iter().enumerate() {
                    let bad = if x.is_nan() {
                        !nan_ok
                    } else {
                        !x.is_finite() || x < 0.0
                    };
                    if bad {
                        return fail(
                            FailureKind::NonFinite,
                            format!("timeseries {} bucket {b}: {x}", c.name),
                        );
                    }
                }
            }
            Values::Text(v) => {
                if v.len() != series.buckets {
                    return fail(
                        FailureKind::Counts,
                        format!(
                            "column {} has {} values for {} buckets",
                            c.name,
                            v.len(),
                            series.buckets
                        ),
                    );
                }
            }
        }
    }
    for (i, e) in report.log.iter().enumerate() {
        if !e.t.is_finite() || e.t < 0.0 {
            return fail(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: t = {}", i + 1, e.t),
            );
        }
        if let LogKind::RestartScheduled { backoff_s, .. } = &e.kind
            && (!backoff_s.is_finite() || *backoff_s < 0.0)
        {
            return fail(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: backoff_s = {backoff_s}", i + 1),
            );
        }
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

/// Every client request ends exactly once: requests = ok + degraded + failed + in flight, and
/// the client's edge saw the same calls and outcomes (its deferred work aside).
fn check_clients(scenario: &Scenario, s: &Summary) -> Check {
    let k = FailureKind::Conservation;
    if s.clients.len() != scenario.clients.len() {
        return fail(
            k,
            format!(
                "{} clients in the summary, {} in the scenario",
                s.clients.len(),
                scenario.clients.len()
            ),
        );
    }
    for (cfg, c) in scenario.clients.iter().zip(&s.clients) {
        let finished = c.ok + c.degraded + c.failed;
        if c.in_flight > c.requests || finished + c.in_flight != c.requests {
            return fail(
                k,
                format!(
                    "client {}: {} requests ≠ {} ok + {} degraded + {} failed + {} in flight",
                    c.name, c.requests, c.ok, c.degraded, c.failed, c.in_flight
                ),
            );
        }
        if failed_by_total(&c.failed_by) != c.failed {
            return fail(
                k,
                format!(
                    "client {}: failed_by sums to {}, failed is {}",
                    c.name,
                    failed_by_total(&c.failed_by),
                    c.failed
                ),
            );
        }
        if c.latency_ms.count != finished || c.latency_ok_ms.count != c.ok {
            return fail(
                k,
                format!(
                    "client {}: latency counts {} / {} for {finished} finished / {} ok",
                    c.name, c.latency_ms.count, c.latency_ok_ms.count, c.ok
                ),
            );
        }
        check_latency(&format!("client {}", c.name), &c.latency_ms)?;
        check_latency(&format!("client {} ok", c.name), &c.latency_ok_ms)?;
        // The client's edge carries its requests, plus deferred work if its policy defers.
        let edge = &s.edges[cfg.edge.idx()];
        let policy = &scenario.policies[scenario.edges[cfg.edge.idx()].policy.idx()];
        if !matches!(policy.fallback, Fallback::Defer { .. })
            && (edge.calls != c.requests
                || edge.ok != c.ok
                || edge.degraded != c.degraded
                || edge.failed != c.failed)
        {
            return fail(
                k,
                format!(
                    "client {}: {} requests ({} ok, {} degraded, {} failed) but its edge {} has {} calls ({} ok, {} degraded, {} failed)",
                    c.name,
                    c.requests,
                    c.ok,
                    c.degraded,
                    c.failed,
                    edge.name,
                    edge.calls,
                    edge.ok,
                    edge.degraded,
                    edge.failed
                ),
            );
        }
    }
    Ok(())
}

/// Edge counts agree with each other.
fn check_edges(scenario: &Scenario, s: &Summary) -> Check {
    let k = FailureKind::Counts;
    if s.edges.len() != scenario.edges.len() {
        return fail(
            k,
            format!(
                "{} edges in the summary, {} in the scenario",
                s.edges.len(),
                scenario.edges.len()
            ),
        );
    }
    for (cfg, e) in scenario.edges.iter().zip(&s.edges) {
        let policy = &scenario.policies[cfg.policy.idx()];
        let name = &e.name;
        let ended = e.ok + e.degraded + e.failed;
        // Each call ends at most once (calls of a dead container end silently).
        if ended > e.calls {
            return fail(
                k,
                format!("edge {name}: {ended} calls ended but {} started", e.calls),
            );
        }
        if e.call_latency_ms.count != ended {
            return fail(
                k,
                format!(
                    "edge {name}: call latency count {} for {ended} ended calls",
                    e.call_latency_ms.count
                ),
            );
        }
        check_latency(&format!("edge {name}"), &e.call_latency_ms)?;
        if failed_by_total(&e.failed_by) != e.failed {
            return fail(
                k,
                format!(
                    "edge {name}: failed_by sums to {} for {} failed",
                    failed_by_total(&e.failed_by),
                    e.failed
                ),
            );
        }
        if e.deadline_exceeded != e.failed_by.0.get("deadline_exceeded").copied().unwrap_or(0) {
            return fail(
                k,
                format!("edge {name}: deadline_exceeded disagrees with failed_by"),
            );
        }
        // Every failed attempt was an attempt (refusals by breaker or bulkhead are not attempts).
        let attempt_failures = failed_by_total(&e.attempt_failures_by);
        if attempt_failures > e.attempts {
            return fail(
                k,
                format!(
                    "edge {name}: {attempt_failures} attempt failures for {} attempts",
                    e.attempts
                ),
            );
        }
        // Each try (a call's first, or a retry) is at most one of: an attempt, a breaker refusal,
        // a bulkhead refusal.
        let tries = e.attempts + e.breaker_rejections + e.bulkhead_rejections;
        if tries > e.calls + e.retries {
            return fail(
                k,
                format!(
                    "edge {name}: {} attempts + {} breaker + {} bulkhead refusals > {} calls + {} retries",
                    e.attempts, e.breaker_rejections, e.bulkhead_rejections, e.calls, e.retries
                ),
            );
        }
        // In the lesson's order a retry is always an attempt.
        if policy.order == PolicyOrder::Lesson && e.retries > e.attempts {
            return fail(
                k,
                format!("edge {name}: {} retries but {} attempts", e.retries, e.attempts),
            );
        }
        let expected_amplification = if e.calls > 0 {
            e.attempts as f64 / e.calls as f64
        } else {
            0.0
        };
        if e.amplification != expected_amplification {
            return fail(
                k,
                format!(
                    "edge {name}: amplification {} ≠ attempts / calls",
                    e.amplification
                ),
            );
        }
        // Degraded answers come from the fallback: degrade, or defer (queued or dropped).
        if e.degraded != e.fallback_degrade + e.fallback_defer + e.deferred_dropped {
            return fail(
                k,
                format!(
                    "edge {name}: {} degraded ≠ {} degrade + {} defer + {} dropped",
                    e.degraded, e.fallback_degrade, e.fallback_defer, e.deferred_dropped
                ),
            );
        }
        if e.fallback_defer != e.deferred_done + e.deferred_pending {
            return fail(
                k,
                format!(
                    "edge {name}: {} deferred ≠ {} done + {} pending",
                    e.fallback_defer, e.deferred_done, e.deferred_pending
                ),
            );
        }
        match policy.fallback {
            Fallback::Defer { capacity, .. } => {
                if e.deferred_pending > u64::from(capacity) {
                    return fail(
                        k,
                        format!(
                            "edge {name}: {} deferred pending over capacity {capacity}",
                            e.deferred_pending
                        ),
                    );
                }
            }
            Fallback::Degrade => {
                if e.fallback_defer + e.deferred_dropped > 0 {
                    return fail(k, format!("edge {name}: deferred work under a degrade fallback"));
                }
            }
            Fallback::Fail => {
                if e.degraded > 0 {
                    return fail(
                        k,
                        format!("edge {name}: {} degraded under a fail fallback", e.degraded),
                    );
                }
            }
        }
        if policy.retry.is_none() && (e.retries > 0 || e.budget_rejections > 0) {
            return fail(
                k,
                format!("edge {name}: {} retries without a retry policy", e.retries),
            );
        }
        if policy.retry.as_ref().is_none_or(|r| r.budget.is_none()) && e.budget_rejections > 0 {
            return fail(k, format!("edge {name}: budget rejections without a budget"));
        }
        if policy.breaker.is_none() && (e.breaker_rejections > 0 || e.breaker_transitions > 0) {
            return fail(k, format!("edge {name}: breaker activity without a breaker"));
        }
        if policy.bulkhead.is_none() && e.bulkhead_rejections > 0 {
            return fail(k, format!("edge {name}: bulkhead rejections without a bulkhead"));
        }
    }
    Ok(())
}

/// Service and pod counts agree with each other and with the edges into the service.
fn check_services(scenario: &Scenario, s: &Summary) -> Check {
    let k = FailureKind::Counts;
    if s.services.len() != scenario.services.len() {
        return fail(k, format!("{} services in the summary", s.services.len()));
    }
    for (i, (cfg, svc)) in scenario.services.iter().zip(&s.services).enumerate() {
        let name = &svc.name;
        if svc.replicas != cfg.replicas || svc.slots != cfg.slots || svc.pods.len() != cfg.replicas as usize {
            return fail(
                k,
                format!("service {name}: replicas/slots/pods disagree with the scenario"),
            );
        }
        let ended = svc.completed_ok + svc.completed_error + svc.rejected + svc.dropped_deadline + svc.lost;
        if ended > svc.arrivals {
            return fail(
                k,
                format!(
                    "service {name}: {} arrivals < {} ok + {} error + {} rejected + {} dropped + {} lost",
                    svc.arrivals,
                    svc.completed_ok,
                    svc.completed_error,
                    svc.rejected,
                    svc.dropped_deadline,
                    svc.lost
                ),
            );
        }
        // Every arrival is an attempt delivered by one of the edges into the service.
        let attempts: u64 = scenario
            .edges
            .iter()
            .zip(&s.edges)
            .filter(|(e, _)| e.callee.idx() == i)
            .map(|(_, e)| e.attempts)
            .sum();
        if svc.arrivals > attempts {
            return fail(
                k,
                format!(
                    "service {name}: {} arrivals but {attempts} attempts towards it",
                    svc.arrivals
                ),
            );
        }
        let pod_arrivals: u64 = svc.pods.iter().map(|p| p.arrivals).sum();
        let pod_restarts: u32 = svc.pods.iter().map(|p| p.restarts).sum();
        if pod_arrivals != svc.arrivals || pod_restarts != svc.restarts {
            return fail(
                k,
                format!("service {name}: pod totals disagree with the service's"),
            );
        }
        if svc.queue_wait_ms.count > svc.arrivals || svc.service_time_ms.count > svc.arrivals {
            return fail(
                k,
                format!("service {name}: more waits or service times than arrivals"),
            );
        }
        check_latency(&format!("service {name} queue wait"), &svc.queue_wait_ms)?;
        check_latency(&format!("service {name} service time"), &svc.service_time_ms)?;
        if !(0.0..=1.0).contains(&svc.waited_fraction) {
            return fail(
                k,
                format!("service {name}: waited_fraction {}", svc.waited_fraction),
            );
        }
        // Busy slots are slots of running processes: never more than the capacity up.
        if svc.utilisation > 1.0 + 1e-9 {
            return fail(
                k,
                format!(
                    "service {name}: utilisation {} above 1 (mean busy {})",
                    svc.utilisation, svc.mean_in_flight
                ),
            );
        }
        let slots = f64::from(cfg.replicas) * f64::from(cfg.slots);
        let queue = f64::from(cfg.replicas) * f64::from(cfg.queue.capacity);
        if svc.mean_in_flight > slots * (1.0 + 1e-9) || svc.mean_queued > queue * (1.0 + 1e-9) {
            return fail(
                k,
                format!(
                    "service {name}: mean in flight {} (of {slots} slots) or queued {} (of {queue})",
                    svc.mean_in_flight, svc.mean_queued
                ),
            );
        }
        for p in &svc.pods {
            if !(0.0..=1.0).contains(&p.ready_fraction) || p.time_ready_s > s.duration_s * (1.0 + 1e-9) {
                return fail(
                    k,
                    format!(
                        "pod {}: ready {} s, fraction {}",
                        p.name, p.time_ready_s, p.ready_fraction
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The time series agree with the totals (for complete runs: a run stopped by a limit may have
/// handled events at its last instant, past its last bucket) and gauges stay within capacity.
fn check_series(scenario: &Scenario, report: &Report) -> Check {
    let k = FailureKind::Counts;
    let s = &report.summary;
    let series = &report.series;
    // Column `name`, its `nth` occurrence: edges between the same caller and callee with
    // different policies have the same name.
    let column = |name: &str, nth: usize| -> Result<&[f64], Failure> {
        series
            .columns
            .iter()
            .filter(|c| c.name == name)
            .nth(nth)
            .and_then(|c| match &c.values {
                Values::Num(v) => Some(v.as_slice()),
                Values::Text(_) => None,
            })
            .ok_or_else(|| Failure::new(k, format!("timeseries: no numeric column {name} (#{nth})")))
    };
    let expect_sum = |name: String, nth: usize, total: u64| -> Check {
        let got: f64 = column(&name, nth)?.iter().sum();
        if got != total as f64 {
            return fail(
                k,
                format!("timeseries {name} sums to {got}, the total is {total}"),
            );
        }
        Ok(())
    };
    let expect_at_most = |name: String, nth: usize, bound: f64| -> Check {
        let got = column(&name, nth)?.iter().copied().fold(0.0, f64::max);
        if got > bound * (1.0 + 1e-9) + 1e-9 {
            return fail(
                k,
                format!("timeseries {name} reaches {got}, above its bound {bound}"),
            );
        }
        Ok(())
    };
    let complete = !s.stop.partial;
    for c in &s.clients {
        let p = format!("client.{}", c.name);
        if complete {
            expect_sum(format!("{p}.started"), 0, c.requests)?;
            expect_sum(format!("{p}.ok"), 0, c.ok)?;
            expect_sum(format!("{p}.degraded"), 0, c.degraded)?;
            for (reason, &n) in &c.failed_by.0 {
                expect_sum(format!("{p}.failed.{reason}"), 0, n)?;
            }
        }
    }
    for (cfg, svc) in scenario.services.iter().zip(&s.services) {
        let p = format!("service.{}", svc.name);
        if complete {
            expect_sum(format!("{p}.arrivals"), 0, svc.arrivals)?;
            expect_sum(format!("{p}.rejected"), 0, svc.rejected)?;
        }
        let replicas = f64::from(cfg.replicas);
        let slots = replicas * f64::from(cfg.slots);
        expect_at_most(format!("{p}.busy_max"), 0, slots)?;
        expect_at_most(format!("{p}.busy_mean"), 0, slots)?;
        expect_at_most(
            format!("{p}.queued_max"),
            0,
            replicas * f64::from(cfg.queue.capacity),
        )?;
        expect_at_most(format!("{p}.capacity"), 0, slots)?;
        expect_at_most(format!("{p}.ready_pods"), 0, replicas)?;
    }
    for (i, (cfg, e)) in scenario.edges.iter().zip(&s.edges).enumerate() {
        let p = format!("edge.{}", e.name);
        let nth = s.edges[..i].iter().filter(|x| x.name == e.name).count();
        if complete {
            expect_sum(format!("{p}.calls"), nth, e.calls)?;
            expect_sum(format!("{p}.attempts"), nth, e.attempts)?;
            expect_sum(format!("{p}.retries"), nth, e.retries)?;
            expect_sum(format!("{p}.failed"), nth, e.failed)?;
        }
        let sites = match cfg.caller {
            Caller::Client(_) => 1.0,
            Caller::Service(svc) => f64::from(scenario.services[svc.idx()].replicas),
        };
        let policy = &scenario.policies[cfg.policy.idx()];
        expect_at_most(format!("{p}.breakers_open"), nth, sites)?;
        expect_at_most(format!("{p}.breakers_half_open"), nth, sites)?;
        let permits = policy
            .bulkhead
            .as_ref()
            .map_or(0.0, |b| f64::from(b.max_concurrent));
        expect_at_most(format!("{p}.bulkhead_in_use"), nth, sites * permits)?;
        let deferred = match policy.fallback {
            Fallback::Defer { capacity, .. } => f64::from(capacity),
            _ => 0.0,
        };
        expect_at_most(format!("{p}.deferred_pending"), nth, deferred)?;
    }
    Ok(())
}

/// Nanoseconds of a log time (seconds as `f64`, exact for runs shorter than about 100 days).
fn nanos(secs: f64) -> u64 {
    (secs * 1e9).round() as u64
}

/// Per-pod state rebuilt from the log.
#[derive(Clone, Debug)]
struct PodTrack {
    service: usize,
    replica: u32,
    backoff: CrashLoopBackOff,
    started_at: SimTime,
    /// A restart scheduled at (time, delay) and not yet done.
    pending: Option<(u64, u64)>,
    restarts: u32,
    kills: u32,
    last_kill: Option<KillReason>,
    /// The last failed result of each probe: (time ns, consecutive, threshold).
    last_probe_failure: BTreeMap<&'static str, (u64, u32, u32)>,
}

/// Times (ns) at which a fault lets a pod's container start again: the end of a crash, the end
/// of a restart, the re-creation after a reschedule. And the open intervals during which the
/// fault holds it down.
fn fault_windows(scenario: &Scenario, service: usize, replica: u32) -> Vec<(u64, Option<u64>)> {
    scenario
        .faults
        .iter()
        .filter(|f| f.service.idx() == service && f.pods.is_none_or(|n| replica < n))
        .filter_map(|f| {
            let from = f.from.as_nanos();
            match f.kind {
                FaultKind::Crash { blackhole: false } => Some((from, f.until.map(SimTime::as_nanos))),
                FaultKind::Restart { down_for } | FaultKind::Reschedule { down_for } => {
                    Some((from, Some(f.from.saturating_add(down_for).as_nanos())))
                }
                _ => None,
            }
        })
        .collect()
}

/// The event log: time order, legal breaker transitions that continue from the previous state,
/// CrashLoopBackOff restarts, kills that follow the probe rule, no container running while a
/// fault holds it down, and (when the log is complete) the pods' restart and kill counts.
fn check_log(scenario: &Scenario, report: &Report) -> Check {
    let log: &[LogEntry] = &report.log;
    let s = &report.summary;
    // Pods by name.
    let mut pods: BTreeMap<String, PodTrack> = BTreeMap::new();
    for (i, svc) in scenario.services.iter().enumerate() {
        for r in 0..svc.replicas {
            pods.insert(
                format!("{}-{r}", svc.name),
                PodTrack {
                    service: i,
                    replica: r,
                    backoff: CrashLoopBackOff::new(),
                    started_at: SimTime::ZERO,
                    pending: None,
                    restarts: 0,
                    kills: 0,
                    last_kill: None,
                    last_probe_failure: BTreeMap::new(),
                },
            );
        }
    }
    // Breakers by (edge, owner): last state, and whether the owner's container died since.
    let mut breakers: BTreeMap<(String, String), (BreakerState, bool)> = BTreeMap::new();
    // Two edges between the same caller and callee (with different policies) log their
    // breakers under the same name: their transitions cannot be told apart.
    let mut named_breakers: BTreeMap<&str, usize> = BTreeMap::new();
    for (cfg, e) in scenario.edges.iter().zip(&s.edges) {
        if scenario.policies[cfg.policy.idx()].breaker.is_some() {
            *named_breakers.entry(&e.name).or_default() += 1;
        }
    }
    let mut breaker_logged: BTreeMap<String, u64> = BTreeMap::new();
    let mut last_t = 0.0;
    for (line, entry) in log.iter().enumerate() {
        let line = line + 1;
        if entry.t < last_t {
            return fail(
                FailureKind::Log,
                format!("events.jsonl line {line}: t = {} after {last_t}", entry.t),
            );
        }
        last_t = entry.t;
        let t = nanos(entry.t);
        let at = format!("events.jsonl line {line} (t={} s)", entry.t);
        let track = |pod: &str| -> Result<PodTrack, Failure> {
            pods.get(pod)
                .cloned()
                .ok_or_else(|| Failure::new(FailureKind::Log, format!("{at}: unknown pod {pod}")))
        };
        let lk = FailureKind::Lifecycle;
        match &entry.kind {
            LogKind::Breaker {
                edge,
                owner,
                from,
                to,
                ..
            } => {
                if !is_legal(*from, *to) {
                    return fail(
                        FailureKind::Breaker,
                        format!(
                            "{at}: breaker {edge} of {owner} moved {} → {}",
                            from.name(),
                            to.name()
                        ),
                    );
                }
                *breaker_logged.entry(edge.clone()).or_default() += 1;
                if named_breakers.get(edge.as_str()).copied().unwrap_or(0) > 1 {
                    continue;
                }
                let (state, reset) = breakers
                    .get(&(edge.clone(), owner.clone()))
                    .copied()
                    .unwrap_or((BreakerState::Closed, false));
                // A dead container's breaker is replaced by a closed one (not logged).
                let continues = *from == state || (reset && *from == BreakerState::Closed);
                if !continues {
                    return fail(
                        FailureKind::Breaker,
                        format!(
                            "{at}: breaker {edge} of {owner} moved from {} but was {}",
                            from.name(),
                            state.name()
                        ),
                    );
                }
                let still_reset = reset && *from == state;
                breakers.insert((edge.clone(), owner.clone()), (*to, still_reset));
            }
            LogKind::Killed { pod, reason, .. } => {
                let mut p = track(pod)?;
                p.kills += 1;
                p.last_kill = Some(*reason);
                let probe = match reason {
                    KillReason::Liveness => Some("liveness"),
                    KillReason::Startup => Some("startup"),
                    KillReason::Fault => None,
                };
                if let Some(probe) = probe {
                    // Killed by a probe: its failure threshold was reached at this very moment.
                    match p.last_probe_failure.get(probe) {
                        Some(&(pt, consecutive, threshold)) if pt == t && consecutive >= threshold => {}
                        other => {
                            return fail(
                                lk,
                                format!(
                                    "{at}: {pod} killed by {probe} without reaching its failure threshold (last failure {other:?})"
                                ),
                            );
                        }
                    }
                }
                for ((_, owner), (_, reset)) in breakers.iter_mut() {
                    if owner == pod {
                        *reset = true;
                    }
                }
                pods.insert(pod.clone(), p);
            }
            LogKind::ProbeFailed {
                pod,
                probe,
                consecutive,
                threshold,
                ..
            } => {
                let mut p = track(pod)?;
                let lifecycle = &scenario.services[p.service].lifecycle;
                let configured = match *probe {
                    "liveness" => lifecycle.liveness.as_ref(),
                    "readiness" => lifecycle.readiness.as_ref(),
                    _ => lifecycle.startup_probe.as_ref(),
                }
                .map(|c| c.failure_threshold);
                if configured != Some(*threshold) || *consecutive == 0 {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} {probe} probe failed {consecutive}/{threshold}, configured {configured:?}"
                        ),
                    );
                }
                p.last_probe_failure.insert(probe, (t, *consecutive, *threshold));
                pods.insert(pod.clone(), p);
            }
            LogKind::RestartScheduled {
                pod,
                backoff_s,
                restarts,
            } => {
                let mut p = track(pod)?;
                if p.last_kill == Some(KillReason::Fault) {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} scheduled a restart after a kill by a fault (the fault's end restarts it)"
                        ),
                    );
                }
                if let Some((ts, b)) = p.pending {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} scheduled a restart while the one due at {} s has not happened",
                            (ts + b) as f64 / 1e9
                        ),
                    );
                }
                let expected = p.backoff.on_exit(p.started_at, SimTime::from_nanos(t));
                let got = nanos(*backoff_s);
                if got != expected.as_nanos() {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} restart back-off {backoff_s} s, CrashLoopBackOff says {expected} (container started at {})",
                            p.started_at
                        ),
                    );
                }
                p.restarts += 1;
                if *restarts != p.restarts {
                    return fail(
                        lk,
                        format!("{at}: {pod} restart number {restarts}, expected {}", p.restarts),
                    );
                }
                p.pending = Some((t, got));
                p.last_kill = None;
                pods.insert(pod.clone(), p);
            }
            LogKind::ContainerStarted { pod } => {
                let mut p = track(pod)?;
                let windows = fault_windows(scenario, p.service, p.replica);
                if let Some(&(from, until)) = windows
                    .iter()
                    .find(|&&(from, until)| from < t && until.is_none_or(|u| t < u))
                {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} container started while a fault holds it down (from {} s until {})",
                            from as f64 / 1e9,
                            until.map_or("the end".to_string(), |u| format!("{} s", u as f64 / 1e9))
                        ),
                    );
                }
                let released = windows.iter().any(|&(_, until)| until == Some(t));
                let due = p.pending.map(|(ts, b)| ts + b);
                let on_time = match due {
                    Some(due) => t == due || released,
                    None => t == 0 || released,
                };
                if !on_time {
                    return fail(
                        lk,
                        format!(
                            "{at}: {pod} container started, but {}",
                            match due {
                                Some(d) => format!("its restart was due at {} s", d as f64 / 1e9),
                                None => "no restart was due and no fault released it".to_string(),
                            }
                        ),
                    );
                }
                p.pending = None;
                p.started_at = SimTime::from_nanos(t);
                p.last_kill = None;
                pods.insert(pod.clone(), p);
            }
            LogKind::PodDeleted { pod } => {
                let mut p = track(pod)?;
                p.backoff = CrashLoopBackOff::new();
                p.pending = None;
                pods.insert(pod.clone(), p);
            }
            _ => {}
        }
    }
    // With the whole log kept, the pods' totals are the log's.
    if s.log_dropped == 0 {
        for svc in &s.services {
            for pod in &svc.pods {
                let Some(p) = pods.get(&pod.name) else {
                    return fail(
                        FailureKind::Counts,
                        format!("pod {} is not in the scenario", pod.name),
                    );
                };
                if p.restarts != pod.restarts || p.kills != pod.kills {
                    return fail(
                        FailureKind::Counts,
                        format!(
                            "pod {}: {} restarts and {} kills, the log has {} and {}",
                            pod.name, pod.restarts, pod.kills, p.restarts, p.kills
                        ),
                    );
                }
            }
        }
        // Edges between the same caller and callee (with different policies) share a name.
        let mut counted: BTreeMap<&str, u64> = BTreeMap::new();
        for e in &s.edges {
            *counted.entry(&e.name).or_default() += e.breaker_transitions;
        }
        for (name, transitions) in counted {
            let logged = breaker_logged.get(name).copied().unwrap_or(0);
            if transitions < logged {
                return fail(
                    FailureKind::Counts,
                    format!("edge {name}: {transitions} breaker transitions, {logged} logged"),
                );
            }
        }
    }
    Ok(())
}
