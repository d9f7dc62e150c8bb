//! Building a world from a scenario and seeding its first events.

use std::collections::VecDeque;

use sim_core::dist::Dist;
use sim_core::rng::RngStreams;
use sim_core::sim::Scheduler;
use sim_core::time::{SimDuration, SimTime};

use super::{
    ClientRt, EdgeRt, Endpoint, Event, FaultRt, PodPhase, PodRt, PoolRt, ProbeRt, ServiceRt, SiteRt, World,
};
use crate::config::{Caller, Discovery, Load, PolicyConfig, Scenario};
use crate::ids::{ClientIdx, EdgeIdx, FaultIdx, PodIdx, ServiceIdx, SiteIdx};
use crate::k8s::CrashLoopBackOff;
use crate::log::EventLog;
use crate::metrics::{ClientMetrics, EdgeMetrics, PodMetrics, PodState, ServiceMetrics};
use crate::policy::breaker::CircuitBreaker;
use crate::policy::budget::RetryBudget;
use crate::slab::Slab;
use crate::world::deferred::DeferredRt;

/// Builds the world of `scenario` with random streams from `seed`. Call [`World::start`] to
/// seed its first events.
pub fn build(mut scenario: Scenario, seed: u64, trace: Option<crate::trace::TraceConfig>) -> World {
    let streams = RngStreams::new(seed);
    // Every series, and the report, use the run's width.
    let bucket = scenario.series_bucket();
    scenario.bucket = bucket;
    let mut services = service_rts(&scenario, &streams);
    let edges = edge_rts(&scenario, &mut services);
    let mut world = World {
        clients: Vec::new(),
        services,
        pods: Vec::new(),
        edges,
        sites: Vec::new(),
        requests: Slab::default(),
        calls: Slab::default(),
        pools: Vec::new(),
        faults: scenario
            .faults
            .iter()
            .map(|_| FaultRt { active: false })
            .collect(),
        log: EventLog::new(scenario.limits.max_log_entries),
        net_rngs: (0..scenario.edges.len())
            .map(|i| streams.stream(&format!("edge/{i}/network")))
            .collect(),
        net_latency_const: match scenario.network_latency {
            Dist::Constant { value } => Some(SimDuration::from_secs_f64(value)),
            _ => None,
        },
        checks: None,
        digester: None,
        hop_depth: 0,
        abandon_stack: Vec::new(),
        tracer: trace.map(|t| crate::trace::Tracer::new(t, streams.stream("trace/sampling"))),
        cfg: scenario,
    };
    add_clients(&mut world, &streams);
    for s in 0..world.cfg.services.len() {
        for replica in 0..world.cfg.services[s].replicas {
            add_pod(&mut world, ServiceIdx(s as u32), replica, &streams);
        }
    }
    world
}

/// One run-time record per service, with the index of its first pod (pods are numbered service by
/// service, replica by replica).
fn service_rts(scenario: &Scenario, streams: &RngStreams) -> Vec<ServiceRt> {
    let mut services = Vec::with_capacity(scenario.services.len());
    let mut first_pod = 0u32;
    for svc in &scenario.services {
        services.push(ServiceRt {
            first_pod,
            out_edges: Vec::new(),
            work_rng: streams.stream(&format!("service/{}/work", svc.name)),
            error_rng: streams.stream(&format!("service/{}/errors", svc.name)),
            active_faults: Vec::new(),
            published: Vec::new(),
            metrics: ServiceMetrics::new(scenario.bucket),
        });
        first_pod += svc.replicas;
    }
    services
}

/// One run-time record per call edge; fills each calling service's `out_edges`. An edge's `slot`
/// is its position in its caller's block of sites.
fn edge_rts(scenario: &Scenario, services: &mut [ServiceRt]) -> Vec<EdgeRt> {
    let mut edges = Vec::with_capacity(scenario.edges.len());
    for (i, edge) in scenario.edges.iter().enumerate() {
        let slot = match edge.caller {
            Caller::Client(_) => 0,
            Caller::Service(s) => {
                let out = &mut services[s.idx()].out_edges;
                out.push(EdgeIdx(i as u32));
                (out.len() - 1) as u32
            }
        };
        edges.push(EdgeRt {
            slot,
            metrics: EdgeMetrics::new(scenario.bucket),
            deferred: DeferredRt::new(),
        });
    }
    edges
}

/// Every client with its call site (its own pool) and its random streams.
fn add_clients(world: &mut World, streams: &RngStreams) {
    for c in 0..world.cfg.clients.len() {
        let (edge, name) = (world.cfg.clients[c].edge, world.cfg.clients[c].name.clone());
        let site = world.sites.len() as u32;
        let pool = world.new_pool();
        let site_rt = new_site(world, edge, None, pool, streams, &format!("client/{name}"));
        world.sites.push(site_rt);
        world.clients.push(ClientRt {
            site,
            arrivals_rng: streams.stream(&format!("client/{name}/arrivals")),
            think_rng: streams.stream(&format!("client/{name}/think")),
            metrics: ClientMetrics::new(world.cfg.bucket, &world.cfg.faults),
            bursts: 0,
        });
        debug_assert_eq!(world.cfg.edges[edge.idx()].caller, Caller::Client(c as u32));
    }
}

/// Pod `replica` of `service`, down until [`World::start`], with one call site per outbound edge.
fn add_pod(world: &mut World, service: ServiceIdx, replica: u32, streams: &RngStreams) {
    let pod = PodIdx(world.pods.len() as u32);
    let site_base = world.sites.len() as u32;
    let name = format!("{}-{replica}", world.cfg.services[service.idx()].name);
    add_pod_sites(world, service, pod, streams, &name);
    world.pods.push(PodRt {
        service,
        replica,
        phase: PodPhase::Down,
        incarnation: 0,
        address: 0,
        ready: false,
        started: false,
        crashed: false,
        gone_until: SimTime::ZERO,
        restart_due: None,
        blackholed: false,
        slots: world.cfg.services[service.idx()].slots,
        busy: 0,
        queue: VecDeque::new(),
        running: Vec::new(),
        probes: [None, None, None],
        site_base,
        startup_rng: streams.stream(&format!("pod/{name}/startup")),
        restarts: 0,
        backoff: CrashLoopBackOff::new(),
        container_started_at: SimTime::ZERO,
        saturated: false,
        draining: false,
        in_capacity: false,
        metrics: PodMetrics::new(world.cfg.bucket),
    });
}

/// The call sites of `pod`, one per outbound edge of `service`: one pool per edge, except edges
/// whose policies name the same shared pool.
fn add_pod_sites(world: &mut World, service: ServiceIdx, pod: PodIdx, streams: &RngStreams, name: &str) {
    let mut shared: Vec<(String, u32)> = Vec::new();
    for e in 0..world.services[service.idx()].out_edges.len() {
        let edge = world.services[service.idx()].out_edges[e];
        let policy = world.cfg.edges[edge.idx()].policy;
        let pool_name = world.cfg.policies[policy.idx()].pool.shared.clone();
        let pool = match pool_name
            .as_ref()
            .and_then(|n| shared.iter().find(|(s, _)| s == n))
        {
            Some(&(_, pool)) => pool,
            None => {
                let pool = world.new_pool();
                if let Some(pool_name) = pool_name {
                    shared.push((pool_name, pool));
                }
                pool
            }
        };
        let site_rt = new_site(world, edge, Some(pod), pool, streams, &format!("pod/{name}"));
        world.sites.push(site_rt);
    }
}

/// A new client library's breaker and retry budget for `policy` (the budget's clock starting at
/// `now`); the other policies' instances are `SitePolicies`. Used at setup and when a container
/// restarts.
pub(super) fn policy_instances(
    policy: &PolicyConfig,
    now: SimTime,
) -> (Option<CircuitBreaker>, Option<RetryBudget>) {
    (
        policy.breaker.clone().map(CircuitBreaker::new),
        policy
            .retry
            .as_ref()
            .and_then(|r| r.budget.clone())
            .map(|b| RetryBudget::new(b, now)),
    )
}

/// A fresh client-library instance for `edge`.
fn new_site(
    world: &World,
    edge: EdgeIdx,
    pod: Option<PodIdx>,
    pool: u32,
    streams: &RngStreams,
    owner: &str,
) -> SiteRt {
    let e = &world.cfg.edges[edge.idx()];
    let policy = &world.cfg.policies[e.policy.idx()];
    let callee_replicas = world.cfg.services[e.callee.idx()].replicas as usize;
    let (breaker, budget) = policy_instances(policy, SimTime::ZERO);
    SiteRt {
        edge,
        policy: e.policy,
        pod,
        breaker,
        breaker_timer: None,
        breaker_history: policy
            .breaker
            .is_some()
            .then(|| crate::history::History::new(crate::policy::breaker::BreakerState::Closed)),
        budget_reported: 0,
        policies: super::policy::SitePolicies::new(policy),
        budget,
        pool,
        view: Vec::new(),
        rr_next: 0,
        in_flight_to: vec![0; callee_replicas],
        active_calls: 0,
        rng: streams.stream(&format!("{owner}/edge/{}", edge.0)),
    }
}

impl World {
    fn new_pool(&mut self) -> u32 {
        self.pools.push(PoolRt {
            open: 0,
            idle: Vec::new(),
            waiters: VecDeque::new(),
        });
        (self.pools.len() - 1) as u32
    }

    /// Seeds the first events: pods (warm and ready, or cold-starting), clients, faults,
    /// DNS refreshes and deferred-work drains.
    pub fn start(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        for p in 0..self.pods.len() {
            let svc = &self.cfg.services[self.pods[p].service.idx()];
            if svc.lifecycle.warm_start {
                self.warm_start_pod(p as u32, sched);
            } else {
                self.start_probe_workers(PodIdx(p as u32), sched);
                // Container incarnations count from 1 (0: none yet, or a warm pod's).
                sched.schedule_at(
                    now,
                    Event::ContainerStart {
                        pod: PodIdx(p as u32),
                        incarnation: 1,
                    },
                );
            }
        }
        // Warm pods are routable from the start: every caller already knows them.
        for s in 0..self.services.len() {
            let first = self.services[s].first_pod;
            let ready: Vec<Endpoint> = (first..first + self.cfg.services[s].replicas)
                .filter(|&p| self.pods[p as usize].ready)
                .map(|p| Endpoint {
                    pod: PodIdx(p),
                    address: self.pods[p as usize].address,
                })
                .collect();
            self.services[s].published = ready;
        }
        for site in 0..self.sites.len() {
            let callee = self.cfg.edges[self.sites[site].edge.idx()].callee;
            self.sites[site].view = self.services[callee.idx()].published.clone();
            if let Discovery::Dns { ttl, .. } = self.cfg.services[callee.idx()].discovery {
                // Each caller's cache expires at its own phase.
                let phase = ttl.mul_f64(self.sites[site].rng.uniform());
                sched.schedule_at(
                    now.saturating_add(phase),
                    Event::DnsRefresh {
                        site: SiteIdx(site as u32),
                    },
                );
            }
        }
        for c in 0..self.cfg.clients.len() {
            let client_idx = c as u32;
            match self.cfg.clients[c].load {
                Load::Open { .. } => self.schedule_next_arrival(client_idx, now, sched),
                Load::Closed {
                    users, start, ramp, ..
                } => {
                    for user in 0..users {
                        sched.schedule_at(
                            start.saturating_add(ramp_offset(ramp, user, users)),
                            Event::UserWake {
                                client: ClientIdx(client_idx),
                                user,
                            },
                        );
                    }
                }
                Load::Burst { at, .. } => sched.schedule_at(
                    at,
                    Event::Burst {
                        client: ClientIdx(client_idx),
                    },
                ),
            }
        }
        for (f, fault) in self.cfg.faults.iter().enumerate() {
            sched.schedule_at(
                fault.from,
                Event::FaultStart {
                    fault: FaultIdx(f as u32),
                },
            );
            if let Some(until) = fault.until {
                sched.schedule_at(
                    until,
                    Event::FaultEnd {
                        fault: FaultIdx(f as u32),
                    },
                );
            }
        }
    }

    /// A pod that has been up and ready for a while when the run starts: running, ready, its
    /// probe workers ticking at a random phase within their periods. (Workers started long ago:
    /// the kubelet has restarted since, and each worker waited a random part of its period
    /// before its first probe, `run` in `pkg/kubelet/prober/worker.go`.)
    fn warm_start_pod(&mut self, p: u32, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let svc_idx = self.pods[p as usize].service;
        let pod = &mut self.pods[p as usize];
        pod.phase = PodPhase::Running;
        pod.ready = true;
        pod.started = true;
        pod.metrics.set_state(now, PodState::Ready);
        self.claim_capacity(PodIdx(p), now);
        self.services[svc_idx.idx()].metrics.add_ready(now, 1);
        let lifecycle = &self.cfg.services[svc_idx.idx()].lifecycle;
        for (kind, probe) in [
            (super::ProbeKind::Liveness, &lifecycle.liveness),
            (super::ProbeKind::Readiness, &lifecycle.readiness),
            (super::ProbeKind::Startup, &lifecycle.startup_probe),
        ] {
            if let Some(probe) = probe {
                let pod = &mut self.pods[p as usize];
                pod.probes[kind.index()] = Some(ProbeRt::new());
                let phase = probe.period.mul_f64(pod.startup_rng.uniform());
                sched.schedule_at(
                    now.saturating_add(phase),
                    Event::ProbeTick {
                        pod: PodIdx(p),
                        address: 0,
                        probe: kind,
                    },
                );
            }
        }
    }
}

/// User `user`'s offset from the closed loop's start: `ramp · user / users` in integer
/// nanoseconds (exact: the product is taken in 128 bits), so `users` users start evenly spread
/// over `ramp`, the first at once.
fn ramp_offset(ramp: SimDuration, user: u32, users: u32) -> SimDuration {
    let nanos = u128::from(ramp.as_nanos()) * u128::from(user) / u128::from(users.max(1));
    // `user < users`, so the quotient is below `ramp` and fits.
    SimDuration::from_nanos(nanos as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_spreads_the_users_evenly_the_first_at_once() {
        let ramp = SimDuration::from_secs(10);
        let offsets: Vec<u64> = (0..4).map(|u| ramp_offset(ramp, u, 4).as_nanos()).collect();
        assert_eq!(offsets, [0, 2_500_000_000, 5_000_000_000, 7_500_000_000]);
        // Exact in 128 bits where a 64-bit product would overflow: (2^64 - 1) · 999 999 / 10^6.
        let long = SimDuration::from_nanos(u64::MAX);
        assert_eq!(
            ramp_offset(long, 999_999, 1_000_000).as_nanos(),
            18_446_725_626_965_477_905
        );
        assert_eq!(ramp_offset(SimDuration::ZERO, 3, 4), SimDuration::ZERO);
    }
}
