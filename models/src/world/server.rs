//! Pods serving requests: admission (a free slot, else the accept queue, else 503), handler
//! steps (work, sequential and parallel calls), and the response. A request holds its slot
//! while it waits on downstream calls, and keeps running after its caller gave up.

use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{AttemptRef, CallOwner, Event, PodPhase, ProbeKind, RequestKind, ServerRequest, World};
use crate::config::{QueueOrder, Step};
use crate::ids::{EdgeIdx, PodIdx, ServiceIdx};
use crate::log::LogKind;
use crate::outcome::{Cause, Outcome, Response};
use crate::slab::Key;
use crate::trace::{NO_SPAN, SpanKind, SpanStatus, span};

impl World {
    /// An attempt's request reaches its pod.
    pub(super) fn on_delivered(&mut self, attempt: AttemptRef, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        // One lookup: the attempt still waiting, and what the request needs of its call.
        let Some(c) = self.calls.get(attempt.call) else {
            return;
        };
        let Some(a) = c.attempt.as_ref().filter(|a| a.no == attempt.no) else {
            return;
        };
        let (to, incarnation, traced) = (a.to, a.incarnation, a.span != NO_SPAN);
        let (site, owner, deadline_at) = (c.site, c.owner, c.deadline_at);
        let pod = &self.pods[to.pod.idx()];
        if pod.blackholed {
            return; // lost in the network
        }
        let service = pod.service;
        let edge = self.sites[site as usize].edge;
        if pod.address != to.address || pod.incarnation != incarnation || pod.phase != PodPhase::Running {
            // The connection led to a container that is gone or shutting down.
            let latency = self.latency(edge);
            sched.schedule_in(
                latency,
                Event::Responded {
                    attempt,
                    response: Response::Reset,
                },
            );
            return;
        }
        let deadline = if self.policy_of_site(site).propagate_deadline {
            deadline_at
        } else {
            None
        };
        self.pods[to.pod.idx()].metrics.arrivals += 1;
        let m = &mut self.services[service.idx()].metrics;
        m.counts.arrivals += 1;
        m.series_arrivals.add(now, 1);
        let will_error = self.error_decision(to.pod);
        if !traced && self.rejects_on_arrival(to.pod, service, deadline, now) {
            return self.reject_on_arrival(attempt, to.pod, edge, sched);
        }
        let span = if traced {
            self.trace_server(attempt, to.pod, now)
        } else {
            NO_SPAN
        };
        let request = self.requests.insert(ServerRequest {
            pod: to.pod,
            kind: RequestKind::Traffic { attempt },
            arrived_at: now,
            started_at: now,
            deadline,
            uses_slot: true,
            started: false,
            step: 0,
            pending_calls: 0,
            required_failed: false,
            degraded: false,
            abandoned: self.owner_is_gone(owner),
            calls: None,
            will_error,
            cause: None,
            running_pos: 0,
            span,
        });
        self.attempt_mut(attempt).expect("live attempt").server = Some(request);
        self.admit(request, sched);
    }

    /// Admits a request that uses a slot: start it, queue it, or reject it.
    pub(super) fn admit(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.requests.get(request).expect("live request");
        let pod_idx = r.pod;
        let service = self.pods[pod_idx.idx()].service;
        let slots = self.effective_slots(pod_idx);
        let capacity = self.cfg.services[service.idx()].queue.capacity;
        if self.cfg.services[service.idx()].honour_deadlines && r.deadline.is_some_and(|d| now >= d) {
            // The caller's budget is already spent: do not start work nobody waits for.
            return self.complete(request, Response::DeadlineExceeded, sched);
        }
        let pod = &mut self.pods[pod_idx.idx()];
        if pod.busy < slots && pod.queue.is_empty() {
            self.start_request(request, sched);
        } else if (pod.queue.len() as u32) < capacity {
            pod.queue.push_back(request);
            let m = &mut self.services[service.idx()].metrics;
            m.add_queued(now, 1);
            if matches!(r.kind, RequestKind::Traffic { .. }) {
                m.waited += 1;
            }
        } else {
            if matches!(r.kind, RequestKind::Traffic { .. }) {
                let m = &mut self.services[service.idx()].metrics;
                m.counts.rejected += 1;
                m.series_rejected.add(now, 1);
            }
            self.complete(request, Response::Rejected, sched);
        }
    }

    /// Whether `admit` would reject a traffic request arriving at `pod` now: no free slot (or
    /// others queued before it) and a full queue, its deadline not yet passed.
    /// (The full queue is tested first: it is the rare case.)
    #[inline(always)]
    fn rejects_on_arrival(
        &self,
        pod_idx: PodIdx,
        service: ServiceIdx,
        deadline: Option<SimTime>,
        now: SimTime,
    ) -> bool {
        let pod = &self.pods[pod_idx.idx()];
        let svc = &self.cfg.services[service.idx()];
        pod.queue.len() as u32 >= svc.queue.capacity
            && !(pod.busy < self.effective_slots(pod_idx) && pod.queue.is_empty())
            && !(svc.honour_deadlines && deadline.is_some_and(|d| now >= d))
    }

    /// What `admit` and `complete` do for a request rejected on arrival (a full queue: the
    /// metastable storm's usual answer), without storing it: the rejection counted, the answer
    /// sent back, the queue given its turn. Its key is skipped, so later keys do not change.
    fn reject_on_arrival(
        &mut self,
        attempt: AttemptRef,
        pod_idx: PodIdx,
        edge: EdgeIdx,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        self.requests.skip();
        let m = &mut self.services[self.pods[pod_idx.idx()].service.idx()].metrics;
        m.counts.rejected += 1;
        m.series_rejected.add(now, 1);
        let latency = self.latency(edge);
        let response = Response::Rejected;
        self.hop(latency, Event::Responded { attempt, response }, sched);
        self.start_queued(pod_idx, sched);
    }

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

    /// Starts queued requests while slots are free, dropping those whose deadline passed.
    pub(super) fn start_queued(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) {
        // Not re-entrant: a request that completes at once while this loop starts it would
        // otherwise drain the rest of the queue one stack frame deeper each time.
        if std::mem::replace(&mut self.pods[pod_idx.idx()].draining, true) {
            return;
        }
        self.drain_queue(pod_idx, sched);
        self.pods[pod_idx.idx()].draining = false;
    }

    fn drain_queue(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let service = self.pods[pod_idx.idx()].service;
        let svc = &self.cfg.services[service.idx()];
        let (order, honour) = (svc.queue.order, svc.honour_deadlines);
        loop {
            let slots = self.effective_slots(pod_idx);
            let pod = &mut self.pods[pod_idx.idx()];
            if pod.busy >= slots || pod.phase != PodPhase::Running {
                return;
            }
            let next = match order {
                QueueOrder::Fifo => pod.queue.pop_front(),
                QueueOrder::Lifo => pod.queue.pop_back(),
            };
            let Some(next) = next else { return };
            self.services[service.idx()].metrics.add_queued(now, -1);
            if honour
                && self
                    .requests
                    .get(next)
                    .expect("queued requests are live")
                    .deadline
                    .is_some_and(|d| now >= d)
            {
                self.complete(next, Response::DeadlineExceeded, sched);
                continue;
            }
            self.start_request(next, sched);
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

    /// Logs saturation changes with hysteresis: saturated when every slot is busy, recovered
    /// when the queue is empty and at most half are (so a pod near capacity does not flap).
    #[inline]
    fn check_saturation(&mut self, pod_idx: PodIdx, now: SimTime) {
        let slots = self.effective_slots(pod_idx);
        let pod = &self.pods[pod_idx.idx()];
        let (busy, queued, was) = (pod.busy, pod.queue.len() as u32, pod.saturated);
        // A queued request takes a freed slot at once, so a pod with a queue stays saturated.
        let now_saturated = if was {
            queued > 0 || busy * 2 > slots
        } else {
            busy >= slots && slots > 0
        };
        if now_saturated != was {
            self.saturation_changed(pod_idx, now_saturated, (busy, slots, queued), now);
        }
    }

    /// A pod became saturated or recovered: logged (`counts`: busy, slots, queued).
    #[cold]
    #[inline(never)]
    fn saturation_changed(
        &mut self,
        pod_idx: PodIdx,
        now_saturated: bool,
        counts: (u32, u32, u32),
        now: SimTime,
    ) {
        let (busy, slots, queued) = counts;
        self.pods[pod_idx.idx()].saturated = now_saturated;
        self.log_with(now, |w| {
            let pod = w.pod_name(pod_idx);
            if now_saturated {
                LogKind::Saturated {
                    pod,
                    busy,
                    slots,
                    queued,
                }
            } else {
                LogKind::Unsaturated { pod, busy, slots }
            }
        });
    }

    /// `service-replica`, e.g. `upload-0`.
    pub(crate) fn pod_name(&self, pod: PodIdx) -> String {
        let p = &self.pods[pod.idx()];
        format!("{}-{}", self.cfg.services[p.service.idx()].name, p.replica)
    }

    /// Fails every request queued or running on a dying container: traffic at its caller with a
    /// reset, probes silently (their timeout decides). Returns how many were lost.
    pub(super) fn drop_all_requests(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) -> u32 {
        let now = sched.now();
        let pod = &mut self.pods[pod_idx.idx()];
        let mut doomed: Vec<Key> = pod.queue.drain(..).collect();
        let queued = doomed.len() as i64;
        doomed.append(&mut pod.running);
        let busy = std::mem::take(&mut pod.busy);
        let service = pod.service;
        let blackholed = pod.blackholed;
        let m = &mut self.services[service.idx()].metrics;
        m.add_queued(now, -queued);
        m.add_busy(now, -i64::from(busy));
        let mut lost = 0;
        for request in doomed {
            let r = self.requests.remove(request).expect("live request");
            if r.started && r.uses_slot && r.abandoned {
                self.services[service.idx()].metrics.add_wasted(now, -1);
            }
            self.orphan_calls(r.calls, now);
            if let RequestKind::Traffic { attempt } = r.kind {
                lost += 1;
                self.services[service.idx()].metrics.counts.lost += 1;
                if self.attempt(attempt).is_some() {
                    let edge = self.sites[self.calls.get(attempt.call).expect("live").site as usize].edge;
                    if !blackholed {
                        let latency = self.latency(edge);
                        sched.schedule_in(
                            latency,
                            Event::Responded {
                                attempt,
                                response: Response::Reset,
                            },
                        );
                    }
                }
            }
        }
        self.pods[pod_idx.idx()].saturated = false;
        lost
    }
}

impl World {
    /// Opens the server span of a traced attempt's request.
    fn trace_server(&mut self, attempt: AttemptRef, pod: PodIdx, now: SimTime) -> u32 {
        let Some(parent) = self.attempt(attempt).map(|a| a.span).filter(|&s| s != NO_SPAN) else {
            return NO_SPAN;
        };
        let edge = self.sites[self.calls.get(attempt.call).expect("live").site as usize].edge;
        let Some(tracer) = &mut self.tracer else {
            return NO_SPAN;
        };
        tracer.open(span(SpanKind::Server, parent, now, edge.0, pod.0))
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
