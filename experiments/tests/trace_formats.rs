//! The trace exporters on a small run of the cascade: the structure viewers rely on (ids,
//! times, nesting), that tracing never changes the results, and that memory follows the sample.

use std::collections::BTreeMap;

use experiments::run::{Finished, RunOptions, TraceFormat, TraceOptions, execute};
use experiments::trace_export::{OTLP_EPOCH_NS, chrome, otlp};
use models::trace::TraceConfig;
use serde_json::Value;

mod common;
use common::run_options;

fn run(sample: Option<f64>, max_spans: usize) -> Finished {
    let opts = RunOptions {
        seed: Some(3),
        trace: sample.map(|sample| TraceOptions {
            formats: vec![TraceFormat::Chrome, TraceFormat::Otlp],
            config: TraceConfig { sample, max_spans },
        }),
        ..run_options("cascade", &["duration=120s"])
    };
    execute(&opts).unwrap()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()) && s.bytes().any(|b| b != b'0')
}

#[test]
fn chrome_events_pair_up_and_name_their_tracks() {
    let f = run(Some(0.2), 1_000_000);
    let trace = f.output.report.trace.as_ref().unwrap();
    assert!(!trace.spans.is_empty() && !trace.truncated);
    let doc: Value = serde_json::from_str(&chrome(&f.loaded.scenario, &f.output.report, trace)).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let mut named = Vec::new();
    let mut open: BTreeMap<(String, String), f64> = BTreeMap::new();
    let (mut pairs, mut counters, mut instants) = (0, 0, 0);
    for e in events {
        let ts = e["ts"].as_f64().unwrap_or(0.0);
        match e["ph"].as_str().unwrap() {
            "M" => named.push(e["pid"].as_u64().unwrap()),
            "b" => {
                let key = (
                    e["cat"].as_str().unwrap().to_string(),
                    e["id"].as_str().unwrap().to_string(),
                );
                assert!(open.insert(key, ts).is_none(), "ids are unique per category");
            }
            "e" => {
                let key = (
                    e["cat"].as_str().unwrap().to_string(),
                    e["id"].as_str().unwrap().to_string(),
                );
                let start = open.remove(&key).expect("every end has a begin");
                assert!(ts >= start, "ends after it begins");
                pairs += 1;
            }
            "C" => counters += 1,
            "i" => instants += 1,
            other => panic!("unexpected phase {other}"),
        }
        if e["ph"] != "M" {
            assert!(
                named.contains(&e["pid"].as_u64().unwrap()),
                "every process is named: {e}"
            );
        }
    }
    assert!(open.is_empty(), "every begin has an end");
    assert_eq!(pairs, trace.spans.len());
    assert!(
        counters > 0 && instants > 0,
        "counters {counters}, instants {instants} (the cascade kills pods)"
    );
    // Retries, timeouts and fail-fast show as attempts with a status.
    assert!(
        events
            .iter()
            .any(|e| e["cat"] == "attempt" && e["args"]["ok"] == false)
    );
}

#[test]
fn otlp_spans_have_valid_ids_parents_and_resources() {
    let f = run(Some(0.2), 1_000_000);
    let trace = f.output.report.trace.as_ref().unwrap();
    let doc: Value = serde_json::from_str(&otlp(&f.loaded.scenario, &f.output.report, trace)).unwrap();
    let mut services = Vec::new();
    let mut spans: BTreeMap<String, (String, u64, u64, Option<String>)> = BTreeMap::new();
    for rs in doc["resourceSpans"].as_array().unwrap() {
        let name = rs["resource"]["attributes"][0]["value"]["stringValue"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!services.contains(&name), "one resource per service.name");
        services.push(name);
        for s in rs["scopeSpans"][0]["spans"].as_array().unwrap() {
            let trace_id = s["traceId"].as_str().unwrap();
            let span_id = s["spanId"].as_str().unwrap();
            assert!(is_hex(trace_id, 32) && is_hex(span_id, 16));
            assert!([1, 2, 3].contains(&s["kind"].as_u64().unwrap()));
            let start: u64 = s["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
            let end: u64 = s["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
            assert!(start >= OTLP_EPOCH_NS && end >= start);
            let parent = s["parentSpanId"].as_str().map(str::to_string);
            assert!(
                spans
                    .insert(span_id.to_string(), (trace_id.to_string(), start, end, parent))
                    .is_none()
            );
        }
    }
    assert_eq!(spans.len(), trace.spans.len());
    for (trace_id, start, _, parent) in spans.values() {
        if let Some(p) = parent {
            let (parent_trace, parent_start, _, _) = &spans[p];
            assert_eq!(parent_trace, trace_id, "a child is in its parent's trace");
            assert!(start >= parent_start, "a child starts after its parent");
        }
    }
    assert!(services.iter().any(|s| s == "uploaders") && services.iter().any(|s| s == "classification"));
}

#[test]
fn tracing_changes_nothing_and_memory_follows_the_sample() {
    let plain = run(None, 0);
    let full = run(Some(1.0), 1_000_000);
    let tenth = run(Some(0.1), 1_000_000);
    assert_eq!(plain.output.report.summary, full.output.report.summary);
    assert_eq!(plain.output.report.summary, tenth.output.report.summary);
    let n_full = full.output.report.trace.as_ref().unwrap().spans.len() as f64;
    let n_tenth = tenth.output.report.trace.as_ref().unwrap().spans.len() as f64;
    assert!(
        n_tenth < n_full * 0.2 && n_tenth > n_full * 0.05,
        "{n_tenth} of {n_full}"
    );
    let capped = run(Some(1.0), 500);
    let t = capped.output.report.trace.as_ref().unwrap();
    assert!(t.truncated && t.spans.len() <= 500);
}
