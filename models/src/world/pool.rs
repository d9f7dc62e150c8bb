//! The connection pool of a call site (httpx's `Limits`: `max_connections`,
//! `max_keepalive_connections`, `keepalive_expiry`): an attempt reuses the most recently used
//! idle connection to its endpoint, opens a new one while the pool is below its limit, or
//! waits in FIFO order under the pool timeout; a connection is kept alive after an attempt
//! that ended well, closed after one that failed (its state is unknown), and dropped once idle
//! past its expiry or when its container died.

use sim_core::sim::Scheduler;
use sim_core::time::SimTime;

use super::attempt::{LaneKind, live_attempt};
use super::{Attempt, AttemptPhase, AttemptRef, Endpoint, Event, IdleConn, PodPhase, World};

/// What the pool can do for an attempt right now.
enum Acquire {
    /// An idle connection to this endpoint and container.
    Reuse(Endpoint, u32),
    /// A new connection may be opened.
    Open,
    /// No connection: wait.
    Wait,
}

impl World {
    /// Gets a connection for a new attempt from `site` to `to`: reuse, open, or queue.
    pub(super) fn acquire_connection(
        &mut self,
        attempt: AttemptRef,
        site: u32,
        to: Endpoint,
        sched: &mut Scheduler<Event>,
    ) {
        match self.pool_offer(site, to, sched.now()) {
            Acquire::Reuse(to, incarnation) => self.use_idle(attempt, site, to, incarnation, sched),
            Acquire::Open => self.open_connection(attempt, sched),
            Acquire::Wait => {
                let pool = self.sites[site as usize].pool as usize;
                self.pools[pool].waiters.push_back(attempt);
                self.note_pool(site, 0, 1, sched.now());
                if let Some(pool_timeout) = self.policy_of_site(site).timeouts.pool {
                    self.set_phase_timer(attempt, site, LaneKind::Pool, pool_timeout, sched);
                }
            }
        }
    }

    /// What the pool of `site` can offer an attempt bound for `to` (after closing expired or
    /// dead idle connections). Takes the idle connection or the slot it offers.
    fn pool_offer(&mut self, site: u32, to: Endpoint, now: SimTime) -> Acquire {
        let pool_cfg = &self.policy_of_site(site).pool;
        let (expiry, max_connections, sticky) = (
            pool_cfg.keepalive_expiry,
            pool_cfg.max_connections,
            pool_cfg.sticky,
        );
        let pods = &self.pods;
        let callee = pods[to.pod.idx()].service;
        let pool = &mut self.pools[self.sites[site as usize].pool as usize];
        // Idle connections are kept oldest first, so the expired ones are a prefix.
        if pool
            .idle
            .first()
            .is_some_and(|c| now >= c.since.saturating_add(expiry))
        {
            let expired = pool
                .idle
                .partition_point(|c| now >= c.since.saturating_add(expiry));
            pool.idle.drain(..expired);
            pool.open -= expired as u32;
        }
        // Most recently used first (httpx reuses the most recent idle connection); connections to
        // a container that has died since are closed on the way.
        let alive = |c: &IdleConn| {
            let p = &pods[c.to.pod.idx()];
            p.address == c.to.address && p.incarnation == c.incarnation && p.phase == PodPhase::Running
        };
        let mut i = pool.idle.len();
        while i > 0 {
            i -= 1;
            let conn = pool.idle[i];
            if !alive(&conn) {
                pool.idle.remove(i);
                pool.open -= 1;
                continue;
            }
            // A shared pool holds connections to several services: sticky reuse stays within
            // the callee service.
            if conn.to == to || (sticky && pods[conn.to.pod.idx()].service == callee) {
                if i + 1 == pool.idle.len() {
                    pool.idle.pop(); // the usual case: the most recent one, nothing to move
                } else {
                    pool.idle.remove(i);
                }
                return Acquire::Reuse(conn.to, conn.incarnation);
            }
        }
        if pool.open < max_connections {
            pool.open += 1;
            return Acquire::Open;
        }
        if !pool.idle.is_empty() {
            // At the limit with idle connections to other pods: close the oldest, open anew.
            pool.idle.remove(0);
            return Acquire::Open;
        }
        Acquire::Wait
    }

    /// Sends an attempt of `site` on an idle connection to `to`.
    fn use_idle(
        &mut self,
        attempt: AttemptRef,
        site: u32,
        to: Endpoint,
        incarnation: u32,
        sched: &mut Scheduler<Event>,
    ) {
        let a = live_attempt(&mut self.calls, attempt);
        let old = std::mem::replace(&mut a.to, to);
        a.has_connection = true;
        a.incarnation = incarnation;
        if old != to {
            // Sticky pool: the request follows the connection, not the balancer's pick.
            let (old_replica, new_replica) = (self.replica_of(old), self.replica_of(to));
            self.sites[site as usize].in_flight_to[old_replica] -= 1;
            self.sites[site as usize].in_flight_to[new_replica] += 1;
        }
        self.note_pool(site, 1, 0, sched.now());
        self.send(attempt, site, sched);
    }

    /// An attempt of `site` ended: it leaves the pool's waiters, or gives its connection back
    /// (kept alive if it ended well and the pool keeps fewer than `max_keepalive` idle, closed
    /// otherwise), and the pool serves its waiters.
    pub(super) fn release_connection(
        &mut self,
        attempt: AttemptRef,
        a: &Attempt,
        site: u32,
        ok: bool,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        let s = &self.sites[site as usize];
        let pool_idx = s.pool as usize;
        let keepalive = self.cfg.policies[s.policy.idx()].pool.max_keepalive;
        let pool = &mut self.pools[pool_idx];
        if a.phase == AttemptPhase::PoolWait {
            let pos = pool
                .waiters
                .iter()
                .position(|&w| w == attempt)
                .expect("pool waiter queued");
            pool.waiters.remove(pos);
            self.note_pool(site, 0, -1, now);
        } else if a.has_connection {
            self.note_pool(site, -1, 0, now);
            let pool = &mut self.pools[pool_idx];
            if ok && (pool.idle.len() as u32) < keepalive {
                pool.idle.push(IdleConn {
                    to: a.to,
                    incarnation: a.incarnation,
                    since: now,
                });
            } else {
                pool.open -= 1;
            }
            self.serve_pool_waiters(pool_idx, sched);
        }
    }

    /// Reports a change of `site`'s connections in use and attempts waiting for one to its
    /// edge's pool gauges (a shared pool's use is counted on the edge of each attempt).
    pub(super) fn note_pool(&mut self, site: u32, in_use: i64, waiters: i64, now: SimTime) {
        let edge = self.sites[site as usize].edge;
        let m = &mut self.edges[edge.idx()].metrics;
        if in_use != 0 {
            m.add_pool_in_use(now, in_use);
        }
        if waiters != 0 {
            m.add_pool_waiters(now, waiters);
        }
    }

    /// A connection was released or closed: give waiting attempts what the pool now offers.
    /// (A shared pool's waiters may come from several sites of the same caller pod.)
    fn serve_pool_waiters(&mut self, pool: usize, sched: &mut Scheduler<Event>) {
        while let Some(&attempt) = self.pools[pool].waiters.front() {
            let to = self.attempt(attempt).expect("pool waiters are live").to;
            let site = self.calls.get(attempt.call).expect("live call").site;
            match self.pool_offer(site, to, sched.now()) {
                Acquire::Wait => return,
                offer => {
                    self.pools[pool].waiters.pop_front();
                    self.note_pool(site, 0, -1, sched.now());
                    self.clear_phase_timer(attempt, sched);
                    match offer {
                        Acquire::Reuse(to, incarnation) => {
                            self.use_idle(attempt, site, to, incarnation, sched)
                        }
                        Acquire::Open => self.open_connection(attempt, sched),
                        Acquire::Wait => unreachable!(),
                    }
                }
            }
        }
    }
}
