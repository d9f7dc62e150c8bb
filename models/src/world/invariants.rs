//! Invariant checking for swarm testing: after every event (when enabled), capacities are
//! within bounds, counts agree with each other, every client request is either finished or in
//! flight, breakers move only along legal edges. The first violation is kept with its time and
//! event number, so a failure can be reproduced and shrunk.

use sim_core::time::SimTime;

use super::{CallOwner, World};
use crate::policy::breaker::{BreakerState, is_legal};

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// When it was noticed.
    pub at: SimTime,
    /// After how many events.
    pub event: u64,
    /// What is wrong, in words.
    pub what: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "t={} after event {}: {}", self.at, self.event, self.what)
    }
}

/// Checking state.
#[derive(Clone, Debug)]
pub(crate) struct Checks {
    pub(crate) first: Option<Violation>,
    last_time: SimTime,
    /// Events handled so far (top level, not zero-latency hops), counted while no violation
    /// has been found.
    events: u64,
    /// Breaker state per site as last seen, to check every change is a legal edge.
    breaker_seen: Vec<Option<BreakerState>>,
    /// The event after which the full checks run next.
    next_full: u64,
}

/// The fewest events between two runs of the O(live objects) checks (the cheap ones run after
/// every event). With more live calls and requests than this, the gap is their number, so the
/// full checks cost at most about one object per event however large the world grows.
const FULL_EVERY: u64 = 256;

impl World {
    /// Turns invariant checking on (before the run starts).
    pub fn enable_checks(&mut self) {
        let seen = self
            .sites
            .iter()
            .map(|s| s.breaker.as_ref().map(|b| b.state()))
            .collect();
        self.checks = Some(Checks {
            first: None,
            last_time: SimTime::ZERO,
            events: 0,
            breaker_seen: seen,
            next_full: FULL_EVERY,
        });
    }

    /// The first violation found, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.checks.as_ref().and_then(|c| c.first.as_ref())
    }

    /// Counts the event just handled and runs the checks due after it.
    pub(super) fn check_after_event(&mut self, now: SimTime) {
        let checks = self.checks.as_mut().expect("checks enabled");
        if checks.first.is_some() {
            return;
        }
        checks.events += 1;
        let (event, next_full) = (checks.events, checks.next_full);
        let mut problem = self.check_cheap(now);
        if problem.is_none() && event >= next_full {
            problem = self.check_full();
            let live = (self.calls.len() + self.requests.len()) as u64;
            self.checks.as_mut().expect("checks enabled").next_full = event + live.max(FULL_EVERY);
        }
        let checks = self.checks.as_mut().expect("checks enabled");
        checks.last_time = now;
        if let Some(what) = problem {
            checks.first = Some(Violation { at: now, event, what });
        }
    }

    /// Checks at the end of a run (the full checks, once more).
    pub fn check_at_end(&mut self, now: SimTime) {
        if self.checks.as_ref().is_some_and(|c| c.first.is_none())
            && let Some(what) = self.check_full()
        {
            let checks = self.checks.as_mut().expect("enabled");
            checks.first = Some(Violation {
                at: now,
                event: checks.events,
                what,
            });
        }
    }

    fn check_cheap(&mut self, now: SimTime) -> Option<String> {
        let checks = self.checks.as_ref().expect("checks enabled");
        if now < checks.last_time {
            return Some(format!("time went backwards: {now} after {}", checks.last_time));
        }
        if let Some(what) = self
            .check_pods()
            .or_else(|| self.check_pools())
            .or_else(|| self.check_sites())
        {
            return Some(what);
        }
        self.check_breaker_moves()
    }

    /// Slots, accept queues and running lists of every pod within their configured bounds.
    fn check_pods(&self) -> Option<String> {
        for (i, pod) in self.pods.iter().enumerate() {
            let svc = &self.cfg.services[pod.service.idx()];
            if pod.busy > svc.slots || pod.slots > svc.slots {
                return Some(format!(
                    "pod {i}: {} busy, {} slots now, {} configured",
                    pod.busy, pod.slots, svc.slots
                ));
            }
            if pod.queue.len() as u64 > u64::from(svc.queue.capacity) {
                return Some(format!(
                    "pod {i}: queue {} over capacity {}",
                    pod.queue.len(),
                    svc.queue.capacity
                ));
            }
            if (pod.busy as usize) > pod.running.len() {
                return Some(format!(
                    "pod {i}: {} busy but {} running",
                    pod.busy,
                    pod.running.len()
                ));
            }
        }
        None
    }

    /// Open and idle connections of every pool within the pool's limits.
    fn check_pools(&self) -> Option<String> {
        for (p, pool) in self.pools.iter().enumerate() {
            let Some(site) = self.sites.iter().find(|s| s.pool as usize == p) else {
                continue;
            };
            let cfg = &self.cfg.policies[site.policy.idx()].pool;
            if pool.open > cfg.max_connections || pool.idle.len() as u64 > u64::from(pool.open) {
                return Some(format!(
                    "pool {p}: {} open (max {}), {} idle",
                    pool.open,
                    cfg.max_connections,
                    pool.idle.len()
                ));
            }
            if pool.idle.len() as u64 > u64::from(cfg.max_keepalive) {
                return Some(format!(
                    "pool {p}: {} idle over keep-alive limit {}",
                    pool.idle.len(),
                    cfg.max_keepalive
                ));
            }
        }
        None
    }

    /// The permits of every call site's policies (`world/policy/`) and its half-open breaker
    /// within bounds.
    fn check_sites(&self) -> Option<String> {
        for (i, site) in self.sites.iter().enumerate() {
            if let Some(wrong) = self.check_site_policies(i, site) {
                return Some(wrong);
            }
            if let Some(b) = &site.breaker
                && b.half_open_in_flight() > b.half_open_limit()
            {
                return Some(format!(
                    "site {i}: {} half-open calls over {}",
                    b.half_open_in_flight(),
                    b.half_open_limit()
                ));
            }
        }
        None
    }

    /// Every breaker moved only along a legal edge since the last check; records the states seen.
    fn check_breaker_moves(&mut self) -> Option<String> {
        let checks = self.checks.as_mut().expect("enabled");
        for (i, site) in self.sites.iter().enumerate() {
            let Some(breaker) = &site.breaker else { continue };
            let state = breaker.state();
            if let Some(before) = checks.breaker_seen[i] {
                // A container restart replaces the breaker: it starts closed again.
                let restarted = state == BreakerState::Closed;
                if before != state && !is_legal(before, state) && !restarted {
                    return Some(format!(
                        "site {i}: breaker moved {} → {}",
                        before.name(),
                        state.name()
                    ));
                }
            }
            checks.breaker_seen[i] = Some(state);
        }
        None
    }

    /// Checks over every live object: conservation of client requests, slab consistency.
    fn check_full(&self) -> Option<String> {
        // One pass over the calls: each client's requests in flight.
        let mut in_flight_of = vec![0u64; self.clients.len()];
        for k in self.calls.keys() {
            if let CallOwner::Client { client } | CallOwner::User { client, .. } =
                self.calls.get(k).expect("live").owner
            {
                in_flight_of[client as usize] += 1;
            }
        }
        for (c, (client, &in_flight)) in self.clients.iter().zip(&in_flight_of).enumerate() {
            let m = &client.metrics;
            let finished = m.ok + m.degraded + m.failed.total();
            if finished + in_flight != m.started {
                return Some(format!(
                    "client {c}: {} started but {finished} finished + {in_flight} in flight",
                    m.started
                ));
            }
            if m.causes.failed() != m.failed.total() {
                return Some(format!(
                    "client {c}: {} failed but {} counted by cause",
                    m.failed.total(),
                    m.causes.failed()
                ));
            }
        }
        // Every request a pod holds is live (probes that timed out may still wait in a queue, so
        // live requests can outnumber those on pods, never the reverse).
        let on_pods: usize = self.pods.iter().map(|p| p.running.len() + p.queue.len()).sum();
        if on_pods > self.requests.len() {
            return Some(format!(
                "{on_pods} requests on pods but {} live",
                self.requests.len()
            ));
        }
        for pod in &self.pods {
            if let Some(k) = pod
                .running
                .iter()
                .chain(pod.queue.iter())
                .find(|&&k| self.requests.get(k).is_none())
            {
                return Some(format!("a pod holds a request that has ended: {k:?}"));
            }
        }
        self.check_wasted().or_else(|| self.check_pool_gauges())
    }

    /// Each edge's pool gauges count exactly its attempts holding a connection and those
    /// waiting for one.
    fn check_pool_gauges(&self) -> Option<String> {
        let mut counted = vec![(0u64, 0u64); self.edges.len()];
        for k in self.calls.keys() {
            let c = self.calls.get(k).expect("live");
            let Some(a) = &c.attempt else { continue };
            let n = &mut counted[self.sites[c.site as usize].edge.idx()];
            if a.phase == super::AttemptPhase::PoolWait {
                n.1 += 1;
            } else if a.has_connection {
                n.0 += 1;
            }
        }
        for (i, (e, &(in_use, waiting))) in self.edges.iter().zip(&counted).enumerate() {
            let m = &e.metrics;
            let gauges = (m.series_pool_in_use.value(), m.series_pool_waiters.value());
            if gauges != (in_use, waiting) {
                return Some(format!(
                    "edge {i}: pool gauges (in use, waiting) {gauges:?} but attempts {:?}",
                    (in_use, waiting)
                ));
            }
        }
        None
    }

    /// Each service's wasted-slot gauge counts exactly the slots held by abandoned requests,
    /// and every call a live request lists is live and owned by it.
    fn check_wasted(&self) -> Option<String> {
        let mut wasted = vec![0u64; self.services.len()];
        for pod in &self.pods {
            for &k in &pod.running {
                let r = self.requests.get(k).expect("checked live above");
                if r.abandoned && r.uses_slot {
                    wasted[pod.service.idx()] += 1;
                }
            }
        }
        for (i, (s, &n)) in self.services.iter().zip(&wasted).enumerate() {
            if s.metrics.series_wasted.value() != n {
                return Some(format!(
                    "service {i}: wasted gauge {} but {n} abandoned requests hold slots",
                    s.metrics.series_wasted.value()
                ));
            }
        }
        for k in self.requests.keys() {
            let mut next = self.requests.get(k).expect("live").calls;
            while let Some(c) = next {
                let Some(call) = self.calls.get(c) else {
                    return Some(format!("request {k:?} lists an ended call {c:?}"));
                };
                if call.owner != CallOwner::Request(k) {
                    return Some(format!("request {k:?} lists call {c:?} of another owner"));
                }
                next = call.next_sibling;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::config::{PolicyConfig, PoolConfig, RunLimits};
    use sim_core::time::SimDuration;

    fn world() -> World {
        let base = PolicyConfig::unlimited("p", None);
        let policy = PolicyConfig {
            pool: PoolConfig {
                max_connections: 4,
                max_keepalive: 4,
                keepalive_expiry: SimDuration::from_secs(5),
                ..base.pool
            },
            ..base
        };
        let mut service = build::service("s", 1, 2, vec![]);
        service.queue.capacity = 3;
        let mut scenario = build::chain(
            build::poisson(1.0),
            vec![service],
            vec![policy],
            SimDuration::from_secs(1),
        );
        scenario.limits = RunLimits {
            max_events: 1000,
            max_pending: 1000,
            max_log_entries: 10,
            max_buckets: 10_000,
        };
        let mut w = crate::world::build(scenario, 1, None);
        w.enable_checks();
        w
    }

    /// The checker is not vacuous: each corrupted invariant is reported.
    #[test]
    fn each_broken_invariant_is_reported() {
        let mut w = world();
        assert_eq!(w.check_cheap(SimTime::ZERO), None);
        assert_eq!(w.check_full(), None);
        w.pods[0].busy = 3;
        assert!(w.check_cheap(SimTime::ZERO).unwrap().contains("busy"));
        w.pods[0].busy = 0;
        w.pools[0].open = 5;
        assert!(w.check_cheap(SimTime::ZERO).unwrap().contains("open"));
        w.pools[0].open = 0;
        w.clients[0].metrics.started = 1;
        assert!(w.check_full().unwrap().contains("started"));
        w.clients[0].metrics.started = 0;
        let cause = crate::outcome::Cause::of(crate::outcome::Failure::Reset, crate::ids::EdgeIdx(0), None);
        w.clients[0]
            .metrics
            .causes
            .record(SimTime::ZERO, crate::outcome::Failure::Reset, cause);
        assert!(w.check_full().unwrap().contains("by cause"));
        w.clients[0].metrics.failed.add(crate::outcome::Failure::Reset);
        w.clients[0].metrics.started = 1;
        assert_eq!(w.check_full(), None);
        w.check_after_event(SimTime::from_secs(1));
        assert!(w.check_cheap(SimTime::ZERO).unwrap().contains("backwards"));
    }
}
