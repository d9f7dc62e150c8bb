//! The world's side of retries (`crate::config::RetryConfig`, `crate::policy::backoff`): the
//! retry loop's tries (the `Retry` stage counts them), the decision after a failed try
//! (retryable? attempts left? deadline? budget?) and the backoff sleep (a `CallTimer`).

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::chain::{self, Stage};
use crate::outcome::{Cause, Failure};
use crate::slab::Key;
use crate::world::{CallPhase, Event, World};

impl World {
    /// A new iteration of the retry loop starts (the `Retry` stage).
    pub(in crate::world) fn count_try(&mut self, call: Key, now: SimTime) {
        let c = self.calls.get_mut(call).expect("live call");
        c.attempts += 1;
        if c.attempts > 1 {
            let edge = self.sites[c.site as usize].edge;
            let m = &mut self.edges[edge.idx()].metrics;
            m.counts.retries += 1;
            m.series_retries.add(now, 1);
        }
    }

    /// A try failed (an attempt, or a refusal by a stage before the attempt, `chain::refused_by`):
    /// retry after a backoff if the policy allows, otherwise finish the call.
    pub(in crate::world) fn try_failed(&mut self, call: Key, failure: Failure, sched: &mut Scheduler<Event>) {
        self.try_failed_below(call, failure, None, sched);
    }

    /// [`World::try_failed`] for an attempt whose `error_response` carried the cause `below`
    /// (`crate::causes`): the call keeps the last try's cause.
    pub(in crate::world) fn try_failed_below(
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
        let order = self.policy_of_site(site).order;
        // A refusal by a stage outside the retry loop (in the lesson's order, every refusing
        // stage: `chain.rs`) is not retried.
        let outside_retry = chain::refused_by(failure).is_some_and(|stage| !chain::per_try(order, stage));
        let Some(retry) = &self.policy_of_site(site).retry else {
            return self.finish_call(call, Err(failure), sched);
        };
        if outside_retry || retry.on.mask & failure.bit() == 0 || attempts >= retry.max_attempts {
            return self.finish_call(call, Err(failure), sched);
        }
        if deadline_at.is_some_and(|d| now >= d) {
            return self.finish_call(call, Err(Failure::DeadlineExceeded), sched);
        }
        if !self.budget_grants_retry(site, now) {
            return self.finish_call(call, Err(failure), sched);
        }
        let c = self.calls.get_mut(call).expect("live call");
        c.retry_granted = true;
        let retry_index = attempts.saturating_sub(1);
        // The policy read in place (fields apart from the call and the site it updates).
        let s = &mut self.sites[site as usize];
        let backoff = &self.cfg.policies[s.policy.idx()]
            .retry
            .as_ref()
            .expect("a retry policy")
            .backoff;
        let mut sleep = backoff.next_sleep(retry_index, &mut c.backoff, &mut s.rng);
        if let Some(d) = deadline_at {
            sleep = sleep.min(d.saturating_since(now));
        }
        c.phase = CallPhase::Backoff;
        c.timer = Some(sched.timer_in(sleep, Event::CallTimer { call }));
    }

    /// A backoff sleep's `CallTimer`: the next try starts, unless the deadline is spent.
    pub(in crate::world) fn on_backoff_over(
        &mut self,
        call: Key,
        expired: bool,
        sched: &mut Scheduler<Event>,
    ) {
        if expired {
            return self.finish_call(call, Err(Failure::DeadlineExceeded), sched);
        }
        self.run_stage(call, Stage::Retry, sched);
    }
}
