//! How requests, calls and attempts end.

use std::fmt;

use crate::ids::EdgeIdx;
use crate::policy::Refusal;

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
    /// One of the caller's policies refused the call or try (an open breaker...): named by
    /// [`Refusal::reason`]; never the retry budget, which refuses retries only.
    Refused(Refusal),
    /// The overall deadline was spent.
    DeadlineExceeded,
    /// The caller knew no ready endpoint of the callee ("no healthy upstream").
    NoEndpoints,
}

/// The reasons before the refusals in [`Failure::ALL`].
const BEFORE_REFUSED: [Failure; 9] = [
    Failure::AttemptTimeout,
    Failure::ReadTimeout,
    Failure::WriteTimeout,
    Failure::ConnectTimeout,
    Failure::ConnectRefused,
    Failure::PoolTimeout,
    Failure::Reset,
    Failure::Rejected,
    Failure::ErrorResponse,
];

/// The reasons after the refusals in [`Failure::ALL`].
const AFTER_REFUSED: [Failure; 2] = [Failure::DeadlineExceeded, Failure::NoEndpoints];

/// How many reasons there are.
const N: usize = BEFORE_REFUSED.len() + Refusal::FAILING + AFTER_REFUSED.len();

impl Failure {
    /// Every reason, in a fixed order (report columns follow it): the refusals in
    /// [`Refusal::ALL`]'s order between the errors and the deadline.
    pub const ALL: [Failure; N] = {
        let mut all = [Failure::AttemptTimeout; N];
        let mut i = 0;
        while i < N {
            all[i] = if i < BEFORE_REFUSED.len() {
                BEFORE_REFUSED[i]
            } else if i < BEFORE_REFUSED.len() + Refusal::FAILING {
                Failure::Refused(Refusal::ALL[i - BEFORE_REFUSED.len()])
            } else {
                AFTER_REFUSED[i - BEFORE_REFUSED.len() - Refusal::FAILING]
            };
            i += 1;
        }
        all
    };

    /// Position in [`Failure::ALL`].
    pub const fn index(self) -> usize {
        const R: usize = BEFORE_REFUSED.len();
        match self {
            Failure::AttemptTimeout => 0,
            Failure::ReadTimeout => 1,
            Failure::WriteTimeout => 2,
            Failure::ConnectTimeout => 3,
            Failure::ConnectRefused => 4,
            Failure::PoolTimeout => 5,
            Failure::Reset => 6,
            Failure::Rejected => 7,
            Failure::ErrorResponse => 8,
            Failure::Refused(r) => {
                // A refusal of retries only (the budget) never fails a try: were one built, it
                // would share `DeadlineExceeded`'s index and be counted as that.
                assert!(
                    r.index() < Refusal::FAILING,
                    "a refusal of retries only is not a failure reason"
                );
                R + r.index()
            }
            Failure::DeadlineExceeded => R + Refusal::FAILING,
            Failure::NoEndpoints => R + Refusal::FAILING + 1,
        }
    }

    /// This reason's bit in a [`crate::config::RetryOn`] mask.
    pub fn bit(self) -> u32 {
        1 << self.index()
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
            Failure::Refused(r) => match r.reason() {
                Some(name) => name,
                None => unreachable!("{r:?} refuses retries only, never a try"),
            },
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

    /// The retry-condition groups a scenario can name, and the reasons each covers: each
    /// refusal is a group of its own, and "unavailable" is every answer that came at once
    /// without the callee doing the work (a 503, a refusal, no endpoint).
    pub fn groups() -> Vec<(&'static str, Vec<Failure>)> {
        let refused = || {
            Failure::ALL
                .into_iter()
                .filter(|f| matches!(f, Failure::Refused(_)))
        };
        let mut groups = vec![
            (
                "timeout",
                vec![
                    Failure::AttemptTimeout,
                    Failure::ReadTimeout,
                    Failure::WriteTimeout,
                ],
            ),
            ("connect", vec![Failure::ConnectRefused, Failure::ConnectTimeout]),
            ("pool", vec![Failure::PoolTimeout]),
            ("reset", vec![Failure::Reset]),
            ("5xx", vec![Failure::ErrorResponse]),
            ("rejected", vec![Failure::Rejected]),
        ];
        groups.extend(refused().map(|f| (f.name(), vec![f])));
        groups.push(("no_endpoints", vec![Failure::NoEndpoints]));
        let unavailable = std::iter::once(Failure::Rejected)
            .chain(refused())
            .chain(std::iter::once(Failure::NoEndpoints))
            .collect();
        groups.push(("unavailable", unavailable));
        groups
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_place_its_bit_and_its_own_name() {
        for (i, f) in Failure::ALL.into_iter().enumerate() {
            assert_eq!(f.index(), i, "{f}");
            assert_eq!(f.bit(), 1 << i, "{f}");
            assert_eq!(Failure::ALL.iter().filter(|g| g.name() == f.name()).count(), 1);
        }
    }

    #[test]
    #[should_panic(expected = "a refusal of retries only is not a failure reason")]
    fn a_refusal_of_retries_only_has_no_place_among_the_reasons() {
        let _ = Failure::Refused(Refusal::Budget).index();
    }

    #[test]
    fn each_refusal_that_fails_a_try_is_a_reason_and_a_group() {
        let groups = Failure::groups();
        let unavailable = &groups.iter().find(|(g, _)| *g == "unavailable").unwrap().1;
        for r in Refusal::ALL {
            let Some(name) = r.reason() else { continue };
            let f = Failure::Refused(r);
            assert!(Failure::ALL.contains(&f));
            assert_eq!(f.name(), name);
            assert!(groups.contains(&(name, vec![f])));
            assert!(unavailable.contains(&f));
        }
        assert_eq!(Failure::ALL.len(), 11 + Refusal::FAILING);
    }
}
