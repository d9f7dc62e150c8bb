//! One attempt of a call: pick an endpoint, get a connection from the pool (`pool.rs`: reuse,
//! open, or wait), connect, send, wait for the response — under httpx's four timeouts and an optional
//! per-attempt total (`asyncio.wait_for`), itself capped by the call's deadline.
//!
//! A timeout does not cancel the server's work: the callee keeps processing, and its late
//! response is dropped. The connection of a timed-out attempt is closed (its state is unknown),
//! so the next attempt pays for a new one.

use sim_core::queue::LaneId;
use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::policy::chain::Held;
use super::{Attempt, AttemptPhase, AttemptRef, AttemptTimer, CallPhase, Endpoint, Event, PodPhase, World};
use crate::outcome::{Failure, Response};
use crate::slab::Key;
use crate::trace::{NO_SPAN, SpanKind, SpanStatus, span};

impl World {
    /// Starts an attempt of `call` (every stage before it in the policy's order already passed).
    pub(super) fn begin_attempt(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let c = self.calls.get(call).expect("live call");
        let (site, deadline_at, traced) = (c.site, c.deadline_at, c.span != NO_SPAN);
        let policy = self.policy_of_site(site);
        let (order, timeouts) = (policy.order, policy.timeouts);
        let edge = self.sites[site as usize].edge;
        if deadline_at.is_some_and(|d| now >= d) {
            // The budget is spent (e.g. a propagated deadline that passed while the caller was
            // working): no attempt starts.
            return self.try_refused(call, Failure::DeadlineExceeded, sched);
        }
        let m = &mut self.edges[edge.idx()].metrics;
        m.counts.attempts += 1;
        m.series_attempts.add(now, 1);
        let Some(to) = self.pick_endpoint(site) else {
            // The attempt fails before it exists: no endpoint is known.
            self.edges[edge.idx()]
                .metrics
                .counts
                .attempt_failures
                .add(Failure::NoEndpoints);
            return self.try_refused(call, Failure::NoEndpoints, sched);
        };
        let replica = self.replica_of(to);
        self.sites[site as usize].in_flight_to[replica] += 1;
        let c = self.calls.get_mut(call).expect("live call");
        let no = c.attempt_no;
        c.attempt_no += 1;
        c.phase = CallPhase::Attempting;
        // What the per-try stages took belongs to this attempt (resilience4j's order); what the
        // per-call stages took stays with the call (the lesson's).
        // (A call that holds nothing, the usual case, has nothing to hand over.)
        let held = if c.held == Held::NOTHING {
            Held::NOTHING
        } else {
            c.held.take_per_try(order)
        };
        let attempt = AttemptRef { call, no };
        let total_at = match (timeouts.attempt.map(|t| now.saturating_add(t)), deadline_at) {
            (Some(t), Some(d)) if d <= t => Some((d, true)),
            (Some(t), _) => Some((t, false)),
            (None, Some(d)) => Some((d, true)),
            (None, None) => None,
        };
        let total_timer = total_at.map(|(at, is_deadline)| {
            let event = Event::AttemptTimer {
                attempt,
                kind: AttemptTimer::Total,
            };
            match timeouts.attempt {
                // The site's constant attempt timeout: its own FIFO lane.
                Some(delay) if !is_deadline => {
                    sched.lane_timer_in(timer_lane(site, LaneKind::Attempt), delay, event)
                }
                _ => sched.timer_at(at, event),
            }
        });
        self.calls.get_mut(call).expect("live call").attempt = Some(Attempt {
            no,
            to,
            incarnation: 0,
            phase: AttemptPhase::PoolWait,
            has_connection: false,
            started_at: now,
            total_timer,
            phase_timer: None,
            total_is_deadline: total_at.is_some_and(|(_, d)| d),
            span: NO_SPAN,
            held,
            server: None,
            below: None,
        });
        if traced {
            self.trace_attempt(attempt, site, now);
        }
        self.acquire_connection(attempt, site, to, sched);
    }

    fn trace_attempt(&mut self, attempt: AttemptRef, site: u32, now: SimTime) {
        let c = self.calls.get(attempt.call).expect("live call");
        let parent = c.span;
        if parent == NO_SPAN {
            return;
        }
        let to = c.attempt.as_ref().expect("attempt").to;
        let breaker = self.sites[site as usize]
            .breaker
            .as_ref()
            .map(crate::policy::breaker::CircuitBreaker::state);
        let edge = self.sites[site as usize].edge;
        let Some(tracer) = &mut self.tracer else { return };
        let mut s = span(SpanKind::Attempt, parent, now, edge.0, to.pod.0);
        s.attempt = attempt.no + 1;
        s.breaker = breaker;
        let id = tracer.open(s);
        self.attempt_mut(attempt).expect("live").span = id;
    }

    /// The replica index of an endpoint within its service.
    pub(super) fn replica_of(&self, to: Endpoint) -> usize {
        self.pods[to.pod.idx()].replica as usize
    }

    /// Opens a connection (its pool slot is already taken).
    pub(super) fn open_connection(&mut self, attempt: AttemptRef, sched: &mut Scheduler<Event>) {
        let a = self.attempt_mut(attempt).expect("live attempt");
        a.phase = AttemptPhase::Connecting;
        a.has_connection = true;
        let to = a.to;
        let site = self.calls.get(attempt.call).expect("live").site;
        self.note_pool(site, 1, 0, sched.now());
        let edge = self.sites[site as usize].edge;
        let lifecycle_refuses_stale = self.cfg.services[self.pods[to.pod.idx()].service.idx()]
            .lifecycle
            .stale_endpoint_refused;
        if let Some(connect_timeout) = self.policy_of_site(site).timeouts.connect {
            self.set_phase_timer(attempt, site, LaneKind::Connect, connect_timeout, sched);
        }
        let rtt = self.latency(edge).saturating_add(self.latency(edge));
        let pod = &self.pods[to.pod.idx()];
        if pod.address != to.address {
            // The address is gone (rescheduled pod): refused, or silence until the connect timeout.
            if lifecycle_refuses_stale {
                sched.schedule_in(rtt, Event::Refused { attempt });
            }
            return;
        }
        if pod.blackholed {
            return;
        }
        match pod.phase {
            PodPhase::Running => {
                let policy = self.cfg.edges[edge.idx()].policy;
                let connect_time = &self.cfg.policies[policy.idx()].pool.connect_time;
                let setup = connect_time.sample_duration(&mut self.net_rngs[edge.idx()]);
                self.hop(rtt.saturating_add(setup), Event::Connected { attempt }, sched);
            }
            PodPhase::Starting | PodPhase::Terminating | PodPhase::Down | PodPhase::Gone => {
                sched.schedule_in(rtt, Event::Refused { attempt });
            }
        }
    }

    pub(super) fn on_connected(&mut self, attempt: AttemptRef, sched: &mut Scheduler<Event>) {
        let Some(a) = self.attempt(attempt) else { return };
        if a.phase != AttemptPhase::Connecting {
            return;
        }
        let to = a.to;
        let pod = &self.pods[to.pod.idx()];
        if pod.phase != PodPhase::Running || pod.address != to.address {
            // The container died during the handshake.
            return self.end_attempt(attempt, Err(Failure::ConnectRefused), sched);
        }
        let incarnation = pod.incarnation;
        self.attempt_mut(attempt).expect("live").incarnation = incarnation;
        self.clear_phase_timer(attempt, sched);
        let site = self.calls.get(attempt.call).expect("live").site;
        self.send(attempt, site, sched);
    }

    pub(super) fn on_refused(&mut self, attempt: AttemptRef, sched: &mut Scheduler<Event>) {
        match self.attempt(attempt) {
            Some(a) if a.phase == AttemptPhase::Connecting => {
                self.end_attempt(attempt, Err(Failure::ConnectRefused), sched)
            }
            _ => {}
        }
    }

    /// Sends the request on the connection of an attempt of `site`.
    pub(super) fn send(&mut self, attempt: AttemptRef, site: u32, sched: &mut Scheduler<Event>) {
        let edge = self.sites[site as usize].edge;
        let timeouts = self.policy_of_site(site).timeouts;
        let a = live_attempt(&mut self.calls, attempt);
        if self.pods[a.to.pod.idx()].blackholed {
            // Nothing gets through: the send blocks until the write timeout, if any.
            a.phase = AttemptPhase::Writing;
            if let Some(write) = timeouts.write {
                self.set_phase_timer(attempt, site, LaneKind::Write, write, sched);
            }
            return;
        }
        a.phase = AttemptPhase::Waiting;
        if let Some(read) = timeouts.read {
            self.set_phase_timer(attempt, site, LaneKind::Read, read, sched);
        }
        let latency = self.latency(edge);
        self.hop(latency, Event::Delivered { attempt }, sched);
    }

    /// The server's response (or reset) reaches the caller.
    pub(super) fn on_responded(
        &mut self,
        attempt: AttemptRef,
        response: Response,
        sched: &mut Scheduler<Event>,
    ) {
        let Some(a) = self.attempt(attempt) else { return };
        if a.phase != AttemptPhase::Waiting {
            return;
        }
        if response == Response::Degraded {
            // A 2xx for the attempt (breaker, budget, connection), a degraded answer for the call.
            self.calls
                .get_mut(attempt.call)
                .expect("live call")
                .degraded_answer = true;
        }
        let result = match response {
            Response::Ok | Response::Degraded => Ok(()),
            Response::Error | Response::DeadlineExceeded => Err(Failure::ErrorResponse),
            Response::Rejected => Err(Failure::Rejected),
            Response::Reset => Err(Failure::Reset),
        };
        self.end_attempt(attempt, result, sched);
    }

    pub(super) fn on_attempt_timer(
        &mut self,
        attempt: AttemptRef,
        kind: AttemptTimer,
        sched: &mut Scheduler<Event>,
    ) {
        let Some(a) = self.attempt_mut(attempt) else {
            return;
        };
        let failure = match kind {
            AttemptTimer::Total => {
                a.total_timer = None;
                if a.total_is_deadline {
                    Failure::DeadlineExceeded
                } else {
                    Failure::AttemptTimeout
                }
            }
            AttemptTimer::Phase => {
                a.phase_timer = None;
                match a.phase {
                    AttemptPhase::PoolWait => Failure::PoolTimeout,
                    AttemptPhase::Connecting => Failure::ConnectTimeout,
                    AttemptPhase::Writing => Failure::WriteTimeout,
                    AttemptPhase::Waiting => Failure::ReadTimeout,
                }
            }
        };
        self.end_attempt(attempt, Err(failure), sched);
    }

    /// Arms the phase's timeout, `delay` from now: a constant of the site, so in its own lane.
    pub(super) fn set_phase_timer(
        &mut self,
        attempt: AttemptRef,
        site: u32,
        kind: LaneKind,
        delay: SimDuration,
        sched: &mut Scheduler<Event>,
    ) {
        let timer = sched.lane_timer_in(
            timer_lane(site, kind),
            delay,
            Event::AttemptTimer {
                attempt,
                kind: AttemptTimer::Phase,
            },
        );
        let old = self
            .attempt_mut(attempt)
            .expect("live")
            .phase_timer
            .replace(timer);
        if let Some(old) = old {
            sched.cancel(old);
        }
    }

    pub(super) fn clear_phase_timer(&mut self, attempt: AttemptRef, sched: &mut Scheduler<Event>) {
        if let Some(old) = self.attempt_mut(attempt).expect("live").phase_timer.take() {
            sched.cancel(old);
        }
    }

    /// A try that ends before any attempt exists: it gives back what its per-try stages hold
    /// (`chain::Held`: in resilience4j's order a permit, and the breaker records a failure);
    /// then the retry logic decides.
    fn try_refused(&mut self, call: Key, failure: Failure, sched: &mut Scheduler<Event>) {
        let site = self.calls.get(call).expect("live call").site;
        let order = self.policy_of_site(site).order;
        let held = self
            .calls
            .get_mut(call)
            .expect("live call")
            .held
            .take_per_try(order);
        self.release_held(site, held, false, sim_core::time::SimDuration::ZERO, sched);
        self.try_failed(call, failure, sched);
    }

    /// Ends an attempt: timers, connection, balancing counters, then the call's retry logic.
    pub(super) fn end_attempt(
        &mut self,
        attempt: AttemptRef,
        result: Result<(), Failure>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let c = self.calls.get_mut(attempt.call).expect("live call");
        let a = c
            .attempt
            .take()
            .filter(|a| a.no == attempt.no)
            .expect("live attempt");
        let site = c.site;
        if let Some(timer) = a.total_timer {
            sched.cancel(timer);
        }
        if let Some(timer) = a.phase_timer {
            sched.cancel(timer);
        }
        if let Some(server) = a.server {
            // If it is still working, nobody waits for it now (an answered request has left
            // the slab, and `abandon` returns at once).
            self.abandon(server, now);
        }
        if a.span != NO_SPAN
            && let Some(t) = &mut self.tracer
        {
            t.close(a.span, now, SpanStatus::Attempt(result));
        }
        let edge = self.sites[site as usize].edge;
        let replica = self.replica_of(a.to);
        self.sites[site as usize].in_flight_to[replica] -= 1;
        self.release_connection(attempt, &a, site, result.is_ok(), sched);
        if let Err(f) = result {
            self.edges[edge.idx()].metrics.counts.attempt_failures.add(f);
        }
        // gRPC A6 counts successes and retryable failures only.
        let counted = match result {
            Ok(()) => true,
            Err(f) => self
                .policy_of_site(site)
                .retry
                .as_ref()
                .is_some_and(|r| r.on.mask & f.bit() != 0),
        };
        if counted {
            self.budget_on_attempt(site, result.is_ok(), now);
        }
        if a.held != Held::NOTHING {
            self.release_held(
                site,
                a.held,
                result.is_ok(),
                now.saturating_since(a.started_at),
                sched,
            );
        }
        match result {
            Ok(()) => self.finish_call(attempt.call, Ok(()), sched),
            // Only an error answer that arrived carries a cause (`below` is set with it).
            Err(f) => {
                let below = a.below.filter(|_| f == Failure::ErrorResponse);
                self.try_failed_below(attempt.call, f, below, sched)
            }
        }
    }
}

/// The attempt `r` of `calls`, which must be in progress (a borrow of the calls alone, so the
/// rest of the world stays at hand).
#[inline]
pub(super) fn live_attempt(calls: &mut crate::slab::Slab<super::Call>, r: AttemptRef) -> &mut Attempt {
    calls
        .get_mut(r.call)
        .and_then(|c| c.attempt.as_mut())
        .filter(|a| a.no == r.no)
        .expect("live attempt")
}

/// The kinds of constant-delay timers a call site sets: each (site, kind) is one FIFO timer lane
/// of the event queue (`sim_core::queue` explains lanes).
#[derive(Copy, Clone)]
pub(super) enum LaneKind {
    Attempt,
    Pool,
    Connect,
    Write,
    Read,
}

/// How many [`LaneKind`]s there are (the last one's index + 1): the lanes of one site.
const LANE_KINDS: u32 = LaneKind::Read as u32 + 1;

/// The timer lane of a site's timers of one kind.
fn timer_lane(site: u32, kind: LaneKind) -> LaneId {
    LaneId(site * LANE_KINDS + kind as u32)
}
