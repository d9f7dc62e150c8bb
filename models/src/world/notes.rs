//! Bookkeeping around policy state changes: breaker transitions (log, gauges, state history,
//! resilience4j's automatic timer), bulkhead saturation, and replacing a dead container's
//! client-library state.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::{Event, PoolRt, World};
use crate::config::Caller;
use crate::log::LogKind;
use crate::policy::breaker::{BreakerState, CircuitBreaker, Transition};
use crate::policy::bulkhead::Bulkhead;

impl World {
    /// The pod (or client) owning a site.
    pub(crate) fn site_owner(&self, site: u32) -> String {
        let s = &self.sites[site as usize];
        match s.pod {
            Some(pod) => self.pod_name(pod),
            None => match self.cfg.edges[s.edge.idx()].caller {
                Caller::Client(c) => self.cfg.clients[c as usize].name.clone(),
                Caller::Service(_) => unreachable!("service sites have a pod"),
            },
        }
    }

    /// Logs the entry `entry` builds, building it (names are `String`s) only if the log keeps
    /// it: frequent entries cost no allocation once the log is full.
    pub(super) fn log_with(&mut self, now: SimTime, entry: impl FnOnce(&World) -> LogKind) {
        if self.log.is_full() {
            self.log.count_dropped();
        } else {
            let kind = entry(self);
            self.log.push(now, kind);
        }
    }

    pub(super) fn note_breaker_transition(&mut self, site: u32, t: Transition, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let edge = self.sites[site as usize].edge;
        self.edges[edge.idx()].metrics.on_breaker(now, t.from, t.to);
        if let Some(h) = &mut self.sites[site as usize].breaker_history {
            h.record(now, t.to);
        }
        self.log_with(now, |w| LogKind::Breaker {
            edge: w.cfg.edge_name(edge),
            owner: w.site_owner(site),
            from: t.from,
            to: t.to,
            reason: t.reason.to_string(),
        });
        self.arm_breaker_timer(site, sched);
    }

    /// Schedules the breaker's own timer (resilience4j automatic OPEN → HALF_OPEN), if it has one.
    fn arm_breaker_timer(&mut self, site: u32, sched: &mut Scheduler<Event>) {
        let s = &mut self.sites[site as usize];
        if let Some(old) = s.breaker_timer.take() {
            sched.cancel(old);
        }
        if let Some(at) = s.breaker.as_ref().and_then(CircuitBreaker::next_timer) {
            s.breaker_timer = Some(sched.timer_at(at.max(sched.now()), Event::BreakerTimer { site }));
        }
    }

    pub(super) fn on_breaker_timer(&mut self, site: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let s = &mut self.sites[site as usize];
        s.breaker_timer = None;
        let Some(breaker) = &mut s.breaker else { return };
        if let Some(t) = breaker.on_timer(now) {
            self.note_breaker_transition(site, t, sched);
        }
    }

    /// A bulkhead permit was taken: log saturation when the last one goes.
    pub(super) fn note_bulkhead_acquired(&mut self, site: u32, now: SimTime) {
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
    pub(super) fn note_bulkhead_released(&mut self, site: u32, now: SimTime) {
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

    /// Reports a site's retry budget level change to its edge's gauge.
    pub(super) fn note_budget(&mut self, site: u32, now: SimTime) {
        let s = &mut self.sites[site as usize];
        let Some(budget) = &s.budget else { return };
        let level = (budget.level(now, s.active_calls).max(0.0) * 1000.0).round() as u64;
        let old = std::mem::replace(&mut s.budget_reported, level);
        if old != level {
            let edge = s.edge;
            let series = &mut self.edges[edge.idx()].metrics.series_budget;
            // `old` is this site's share of the sum, so the subtraction cannot underflow.
            let v = series.value() + level - old;
            series.set(now, v);
        }
    }

    /// A new container's client library for one site: fresh policies and pool, endpoints
    /// resolved anew. Gauges are corrected for the state that disappears.
    pub(super) fn replace_site(&mut self, site: u32, now: SimTime, sched: &mut Scheduler<Event>) {
        let s = &mut self.sites[site as usize];
        let edge = s.edge;
        let policy = &self.cfg.policies[s.policy.idx()];
        let callee = self.cfg.edges[edge.idx()].callee;
        if let Some(timer) = s.breaker_timer.take() {
            sched.cancel(timer);
        }
        let old_state = s.breaker.as_ref().map(CircuitBreaker::state);
        let old_in_use = s.bulkhead.as_ref().map_or(0, Bulkhead::in_use);
        (s.breaker, s.bulkhead, s.budget) = super::setup::policy_instances(policy, now);
        s.bulkhead_waiters.clear();
        s.bulkhead_saturated = false;
        let pool = s.pool as usize;
        s.view.clone_from(&self.services[callee.idx()].published);
        s.rr_next = 0;
        s.in_flight_to.iter_mut().for_each(|n| *n = 0);
        s.active_calls = 0;
        self.pools[pool] = PoolRt {
            open: 0,
            idle: Vec::new(),
            waiters: Default::default(),
        };
        if let Some(old) = old_state
            && old != BreakerState::Closed
        {
            if let Some(h) = &mut s.breaker_history {
                h.record(now, BreakerState::Closed);
            }
            self.edges[edge.idx()]
                .metrics
                .on_breaker(now, old, BreakerState::Closed);
        }
        if old_in_use > 0 {
            self.edges[edge.idx()]
                .metrics
                .add_bulkhead(now, -i64::from(old_in_use));
        }
        self.note_budget(site, now);
    }
}
