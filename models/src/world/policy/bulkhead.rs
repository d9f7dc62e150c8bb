//! The world's side of a bulkhead (`crate::policy::bulkhead`): taking a permit, the bounded
//! wait (a `CallTimer`), handing a released permit to the first waiter, rejections, the
//! in-use gauge and the saturated / recovered log lines; a site's bulkhead state
//! ([`BulkheadRt`]) and its invariants.

use std::collections::VecDeque;

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::chain::Stage;
use crate::log::LogKind;
use crate::outcome::Failure;
use crate::policy::bulkhead::{Admission, Bulkhead, BulkheadConfig, BulkheadEvent};
use crate::policy::{PolicyEvent, PolicyGauge, Refusal};
use crate::slab::Key;
use crate::world::{CallPhase, Event, World};

/// A call site's bulkhead: the semaphore, the calls waiting for a permit (first come, first
/// served) and whether it is logged as saturated.
pub(crate) struct BulkheadRt {
    permits: Bulkhead,
    waiters: VecDeque<Key>,
    /// Logged as saturated (until at most half its permits are in use).
    saturated: bool,
}

impl BulkheadRt {
    /// A new client library's bulkhead: every permit free.
    pub(super) fn new(cfg: &BulkheadConfig) -> BulkheadRt {
        BulkheadRt {
            permits: Bulkhead::new(cfg.clone()),
            waiters: VecDeque::new(),
            saturated: false,
        }
    }

    /// Permits in use.
    pub(super) fn in_use(&self) -> u32 {
        self.permits.in_use()
    }

    /// Its counts within bounds: permits in use at most `cfg`'s limit, one queued call per
    /// waiter counted; otherwise what is wrong, for site `i`.
    pub(super) fn check(&self, i: usize, cfg: &BulkheadConfig) -> Option<String> {
        let b = &self.permits;
        if b.in_use() > cfg.max_concurrent {
            return Some(format!(
                "site {i}: bulkhead {} in use over {}",
                b.in_use(),
                cfg.max_concurrent
            ));
        }
        if b.waiting() as usize != self.waiters.len() {
            return Some(format!(
                "site {i}: bulkhead counts {} waiting, {} queued",
                b.waiting(),
                self.waiters.len()
            ));
        }
        None
    }
}

impl World {
    /// The bulkhead stage: a permit, possibly after waiting (up to `max_wait`, capped by the
    /// call's deadline).
    pub(in crate::world) fn acquire_bulkhead(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let c = &self.calls.get(call).expect("live call");
        let site = c.site as usize;
        let deadline_at = c.deadline_at;
        let Some(bulkhead) = &mut self.sites[site].policies.bulkhead else {
            return self.after_stage(call, Stage::Bulkhead, sched);
        };
        match bulkhead.permits.on_request() {
            Admission::Acquired => {
                self.note_bulkhead_acquired(site as u32, now);
                self.calls.get_mut(call).expect("live").held.bulkhead = true;
                self.after_stage(call, Stage::Bulkhead, sched);
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
                let bulkhead = self.sites[site].policies.bulkhead.as_mut().expect("bulkhead");
                bulkhead.waiters.push_back(call);
                let timer = sched.timer_at(until, Event::CallTimer { call });
                let c = self.calls.get_mut(call).expect("live");
                c.phase = CallPhase::StageWait(Stage::Bulkhead);
                c.timer = Some(timer);
            }
            Admission::Rejected => self.bulkhead_rejected(call, sched),
        }
    }

    fn bulkhead_rejected(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        self.trace_refusal(call, Failure::Refused(Refusal::Bulkhead), sched.now());
        let site = self.calls.get(call).expect("live").site;
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()]
            .metrics
            .on_rejection(Refusal::Bulkhead, sched.now());
        self.try_failed(call, Failure::Refused(Refusal::Bulkhead), sched);
    }

    /// A waiting call's `CallTimer`: a released permit was handed to it (it goes on), or its
    /// wait is over (it leaves the queue and is refused, or fails on its spent deadline).
    pub(super) fn on_bulkhead_wait_over(&mut self, call: Key, expired: bool, sched: &mut Scheduler<Event>) {
        let c = self.calls.get(call).expect("live call");
        if c.held.bulkhead {
            // The permit was handed over by a release.
            return self.after_stage(call, Stage::Bulkhead, sched);
        }
        let site = c.site as usize;
        let bulkhead = self.sites[site].policies.bulkhead.as_mut().expect("bulkhead");
        let pos = bulkhead
            .waiters
            .iter()
            .position(|&w| w == call)
            .expect("waiting call is queued");
        bulkhead.waiters.remove(pos);
        bulkhead.permits.on_wait_timeout();
        if expired {
            self.try_failed(call, Failure::DeadlineExceeded, sched);
        } else {
            self.bulkhead_rejected(call, sched);
        }
    }

    /// Gives a released bulkhead permit to the first waiter, or back to the pool.
    pub(in crate::world) fn release_bulkhead(&mut self, site: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let bulkhead = self.sites[site as usize]
            .policies
            .bulkhead
            .as_mut()
            .expect("bulkhead");
        if !bulkhead.permits.on_release() {
            self.note_bulkhead_released(site, now);
            return;
        }
        let waiter = bulkhead.waiters.pop_front().expect("a waiter took the permit");
        let c = self.calls.get_mut(waiter).expect("waiters are live calls");
        if let Some(timer) = c.timer.take() {
            sched.cancel(timer);
        }
        // The waiter resumes through the queue, at this instant: resuming it here could chain
        // (it fails at once, releases, the next waiter resumes...) one stack frame per waiter.
        c.held.bulkhead = true;
        c.timer = Some(sched.timer_in(
            sim_core::time::SimDuration::ZERO,
            Event::CallTimer { call: waiter },
        ));
    }

    /// A bulkhead permit was taken: log saturation when the last one goes.
    fn note_bulkhead_acquired(&mut self, site: u32, now: SimTime) {
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()]
            .metrics
            .add_policy_gauge(PolicyGauge::BulkheadInUse, now, 1);
        let bulkhead = self.sites[site as usize]
            .policies
            .bulkhead
            .as_mut()
            .expect("bulkhead");
        if !bulkhead.saturated && bulkhead.permits.is_saturated() {
            let max_concurrent = bulkhead.permits.in_use();
            bulkhead.saturated = true;
            self.log_with(now, |w| {
                LogKind::Policy(PolicyEvent::Bulkhead(BulkheadEvent::Saturated {
                    edge: w.cfg.edge_name(edge),
                    owner: w.site_owner(site),
                    max_concurrent,
                }))
            });
        }
    }

    /// A bulkhead permit went back: log recovery, with hysteresis, once at most half are in use
    /// (so a bulkhead running at its limit does not flap in the log).
    fn note_bulkhead_released(&mut self, site: u32, now: SimTime) {
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()]
            .metrics
            .add_policy_gauge(PolicyGauge::BulkheadInUse, now, -1);
        let max = self
            .policy_of_site(site)
            .bulkhead
            .as_ref()
            .expect("bulkhead")
            .max_concurrent;
        let bulkhead = self.sites[site as usize]
            .policies
            .bulkhead
            .as_mut()
            .expect("bulkhead");
        if bulkhead.saturated && bulkhead.permits.in_use() * 2 <= max {
            bulkhead.saturated = false;
            self.log_with(now, |w| {
                LogKind::Policy(PolicyEvent::Bulkhead(BulkheadEvent::Recovered {
                    edge: w.cfg.edge_name(edge),
                    owner: w.site_owner(site),
                }))
            });
        }
    }

    /// A new container's bulkhead replaced `old`: its permits in use disappear from the edge's
    /// gauge (its waiters went with their calls).
    pub(super) fn forget_bulkhead(&mut self, site: u32, old: &BulkheadRt, now: SimTime) {
        let old_in_use = old.in_use();
        if old_in_use > 0 {
            let edge = self.sites[site as usize].edge;
            self.edges[edge.idx()].metrics.add_policy_gauge(
                PolicyGauge::BulkheadInUse,
                now,
                -i64::from(old_in_use),
            );
        }
    }
}
