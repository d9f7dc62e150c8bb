//! `meshsim run`, `meshsim validate`, `meshsim list`, `meshsim show`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use experiments::outdir::{OutDirError, prepare_run_dir};
use experiments::run::{
    Finished, MAX_TRACE_SPANS, RunOptions, TraceFormat, TraceOptions, duration_override, execute_loaded,
    render_outputs, resolve_source, write_outputs,
};
use experiments::scenario::{Loaded, Override};
use experiments::{catalog, narrate, text};
use models::trace::TraceConfig;

use crate::{BadInput, Outcome};

/// Validates the trace flags.
pub fn trace_options(args: &RunArgs) -> Result<Option<TraceOptions>, BadInput> {
    if args.trace.is_empty() {
        return Ok(None);
    }
    if args.out.is_none() {
        return Err(BadInput(
            "error: --trace needs --out DIR to write the trace into".into(),
        ));
    }
    if !(0.0..=1.0).contains(&args.trace_sample) {
        return Err(BadInput(format!(
            "error: --trace-sample must be in [0, 1], found {}",
            args.trace_sample
        )));
    }
    if args.trace_max_spans > MAX_TRACE_SPANS {
        return Err(BadInput(format!(
            "error: --trace-max-spans must be at most {MAX_TRACE_SPANS} (its ceiling: about 300 bytes a span for chrome, 480 for otlp, 750 for both, within meshsim's memory budget; docs/reliability.md, Limits), found {}",
            args.trace_max_spans
        )));
    }
    let mut formats: Vec<TraceFormat> = args
        .trace
        .iter()
        .map(|t| match t {
            TraceArg::Chrome => TraceFormat::Chrome,
            TraceArg::Otlp => TraceFormat::Otlp,
        })
        .collect();
    formats.dedup();
    let config = TraceConfig {
        sample: args.trace_sample,
        max_spans: args.trace_max_spans,
    };
    Ok(Some(TraceOptions { formats, config }))
}

/// Trace formats on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceArg {
    /// Chrome Trace Event JSON for Perfetto UI.
    Chrome,
    /// OpenTelemetry OTLP/JSON for Jaeger.
    Otlp,
}

/// How much of the anatomy `meshsim run` prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AnatomyArg {
    /// Repeats grouped, no start-up noise, at most 60 lines.
    Brief,
    /// Every line, as in anatomy.txt.
    Full,
    /// Nothing.
    None,
}

/// The flags that say which scenario to run, shared by `meshsim run` and `meshsim report`.
#[derive(clap::Args)]
pub struct ScenarioArgs {
    /// Scenario file, or the name of a builtin (see `meshsim list`).
    pub scenario: String,
    /// Master seed (overrides the file's `seed`).
    #[arg(long, value_parser = crate::seed_arg)]
    pub seed: Option<u64>,
    /// Override a scenario value, e.g. `--set services.classification.replicas=3` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Simulated duration, e.g. `300s` (overrides the file's `duration`).
    #[arg(long, allow_hyphen_values = true)]
    pub duration: Option<String>,
}

/// Flags of `meshsim run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// The scenario, seed, overrides and duration.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Write summary.json, timeseries.csv, events.jsonl and plots into this directory, as a
    /// whole: a previous run's directory there is replaced, any other non-empty one refused.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the summary as JSON on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Do not print the narrated anatomy (as `--anatomy none`).
    #[arg(long)]
    pub quiet: bool,
    /// How much of the narrated anatomy to print: `brief` (repeats grouped, no start-up noise,
    /// at most 60 lines), `full` (every line, as in anatomy.txt) or `none`.
    #[arg(long, value_enum, default_value_t = AnatomyArg::Brief)]
    pub anatomy: AnatomyArg,
    /// Print only the anatomy's lines about a service, pod, client or edge whose name contains
    /// this, e.g. `--anatomy-filter upload`.
    #[arg(long, value_name = "NAME")]
    pub anatomy_filter: Option<String>,
    /// Run twice in this process and compare every event and every output byte; report the
    /// first divergence (exit 1) or that the runs are identical (exit 0). Writes nothing (so
    /// --out is refused with it).
    #[arg(long)]
    pub check_determinism: bool,
    /// Check the simulator's own invariants (conservation of requests, pool and queue
    /// accounting, time order) after every event; a broken one is reported with the seed that
    /// reproduces it (exit 1). Slower; outputs are unchanged.
    #[arg(long)]
    pub check_invariants: bool,
    /// Record per-request traces and write them into --out: `chrome` (Perfetto UI) and/or
    /// `otlp` (Jaeger); repeatable.
    #[arg(long, value_enum)]
    pub trace: Vec<TraceArg>,
    /// Fraction of client requests traced (with everything they cause downstream).
    #[arg(long, default_value_t = 1.0)]
    pub trace_sample: f64,
    /// The most spans recorded, at most 1000000 (about 300 bytes each for chrome, 480 for otlp,
    /// 750 for both, export included); beyond it, recording stops and the trace says it was
    /// truncated.
    #[arg(long, default_value_t = MAX_TRACE_SPANS)]
    pub trace_max_spans: usize,
}

pub fn overrides(set: &[String]) -> Result<Vec<Override>, BadInput> {
    set.iter()
        .map(|s| Override::parse(s).map_err(|e| BadInput(e.to_string())))
        .collect()
}

/// The run options every scenario-running command shares: the scenario (file or builtin),
/// `--set` overrides, `--duration` (an override of `duration`) and `--seed`.
pub fn run_options(args: &ScenarioArgs) -> Result<RunOptions, BadInput> {
    let source = resolve_source(&args.scenario).map_err(BadInput)?;
    let mut overrides = overrides(&args.set)?;
    if let Some(d) = &args.duration {
        overrides.push(duration_override(d).map_err(BadInput)?);
    }
    Ok(RunOptions {
        source,
        overrides,
        seed: args.seed,
        trace: None,
        check_invariants: false,
    })
}

pub fn run(args: RunArgs) -> Outcome {
    // The scenario's own errors first, then the trace flags'.
    let opts = run_options(&args.scenario).and_then(|opts| {
        Ok(RunOptions {
            trace: trace_options(&args)?,
            check_invariants: args.check_invariants,
            ..opts
        })
    });
    let opts = match opts {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    if args.check_determinism {
        if let Some(dir) = &args.out {
            return Ok(Err(BadInput(format!(
                "error: --check-determinism writes nothing, so --out {} would be ignored; run without --out, or without --check-determinism to write the outputs",
                dir.display()
            ))));
        }
        return check_determinism(&opts);
    }
    if let Some(dir) = &args.out
        && let Err(e) = experiments::output::check_out_dir("--out", dir)
    {
        return Ok(Err(BadInput(e)));
    }
    let loaded = match experiments::scenario::load(&opts.source, &opts.overrides) {
        Ok(l) => l,
        Err(e) => return Ok(Err(BadInput(e.to_string()))),
    };
    print_warnings(&loaded);
    // The output directory is locked and checked before the run: a busy or foreign one costs
    // no run, and a bad scenario (above) creates nothing.
    let out_lock = match args.out.as_deref().map(prepare_run_dir).transpose() {
        Ok(lock) => lock,
        Err(e) => return out_dir_error(e),
    };
    let finished = execute_loaded(&opts, loaded);
    let report = &finished.output.report;
    let asked = finished.loaded.scenario.bucket;
    let used = finished.loaded.scenario.series_bucket();
    if used != asked {
        eprintln!(
            "meshsim: time-series buckets widened from {asked} to {used} to keep at most {} (limits.max_buckets, and at most {} cells over the {} columns)",
            finished.loaded.scenario.max_series_buckets(),
            models::config::MAX_SERIES_CELLS,
            finished.loaded.scenario.series_columns()
        );
    }
    if let (Some(dir), Some(lock)) = (&args.out, &out_lock) {
        let files = render_outputs(&finished).context("drawing the timeline")?;
        if let Err(e) = write_outputs(dir, &files, lock) {
            return out_dir_error(e);
        }
    }
    if args.json {
        out!(
            "{}",
            experiments::output::summary_json(&report.summary, &finished.loaded.hash)
        );
    } else {
        out!("{}", text::summary_table(&report.summary, &finished.loaded.hash));
        print_anatomy(&args, &finished);
        if let Some(dir) = &args.out {
            outln!("\noutputs written to {}", dir.display());
        }
    }
    if let Some(v) = &finished.output.violation {
        let v = experiments::text::escape_controls(&v.to_string()).into_owned();
        eprintln!(
            "meshsim: invariant broken: {v} (reproduce with --seed {} --check-invariants)",
            finished.seed
        );
        return Ok(Ok(ExitCode::from(1)));
    }
    Ok(Ok(
        stopped_early(&finished, "results are partial").unwrap_or(ExitCode::SUCCESS)
    ))
}

/// Prints the anatomy in the view `--anatomy` asks for (none with `--quiet`).
fn print_anatomy(args: &RunArgs, finished: &Finished) {
    let view = match (args.quiet, args.anatomy) {
        (true, _) | (_, AnatomyArg::None) => return,
        (_, AnatomyArg::Brief) => narrate::View::Brief,
        (_, AnatomyArg::Full) => narrate::View::Full,
    };
    let report = &finished.output.report;
    let filter = args.anatomy_filter.as_deref();
    let anatomy = narrate::anatomy(&finished.loaded.scenario, report, view, filter);
    match filter {
        Some(f) => outln!("\nanatomy (lines about `{}`):", text::escape_controls(f)),
        None => outln!("\nanatomy:"),
    }
    for line in narrate::render(&anatomy) {
        outln!("  {line}");
    }
}

/// The outcome of an output directory that cannot be written: one that is not a run's is bad
/// input (exit 2), a busy one or a failed write exit 1, each with its own message.
pub fn out_dir_error(e: OutDirError) -> Outcome {
    match e {
        OutDirError::NotARun { .. } => Ok(Err(BadInput(e.to_string()))),
        OutDirError::Busy { .. } => {
            eprintln!("{e}");
            Ok(Ok(ExitCode::from(1)))
        }
        OutDirError::Io { .. } => Err(anyhow::Error::new(e)),
    }
}

/// Exit code 3, after saying which limit stopped the run and what that means for `outputs`
/// ("results are partial"), if a limit did.
pub fn stopped_early(finished: &Finished, outputs: &str) -> Option<ExitCode> {
    let limit = finished.output.limit?;
    eprintln!(
        "meshsim: run stopped early: {limit}; {outputs} (seed {})",
        finished.seed
    );
    Some(ExitCode::from(3))
}

/// Prints the scenario's warnings on stderr, each located like an error (stdout and the output
/// files do not change).
pub fn print_warnings(loaded: &Loaded) {
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
}

/// "1 client", "3 clients".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn validate(file: &str, set: &[String]) -> Result<(), BadInput> {
    let source = resolve_source(file).map_err(BadInput)?;
    let overrides = overrides(set)?;
    let loaded = experiments::scenario::load(&source, &overrides).map_err(|e| BadInput(e.to_string()))?;
    print_warnings(&loaded);
    let s = &loaded.scenario;
    outln!(
        "{}: ok ({}, {}, {}, {}, {}; scenario {})",
        experiments::text::escape_controls(&source.name),
        count(s.clients.len(), "client", "clients"),
        count(s.services.len(), "service", "services"),
        count(s.policies.len(), "policy", "policies"),
        count(s.edges.len(), "edge", "edges"),
        count(s.faults.len(), "fault", "faults"),
        loaded.hash
    );
    Ok(())
}

/// `meshsim list`.
pub fn list() -> Outcome {
    for b in catalog::BUILTINS {
        outln!("{:<18} {}", b.name, catalog::description(b));
    }
    Ok(Ok(ExitCode::SUCCESS))
}

/// `meshsim show NAME`.
pub fn show(name: &str) -> Outcome {
    match catalog::find(name) {
        Some(b) => {
            out!("{}", b.text);
            Ok(Ok(ExitCode::SUCCESS))
        }
        None => Ok(Err(BadInput(format!(
            "no builtin called `{name}` (see `meshsim list`)"
        )))),
    }
}

fn check_determinism(opts: &RunOptions) -> Outcome {
    use experiments::determinism::{CheckError, Verdict, check};
    // The check loads the scenario twice and keeps neither: load it once more for its warnings.
    if let Ok(loaded) = experiments::scenario::load(&opts.source, &opts.overrides) {
        print_warnings(&loaded);
    }
    match check(opts) {
        Err(CheckError::Scenario(e)) => Ok(Err(BadInput(e.to_string()))),
        Err(e) => Err(e.into()),
        Ok(Verdict::Identical { events, hash, files }) => {
            outln!(
                "deterministic: two runs processed the same {events} events (digest {hash:016x}) and wrote the same bytes in all {files} output files"
            );
            Ok(Ok(ExitCode::SUCCESS))
        }
        Ok(Verdict::EventsDiverge {
            event,
            t,
            first,
            second,
        }) => {
            outln!("DIVERGENCE at event {event} (t={t:.9}s):\n  first run:  {first}\n  second run: {second}");
            Ok(Ok(ExitCode::from(1)))
        }
        Ok(Verdict::OutputDiverges { file, line }) => {
            outln!("DIVERGENCE: the events agree but {file} differs (first at line {line})");
            Ok(Ok(ExitCode::from(1)))
        }
    }
}
