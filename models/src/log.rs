//! The event log: notable state changes with their time, for `events.jsonl` and the narrated
//! timeline. Not per request: only what a person watching the incident would want to see.
//! Bounded: beyond `max_entries`, entries are counted but not kept.

use serde::Serialize;
use sim_core::time::{SimDuration, SimTime};

use crate::policy::PolicyEvent;
use crate::policy::breaker::BreakerState;

/// One logged change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    /// Simulated time, in seconds.
    pub t: f64,
    /// What happened.
    #[serde(flatten)]
    pub kind: LogKind,
}

/// Why a container was killed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KillReason {
    /// Liveness probe failed `failureThreshold` times.
    Liveness,
    /// Startup probe failed `failureThreshold` times.
    Startup,
    /// A crash or restart fault.
    Fault,
}

/// The kinds of logged change.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LogKind {
    /// A fault started.
    FaultStart {
        /// Affected service.
        service: String,
        /// Plain-words description.
        fault: String,
    },
    /// A fault ended.
    FaultEnd {
        /// Affected service.
        service: String,
        /// Plain-words description.
        fault: String,
    },
    /// Every slot of a pod is busy.
    Saturated {
        /// Pod name.
        pod: String,
        /// Busy slots.
        busy: u32,
        /// Slots.
        slots: u32,
        /// Requests waiting in the accept queue.
        queued: u32,
    },
    /// A saturated pod has room again (nothing queued, busy ≤ half of its slots).
    Unsaturated {
        /// Pod name.
        pod: String,
        /// Busy slots.
        busy: u32,
        /// Slots.
        slots: u32,
    },
    /// A probe failed.
    ProbeFailed {
        /// Pod name.
        pod: String,
        /// liveness, readiness or startup.
        probe: &'static str,
        /// Consecutive failures so far.
        consecutive: u32,
        /// The failure threshold.
        threshold: u32,
        /// timeout, refused or error.
        cause: &'static str,
    },
    /// A container was killed.
    Killed {
        /// Pod name.
        pod: String,
        /// Why.
        reason: KillReason,
        /// Requests queued or in flight on it, failed at their callers.
        lost: u32,
    },
    /// A container will be restarted after a back-off.
    RestartScheduled {
        /// Pod name.
        pod: String,
        /// CrashLoopBackOff delay, seconds.
        backoff_s: f64,
        /// Restarts so far, this one included.
        restarts: u32,
    },
    /// A container started.
    ContainerStarted {
        /// Pod name.
        pod: String,
    },
    /// A pod became ready or not ready.
    Readiness {
        /// Pod name.
        pod: String,
        /// The new state.
        ready: bool,
    },
    /// A readiness change reached the callers of a service.
    EndpointsUpdated {
        /// Service name.
        service: String,
        /// The pod that changed.
        pod: String,
        /// Whether it is now routable.
        ready: bool,
        /// Ready endpoints now published.
        endpoints: u32,
    },
    /// A pod was deleted and will be recreated elsewhere.
    PodDeleted {
        /// Pod name.
        pod: String,
    },
    /// A circuit breaker changed state.
    Breaker {
        /// Edge name, `caller→callee`.
        edge: String,
        /// The caller pod (or client) owning the breaker.
        owner: String,
        /// Previous state.
        from: BreakerState,
        /// New state.
        to: BreakerState,
        /// Why, in plain words.
        reason: String,
    },
    /// A change of a policy with a room: its `event` name and fields are the room's
    /// (`crate::policy::PolicyEvent`). Last: untagged variants must be.
    #[serde(untagged)]
    Policy(PolicyEvent),
}

/// The bounded log.
#[derive(Clone, Debug)]
pub struct EventLog {
    entries: Vec<LogEntry>,
    max_entries: usize,
    dropped: u64,
}

impl EventLog {
    /// An empty log keeping at most `max_entries`.
    pub fn new(max_entries: usize) -> EventLog {
        EventLog {
            entries: Vec::new(),
            max_entries,
            dropped: 0,
        }
    }

    /// Whether further entries are only counted.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.max_entries
    }

    /// Counts an entry not kept (for callers that check [`EventLog::is_full`] first, to avoid
    /// building an entry that would be dropped).
    pub fn count_dropped(&mut self) {
        self.dropped += 1;
    }

    /// Appends an entry (or counts it if the log is full).
    pub fn push(&mut self, time: SimTime, kind: LogKind) {
        if self.entries.len() < self.max_entries {
            self.entries.push(LogEntry {
                t: time.as_secs_f64(),
                kind,
            });
        } else {
            self.dropped += 1;
        }
    }

    /// Entries not kept because the log was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The kept entries, in time order, moving them out of the log.
    pub fn into_entries(self) -> Vec<LogEntry> {
        self.entries
    }
}

/// Seconds as `f64`, for log fields.
pub fn secs(d: SimDuration) -> f64 {
    d.as_secs_f64()
}
