//! One logical call on an edge: the policy composition around its attempts.
//!
//! Lesson order (bulkhead → breaker → retry → attempt): the call takes one bulkhead permit
//! (waiting up to `max_wait`), asks the breaker once, then runs attempts with retries and
//! backoff inside; the breaker records the call's final result.
//!
//! Resilience4j order (retry → breaker → bulkhead → attempt): every try asks the breaker and the
//! bulkhead, so "breaker open" and "bulkhead full" are retryable outcomes, and the breaker
//! records each attempt.
//!
//! Under a deadline, every wait (bulkhead, backoff, attempt) is capped at the remaining budget,
//! and no attempt starts once it is spent: the call fails as `deadline_exceeded`.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::{Call, CallOwner, CallPhase, Event, World};
use crate::config::{Fallback, PolicyConfig, PolicyOrder};
use crate::outcome::{Cause, Failure, Outcome};
use crate::policy::backoff::BackoffState;
use crate::policy::bulkhead::Admission;
use crate::slab::Key;
use crate::trace::{NEW_ROOT, NO_SPAN, SpanKind, SpanStatus, span};

impl World {
    #[inline]
    pub(super) fn policy_of_site(&self, site: u32) -> &PolicyConfig {
        &self.cfg.policies[self.sites[site as usize].policy.idx()]
    }

    /// Starts a call from `site` for `owner`. `deadline_cap` is the owner's own deadline, if it
    /// has one and honours it; `parent_span` the owner's trace span (`NO_SPAN`: not traced,
    /// `NEW_ROOT`: a sampled client request).
    pub(super) fn start_call(
        &mut self,
        site: u32,
        owner: CallOwner,
        required: bool,
        deadline_cap: Option<SimTime>,
        parent_span: u32,
        sched: &mut Scheduler<Event>,
    ) -> Key {
        let now = sched.now();
        let policy = self.policy_of_site(site);
        let order = policy.order;
        let mut deadline_at = policy.deadline.map(|d| now.saturating_add(d));
        if let Some(cap) = deadline_cap {
            deadline_at = Some(deadline_at.map_or(cap, |d| d.min(cap)));
        }
        let call = self.calls.insert(Call {
            site,
            owner,
            required,
            started_at: now,
            deadline_at,
            phase: CallPhase::Backoff,
            attempts: 0,
            backoff: BackoffState::new(),
            timer: None,
            holds_bulkhead: false,
            breaker_permitted: false,
            retry_granted: false,
            last_failure: None,
            last_cause: None,
            attempt: None,
            attempt_no: 0,
            degraded_answer: false,
            next_sibling: None,
            span: NO_SPAN,
        });
        if let CallOwner::Request(request) = owner {
            self.link_call(request, call);
        }
        let edge = self.sites[site as usize].edge;
        if parent_span != NO_SPAN {
            self.trace_call(call, edge, site, parent_span, now);
        }
        let m = &mut self.edges[edge.idx()].metrics;
        m.calls += 1;
        m.series_calls.add(now, 1);
        let s = &mut self.sites[site as usize];
        s.active_calls += 1;
        if let Some(budget) = &mut s.budget {
            budget.on_request(now);
            self.note_budget(site, now);
        }
        match order {
            PolicyOrder::Lesson => self.acquire_bulkhead(call, sched),
            PolicyOrder::Resilience4j => self.begin_try(call, sched),
        }
        call
    }

    /// Lesson order, step 1 (and resilience4j order, per try, after the breaker): a bulkhead
    /// permit, possibly after waiting.
    fn acquire_bulkhead(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let c = &self.calls.get(call).expect("live call");
        let site = c.site as usize;
        let deadline_at = c.deadline_at;
        let Some(bulkhead) = &mut self.sites[site].bulkhead else {
            return self.after_bulkhead(call, sched);
        };
        match bulkhead.on_request() {
            Admission::Acquired => {
                self.note_bulkhead_acquired(site as u32, now);
                self.calls.get_mut(call).expect("live").holds_bulkhead = true;
                self.after_bulkhead(call, sched);
            }
            Admission::MustWait => {
                let max_wait = self
                    .policy_of_site(site as u32)
                    .bulkhead
                    .as_ref()
                    .expect("bulkhead")
                    .max_wait;
                let mut until = now.saturating_add(max_wait);
                if let Some(d) = deadline_at {
                    // A deadline already spent ends the wait at once (never a timer in the past).
                    until = until.min(d.max(now));
                }
                self.sites[site].bulkhead_waiters.push_back(call);
                let timer = sched.timer_at(until, Event::CallTimer { call });
                let c = self.calls.get_mut(call).expect("live");
                c.phase = CallPhase::BulkheadWait;
                c.timer = Some(timer);
            }
            Admission::Rejected => self.bulkhead_rejected(call, sched),
        }
    }

    fn bulkhead_rejected(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        self.trace_refusal(call, Failure::BulkheadFull, sched.now());
        let site = self.calls.get(call).expect("live").site;
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()].metrics.on_bulkhead_rejection(sched.now());
        self.try_failed(call, Failure::BulkheadFull, sched);
    }

    fn after_bulkhead(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let site = self.calls.get(call).expect("live").site;
        match self.policy_of_site(site).order {
            PolicyOrder::Lesson => self.ask_breaker(call, sched),
            PolicyOrder::Resilience4j => self.begin_attempt(call, sched),
        }
    }

    /// Resilience4j order: one try = breaker, then bulkhead, then the attempt.
    fn begin_try(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        self.count_try(call, sched.now());
        self.ask_breaker(call, sched);
    }

    /// A new iteration of the retry loop starts (attempt in lesson order, try in resilience4j's).
    pub(super) fn count_try(&mut self, call: Key, now: SimTime) {
        let c = self.calls.get_mut(call).expect("live call");
        c.attempts += 1;
        if c.attempts > 1 {
            let edge = self.sites[c.site as usize].edge;
            let m = &mut self.edges[edge.idx()].metrics;
            m.retries += 1;
            m.series_retries.add(now, 1);
        }
    }

    fn ask_breaker(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let site = self.calls.get(call).expect("live call").site;
        let Some(breaker) = &mut self.sites[site as usize].breaker else {
            return self.after_breaker(call, sched);
        };
        let (admission, transition) = breaker.try_acquire(now);
        if let Some(t) = transition {
            self.note_breaker_transition(site, t, sched);
        }
        match admission {
            Ok(()) => {
                self.calls.get_mut(call).expect("live").breaker_permitted = true;
                self.after_breaker(call, sched);
            }
            Err(_) => {
                self.trace_refusal(call, Failure::BreakerOpen, now);
                let edge = self.sites[site as usize].edge;
                self.edges[edge.idx()].metrics.on_breaker_rejection(now);
                self.try_failed(call, Failure::BreakerOpen, sched);
            }
        }
    }

    fn after_breaker(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let site = self.calls.get(call).expect("live").site;
        match self.policy_of_site(site).order {
            PolicyOrder::Lesson => self.begin_attempt(call, sched),
            PolicyOrder::Resilience4j => self.acquire_bulkhead(call, sched),
        }
    }

    /// A bulkhead wait or a backoff sleep ended.
    pub(super) fn on_call_timer(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(c) = self.calls.get_mut(call) else { return };
        c.timer = None;
        let expired = c.deadline_at.is_some_and(|d| now >= d);
        let call_site = c.site;
        match c.phase {
            CallPhase::BulkheadWait if c.holds_bulkhead => {
                // The permit was handed over by a release.
                self.after_bulkhead(call, sched);
            }
            CallPhase::BulkheadWait => {
                let site = c.site as usize;
                let waiters = &mut self.sites[site].bulkhead_waiters;
                let pos = waiters
                    .iter()
                    .position(|&w| w == call)
                    .expect("waiting call is queued");
                waiters.remove(pos);
                self.sites[site]
                    .bulkhead
                    .as_mut()
                    .expect("bulkhead")
                    .on_wait_timeout();
                if expired {
                    self.try_failed(call, Failure::DeadlineExceeded, sched);
                } else {
                    self.bulkhead_rejected(call, sched);
                }
            }
            CallPhase::Backoff => {
                if expired {
                    return self.finish_call(call, Err(Failure::DeadlineExceeded), sched);
                }
                match self.policy_of_site(call_site).order {
                    PolicyOrder::Lesson => self.begin_attempt(call, sched),
                    PolicyOrder::Resilience4j => self.begin_try(call, sched),
                }
            }
            CallPhase::Attempting => unreachable!("no call timer while attempting"),
        }
    }

    /// A try failed (an attempt, or a refusal by the breaker or bulkhead before the attempt):
    /// retry after a backoff if the policy allows, otherwise finish the call.
    pub(super) fn try_failed(&mut self, call: Key, failure: Failure, sched: &mut Scheduler<Event>) {
        self.try_failed_below(call, failure, None, sched);
    }

    /// [`World::try_failed`] for an attempt whose `error_response` carried the cause `below`.
    pub(super) fn try_failed_below(
        &mut self,
        call: Key,
        failure: Failure,
        below: Option<Cause>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        self.release_retry_grant(call, now);
        let c = self.calls.get_mut(call).expect("live call");
        let edge = self.sites[c.site as usize].edge;
        c.last_failure = Some(failure);
        c.last_cause = Some(Cause::of(failure, edge, below));
        let site = c.site;
        let attempts = c.attempts;
        let deadline_at = c.deadline_at;
        let in_lesson_order = self.policy_of_site(site).order == PolicyOrder::Lesson;
        // In lesson order, breaker and bulkhead refusals happen outside the retry loop.
        let outside_retry =
            in_lesson_order && matches!(failure, Failure::BreakerOpen | Failure::BulkheadFull);
        let Some(retry) = self.policy_of_site(site).retry.clone() else {
            return self.finish_call(call, Err(failure), sched);
        };
        if outside_retry || retry.on.mask & failure.bit() == 0 || attempts >= retry.max_attempts {
            return self.finish_call(call, Err(failure), sched);
        }
        if deadline_at.is_some_and(|d| now >= d) {
            return self.finish_call(call, Err(Failure::DeadlineExceeded), sched);
        }
        let s = &mut self.sites[site as usize];
        let active = s.active_calls;
        if let Some(budget) = &mut s.budget {
            let granted = budget.try_retry(now, active);
            self.note_budget(site, now);
            if !granted {
                let edge = self.sites[site as usize].edge;
                self.edges[edge.idx()].metrics.on_budget_rejection(now);
                return self.finish_call(call, Err(failure), sched);
            }
        }
        let c = self.calls.get_mut(call).expect("live call");
        c.retry_granted = true;
        let retry_index = attempts.saturating_sub(1);
        let mut sleep =
            retry
                .backoff
                .next_sleep(retry_index, &mut c.backoff, &mut self.sites[site as usize].rng);
        if let Some(d) = deadline_at {
            sleep = sleep.min(d.saturating_since(now));
        }
        c.phase = CallPhase::Backoff;
        c.timer = Some(sched.timer_in(sleep, Event::CallTimer { call }));
    }

    /// Ends a granted retry (its try is over, or it will not run because the call ended).
    fn release_retry_grant(&mut self, call: Key, now: SimTime) {
        let c = self.calls.get_mut(call).expect("live call");
        if std::mem::take(&mut c.retry_granted) {
            let site = c.site as usize;
            if let Some(budget) = &mut self.sites[site].budget {
                budget.on_retry_finished(now);
                self.note_budget(site as u32, now);
            }
        }
    }

    /// Ends a call: release what it holds, apply the fallback, report to the owner.
    pub(super) fn finish_call(
        &mut self,
        call: Key,
        result: Result<(), Failure>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        self.release_retry_grant(call, now);
        let c = self.calls.remove(call).expect("live call");
        if let CallOwner::Request(request) = c.owner {
            self.unlink_call(request, call, c.next_sibling);
        }
        if let Some(timer) = c.timer {
            sched.cancel(timer);
        }
        let site = c.site;
        let edge = self.sites[site as usize].edge;
        self.sites[site as usize].active_calls -= 1;
        if c.holds_bulkhead {
            self.release_bulkhead(site, sched);
        }
        if c.breaker_permitted {
            self.record_breaker(site, result.is_ok(), now.saturating_since(c.started_at), sched);
        }
        let fallback = self.policy_of_site(site).fallback;
        let outcome = match result {
            Ok(()) if c.degraded_answer => {
                self.edges[edge.idx()].metrics.degraded_answers += 1;
                Outcome::Degraded
            }
            Ok(()) => Outcome::Ok,
            Err(_) if c.owner == CallOwner::Deferred => {
                Outcome::Failed(c.last_failure.unwrap_or(Failure::Rejected))
            }
            Err(f) => match fallback {
                Fallback::Fail => Outcome::Failed(f),
                Fallback::Degrade => {
                    self.edges[edge.idx()].metrics.fallback_degrade += 1;
                    Outcome::Degraded
                }
                Fallback::Defer { .. } => {
                    self.defer(edge, sched);
                    Outcome::Degraded
                }
            },
        };
        // The last try's cause when the call fails with the last try's failure; otherwise the
        // call failed for a reason of its own (its deadline ran out during a backoff).
        let cause = match (outcome, c.last_cause) {
            (Outcome::Failed(f), Some(last)) if c.last_failure == Some(f) => Some(last),
            (Outcome::Failed(f), _) => Some(Cause::of(f, edge, None)),
            _ => None,
        };
        let m = &mut self.edges[edge.idx()].metrics;
        m.call_latency
            .record(now.saturating_since(c.started_at).as_nanos());
        m.on_outcome(now, outcome);
        if c.span != NO_SPAN
            && let Some(t) = &mut self.tracer
        {
            t.close(c.span, now, SpanStatus::Outcome(outcome));
        }
        match c.owner {
            CallOwner::Request(req) => self.on_request_call_done(req, outcome, cause, c.required, sched),
            CallOwner::User { client, user } => {
                self.on_client_outcome(client, Some(user), outcome, cause, c.started_at, sched)
            }
            CallOwner::Client { client } => {
                self.on_client_outcome(client, None, outcome, cause, c.started_at, sched)
            }
            CallOwner::Deferred => self.on_deferred_done(edge, outcome, sched),
        }
    }

    /// Gives a released bulkhead permit to the first waiter, or back to the pool.
    pub(super) fn release_bulkhead(&mut self, site: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let s = &mut self.sites[site as usize];
        let handed = s.bulkhead.as_mut().expect("bulkhead").on_release();
        if !handed {
            self.note_bulkhead_released(site, now);
            return;
        }
        let waiter = s.bulkhead_waiters.pop_front().expect("a waiter took the permit");
        let c = self.calls.get_mut(waiter).expect("waiters are live calls");
        if let Some(timer) = c.timer.take() {
            sched.cancel(timer);
        }
        // The waiter resumes through the queue, at this instant: resuming it here could chain
        // (it fails at once, releases, the next waiter resumes...) one stack frame per waiter.
        c.holds_bulkhead = true;
        c.timer = Some(sched.timer_in(
            sim_core::time::SimDuration::ZERO,
            Event::CallTimer { call: waiter },
        ));
    }

    /// Records a permitted call's (or attempt's) result in the site's breaker.
    pub(super) fn record_breaker(
        &mut self,
        site: u32,
        success: bool,
        duration: sim_core::time::SimDuration,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let Some(breaker) = &mut self.sites[site as usize].breaker else {
            return;
        };
        if let Some(t) = breaker.on_result(now, success, duration) {
            self.note_breaker_transition(site, t, sched);
        }
    }

    /// Opens the trace span of a call whose owner is traced.
    fn trace_call(&mut self, call: Key, edge: crate::ids::EdgeIdx, site: u32, parent: u32, now: SimTime) {
        let Some(tracer) = &mut self.tracer else { return };
        let pod = self.sites[site as usize].pod.map_or(NO_SPAN, |p| p.0);
        let (kind, parent) = if parent == NEW_ROOT {
            (SpanKind::Request, NO_SPAN)
        } else {
            (SpanKind::Call, parent)
        };
        let id = tracer.open(span(kind, parent, now, edge.0, pod));
        self.calls.get_mut(call).expect("live").span = id;
    }

    /// Records a try refused before it reached the network (breaker open, bulkhead full) as a
    /// zero-length attempt span, so traces show fail-fast.
    fn trace_refusal(&mut self, call: Key, failure: Failure, now: SimTime) {
        let c = self.calls.get(call).expect("live call");
        let (parent, site, tries) = (c.span, c.site, c.attempts.max(1));
        let Some(tracer) = &mut self.tracer else { return };
        if parent == NO_SPAN {
            return;
        }
        let edge = self.sites[site as usize].edge;
        let mut s = span(SpanKind::Attempt, parent, now, edge.0, NO_SPAN);
        s.attempt = tries;
        s.breaker = self.sites[site as usize]
            .breaker
            .as_ref()
            .map(crate::policy::breaker::CircuitBreaker::state);
        let id = tracer.open(s);
        tracer.close(id, now, SpanStatus::Attempt(Err(failure)));
    }
}
