//! `meshsim compare A B`: two runs side by side. Each side is a builtin, a scenario file or a
//! run directory (read, not re-run); the two scenarios run with one seed unless told otherwise.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use experiments::compare::{self, Files, Run, table};
use experiments::outdir::prepare_run_dir;
use experiments::report_html::shell_quote;
use experiments::run::{Finished, RunOptions, execute_loaded, render_outputs};
use experiments::scenario::Loaded;

use crate::run_cmd::{ScenarioArgs, out_dir_error, print_warnings, run_options, stopped_early};
use crate::{BadInput, Outcome};

/// Flags of `meshsim compare`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// Run A: a scenario file, a builtin name (see `meshsim list`) or a run directory written
    /// by `meshsim run --out` (read as it is, not run again).
    pub a: String,
    /// Run B, as A.
    pub b: String,
    /// Write the side-by-side timeline, the table (compare.txt, .csv, .json) and both runs'
    /// directories (a/, b/) into this directory, as a whole.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Master seed of both runs; without it both use A's seed (its file's `seed`, or the seed
    /// its run directory used; B's run directory's when only B is one).
    #[arg(long, value_parser = crate::seed_arg)]
    pub seed: Option<u64>,
    /// Simulated duration of both runs, e.g. `300s`.
    #[arg(long, allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Override a value in both scenarios, `path=value` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Override a value in A's scenario only (after --set; repeatable).
    #[arg(long = "set-a", value_name = "PATH=VALUE")]
    pub set_a: Vec<String>,
    /// Override a value in B's scenario only (after --set; repeatable).
    #[arg(long = "set-b", value_name = "PATH=VALUE")]
    pub set_b: Vec<String>,
    /// Print compare.json on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// One side, validated.
enum Side {
    /// A scenario to run, loaded.
    Scenario(Box<(RunOptions, Loaded)>),
    /// A run directory, read: the run and its files.
    Dir(PathBuf, Box<(Run, Files)>),
}

/// Side `which` ("A" or "B") from its argument and its own overrides; a run directory takes no
/// overrides, seed or duration.
fn side(args: &CompareArgs, which: &str, arg: &str, own: &[String]) -> Result<Side, BadInput> {
    if Path::new(arg).is_dir() {
        let read = compare::rundir::read(Path::new(arg), "").map_err(BadInput)?;
        if let Some(flag) = own_flag(args, which, own) {
            let seed = read.0.summary["seed"].as_u64().unwrap_or(0);
            return Err(BadInput(format!(
                "error: {which} is a run directory ({arg}): {flag} cannot change a finished run; \
                 to run its scenario again (its scenario.toml keeps the file's seed; the run used \
                 seed {seed}): {}",
                rerun_command(args, seed)
            )));
        }
        return Ok(Side::Dir(PathBuf::from(arg), Box::new(read)));
    }
    let mut set = args.set.clone();
    set.extend_from_slice(own);
    let scenario = ScenarioArgs {
        scenario: arg.to_string(),
        seed: args.seed,
        set,
        duration: args.duration.clone(),
    };
    let opts = run_options(&scenario)?;
    let loaded =
        experiments::scenario::load(&opts.source, &opts.overrides).map_err(|e| BadInput(e.to_string()))?;
    Ok(Side::Scenario(Box::new((opts, loaded))))
}

/// The command that runs this comparison with each run directory replaced by its
/// scenario.toml and the same flags; without `--seed`, with `--seed` of the run directory's
/// seed (`seed`), which the scenario.toml does not keep.
fn rerun_command(args: &CompareArgs, seed: u64) -> String {
    let side = |arg: &str| {
        if Path::new(arg).is_dir() {
            Path::new(arg).join("scenario.toml").display().to_string()
        } else {
            arg.to_string()
        }
    };
    let mut words = vec!["meshsim".into(), "compare".into(), side(&args.a), side(&args.b)];
    words.extend(["--seed".into(), args.seed.unwrap_or(seed).to_string()]);
    if let Some(d) = &args.duration {
        words.extend(["--duration".into(), d.clone()]);
    }
    for (flag, values) in [
        ("--set", &args.set),
        ("--set-a", &args.set_a),
        ("--set-b", &args.set_b),
    ] {
        for v in values {
            words.extend([flag.to_string(), v.clone()]);
        }
    }
    words.iter().map(|w| shell_quote(w)).collect::<Vec<_>>().join(" ")
}

/// The first flag given that would change side `which`'s run.
fn own_flag(args: &CompareArgs, which: &str, own: &[String]) -> Option<String> {
    if !args.set.is_empty() {
        Some("--set".into())
    } else if !own.is_empty() {
        Some(format!("--set-{}", which.to_lowercase()))
    } else if args.duration.is_some() {
        Some("--duration".into())
    } else if args.seed.is_some() {
        Some("--seed".into())
    } else {
        None
    }
}

/// Both sides validated. Without --seed, one seed for both: A's (its file's, or the one its
/// run directory used), or B's run directory's when only B is one.
fn sides(args: &CompareArgs) -> Result<(Side, Side), BadInput> {
    let mut a = side(args, "A", &args.a, &args.set_a)?;
    let mut b = side(args, "B", &args.b, &args.set_b)?;
    if args.seed.is_none() {
        let seed = |s: &Side| match s {
            Side::Scenario(x) => x.0.seed.unwrap_or(x.1.seed),
            Side::Dir(_, read) => read.0.summary["seed"].as_u64().unwrap_or(0),
        };
        let shared = match (&a, &b) {
            (Side::Scenario(_), Side::Dir(..)) => seed(&b),
            _ => seed(&a),
        };
        for s in [&mut a, &mut b] {
            if let Side::Scenario(x) = s {
                x.0.seed = Some(shared);
            }
        }
    }
    Ok((a, b))
}

/// A side's run: its files (a run directory's content) and the finished run when it ran.
struct Done {
    run: Run,
    files: Files,
    finished: Option<Finished>,
}

fn execute(side: Side, label: &str, render: bool) -> anyhow::Result<Done> {
    match side {
        Side::Scenario(b) => {
            let (opts, loaded) = *b;
            let finished = execute_loaded(&opts, loaded);
            let files = if render {
                render_outputs(&finished).context("drawing the timeline")?
            } else {
                Vec::new()
            };
            Ok(Done {
                run: Run::of(&finished, label),
                files,
                finished: Some(finished),
            })
        }
        Side::Dir(_, read) => {
            let (mut run, files) = *read;
            run.label = label.to_string();
            Ok(Done {
                run,
                files,
                finished: None,
            })
        }
    }
}

/// A side's scenario name.
fn name(side: &Side) -> String {
    match side {
        Side::Scenario(b) => b.1.scenario.name.clone(),
        Side::Dir(_, read) => read.0.scenario().to_string(),
    }
}

/// What sets a side apart when both scenarios have the same name: its own overrides, or its
/// directory.
fn diff(side: &Side, own: &[String]) -> Vec<String> {
    match side {
        Side::Scenario(_) => own.to_vec(),
        Side::Dir(d, _) => vec![d.display().to_string()],
    }
}

pub fn run(args: CompareArgs) -> Outcome {
    let (a, b) = match sides(&args) {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(dir) = &args.out
        && let Err(e) = experiments::output::check_out_dir("--out", dir)
    {
        return Ok(Err(BadInput(e)));
    }
    for s in [&a, &b] {
        if let Side::Scenario(b) = s {
            print_warnings(&b.1);
        }
    }
    let (la, lb) = compare::labels(
        (&name(&a), &name(&b)),
        &diff(&a, &args.set_a),
        &diff(&b, &args.set_b),
    );
    let out_lock = match args.out.as_deref().map(prepare_run_dir).transpose() {
        Ok(lock) => lock,
        Err(e) => return out_dir_error(e),
    };
    let render = args.out.is_some();
    let da = execute(a, &la, render)?;
    let db = execute(b, &lb, render)?;
    let cmp = compare::compare(&da.run, &db.run);
    if let (Some(dir), Some(lock)) = (&args.out, &out_lock) {
        let files = compare::dir::files(&cmp, (&da.run, &db.run), &da.files, &db.files)
            .context("drawing the timelines")?;
        if let Err(e) = experiments::outdir::write_run_dir(dir, &files, lock) {
            return out_dir_error(e);
        }
    }
    if args.json {
        out!("{}", table::json(&cmp));
    } else {
        out!("{}", table::text(&cmp));
        if let Some(dir) = &args.out {
            outln!("\noutputs written to {}", dir.display());
        }
    }
    let stopped = [&da, &db]
        .into_iter()
        .filter_map(|d| d.finished.as_ref())
        .filter_map(|f| stopped_early(f, "results are partial"))
        .next_back();
    Ok(Ok(stopped.unwrap_or(ExitCode::SUCCESS)))
}
