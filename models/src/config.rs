//! Typed, validated scenario configuration.
//!
//! These types are what the world runs on. They are built by the scenario loader in the
//! `experiments` crate (which parses TOML, fills documented defaults and checks everything), so
//! here every value is explicit: there is no `Default`, and references between entities are
//! typed indices that are known to exist. Durations are [`SimDuration`] (nanoseconds); sampled
//! quantities are [`Dist`]s in seconds.

use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use crate::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use crate::policy::backoff::Backoff;
use crate::policy::breaker::BreakerConfig;
use crate::policy::budget::RetryBudgetConfig;
use crate::policy::bulkhead::BulkheadConfig;

/// A whole scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Short name, e.g. `cascade`.
    pub name: String,
    /// What the scenario shows, in a sentence or two.
    pub description: String,
    /// Simulated time covered: `[0, duration)`.
    pub duration: SimDuration,
    /// Width of a time-series bucket, as asked for; see [`Scenario::series_bucket`] for the
    /// width a run uses.
    pub bucket: SimDuration,
    /// One-way network latency between any two endpoints, in seconds.
    pub network_latency: Dist,
    /// Load generators.
    pub clients: Vec<ClientConfig>,
    /// Services, in dependency order or not (the call graph is acyclic).
    pub services: Vec<ServiceConfig>,
    /// Call policies, referenced by clients and call steps.
    pub policies: Vec<PolicyConfig>,
    /// Every (caller, callee, policy) triple that appears in the scenario.
    pub edges: Vec<EdgeConfig>,
    /// Faults on a schedule.
    pub faults: Vec<FaultConfig>,
    /// Bounds on the run.
    pub limits: RunLimits,
}

/// The most time-series cells (columns × buckets) a run keeps: a scenario with many columns
/// gets wider buckets than `limits.max_buckets` alone would give it. About 13 bytes a numeric
/// cell and 21 a pod-state cell, outputs included (measured): at most 0.24 GB.
pub const MAX_SERIES_CELLS: u64 = 10_000_000;

/// Bounds on a run, beyond its duration.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RunLimits {
    /// The most events the run may process.
    pub max_events: u64,
    /// The most events that may be pending at once, plus calls in flight.
    pub max_pending: usize,
    /// The most entries kept in the event log (further entries are counted, not kept).
    pub max_log_entries: usize,
    /// The most time-series buckets a run keeps per series; a longer run widens its buckets
    /// (see [`Scenario::series_bucket`]), so series memory does not grow with simulated time.
    pub max_buckets: usize,
}

impl Scenario {
    /// The name of the client or service that makes calls as `caller`.
    pub fn caller_name(&self, caller: Caller) -> &str {
        match caller {
            Caller::Client(c) => &self.clients[c as usize].name,
            Caller::Service(s) => &self.services[s.idx()].name,
        }
    }

    /// An edge's name in outputs: `caller→callee`, or `caller→callee[policy]` when the caller
    /// calls that callee under more than one policy.
    pub fn edge_name(&self, edge: EdgeIdx) -> String {
        let e = &self.edges[edge.idx()];
        let caller = self.caller_name(e.caller);
        let callee = &self.services[e.callee.idx()].name;
        let shared = self
            .edges
            .iter()
            .any(|o| o.caller == e.caller && o.callee == e.callee && o.policy != e.policy);
        if shared {
            format!("{caller}→{callee}[{}]", self.policies[e.policy.idx()].name)
        } else {
            format!("{caller}→{callee}")
        }
    }

    /// The most time-series columns a run writes: per client 3 counts, one per failure reason,
    /// 4 latency quantiles (answered and failed p50, p99) and up to
    /// [`crate::causes::CAUSE_COLUMNS`] by deepest cause (only the causes seen are written);
    /// per service 10; per edge 9 counts and gauges, ok and degraded, one per failure reason,
    /// 3 refusals (breaker, bulkhead, budget) and 2 pool gauges; per pod its state.
    /// (`models/tests/world/smoke.rs` checks this against the columns a run really writes.)
    pub fn series_columns(&self) -> u64 {
        let reasons = crate::outcome::Failure::ALL.len() as u64;
        let per_client = 7 + reasons + crate::causes::CAUSE_COLUMNS;
        let clients = self.clients.len() as u64 * per_client;
        let services = self.services.len() as u64 * 10;
        let edges = self.edges.len() as u64 * (16 + reasons);
        let pods: u64 = self.services.iter().map(|s| u64::from(s.replicas)).sum();
        clients + services + edges + pods
    }

    /// The most buckets a run keeps per series: `limits.max_buckets`, and no more than
    /// [`MAX_SERIES_CELLS`] over all its columns.
    pub fn max_series_buckets(&self) -> u64 {
        let by_cells = MAX_SERIES_CELLS / self.series_columns().max(1);
        (self.limits.max_buckets as u64).min(by_cells).max(1)
    }

    /// The bucket width a run uses: `bucket`, doubled as often as needed for `duration` to fit
    /// in [`Scenario::max_series_buckets`] buckets.
    pub fn series_bucket(&self) -> SimDuration {
        let max = self.max_series_buckets();
        let mut width = self.bucket.as_nanos().max(1);
        while self.duration.as_nanos().div_ceil(width) > max {
            width = width.saturating_mul(2);
        }
        SimDuration::from_nanos(width)
    }
}

/// Who makes the calls on an edge.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Caller {
    /// A load generator.
    Client(u32),
    /// The pods of a service.
    Service(ServiceIdx),
}

/// A (caller, callee, policy) triple: every caller pod keeps its own policy state per edge
/// (its own breaker, bulkhead, budget and connection pool), like one client library instance.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct EdgeConfig {
    /// The calling side.
    pub caller: Caller,
    /// The called service.
    pub callee: ServiceIdx,
    /// The policy applied.
    pub policy: PolicyIdx,
}

/// A load generator: root requests into one service.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Name, unique among clients.
    pub name: String,
    /// The edge its requests go through (caller = this client).
    pub edge: EdgeIdx,
    /// How requests are generated.
    pub load: Load,
}

/// How a client generates requests.
#[derive(Clone, Debug)]
pub enum Load {
    /// Open loop: arrivals independent of completions.
    Open {
        /// Poisson (exponential gaps) or constant gaps.
        arrivals: Arrivals,
        /// The arrival rate over time.
        rate: RateSchedule,
    },
    /// Closed loop: `users` users, each sending a request, waiting for its outcome, thinking,
    /// and sending the next.
    Closed {
        /// Number of users.
        users: u32,
        /// Think time between an outcome and the next request, in seconds.
        think: Dist,
        /// When the first user starts.
        start: SimTime,
        /// Ramp-up: user `i` (from 0) starts at `start + ramp · i / users`, so the users start
        /// evenly spread over `ramp` (JMeter's thread-group ramp-up period). Zero: all at once.
        ramp: SimDuration,
    },
    /// `count` requests at once at `at`, then again every `every` (if set).
    Burst {
        /// Requests per burst.
        count: u32,
        /// Time of the first burst.
        at: SimTime,
        /// Period of repetition, if any.
        every: Option<SimDuration>,
    },
}

/// Shape of open-loop inter-arrival gaps.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Arrivals {
    /// Exponential gaps: a (possibly non-homogeneous) Poisson process.
    Poisson,
    /// Gaps of exactly `1 / rate`.
    Constant,
}

/// A piecewise-linear arrival rate: `points` are `(time, rate per second)`; between two points
/// the rate is interpolated linearly, two points at the same time make a step, and after the
/// last point the rate stays at its value. Steps, ramps and spikes are all expressed this way.
#[derive(Clone, Debug, PartialEq)]
pub struct RateSchedule {
    /// Sorted by time, starting at time zero; rates are ≥ 0.
    pub points: Vec<(SimTime, f64)>,
}

impl RateSchedule {
    /// A constant rate.
    pub fn constant(rate: f64) -> RateSchedule {
        RateSchedule {
            points: vec![(SimTime::ZERO, rate)],
        }
    }

    /// The rate at time `t` (the right limit at a step).
    pub fn rate_at(&self, t: SimTime) -> f64 {
        let i = self.points.partition_point(|&(pt, _)| pt <= t);
        if i == 0 {
            return self.points.first().map_or(0.0, |p| p.1);
        }
        let (t0, r0) = self.points[i - 1];
        match self.points.get(i) {
            None => r0,
            Some(&(t1, r1)) => {
                let span = t1.saturating_since(t0).as_secs_f64();
                if span == 0.0 {
                    r1
                } else {
                    r0 + (r1 - r0) * t.saturating_since(t0).as_secs_f64() / span
                }
            }
        }
    }

    /// The linear piece containing `t`: its end (`SimTime::MAX` after the last point), the rate
    /// at `t` and the slope on `[t, end)`, in requests per second per second (0 after the last
    /// point, and exactly 0 on a flat piece).
    pub fn piece_at(&self, t: SimTime) -> RatePiece {
        let i = self.points.partition_point(|&(pt, _)| pt <= t);
        let rate = self.rate_at(t);
        match self.points.get(i) {
            None => RatePiece {
                end: SimTime::MAX,
                rate,
                slope: 0.0,
            },
            Some(&(t1, r1)) => {
                let span = t1.saturating_since(t).as_secs_f64();
                let slope = if r1 == rate || span == 0.0 {
                    0.0
                } else {
                    (r1 - rate) / span
                };
                RatePiece { end: t1, rate, slope }
            }
        }
    }
}

/// A linear piece of a [`RateSchedule`], from a time `t` on: the rate is `rate + slope × (u −
/// t)` at `u` in `[t, end)`.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct RatePiece {
    /// Where the piece ends.
    pub end: SimTime,
    /// The rate at its start, requests per second.
    pub rate: f64,
    /// The rate's change per second.
    pub slope: f64,
}

/// A service: identical pods behind a load balancer.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// Name, unique among services.
    pub name: String,
    /// Number of pods.
    pub replicas: u32,
    /// Concurrent requests a pod can hold (threads, or an event loop's concurrency limit).
    pub slots: u32,
    /// The accept queue in front of the slots.
    pub queue: QueueConfig,
    /// What a request does, in order.
    pub steps: Vec<Step>,
    /// Pod lifecycle and probes.
    pub lifecycle: LifecycleConfig,
    /// How callers spread requests over this service's pods.
    pub lb: LbPolicy,
    /// How callers learn about this service's endpoints.
    pub discovery: Discovery,
    /// Whether an incoming request's deadline is honoured: queued work past its deadline is
    /// dropped, and calls made for the request get at most its remaining budget.
    pub honour_deadlines: bool,
}

/// The accept queue of a pod.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// Requests that may wait for a slot; beyond it, new requests are rejected at once (503).
    pub capacity: u32,
    /// Which waiting request gets the next free slot.
    pub order: QueueOrder,
}

/// Service order of the accept queue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QueueOrder {
    /// First in, first out.
    Fifo,
    /// Last in, first out (newest first: sheds the oldest, likely abandoned, work under overload).
    Lifo,
}

/// One step of a request handler.
#[derive(Clone, Debug)]
pub enum Step {
    /// Local work.
    Work(WorkStep),
    /// One downstream call, waited for.
    Call(CallStep),
    /// Several downstream calls at once, all waited for.
    Parallel(Vec<CallStep>),
}

/// Local work: `dist + slope × in_flight`, with `in_flight` the pod's busy slots when the step
/// starts (a load-dependent service time).
#[derive(Clone, Debug)]
pub struct WorkStep {
    /// Base duration, in seconds.
    pub dist: Dist,
    /// Extra time per request in flight on the pod.
    pub slope: SimDuration,
}

/// A downstream call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CallStep {
    /// The edge (caller = this service) the call goes through.
    pub edge: EdgeIdx,
    /// Whether the request fails when this call fails (after the policy's fallback); `false`
    /// makes the call best-effort (the lesson's notification call).
    pub required: bool,
}

/// Load balancing across a callee's endpoints as a caller sees them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LbPolicy {
    /// Each endpoint in turn (Envoy's default).
    RoundRobin,
    /// Uniformly at random (kube-proxy's iptables mode).
    Random,
    /// Two endpoints at random, the one with fewer requests in flight from this caller pod
    /// (Envoy's least-request with `choice_count` 2).
    LeastRequest,
}

/// How callers learn which endpoints of a service exist and are ready.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// Kubernetes EndpointSlices watched by kube-proxy/sidecars: every change reaches every
    /// caller `delay` after it happens.
    Watch {
        /// Propagation delay.
        delay: SimDuration,
    },
    /// DNS with caching: each caller re-resolves every `ttl` (phases spread at random), seeing
    /// the endpoints published `delay` after each change; in between it uses its stale copy.
    Dns {
        /// Time to live of a cached answer.
        ttl: SimDuration,
        /// Publication delay of a change.
        delay: SimDuration,
    },
    /// A registry watch (Consul-like): every change reaches every caller after `lag`.
    Registry {
        /// Watch lag.
        lag: SimDuration,
    },
}

impl Discovery {
    /// Delay from a change to its visibility for watch-style discovery (and publication delay for DNS).
    pub fn delay(&self) -> SimDuration {
        match *self {
            Discovery::Watch { delay } | Discovery::Dns { delay, .. } => delay,
            Discovery::Registry { lag } => lag,
        }
    }
}

/// Pod lifecycle: startup, probes, termination, restarts.
#[derive(Clone, Debug)]
pub struct LifecycleConfig {
    /// Whether pods are up and ready when the run starts (as if deployed long ago, probes at a
    /// random phase), instead of cold-starting at time zero.
    pub warm_start: bool,
    /// Time from container start to the process accepting connections, in seconds.
    pub startup: Dist,
    /// Liveness probe: failure kills the container.
    pub liveness: Option<ProbeConfig>,
    /// Readiness probe: failure removes the pod from load balancing.
    pub readiness: Option<ProbeConfig>,
    /// Startup probe: liveness and readiness wait for its first success; failure kills.
    pub startup_probe: Option<ProbeConfig>,
    /// `terminationGracePeriodSeconds`: SIGTERM, then SIGKILL after this.
    pub grace: SimDuration,
    /// Whether the process exits at once on SIGTERM (most runtimes' default) instead of
    /// draining its in-flight requests for up to `grace`.
    pub exit_on_sigterm: bool,
    /// Whether a call to an endpoint that no longer exists is refused at once (`true`) or hangs
    /// until a connect timeout (`false`, e.g. the node is gone).
    pub stale_endpoint_refused: bool,
}

/// A Kubernetes probe (defaults: period 10 s, timeout 1 s, success 1, failure 3, delay 0).
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    /// `initialDelaySeconds` after container start.
    pub initial_delay: SimDuration,
    /// `periodSeconds`.
    pub period: SimDuration,
    /// `timeoutSeconds`: no answer within it is a failure.
    pub timeout: SimDuration,
    /// `successThreshold`: consecutive successes to pass (1 for liveness and startup).
    pub success_threshold: u32,
    /// `failureThreshold`: consecutive failures to fail.
    pub failure_threshold: u32,
    /// Where the probe request goes.
    pub path: ProbePath,
    /// What the probe handler does (empty: answer at once).
    pub handler: Vec<Step>,
}

/// Where a probe request is served.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ProbePath {
    /// Through the pod's slots and accept queue, like traffic: a saturated pod fails its probes.
    Shared,
    /// On a dedicated path (a separate port or thread) that traffic cannot starve.
    Dedicated,
}

/// A call policy, composed in the lesson's order (bulkhead → breaker → retry → per-attempt
/// timeout) or resilience4j's (retry → breaker → bulkhead → attempt), under an optional deadline.
#[derive(Clone, Debug)]
pub struct PolicyConfig {
    /// Name, unique among policies.
    pub name: String,
    /// The four httpx timeouts plus an optional per-attempt total.
    pub timeouts: Timeouts,
    /// Connection pool (per caller pod and edge).
    pub pool: PoolConfig,
    /// Retries, if any.
    pub retry: Option<RetryConfig>,
    /// Circuit breaker, if any.
    pub breaker: Option<BreakerConfig>,
    /// Bulkhead, if any.
    pub bulkhead: Option<BulkheadConfig>,
    /// Overall budget for the call, all attempts and sleeps included.
    pub deadline: Option<SimDuration>,
    /// Whether the callee is told the remaining budget (gRPC-style deadline propagation).
    pub propagate_deadline: bool,
    /// What happens after the final failure.
    pub fallback: Fallback,
    /// Composition order.
    pub order: PolicyOrder,
}

impl PolicyConfig {
    /// A policy that never limits: no timeouts, a pool without limits (idle connections kept
    /// an hour) and free connects, no retry, breaker or bulkhead; `deadline` is the only bound.
    /// A client's implicit policy (a browser or load generator) and the base of hand-built ones.
    pub fn unlimited(name: impl Into<String>, deadline: Option<SimDuration>) -> PolicyConfig {
        PolicyConfig {
            name: name.into(),
            timeouts: Timeouts::NONE,
            pool: PoolConfig {
                max_connections: u32::MAX,
                max_keepalive: u32::MAX,
                keepalive_expiry: SimDuration::from_secs(3600),
                connect_time: Dist::Constant { value: 0.0 },
                sticky: false,
                shared: None,
            },
            retry: None,
            breaker: None,
            bulkhead: None,
            deadline,
            propagate_deadline: false,
            fallback: Fallback::Fail,
            order: PolicyOrder::Lesson,
        }
    }
}

/// httpx's four timeouts and `asyncio.wait_for` around an attempt; `None` waits forever.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Option<SimDuration>,
    /// Waiting for the response once the request is sent.
    pub read: Option<SimDuration>,
    /// Sending the request.
    pub write: Option<SimDuration>,
    /// Waiting for a free connection from the pool.
    pub pool: Option<SimDuration>,
    /// The whole attempt, pool wait included.
    pub attempt: Option<SimDuration>,
}

impl Timeouts {
    /// No timeout at all: every wait is unbounded.
    pub const NONE: Timeouts = Timeouts {
        connect: None,
        read: None,
        write: None,
        pool: None,
        attempt: None,
    };
}

/// httpx `Limits` plus the cost of a new connection.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Connections open at once (in use plus idle).
    pub max_connections: u32,
    /// Idle connections kept for reuse.
    pub max_keepalive: u32,
    /// An idle connection is closed after this long.
    pub keepalive_expiry: SimDuration,
    /// Time to establish a connection (handshakes), on top of the network round trip, seconds.
    pub connect_time: Dist,
    /// Whether a request reuses any idle connection whatever pod it leads to (kube-proxy's
    /// per-connection balancing), instead of the one the load balancer picked.
    pub sticky: bool,
    /// A pool name: the edges of a caller pod whose policies name the same pool share one pool
    /// (one httpx client for every downstream; every policy naming it has the same pool
    /// settings). `None`: one pool per edge.
    pub shared: Option<String>,
}

/// Which attempt outcomes are retried.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RetryOn {
    /// Bit set over [`crate::outcome::Failure::bit`].
    pub mask: u32,
}

/// Retry policy.
#[derive(Clone, Debug)]
pub struct RetryConfig {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// Retryable outcomes.
    pub on: RetryOn,
    /// Sleep before each retry.
    pub backoff: Backoff,
    /// Retry budget, if any (per caller pod and edge).
    pub budget: Option<RetryBudgetConfig>,
}

/// What a call that finally failed turns into.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Fallback {
    /// The failure propagates to the caller.
    Fail,
    /// A default answer: the call counts as degraded and the caller carries on.
    Degrade,
    /// A default answer now, and the work is queued and retried later (every `retry_every`,
    /// one at a time) until it succeeds; pending deferred work is counted until done.
    Defer {
        /// Interval between attempts to drain the deferred queue.
        retry_every: SimDuration,
        /// Deferred items kept at most; beyond it new ones are dropped (and counted).
        capacity: u32,
    },
}

/// Order of composition.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PolicyOrder {
    /// bulkhead → breaker → retry → attempt: one bulkhead permit and one breaker decision per
    /// call, retries inside (the lesson's `ProductionClassifierClient`).
    Lesson,
    /// retry → breaker → bulkhead → attempt: every attempt asks the breaker and the bulkhead,
    /// so "breaker open" and "bulkhead full" can be retried (resilience4j's decorator order).
    Resilience4j,
}

/// A fault on a schedule.
#[derive(Clone, Debug)]
pub struct FaultConfig {
    /// Its name, if the scenario gave one.
    pub name: Option<String>,
    /// The service affected.
    pub service: ServiceIdx,
    /// What goes wrong.
    pub kind: FaultKind,
    /// Start.
    pub from: SimTime,
    /// End (exclusive), `None` for the rest of the run.
    pub until: Option<SimTime>,
    /// How many pods are affected (the first `n`), all if `None`.
    pub pods: Option<u32>,
}

impl FaultConfig {
    /// When the fault stops acting: its `until`, or for a restart or reschedule (which take no
    /// `until`) the end of the downtime; `None` when it lasts to the end of the run.
    pub fn end(&self) -> Option<SimTime> {
        match self.kind {
            FaultKind::Restart { down_for } | FaultKind::Reschedule { down_for } => {
                Some(self.from.saturating_add(down_for))
            }
            FaultKind::Slow { .. }
            | FaultKind::Errors { .. }
            | FaultKind::Crash { .. }
            | FaultKind::CapacityCut { .. }
            | FaultKind::Leak { .. } => self.until,
        }
    }
}

/// Kinds of fault.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// Every work step takes `latency` instead (if set), or its sampled time × `multiplier`.
    Slow {
        /// Fixed work time.
        latency: Option<SimDuration>,
        /// Factor on the sampled work time.
        multiplier: f64,
    },
    /// A fraction of requests end in an error response, after their work (or at once).
    Errors {
        /// Probability of an error response.
        rate: f64,
        /// Whether the error is returned before doing the work.
        fail_fast: bool,
    },
    /// The process is down: connections refused, or black-holed so callers hit connect
    /// timeouts. Requests in flight at the start are lost (reset, or silence if black-holed).
    Crash {
        /// Black hole (`true`) instead of refusing connections.
        blackhole: bool,
    },
    /// Fewer slots, and/or slower work.
    CapacityCut {
        /// Slots per pod while the fault lasts.
        slots: Option<u32>,
        /// Factor on the work time.
        multiplier: f64,
    },
    /// Work time that grows with time since the fault started: `+ growth × elapsed`.
    Leak {
        /// Extra work time per second of fault, in seconds per second.
        growth: f64,
    },
    /// The pods go down (connections refused, in-flight requests reset) for `down_for`, then
    /// start again (startup time and probes apply).
    Restart {
        /// Downtime.
        down_for: SimDuration,
    },
    /// The pods are deleted and recreated with new addresses after `down_for`: callers with a
    /// stale view of the endpoints keep calling the old addresses.
    Reschedule {
        /// Time until the replacement pod is created.
        down_for: SimDuration,
    },
}
