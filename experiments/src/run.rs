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

/// What an output file holds, so that a checker (the swarm's) can read any output file
/// without knowing it by name.
#[derive(Copy, Clone, Debug)]
pub enum FileKind {
    /// One JSON document.
    Json,
    /// One JSON document a line.
    JsonLines,
    /// CSV, a header line first.
    Csv,
    /// TOML.
    Toml,
    /// Plain text.
    Text,
    /// An SVG picture.
    Svg,
    /// A PNG picture; `pixels` gives its size without drawing it (drawing is the slow part).
    Png {
        /// Width and height in pixels.
        pixels: fn(&Finished) -> Result<(u32, u32), plots::PlotError>,
    },
}

/// One output file of a run: its name, what it holds, and how it is rendered.
pub struct OutputFile {
    /// The file name in the run directory.
    pub name: &'static str,
    /// What it holds.
    pub kind: FileKind,
    /// `Some`: a trace file, written only for a traced run that asked for this format.
    pub trace: Option<TraceFormat>,
    /// Renders it (see [`OutputFile::render`]).
    pub render: fn(&Finished) -> Result<Vec<u8>, plots::PlotError>,
}

impl OutputFile {
    /// The file's bytes for a finished run.
    pub fn render(&self, f: &Finished) -> Result<Vec<u8>, plots::PlotError> {
        (self.render)(f)
    }
}

/// Every output file a run can write, in the order `run --out` writes them: the list that
/// [`render_outputs`] renders and the swarm checks (`experiments::swarm`), so a new output
/// file is added here once.
pub const OUTPUT_FILES: &[OutputFile] = &[
    OutputFile {
        name: "summary.json",
        kind: FileKind::Json,
        trace: None,
        render: |f| Ok(summary_json(&f.output.report.summary, &f.loaded.hash).into_bytes()),
    },
    OutputFile {
        name: "timeseries.csv",
        kind: FileKind::Csv,
        trace: None,
        render: |f| Ok(timeseries_csv(&f.output.report.series).into_bytes()),
    },
    OutputFile {
        name: "events.jsonl",
        kind: FileKind::JsonLines,
        trace: None,
        render: |f| Ok(events_jsonl(&f.output.report).into_bytes()),
    },
    OutputFile {
        name: "scenario.toml",
        kind: FileKind::Toml,
        trace: None,
        render: |f| Ok(f.loaded.canonical.clone().into_bytes()),
    },
    OutputFile {
        name: "anatomy.txt",
        kind: FileKind::Text,
        trace: None,
        render: |f| Ok((narrate(&f.loaded.scenario, &f.output.report).join("\n") + "\n").into_bytes()),
    },
    OutputFile {
        name: "timeline.svg",
        kind: FileKind::Svg,
        trace: None,
        render: |f| Ok(plots::timeline_svg(&timeline(f))?.into_bytes()),
    },
    OutputFile {
        name: "timeline.png",
        kind: FileKind::Png {
            pixels: |f| plots::timeline_size(&timeline(f)),
        },
        trace: None,
        render: |f| plots::timeline_png(&timeline(f)),
    },
    OutputFile {
        name: "topology.svg",
        kind: FileKind::Svg,
        trace: None,
        render: |f| Ok(plots::topology_svg(&topology(f))?.into_bytes()),
    },
    OutputFile {
        name: "topology.png",
        kind: FileKind::Png {
            pixels: |f| plots::topology_size(&topology(f)),
        },
        trace: None,
        render: |f| plots::topology_png(&topology(f)),
    },
    OutputFile {
        name: "trace.chrome.json",
        kind: FileKind::Json,
        trace: Some(TraceFormat::Chrome),
        render: |f| Ok(trace_file(f, crate::trace_export::chrome)),
    },
    OutputFile {
        name: "trace.otlp.json",
        kind: FileKind::Json,
        trace: Some(TraceFormat::Otlp),
        render: |f| Ok(trace_file(f, crate::trace_export::otlp)),
    },
];

fn timeline(f: &Finished) -> plots::Timeline {
    crate::charts::timeline(&f.loaded.scenario, &f.output.report, &f.loaded.hash)
}

fn topology(f: &Finished) -> plots::Topology {
    crate::charts::topology(&f.loaded.scenario, &f.output.report, &f.loaded.hash)
}

/// A trace file of a traced run (empty for a run without a trace; [`run_files`] lists trace
/// files only for traced runs).
fn trace_file(
    f: &Finished,
    export: fn(&models::config::Scenario, &models::report::Report, &models::trace::TraceData) -> String,
) -> Vec<u8> {
    f.output
        .report
        .trace
        .as_ref()
        .map(|t| export(&f.loaded.scenario, &f.output.report, t).into_bytes())
        .unwrap_or_default()
}

/// The output files of this run: every file of [`OUTPUT_FILES`] that is not a trace file, then
/// the trace files of the formats asked for, in the order asked, if the run was traced.
pub fn run_files(f: &Finished) -> Vec<&'static OutputFile> {
    let mut files: Vec<&OutputFile> = OUTPUT_FILES.iter().filter(|o| o.trace.is_none()).collect();
    if f.output.report.trace.is_some() {
        for format in &f.trace_formats {
            files.extend(OUTPUT_FILES.iter().filter(|o| o.trace == Some(*format)));
        }
    }
    files
}

/// Every output file of a run, rendered in memory: `(file name, bytes)`.
pub fn render_outputs(f: &Finished) -> Result<Vec<(String, Vec<u8>)>, plots::PlotError> {
    run_files(f)
        .into_iter()
        .map(|o| Ok((o.name.to_string(), o.render(f)?)))
        .collect()
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
