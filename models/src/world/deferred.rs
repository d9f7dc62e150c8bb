//! Work deferred by the `Defer` fallback (the lesson's "queue for later classification"): the
//! caller answers at once with a default, and the edge keeps the work in a durable queue that
//! is drained one item at a time, every `retry_every` while it fails, back to back once the
//! callee answers again. Pending work is counted until done.

use sim_core::sim::Scheduler;

use super::{CallOwner, Event, PodPhase, World};
use crate::config::{Caller, Fallback};
use crate::ids::EdgeIdx;
use crate::outcome::Outcome;

/// An edge's deferred-work queue (a count: the items carry no data).
#[derive(Clone, Debug, Default)]
pub(crate) struct DeferredRt {
    pub(crate) pending: u32,
    pub(crate) in_progress: bool,
    pub(crate) drain_scheduled: bool,
}

impl DeferredRt {
    pub(crate) fn new() -> DeferredRt {
        DeferredRt::default()
    }
}

impl World {
    fn defer_config(&self, edge: EdgeIdx) -> (sim_core::time::SimDuration, u32) {
        match self.cfg.policies[self.cfg.edges[edge.idx()].policy.idx()].fallback {
            Fallback::Defer {
                retry_every,
                capacity,
            } => (retry_every, capacity),
            _ => unreachable!("deferred work only on edges with a Defer fallback"),
        }
    }

    /// Queues one item of work on `edge`.
    pub(super) fn defer(&mut self, edge: EdgeIdx, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let (retry_every, capacity) = self.defer_config(edge);
        let e = &mut self.edges[edge.idx()];
        if e.deferred.pending >= capacity {
            e.metrics.counts.deferred_dropped += 1;
            return;
        }
        e.metrics.counts.fallback_defer += 1;
        e.deferred.pending += 1;
        e.metrics.series_deferred.set(now, u64::from(e.deferred.pending));
        if !e.deferred.drain_scheduled && !e.deferred.in_progress {
            e.deferred.drain_scheduled = true;
            sched.schedule_in(retry_every, Event::DeferredDrain { edge });
        }
    }

    pub(super) fn on_deferred_drain(&mut self, edge: EdgeIdx, sched: &mut Scheduler<Event>) {
        let (retry_every, _) = self.defer_config(edge);
        let d = &mut self.edges[edge.idx()].deferred;
        d.drain_scheduled = false;
        if d.pending == 0 || d.in_progress {
            return;
        }
        let site = match self.cfg.edges[edge.idx()].caller {
            Caller::Client(c) => Some(self.clients[c as usize].site),
            Caller::Service(s) => {
                let first = self.services[s.idx()].first_pod;
                (first..first + self.cfg.services[s.idx()].replicas)
                    .find(|&p| self.pods[p as usize].phase == PodPhase::Running)
                    .map(|p| self.site_of(crate::ids::PodIdx(p), edge))
            }
        };
        let Some(site) = site else {
            // No caller pod is up to do the work: try again later.
            self.edges[edge.idx()].deferred.drain_scheduled = true;
            sched.schedule_in(retry_every, Event::DeferredDrain { edge });
            return;
        };
        self.edges[edge.idx()].deferred.in_progress = true;
        self.start_call(
            site,
            CallOwner::Deferred,
            false,
            None,
            crate::trace::NO_SPAN,
            sched,
        );
    }

    /// A deferred item's call ended.
    pub(super) fn on_deferred_done(&mut self, edge: EdgeIdx, outcome: Outcome, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let (retry_every, _) = self.defer_config(edge);
        let e = &mut self.edges[edge.idx()];
        e.deferred.in_progress = false;
        // A degraded answer is an answer: the item is done.
        let delay = if !matches!(outcome, Outcome::Failed(_)) {
            e.deferred.pending -= 1;
            e.metrics.counts.deferred_done += 1;
            e.metrics.series_deferred.set(now, u64::from(e.deferred.pending));
            sim_core::time::SimDuration::ZERO
        } else {
            retry_every
        };
        if e.deferred.pending > 0 && !e.deferred.drain_scheduled {
            e.deferred.drain_scheduled = true;
            sched.schedule_in(delay, Event::DeferredDrain { edge });
        }
    }
}
