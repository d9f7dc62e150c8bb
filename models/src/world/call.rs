//! One logical call on an edge: its start, its timer, its end (releasing what it holds, the
//! fallback, the outcome reported to its owner). The policies around its attempts run as the
//! stages of `policy/chain.rs`, each in its room under `policy/`.
//!
//! Under a deadline, every wait (at a stage, a backoff, an attempt) is capped at the remaining
//! budget, and no attempt starts once it is spent: the call fails as `deadline_exceeded`.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::policy::chain::{self, Held};
use super::{Call, CallOwner, CallPhase, Event, World};
use crate::config::{Fallback, PolicyConfig};
use crate::outcome::{Cause, Failure, Outcome};
use crate::policy::backoff::BackoffState;
use crate::slab::Key;
use crate::trace::{NEW_ROOT, NO_SPAN, SpanKind, SpanStatus, span};

/// What `finish_call` needs of the call it ends: copied out of the slab, not the whole call.
#[derive(Copy, Clone)]
struct Ended {
    site: u32,
    owner: CallOwner,
    required: bool,
    started_at: SimTime,
    timer: Option<sim_core::queue::TimerKey>,
    held: Held,
    last_failure: Option<Failure>,
    last_cause: Option<Cause>,
    degraded_answer: bool,
    next_sibling: Option<Key>,
    span: u32,
}

impl Ended {
    fn of(c: &Call) -> Ended {
        Ended {
            site: c.site,
            owner: c.owner,
            required: c.required,
            started_at: c.started_at,
            timer: c.timer,
            held: c.held,
            last_failure: c.last_failure,
            last_cause: c.last_cause,
            degraded_answer: c.degraded_answer,
            next_sibling: c.next_sibling,
            span: c.span,
        }
    }
}

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
        let absent = chain::absent_stages(policy);
        let mut deadline_at = policy.deadline.map(|d| now.saturating_add(d));
        if let Some(cap) = deadline_cap {
            deadline_at = Some(deadline_at.map_or(cap, |d| d.min(cap)));
        }
        let call = self.calls.insert(Call {
            site,
            order,
            absent,
            owner,
            required,
            started_at: now,
            deadline_at,
            phase: CallPhase::Backoff,
            attempts: 0,
            backoff: BackoffState::new(),
            timer: None,
            held: Held::NOTHING,
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
        m.counts.calls += 1;
        m.series_calls.add(now, 1);
        self.sites[site as usize].active_calls += 1;
        self.budget_on_call(site, now);
        let first = chain::present_from(order, chain::first_stage(order), absent);
        self.run_stage(call, first, sched);
        call
    }

    /// `Event::CallTimer`: a wait at a stage (handed to the stage's room by `policy/chain.rs`)
    /// or a backoff sleep (`policy/retry.rs`) ended.
    pub(super) fn on_call_timer(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let Some(c) = self.calls.get_mut(call) else { return };
        c.timer = None;
        let expired = c.deadline_at.is_some_and(|d| now >= d);
        match c.phase {
            CallPhase::StageWait(stage) => self.on_stage_wait_over(stage, call, expired, sched),
            CallPhase::Backoff => self.on_backoff_over(call, expired, sched),
            CallPhase::Attempting => unreachable!("no call timer while attempting"),
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
        let c = self.calls.remove_with(call, Ended::of).expect("live call");
        if let CallOwner::Request(request) = c.owner {
            self.unlink_call(request, call, c.next_sibling);
        }
        if let Some(timer) = c.timer {
            sched.cancel(timer);
        }
        let site = c.site;
        let edge = self.sites[site as usize].edge;
        self.sites[site as usize].active_calls -= 1;
        if c.held != Held::NOTHING {
            self.release_held(
                site,
                c.held,
                result.is_ok(),
                now.saturating_since(c.started_at),
                sched,
            );
        }
        let fallback = self.policy_of_site(site).fallback;
        let outcome = match result {
            Ok(()) if c.degraded_answer => {
                self.edges[edge.idx()].metrics.counts.degraded_answers += 1;
                Outcome::Degraded
            }
            Ok(()) => Outcome::Ok,
            Err(_) if c.owner == CallOwner::Deferred => {
                Outcome::Failed(c.last_failure.unwrap_or(Failure::Rejected))
            }
            Err(f) => match fallback {
                Fallback::Fail => Outcome::Failed(f),
                Fallback::Degrade => {
                    self.edges[edge.idx()].metrics.counts.fallback_degrade += 1;
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
        // A client's own call is its request: its latency is recorded once, by the client
        // (`on_client_outcome`), and merged into its edge's when the run ends.
        if !matches!(c.owner, CallOwner::Client { .. } | CallOwner::User { .. }) {
            m.call_latency
                .record(now.saturating_since(c.started_at).as_nanos());
        }
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

    /// Records a try refused before it reached the network (by a stage: `chain::refused_by`) as a
    /// zero-length attempt span, so traces show fail-fast.
    pub(super) fn trace_refusal(&mut self, call: Key, failure: Failure, now: SimTime) {
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
