//! A run directory (`meshsim run --out DIR`) read as a [`Run`], without running it again:
//! `summary.json` gives the figures, `anatomy.txt` the anatomy, and the timeline is drawn from
//! `scenario.toml` (the effective scenario), `timeseries.csv` and `summary.json`.
//!
//! The pod bands come from the time series' per-bucket pod states (so a state shorter than a
//! bucket is not seen), the breaker bands from the `breaker` transitions in `events.jsonl`
//! (so a breaker that never changed state has no row, and where the bounded log dropped
//! entries the bands stop at its last entry); every other panel is the one `meshsim run` drew.

use std::path::Path;

use models::causes::CauseCount;
use models::metrics::{ByFailure, EdgeCounts, PodState, ServiceCounts};
use models::outcome::Failure;
use models::policy::Refusal;
use models::policy::breaker::BreakerState;
use models::report::{
    Bands, BreakerBand, ClientSummary, Column, EdgeSummary, FailureCounts, LatencyMs, PodBand, PodSummary,
    Report, ServiceSummary, StopInfo, Summary, TimeSeries, Values,
};
use serde_json::Value;
use sim_core::time::SimTime;

use super::{Files, Run};
use crate::input::{read_bytes, read_text};
use crate::outdir::RUN_MARKER;
use crate::scenario::{Source, load};

/// Largest file of a run directory read (its event log is bounded well below this).
pub const MAX_FILE: u64 = 256 << 20;

/// Reads the run directory `dir` as a run called `label`, with its files (those its marker
/// lists) to copy; the error says which file is missing or wrong.
pub fn read(dir: &Path, label: &str) -> Result<(Run, Files), String> {
    let shown = dir.display();
    if dir.join("compare.json").is_file() {
        return Err(format!(
            "error: {shown} is a comparison directory (written by `meshsim compare --out`), not a \
             run directory: compare one of its runs, {} or {}",
            dir.join("a").display(),
            dir.join("b").display()
        ));
    }
    let marker_path = dir.join(RUN_MARKER);
    let marker = read_text(&marker_path, MAX_FILE).map_err(|_| {
        format!("error: {shown}: not a run directory written by `meshsim run --out` (it has no {RUN_MARKER})")
    })?;
    let marker: Value =
        serde_json::from_str(&marker).map_err(|e| format!("error: {}: {e}", marker_path.display()))?;
    let mut files = Vec::new();
    for name in marker["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if name.contains('/') || name.starts_with('.') {
            return Err(format!(
                "error: {}: unexpected file name `{name}`",
                marker_path.display()
            ));
        }
        let path = dir.join(name);
        files.push((
            name.to_string(),
            read_bytes(&path, MAX_FILE).map_err(|e| e.message(&path))?,
        ));
    }
    let text = |name: &str| -> Result<String, String> {
        let bytes = files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.clone())
            .ok_or_else(|| format!("error: {shown}: the run directory has no {name}"))?;
        String::from_utf8(bytes).map_err(|_| format!("error: {shown}/{name}: not UTF-8"))
    };
    let json: Value = serde_json::from_str(&text("summary.json")?)
        .map_err(|e| format!("error: {shown}/summary.json: {e}"))?;
    let source = Source::new(format!("{shown}/scenario.toml"), text("scenario.toml")?);
    let loaded = load(&source, &[]).map_err(|e| e.to_string())?;
    // The width the run used (`meshsim run` widens `bucket` when the run has too many), from
    // the scenario rather than the CSV, whose times cannot tell it when there is one row.
    let bucket_s = loaded.scenario.series_bucket().as_secs_f64();
    let series = series(&text("timeseries.csv")?, bucket_s).ok_or_else(|| {
        format!("error: {shown}/timeseries.csv: not a time series written by `meshsim run`")
    })?;
    let summary = summary(&json)
        .ok_or_else(|| format!("error: {shown}/summary.json: not a summary written by `meshsim run`"))?;
    let report = Report {
        bands: Bands {
            pods: pod_bands(&series),
            breakers: breaker_bands(&text("events.jsonl").unwrap_or_default(), summary.log_dropped > 0),
        },
        summary,
        series,
        log: Vec::new(),
        trace: None,
    };
    let hash = json["scenario_hash"].as_str().unwrap_or("").to_string();
    let run = Run {
        label: label.to_string(),
        timeline: crate::charts::timeline(&loaded.scenario, &report, &hash),
        anatomy: text("anatomy.txt")?.lines().map(str::to_string).collect(),
        summary: json,
    };
    Ok((run, files))
}

/// The time series from `timeseries.csv`, in buckets `bucket_s` wide: numbers (an empty cell
/// is no value), and the pods' state words.
fn series(csv: &str, bucket_s: f64) -> Option<TimeSeries> {
    let rows = crate::output::parse_csv(csv);
    let (head, body) = rows.split_first()?;
    let mut columns = Vec::new();
    for (i, name) in head.iter().enumerate().skip(1) {
        let cells = body.iter().map(|r| r.get(i).map_or("", String::as_str));
        let values = if name.starts_with("pod.") && name.ends_with(".state") {
            Values::Text(cells.map(state_word).collect())
        } else {
            Values::Num(cells.map(|c| c.parse().unwrap_or(f64::NAN)).collect())
        };
        columns.push(Column {
            name: name.clone(),
            values,
        });
    }
    Some(TimeSeries {
        bucket_s,
        buckets: body.len(),
        columns,
    })
}

/// A pod state's word with a static lifetime (the series' text type).
fn state_word(w: &str) -> &'static str {
    ["ready", "not_ready", "starting", "down"]
        .into_iter()
        .find(|s| *s == w)
        .unwrap_or("unknown")
}

/// Each breaker's band from the `breaker` events of an event log (`events.jsonl`), in the order
/// the breakers first changed state, each closed from time zero; when the log dropped entries
/// (`cut`), every band stops at the log's last entry.
fn breaker_bands(jsonl: &str, cut: bool) -> Vec<BreakerBand> {
    let mut bands: Vec<BreakerBand> = Vec::new();
    let mut last = 0.0f64;
    let at = |t: f64| SimTime::from_nanos(sim_core::time::SimDuration::from_secs_f64(t).as_nanos());
    for line in jsonl.lines() {
        let Ok(e) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let t = e["t"].as_f64().unwrap_or(last);
        last = last.max(t);
        if e["event"] != "breaker" {
            continue;
        }
        let state = match e["to"].as_str() {
            Some("open") => BreakerState::Open,
            Some("half_open") => BreakerState::HalfOpen,
            _ => BreakerState::Closed,
        };
        let (edge, owner) = (text(&e["edge"]), text(&e["owner"]));
        let i = match bands.iter().position(|b| b.edge == edge && b.owner == owner) {
            Some(i) => i,
            None => {
                bands.push(BreakerBand {
                    edge,
                    owner,
                    states: vec![(SimTime::ZERO, BreakerState::Closed)],
                    kept_until: None,
                });
                bands.len() - 1
            }
        };
        bands[i].states.push((at(t), state));
    }
    if cut {
        for b in &mut bands {
            b.kept_until = Some(at(last));
        }
    }
    bands
}

/// Each pod's band from its per-bucket state column: a change where a bucket's state differs.
fn pod_bands(series: &TimeSeries) -> Vec<PodBand> {
    let mut out = Vec::new();
    for c in &series.columns {
        let (Some(pod), Values::Text(words)) = (c.name.strip_prefix("pod."), &c.values) else {
            continue;
        };
        let mut states: Vec<(SimTime, PodState)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let s = match *w {
                "ready" => PodState::Ready,
                "not_ready" => PodState::NotReady,
                "starting" => PodState::Starting,
                _ => PodState::Down,
            };
            if states.last().is_none_or(|l| l.1 != s) {
                let t = SimTime::from_nanos(
                    sim_core::time::SimDuration::from_secs_f64(i as f64 * series.bucket_s).as_nanos(),
                );
                states.push((t, s));
            }
        }
        out.push(PodBand {
            pod: pod.trim_end_matches(".state").to_string(),
            states,
            kept_until: None,
        });
    }
    out
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn latency(v: &Value) -> LatencyMs {
    LatencyMs {
        count: u(&v["count"]),
        mean: f(&v["mean"]),
        p50: f(&v["p50"]),
        p90: f(&v["p90"]),
        p99: f(&v["p99"]),
        p999: f(&v["p999"]),
        max: f(&v["max"]),
    }
}

fn failures(v: &Value) -> FailureCounts {
    FailureCounts(Failure::ALL.iter().map(|x| (x.name(), u(&v[x.name()]))).collect())
}

/// A `failed_by`-style object as the counts it was written from.
fn by_failure(v: &Value) -> ByFailure {
    ByFailure(Failure::ALL.map(|x| u(&v[x.name()])))
}

/// One line of `failed_by_cause`; reason names not known to this build read as "".
fn cause(v: &Value) -> CauseCount {
    let reason = |v: &Value| {
        Failure::ALL
            .iter()
            .map(|x| x.name())
            .find(|n| Some(*n) == v.as_str())
            .unwrap_or("")
    };
    CauseCount {
        chain: text(&v["chain"]),
        reason: reason(&v["reason"]),
        deepest_reason: reason(&v["deepest_reason"]),
        deepest_edge: text(&v["deepest_edge"]),
        depth: u8::try_from(u(&v["depth"])).unwrap_or(u8::MAX),
        count: u(&v["count"]),
    }
}

fn list<T>(v: &Value, each: impl Fn(&Value) -> T) -> Vec<T> {
    v.as_array().into_iter().flatten().map(each).collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

/// The summary from summary.json, as far as the timeline reads it (the faults' phases are
/// left out: the timeline draws fault windows from the scenario).
fn summary(j: &Value) -> Option<Summary> {
    Some(Summary {
        scenario: j["scenario"].as_str()?.to_string(),
        seed: j["seed"].as_u64()?,
        duration_s: j["duration_s"].as_f64()?,
        events: u(&j["events"]),
        stop: StopInfo {
            reason: text(&j["stop"]["reason"]),
            partial: j["stop"]["partial"].as_bool().unwrap_or(false),
            at_s: j["stop"]["at_s"].as_f64()?,
        },
        log_dropped: u(&j["log_dropped"]),
        clients: list(&j["clients"], client),
        services: list(&j["services"], service),
        edges: list(&j["edges"], edge),
        faults: Vec::new(),
    })
}

fn client(c: &Value) -> ClientSummary {
    ClientSummary {
        name: text(&c["name"]),
        requests: u(&c["requests"]),
        ok: u(&c["ok"]),
        degraded: u(&c["degraded"]),
        failed: u(&c["failed"]),
        failed_by: failures(&c["failed_by"]),
        failed_by_cause: list(&c["failed_by_cause"], cause),
        in_flight: u(&c["in_flight"]),
        goodput_per_s: f(&c["goodput_per_s"]),
        latency_ms: latency(&c["latency_ms"]),
        latency_ok_ms: latency(&c["latency_ok_ms"]),
        latency_answered_ms: latency(&c["latency_answered_ms"]),
        latency_failed_ms: latency(&c["latency_failed_ms"]),
    }
}

fn service(s: &Value) -> ServiceSummary {
    let u32_of = |v: &Value| u32::try_from(u(v)).unwrap_or(u32::MAX);
    ServiceSummary {
        name: text(&s["name"]),
        replicas: u32_of(&s["replicas"]),
        slots: u32_of(&s["slots"]),
        counts: ServiceCounts {
            arrivals: u(&s["arrivals"]),
            completed_ok: u(&s["completed_ok"]),
            completed_error: u(&s["completed_error"]),
            completed_degraded: u(&s["completed_degraded"]),
            rejected: u(&s["rejected"]),
            dropped_deadline: u(&s["dropped_deadline"]),
            lost: u(&s["lost"]),
            probes: u(&s["probes"]),
        },
        waited_fraction: f(&s["waited_fraction"]),
        queue_wait_ms: latency(&s["queue_wait_ms"]),
        service_time_ms: latency(&s["service_time_ms"]),
        mean_in_flight: f(&s["mean_in_flight"]),
        mean_queued: f(&s["mean_queued"]),
        utilisation: f(&s["utilisation"]),
        wasted_work_s: f(&s["wasted_work_s"]),
        wasted_share: f(&s["wasted_share"]),
        restarts: u32_of(&s["restarts"]),
        pods: list(&s["pods"], |p| PodSummary {
            name: text(&p["name"]),
            arrivals: u(&p["arrivals"]),
            restarts: u32_of(&p["restarts"]),
            kills: u32_of(&p["kills"]),
            time_ready_s: f(&p["time_ready_s"]),
            ready_fraction: f(&p["ready_fraction"]),
        }),
    }
}

fn edge(e: &Value) -> EdgeSummary {
    // `amplification`, `failed`, `failed_by`, `attempt_failures_by` and `deadline_exceeded` are
    // derived from the counts, as in a fresh run.
    let mut counts = EdgeCounts {
        calls: u(&e["calls"]),
        attempts: u(&e["attempts"]),
        retries: u(&e["retries"]),
        ok: u(&e["ok"]),
        degraded: u(&e["degraded"]),
        failed: by_failure(&e["failed_by"]),
        attempt_failures: by_failure(&e["attempt_failures_by"]),
        fallback_degrade: u(&e["fallback_degrade"]),
        fallback_defer: u(&e["fallback_defer"]),
        deferred_done: u(&e["deferred_done"]),
        deferred_dropped: u(&e["deferred_dropped"]),
        degraded_answers: u(&e["degraded_answers"]),
        ..EdgeCounts::default()
    };
    for r in Refusal::ALL {
        counts.rejections[r] = u(&e[r.summary_key()]);
    }
    EdgeSummary {
        name: text(&e["name"]),
        caller: text(&e["caller"]),
        callee: text(&e["callee"]),
        policy: text(&e["policy"]),
        counts,
        deferred_pending: u(&e["deferred_pending"]),
        breaker_transitions: u(&e["breaker_transitions"]),
        call_latency_ms: latency(&e["call_latency_ms"]),
    }
}
