//! A request's arrival at a pod and the pod's accept queue: admission (a free slot, else the
//! queue, else 503 — answered at once, without storing the request, when the queue is full
//! and the request is not traced),
//! the queue's draining as slots free up (FIFO or LIFO, dropping requests whose propagated
//! deadline passed when the service honours deadlines), saturation logged with hysteresis, and
//! the loss of everything queued or running when a container dies. The handler steps and the
//! response are `server.rs`.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::{AttemptRef, Event, PodPhase, RequestKind, ServerRequest, World};
use crate::config::QueueOrder;
use crate::ids::{EdgeIdx, PodIdx};
use crate::log::LogKind;
use crate::outcome::Response;
use crate::slab::Key;
use crate::trace::{NO_SPAN, SpanKind, span};

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
            return self.answer_reset(attempt, edge, sched);
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
        let admission = self.admission(to.pod, deadline, now);
        if admission == Admission::Reject && !traced {
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
        self.admit_as(request, admission, sched);
    }

    /// Admits a request that uses a slot: start it, queue it, or reject it.
    pub(super) fn admit(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let r = self.requests.get(request).expect("live request");
        let admission = self.admission(r.pod, r.deadline, sched.now());
        self.admit_as(request, admission, sched);
    }

    /// What admission does with a request for `pod_idx` with `deadline` arriving now.
    #[inline(always)]
    fn admission(&self, pod_idx: PodIdx, deadline: Option<SimTime>, now: SimTime) -> Admission {
        let pod = &self.pods[pod_idx.idx()];
        let svc = &self.cfg.services[pod.service.idx()];
        if svc.honour_deadlines && deadline.is_some_and(|d| now >= d) {
            // The caller's budget is already spent: do not start work nobody waits for.
            Admission::Drop
        } else if pod.busy < self.effective_slots(pod_idx) && pod.queue.is_empty() {
            Admission::Start
        } else if (pod.queue.len() as u32) < svc.queue.capacity {
            Admission::Queue
        } else {
            Admission::Reject
        }
    }

    /// Carries out `admission` for a stored request.
    fn admit_as(&mut self, request: Key, admission: Admission, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let r = self.requests.get(request).expect("live request");
        let (pod_idx, is_traffic) = (r.pod, matches!(r.kind, RequestKind::Traffic { .. }));
        let service = self.pods[pod_idx.idx()].service;
        match admission {
            Admission::Drop => self.complete(request, Response::DeadlineExceeded, sched),
            Admission::Start => self.start_request(request, sched),
            Admission::Queue => {
                self.pods[pod_idx.idx()].queue.push_back(request);
                let m = &mut self.services[service.idx()].metrics;
                m.add_queued(now, 1);
                if is_traffic {
                    m.waited += 1;
                }
            }
            Admission::Reject => {
                if is_traffic {
                    self.services[service.idx()].metrics.on_rejected(now);
                }
                self.complete(request, Response::Rejected, sched);
            }
        }
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
        self.services[self.pods[pod_idx.idx()].service.idx()]
            .metrics
            .on_rejected(now);
        let latency = self.latency(edge);
        let response = Response::Rejected;
        self.hop(latency, Event::Responded { attempt, response }, sched);
        self.start_queued(pod_idx, sched);
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

    /// Logs saturation changes with hysteresis: saturated when every slot is busy, recovered
    /// when the queue is empty and at most half are (so a pod near capacity does not flap).
    #[inline]
    pub(super) fn check_saturation(&mut self, pod_idx: PodIdx, now: SimTime) {
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
                        self.answer_reset(attempt, edge, sched);
                    }
                }
            }
        }
        self.pods[pod_idx.idx()].saturated = false;
        lost
    }

    /// A connection reset for `attempt`, answered over `edge` one network latency away (through
    /// the heap, not a delay line).
    fn answer_reset(&mut self, attempt: AttemptRef, edge: EdgeIdx, sched: &mut Scheduler<Event>) {
        let latency = self.latency(edge);
        let response = Response::Reset;
        sched.schedule_in(latency, Event::Responded { attempt, response });
    }

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

/// What admission does with a request arriving at a pod (`World::admission`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Admission {
    /// Its propagated deadline has passed and the service honours deadlines: answered
    /// `deadline_exceeded` without starting.
    Drop,
    /// A slot is free and nobody is queued before it.
    Start,
    /// It waits in the accept queue.
    Queue,
    /// The queue is full: 503.
    Reject,
}
