//! The world's side of a circuit breaker (`crate::policy::breaker`): asking it before a call or
//! try, recording results, its transitions (the edge's state gauges, the state history for the
//! timeline's bands, a log line), resilience4j's automatic OPEN → HALF_OPEN timer
//! (`Event::BreakerTimer`), and closing it for a new container.

use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::chain::Stage;
use crate::ids::SiteIdx;
use crate::log::LogKind;
use crate::outcome::Failure;
use crate::policy::Refusal;
use crate::policy::breaker::{BreakerState, CircuitBreaker, Transition};
use crate::slab::Key;
use crate::world::{Event, World};

impl World {
    /// The breaker stage: permitted calls go on, refused ones fail as `breaker_open`.
    pub(in crate::world) fn ask_breaker(&mut self, call: Key, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let site = self.calls.get(call).expect("live call").site;
        let Some(breaker) = &mut self.sites[site as usize].breaker else {
            return self.after_stage(call, Stage::Breaker, sched);
        };
        let (admission, transition) = breaker.try_acquire(now);
        if let Some(t) = transition {
            self.note_breaker_transition(site, t, sched);
        }
        match admission {
            Ok(()) => {
                self.calls.get_mut(call).expect("live").held.breaker = true;
                self.after_stage(call, Stage::Breaker, sched);
            }
            Err(_) => {
                self.trace_refusal(call, Failure::Refused(Refusal::Breaker), now);
                let edge = self.sites[site as usize].edge;
                self.edges[edge.idx()].metrics.on_rejection(Refusal::Breaker, now);
                self.try_failed(call, Failure::Refused(Refusal::Breaker), sched);
            }
        }
    }

    /// Records a permitted call's (or attempt's) result in the site's breaker.
    pub(in crate::world) fn record_breaker(
        &mut self,
        site: u32,
        success: bool,
        duration: SimDuration,
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

    fn note_breaker_transition(&mut self, site: u32, t: Transition, sched: &mut Scheduler<Event>) {
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
            s.breaker_timer =
                Some(sched.timer_at(at.max(sched.now()), Event::BreakerTimer { site: SiteIdx(site) }));
        }
    }

    /// `Event::BreakerTimer`: resilience4j's automatic OPEN → HALF_OPEN.
    pub(in crate::world) fn on_breaker_timer(&mut self, site: SiteIdx, sched: &mut Scheduler<Event>) {
        let site = site.0;
        let now = sched.now();
        let s = &mut self.sites[site as usize];
        s.breaker_timer = None;
        let Some(breaker) = &mut s.breaker else { return };
        if let Some(t) = breaker.on_timer(now) {
            self.note_breaker_transition(site, t, sched);
        }
    }

    /// A new container's breaker starts closed: the old one's state leaves the gauges and the
    /// history (`old`: the state before the new instance replaced it).
    pub(in crate::world) fn forget_breaker(&mut self, site: u32, old: Option<BreakerState>, now: SimTime) {
        let s = &mut self.sites[site as usize];
        if let Some(old) = old
            && old != BreakerState::Closed
        {
            if let Some(h) = &mut s.breaker_history {
                h.record(now, BreakerState::Closed);
            }
            let edge = s.edge;
            self.edges[edge.idx()]
                .metrics
                .on_breaker(now, old, BreakerState::Closed);
        }
    }
}
