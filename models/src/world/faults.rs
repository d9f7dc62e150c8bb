//! The fault schedule: what each fault does when it starts and ends, and how active faults
//! change work times, error responses and capacity.

use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{Event, PodPhase, World};
use crate::config::{FaultConfig, FaultKind};
use crate::ids::{FaultIdx, PodIdx};
use crate::log::{KillReason, LogKind};
use crate::metrics::PodState;

/// Plain words for a fault, for the log and the narrated timeline.
pub fn describe(fault: &FaultConfig) -> String {
    let pods = fault.pods.map_or(String::new(), |n| {
        format!(" ({n} {})", if n == 1 { "pod" } else { "pods" })
    });
    let what = match &fault.kind {
        FaultKind::Slow { latency: Some(l), .. } => format!("slow: every request takes {l}"),
        FaultKind::Slow {
            latency: None,
            multiplier,
        } => format!("slow: work ×{multiplier}"),
        FaultKind::Errors { rate, .. } => format!("errors: {:.0}% of requests fail", rate * 100.0),
        FaultKind::Crash { blackhole: false } => "crash: connections refused".to_string(),
        FaultKind::Crash { blackhole: true } => "black hole: packets dropped".to_string(),
        FaultKind::CapacityCut { slots, multiplier } => match slots {
            Some(s) => format!("capacity cut to {s} slots, work ×{multiplier}"),
            None => format!("capacity cut: work ×{multiplier}"),
        },
        FaultKind::Leak { growth } => format!("leak: work grows by {:.0} ms per second", growth * 1000.0),
        FaultKind::Restart { down_for } => format!("restart: down for {down_for}"),
        FaultKind::Reschedule { down_for } => format!("reschedule: pods deleted, recreated after {down_for}"),
    };
    format!("{what}{pods}")
}

impl World {
    fn fault_pods(&self, fault: &FaultConfig) -> impl Iterator<Item = PodIdx> + use<> {
        let svc = &self.services[fault.service.idx()];
        let replicas = self.cfg.services[fault.service.idx()].replicas;
        let n = fault.pods.unwrap_or(replicas).min(replicas);
        (svc.first_pod..svc.first_pod + n).map(PodIdx)
    }

    fn affects(&self, fault: &FaultConfig, pod: PodIdx) -> bool {
        let replicas = self.cfg.services[fault.service.idx()].replicas;
        self.pods[pod.idx()].replica < fault.pods.unwrap_or(replicas)
    }

    pub(super) fn on_fault_start(&mut self, f: FaultIdx, sched: &mut Scheduler<Event>) {
        let f = f.0;
        let now = sched.now();
        let fault = self.cfg.faults[f as usize].clone();
        self.faults[f as usize].active = true;
        self.services[fault.service.idx()].active_faults.push(f);
        let service_name = self.cfg.services[fault.service.idx()].name.clone();
        self.log.push(
            now,
            LogKind::FaultStart {
                service: service_name,
                fault: describe(&fault),
            },
        );
        match fault.kind {
            FaultKind::Crash { blackhole: true } => {
                for pod in self.fault_pods(&fault) {
                    self.pods[pod.idx()].blackholed = true;
                }
            }
            FaultKind::Crash { blackhole: false } | FaultKind::Restart { .. } => {
                for pod in self.fault_pods(&fault) {
                    self.fault_kill(pod, sched);
                }
            }
            FaultKind::CapacityCut { .. } => {
                for pod in self.fault_pods(&fault) {
                    self.update_slots(pod, now);
                }
            }
            FaultKind::Reschedule { down_for } => {
                for pod in self.fault_pods(&fault) {
                    self.fault_kill(pod, sched);
                    let p = &mut self.pods[pod.idx()];
                    p.phase = super::PodPhase::Gone;
                    p.address += 1;
                    // Overlapping reschedules: the pod is recreated after the longest downtime.
                    p.gone_until = p.gone_until.max(now.saturating_add(down_for));
                    self.log_with(now, |w| LogKind::PodDeleted { pod: w.pod_name(pod) });
                    sched.schedule_in(down_for, Event::PodRecreated { pod });
                }
            }
            // Act while active: on each step of work (`faulted_work_time`, `server.rs`), and an
            // error fault on each arrival (`error_decision`, `admission.rs`).
            FaultKind::Slow { .. } | FaultKind::Errors { .. } | FaultKind::Leak { .. } => {}
        }
        if let FaultKind::Restart { down_for } = fault.kind {
            sched.schedule_in(down_for, Event::FaultEnd { fault: FaultIdx(f) });
        }
    }

    /// A fault takes a pod's process down until the fault ends.
    fn fault_kill(&mut self, pod: PodIdx, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let p = &mut self.pods[pod.idx()];
        p.crashed = true;
        if matches!(p.phase, PodPhase::Down | PodPhase::Gone) {
            return;
        }
        p.metrics.kills += 1;
        self.set_ready(pod, false, sched);
        self.pods[pod.idx()].metrics.set_state(now, PodState::Down);
        self.container_dead(pod, Some(KillReason::Fault), sched);
    }

    pub(super) fn on_fault_end(&mut self, f: FaultIdx, sched: &mut Scheduler<Event>) {
        let f = f.0;
        let now = sched.now();
        if !self.faults[f as usize].active {
            return;
        }
        let fault = self.cfg.faults[f as usize].clone();
        self.faults[f as usize].active = false;
        self.services[fault.service.idx()]
            .active_faults
            .retain(|&x| x != f);
        let service_name = self.cfg.services[fault.service.idx()].name.clone();
        self.log.push(
            now,
            LogKind::FaultEnd {
                service: service_name,
                fault: describe(&fault),
            },
        );
        match fault.kind {
            // Overlapping faults: a pod comes back only when no other active fault holds it.
            FaultKind::Crash { blackhole: true } => {
                for pod in self.fault_pods(&fault) {
                    let still = self.held_by(pod, |k| matches!(k, FaultKind::Crash { blackhole: true }));
                    self.pods[pod.idx()].blackholed = still;
                }
            }
            FaultKind::Crash { blackhole: false } | FaultKind::Restart { .. } => {
                for pod in self.fault_pods(&fault) {
                    if self.held_by(pod, keeps_process_down) {
                        continue;
                    }
                    let p = &mut self.pods[pod.idx()];
                    if p.crashed && p.phase == PodPhase::Down {
                        p.crashed = false;
                        // A container already waiting out its CrashLoopBackOff keeps waiting;
                        // otherwise it starts now.
                        if p.restart_due.is_none_or(|due| due <= now) {
                            let incarnation = p.incarnation + 1;
                            sched.schedule_at(now, Event::ContainerStart { pod, incarnation });
                        }
                    }
                }
            }
            FaultKind::CapacityCut { .. } => {
                for pod in self.fault_pods(&fault) {
                    self.update_slots(pod, now);
                    self.start_queued(pod, sched);
                }
            }
            // Nothing to undo: they stop acting once inactive; a rescheduled pod comes back
            // through `PodRecreated`.
            FaultKind::Slow { .. }
            | FaultKind::Errors { .. }
            | FaultKind::Leak { .. }
            | FaultKind::Reschedule { .. } => {}
        }
    }

    /// Whether an active fault of a kind matching `kind` affects `pod`.
    fn held_by(&self, pod: PodIdx, kind: impl Fn(&FaultKind) -> bool) -> bool {
        let service = self.pods[pod.idx()].service;
        self.services[service.idx()].active_faults.iter().any(|&f| {
            let fault = &self.cfg.faults[f as usize];
            kind(&fault.kind) && self.affects(fault, pod)
        })
    }

    /// A rescheduled pod's replacement is created with its new address.
    pub(super) fn on_pod_recreated(&mut self, p: PodIdx, sched: &mut Scheduler<Event>) {
        let p = p.0;
        let now = sched.now();
        let pod = &mut self.pods[p as usize];
        if pod.phase != PodPhase::Gone || now < pod.gone_until {
            return; // a later reschedule still holds it
        }
        pod.phase = PodPhase::Down;
        pod.backoff = crate::k8s::CrashLoopBackOff::new();
        // A new pod: new probe workers, ticking from now.
        self.start_probe_workers(PodIdx(p), sched);
        if self.held_by(PodIdx(p), keeps_process_down) {
            return; // recreated, but a crash or restart fault keeps its process down until it ends
        }
        let pod = &mut self.pods[p as usize];
        pod.crashed = false;
        let incarnation = pod.incarnation + 1;
        sched.schedule_at(
            sched.now(),
            Event::ContainerStart {
                pod: PodIdx(p),
                incarnation,
            },
        );
    }

    /// Slots available on a pod now (capacity cuts included).
    #[inline(always)]
    pub(super) fn effective_slots(&self, pod: PodIdx) -> u32 {
        self.pods[pod.idx()].slots
    }

    /// Recomputes a pod's slots under the active capacity cuts; a pod whose slots count in its
    /// service's capacity moves the capacity gauge by the change, so the capacity series
    /// follows the cut.
    fn update_slots(&mut self, pod: PodIdx, now: SimTime) {
        let service = self.pods[pod.idx()].service;
        let mut slots = self.cfg.services[service.idx()].slots;
        for &f in &self.services[service.idx()].active_faults {
            let fault = &self.cfg.faults[f as usize];
            if let FaultKind::CapacityCut { slots: Some(cut), .. } = fault.kind
                && self.affects(fault, pod)
            {
                slots = slots.min(cut);
            }
        }
        let p = &mut self.pods[pod.idx()];
        let old = std::mem::replace(&mut p.slots, slots);
        if p.in_capacity && old != slots {
            self.services[service.idx()]
                .metrics
                .add_capacity(now, i64::from(slots) - i64::from(old));
        }
    }

    /// A work step's duration under the active faults.
    #[inline]
    pub(super) fn faulted_work_time(&mut self, pod: PodIdx, base: SimDuration, now: SimTime) -> SimDuration {
        let service = self.pods[pod.idx()].service;
        if self.services[service.idx()].active_faults.is_empty() {
            return base;
        }
        let mut t = base;
        for &f in &self.services[service.idx()].active_faults {
            let fault = &self.cfg.faults[f as usize];
            if !self.affects(fault, pod) {
                continue;
            }
            t = match fault.kind {
                FaultKind::Slow { latency: Some(l), .. } => l,
                FaultKind::Slow {
                    latency: None,
                    multiplier,
                }
                | FaultKind::CapacityCut { multiplier, .. } => t.mul_f64(multiplier),
                FaultKind::Leak { growth } => {
                    let elapsed = now.saturating_since(fault.from).as_secs_f64();
                    t.saturating_add(SimDuration::from_secs_f64(growth * elapsed))
                }
                FaultKind::Errors { .. }
                | FaultKind::Crash { .. }
                | FaultKind::Restart { .. }
                | FaultKind::Reschedule { .. } => t,
            };
        }
        t
    }

    /// A probe handler's work step under the active capacity cuts. A CPU cut slows every
    /// thread of the process, a dedicated probe port's as much as the request handlers'. The
    /// other faults act on the request path only: `slow` and `leak` model slow request code
    /// (a slow query, work that grows), `errors` the responses to traffic.
    pub(super) fn cpu_cut_work_time(&self, pod: PodIdx, base: SimDuration) -> SimDuration {
        let service = self.pods[pod.idx()].service;
        let mut t = base;
        for &f in &self.services[service.idx()].active_faults {
            let fault = &self.cfg.faults[f as usize];
            if let FaultKind::CapacityCut { multiplier, .. } = fault.kind
                && self.affects(fault, pod)
            {
                t = t.mul_f64(multiplier);
            }
        }
        t
    }

    /// Whether a new traffic request on `pod` will end in an error response.
    #[inline]
    pub(super) fn error_decision(&mut self, pod: PodIdx) -> bool {
        let service = self.pods[pod.idx()].service;
        !self.services[service.idx()].active_faults.is_empty() && self.error_draws(pod)
    }

    /// `error_decision` while faults are active on the pod's service: one draw per error fault
    /// that affects the pod.
    #[cold]
    #[inline(never)]
    fn error_draws(&mut self, pod: PodIdx) -> bool {
        let service = self.pods[pod.idx()].service;
        let mut error = false;
        for i in 0..self.services[service.idx()].active_faults.len() {
            let f = self.services[service.idx()].active_faults[i];
            let fault = &self.cfg.faults[f as usize];
            if let FaultKind::Errors { rate, .. } = fault.kind
                && self.affects(fault, pod)
            {
                // Always draw, so the error stream does not depend on earlier outcomes.
                let draw = self.services[service.idx()].error_rng.uniform();
                error |= draw < rate;
            }
        }
        error
    }

    /// Whether error responses on `pod` come before the work (fail fast).
    pub(super) fn error_is_fast(&self, pod: PodIdx) -> bool {
        let service = self.pods[pod.idx()].service;
        self.services[service.idx()].active_faults.iter().any(|&f| {
            let fault = &self.cfg.faults[f as usize];
            matches!(fault.kind, FaultKind::Errors { fail_fast: true, .. }) && self.affects(fault, pod)
        })
    }
}

/// Whether an active fault of this kind keeps a pod's process down until the fault ends.
fn keeps_process_down(kind: &FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::Crash { blackhole: false } | FaultKind::Restart { .. }
    )
}
