//! The world: every client, service, pod, connection pool and policy instance of a scenario,
//! and the one closed event enum that drives them.
//!
//! Submodules each own one part of the request path and implement methods on [`World`]:
//! - `client`: load generation and client outcomes;
//! - `call`: one logical call on an edge: start, deadline, fallback, end;
//! - `attempt`: one try: connect, send, wait for the response, the four timeouts;
//! - `pool`: a call site's connection pool: reuse, open, wait, keep alive or close;
//! - `admission`: a request's arrival at a pod, its accept queue, saturation, losses;
//! - `server`: handler steps and responses;
//! - `lifecycle`: container start, kills, CrashLoopBackOff, readiness;
//! - `probes`: the kubelet's probe workers (liveness, readiness, startup);
//! - `discovery`: which endpoints each caller sees, and load balancing over them;
//! - `faults`: the fault schedule;
//! - `deferred`: work queued for later by the `Defer` fallback;
//! - `policy/`: one room per resilience policy (listed in its `mod.rs`) and `chain`,
//!   their composition order as data.
//!
//! The data they work on is declared in `state` (clients, services, pods, edges, sites, pools,
//! faults) and `inflight` (calls, attempts, server requests), and re-exported here.
//!
//! **Architecture invariant:** the world owns all scheduling. Policies are pure state machines
//! consulted with the current time; they never see the event queue.
//!
//! **Architecture invariant:** every event carries generation-checked keys, so an event for an
//! object that has since ended (a timed-out attempt, a killed request) is recognised and dropped.

mod abandon;
mod admission;
mod attempt;
mod call;
mod client;
mod deferred;
mod discovery;
mod faults;
mod finish;
mod inflight;
mod invariants;
mod lifecycle;
mod policy;
mod pool;
mod probes;
mod server;
mod setup;
mod state;

use sim_core::queue::LineId;
use sim_core::rng::SimRng;
use sim_core::sim::{Model, Scheduler};
use sim_core::time::SimTime;

use crate::config::Scenario;
use crate::ids::{ClientIdx, EdgeIdx, FaultIdx, PodIdx, SiteIdx};
use crate::log::EventLog;
use crate::outcome::Response;
use crate::slab::{Key, Slab};

pub use faults::describe as describe_fault;
pub use finish::pod_state_name;
pub use inflight::AttemptRef;
pub(crate) use inflight::{Attempt, AttemptPhase, Call, CallOwner, CallPhase, RequestKind, ServerRequest};
pub use invariants::Violation;
pub use policy::order_words;
pub use setup::build;
pub(crate) use state::{
    ClientRt, EdgeRt, Endpoint, FaultRt, IdleConn, PodPhase, PodRt, PoolRt, ProbeRt, ServiceRt, SiteRt,
};

/// Everything that can happen.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An open-loop client's next arrival.
    OpenArrival {
        /// Client index.
        client: ClientIdx,
    },
    /// A closed-loop user finished thinking.
    UserWake {
        /// Client index.
        client: ClientIdx,
        /// User index.
        user: u32,
    },
    /// A burst client fires.
    Burst {
        /// Client index.
        client: ClientIdx,
    },
    /// A call's wait at a stage of its policy (`CallPhase::StageWait`) or backoff sleep ended.
    CallTimer {
        /// The call.
        call: Key,
    },
    /// One of an attempt's timers fired.
    AttemptTimer {
        /// The attempt.
        attempt: AttemptRef,
        /// Which timer.
        kind: AttemptTimer,
    },
    /// An attempt's connection is established.
    Connected {
        /// The attempt.
        attempt: AttemptRef,
    },
    /// An attempt's request reaches the callee pod.
    Delivered {
        /// The attempt.
        attempt: AttemptRef,
    },
    /// A response reaches the caller.
    Responded {
        /// The attempt.
        attempt: AttemptRef,
        /// What the server answered.
        response: Response,
    },
    /// A work step of a server request ends.
    WorkDone {
        /// The server request.
        request: Key,
    },
    /// A container of a pod starts (after its restart back-off).
    ContainerStart {
        /// The pod.
        pod: PodIdx,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A container's process starts accepting connections.
    ProcessUp {
        /// The pod.
        pod: PodIdx,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A probe worker's ticker fires.
    ProbeTick {
        /// The pod.
        pod: PodIdx,
        /// The pod's address generation when the worker started (a rescheduled pod's
        /// replacement has new workers).
        address: u32,
        /// Which probe.
        probe: ProbeKind,
    },
    /// The probe a worker is waiting on got no answer within its timeout (cancelled when it
    /// is answered or its container dies).
    ProbeTimeout {
        /// The pod.
        pod: PodIdx,
        /// Which probe.
        probe: ProbeKind,
    },
    /// The grace period of a terminating container is over: SIGKILL.
    GraceOver {
        /// The pod.
        pod: PodIdx,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A replacement pod (after a reschedule) is created.
    PodRecreated {
        /// The pod slot.
        pod: PodIdx,
    },
    /// A change of a pod's readiness becomes visible to callers.
    EndpointChange {
        /// The pod.
        pod: PodIdx,
        /// The pod's address at the change.
        address: u32,
        /// Whether it became ready (else not ready or gone).
        ready: bool,
    },
    /// A caller site re-resolves DNS.
    DnsRefresh {
        /// The site.
        site: SiteIdx,
    },
    /// A fault starts.
    FaultStart {
        /// The fault.
        fault: FaultIdx,
    },
    /// A fault ends.
    FaultEnd {
        /// The fault.
        fault: FaultIdx,
    },
    /// A resilience4j breaker's automatic OPEN → HALF_OPEN timer.
    BreakerTimer {
        /// The site owning the breaker.
        site: SiteIdx,
    },
    /// A connection attempt was refused.
    Refused {
        /// The attempt.
        attempt: AttemptRef,
    },
    /// Time to try the deferred work of an edge again.
    DeferredDrain {
        /// The edge.
        edge: EdgeIdx,
    },
}

/// The timers of an attempt.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AttemptTimer {
    /// The attempt's total timeout, or the call's deadline, whichever is first.
    Total,
    /// The current phase's timeout (pool, connect, write or read).
    Phase,
}

/// The three Kubernetes probes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    /// Liveness: failure kills the container.
    Liveness,
    /// Readiness: failure takes the pod out of load balancing.
    Readiness,
    /// Startup: holds the other probes until it succeeds; failure kills.
    Startup,
}

impl ProbeKind {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

/// The deepest nesting of inline zero-latency hops.
const MAX_HOP_DEPTH: u32 = 16;
/// The delay line of one-way network hops (see [`World::hop`]).
const ONE_WAY_LINE: LineId = LineId(0);
/// The delay line of connections established (a round trip plus the pool's setup time).
const CONNECT_LINE: LineId = LineId(1);

/// The world.
pub struct World {
    pub(crate) cfg: Scenario,
    pub(crate) clients: Vec<ClientRt>,
    pub(crate) services: Vec<ServiceRt>,
    pub(crate) pods: Vec<PodRt>,
    pub(crate) edges: Vec<EdgeRt>,
    pub(crate) sites: Vec<SiteRt>,
    pub(crate) requests: Slab<ServerRequest>,
    pub(crate) calls: Slab<Call>,
    pub(crate) pools: Vec<PoolRt>,
    pub(crate) faults: Vec<FaultRt>,
    pub(crate) log: EventLog,
    /// One stream per edge for network latency and connect times.
    pub(crate) net_rngs: Vec<SimRng>,
    /// The one-way latency when it is a constant (converted once; a constant draws nothing).
    pub(crate) net_latency_const: Option<sim_core::time::SimDuration>,
    /// Per-request traces, when asked for.
    pub(crate) tracer: Option<crate::trace::Tracer>,
    /// Invariant checking after every event, when asked for (swarm testing).
    pub(crate) checks: Option<invariants::Checks>,
    /// Event digests for the determinism self-check, when asked for.
    pub(crate) digester: Option<crate::digest::Digester>,
    /// Zero-latency hops being handled inline, nested.
    pub(crate) hop_depth: u32,
    /// Scratch for walking a call tree when its requests are abandoned (kept, so the walk
    /// allocates nothing once it has grown to the deepest tree).
    pub(crate) abandon_stack: Vec<crate::slab::Key>,
}

impl Model for World {
    type Event = Event;

    /// The calls in flight: with the pending events they bound memory (about 290 bytes a
    /// request), even for requests queued with no timer pending.
    fn held(&self) -> usize {
        self.calls.len()
    }

    #[inline]
    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        if let Some(d) = &mut self.digester {
            d.record(sched.now(), &event);
        }
        self.dispatch(event, sched);
        if self.checks.is_some() {
            self.check_after_event(sched.now());
        }
        #[cfg(debug_assertions)]
        self.check_invariants_cheap();
    }
}

impl World {
    /// Reacts to one event (also called directly for zero-latency hops, without the
    /// after-event checks, which only make sense between events).
    fn dispatch(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        // Each group's handlers live in the file named above it.
        match event {
            // client.rs
            Event::OpenArrival { client } => self.on_open_arrival(client, sched),
            Event::UserWake { client, user } => self.on_user_wake(client, user, sched),
            Event::Burst { client } => self.on_burst(client, sched),
            // call.rs (a stage's wait: policy/chain.rs and the stage's room; a backoff:
            // policy/retry.rs)
            Event::CallTimer { call } => self.on_call_timer(call, sched),
            // attempt.rs
            Event::AttemptTimer { attempt, kind } => self.on_attempt_timer(attempt, kind, sched),
            Event::Connected { attempt } => self.on_connected(attempt, sched),
            Event::Refused { attempt } => self.on_refused(attempt, sched),
            Event::Responded { attempt, response } => self.on_responded(attempt, response, sched),
            // admission.rs
            Event::Delivered { attempt } => self.on_delivered(attempt, sched),
            // server.rs
            Event::WorkDone { request } => self.on_work_done(request, sched),
            // lifecycle.rs
            Event::ContainerStart { pod, incarnation } => self.on_container_start(pod, incarnation, sched),
            Event::ProcessUp { pod, incarnation } => self.on_process_up(pod, incarnation, sched),
            Event::GraceOver { pod, incarnation } => self.on_grace_over(pod, incarnation, sched),
            // probes.rs
            Event::ProbeTick { pod, address, probe } => self.on_probe_tick(pod, address, probe, sched),
            Event::ProbeTimeout { pod, probe } => self.on_probe_timeout(pod, probe, sched),
            // discovery.rs
            Event::EndpointChange { pod, address, ready } => {
                self.on_endpoint_change(pod, address, ready, sched)
            }
            Event::DnsRefresh { site } => self.on_dns_refresh(site, sched),
            // faults.rs
            Event::FaultStart { fault } => self.on_fault_start(fault, sched),
            Event::FaultEnd { fault } => self.on_fault_end(fault, sched),
            Event::PodRecreated { pod } => self.on_pod_recreated(pod, sched),
            // deferred.rs
            Event::DeferredDrain { edge } => self.on_deferred_drain(edge, sched),
            // policy/breaker.rs
            Event::BreakerTimer { site } => self.on_breaker_timer(site, sched),
        }
    }
}

impl World {
    /// The attempt `r`, if it is still in progress.
    #[inline]
    pub(crate) fn attempt(&self, r: AttemptRef) -> Option<&Attempt> {
        self.calls.get(r.call)?.attempt.as_ref().filter(|a| a.no == r.no)
    }

    /// The attempt `r`, mutably, if it is still in progress.
    #[inline]
    pub(crate) fn attempt_mut(&mut self, r: AttemptRef) -> Option<&mut Attempt> {
        self.calls
            .get_mut(r.call)?
            .attempt
            .as_mut()
            .filter(|a| a.no == r.no)
    }

    /// The pod (or client) owning a site.
    pub(crate) fn site_owner(&self, site: u32) -> String {
        let s = &self.sites[site as usize];
        match s.pod {
            Some(pod) => self.pod_name(pod),
            None => match self.cfg.edges[s.edge.idx()].caller {
                crate::config::Caller::Client(c) => self.cfg.clients[c as usize].name.clone(),
                crate::config::Caller::Service(_) => unreachable!("service sites have a pod"),
            },
        }
    }

    /// Logs the entry `entry` builds, building it (names are `String`s) only if the log keeps
    /// it: frequent entries cost no allocation once the log is full.
    pub(super) fn log_with(&mut self, now: SimTime, entry: impl FnOnce(&World) -> crate::log::LogKind) {
        if self.log.is_full() {
            self.log.count_dropped();
        } else {
            let kind = entry(self);
            self.log.push(now, kind);
        }
    }

    /// The scenario this world runs.
    pub fn scenario(&self) -> &Scenario {
        &self.cfg
    }

    /// Site index of `edge` for caller pod `pod`.
    #[inline]
    pub(crate) fn site_of(&self, pod: PodIdx, edge: EdgeIdx) -> u32 {
        self.pods[pod.idx()].site_base + self.edges[edge.idx()].slot
    }

    /// Delivers `event` after `delay`, or at once when there is no delay at all: a zero-latency
    /// network hop costs no event (the M/M/c scenario has nothing else). At a constant network
    /// latency a one-way hop (a request delivered, a response returned) always takes that
    /// latency, and a connection's round trip plus its pool's setup time is constant too when
    /// the setup time is: each kind goes in its own delay line, cheaper than the heap, in the
    /// same order (an event earlier than its line's last, as with a random setup time or pools
    /// of different setup times, simply goes to the heap).
    #[inline(always)]
    pub(crate) fn hop(
        &mut self,
        delay: sim_core::time::SimDuration,
        event: Event,
        sched: &mut Scheduler<Event>,
    ) {
        // Bounded, so that a chain of instant hops (an empty handler answering at once, a
        // rejection, a refusal...) cannot recurse without limit: deeper hops go through the queue.
        if delay.is_zero() && self.hop_depth < MAX_HOP_DEPTH {
            self.hop_depth += 1;
            self.dispatch(event, sched);
            self.hop_depth -= 1;
        } else if self.net_latency_const.is_some() {
            // One constant delay per kind of hop: its own FIFO delay line, off the heap.
            let line = match event {
                Event::Connected { .. } => CONNECT_LINE,
                _ => ONE_WAY_LINE,
            };
            sched.schedule_in_line(line, delay, event);
        } else {
            sched.schedule_in(delay, event);
        }
    }

    /// Samples a one-way network latency on an edge.
    #[inline]
    pub(crate) fn latency(&mut self, edge: EdgeIdx) -> sim_core::time::SimDuration {
        match self.net_latency_const {
            Some(latency) => latency,
            None => self
                .cfg
                .network_latency
                .sample_duration(&mut self.net_rngs[edge.idx()]),
        }
    }

    /// Cheap invariants checked after every event in debug builds: capacities never exceeded.
    #[cfg(debug_assertions)]
    fn check_invariants_cheap(&self) {
        for pod in &self.pods {
            let svc = &self.cfg.services[pod.service.idx()];
            debug_assert!(
                pod.busy <= svc.slots,
                "pod busy {} > slots {}",
                pod.busy,
                svc.slots
            );
            debug_assert!(
                pod.queue.len() as u32 <= svc.queue.capacity,
                "queue over capacity"
            );
        }
    }
}
