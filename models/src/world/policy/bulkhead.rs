//! The world's side of a bulkhead (`crate::policy::bulkhead`): taking a permit, the bounded
//! wait (a `CallTimer`), handing a released permit to the first waiter, rejections, the
//! in-use gauge and the saturated / recovered log lines.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::chain::Stage;
use crate::log::LogKind;
use crate::outcome::Failure;
use crate::policy::Refusal;
use crate::policy::bulkhead::Admission;
use crate::slab::Key;
use crate::world::{CallPhase, Event, World};

impl World {
    /// The bulkhead stage: a permit, possibly after waiting (up to `max_wait`, capped by the
    /// call's deadline).
    pub(in crate::world) fn acquire_bulkhead(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let c = &self.calls.get(call).expect("live call");
        let site = c.site as usize;
        let deadline_at = c.deadline_at;
        let Some(bulkhead) = &mut self.sites[site].bulkhead else {
            return self.after_stage(call, Stage::Bulkhead, sched);
        };
        match bulkhead.on_request() {
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
        self.edges[edge.idx()].metrics.on_rejection(Refusal::Bulkhead, sched.now());
        self.try_failed(call, Failure::BulkheadFull, sched);
    }

    /// A waiting call's `CallTimer`: a released permit was handed to it (it goes on), or its
    /// wait is over (it leaves the queue and is refused, or fails on its spent deadline).
    pub(in crate::world) fn on_bulkhead_wait_over(
        &mut self,
        call: Key,
        expired: bool,
        sched: &mut Scheduler<Event>,
    ) {
        let c = self.calls.get(call).expect("live call");
        if c.held.bulkhead {
            // The permit was handed over by a release.
            return self.after_stage(call, Stage::Bulkhead, sched);
        }
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

    /// Gives a released bulkhead permit to the first waiter, or back to the pool.
    pub(in crate::world) fn release_bulkhead(&mut self, site: u32, sched: &mut Scheduler<Event>) {
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
        c.held.bulkhead = true;
        c.timer = Some(sched.timer_in(
            sim_core::time::SimDuration::ZERO,
            Event::CallTimer { call: waiter },
        ));
    }

    /// A bulkhead permit was taken: log saturation when the last one goes.
    fn note_bulkhead_acquired(&mut self, site: u32, now: SimTime) {
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()].metrics.add_bulkhead(now, 1);
        let s = &self.sites[site as usize];
        let bulkhead = s.bulkhead.as_ref().expect("bulkhead");
        if !s.bulkhead_saturated && bulkhead.is_saturated() {
            let max_concurrent = bulkhead.in_use();
            self.sites[site as usize].bulkhead_saturated = true;
            self.log_with(now, |w| LogKind::BulkheadSaturated {
                edge: w.cfg.edge_name(edge),
                owner: w.site_owner(site),
                max_concurrent,
            });
        }
    }

    /// A bulkhead permit went back: log recovery, with hysteresis, once at most half are in use
    /// (so a bulkhead running at its limit does not flap in the log).
    fn note_bulkhead_released(&mut self, site: u32, now: SimTime) {
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()].metrics.add_bulkhead(now, -1);
        let s = &self.sites[site as usize];
        let in_use = s.bulkhead.as_ref().expect("bulkhead").in_use();
        let max = self
            .policy_of_site(site)
            .bulkhead
            .as_ref()
            .expect("bulkhead")
            .max_concurrent;
        if s.bulkhead_saturated && in_use * 2 <= max {
            self.sites[site as usize].bulkhead_saturated = false;
            self.log_with(now, |w| LogKind::BulkheadRecovered {
                edge: w.cfg.edge_name(edge),
                owner: w.site_owner(site),
            });
        }
    }

    /// A new container's bulkhead: its permits in use disappear from the edge's gauge.
    pub(in crate::world) fn forget_bulkhead(&mut self, site: u32, old_in_use: u32, now: SimTime) {
        let s = &mut self.sites[site as usize];
        s.bulkhead_waiters.clear();
        s.bulkhead_saturated = false;
        if old_in_use > 0 {
            let edge = s.edge;
            self.edges[edge.idx()]
                .metrics
                .add_bulkhead(now, -i64::from(old_in_use));
        }
    }
}
