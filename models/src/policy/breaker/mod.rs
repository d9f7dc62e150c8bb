//! Circuit breakers: the lesson's, resilience4j's and Hystrix's, as pure state machines.
//!
//! The world asks [`CircuitBreaker::try_acquire`] before a call (an `Err(Rejected)` fails fast),
//! reports every permitted call's outcome with [`CircuitBreaker::on_result`], and, for
//! resilience4j's automatic transition, calls [`CircuitBreaker::on_timer`] at
//! [`CircuitBreaker::next_timer`] (re-read after every transition; a stale timer is a no-op).
//! Every state change comes back as a [`Transition`] with a [`TransitionReason`] that prints as
//! plain words for the narrated timeline.
//!
//! | | lesson (`CircuitBreaker` class) | resilience4j `CircuitBreakerStateMachine` | Hystrix `HystrixCircuitBreakerImpl` |
//! |---|---|---|---|
//! | opens when | `failure_threshold` failures within `window` (a failure exactly `window` old still counts) | failure rate ≥ threshold or slow-call rate ≥ threshold, once `minimum_calls` are in the window | ≥ `request_volume` requests in the rolling window and error percentage ≥ `error_percent` |
//! | OPEN → HALF_OPEN | first call with `now − opened ≥ open_for` (lazy) | first call with `now > opened + wait` (strictly), or the timer at `opened + wait` if automatic | first call with `now > opened + sleep_window` (strictly) |
//! | HALF_OPEN admits | every call (see below), or `half_open_trials` at once | exactly `permitted_in_half_open` calls | one trial call |
//! | HALF_OPEN decides | `success_threshold` consecutive successes close; one failure reopens | after `permitted_in_half_open` results: rate ≥ threshold reopens, else closes | the first result: success closes, failure reopens |
//! | on closing | clears the failure history | fresh window | metrics reset |
//!
//! The lesson's prose says half-open "lets a trial through", but its code (`call`) lets every
//! call through while HALF_OPEN and only logs "sending test request"; we follow the code unless
//! `half_open_trials` is set, which limits the half-open calls in flight at once (1: the prose).
//!
//! **Results of calls permitted in an earlier state.** A call permitted while CLOSED may finish
//! while OPEN or HALF_OPEN. None of the three libraries can tell such a late result from a
//! current one, and we do the same — the result applies to the current state:
//! - lesson: `_on_failure` records the failure time in every state; while OPEN it changes
//!   nothing; while HALF_OPEN any failure reopens and any success counts toward closing.
//! - resilience4j: while OPEN the result goes into the metrics the OPEN state carries (from
//!   CLOSED or HALF_OPEN), which are discarded at the next transition, so it changes nothing
//!   (`OpenState.onError`: "the onError event should still be recorded"); while HALF_OPEN it
//!   fills one of the `permitted_in_half_open` places of the half-open window, so the decision
//!   can come before all the permitted calls have finished.
//! - Hystrix: `markSuccess`/`markNonSuccess` act on whatever state is current, so a late result
//!   while HALF_OPEN decides in place of the trial; while OPEN it only lands in metrics that the
//!   next close resets.
//!
//! Rejected calls are never recorded as failures (resilience4j "not permitted", Hystrix
//! "short-circuited"). Simplifications: resilience4j's `maxWaitDurationInHalfOpenState`,
//! ignored/recorded exception predicates and forced states are not modelled; Hystrix decides
//! on every recorded result rather than on its 500 ms health-snapshot tick, over 10 buckets of
//! `window / 10` aligned to simulated time.
//!
//! Memory is fixed by the configuration: the lesson keeps at most `failure_threshold` failure
//! times (the window holds ≥ N failures iff the N-th most recent one is inside it, and times
//! arrive in order, so older ones can never matter); resilience4j a ring of `size` outcomes or
//! `seconds` buckets; Hystrix 10 buckets.

mod config;
mod hystrix;
mod lesson;
mod r4j;
mod reason;
mod window;

#[cfg(test)]
mod tests;

use std::fmt;

use sim_core::time::{SimDuration, SimTime};

pub use config::*;
pub use reason::TransitionReason;

/// A breaker's state.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls flow; outcomes are counted.
    Closed,
    /// Calls fail fast until the wait has elapsed.
    Open,
    /// Trial calls probe whether the downstream has recovered.
    HalfOpen,
}

impl BreakerState {
    /// The name used in outputs: "closed", "open", "half_open".
    pub fn name(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// Plain words: "closed", "open", "half-open".
impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        })
    }
}

/// A state change and why it happened.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Transition {
    /// State before.
    pub from: BreakerState,
    /// State after.
    pub to: BreakerState,
    /// Why.
    pub reason: TransitionReason,
}

/// "closed → open: 5 failures in 60s".
impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}: {}", self.from, self.to, self.reason)
    }
}

/// A call not permitted by the breaker (fail fast; not recorded as a failure).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Rejected;

/// Bookkeeping shared by the three breakers.
#[derive(Clone, Debug, PartialEq)]
struct Core {
    state: BreakerState,
    /// When the breaker last entered OPEN.
    opened_at: SimTime,
    /// Calls admitted in the current HALF_OPEN episode.
    half_open_admitted: u32,
    /// Results recorded in the current HALF_OPEN episode.
    half_open_completed: u32,
}

impl Core {
    fn new() -> Core {
        Core {
            state: BreakerState::Closed,
            opened_at: SimTime::ZERO,
            half_open_admitted: 0,
            half_open_completed: 0,
        }
    }

    /// Moves to `to` at `now` and returns the transition.
    fn go(&mut self, now: SimTime, to: BreakerState, reason: TransitionReason) -> Transition {
        debug_assert!(is_legal(self.state, to), "{:?} → {:?}", self.state, to);
        let from = self.state;
        self.state = to;
        match to {
            BreakerState::Open => self.opened_at = now,
            BreakerState::HalfOpen => {
                self.half_open_admitted = 0;
                self.half_open_completed = 0;
            }
            BreakerState::Closed => {}
        }
        Transition { from, to, reason }
    }

    /// A call was admitted in HALF_OPEN.
    fn admit_half_open(&mut self) {
        self.half_open_admitted = self.half_open_admitted.saturating_add(1);
    }

    /// A result was recorded in HALF_OPEN.
    fn complete_half_open(&mut self) {
        self.half_open_completed = self.half_open_completed.saturating_add(1);
    }

    fn half_open_in_flight(&self) -> u32 {
        match self.state {
            BreakerState::HalfOpen => self.half_open_admitted.saturating_sub(self.half_open_completed),
            _ => 0,
        }
    }
}

/// The four edges of the state diagram.
pub fn is_legal(from: BreakerState, to: BreakerState) -> bool {
    use BreakerState::*;
    matches!(
        (from, to),
        (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Open) | (HalfOpen, Closed)
    )
}

#[derive(Clone, Debug, PartialEq)]
enum Engine {
    Lesson(lesson::LessonBreaker),
    R4j(r4j::R4jBreaker),
    Hystrix(hystrix::HystrixBreaker),
}

/// One circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    engine: Engine,
}

impl CircuitBreaker {
    /// A CLOSED breaker.
    ///
    /// # Panics
    /// If the configuration is invalid (see [`BreakerConfig::validate`]).
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        if let Err(e) = config.validate() {
            panic!("invalid circuit breaker: {e}");
        }
        let engine = match config {
            BreakerConfig::Lesson { .. } => Engine::Lesson(lesson::LessonBreaker::new(&config)),
            BreakerConfig::Resilience4j { .. } => Engine::R4j(r4j::R4jBreaker::new(&config)),
            BreakerConfig::Hystrix { .. } => Engine::Hystrix(hystrix::HystrixBreaker::new(&config)),
        };
        CircuitBreaker { config, engine }
    }

    /// The configuration.
    pub fn config(&self) -> &BreakerConfig {
        &self.config
    }

    fn core(&self) -> &Core {
        match &self.engine {
            Engine::Lesson(b) => &b.core,
            Engine::R4j(b) => &b.core,
            Engine::Hystrix(b) => &b.core,
        }
    }

    /// The current state (OPEN → HALF_OPEN happens only in `try_acquire` or `on_timer`).
    pub fn state(&self) -> BreakerState {
        self.core().state
    }

    /// While OPEN, when it opened.
    pub fn opened_at(&self) -> Option<SimTime> {
        (self.state() == BreakerState::Open).then_some(self.core().opened_at)
    }

    /// While OPEN, when the wait ends (the lesson admits a call at this instant; resilience4j and
    /// Hystrix only strictly after it, resilience4j's timer fires at it).
    pub fn open_until(&self) -> Option<SimTime> {
        self.opened_at()
            .map(|t| t.saturating_add(self.config.open_duration()))
    }

    /// Asks to start a call now. May move OPEN → HALF_OPEN (returned). Err(Rejected) = fail fast.
    pub fn try_acquire(&mut self, now: SimTime) -> (Result<(), Rejected>, Option<Transition>) {
        match &mut self.engine {
            Engine::Lesson(b) => b.try_acquire(now),
            Engine::R4j(b) => b.try_acquire(now),
            Engine::Hystrix(b) => b.try_acquire(now),
        }
    }

    /// Records the outcome of a call that was permitted (duration for slow-call accounting).
    pub fn on_result(&mut self, now: SimTime, success: bool, duration: SimDuration) -> Option<Transition> {
        match &mut self.engine {
            Engine::Lesson(b) => b.on_result(now, success),
            Engine::R4j(b) => b.on_result(now, success, duration),
            Engine::Hystrix(b) => b.on_result(now, success),
        }
    }

    /// When the world must call `on_timer` (resilience4j automatic transition), if any.
    pub fn next_timer(&self) -> Option<SimTime> {
        match &self.engine {
            Engine::R4j(b) => b.next_timer(),
            Engine::Lesson(_) | Engine::Hystrix(_) => None,
        }
    }

    /// The timer fired: resilience4j with `automatic_transition` moves OPEN → HALF_OPEN if the
    /// wait is over; otherwise (stale or early timer, other breakers) nothing happens.
    pub fn on_timer(&mut self, now: SimTime) -> Option<Transition> {
        match &mut self.engine {
            Engine::R4j(b) => b.on_timer(now),
            Engine::Lesson(_) | Engine::Hystrix(_) => None,
        }
    }

    /// Calls permitted in HALF_OPEN and not yet completed (for invariant checks): calls admitted
    /// in the current half-open episode minus results recorded in it (a late result from an
    /// earlier state counts as a completion, as it does in the libraries); 0 outside HALF_OPEN.
    pub fn half_open_in_flight(&self) -> u32 {
        self.core().half_open_in_flight()
    }

    /// The most calls HALF_OPEN admits: resilience4j `permitted_in_half_open`, Hystrix 1, the
    /// lesson `half_open_trials` at once, or unlimited (`u32::MAX`) without it.
    pub fn half_open_limit(&self) -> u32 {
        match self.config {
            BreakerConfig::Lesson { half_open_trials, .. } => half_open_trials.unwrap_or(u32::MAX),
            BreakerConfig::Resilience4j {
                permitted_in_half_open,
                ..
            } => permitted_in_half_open,
            BreakerConfig::Hystrix { .. } => 1,
        }
    }

    /// "lesson", "resilience4j", "hystrix".
    pub fn name(&self) -> &'static str {
        self.config.name()
    }
}
