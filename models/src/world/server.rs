//! Pods serving requests: handler steps (work, sequential and parallel calls) and the response.
//! A request holds its slot while it waits on downstream calls, and keeps running after its
//! caller gave up. How a request arrives and waits for its slot is `admission.rs`.

use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{CallOwner, Event, ProbeKind, RequestKind, World};
use crate::config::Step;
use crate::ids::PodIdx;
use crate::outcome::{Cause, Outcome, Response};
use crate::slab::Key;
use crate::trace::{NO_SPAN, SpanStatus};

impl World {
    /// A request gets a slot (or the dedicated probe path) and runs its first step.
    pub(super) fn start_request(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.requests.get_mut(request).expect("live request");
        r.started = true;
        r.started_at = now;
        let wasted = r.abandoned && r.uses_slot;
        let (pod_idx, uses_slot, arrived_at, is_traffic, will_error) = (
            r.pod,
            r.uses_slot,
            r.arrived_at,
            matches!(r.kind, RequestKind::Traffic { .. }),
            r.will_error,
        );
        let pod = &mut self.pods[pod_idx.idx()];
        r.running_pos = pod.running.len() as u32;
        pod.running.push(request);
        let service = pod.service;
        if uses_slot {
            pod.busy += 1;
            self.services[service.idx()].metrics.add_busy(now, 1);
            if wasted {
                self.services[service.idx()].metrics.add_wasted(now, 1);
            }
            self.check_saturation(pod_idx, now);
        }
        if is_traffic {
            self.services[service.idx()]
                .metrics
                .queue_wait
                .record(now.saturating_since(arrived_at).as_nanos());
            if will_error && self.error_is_fast(pod_idx) {
                return self.complete(request, Response::Error, sched);
            }
        }
        self.run_steps(request, sched);
    }

    /// Runs steps from the current one until one has to wait (work or calls), or all are done.
    fn run_steps(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.requests.get(request).expect("live request");
        let (step_idx, pod_idx, kind, deadline, span) = (r.step as usize, r.pod, r.kind, r.deadline, r.span);
        let is_traffic = matches!(kind, RequestKind::Traffic { .. });
        let service = self.pods[pod_idx.idx()].service;
        // Borrow the configuration and the service's random stream side by side: no cloning.
        let next = {
            let steps = steps_of(&self.cfg, service, kind);
            match steps.get(step_idx) {
                None => Next::Done,
                Some(Step::Work(work)) => {
                    let base = work
                        .dist
                        .sample_duration(&mut self.services[service.idx()].work_rng);
                    let busy = self.pods[pod_idx.idx()].busy;
                    Next::Work(base.saturating_add(work.slope.saturating_mul(u64::from(busy))))
                }
                Some(Step::Call(call)) => Next::Call(*call),
                Some(Step::Parallel(calls)) => Next::Parallel(calls.len()),
            }
        };
        match next {
            Next::Done => {
                let r = self.requests.get(request).expect("live");
                let response = if r.required_failed || r.will_error {
                    Response::Error
                } else if r.degraded {
                    Response::Degraded
                } else {
                    Response::Ok
                };
                self.complete(request, response, sched);
            }
            Next::Work(duration) => {
                let duration = if is_traffic {
                    self.faulted_work_time(pod_idx, duration, now)
                } else {
                    self.cpu_cut_work_time(pod_idx, duration)
                };
                // Not cancellable: if the request dies first, its key goes stale and the event is
                // dropped when it fires, which is cheaper than arming a timer for every step.
                sched.schedule_in(duration, Event::WorkDone { request });
            }
            Next::Call(call) => {
                self.requests.get_mut(request).expect("live").pending_calls = 1;
                let site = self.site_of(pod_idx, call.edge);
                let cap = self.deadline_cap(pod_idx, deadline);
                self.start_call(site, CallOwner::Request(request), call.required, cap, span, sched);
            }
            Next::Parallel(n) => {
                self.requests.get_mut(request).expect("live").pending_calls = n as u32;
                let cap = self.deadline_cap(pod_idx, deadline);
                for j in 0..n {
                    let Step::Parallel(calls) = &steps_of(&self.cfg, service, kind)[step_idx] else {
                        unreachable!("parallel step")
                    };
                    let call = calls[j];
                    let site = self.site_of(pod_idx, call.edge);
                    self.start_call(site, CallOwner::Request(request), call.required, cap, span, sched);
                    // A call can finish synchronously (e.g. an open breaker without fallback) and
                    // even complete the request: stop if it did.
                    if self
                        .requests
                        .get(request)
                        .is_none_or(|r| r.step as usize != step_idx)
                    {
                        return;
                    }
                }
            }
        }
    }

    /// The deadline a request's calls inherit, if its service honours deadlines.
    fn deadline_cap(&self, pod: PodIdx, deadline: Option<SimTime>) -> Option<SimTime> {
        let svc = &self.cfg.services[self.pods[pod.idx()].service.idx()];
        if svc.honour_deadlines { deadline } else { None }
    }

    pub(super) fn on_work_done(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let Some(r) = self.requests.get_mut(request) else {
            return;
        };
        r.step += 1;
        self.run_steps(request, sched);
    }

    /// A call made by a request's handler ended.
    pub(super) fn on_request_call_done(
        &mut self,
        request: Key,
        outcome: Outcome,
        cause: Option<Cause>,
        required: bool,
        sched: &mut Scheduler<Event>,
    ) {
        let Some(r) = self.requests.get_mut(request) else {
            return;
        };
        match outcome {
            Outcome::Failed(_) if required => {
                r.required_failed = true;
                // The first required call to fail is the cause of the 5xx (a parallel step's
                // later failures change nothing).
                r.cause = r.cause.or(cause);
            }
            // A best-effort call that failed leaves nothing in the answer: not degraded (give
            // the edge `fallback = "degrade"` to mark it). A fallback's answer is used: degraded.
            Outcome::Failed(_) | Outcome::Ok => {}
            Outcome::Degraded => r.degraded = true,
        }
        r.pending_calls -= 1;
        if r.pending_calls > 0 {
            return;
        }
        if r.required_failed {
            // A required dependency failed: the handler gives up with an error.
            return self.complete(request, Response::Error, sched);
        }
        r.step += 1;
        self.run_steps(request, sched);
    }

    /// Ends a request with `response`: frees its slot, answers its caller, starts the next
    /// queued request.
    pub(super) fn complete(&mut self, request: Key, response: Response, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.requests.remove(request).expect("live request");
        let pod_idx = r.pod;
        let service = self.pods[pod_idx.idx()].service;
        if r.span != NO_SPAN
            && let Some(t) = &mut self.tracer
        {
            t.close(r.span, now, SpanStatus::Response(response));
        }
        if r.started {
            self.remove_running(pod_idx, r.running_pos);
            if r.uses_slot {
                self.pods[pod_idx.idx()].busy -= 1;
                self.services[service.idx()].metrics.add_busy(now, -1);
                if r.abandoned {
                    self.services[service.idx()].metrics.add_wasted(now, -1);
                }
                self.check_saturation(pod_idx, now);
            }
        }
        self.orphan_calls(r.calls, now);
        match r.kind {
            RequestKind::Traffic { attempt } => {
                let m = &mut self.services[service.idx()].metrics;
                match response {
                    Response::Ok => m.counts.completed_ok += 1,
                    Response::Degraded => {
                        m.counts.completed_ok += 1;
                        m.counts.completed_degraded += 1;
                    }
                    Response::Error => m.counts.completed_error += 1,
                    Response::DeadlineExceeded => m.counts.dropped_deadline += 1,
                    Response::Rejected | Response::Reset => {}
                }
                if r.started {
                    m.service_time
                        .record(now.saturating_since(r.started_at).as_nanos());
                    m.series_completed.add(now, 1);
                }
                // One lookup: the attempt still waiting, and its site.
                let waiting = self.calls.get_mut(attempt.call).and_then(|c| {
                    let site = c.site;
                    c.attempt
                        .as_mut()
                        .filter(|a| a.no == attempt.no)
                        .map(|a| (a, site))
                });
                if let Some((a, site)) = waiting
                    && !self.pods[pod_idx.idx()].blackholed
                {
                    if response == Response::Error {
                        // The answer carries its cause: kept by the attempt it answers
                        // until it arrives (an attempt that ends first drops it).
                        a.below = r.cause;
                    }
                    let latency = self.latency(self.sites[site as usize].edge);
                    self.hop(latency, Event::Responded { attempt, response }, sched);
                }
            }
            RequestKind::Probe { probe } => self.on_probe_answer(pod_idx, probe, request, response, sched),
        }
        if r.uses_slot {
            self.start_queued(pod_idx, sched);
        }
    }

    fn remove_running(&mut self, pod_idx: PodIdx, pos: u32) {
        let running = &mut self.pods[pod_idx.idx()].running;
        running.swap_remove(pos as usize);
        if let Some(&moved) = running.get(pos as usize) {
            self.requests
                .get_mut(moved)
                .expect("running requests are live")
                .running_pos = pos;
        }
    }

    /// `service-replica`, e.g. `upload-0`.
    pub(crate) fn pod_name(&self, pod: PodIdx) -> String {
        let p = &self.pods[pod.idx()];
        format!("{}-{}", self.cfg.services[p.service.idx()].name, p.replica)
    }
}

/// What the next step of a request needs, copied out of the configuration.
enum Next {
    Done,
    Work(SimDuration),
    Call(crate::config::CallStep),
    Parallel(usize),
}

/// The handler steps of a request of `kind` on `service`.
fn steps_of(cfg: &crate::config::Scenario, service: crate::ids::ServiceIdx, kind: RequestKind) -> &[Step] {
    let svc = &cfg.services[service.idx()];
    match kind {
        RequestKind::Traffic { .. } => &svc.steps,
        RequestKind::Probe { probe } => {
            let probe = match probe {
                ProbeKind::Liveness => &svc.lifecycle.liveness,
                ProbeKind::Readiness => &svc.lifecycle.readiness,
                ProbeKind::Startup => &svc.lifecycle.startup_probe,
            };
            &probe.as_ref().expect("probe configured").handler
        }
    }
}
