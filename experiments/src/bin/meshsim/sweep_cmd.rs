//! `meshsim sweep` and `meshsim merge`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use experiments::sweep::{self, Done, Options, Plan, Progress, Shard, SweepError};
use indicatif::ProgressBar;

use crate::{BadInput, Outcome, progress_bar, threads};

/// Flags of `meshsim sweep`.
#[derive(clap::Args)]
pub struct SweepArgs {
    /// The sweep file (TOML; see docs/sweeps.md).
    pub file: PathBuf,
    /// Output directory (default: sweeps/<name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: the number of CPUs). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Master seed (overrides the sweep file's `seed`).
    #[arg(long, value_parser = crate::seed_arg)]
    pub seed: Option<u64>,
    /// Finish an interrupted sweep: run only the runs without a run file in OUT/runs.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard K of N (1-based): the runs with index % N == K - 1. Writes run files and
    /// a shard manifest; join the shards with `meshsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Check the sweep file and every point, print the plan, and run nothing.
    #[arg(long)]
    pub check: bool,
    /// Run the whole sweep at 1 thread and at --threads (default 2) threads into scratch
    /// directories and compare every file byte for byte; report the first difference (exit 1)
    /// or that they are identical (exit 0). Leaves nothing behind (so --out is refused with it).
    #[arg(long)]
    pub check_determinism: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Flags of `meshsim merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// OUT_DIR then the SHARD_DIRs (or only SHARD_DIRs with --out). A directory may hold several
    /// shards (a shared volume).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output directory (then every DIR is a shard directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Threads for drawing the charts.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// Turns a sweep error into the CLI's outcome: bad input exits 2, the rest 1.
fn fail(e: SweepError) -> Outcome {
    if e.is_bad_input() {
        Ok(Err(BadInput(e.to_string())))
    } else {
        Err(anyhow::Error::new(e))
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal; it also times the runs for
/// the summary (wall clock for humans only: results never depend on it).
struct Bar {
    bar: ProgressBar,
    started: Mutex<Option<Instant>>,
    runs_secs: Mutex<Option<f64>>,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        Bar {
            bar: progress_bar(0, "runs", quiet),
            started: Mutex::new(None),
            runs_secs: Mutex::new(None),
        }
    }
}

impl Progress for Bar {
    fn start(&self, pending: u64) {
        self.bar.set_length(pending);
        #[allow(clippy::disallowed_methods)] // timing for the summary only
        let now = Instant::now();
        *self.started.lock().expect("not poisoned") = Some(now);
    }
    fn advance(&self) {
        self.bar.inc(1);
    }
    fn runs_done(&self) {
        let started = *self.started.lock().expect("not poisoned");
        *self.runs_secs.lock().expect("not poisoned") = started.map(|s| s.elapsed().as_secs_f64());
    }
}

fn describe(plan: &Plan) -> String {
    let f = &plan.file;
    let dims: Vec<String> = f
        .dimensions
        .iter()
        .map(|d| {
            let paths: Vec<&str> = d.iter().map(|&a| f.axes[a].path.as_str()).collect();
            format!("{} ({})", paths.join(" + "), f.axes[d[0]].values.len())
        })
        .collect();
    format!(
        "{}: {} point{} ({}) × {} replication{} = {} runs, seed {}, sweep {}",
        experiments::text::escape_controls(&f.name),
        f.points.len(),
        if f.points.len() == 1 { "" } else { "s" },
        dims.join(" × "),
        f.replications,
        if f.replications == 1 { "" } else { "s" },
        f.runs,
        f.seed,
        f.sweep_hash
    )
}

/// `meshsim sweep FILE`.
pub fn sweep(args: SweepArgs) -> Outcome {
    let threads = match threads(args.threads) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let shard = match args.shard.as_deref().map(Shard::parse).transpose() {
        Ok(s) => s,
        Err(e) => return Ok(Err(BadInput(format!("error: {e}")))),
    };
    let plan = match sweep::load_sweep(&args.file, args.seed) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    for w in &plan.warnings {
        eprintln!("{w}");
    }
    if args.check {
        outln!("{}: ok", args.file.display());
        outln!("{}", describe(&plan));
        return Ok(Ok(ExitCode::SUCCESS));
    }
    if args.check_determinism {
        if let Some(dir) = &args.out {
            return Ok(Err(BadInput(format!(
                "error: --check-determinism leaves nothing behind, so --out {} would be ignored; run without --out, or without --check-determinism to write the sweep",
                dir.display()
            ))));
        }
        return check_determinism(&plan, args.threads.unwrap_or(2).max(2));
    }
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("sweeps").join(sweep::metrics::slug(&plan.file.name)));
    if let Err(e) = experiments::output::check_out_dir("--out", &out) {
        return Ok(Err(BadInput(e)));
    }
    let opts = Options {
        out: out.clone(),
        threads,
        resume: args.resume,
        shard,
    };
    let bar = Bar::new(args.quiet);
    // Wall clock for the human summary (runs per second) only: results never depend on it.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let done = match sweep::execute(&plan, &opts, &bar) {
        Ok(d) => d,
        Err(e) => {
            bar.bar.abandon();
            return fail(e);
        }
    };
    let secs = started.elapsed().as_secs_f64();
    bar.bar.finish_and_clear();
    let runs_secs = bar.runs_secs.lock().expect("not poisoned").unwrap_or(secs);
    print_summary(&plan, &done, shard, threads, (runs_secs, secs), &out);
    for path in &done.replaced {
        eprintln!(
            "meshsim: {} was not a valid run file; it was run again",
            path.display()
        );
    }
    Ok(Ok(exit_code(&done)))
}

fn exit_code(done: &Done) -> ExitCode {
    if done.partial > 0 {
        eprintln!(
            "meshsim: {} run{} stopped at a limit; their results are partial (column `stop` of runs.csv)",
            done.partial,
            if done.partial == 1 { "" } else { "s" }
        );
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// `secs`: wall-clock seconds of the runs and of the whole command.
fn print_summary(
    plan: &Plan,
    done: &Done,
    shard: Option<Shard>,
    threads: usize,
    secs: (f64, f64),
    out: &std::path::Path,
) {
    outln!("{}", describe(plan));
    let (runs_secs, total_secs) = secs;
    let rate = if runs_secs > 0.0 {
        done.ran as f64 / runs_secs
    } else {
        0.0
    };
    let scope = match shard {
        Some(s) => format!("shard {s}: {} of the {} runs", done.slice, done.total),
        None => format!("{} runs", done.total),
    };
    outln!(
        "{scope}: {} run now, {} already done; runs {runs_secs:.2} s on {threads} thread{} ({rate:.1} runs/s), {total_secs:.2} s in all",
        done.ran,
        done.reused,
        if threads == 1 { "" } else { "s" }
    );
    match shard {
        Some(s) => outln!(
            "run files in {}; when every shard is done: meshsim merge OUT_DIR <the {} shard directories>",
            out.display(),
            s.count
        ),
        None => outln!(
            "outputs in {}: runs.csv, points.csv, sweep.json, charts/ ({} files)",
            out.display(),
            done.files
                .iter()
                .filter(|p| p.starts_with(out.join("charts")))
                .count()
        ),
    }
}

/// `meshsim merge OUT_DIR SHARD_DIR...` or `meshsim merge --out OUT_DIR SHARD_DIR...`.
pub fn merge(args: MergeArgs) -> Outcome {
    let threads = match threads(args.threads) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    let (out, shards) = match args.out {
        Some(o) => (o, args.dirs),
        None => {
            let mut dirs = args.dirs;
            let out = dirs.remove(0);
            (out, dirs)
        }
    };
    if shards.is_empty() {
        return Ok(Err(BadInput(
            "error: merge needs OUT_DIR and at least one SHARD_DIR (or --out OUT_DIR and SHARD_DIRs)".into(),
        )));
    }
    if let Err(e) = experiments::output::check_out_dir("the output directory", &out) {
        return Ok(Err(BadInput(e)));
    }
    match sweep::merge(&out, &shards, threads) {
        Ok(done) => {
            outln!(
                "merged {} runs from {} director{} into {}: runs.csv, points.csv, sweep.json, charts/",
                done.total,
                shards.len(),
                if shards.len() == 1 { "y" } else { "ies" },
                out.display()
            );
            Ok(Ok(exit_code(&done)))
        }
        Err(e) => fail(e),
    }
}

fn check_determinism(plan: &Plan, threads: usize) -> Outcome {
    use experiments::determinism::{SweepVerdict, check_sweep};
    let scratch = std::env::temp_dir().join(format!("meshsim-sweep-check-{}", std::process::id()));
    let verdict = check_sweep(plan, threads, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    match verdict {
        Err(e) => fail(e),
        Ok(SweepVerdict::Identical { files }) => {
            outln!("deterministic: 1 and {threads} threads wrote the same bytes in all {files} files");
            Ok(Ok(ExitCode::SUCCESS))
        }
        Ok(SweepVerdict::Diverges { file, line }) => {
            outln!("DIVERGENCE between 1 and {threads} threads: {file} differs (first at line {line})");
            Ok(Ok(ExitCode::from(1)))
        }
    }
}
