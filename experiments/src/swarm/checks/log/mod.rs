//! The event log: time order, legal breaker transitions that continue from the previous state,
//! and (when the log is complete) the pods' restart and kill counts and the edges' breaker
//! transitions. `lifecycle` follows each pod through the log, `ticks` its probe workers.

mod lifecycle;
mod ticks;

use std::collections::BTreeMap;

use models::config::Scenario;
use models::k8s::CrashLoopBackOff;
use models::log::{KillReason, LogEntry, LogKind};
use models::policy::breaker::{BreakerState, is_legal};
use models::report::{Report, Summary};
use sim_core::time::SimTime;

use super::{Check, Failure, FailureKind, fail};

/// Nanoseconds of a log time (seconds as `f64`, exact for runs shorter than about 100 days).
fn nanos(secs: f64) -> u64 {
    (secs * 1e9).round() as u64
}

/// Per-pod state rebuilt from the log.
#[derive(Debug)]
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
    /// The container is a warm pod's, started before the run (past its initial delays).
    warm: bool,
    /// Each probe worker's ticks, modulo its period (ns), when known.
    tick_residue: BTreeMap<&'static str, u64>,
}

/// What the walk through the log has rebuilt so far.
struct LogWalk<'a> {
    scenario: &'a Scenario,
    /// Pods by name.
    pods: BTreeMap<String, PodTrack>,
    /// Breakers by (edge, owner): last state, and whether the owner's container died since.
    breakers: BTreeMap<(String, String), (BreakerState, bool)>,
    /// Two edges between the same caller and callee (with different policies) log their
    /// breakers under the same name: their transitions cannot be told apart.
    named_breakers: BTreeMap<&'a str, usize>,
    /// Breaker transitions logged, by edge name.
    breaker_logged: BTreeMap<String, u64>,
}

/// The event log: time order, legal breaker transitions that continue from the previous state,
/// CrashLoopBackOff restarts, kills that follow the probe rule, no container running while a
/// fault holds it down, and (when the log is complete) the pods' restart and kill counts.
pub(super) fn check_log(scenario: &Scenario, report: &Report) -> Check {
    let log: &[LogEntry] = &report.log;
    let s = &report.summary;
    let mut walk = LogWalk::new(scenario, s);
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
        walk.entry(line, entry)?;
    }
    // With the whole log kept, the pods' totals are the log's.
    if s.log_dropped == 0 {
        walk.check_totals(s)?;
    }
    Ok(())
}

impl<'a> LogWalk<'a> {
    /// Every pod of the scenario, fresh, and no breaker transition yet.
    fn new(scenario: &'a Scenario, s: &'a Summary) -> LogWalk<'a> {
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
                        warm: svc.lifecycle.warm_start,
                        // A cold pod's workers start with it, at time 0.
                        tick_residue: if svc.lifecycle.warm_start {
                            BTreeMap::new()
                        } else {
                            ["liveness", "readiness", "startup"].map(|p| (p, 0)).into()
                        },
                    },
                );
            }
        }
        let mut named_breakers: BTreeMap<&str, usize> = BTreeMap::new();
        for (cfg, e) in scenario.edges.iter().zip(&s.edges) {
            if scenario.policies[cfg.policy.idx()].breaker.is_some() {
                *named_breakers.entry(&e.name).or_default() += 1;
            }
        }
        LogWalk {
            scenario,
            pods,
            breakers: BTreeMap::new(),
            named_breakers,
            breaker_logged: BTreeMap::new(),
        }
    }

    /// The log entry at line `line` (from 1).
    fn entry(&mut self, line: usize, entry: &LogEntry) -> Check {
        let t = nanos(entry.t);
        let at = format!("events.jsonl line {line} (t={} s)", entry.t);
        match &entry.kind {
            LogKind::Breaker {
                edge,
                owner,
                from,
                to,
                ..
            } => self.breaker(&at, edge, owner, *from, *to),
            LogKind::Killed { pod, reason, .. } => self.killed(&at, t, pod, *reason),
            LogKind::ProbeFailed {
                pod,
                probe,
                consecutive,
                threshold,
                cause,
            } => {
                self.probe_failed(&at, t, pod, probe, *consecutive, *threshold)?;
                self.on_ticker(&at, t, pod, probe, cause)
            }
            LogKind::RestartScheduled {
                pod,
                backoff_s,
                restarts,
            } => self.restart_scheduled(&at, t, pod, *backoff_s, *restarts),
            LogKind::ContainerStarted { pod } => self.container_started(&at, t, pod),
            LogKind::PodDeleted { pod } => self.pod_deleted(&at, pod),
            _ => Ok(()),
        }
    }

    /// A breaker transition: legal, and (if its edge's name is its own) from the state the
    /// breaker was in.
    fn breaker(&mut self, at: &str, edge: &str, owner: &str, from: BreakerState, to: BreakerState) -> Check {
        if !is_legal(from, to) {
            return fail(
                FailureKind::Breaker,
                format!(
                    "{at}: breaker {edge} of {owner} moved {} → {}",
                    from.name(),
                    to.name()
                ),
            );
        }
        *self.breaker_logged.entry(edge.to_string()).or_default() += 1;
        if self.named_breakers.get(edge).copied().unwrap_or(0) > 1 {
            return Ok(());
        }
        let (state, reset) = self
            .breakers
            .get(&(edge.to_string(), owner.to_string()))
            .copied()
            .unwrap_or((BreakerState::Closed, false));
        // A dead container's breaker is replaced by a closed one (not logged).
        let continues = from == state || (reset && from == BreakerState::Closed);
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
        let still_reset = reset && from == state;
        self.breakers
            .insert((edge.to_string(), owner.to_string()), (to, still_reset));
        Ok(())
    }

    /// The pods' restarts and kills, and the edges' breaker transitions, agree with a complete
    /// log.
    fn check_totals(&self, s: &Summary) -> Check {
        for svc in &s.services {
            for pod in &svc.pods {
                let Some(p) = self.pods.get(&pod.name) else {
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
            let logged = self.breaker_logged.get(name).copied().unwrap_or(0);
            if transitions < logged {
                return fail(
                    FailureKind::Counts,
                    format!("edge {name}: {transitions} breaker transitions, {logged} logged"),
                );
            }
        }
        Ok(())
    }
}

/// The pod's state so far, to update in place (a function of the map alone, so that the other
/// fields of the walk stay usable while it is borrowed).
fn track<'m>(
    pods: &'m mut BTreeMap<String, PodTrack>,
    at: &str,
    pod: &str,
) -> Result<&'m mut PodTrack, Failure> {
    pods.get_mut(pod)
        .ok_or_else(|| Failure::new(FailureKind::Log, format!("{at}: unknown pod {pod}")))
}
