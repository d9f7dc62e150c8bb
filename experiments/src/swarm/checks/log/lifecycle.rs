//! Each pod through the log: kills that follow the probe rule, probe failures against their
//! configured threshold, CrashLoopBackOff restarts, no container started while a fault holds
//! it down.

use models::config::{FaultKind, Scenario};
use models::k8s::CrashLoopBackOff;
use models::log::KillReason;
use sim_core::time::SimTime;

use super::super::{Check, FailureKind, fail};
use super::{LogWalk, nanos, track};

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

impl LogWalk<'_> {
    /// A container killed: by a probe only when its failure threshold was just reached. Its
    /// breakers are replaced.
    pub(super) fn killed(&mut self, at: &str, t: u64, pod: &str, reason: KillReason) -> Check {
        let lk = FailureKind::Lifecycle;
        let p = track(&mut self.pods, at, pod)?;
        p.kills += 1;
        p.last_kill = Some(reason);
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
        for ((_, owner), (_, reset)) in self.breakers.iter_mut() {
            if owner == pod {
                *reset = true;
            }
        }
        Ok(())
    }

    /// A probe failure, with the probe's configured threshold.
    pub(super) fn probe_failed(
        &mut self,
        at: &str,
        t: u64,
        pod: &str,
        probe: &'static str,
        consecutive: u32,
        threshold: u32,
    ) -> Check {
        let lk = FailureKind::Lifecycle;
        let p = track(&mut self.pods, at, pod)?;
        let lifecycle = &self.scenario.services[p.service].lifecycle;
        let configured = match probe {
            "liveness" => lifecycle.liveness.as_ref(),
            "readiness" => lifecycle.readiness.as_ref(),
            _ => lifecycle.startup_probe.as_ref(),
        }
        .map(|c| c.failure_threshold);
        if configured != Some(threshold) || consecutive == 0 {
            return fail(
                lk,
                format!(
                    "{at}: {pod} {probe} probe failed {consecutive}/{threshold}, configured {configured:?}"
                ),
            );
        }
        p.last_probe_failure.insert(probe, (t, consecutive, threshold));
        Ok(())
    }

    /// A restart scheduled: not after a fault's kill, not while one is pending, with
    /// CrashLoopBackOff's delay and the next restart number.
    pub(super) fn restart_scheduled(
        &mut self,
        at: &str,
        t: u64,
        pod: &str,
        backoff_s: f64,
        restarts: u32,
    ) -> Check {
        let lk = FailureKind::Lifecycle;
        let p = track(&mut self.pods, at, pod)?;
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
        let got = nanos(backoff_s);
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
        if restarts != p.restarts {
            return fail(
                lk,
                format!("{at}: {pod} restart number {restarts}, expected {}", p.restarts),
            );
        }
        p.pending = Some((t, got));
        p.last_kill = None;
        Ok(())
    }

    /// A container started: not while a fault holds it down, and when its restart was due or
    /// a fault released it (or at the start).
    pub(super) fn container_started(&mut self, at: &str, t: u64, pod: &str) -> Check {
        let lk = FailureKind::Lifecycle;
        let p = track(&mut self.pods, at, pod)?;
        let windows = fault_windows(self.scenario, p.service, p.replica);
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
        p.warm = false;
        p.last_kill = None;
        Ok(())
    }

    /// A pod deleted: its replacement starts with a fresh back-off, nothing pending, and new
    /// probe workers (their phase from its re-creation, which the log does not give).
    pub(super) fn pod_deleted(&mut self, at: &str, pod: &str) -> Check {
        let p = track(&mut self.pods, at, pod)?;
        p.backoff = CrashLoopBackOff::new();
        p.pending = None;
        p.tick_residue.clear();
        Ok(())
    }
}
