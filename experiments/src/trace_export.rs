//! Traces for existing viewers, from the spans a run recorded (`--trace chrome|otlp`).
//!
//! - **Chrome Trace Event Format** (Perfetto UI, `chrome://tracing`): one process per service
//!   and per client, one thread (track) per pod; every request, call, attempt and server request
//!   as an async slice (`b`/`e` pairs with an id: requests overlap, so complete `X` events could
//!   not nest); in-flight and queue counters per service and bucket (`C`); kills, restarts and
//!   breaker transitions as instant events (`i`). Times in microseconds.
//! - **OTLP/JSON** (OpenTelemetry; Jaeger ≥ 1.55 imports it): one `resourceSpans` entry per
//!   `service.name` (services and clients), spans with hex trace and span ids, parent links
//!   across calls, kind 3 (client) for requests and attempts, 2 (server) for server requests, 1
//!   (internal) for calls; status and attributes for outcome, attempt number and breaker state.
//!   Times are nanoseconds since a fixed epoch, 2026-01-01T00:00:00Z, plus simulated time.
//!
//! Both are pure functions of the report: byte-identical for the same scenario and seed. Each
//! event or span is serialised into the text as soon as it is built ([`JsonArray`]), so the
//! memory an export needs is about its text: no JSON tree of the whole trace is ever held.

use std::fmt::Write as _;

use models::config::{Caller, Scenario};
use models::log::LogKind;
use models::outcome::{Outcome, Response};
use models::report::Report;
use models::trace::{NO_SPAN, Span, SpanKind, SpanStatus, TraceData};
use serde_json::{Value, json};
use sim_core::rng::derive_seed;
use sim_core::time::SimTime;

/// 2026-01-01T00:00:00Z in Unix nanoseconds: OTLP times are this plus simulated time.
pub const OTLP_EPOCH_NS: u64 = 1_767_225_600_000_000_000;

/// Which caller and callee an edge joins, by name.
fn edge_names(scenario: &Scenario, edge: u32) -> (&str, &str) {
    let e = &scenario.edges[edge as usize];
    (
        scenario.caller_name(e.caller),
        &scenario.services[e.callee.idx()].name,
    )
}

/// `(service index, replica)` of every pod, in pod order.
fn pods(scenario: &Scenario) -> Vec<(usize, u32)> {
    scenario
        .services
        .iter()
        .enumerate()
        .flat_map(|(s, svc)| (0..svc.replicas).map(move |r| (s, r)))
        .collect()
}

/// Whether a span's status counts as success, and the status in words.
fn status_text(status: SpanStatus) -> (bool, String) {
    match status {
        SpanStatus::Open => (true, "open at the end of the run".into()),
        SpanStatus::Outcome(Outcome::Ok) => (true, "ok".into()),
        SpanStatus::Outcome(Outcome::Degraded) => (true, "degraded".into()),
        SpanStatus::Outcome(Outcome::Failed(f)) | SpanStatus::Attempt(Err(f)) => {
            (false, f.name().to_string())
        }
        SpanStatus::Attempt(Ok(())) => (true, "ok".into()),
        SpanStatus::Response(r) => match r {
            Response::Ok => (true, "200".into()),
            Response::Degraded => (true, "200 degraded".into()),
            Response::Error => (false, "5xx".into()),
            Response::Rejected => (false, "503 rejected".into()),
            Response::DeadlineExceeded => (false, "deadline exceeded".into()),
            Response::Reset => (false, "reset".into()),
        },
    }
}

/// A span's display name: what it is and the edge it is on.
fn span_name(scenario: &Scenario, s: &Span) -> String {
    let (caller, callee) = edge_names(scenario, s.edge);
    match s.kind {
        SpanKind::Request => format!("{caller} request → {callee}"),
        SpanKind::Call => format!("call {callee}"),
        SpanKind::Attempt => format!("attempt {} → {callee}", s.attempt),
        SpanKind::Server => format!("serve {callee}"),
    }
}

/// The simulated time the run stopped at: where spans still open end.
fn run_end(report: &Report) -> SimTime {
    SimTime::from_nanos((report.summary.stop.at_s * 1e9).round() as u64)
}

/// When a span ends: its end, or the end of the run if it is still open.
fn end_of(s: &Span, run_end: SimTime) -> SimTime {
    if s.end == SimTime::MAX { run_end } else { s.end }
}

/// A simulated time in microseconds.
fn us(t: SimTime) -> f64 {
    t.as_nanos() as f64 / 1000.0
}

/// A JSON array written element by element into a string: the bytes `serde_json` would write
/// for the whole array, without holding a tree of its elements.
pub(crate) struct JsonArray {
    text: String,
    empty: bool,
}

impl JsonArray {
    /// An array written after `prefix`.
    fn after(mut prefix: String) -> JsonArray {
        prefix.push('[');
        JsonArray {
            text: prefix,
            empty: true,
        }
    }

    /// Appends one element.
    fn push(&mut self, value: &Value) {
        if !self.empty {
            self.text.push(',');
        }
        self.empty = false;
        serde_json::to_writer(StringWriter(&mut self.text), value).expect("trace serialises");
    }

    /// The prefix and the array.
    fn finish(mut self) -> String {
        self.text.push(']');
        self.text
    }
}

/// `io::Write` into a `String`, for `serde_json::to_writer` (which writes valid UTF-8 only).
struct StringWriter<'a>(&'a mut String);

impl std::io::Write for StringWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = std::str::from_utf8(buf).map_err(std::io::Error::other)?;
        self.0.push_str(text);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The Chrome Trace Event JSON of a run: process and thread names, then every span as a
/// `b`/`e` pair, the in-flight and queue counters, and instant events from the log.
pub fn chrome(scenario: &Scenario, report: &Report, trace: &TraceData) -> String {
    let run_end = run_end(report);
    let pods = pods(scenario);
    let other = json!({"meshsim": crate::output::VERSION, "scenario": report.summary.scenario, "seed": report.summary.seed, "sample": trace.sample, "truncated": trace.truncated});
    // The keys in serde_json's (sorted) order, as `to_string` of the whole document wrote them.
    let other = serde_json::to_string(&other).expect("trace serialises");
    let mut events = JsonArray::after(format!(
        "{{\"displayTimeUnit\":\"ms\",\"otherData\":{other},\"traceEvents\":"
    ));
    chrome_names(scenario, &mut events);
    for (id, s) in trace.spans.iter().enumerate() {
        chrome_span(
            scenario,
            &mut events,
            id,
            s,
            chrome_track(scenario, trace, &pods, s),
            run_end,
        );
    }
    chrome_counters(scenario, report, &mut events);
    chrome_instants(scenario, report, &mut events);
    let mut text = events.finish();
    text.push_str("}\n");
    text
}

/// The Chrome process id of client number `c`: after the services' (which start at 1).
fn client_pid(scenario: &Scenario, c: usize) -> usize {
    1 + scenario.services.len() + c
}

/// Metadata events naming a process per service and per client and a thread per pod.
fn chrome_names(scenario: &Scenario, events: &mut JsonArray) {
    for (s, svc) in scenario.services.iter().enumerate() {
        events.push(&json!({"ph": "M", "name": "process_name", "pid": s + 1, "tid": 0, "args": {"name": format!("service {}", svc.name)}}));
        for r in 0..svc.replicas {
            events.push(&json!({"ph": "M", "name": "thread_name", "pid": s + 1, "tid": r + 1, "args": {"name": format!("{}-{r}", svc.name)}}));
        }
    }
    for (c, client) in scenario.clients.iter().enumerate() {
        events.push(&json!({"ph": "M", "name": "process_name", "pid": client_pid(scenario, c), "tid": 0, "args": {"name": format!("client {}", client.name)}}));
    }
}

/// Where a span is drawn, as `(pid, tid)`: the pod (or client) doing the work.
fn chrome_track(scenario: &Scenario, trace: &TraceData, pods: &[(usize, u32)], s: &Span) -> (usize, u32) {
    let at_pod = |p: u32| {
        let (svc, r) = pods[p as usize];
        (svc + 1, r + 1)
    };
    match s.kind {
        SpanKind::Server => at_pod(s.pod),
        _ if s.kind == SpanKind::Call && s.pod != NO_SPAN => at_pod(s.pod),
        _ => match scenario.edges[s.edge as usize].caller {
            Caller::Client(c) => (client_pid(scenario, c as usize), 0),
            Caller::Service(_) => {
                // Attempts from a pod: the parent call's pod.
                let parent = &trace.spans[s.parent as usize];
                if parent.pod != NO_SPAN {
                    at_pod(parent.pod)
                } else {
                    (1, 0)
                }
            }
        },
    }
}

/// Span number `id` as an async slice (a `b` and an `e` event) on `track`, with its status,
/// trace and, for attempts, attempt number and breaker state.
fn chrome_span(
    scenario: &Scenario,
    events: &mut JsonArray,
    id: usize,
    s: &Span,
    track: (usize, u32),
    run_end: SimTime,
) {
    let (pid, tid) = track;
    let (ok, status) = status_text(s.status);
    let cat = match s.kind {
        SpanKind::Request => "request",
        SpanKind::Call => "call",
        SpanKind::Attempt => "attempt",
        SpanKind::Server => "server",
    };
    let name = span_name(scenario, s);
    let mut args = json!({"status": status, "ok": ok, "trace": s.root});
    if s.kind == SpanKind::Attempt {
        args["attempt"] = json!(s.attempt);
        if let Some(b) = s.breaker {
            args["breaker"] = json!(b.name());
        }
    }
    let hex = format!("0x{id:x}");
    events.push(&json!({"ph": "b", "cat": cat, "name": name, "id": hex, "pid": pid, "tid": tid, "ts": us(s.start), "args": args}));
    events.push(&json!({"ph": "e", "cat": cat, "name": name, "id": hex, "pid": pid, "tid": tid, "ts": us(end_of(s, run_end))}));
}

/// In-flight and queued counters (`C` events) of every service, one per bucket.
fn chrome_counters(scenario: &Scenario, report: &Report, events: &mut JsonArray) {
    let bucket = report.series.bucket_s;
    for (s, svc) in scenario.services.iter().enumerate() {
        let busy = report
            .series
            .num(&format!("service.{}.busy_mean", svc.name))
            .unwrap_or(&[]);
        let queued = report
            .series
            .num(&format!("service.{}.queued_mean", svc.name))
            .unwrap_or(&[]);
        for (b, (x, q)) in busy.iter().zip(queued).enumerate() {
            let ts = b as f64 * bucket * 1e6;
            events.push(&json!({"ph": "C", "name": "in flight / queued", "pid": s + 1, "tid": 0, "ts": ts, "args": {"in_flight": x, "queued": q}}));
        }
    }
}

/// Kills, restarts and breaker transitions from the log as instant events on their pod's track.
fn chrome_instants(scenario: &Scenario, report: &Report, events: &mut JsonArray) {
    let pod_track = |name: &str| -> Option<(usize, u32)> {
        scenario.services.iter().enumerate().find_map(|(s, svc)| {
            let r: u32 = name.strip_prefix(&svc.name)?.strip_prefix('-')?.parse().ok()?;
            (r < svc.replicas).then_some((s + 1, r + 1))
        })
    };
    for e in &report.log {
        let (what, pod) = match &e.kind {
            LogKind::Killed { pod, reason, lost } => (format!("killed ({reason:?}), {lost} lost"), pod),
            LogKind::RestartScheduled { pod, backoff_s, .. } => {
                (format!("restart (back-off {backoff_s}s)"), pod)
            }
            LogKind::Breaker { owner, from, to, .. } => {
                (format!("breaker {} → {}", from.name(), to.name()), owner)
            }
            _ => continue,
        };
        let (pid, tid) = pod_track(pod).unwrap_or((0, 0));
        events.push(&json!({"ph": "i", "s": "t", "name": what, "pid": pid, "tid": tid, "ts": e.t * 1e6}));
    }
}

/// The 128-bit OTLP trace id (32 hex digits) of trace `root`, derived from the seed.
fn hex128(seed: u64, root: u32) -> String {
    let a = derive_seed(seed, u64::from(root) * 2);
    let b = derive_seed(seed, u64::from(root) * 2 + 1);
    format!("{a:016x}{b:016x}")
}

/// The 64-bit OTLP span id (16 hex digits, never zero) of span `id`, derived from the seed.
fn hex64(seed: u64, id: u32) -> String {
    let v = derive_seed(seed ^ 0x5350_414e, u64::from(id)).max(1);
    format!("{v:016x}")
}

/// An OTLP attribute `{key, value}` with the value typed as OTLP/JSON wants (ints as strings).
fn attr(key: &str, value: Value) -> Value {
    let v = match value {
        Value::String(s) => json!({"stringValue": s}),
        Value::Bool(b) => json!({"boolValue": b}),
        Value::Number(n) if n.is_u64() || n.is_i64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n}),
        other => json!({"stringValue": other.to_string()}),
    };
    json!({"key": key, "value": v})
}

/// The OTLP/JSON of a run's spans, grouped by resource (`service.name`) in order of first use.
pub fn otlp(scenario: &Scenario, report: &Report, trace: &TraceData) -> String {
    let seed = report.summary.seed;
    let run_end = run_end(report);
    let pods = pods(scenario);
    // Each resource's spans, resources in order of first use (span ids only: 4 bytes a span).
    let mut by_resource: Vec<(&str, Vec<u32>)> = Vec::new();
    for (id, s) in trace.spans.iter().enumerate() {
        let resource = otlp_resource(scenario, s).0;
        match by_resource.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, ids)) => ids.push(id as u32),
            None => by_resource.push((resource, vec![id as u32])),
        }
    }
    // The keys in serde_json's (sorted) order: resource, scopeSpans; scope, spans.
    let scope = json!({"name": "meshsim", "version": crate::output::VERSION});
    let scope = serde_json::to_string(&scope).expect("trace serialises");
    let mut text = String::from("{\"resourceSpans\":[");
    for (i, (name, ids)) in by_resource.into_iter().enumerate() {
        let resource = json!({"attributes": [attr("service.name", json!(name))]});
        let resource = serde_json::to_string(&resource).expect("trace serialises");
        if i > 0 {
            text.push(',');
        }
        let _ = write!(
            text,
            "{{\"resource\":{resource},\"scopeSpans\":[{{\"scope\":{scope},\"spans\":"
        );
        let mut spans = JsonArray::after(text);
        for id in ids {
            let s = &trace.spans[id as usize];
            spans.push(&otlp_span(scenario, &pods, seed, run_end, id as usize, s));
        }
        text = spans.finish();
        text.push_str("}]}");
    }
    text.push_str("]}\n");
    text
}

/// The resource (`service.name`: the side doing the work) and OTLP span kind of a span.
fn otlp_resource<'a>(scenario: &'a Scenario, s: &Span) -> (&'a str, u8) {
    let (caller, callee) = edge_names(scenario, s.edge);
    match s.kind {
        SpanKind::Request => (caller, 3),
        SpanKind::Call => (caller, 1),
        SpanKind::Attempt => (caller, 3),
        SpanKind::Server => (callee, 2),
    }
}

/// Span number `id` in OTLP/JSON.
fn otlp_span(
    scenario: &Scenario,
    pods: &[(usize, u32)],
    seed: u64,
    run_end: SimTime,
    id: usize,
    s: &Span,
) -> Value {
    let kind = otlp_resource(scenario, s).1;
    let (ok, status) = status_text(s.status);
    let attributes = otlp_attributes(scenario, pods, s, &status);
    let code = match s.status {
        SpanStatus::Open => 0,
        _ if ok => 1,
        _ => 2,
    };
    let mut span = json!({
        "traceId": hex128(seed, s.root),
        "spanId": hex64(seed, id as u32),
        "name": span_name(scenario, s),
        "kind": kind,
        "startTimeUnixNano": (OTLP_EPOCH_NS + s.start.as_nanos()).to_string(),
        "endTimeUnixNano": (OTLP_EPOCH_NS + end_of(s, run_end).as_nanos()).to_string(),
        "attributes": attributes,
        "status": if code == 2 { json!({"code": 2, "message": status}) } else { json!({"code": code}) },
    });
    if s.parent != NO_SPAN {
        span["parentSpanId"] = json!(hex64(seed, s.parent));
    }
    span
}

/// A span's attributes: kind, outcome (`status`), attempt number and breaker state for
/// attempts, and the pod's name where it ran on one.
fn otlp_attributes(scenario: &Scenario, pods: &[(usize, u32)], s: &Span, status: &str) -> Vec<Value> {
    let mut attributes = vec![
        attr("meshsim.kind", json!(format!("{:?}", s.kind).to_lowercase())),
        attr("meshsim.outcome", json!(status)),
    ];
    if s.kind == SpanKind::Attempt {
        attributes.push(attr("meshsim.attempt", json!(s.attempt)));
        if let Some(b) = s.breaker {
            attributes.push(attr("meshsim.breaker_state", json!(b.name())));
        }
    }
    if s.pod != NO_SPAN {
        let (svc, r) = pods[s.pod as usize];
        attributes.push(attr(
            "k8s.pod.name",
            json!(format!("{}-{r}", scenario.services[svc].name)),
        ));
    }
    attributes
}
