//! The world's long-lived run-time state: clients, services, pods (and their probes), edges,
//! caller sites, connection pools and faults.

use std::collections::VecDeque;

use sim_core::queue::TimerKey;
use sim_core::rng::SimRng;
use sim_core::time::SimTime;

use super::AttemptRef;
use crate::ids::{EdgeIdx, PodIdx, ServiceIdx};
use crate::metrics::{ClientMetrics, EdgeMetrics, PodMetrics, ServiceMetrics};
use crate::policy::breaker::CircuitBreaker;
use crate::policy::budget::RetryBudget;
use crate::slab::Key;

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

/// A probe worker (kubelet `pkg/kubelet/prober/worker.go`): it lives as long as its pod,
/// across container restarts.
#[derive(Clone, Debug)]
pub(crate) struct ProbeRt {
    /// The visible result for the current container: passing or failing.
    pub(crate) passing: bool,
    /// The run of equal results (the kubelet's `lastResult` and `resultRun`): it carries over
    /// to a new container and restarts only when the worker puts itself on hold.
    pub(crate) consecutive_ok: u32,
    pub(crate) consecutive_fail: u32,
    /// After a liveness kill or a startup result: no probing until the next container.
    pub(crate) on_hold: bool,
    /// The probe waiting for its answer, if any (a new tick waits for it): its request, or
    /// `None` if a black hole swallowed it.
    pub(crate) in_flight: Option<Option<Key>>,
    pub(crate) timer: Option<TimerKey>,
    /// A tick came while the probe was still waiting: the kubelet's ticker channel holds one
    /// tick, so the worker probes again as soon as that probe ends (further ticks are dropped).
    pub(crate) tick_buffered: bool,
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
    /// The instances of the policies with a room in `world/policy/`.
    pub(crate) policies: crate::world::policy::SitePolicies,
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

/// A fault's run-time state.
pub(crate) struct FaultRt {
    pub(crate) active: bool,
}
