//! Pod lifecycle with Kubernetes semantics: container start (startup time), kills (SIGTERM,
//! grace, SIGKILL), CrashLoopBackOff restarts, and readiness changes published to callers. The
//! probes that drive kills and readiness are in `probes`.

use sim_core::sim::Scheduler;

use super::{AttemptPhase, Event, PodPhase, PoolRt, ProbeKind, World};
use crate::ids::PodIdx;
use crate::log::{KillReason, LogKind, secs};
use crate::metrics::PodState;
use crate::outcome::Response;
use crate::policy::breaker::CircuitBreaker;
use crate::slab::Key;
use crate::world::policy::SitePolicies;

impl World {
    /// A container starts: its process comes up after the startup time; the pod's probe
    /// workers (see `probes`) probe it from their next tick past its initial delay (the startup
    /// probe first, if any).
    pub(super) fn on_container_start(&mut self, p: PodIdx, incarnation: u32, sched: &mut Scheduler<Event>) {
        let (pod_idx, p) = (p, p.0);
        let now = sched.now();
        let pod = &mut self.pods[p as usize];
        if pod.phase != PodPhase::Down || pod.crashed || incarnation <= pod.incarnation {
            // A fault keeps it down (its end starts it), or the event is stale: another start
            // (a fault's end, a recreated pod) came first.
            return;
        }
        pod.incarnation = incarnation;
        pod.restart_due = None;
        pod.phase = PodPhase::Starting;
        pod.container_started_at = now;
        pod.metrics.set_state(now, PodState::Starting);
        let startup = &self.cfg.services[pod.service.idx()].lifecycle.startup;
        let delay = startup.sample_duration(&mut pod.startup_rng);
        sched.schedule_in(
            delay,
            Event::ProcessUp {
                pod: PodIdx(p),
                incarnation,
            },
        );
        self.log_with(now, |w| LogKind::ContainerStarted {
            pod: w.pod_name(pod_idx),
        });
        self.pods[p as usize].started = self.probe_config(pod_idx, ProbeKind::Startup).is_none();
        self.new_container_for_probes(pod_idx);
    }

    pub(super) fn on_process_up(&mut self, p: PodIdx, incarnation: u32, sched: &mut Scheduler<Event>) {
        let p = p.0;
        let now = sched.now();
        let pod = &mut self.pods[p as usize];
        if pod.incarnation != incarnation || pod.phase != PodPhase::Starting {
            return;
        }
        pod.phase = PodPhase::Running;
        let service = pod.service;
        self.claim_capacity(PodIdx(p), now);
        let has_readiness = self.cfg.services[service.idx()].lifecycle.readiness.is_some();
        if !has_readiness && self.pods[p as usize].started {
            self.set_ready(PodIdx(p), true, sched);
        }
    }

    /// Sets the kubelet's readiness of a pod and publishes the change to callers.
    pub(super) fn set_ready(&mut self, pod_idx: PodIdx, ready: bool, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let pod = &mut self.pods[pod_idx.idx()];
        if pod.ready == ready {
            return;
        }
        pod.ready = ready;
        let state = if ready {
            PodState::Ready
        } else if pod.phase == PodPhase::Running {
            PodState::NotReady
        } else {
            PodState::Down
        };
        pod.metrics.set_state(now, state);
        let service = pod.service;
        let address = pod.address;
        self.services[service.idx()]
            .metrics
            .add_ready(now, if ready { 1 } else { -1 });
        self.log_with(now, |w| LogKind::Readiness {
            pod: w.pod_name(pod_idx),
            ready,
        });
        let delay = self.cfg.services[service.idx()].discovery.delay();
        sched.schedule_in(
            delay,
            Event::EndpointChange {
                pod: pod_idx,
                address,
                ready,
            },
        );
    }

    /// Kills a container (probe failure or fault): SIGTERM, then death at once or after the
    /// grace period.
    pub(super) fn kill(&mut self, pod_idx: PodIdx, reason: KillReason, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let service = self.pods[pod_idx.idx()].service;
        let lifecycle = &self.cfg.services[service.idx()].lifecycle;
        let (grace, immediate) = (
            lifecycle.grace,
            lifecycle.exit_on_sigterm || lifecycle.grace.is_zero(),
        );
        self.pods[pod_idx.idx()].metrics.kills += 1;
        self.set_ready(pod_idx, false, sched);
        self.pods[pod_idx.idx()].phase = PodPhase::Terminating;
        self.pods[pod_idx.idx()].metrics.set_state(now, PodState::Down);
        if immediate {
            self.container_dead(pod_idx, Some(reason), sched);
        } else {
            let incarnation = self.pods[pod_idx.idx()].incarnation;
            sched.schedule_in(
                grace,
                Event::GraceOver {
                    pod: pod_idx,
                    incarnation,
                },
            );
            // Queued requests will not be served: only in-flight ones drain.
            let queued: Vec<Key> = self.pods[pod_idx.idx()].queue.drain(..).collect();
            let queued_lost = queued.len() as u32;
            self.services[service.idx()]
                .metrics
                .add_queued(now, -(queued.len() as i64));
            for request in queued {
                self.complete_unstarted_with_reset(request, sched);
            }
            self.log_with(now, |w| LogKind::Killed {
                pod: w.pod_name(pod_idx),
                reason,
                lost: queued_lost,
            });
        }
    }

    /// Adds a running container's slots to its service's capacity.
    pub(super) fn claim_capacity(&mut self, pod_idx: PodIdx, now: sim_core::time::SimTime) {
        let pod = &mut self.pods[pod_idx.idx()];
        debug_assert!(!pod.in_capacity);
        pod.in_capacity = true;
        // Its slots now: fewer under a capacity cut (`update_slots` follows later cuts).
        let slots = pod.slots;
        self.services[pod.service.idx()]
            .metrics
            .add_capacity(now, i64::from(slots));
    }

    /// Takes a dead container's slots out of its service's capacity (once).
    pub(super) fn release_capacity(&mut self, pod_idx: PodIdx, now: sim_core::time::SimTime) {
        let pod = &mut self.pods[pod_idx.idx()];
        if std::mem::take(&mut pod.in_capacity) {
            let slots = pod.slots;
            self.services[pod.service.idx()]
                .metrics
                .add_capacity(now, -i64::from(slots));
        }
    }

    fn complete_unstarted_with_reset(&mut self, request: Key, sched: &mut Scheduler<Event>) {
        let r = self.requests.get(request).expect("queued request");
        debug_assert!(!r.started);
        self.complete(request, Response::Reset, sched);
    }

    pub(super) fn on_grace_over(&mut self, p: PodIdx, incarnation: u32, sched: &mut Scheduler<Event>) {
        let p = p.0;
        let pod = &self.pods[p as usize];
        if pod.incarnation != incarnation || pod.phase != PodPhase::Terminating {
            return;
        }
        self.container_dead(PodIdx(p), None, sched);
    }

    /// The container's process is gone: everything on it fails, its client-library state is
    /// lost, and (unless a fault keeps it down) it restarts after its CrashLoopBackOff delay.
    pub(super) fn container_dead(
        &mut self,
        pod_idx: PodIdx,
        reason: Option<KillReason>,
        sched: &mut Scheduler<Event>,
    ) {
        let now = sched.now();
        // Down first: nothing that happens while its requests fail can reach this container.
        self.pods[pod_idx.idx()].phase = PodPhase::Down;
        self.release_capacity(pod_idx, now);
        let lost = self.drop_all_requests(pod_idx, sched);
        self.reset_sites(pod_idx, sched);
        if let Some(reason) = reason {
            self.log_with(now, |w| LogKind::Killed {
                pod: w.pod_name(pod_idx),
                reason,
                lost,
            });
        }
        self.abandon_probes(pod_idx, sched);
        let pod = &mut self.pods[pod_idx.idx()];
        pod.phase = PodPhase::Down;
        pod.metrics.set_state(now, PodState::Down);
        if pod.crashed {
            return; // the fault's end restarts it
        }
        let delay = pod.backoff.on_exit(pod.container_started_at, now);
        pod.restarts += 1;
        let (restarts, incarnation) = (pod.restarts, pod.incarnation + 1);
        pod.restart_due = Some(now.saturating_add(delay));
        self.log_with(now, |w| LogKind::RestartScheduled {
            pod: w.pod_name(pod_idx),
            backoff_s: secs(delay),
            restarts,
        });
        sched.schedule_in(
            delay,
            Event::ContainerStart {
                pod: pod_idx,
                incarnation,
            },
        );
    }

    /// Discards the client-library state of a dead container: its calls and attempts end
    /// silently (their callers are gone too), its pools and policies (breakers, budgets...) start
    /// afresh with the next container.
    fn reset_sites(&mut self, pod_idx: PodIdx, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let base = self.pods[pod_idx.idx()].site_base;
        let n = self.services[self.pods[pod_idx.idx()].service.idx()]
            .out_edges
            .len() as u32;
        if n == 0 {
            return;
        }
        let sites = base..base + n;
        let doomed: Vec<Key> = self
            .calls
            .keys()
            .filter(|&k| sites.contains(&self.calls.get(k).expect("live").site))
            .collect();
        for call in doomed {
            let c = self.calls.remove(call).expect("live");
            if let Some(timer) = c.timer {
                sched.cancel(timer);
            }
            if let Some(a) = c.attempt {
                for timer in [a.total_timer, a.phase_timer].into_iter().flatten() {
                    sched.cancel(timer);
                }
                // The pool goes with the container: its gauges lose this attempt's share.
                if a.phase == AttemptPhase::PoolWait {
                    self.note_pool(c.site, 0, -1, now);
                } else if a.has_connection {
                    self.note_pool(c.site, -1, 0, now);
                }
            }
            if c.owner == super::CallOwner::Deferred {
                // The deferred item stays queued; another caller pod will pick it up.
                let edge = self.sites[c.site as usize].edge;
                let d = &mut self.edges[edge.idx()].deferred;
                d.in_progress = false;
                if d.pending > 0 && !d.drain_scheduled {
                    d.drain_scheduled = true;
                    sched.schedule_at(now, Event::DeferredDrain { edge });
                }
            }
        }
        for site in sites {
            self.replace_site(site, now, sched);
        }
    }

    /// A new container's client library for one site: fresh policies and pool, endpoints
    /// resolved anew. Gauges are corrected for the state that disappears.
    fn replace_site(&mut self, site: u32, now: sim_core::time::SimTime, sched: &mut Scheduler<Event>) {
        let s = &mut self.sites[site as usize];
        let edge = s.edge;
        let policy = &self.cfg.policies[s.policy.idx()];
        let callee = self.cfg.edges[edge.idx()].callee;
        if let Some(timer) = s.breaker_timer.take() {
            sched.cancel(timer);
        }
        let old_state = s.breaker.as_ref().map(CircuitBreaker::state);
        let old = std::mem::replace(&mut s.policies, SitePolicies::new(policy));
        (s.breaker, s.budget) = super::setup::policy_instances(policy, now);
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
        self.forget_breaker(site, old_state, now);
        self.forget_policies(site, &old, now);
        self.note_budget(site, now);
    }
}
