//! `meshsim swarm`: swarm testing. Random but valid scenarios from seeds, each run with every
//! invariant checker on; a failure prints the command that reproduces it and the smallest
//! failing scenario found by shrinking. See docs/reliability.md.
//!
//! Exit codes: 0 every seed passed; 1 a seed failed (a bug in meshsim: an internal error);
//! 2 bad flags.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use experiments::swarm::{self, DEFAULT_SHRINK_TRIES, Failure};
use experiments::text::escape_controls;
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::{BadInput, Outcome, progress_bar, threads};

/// Seeds run by `meshsim swarm` without `--seed` or `--count`.
const DEFAULT_COUNT: u64 = 100;

/// Failing seeds listed with `--keep-going` (the rest are counted).
const LISTED_FAILURES: usize = 50;

/// Flags of `meshsim swarm`.
#[derive(clap::Args)]
pub struct SwarmArgs {
    /// Run this one seed and say what it generated and how it went (with --count: the first
    /// seed).
    #[arg(long, value_parser = crate::seed_arg)]
    pub seed: Option<u64>,
    /// Run this many seeds, from --seed (default 0), in parallel [default: 100 without --seed].
    #[arg(long)]
    pub count: Option<u64>,
    /// Worker threads (default: the number of CPUs). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run every seed even after a failure, and list every failing seed (the lowest is shrunk).
    #[arg(long)]
    pub keep_going: bool,
    /// With --seed alone: also print the generated scenario file.
    #[arg(long)]
    pub toml: bool,
    /// The most scenarios tried while shrinking a failure (0: do not shrink).
    #[arg(long, default_value_t = DEFAULT_SHRINK_TRIES)]
    pub shrink_tries: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Run the same checks on a scenario file (or builtin) instead of generated scenarios, with
    /// the file's seed (or --seed).
    #[arg(long, value_name = "SCENARIO", conflicts_with_all = ["count", "keep_going", "toml"])]
    pub file: Option<String>,
}

/// `meshsim swarm`.
pub fn swarm(args: SwarmArgs) -> Outcome {
    let threads = match threads(args.threads) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e)),
    };
    if args.count == Some(0) {
        return Ok(Err(BadInput("error: --count must be at least 1".into())));
    }
    if let Some(file) = &args.file {
        return Ok(check_file(file, args.seed));
    }
    match (args.seed, args.count) {
        (Some(seed), None) => Ok(Ok(one_seed(seed, &args))),
        (start, count) => {
            let start = start.unwrap_or(0);
            let count = count.unwrap_or(DEFAULT_COUNT);
            // `count` ≥ 1: the last seed, start + count - 1, may be u64::MAX itself.
            if start.checked_add(count - 1).is_none() {
                return Ok(Err(BadInput(format!(
                    "error: --seed {start} --count {count} goes past the largest seed"
                ))));
            }
            many_seeds(start, count, threads, &args)
        }
    }
}

/// Prints a failure: the command that reproduces it, what failed, and the shrunk scenario.
fn report_failure(seed: u64, failure: &Failure, shrink_tries: usize) {
    let spec = swarm::generate(seed);
    outln!("FAILED: seed {seed}: {failure}");
    outln!("reproduce: {}", swarm::reproduce_command(seed));
    if shrink_tries == 0 {
        outln!("\n--- the failing scenario ---\n{}", spec.to_toml());
        return;
    }
    eprintln!("shrinking (at most {shrink_tries} scenarios)...");
    let shrunk = swarm::shrink(&spec, failure, shrink_tries);
    outln!(
        "shrunk: {} simplification(s) kept, {} scenario(s) tried; it still fails: {}",
        shrunk.steps,
        shrunk.tries,
        shrunk.failure
    );
    outln!(
        "\n--- the smallest failing scenario found (save it and `meshsim run FILE`) ---\n{}",
        shrunk.spec.to_toml()
    );
}

/// `--seed N` alone: one seed, verbose.
fn one_seed(seed: u64, args: &SwarmArgs) -> ExitCode {
    let spec = swarm::generate(seed);
    outln!("seed {seed}: {}", spec.describe());
    let features: Vec<String> = spec.features().into_iter().collect();
    outln!("features: {}", features.join(", "));
    if args.toml {
        outln!("\n{}", spec.to_toml());
    }
    match swarm::check_spec(&spec) {
        Ok(s) => {
            outln!("{s}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            report_failure(seed, &failure, args.shrink_tries);
            ExitCode::from(1)
        }
    }
}

/// `--file SCENARIO`: the checks on a given scenario.
fn check_file(file: &str, seed: Option<u64>) -> Result<ExitCode, BadInput> {
    let source = experiments::run::resolve_source(file).map_err(BadInput)?;
    let overrides: Vec<experiments::scenario::Override> = seed
        .map(|s| experiments::scenario::Override {
            path: "seed".into(),
            value: s.to_string(),
        })
        .into_iter()
        .collect();
    // --seed becomes the file's `seed`, so the checked run is the one `meshsim run` does. Bad
    // input is reported against the file as `meshsim run` reports it.
    let loaded = experiments::scenario::load(&source, &overrides).map_err(|e| BadInput(e.to_string()))?;
    let text = loaded.canonical;
    match swarm::check_text(&source.name, &text) {
        Ok(s) => {
            outln!("{}", escape_controls(&format!("{}: {s}", source.name)));
            Ok(ExitCode::SUCCESS)
        }
        Err(Failure {
            kind: swarm::FailureKind::Load,
            message,
        }) => Err(BadInput(message)),
        Err(failure) => {
            outln!(
                "{}",
                escape_controls(&format!("FAILED: {}: {failure}", source.name))
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// Counters shared by the workers of [`many_seeds`].
#[derive(Default)]
struct Counts {
    /// Events processed by the passing seeds.
    events: AtomicU64,
    /// Passing seeds that a limit stopped.
    limits: AtomicU64,
    /// Seeds run (not skipped).
    ran: AtomicU64,
}

/// `--count N`: seeds `start..start + count` in parallel. Without `--keep-going`, seeds above
/// a known failure are skipped, so the lowest failing seed is found whatever the thread count.
fn many_seeds(start: u64, count: u64, threads: usize, args: &SwarmArgs) -> Outcome {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| anyhow::anyhow!("starting {threads} worker threads: {e}"))?;
    let bar = progress_bar(count, "seeds", args.quiet);
    #[allow(clippy::disallowed_methods)] // wall time for the summary line only
    let started = Instant::now();
    let counts = Counts::default();
    let mut failures =
        pool.install(|| run_seeds(start..=start + (count - 1), args.keep_going, &bar, &counts));
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    failures.sort_by_key(|(seed, _)| *seed);
    let Some((seed, failure)) = failures.first() else {
        outln!(
            "swarm: {} passed ({start}..={}), {} hit a limit (partial, as allowed), {} events, {secs:.1} s",
            count_of(count, "seed"),
            last(start, count),
            counts.limits.load(Ordering::Relaxed),
            counts.events.load(Ordering::Relaxed)
        );
        return Ok(Ok(ExitCode::SUCCESS));
    };
    if args.keep_going {
        list_failures(&failures, start, count);
    } else {
        outln!(
            "swarm: seed {seed} failed ({} seeds run of {count}, the lowest failing seed is shown)",
            counts.ran.load(Ordering::Relaxed)
        );
    }
    report_failure(*seed, failure, args.shrink_tries);
    Ok(Ok(ExitCode::from(1)))
}

/// Checks `seeds` in parallel on the current rayon pool, counting into `counts` and ticking
/// `bar`; returns the failures. Without `keep_going`, a seed above a failing one is skipped.
fn run_seeds(
    seeds: std::ops::RangeInclusive<u64>,
    keep_going: bool,
    bar: &ProgressBar,
    counts: &Counts,
) -> Vec<(u64, Failure)> {
    let lowest_failure = AtomicU64::new(u64::MAX);
    seeds
        .into_par_iter()
        .filter_map(|seed| {
            // A failure at a lower seed makes this one irrelevant (unless keeping going).
            if !keep_going && seed > lowest_failure.load(Ordering::Relaxed) {
                bar.inc(1);
                return None;
            }
            let result = swarm::check(seed);
            counts.ran.fetch_add(1, Ordering::Relaxed);
            bar.inc(1);
            match result {
                Ok(s) => {
                    counts.events.fetch_add(s.events, Ordering::Relaxed);
                    counts.limits.fetch_add(u64::from(s.hit_limit), Ordering::Relaxed);
                    None
                }
                Err(f) => {
                    lowest_failure.fetch_min(seed, Ordering::Relaxed);
                    Some((seed, f))
                }
            }
        })
        .collect()
}

/// The end of `start..end` (exclusive) as printed: past `u64::MAX` when the last seed is it.
/// The last seed of `start..start + count` (`count` ≥ 1; it fits: `--count` is checked).
fn last(start: u64, count: u64) -> u64 {
    start.saturating_add(count.saturating_sub(1))
}

/// "N seeds", "1 seed".
fn count_of(n: u64, noun: &str) -> String {
    experiments::charts::select::count(usize::try_from(n).unwrap_or(usize::MAX), noun)
}

/// With `--keep-going`: how many seeds of `start..start + count` failed, and the first
/// [`LISTED_FAILURES`] of `failures` (sorted by seed).
fn list_failures(failures: &[(u64, Failure)], start: u64, count: u64) {
    outln!(
        "swarm: {} of {} failed ({start}..={}):",
        failures.len(),
        count_of(count, "seed"),
        last(start, count)
    );
    for (s, f) in failures.iter().take(LISTED_FAILURES) {
        outln!("  seed {s}: {f}");
    }
    if failures.len() > LISTED_FAILURES {
        outln!("  ... and {} more", failures.len() - LISTED_FAILURES);
    }
    outln!();
}
