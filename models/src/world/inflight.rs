//! Work in flight: logical calls, their attempts, and the requests on server pods.

use super::policy::chain::{Held, Stage};
use sim_core::queue::TimerKey;
use sim_core::time::SimTime;

use super::{Endpoint, ProbeKind};
use crate::config::PolicyOrder;
use crate::ids::PodIdx;
use crate::outcome::{Cause, Failure};
use crate::policy::backoff::BackoffState;
use crate::slab::Key;

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
    /// Waiting at a stage of the policy's chain (for a permit), until its room hands it over
    /// or the wait's `CallTimer` ends it (`World::on_stage_wait_over`).
    StageWait(Stage),
    /// An attempt is in progress (`Call::attempt`).
    Attempting,
    /// Sleeping before the next attempt.
    Backoff,
}

/// One logical call on an edge, with all its attempts.
pub(crate) struct Call {
    pub(crate) site: u32,
    /// Its site's policy order (kept here: every stage looks it up).
    pub(crate) order: PolicyOrder,
    /// The stages its site does not have (`chain::absent_stages`), skipped.
    pub(crate) absent: u8,
    pub(crate) owner: CallOwner,
    /// Whether the owner fails if this call fails (after the fallback).
    pub(crate) required: bool,
    pub(crate) started_at: SimTime,
    pub(crate) deadline_at: Option<SimTime>,
    pub(crate) phase: CallPhase,
    /// Tries started (attempts, plus tries refused by a per-try stage, as in resilience4j's
    /// order): what `max_attempts` bounds.
    pub(crate) attempts: u32,
    pub(crate) backoff: BackoffState,
    pub(crate) timer: Option<TimerKey>,
    /// What the call's per-call stages hold (the lesson's order), until the call ends.
    pub(crate) held: Held,
    /// A retry granted by the budget is pending or running (Envoy counts it until it ends).
    pub(crate) retry_granted: bool,
    /// The last try's failure.
    pub(crate) last_failure: Option<Failure>,
    /// The last try's cause (see [`Cause`]): the call's, if it fails with `last_failure`.
    pub(crate) last_cause: Option<Cause>,
    /// The attempt in progress, if any (a call has at most one at a time).
    pub(crate) attempt: Option<Attempt>,
    /// Its trace span, or `NO_SPAN`.
    pub(crate) span: u32,
    /// Attempts started so far: the number of the next one.
    pub(crate) attempt_no: u32,
    /// The callee answered with a degraded answer (`Response::Degraded`): the call's outcome
    /// is degraded although it succeeded.
    pub(crate) degraded_answer: bool,
    /// The next in-flight call of the same owner request (its list, see `abandon`).
    pub(crate) next_sibling: Option<Key>,
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
    /// What its try's per-try stages hold (resilience4j's order), until the attempt ends.
    pub(crate) held: Held,
    /// The server request it created, once delivered.
    pub(crate) server: Option<Key>,
    /// The cause an `error_response` answer to it carries, set when its server request
    /// answers (the answer is then on its way; an attempt that ends otherwise drops it).
    pub(crate) below: Option<Cause>,
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
    /// A call of the handler ended degraded (a fallback answer, here or further down): the
    /// answer is built with it and is degraded too.
    pub(crate) degraded: bool,
    /// Nobody waits for its answer any more (see `abandon`): the slot it holds is wasted work.
    pub(crate) abandoned: bool,
    /// Its handler's calls in flight (a list through `Call::next_sibling`).
    pub(crate) calls: Option<Key>,
    /// Traffic only: the fault schedule decided this request ends in an error response.
    pub(crate) will_error: bool,
    /// The cause of the first required call of its handler that failed: its 5xx answer
    /// carries it to the caller.
    pub(crate) cause: Option<Cause>,
    /// Position in the pod's `running` list while started.
    pub(crate) running_pos: u32,
    /// Its trace span, or `NO_SPAN`.
    pub(crate) span: u32,
}
