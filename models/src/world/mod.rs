//! The world: every client, service, pod, connection pool and policy instance of a scenario,
//! and the one closed event enum that drives them.
//!
//! Submodules each own one part of the request path and implement methods on [`World`]:
//! - `client`: load generation and client outcomes;
//! - `call`: one logical call on an edge: bulkhead, breaker, retries, backoff, deadline, fallback;
//! - `attempt`: one try: pool, connect, send, wait for the response, the four timeouts;
//! - `server`: pods admitting requests, queueing, handler steps, responses;
//! - `lifecycle`: container start, probes, kills, CrashLoopBackOff, readiness;
//! - `discovery`: which endpoints each caller sees, and load balancing over them;
//! - `faults`: the fault schedule;
//! - `deferred`: work queued for later by the `Defer` fallback.
//!
//! **Architecture invariant:** the world owns all scheduling. Policies are pure state machines
//! consulted with the current time; they never see the event queue.
//!
//! **Architecture invariant:** every event carries generation-checked keys, so an event for an
//! object that has since ended (a timed-out attempt, a killed request) is recognised and dropped.

mod attempt;
mod call;
mod client;
mod deferred;
mod discovery;
mod faults;
mod finish;
mod invariants;
mod lifecycle;
mod notes;
mod server;
mod setup;

use std::collections::VecDeque;

use sim_core::queue::TimerKey;
use sim_core::rng::SimRng;
use sim_core::sim::{Model, Scheduler};
use sim_core::time::SimTime;

use crate::config::Scenario;
use crate::ids::{EdgeIdx, PodIdx, ServiceIdx};
use crate::log::EventLog;
use crate::metrics::{ClientMetrics, EdgeMetrics, PodMetrics, ServiceMetrics};
use crate::outcome::{Failure, Response};
use crate::policy::backoff::BackoffState;
use crate::policy::breaker::CircuitBreaker;
use crate::policy::budget::RetryBudget;
use crate::policy::bulkhead::Bulkhead;
use crate::slab::{Key, Slab};

pub use faults::describe as describe_fault;
pub use finish::pod_state_name;
pub use invariants::Violation;
pub use setup::build;

/// Everything that can happen.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An open-loop client's next arrival.
    OpenArrival {
        /// Client index.
        client: u32,
    },
    /// A closed-loop user finished thinking.
    UserWake {
        /// Client index.
        client: u32,
        /// User index.
        user: u32,
    },
    /// A burst client fires.
    Burst {
        /// Client index.
        client: u32,
    },
    /// A call's bulkhead wait or backoff sleep ended.
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
        pod: u32,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A container's process starts accepting connections.
    ProcessUp {
        /// The pod.
        pod: u32,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A probe is due.
    ProbeTick {
        /// The pod.
        pod: u32,
        /// The container's incarnation.
        incarnation: u32,
        /// Which probe.
        probe: ProbeKind,
    },
    /// A probe got no answer within its timeout.
    ProbeTimeout {
        /// The probe's server request.
        request: Key,
    },
    /// The grace period of a terminating container is over: SIGKILL.
    GraceOver {
        /// The pod.
        pod: u32,
        /// The container's incarnation.
        incarnation: u32,
    },
    /// A replacement pod (after a reschedule) is created.
    PodRecreated {
        /// The pod slot.
        pod: u32,
    },
    /// A change of a pod's readiness becomes visible to callers.
    EndpointChange {
        /// The pod.
        pod: u32,
        /// The pod's address at the change.
        address: u32,
        /// Whether it became ready (else not ready or gone).
        ready: bool,
    },
    /// A caller site re-resolves DNS.
    DnsRefresh {
        /// The site.
        site: u32,
    },
    /// A fault starts.
    FaultStart {
        /// The fault.
        fault: u32,
    },
    /// A fault ends.
    FaultEnd {
        /// The fault.
        fault: u32,
    },
    /// A resilience4j breaker's automatic OPEN → HALF_OPEN timer.
    BreakerTimer {
        /// The site owning the breaker.
        site: u32,
    },
    /// A connection attempt was refused.
    Refused {
        /// The attempt.
        attempt: AttemptRef,
    },
    /// Time to try the deferred work of an edge again.
    DeferredDrain {
        /// The edge.
        edge: u32,
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
    /// Per-request traces, when asked for.
    pub(crate) tracer: Option<crate::trace::Tracer>,
    /// Invariant checking after every event, when asked for (swarm testing).
    pub(crate) checks: Option<invariants::Checks>,
    /// Events handled (top level, not zero-latency hops).
    pub(crate) events_handled: u64,
    /// Event digests for the determinism self-check, when asked for.
    pub(crate) digester: Option<crate::digest::Digester>,
    /// Zero-latency hops being handled inline, nested.
    pub(crate) hop_depth: u32,
}

/// A client's run-time state.
pub(crate) struct ClientRt {
    pub(crate) site: u32,
    pub(crate) arrivals_rng: SimRng,
    pub(crate) think_rng: SimRng,
    pub(crate) metrics: ClientMetrics,
    /// Bursts fired so far.
    pub(crate) bursts: u32,
}

/// A service's run-time state.
pub(crate) struct ServiceRt {
    /// Its pods are `first_pod .. first_pod + replicas`.
    pub(crate) first_pod: u32,
    /// Its outgoing edges, in slot order (a pod's sites follow the same order).
    pub(crate) out_edges: Vec<EdgeIdx>,
    pub(crate) work_rng: SimRng,
    pub(crate) error_rng: SimRng,
    /// Currently active faults on this service.
    pub(crate) active_faults: Vec<u32>,
    /// Published endpoints (ready pods, as of the last change that has propagated).
    pub(crate) published: Vec<Endpoint>,
    pub(crate) metrics: ServiceMetrics,
}

/// A pod address as callers know it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Endpoint {
    pub(crate) pod: PodIdx,
    pub(crate) address: u32,
}

/// Where a pod is in its life.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum PodPhase {
    /// The container is starting (startup time).
    Starting,
    /// The process is up and accepting connections.
    Running,
    /// SIGTERM received: not accepting, draining until SIGKILL.
    Terminating,
    /// The container is dead, waiting for its restart (back-off) or for a fault to end.
    Down,
    /// The pod is deleted and not yet recreated (reschedule).
    Gone,
}

/// A probe worker's counters (kubelet `prober/worker.go`).
#[derive(Clone, Debug)]
pub(crate) struct ProbeRt {
    /// The visible result: passing or failing.
    pub(crate) passing: bool,
    pub(crate) consecutive_ok: u32,
    pub(crate) consecutive_fail: u32,
    /// The probe request in flight, if any (a new tick waits for it, as the kubelet's worker does).
    pub(crate) in_flight: Option<Key>,
    pub(crate) timer: Option<TimerKey>,
}

/// A pod's run-time state.
pub(crate) struct PodRt {
    pub(crate) service: ServiceIdx,
    pub(crate) replica: u32,
    pub(crate) phase: PodPhase,
    /// Container incarnation (bumps on every restart): events of an old container are stale.
    pub(crate) incarnation: u32,
    /// Pod address generation (bumps on every reschedule).
    pub(crate) address: u32,
    /// Whether the readiness state is "ready" (kubelet's view).
    pub(crate) ready: bool,
    /// Whether the startup probe (if any) has succeeded in this container.
    pub(crate) started: bool,
    /// A fault keeps this pod's process down (crash) or black-holed.
    pub(crate) crashed: bool,
    /// A reschedule keeps the pod deleted until then.
    pub(crate) gone_until: SimTime,
    /// When CrashLoopBackOff will start the next container, while one is pending.
    pub(crate) restart_due: Option<SimTime>,
    pub(crate) blackholed: bool,
    /// Slots now: the service's, or fewer under a capacity cut.
    pub(crate) slots: u32,
    /// Busy slots.
    pub(crate) busy: u32,
    /// The accept queue.
    pub(crate) queue: VecDeque<Key>,
    /// Requests holding a slot (traffic and shared-path probes) or on the dedicated probe path.
    pub(crate) running: Vec<Key>,
    pub(crate) probes: [Option<ProbeRt>; 3],
    /// First site of this pod's block of caller sites (one per outgoing edge of its service).
    pub(crate) site_base: u32,
    pub(crate) startup_rng: SimRng,
    /// Restarts so far, and the CrashLoopBackOff state.
    pub(crate) restarts: u32,
    pub(crate) backoff: crate::k8s::CrashLoopBackOff,
    pub(crate) container_started_at: SimTime,
    pub(crate) saturated: bool,
    /// `start_queued` is running for this pod (it is not re-entrant).
    pub(crate) draining: bool,
    /// The pod's slots count in its service's capacity: from its process starting until it
    /// is dead (a terminating process keeps serving its in-flight requests through its grace
    /// period, so it keeps its slots).
    pub(crate) in_capacity: bool,
    pub(crate) metrics: PodMetrics,
}

/// An edge's run-time state (aggregated over caller pods).
pub(crate) struct EdgeRt {
    /// Position of this edge in its caller's block of sites.
    pub(crate) slot: u32,
    pub(crate) metrics: EdgeMetrics,
    pub(crate) deferred: crate::world::deferred::DeferredRt,
}

/// One caller pod's (or client's) client-library instance for one edge.
pub(crate) struct SiteRt {
    pub(crate) edge: EdgeIdx,
    pub(crate) policy: crate::ids::PolicyIdx,
    /// The caller pod, or `None` for a client.
    pub(crate) pod: Option<PodIdx>,
    pub(crate) breaker: Option<CircuitBreaker>,
    pub(crate) breaker_timer: Option<TimerKey>,
    /// Breaker state changes across container restarts, for state bands (with a breaker).
    pub(crate) breaker_history: Option<crate::history::History<crate::policy::breaker::BreakerState>>,
    /// The budget level last reported to the edge's gauge, ×1000.
    pub(crate) budget_reported: u64,
    pub(crate) bulkhead: Option<Bulkhead>,
    pub(crate) bulkhead_waiters: VecDeque<Key>,
    /// Logged as saturated (until at most half its permits are in use).
    pub(crate) bulkhead_saturated: bool,
    pub(crate) budget: Option<RetryBudget>,
    /// Index into `World::pools`: this site's own pool, or one shared by the caller pod's edges
    /// that use the same policy with `pool.shared`.
    pub(crate) pool: u32,
    /// The callee endpoints this site knows about.
    pub(crate) view: Vec<Endpoint>,
    pub(crate) rr_next: u32,
    /// Requests in flight from this site, per callee replica (least-request balancing).
    pub(crate) in_flight_to: Vec<u32>,
    /// Calls in progress (Envoy retry budget's "active requests").
    pub(crate) active_calls: u64,
    pub(crate) rng: SimRng,
}

/// An idle keep-alive connection.
#[derive(Copy, Clone, Debug)]
pub(crate) struct IdleConn {
    pub(crate) to: Endpoint,
    pub(crate) incarnation: u32,
    pub(crate) since: SimTime,
}

/// A connection pool (httpx semantics).
pub(crate) struct PoolRt {
    /// Connections open: in use plus idle.
    pub(crate) open: u32,
    /// Idle connections, oldest first.
    pub(crate) idle: Vec<IdleConn>,
    /// Attempts waiting for a connection, FIFO.
    pub(crate) waiters: VecDeque<AttemptRef>,
}

/// Who is waiting for a call's result.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CallOwner {
    /// A server request's handler step.
    Request(Key),
    /// A closed-loop user of a client.
    User { client: u32, user: u32 },
    /// An open-loop or burst request of a client.
    Client { client: u32 },
    /// Deferred work of an edge being drained.
    Deferred,
}

/// Where a call is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CallPhase {
    /// Waiting for a bulkhead permit.
    BulkheadWait,
    /// An attempt is in progress (`Call::attempt`).
    Attempting,
    /// Sleeping before the next attempt.
    Backoff,
}

/// One logical call on an edge, with all its attempts.
pub(crate) struct Call {
    pub(crate) site: u32,
    pub(crate) owner: CallOwner,
    /// Whether the owner fails if this call fails (after the fallback).
    pub(crate) required: bool,
    pub(crate) started_at: SimTime,
    pub(crate) deadline_at: Option<SimTime>,
    pub(crate) phase: CallPhase,
    /// Tries started (attempts, plus tries refused by the breaker or bulkhead in resilience4j
    /// order): what `max_attempts` bounds.
    pub(crate) attempts: u32,
    pub(crate) backoff: BackoffState,
    pub(crate) timer: Option<TimerKey>,
    /// Lesson order: the call holds a bulkhead permit / was permitted by the breaker.
    pub(crate) holds_bulkhead: bool,
    pub(crate) breaker_permitted: bool,
    /// A retry granted by the budget is pending or running (Envoy counts it until it ends).
    pub(crate) retry_granted: bool,
    /// The last try's failure.
    pub(crate) last_failure: Option<Failure>,
    /// The attempt in progress, if any (a call has at most one at a time).
    pub(crate) attempt: Option<Attempt>,
    /// Its trace span, or `NO_SPAN`.
    pub(crate) span: u32,
    /// Attempts started so far: the number of the next one.
    pub(crate) attempt_no: u32,
}

/// An attempt, named by its call and its number within the call: events for an attempt that
/// has ended (or a call that has ended) find nothing and are dropped.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AttemptRef {
    /// The call.
    pub call: Key,
    /// The attempt's number within the call.
    pub no: u32,
}

/// Where an attempt is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum AttemptPhase {
    /// Waiting for a connection from the pool.
    PoolWait,
    /// Establishing a connection.
    Connecting,
    /// Sending the request.
    Writing,
    /// Waiting for the response.
    Waiting,
}

/// One try of a call.
pub(crate) struct Attempt {
    pub(crate) no: u32,
    pub(crate) to: Endpoint,
    /// The callee container incarnation the connection leads to.
    pub(crate) incarnation: u32,
    pub(crate) phase: AttemptPhase,
    pub(crate) has_connection: bool,
    pub(crate) started_at: SimTime,
    pub(crate) total_timer: Option<TimerKey>,
    pub(crate) phase_timer: Option<TimerKey>,
    /// Whether the total timer is the call's deadline rather than the attempt timeout.
    pub(crate) total_is_deadline: bool,
    /// Its trace span, or `NO_SPAN`.
    pub(crate) span: u32,
    /// In resilience4j order: this attempt holds a bulkhead permit / was permitted by the breaker.
    pub(crate) holds_bulkhead: bool,
    pub(crate) breaker_permitted: bool,
}

/// What a server request is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum RequestKind {
    /// Traffic from a caller attempt.
    Traffic { attempt: AttemptRef },
    /// A kubelet probe.
    Probe { probe: ProbeKind },
}

/// A request on a pod.
pub(crate) struct ServerRequest {
    pub(crate) pod: PodIdx,
    pub(crate) kind: RequestKind,
    pub(crate) arrived_at: SimTime,
    pub(crate) started_at: SimTime,
    pub(crate) deadline: Option<SimTime>,
    /// Whether it holds a slot (traffic and shared-path probes) once started.
    pub(crate) uses_slot: bool,
    pub(crate) started: bool,
    pub(crate) step: u32,
    pub(crate) pending_calls: u32,
    pub(crate) required_failed: bool,
    /// Traffic only: the fault schedule decided this request ends in an error response.
    pub(crate) will_error: bool,
    pub(crate) timer: Option<TimerKey>,
    /// Position in the pod's `running` list while started.
    pub(crate) running_pos: u32,
    /// Its trace span, or `NO_SPAN`.
    pub(crate) span: u32,
}

/// A fault's run-time state.
pub(crate) struct FaultRt {
    pub(crate) active: bool,
}

impl Model for World {
    type Event = Event;

    fn handle(&mut self, event: Event, sched: &mut Scheduler<Event>) {
        if let Some(d) = &mut self.digester {
            d.record(sched.now(), &event);
        }
        self.dispatch(event, sched);
        self.events_handled += 1;
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
        match event {
            Event::OpenArrival { client } => self.on_open_arrival(client, sched),
            Event::UserWake { client, user } => self.on_user_wake(client, user, sched),
            Event::Burst { client } => self.on_burst(client, sched),
            Event::CallTimer { call } => self.on_call_timer(call, sched),
            Event::AttemptTimer { attempt, kind } => self.on_attempt_timer(attempt, kind, sched),
            Event::Connected { attempt } => self.on_connected(attempt, sched),
            Event::Delivered { attempt } => self.on_delivered(attempt, sched),
            Event::Responded { attempt, response } => self.on_responded(attempt, response, sched),
            Event::WorkDone { request } => self.on_work_done(request, sched),
            Event::ContainerStart { pod, incarnation } => self.on_container_start(pod, incarnation, sched),
            Event::ProcessUp { pod, incarnation } => self.on_process_up(pod, incarnation, sched),
            Event::ProbeTick {
                pod,
                incarnation,
                probe,
            } => self.on_probe_tick(pod, incarnation, probe, sched),
            Event::ProbeTimeout { request } => self.on_probe_timeout(request, sched),
            Event::GraceOver { pod, incarnation } => self.on_grace_over(pod, incarnation, sched),
            Event::PodRecreated { pod } => self.on_pod_recreated(pod, sched),
            Event::EndpointChange { pod, address, ready } => {
                self.on_endpoint_change(pod, address, ready, sched)
            }
            Event::DnsRefresh { site } => self.on_dns_refresh(site, sched),
            Event::FaultStart { fault } => self.on_fault_start(fault, sched),
            Event::FaultEnd { fault } => self.on_fault_end(fault, sched),
            Event::DeferredDrain { edge } => self.on_deferred_drain(edge, sched),
            Event::BreakerTimer { site } => self.on_breaker_timer(site, sched),
            Event::Refused { attempt } => self.on_refused(attempt, sched),
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
    /// network hop costs no event (the M/M/c scenario has nothing else).
    #[inline]
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
        } else {
            sched.schedule_in(delay, event);
        }
    }

    /// Samples a one-way network latency on an edge.
    #[inline]
    pub(crate) fn latency(&mut self, edge: EdgeIdx) -> sim_core::time::SimDuration {
        self.cfg
            .network_latency
            .sample_duration(&mut self.net_rngs[edge.idx()])
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
