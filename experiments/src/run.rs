//! `meshsim run`: load a scenario (file or builtin) with overrides, run it, and produce every
//! output in memory; writing them is a separate step so nothing is written on bad input.

use std::path::{Path, PathBuf};

use models::RunOutput;

use crate::catalog;
use crate::narrate::narrate;
use crate::outdir::{DirLock, OutDirError};
use crate::output::{events_jsonl, summary_json, timeseries_csv};
use crate::scenario::{Loaded, Override, ScenarioError, Source, load, parse_duration};

/// Where a scenario comes from, resolved.
pub fn resolve_source(arg: &str) -> Result<Source, String> {
    match catalog::file_or_builtin(Path::new(arg), arg) {
        Some(Ok((source, _))) => Ok(source),
        Some(Err(e)) => Err(e.message(Path::new(arg))),
        None => Err(format!(
            "no scenario file or builtin called `{arg}` (builtins: {})",
            catalog::names().join(", ")
        )),
    }
}

/// Default and ceiling of the spans a trace records (`--trace-max-spans`): 0.75 GB with both
/// formats (measured).
pub const MAX_TRACE_SPANS: usize = 1_000_000;

/// A run's duration given apart from the scenario (`--duration 300s`, the Python module's
/// `duration=`), as the override of `duration` it is; checked first, so a negative or malformed
/// one is told as such (`error: --duration D: ...`) rather than as a bad `--set`.
pub fn duration_override(d: &str) -> Result<Override, String> {
    if d.starts_with('-') {
        return Err(format!(
            "error: --duration {d}: a negative duration; give a positive one such as 300s"
        ));
    }
    parse_duration(d).map_err(|e| format!("error: --duration {d}: {e}"))?;
    Ok(Override {
        path: "duration".into(),
        value: format!("\"{d}\""),
    })
}

/// Validated options of one run.
pub struct RunOptions {
    /// The scenario text.
    pub source: Source,
    /// `--set` overrides (and `--duration`, as an override of `duration`).
    pub overrides: Vec<Override>,
    /// `--seed`, overriding the file's seed.
    pub seed: Option<u64>,
    /// Per-request traces to record and the formats to write them in.
    pub trace: Option<TraceOptions>,
    /// Check the world's invariants after every event (slower; see docs/reliability.md).
    pub check_invariants: bool,
}

/// Trace output formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// Chrome Trace Event JSON, for Perfetto UI (`trace.chrome.json`).
    Chrome,
    /// OpenTelemetry OTLP/JSON spans, for Jaeger (`trace.otlp.json`).
    Otlp,
}

/// What to trace.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceOptions {
    /// Formats to write.
    pub formats: Vec<TraceFormat>,
    /// Sampling and memory bound.
    pub config: models::trace::TraceConfig,
}

/// A finished run and everything needed to report it.
pub struct Finished {
    /// Trace formats to write.
    pub trace_formats: Vec<TraceFormat>,
    /// The effective scenario.
    pub loaded: Loaded,
    /// The seed used.
    pub seed: u64,
    /// The results.
    pub output: RunOutput,
}

/// Loads and runs.
pub fn execute(opts: &RunOptions) -> Result<Finished, ScenarioError> {
    execute_with(opts, opts.check_invariants, None)
}

/// Loads and runs with invariant checks on or off and an event digest recorded if asked (the
/// determinism check runs without the checks and with a digest).
pub(crate) fn execute_with(
    opts: &RunOptions,
    check_invariants: bool,
    digest: Option<models::digest::DigestConfig>,
) -> Result<Finished, ScenarioError> {
    let loaded = load(&opts.source, &opts.overrides)?;
    Ok(execute_loaded_with(opts, loaded, check_invariants, digest))
}

/// Runs a scenario already loaded from `opts` (by [`load`]): for callers with something to do
/// between checking the scenario and running it (locking the output directory).
pub fn execute_loaded(opts: &RunOptions, loaded: Loaded) -> Finished {
    execute_loaded_with(opts, loaded, opts.check_invariants, None)
}

fn execute_loaded_with(
    opts: &RunOptions,
    loaded: Loaded,
    check_invariants: bool,
    digest: Option<models::digest::DigestConfig>,
) -> Finished {
    let seed = opts.seed.unwrap_or(loaded.seed);
    let config = models::RunConfig {
        trace: opts.trace.as_ref().map(|t| t.config),
        check_invariants,
        digest,
    };
    let output = models::run_with(loaded.scenario.clone(), seed, &config);
    let trace_formats = opts.trace.as_ref().map(|t| t.formats.clone()).unwrap_or_default();
    Finished {
        trace_formats,
        loaded,
        seed,
        output,
    }
}

/// Every output file of a run, rendered in memory: `(file name, bytes)`.
pub fn render_outputs(f: &Finished) -> Result<Vec<(String, Vec<u8>)>, plots::PlotError> {
    let report = &f.output.report;
    let mut files = vec![
        (
            "summary.json".to_string(),
            summary_json(&report.summary, &f.loaded.hash).into_bytes(),
        ),
        (
            "timeseries.csv".to_string(),
            timeseries_csv(&report.series).into_bytes(),
        ),
        ("events.jsonl".to_string(), events_jsonl(report).into_bytes()),
        (
            "scenario.toml".to_string(),
            f.loaded.canonical.clone().into_bytes(),
        ),
    ];
    let narration = narrate(&f.loaded.scenario, report).join("\n") + "\n";
    files.push(("anatomy.txt".to_string(), narration.into_bytes()));
    let timeline = crate::charts::timeline(&f.loaded.scenario, report, &f.loaded.hash);
    files.push((
        "timeline.svg".to_string(),
        plots::timeline_svg(&timeline)?.into_bytes(),
    ));
    files.push(("timeline.png".to_string(), plots::timeline_png(&timeline)?));
    let topology = crate::charts::topology(&f.loaded.scenario, report, &f.loaded.hash);
    files.push((
        "topology.svg".to_string(),
        plots::topology_svg(&topology)?.into_bytes(),
    ));
    files.push(("topology.png".to_string(), plots::topology_png(&topology)?));
    if let Some(trace) = &report.trace {
        for format in &f.trace_formats {
            let (name, text) = match format {
                TraceFormat::Chrome => (
                    "trace.chrome.json",
                    crate::trace_export::chrome(&f.loaded.scenario, report, trace),
                ),
                TraceFormat::Otlp => (
                    "trace.otlp.json",
                    crate::trace_export::otlp(&f.loaded.scenario, report, trace),
                ),
            };
            files.push((name.to_string(), text.into_bytes()));
        }
    }
    Ok(files)
}

/// Writes rendered outputs as the whole content of `dir`, replacing a previous run's
/// directory there at once ([`crate::outdir::write_run_dir`]); `lock` is `dir`'s, from
/// [`crate::outdir::prepare_run_dir`].
pub fn write_outputs(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    lock: &DirLock,
) -> Result<Vec<PathBuf>, OutDirError> {
    crate::outdir::write_run_dir(dir, files, lock)
}
