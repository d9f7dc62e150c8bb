//! `meshsim run`, `meshsim validate`, `meshsim list`, `meshsim show`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use experiments::run::{RunOptions, execute, render_outputs, resolve_source, write_outputs};
use experiments::scenario::{Override, parse_duration};
use experiments::{catalog, narrate, text};

use crate::{BadInput, Outcome};

/// Flags of `meshsim run`.
#[derive(clap::Args)]
pub struct RunArgs {
    /// Scenario file, or the name of a builtin (see `meshsim list`).
    pub scenario: String,
    /// Master seed (overrides the file's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario value, e.g. `--set services.classification.replicas=3` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Simulated duration, e.g. `300s` (overrides the file's `duration`).
    #[arg(long)]
    pub duration: Option<String>,
    /// Write summary.json, timeseries.csv, events.jsonl and plots into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the summary as JSON on stdout instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Do not print the narrated anatomy.
    #[arg(long)]
    pub quiet: bool,
}

pub fn overrides(set: &[String]) -> Result<Vec<Override>, BadInput> {
    set.iter()
        .map(|s| Override::parse(s).map_err(|e| BadInput(e.to_string())))
        .collect()
}

pub fn run(args: RunArgs) -> Outcome {
    let source = match resolve_source(&args.scenario) {
        Ok(s) => s,
        Err(e) => return Ok(Err(BadInput(e))),
    };
    let mut overrides = match overrides(&args.set) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(d) = &args.duration {
        if let Err(e) = parse_duration(d) {
            return Ok(Err(BadInput(format!("error: --duration {d}: {e}"))));
        }
        overrides.push(Override {
            path: "duration".into(),
            value: format!("\"{d}\""),
        });
    }
    let opts = RunOptions {
        source,
        overrides,
        seed: args.seed,
    };
    let finished = match execute(&opts) {
        Ok(f) => f,
        Err(e) => return Ok(Err(BadInput(e.to_string()))),
    };
    let report = &finished.output.report;
    if let Some(dir) = &args.out {
        let files = render_outputs(&finished).context("drawing the timeline")?;
        write_outputs(dir, &files).with_context(|| format!("writing outputs to {}", dir.display()))?;
    }
    if args.json {
        print!(
            "{}",
            experiments::output::summary_json(&report.summary, &finished.loaded.hash)
        );
    } else {
        print!("{}", text::summary_table(&report.summary, &finished.loaded.hash));
        if !args.quiet {
            println!("\nanatomy:");
            for line in narrate::narrate(&finished.loaded.scenario, &report.log, report.summary.log_dropped) {
                println!("  {line}");
            }
        }
        if let Some(dir) = &args.out {
            println!("\noutputs written to {}", dir.display());
        }
    }
    if let Some(limit) = finished.output.limit {
        eprintln!(
            "meshsim: run stopped early: {limit}; results are partial (seed {})",
            finished.seed
        );
        return Ok(Ok(ExitCode::from(3)));
    }
    Ok(Ok(ExitCode::SUCCESS))
}

pub fn validate(file: &str, set: &[String]) -> Result<(), BadInput> {
    let source = resolve_source(file).map_err(BadInput)?;
    let overrides = overrides(set)?;
    let loaded = experiments::scenario::load(&source, &overrides).map_err(|e| BadInput(e.to_string()))?;
    let s = &loaded.scenario;
    println!(
        "{}: ok ({} clients, {} services, {} policies, {} edges, {} faults; scenario {})",
        source.name,
        s.clients.len(),
        s.services.len(),
        s.policies.len(),
        s.edges.len(),
        s.faults.len(),
        loaded.hash
    );
    Ok(())
}

/// `meshsim list`.
pub fn list() -> Outcome {
    for b in catalog::BUILTINS {
        println!("{:<18} {}", b.name, catalog::description(b));
    }
    Ok(Ok(ExitCode::SUCCESS))
}

/// `meshsim show NAME`.
pub fn show(name: &str) -> Outcome {
    match catalog::find(name) {
        Some(b) => {
            print!("{}", b.text);
            Ok(Ok(ExitCode::SUCCESS))
        }
        None => Ok(Err(BadInput(format!(
            "no builtin called `{name}` (see `meshsim list`)"
        )))),
    }
}
