//! Probe workers with the kubelet's semantics (`pkg/kubelet/prober/worker.go` in
//! kubernetes/kubernetes): one worker per pod and probe, started with the pod and ticking every
//! period from then on, across container restarts; each tick probes the current container only
//! if it runs, is past its initial delay and is not on hold.
//!
//! A probe is a request to the pod. On the shared path it takes a slot or waits in the accept
//! queue like traffic, so a saturated pod fails its probes: the death spiral. On a dedicated
//! path it runs at once. Either way a probe may run handler steps, including downstream calls.
//! A black-holed pod never answers: its probes time out.

use sim_core::sim::Scheduler;

use super::{Event, PodPhase, ProbeKind, ProbeRt, RequestKind, ServerRequest, World};
use crate::config::{ProbeConfig, ProbePath};
use crate::ids::PodIdx;
use crate::log::{KillReason, LogKind};
use crate::outcome::Response;
use crate::slab::Key;

/// The probes in worker order.
const KINDS: [ProbeKind; 3] = [ProbeKind::Liveness, ProbeKind::Readiness, ProbeKind::Startup];

impl ProbeRt {
    /// A worker, before it has seen any container.
    pub(crate) fn new() -> ProbeRt {
        ProbeRt {
            passing: true,
            consecutive_ok: 0,
            consecutive_fail: 0,
            on_hold: false,
            in_flight: None,
            timer: None,
            tick_buffered: false,
        }
    }
}

impl World {
    pub(super) fn probe_config(&self, pod: PodIdx, kind: ProbeKind) -> Option<&ProbeConfig> {
        let lifecycle = &self.cfg.services[self.pods[pod.idx()].service.idx()].lifecycle;
        match kind {
            ProbeKind::Liveness => lifecycle.liveness.as_ref(),
            ProbeKind::Readiness => lifecycle.readiness.as_ref(),
            ProbeKind::Startup => lifecycle.startup_probe.as_ref(),
        }
    }

    /// The pod is created (at the start, or recreated after a reschedule): the kubelet starts a
    /// worker per configured probe. A worker probes at once and then on every tick of its
    /// ticker; its immediate probe finds no container yet (creating one takes far longer than
    /// starting a goroutine), so the first probe that can reach a container is one period on.
    pub(super) fn start_probe_workers(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) {
        let address = self.pods[pod_idx.idx()].address;
        for kind in KINDS {
            let Some(period) = self.probe_config(pod_idx, kind).map(|c| c.period) else {
                continue;
            };
            self.pods[pod_idx.idx()].probes[kind.index()] = Some(ProbeRt::new());
            sched.schedule_in(
                period,
                Event::ProbeTick {
                    pod: pod_idx,
                    address,
                    probe: kind,
                },
            );
        }
    }

    /// A new container: each worker leaves its hold and shows the probe's initial result
    /// (readiness failing, liveness and startup passing). Its run of equal results carries over,
    /// as in the kubelet, which resets it only when it puts itself on hold.
    pub(super) fn new_container_for_probes(&mut self, pod_idx: PodIdx) {
        for kind in KINDS {
            if let Some(worker) = self.pods[pod_idx.idx()].probes[kind.index()].as_mut() {
                worker.on_hold = false;
                worker.passing = kind != ProbeKind::Readiness;
            }
        }
    }

    /// The container died: a probe waiting for its answer is abandoned (its request died with
    /// the container); the workers keep ticking.
    pub(super) fn abandon_probes(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) {
        for worker in self.pods[pod_idx.idx()].probes.iter_mut().flatten() {
            worker.in_flight = None;
            // The tick it held would find no running container.
            worker.tick_buffered = false;
            if let Some(timer) = worker.timer.take() {
                sched.cancel(timer);
            }
        }
    }

    /// A worker's tick: the next one is due a period later whatever happens; this one probes
    /// the container if the kubelet would.
    pub(super) fn on_probe_tick(
        &mut self,
        p: PodIdx,
        address: u32,
        kind: ProbeKind,
        sched: &mut Scheduler<Event>,
    ) {
        let (pod_idx, p) = (p, p.0);
        if self.pods[p as usize].address != address {
            return; // the pod was deleted, and its workers with it
        }
        let period = self.probe_config(pod_idx, kind).expect("probe configured").period;
        sched.schedule_in(
            period,
            Event::ProbeTick {
                pod: PodIdx(p),
                address,
                probe: kind,
            },
        );
        let worker = self.pods[p as usize].probes[kind.index()]
            .as_mut()
            .expect("worker");
        if worker.in_flight.is_some() {
            // The previous probe is still waiting for its answer: the tick waits in the
            // ticker's channel (`time.Ticker` holds one) and is taken when that probe ends.
            worker.tick_buffered = true;
            return;
        }
        self.probe_if_due(pod_idx, kind, sched);
    }

    /// What the worker does with a tick it takes: probe the container if the kubelet would.
    fn probe_if_due(&mut self, pod_idx: PodIdx, kind: ProbeKind, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let initial_delay = self
            .probe_config(pod_idx, kind)
            .expect("probe configured")
            .initial_delay;
        let pod = &self.pods[pod_idx.idx()];
        let worker = pod.probes[kind.index()].as_ref().expect("worker");
        // A container incarnation 0 is a warm pod's, started long before the run.
        let delaying = pod.incarnation > 0 && now < pod.container_started_at.saturating_add(initial_delay);
        let gated = (kind == ProbeKind::Startup) == pod.started;
        if !matches!(pod.phase, PodPhase::Starting | PodPhase::Running) || worker.on_hold || delaying || gated
        {
            // Not running, on hold after a kill, in its initial delay, or startup not yet (or
            // already) passed.
            return;
        }
        self.send_probe(pod_idx, kind, sched);
    }

    /// A probe ended (answered or timed out): a tick that came meanwhile is taken now.
    fn take_buffered_tick(&mut self, pod_idx: PodIdx, kind: ProbeKind, sched: &mut Scheduler<Event>) {
        let Some(worker) = self.pods[pod_idx.idx()].probes[kind.index()].as_mut() else {
            return;
        };
        if std::mem::take(&mut worker.tick_buffered) && worker.in_flight.is_none() {
            self.probe_if_due(pod_idx, kind, sched);
        }
    }

    /// Sends one probe to a running container.
    fn send_probe(&mut self, pod_idx: PodIdx, kind: ProbeKind, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let cfg = self.probe_config(pod_idx, kind).expect("probe configured");
        let (timeout, path) = (cfg.timeout, cfg.path);
        let pod = &self.pods[pod_idx.idx()];
        if !pod.blackholed && (pod.phase != PodPhase::Running || pod.crashed) {
            return self.probe_result(pod_idx, kind, false, "refused", sched);
        }
        if !pod.blackholed {
            self.services[pod.service.idx()].metrics.counts.probes += 1; // received by the pod
        }
        let timer = sched.timer_in(
            timeout,
            Event::ProbeTimeout {
                pod: pod_idx,
                probe: kind,
            },
        );
        let blackholed = pod.blackholed;
        let uses_slot = path == ProbePath::Shared;
        let request = (!blackholed).then(|| {
            self.requests.insert(ServerRequest {
                pod: pod_idx,
                kind: RequestKind::Probe { probe: kind },
                arrived_at: now,
                started_at: now,
                deadline: None,
                uses_slot,
                started: false,
                step: 0,
                pending_calls: 0,
                required_failed: false,
                degraded: false,
                abandoned: false,
                calls: None,
                will_error: false,
                cause: None,
                running_pos: 0,
                span: crate::trace::NO_SPAN,
            })
        });
        let worker = self.pods[pod_idx.idx()].probes[kind.index()]
            .as_mut()
            .expect("worker");
        // A black-holed pod drops the probe's packets: only the timeout will answer.
        worker.in_flight = Some(request);
        worker.timer = Some(timer);
        match request {
            Some(request) if uses_slot => self.admit(request, sched),
            Some(request) => self.start_request(request, sched),
            None => {}
        }
    }

    /// A probe request was answered (or rejected) by the pod.
    pub(super) fn on_probe_answer(
        &mut self,
        pod_idx: PodIdx,
        kind: ProbeKind,
        request: Key,
        response: Response,
        sched: &mut Scheduler<Event>,
    ) {
        if self.pods[pod_idx.idx()].blackholed {
            return; // the answer is lost in the network: the probe will time out
        }
        let Some(worker) = self.pods[pod_idx.idx()].probes[kind.index()].as_mut() else {
            return;
        };
        if worker.in_flight != Some(Some(request)) {
            return; // a late answer after the timeout
        }
        worker.in_flight = None;
        if let Some(timer) = worker.timer.take() {
            sched.cancel(timer);
        }
        let cause = match response {
            Response::Ok | Response::Degraded => "ok",
            Response::Rejected => "rejected: accept queue full",
            Response::Error => "error response",
            Response::DeadlineExceeded => "deadline exceeded",
            Response::Reset => "reset",
        };
        let success = matches!(response, Response::Ok | Response::Degraded);
        self.probe_result(pod_idx, kind, success, cause, sched);
        self.take_buffered_tick(pod_idx, kind, sched);
    }

    /// The probe waiting for its answer got none in time. (Its request, if it reached the pod,
    /// stays where it is, queued or running, until the pod gets to it.)
    pub(super) fn on_probe_timeout(&mut self, p: PodIdx, kind: ProbeKind, sched: &mut Scheduler<Event>) {
        let p = p.0;
        let Some(worker) = self.pods[p as usize].probes[kind.index()].as_mut() else {
            return;
        };
        if worker.in_flight.take().is_none() {
            return;
        }
        worker.timer = None;
        self.probe_result(PodIdx(p), kind, false, "timeout", sched);
        self.take_buffered_tick(PodIdx(p), kind, sched);
    }

    /// Counts a probe result and acts when a threshold of consecutive results is reached.
    fn probe_result(
        &mut self,
        pod_idx: PodIdx,
        kind: ProbeKind,
        ok: bool,
        cause: &'static str,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let cfg = self.probe_config(pod_idx, kind).expect("probe configured");
        let (success_threshold, failure_threshold) = (cfg.success_threshold, cfg.failure_threshold);
        let worker = self.pods[pod_idx.idx()].probes[kind.index()]
            .as_mut()
            .expect("worker");
        let was_passing = worker.passing;
        if ok {
            worker.consecutive_fail = 0;
            worker.consecutive_ok += 1;
            if worker.consecutive_ok >= success_threshold {
                worker.passing = true;
            }
        } else {
            worker.consecutive_ok = 0;
            worker.consecutive_fail += 1;
            let consecutive = worker.consecutive_fail;
            if consecutive >= failure_threshold {
                worker.passing = false;
            }
            self.log_with(now, |w| LogKind::ProbeFailed {
                pod: w.pod_name(pod_idx),
                probe: kind.name(),
                consecutive,
                threshold: failure_threshold,
                cause,
            });
        }
        let worker = self.pods[pod_idx.idx()].probes[kind.index()]
            .as_mut()
            .expect("worker");
        let passing = worker.passing;
        let reached = if ok {
            worker.consecutive_ok >= success_threshold
        } else {
            worker.consecutive_fail >= failure_threshold
        };
        if kind == ProbeKind::Startup && reached || kind == ProbeKind::Liveness && reached && !ok {
            // The kubelet holds the worker until the next container and restarts its count.
            worker.on_hold = true;
            worker.consecutive_ok = 0;
            worker.consecutive_fail = 0;
        }
        match kind {
            ProbeKind::Startup if ok && reached => {
                self.pods[pod_idx.idx()].started = true;
                let has_readiness = self.probe_config(pod_idx, ProbeKind::Readiness).is_some();
                if !has_readiness && self.pods[pod_idx.idx()].phase == PodPhase::Running {
                    self.set_ready(pod_idx, true, sched);
                }
            }
            ProbeKind::Liveness | ProbeKind::Startup if was_passing && !passing => {
                let reason = if kind == ProbeKind::Liveness {
                    KillReason::Liveness
                } else {
                    KillReason::Startup
                };
                self.kill(pod_idx, reason, sched);
            }
            ProbeKind::Readiness if passing != was_passing => self.set_ready(pod_idx, passing, sched),
            _ => {}
        }
    }
}
