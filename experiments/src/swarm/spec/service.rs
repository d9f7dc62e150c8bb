//! The service types of a [`Spec`](super::Spec): services, their handler steps and calls,
//! probes and service discovery.

use super::{DistSpec, Dur};

/// A service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    /// `name`.
    pub name: String,
    /// `replicas`.
    pub replicas: Option<u32>,
    /// `slots`.
    pub slots: u32,
    /// `queue.capacity`.
    pub queue_capacity: Option<u32>,
    /// `queue.order`: `Some(true)` LIFO, `Some(false)` FIFO.
    pub lifo: Option<bool>,
    /// `steps`.
    pub steps: Vec<StepSpec>,
    /// `startup`.
    pub startup: Option<DistSpec>,
    /// `warm_start`.
    pub warm_start: Option<bool>,
    /// `liveness`.
    pub liveness: Option<ProbeSpec>,
    /// `readiness`.
    pub readiness: Option<ProbeSpec>,
    /// `startup_probe`.
    pub startup_probe: Option<ProbeSpec>,
    /// `termination.grace`.
    pub grace: Option<Dur>,
    /// `termination.exit_on_sigterm`.
    pub exit_on_sigterm: Option<bool>,
    /// `lb`.
    pub lb: Option<&'static str>,
    /// `discovery`.
    pub discovery: Option<DiscoverySpec>,
    /// `stale_endpoints`: `Some(true)` timeout, `Some(false)` refused.
    pub stale_timeout: Option<bool>,
    /// `honour_deadlines`.
    pub honour_deadlines: Option<bool>,
}

impl ServiceSpec {
    /// The number of pods.
    pub fn pods(&self) -> u32 {
        self.replicas.unwrap_or(1)
    }
}

/// A handler step.
#[derive(Clone, Debug, PartialEq)]
pub enum StepSpec {
    /// Local work.
    Work(DistSpec, Option<Dur>),
    /// One call.
    Call(CallSpec),
    /// Parallel calls (at least one).
    Parallel(Vec<CallSpec>),
}

/// A downstream call.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSpec {
    /// `call`: the callee.
    pub service: String,
    /// `policy`.
    pub policy: Option<String>,
    /// `required`.
    pub required: Option<bool>,
}

/// A probe.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeSpec {
    /// `path`: `Some(true)` dedicated, `Some(false)` shared.
    pub dedicated: Option<bool>,
    /// `initial_delay`.
    pub initial_delay: Option<Dur>,
    /// `period`.
    pub period: Option<Dur>,
    /// `timeout`.
    pub timeout: Option<Dur>,
    /// `success_threshold` (readiness only may exceed 1).
    pub success_threshold: Option<u32>,
    /// `failure_threshold`.
    pub failure_threshold: Option<u32>,
    /// `handler` (empty: no key).
    pub handler: Vec<StepSpec>,
}

/// Service discovery.
#[derive(Clone, Debug, PartialEq)]
pub enum DiscoverySpec {
    /// `{ kind = "watch", delay }`.
    Watch(Option<Dur>),
    /// `{ kind = "dns", ttl, delay }`.
    Dns(Option<Dur>, Option<Dur>),
    /// `{ kind = "registry", lag }`.
    Registry(Option<Dur>),
}
