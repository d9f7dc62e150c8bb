//! Per-request traces, recorded only when asked for and only for sampled requests.
//!
//! A client request that is sampled becomes the root of a trace; every call, attempt and server
//! request made on its behalf (however deep) becomes a span under it. Memory grows only with the
//! sampled requests, and is capped by `max_spans`: beyond it no new trace starts and the trace
//! data says it was truncated. Sampling draws from its own random stream, so turning traces on
//! or off never changes the simulation's results.

use sim_core::rng::SimRng;
use sim_core::time::SimTime;

use crate::outcome::{Failure, Outcome, Response};
use crate::policy::breaker::BreakerState;

/// "No span": the object is not traced.
pub const NO_SPAN: u32 = u32::MAX;
/// Passed as a parent: start a new trace here.
pub(crate) const NEW_ROOT: u32 = u32::MAX - 1;

/// What to record.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TraceConfig {
    /// Fraction of client requests traced, in `[0, 1]`.
    pub sample: f64,
    /// The most spans kept (a memory bound: 64 bytes each here; exported, a span's text is
    /// about 270 bytes in Chrome's format and 440 in OTLP/JSON).
    pub max_spans: usize,
}

/// What a span stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// A client request: the root of a trace (the client's call on its edge).
    Request,
    /// A call made by a server request's handler, with all its attempts.
    Call,
    /// One attempt of a call (or a try refused by a policy's stage before it, zero-length).
    Attempt,
    /// The callee's processing of an attempt, queue wait included.
    Server,
}

/// How a span ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SpanStatus {
    /// Not ended when the run stopped.
    Open,
    /// A request or call outcome.
    Outcome(Outcome),
    /// An attempt's result.
    Attempt(Result<(), Failure>),
    /// A server's answer.
    Response(Response),
}

/// One span.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// What it is.
    pub kind: SpanKind,
    /// Its parent span, or [`NO_SPAN`] for a root.
    pub parent: u32,
    /// The root span of its trace.
    pub root: u32,
    /// Start.
    pub start: SimTime,
    /// End ([`SimTime::MAX`] while open).
    pub end: SimTime,
    /// The call edge (request, call and attempt spans).
    pub edge: u32,
    /// The pod: the callee pod of an attempt or server span, the caller pod of a call span
    /// ([`NO_SPAN`] when there is none, e.g. a client's request).
    pub pod: u32,
    /// Attempt number within its call (attempt spans), from 1.
    pub attempt: u32,
    /// The caller's breaker state when the attempt started, if it has a breaker.
    pub breaker: Option<BreakerState>,
    /// How it ended.
    pub status: SpanStatus,
}

/// Recorded spans, for exporters.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceData {
    /// The sampling fraction used.
    pub sample: f64,
    /// Spans in the order they started.
    pub spans: Vec<Span>,
    /// Whether the span limit stopped recording.
    pub truncated: bool,
}

/// The recorder inside a world.
pub(crate) struct Tracer {
    config: TraceConfig,
    rng: SimRng,
    spans: Vec<Span>,
    truncated: bool,
}

impl Tracer {
    pub(crate) fn new(config: TraceConfig, rng: SimRng) -> Tracer {
        Tracer {
            config,
            rng,
            spans: Vec::new(),
            truncated: false,
        }
    }

    /// Whether a new client request is traced.
    pub(crate) fn sample_root(&mut self) -> bool {
        // Draw every time, so the sample does not depend on how full the recorder is.
        let hit = self.rng.uniform() < self.config.sample;
        if hit && self.spans.len() >= self.config.max_spans {
            self.truncated = true;
            return false;
        }
        hit
    }

    /// Opens a span; returns its id ([`NO_SPAN`] if the limit is reached).
    pub(crate) fn open(&mut self, mut span: Span) -> u32 {
        if self.spans.len() >= self.config.max_spans {
            self.truncated = true;
            return NO_SPAN;
        }
        let id = self.spans.len() as u32;
        if span.parent == NO_SPAN {
            span.root = id;
        } else {
            span.root = self.spans[span.parent as usize].root;
        }
        self.spans.push(span);
        id
    }

    /// Closes span `id` (no-op for [`NO_SPAN`]).
    pub(crate) fn close(&mut self, id: u32, end: SimTime, status: SpanStatus) {
        if let Some(span) = self.spans.get_mut(id as usize) {
            span.end = end;
            span.status = status;
        }
    }

    pub(crate) fn data(&self) -> TraceData {
        TraceData {
            sample: self.config.sample,
            spans: self.spans.clone(),
            truncated: self.truncated,
        }
    }
}

/// A span skeleton opened at `start`.
pub(crate) fn span(kind: SpanKind, parent: u32, start: SimTime, edge: u32, pod: u32) -> Span {
    Span {
        kind,
        parent,
        root: NO_SPAN,
        start,
        end: SimTime::MAX,
        edge,
        pod,
        attempt: 0,
        breaker: None,
        status: SpanStatus::Open,
    }
}
