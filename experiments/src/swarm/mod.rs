//! Swarm testing: random but valid scenarios from a seed, run with every invariant checker on.
//!
//! A simulator whose users make design decisions from its numbers must never panic, hang,
//! produce NaN or silently break its own rules, whatever scenario it is given. For a seed,
//! [`generate`] builds a random [`Spec`] (services in a DAG up to four deep, clients, policies,
//! faults, probes, extreme values), [`check`] writes it as a scenario file, loads it through
//! [`crate::scenario::load`] like `meshsim run` would, runs it with the world's own invariant
//! checker on (`models::RunConfig::check_invariants`), renders every output in memory, and
//! checks the outputs ([`checks::check_run`]). A failure comes back as a [`Failure`];
//! [`shrink`] then simplifies the scenario while it keeps failing the same way.
//!
//! `meshsim swarm --seed N` reproduces one seed; `meshsim swarm --count N` runs many in
//! parallel. `docs/reliability.md` lists every invariant and limit.
//!
//! Everything here is deterministic: the generator draws only from
//! `RngStreams::new(seed).stream("swarm")`, and a run is a pure function of its scenario and
//! seed, so a seed reproduces its failure on any machine and thread count.

pub mod checks;
mod generate;
mod shrink;
pub mod spec;

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use models::RunConfig;
use models::config::Scenario;

use crate::scenario::{Source, load};

pub use checks::{Failure, FailureKind, check_run};
pub use generate::generate;
pub use shrink::{DEFAULT_SHRINK_TRIES, Shrunk, candidates, shrink, shrink_with};
pub use spec::Spec;

/// What a passing seed did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The seed.
    pub seed: u64,
    /// Events processed.
    pub events: u64,
    /// `stop.reason`: `end_time`, `drained`, `max_events` or `max_pending`.
    pub stop: String,
    /// Whether a limit stopped the run (allowed: it is reported as partial).
    pub hit_limit: bool,
    /// Client requests started.
    pub requests: u64,
}

thread_local! {
    /// `Some` while this thread runs swarm code: the panic hook stores the message here instead
    /// of printing it.
    static CAPTURE: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that stays silent on threads running swarm code
/// and keeps their message and location, and defers to the previous hook everywhere else.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let captured = CAPTURE.with(|c| match c.borrow_mut().as_mut() {
                Some(slot) => {
                    *slot = Some(info.to_string());
                    true
                }
                None => false,
            });
            if !captured {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into its message (with its location).
pub fn catching<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    CAPTURE.with(|c| *c.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(f));
    let message = CAPTURE.with(|c| c.borrow_mut().take()).flatten();
    result.map_err(|payload| {
        message.unwrap_or_else(|| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "a panic without a message".into())
        })
    })
}

/// Generates, runs and checks seed `seed`.
pub fn check(seed: u64) -> Result<Summary, Failure> {
    let spec = catching(|| generate(seed))
        .map_err(|p| Failure::new(FailureKind::Panic, format!("the generator panicked: {p}")))?;
    check_spec(&spec)
}

/// Runs and checks a scenario described by `spec`.
pub fn check_spec(spec: &Spec) -> Result<Summary, Failure> {
    check_text(&format!("{}.toml", spec.name()), &spec.to_toml())
}

/// Loads a scenario file's text, runs it with its own seed and every check on, renders every
/// output in memory and checks them.
pub fn check_text(name: &str, text: &str) -> Result<Summary, Failure> {
    let source = Source::new(name, text);
    let loaded = catching(|| load(&source, &[]))
        .map_err(|p| Failure::new(FailureKind::Panic, format!("the loader panicked: {p}")))?
        .map_err(|e| Failure::new(FailureKind::Load, format!("the scenario does not load:\n{e}")))?;
    let scenario = loaded.scenario;
    let seed = loaded.seed;
    let config = RunConfig {
        trace: None,
        check_invariants: true,
        digest: None,
    };
    let out = catching(|| models::run_with(scenario.clone(), seed, &config))
        .map_err(|p| Failure::new(FailureKind::Panic, format!("the run panicked: {p}")))?;
    catching(|| check_run(&scenario, &out))
        .map_err(|p| Failure::new(FailureKind::Panic, format!("a check panicked: {p}")))??;
    catching(|| check_rendering(&scenario, &out.report, &loaded.hash))
        .map_err(|p| Failure::new(FailureKind::Panic, format!("rendering the outputs panicked: {p}")))??;
    if seed.is_multiple_of(5) {
        catching(|| check_traced(&scenario, seed, &out.report))
            .map_err(|p| Failure::new(FailureKind::Panic, format!("the traced run panicked: {p}")))??;
    }
    let s = &out.report.summary;
    Ok(Summary {
        seed,
        events: s.events,
        stop: s.stop.reason.clone(),
        hit_limit: out.limit.is_some(),
        requests: s.clients.iter().map(|c| c.requests).sum(),
    })
}

/// Whether `text` has `NaN`, `inf` or `Infinity` as a word.
fn has_nonfinite_word(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| matches!(*w, "NaN" | "nan" | "inf" | "Infinity"))
}

fn nonfinite_word(what: &str, text: &str) -> Result<(), Failure> {
    match has_nonfinite_word(text) {
        Some(w) => Err(Failure::new(
            FailureKind::NonFinite,
            format!("{what} contains `{w}`"),
        )),
        None => Ok(()),
    }
}

/// Parses `text` as JSON (a `NaN` or `Infinity` would not parse).
fn valid_json(what: &str, text: &str) -> Result<serde_json::Value, Failure> {
    serde_json::from_str(text)
        .map_err(|e| Failure::new(FailureKind::NonFinite, format!("{what} is not valid JSON: {e}")))
}

/// Every output renders: summary.json, timeseries.csv and events.jsonl (valid, every number
/// finite), the summary table, the narrated anatomy and the timeline SVG (no NaN or infinity).
fn check_rendering(scenario: &Scenario, report: &models::report::Report, hash: &str) -> Result<(), Failure> {
    let summary = crate::output::summary_json(&report.summary, hash);
    let value = valid_json("summary.json", &summary)?;
    if let Some(path) = find_null(&value) {
        return Err(Failure::new(
            FailureKind::NonFinite,
            format!("summary.json: {path} is null (NaN or infinity)"),
        ));
    }
    let csv = crate::output::timeseries_csv(&report.series);
    for (i, line) in csv.lines().enumerate().skip(1) {
        for cell in line.split(',') {
            let state = matches!(cell, "" | "ready" | "not_ready" | "starting" | "down");
            if !state && !cell.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0) {
                return Err(Failure::new(
                    FailureKind::NonFinite,
                    format!("timeseries.csv line {}: cell `{cell}`", i + 1),
                ));
            }
        }
    }
    let events = crate::output::events_jsonl(report);
    for (i, line) in events.lines().enumerate() {
        let v = valid_json(&format!("events.jsonl line {}", i + 1), line)?;
        if let Some(path) = find_null(&v) {
            return Err(Failure::new(
                FailureKind::NonFinite,
                format!("events.jsonl line {}: {path} is null", i + 1),
            ));
        }
    }
    nonfinite_word(
        "the summary table",
        &crate::text::summary_table(&report.summary, hash),
    )?;
    let anatomy = crate::narrate::narrate(scenario, &report.log, report.summary.log_dropped).join("\n");
    nonfinite_word("the anatomy", &anatomy)?;
    let timeline = crate::charts::timeline(scenario, report, hash);
    let svg = plots::timeline_svg(&timeline)
        .map_err(|e| Failure::new(FailureKind::Panic, format!("the timeline does not draw: {e}")))?;
    nonfinite_word("timeline.svg", &svg)
}

/// The path of the first `null` in a JSON value, if any.
fn find_null(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => Some(String::new()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_null(x).map(|p| format!("[{i}]{p}"))),
        serde_json::Value::Object(map) => map
            .iter()
            .find_map(|(k, x)| find_null(x).map(|p| format!(".{k}{p}"))),
        _ => None,
    }
}

/// Tracing never changes the results: the same run with every request traced has the same
/// summary, and both trace formats are valid JSON.
fn check_traced(scenario: &Scenario, seed: u64, untraced: &models::report::Report) -> Result<(), Failure> {
    let trace = models::trace::TraceConfig {
        sample: 1.0,
        max_spans: 2_000,
    };
    let out = models::run_traced(scenario.clone(), seed, Some(trace));
    if out.report.summary != untraced.summary {
        return Err(Failure::new(
            FailureKind::Counts,
            "tracing changed the results (the traced run's summary differs)".to_string(),
        ));
    }
    if let Some(data) = &out.report.trace {
        valid_json(
            "trace.chrome.json",
            &crate::trace_export::chrome(scenario, &out.report, data),
        )?;
        valid_json(
            "trace.otlp.json",
            &crate::trace_export::otlp(scenario, &out.report, data),
        )?;
    }
    Ok(())
}

/// The command that reproduces seed `seed`.
pub fn reproduce_command(seed: u64) -> String {
    format!("meshsim swarm --seed {seed}")
}
