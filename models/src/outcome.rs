//! How requests, calls and attempts end.

use std::fmt;

use crate::ids::EdgeIdx;

/// Why an attempt or a call failed. Every failure has exactly one reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Failure {
    /// The per-attempt total timeout (`asyncio.wait_for`) expired.
    AttemptTimeout,
    /// No response within the read timeout after the request was sent.
    ReadTimeout,
    /// The request could not be sent within the write timeout (black-holed connection).
    WriteTimeout,
    /// No connection could be established within the connect timeout.
    ConnectTimeout,
    /// The connection was refused (the process is down, or the address is gone).
    ConnectRefused,
    /// No free connection within the pool timeout.
    PoolTimeout,
    /// The connection was reset: the callee's container died with the request on it.
    Reset,
    /// The callee rejected the request at once (accept queue full): HTTP 503.
    Rejected,
    /// The callee answered with an error (HTTP 5xx).
    ErrorResponse,
    /// The caller's circuit breaker did not permit the call.
    BreakerOpen,
    /// The caller's bulkhead had no permit within its wait.
    BulkheadFull,
    /// The overall deadline was spent.
    DeadlineExceeded,
    /// The caller knew no ready endpoint of the callee ("no healthy upstream").
    NoEndpoints,
}

impl Failure {
    /// Every reason, in a fixed order (report columns follow it).
    pub const ALL: [Failure; 13] = [
        Failure::AttemptTimeout,
        Failure::ReadTimeout,
        Failure::WriteTimeout,
        Failure::ConnectTimeout,
        Failure::ConnectRefused,
        Failure::PoolTimeout,
        Failure::Reset,
        Failure::Rejected,
        Failure::ErrorResponse,
        Failure::BreakerOpen,
        Failure::BulkheadFull,
        Failure::DeadlineExceeded,
        Failure::NoEndpoints,
    ];

    /// Position in [`Failure::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// This reason's bit in a [`crate::config::RetryOn`] mask.
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Stable snake_case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Failure::AttemptTimeout => "attempt_timeout",
            Failure::ReadTimeout => "read_timeout",
            Failure::WriteTimeout => "write_timeout",
            Failure::ConnectTimeout => "connect_timeout",
            Failure::ConnectRefused => "connect_refused",
            Failure::PoolTimeout => "pool_timeout",
            Failure::Reset => "reset",
            Failure::Rejected => "rejected",
            Failure::ErrorResponse => "error_response",
            Failure::BreakerOpen => "breaker_open",
            Failure::BulkheadFull => "bulkhead_full",
            Failure::DeadlineExceeded => "deadline_exceeded",
            Failure::NoEndpoints => "no_endpoints",
        }
    }

    /// Whether this is one of the timeouts (for "timeouts by kind").
    pub fn is_timeout(self) -> bool {
        matches!(
            self,
            Failure::AttemptTimeout
                | Failure::ReadTimeout
                | Failure::WriteTimeout
                | Failure::ConnectTimeout
                | Failure::PoolTimeout
                | Failure::DeadlineExceeded
        )
    }

    /// The retry-condition groups a scenario can name, and the reasons each covers.
    pub fn groups() -> &'static [(&'static str, &'static [Failure])] {
        &[
            (
                "timeout",
                &[
                    Failure::AttemptTimeout,
                    Failure::ReadTimeout,
                    Failure::WriteTimeout,
                ],
            ),
            ("connect", &[Failure::ConnectRefused, Failure::ConnectTimeout]),
            ("pool", &[Failure::PoolTimeout]),
            ("reset", &[Failure::Reset]),
            ("5xx", &[Failure::ErrorResponse]),
            ("rejected", &[Failure::Rejected]),
            ("breaker_open", &[Failure::BreakerOpen]),
            ("bulkhead_full", &[Failure::BulkheadFull]),
            ("no_endpoints", &[Failure::NoEndpoints]),
            (
                "unavailable",
                &[
                    Failure::Rejected,
                    Failure::BreakerOpen,
                    Failure::BulkheadFull,
                    Failure::NoEndpoints,
                ],
            ),
        ]
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The deepest cause of a failed call: the reason and the edge where the failure started, and
/// how many hops up the call tree it travelled as `error_response` answers.
///
/// A server that answers 5xx because one of its required calls failed passes that call's cause
/// on with its answer, so a client's `error_response` names the failure at the bottom of the
/// chain (`error_response ← connect_timeout at upload→classification`). Every hop between the
/// two ends is an `error_response` (a server passes a cause on only in that answer), so the
/// chain is whole with its two ends and `depth`: nothing is allocated per request. A call that
/// fails for its own reason (a timeout, a refusal, a 5xx its callee made itself) is its own
/// cause, at depth 0. Retries: a call's cause is its last try's.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cause {
    /// The failure at the bottom of the chain.
    pub reason: Failure,
    /// The edge it happened on.
    pub edge: EdgeIdx,
    /// Hops above it: 0 when the call failed for its own reason (saturates at 255).
    pub depth: u8,
}

impl Cause {
    /// The cause of a try on `edge` that failed with `failure`: the cause its callee's
    /// `error_response` carried (`below`), one hop deeper, or the failure itself.
    pub fn of(failure: Failure, edge: EdgeIdx, below: Option<Cause>) -> Cause {
        match below {
            Some(b) if failure == Failure::ErrorResponse => Cause {
                depth: b.depth.saturating_add(1),
                ..b
            },
            _ => Cause {
                reason: failure,
                edge,
                depth: 0,
            },
        }
    }
}

/// How a call or a client request ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A real answer.
    Ok,
    /// A fallback answer (a default, or work deferred for later).
    Degraded,
    /// No answer.
    Failed(Failure),
}

/// What a server answers to one request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Response {
    /// 2xx.
    Ok,
    /// 2xx with a degraded body: the handler built its answer with a degraded answer from a
    /// downstream call (a fallback's default, e.g. the lesson's `{"label": "unknown",
    /// "degraded": true}`), so the caller's answer is degraded too.
    Degraded,
    /// 5xx after (or instead of) the work, or a required downstream failed.
    Error,
    /// 503 at once: the accept queue was full.
    Rejected,
    /// The request's deadline had passed: dropped without doing the work.
    DeadlineExceeded,
    /// The connection was reset: the container died.
    Reset,
}
