//! `meshsim report`: run a scenario like `meshsim run` and write one self-contained HTML page;
//! or, given a comparison's directory (`meshsim compare --out`), write its comparison page.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use experiments::report_html::{Invocation, SweepInput, read_sweep_dir, render};
use experiments::run::{RunOptions, execute};

use crate::run_cmd::{ScenarioArgs, run_options, stopped_early};
use crate::{BadInput, Outcome};

/// Flags of `meshsim report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The HTML file to write (replaced atomically; its directory is created if needed).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// The scenario, seed, overrides and duration.
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// A `meshsim sweep` output directory: its charts and points table are added to the page.
    #[arg(long, value_name = "DIR")]
    pub sweep: Option<PathBuf>,
}

/// Everything checked before running, so bad input writes nothing.
fn options(args: &ReportArgs) -> Result<(RunOptions, Option<SweepInput>), BadInput> {
    let opts = run_options(&args.scenario)?;
    if args.output.as_os_str().is_empty() || args.output.is_dir() {
        return Err(BadInput(format!(
            "error: -o {}: expected the path of an HTML file",
            args.output.display()
        )));
    }
    let sweep = match &args.sweep {
        None => None,
        Some(dir) => {
            let label = dir.display().to_string();
            Some(read_sweep_dir(dir, &label).map_err(|e| BadInput(format!("error: --sweep {label}: {e}")))?)
        }
    };
    Ok((opts, sweep))
}

pub fn report(args: ReportArgs) -> Outcome {
    let dir = std::path::Path::new(&args.scenario.scenario);
    if experiments::compare::dir::is_comparison(dir) {
        return comparison(&args, dir);
    }
    let (opts, sweep) = match options(&args) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let finished = match execute(&opts) {
        Ok(f) => f,
        Err(e) => return Ok(Err(BadInput(e.to_string()))),
    };
    crate::run_cmd::print_warnings(&finished.loaded);
    let how = Invocation {
        scenario: args.scenario.scenario.clone(),
        set: args.scenario.set.clone(),
        duration: args.scenario.duration.clone(),
        sweep: args.sweep.as_ref().map(|d| d.display().to_string()),
    };
    let page = render(&finished, &how, sweep.as_ref()).context("drawing the timeline")?;
    if let Some(dir) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    experiments::output::write_atomic(&args.output, page.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    if let Some(sw) = &sweep {
        for note in &sw.notes {
            eprintln!("meshsim: --sweep {}: {note}", sw.label);
        }
    }
    outln!("report written to {}", args.output.display());
    Ok(Ok(
        stopped_early(&finished, "the report shows partial results").unwrap_or(ExitCode::SUCCESS)
    ))
}

/// The page of the comparison's directory `dir`: nothing runs, so the flags that change a run
/// are refused.
fn comparison(args: &ReportArgs, dir: &std::path::Path) -> Outcome {
    let s = &args.scenario;
    let given = [
        (s.seed.is_some(), "--seed"),
        (!s.set.is_empty(), "--set"),
        (s.duration.is_some(), "--duration"),
        (args.sweep.is_some(), "--sweep"),
    ];
    if let Some((_, flag)) = given.iter().find(|(g, _)| *g) {
        return Ok(Err(BadInput(format!(
            "error: {} is a comparison's directory: {flag} cannot change its runs; run `meshsim compare` again instead",
            dir.display()
        ))));
    }
    if args.output.as_os_str().is_empty() || args.output.is_dir() {
        return Ok(Err(BadInput(format!(
            "error: -o {}: expected the path of an HTML file",
            args.output.display()
        ))));
    }
    let read = match experiments::compare::dir::read(dir) {
        Ok(r) => r,
        Err(e) => return Ok(Err(BadInput(format!("error: {e}")))),
    };
    let page = experiments::report_html::compare::render(&read, &dir.display().to_string());
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    experiments::output::write_atomic(&args.output, page.as_bytes())
        .with_context(|| format!("writing {}", args.output.display()))?;
    outln!("report written to {}", args.output.display());
    Ok(Ok(ExitCode::SUCCESS))
}
