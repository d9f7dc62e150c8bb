//! Running a plan (all of it, the missing part of it, or a shard of it) on a rayon pool, and
//! merging shards (in `merge`).

mod merge;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::plan::{Plan, PlanFile};
use super::render::render;
use super::runs::{self, RUNS_DIR, RunRecord, Scan, file_name, record, run_one, scan, to_bytes};
use super::{Options, Progress, Shard, SweepError};
use crate::outdir::{self, Mode};
use crate::output::write_atomic;

pub use merge::merge;

/// The manifest a shard writes: the plan and which slice it runs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ShardFile {
    /// The slice.
    pub shard: Shard,
    /// The whole sweep.
    pub plan: PlanFile,
}

/// What a sweep (or merge) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// Runs in the whole sweep.
    pub total: u64,
    /// Runs in this invocation's slice (all of them without `--shard`).
    pub slice: u64,
    /// Runs computed now.
    pub ran: u64,
    /// Runs found done already (resume).
    pub reused: u64,
    /// Runs that stopped at a limit (their results are partial).
    pub partial: u64,
    /// Corrupt run files that were run again.
    pub replaced: Vec<PathBuf>,
    /// Final files written (empty for a shard).
    pub files: Vec<PathBuf>,
}

/// The name of a shard's manifest: `shard-2-of-4.json`.
pub fn shard_manifest_name(s: Shard) -> String {
    format!("shard-{}-of-{}.json", s.index, s.count)
}

/// A rayon pool of `threads` workers (at least one).
fn pool(threads: usize) -> Result<rayon::ThreadPool, SweepError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| SweepError::Internal(format!("starting {threads} threads: {e}")))
}

/// Writes `bytes` to `dir/name` atomically, creating the directories it needs; returns the path.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, SweepError> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| SweepError::io(format!("creating {}", parent.display()), e))?;
    }
    write_atomic(&path, bytes).map_err(|e| SweepError::io(format!("writing {}", path.display()), e))?;
    Ok(path)
}

/// Runs the plan into `opts.out`: the runs of the slice that have no run file yet (all of them
/// on a fresh directory), each written to `runs/` as soon as it ends. Without a shard, the
/// final files are then rendered from every run file and written. Existing run files of this
/// sweep are an error unless `opts.resume`; run files of another sweep always are.
pub fn execute(plan: &Plan, opts: &Options, progress: &dyn Progress) -> Result<Done, SweepError> {
    let f = &plan.file;
    let out = &opts.out;
    // Shards may share a directory (a shared volume); anything else writes it alone.
    let mode = if opts.shard.is_some() {
        Mode::Shared
    } else {
        Mode::Exclusive
    };
    let lock = outdir::lock(out, mode)?;
    let runs_dir = out.join(RUNS_DIR);
    std::fs::create_dir_all(&runs_dir)
        .map_err(|e| SweepError::io(format!("creating {}", runs_dir.display()), e))?;
    if lock.is_sole_writer() {
        runs::remove_stale_temporaries(out)?;
    }
    let in_slice = |i: u64| opts.shard.is_none_or(|s| s.contains(i));
    let Scan {
        runs: existing,
        corrupt,
    } = scan(out, f)?;
    let reused = existing.keys().filter(|&&i| in_slice(i)).count() as u64;
    if reused > 0 && !opts.resume {
        return Err(already_holds(out, reused));
    }
    write_inputs(plan, opts)?;
    let pending: Vec<u64> = (0..f.runs)
        .filter(|&i| in_slice(i) && !existing.contains_key(&i))
        .collect();
    let slice = reused + pending.len() as u64;
    progress.start(pending.len() as u64);
    let pool = pool(opts.threads)?;
    pool.install(|| run_pending(plan, &runs_dir, &pending, progress))?;
    progress.runs_done();
    let mut done = Done {
        total: f.runs,
        slice,
        ran: pending.len() as u64,
        reused,
        partial: 0,
        replaced: corrupt_in_slice(corrupt, in_slice),
        files: Vec::new(),
    };
    // Everything below reads the run files back: the final files come from the disk, whether
    // the runs were computed now or by an earlier, interrupted invocation.
    let all = scan(out, f)?;
    done.partial = all
        .runs
        .iter()
        .filter(|(i, r)| in_slice(**i) && r.file.partial)
        .count() as u64;
    if opts.shard.is_some() {
        return Ok(done);
    }
    let records = complete(f, all, out)?;
    done.files =
        pool.install(|| write_final(out, &plan.file, &records, &plan.sweep_text, &plan.base_text))?;
    Ok(done)
}

/// Runs every run of the plan on `threads` workers and renders the final files (`runs.csv`,
/// `points.csv`, `sweep.json`, the charts, ...: `(name, bytes)`) in memory, writing nothing.
/// Each run goes through the same run-file bytes and the same [`render`] as [`execute`]'s, so
/// the files are those `meshsim sweep` writes (the Python module's `sweep`).
pub fn execute_in_memory(plan: &Plan, threads: usize) -> Result<Vec<(String, Vec<u8>)>, SweepError> {
    let f = &plan.file;
    pool(threads)?.install(|| {
        let records = (0..f.runs)
            .into_par_iter()
            .map(|i| {
                record(f, i, to_bytes(&run_one(plan, i)))
                    .map_err(|why| SweepError::Internal(format!("run {i} of the sweep: {why:?}")))
            })
            .collect::<Result<Vec<RunRecord>, SweepError>>()?;
        render(f, &records, &plan.sweep_text, &plan.base_text)
    })
}

/// The error for an output directory that already holds `reused` runs of this sweep, without
/// `--resume`.
fn already_holds(out: &Path, reused: u64) -> SweepError {
    SweepError::Input(format!(
        "error: {} already holds {reused} run{} of this sweep\n  = help: add --resume to finish it, or use another --out directory",
        out.display(),
        if reused == 1 { "" } else { "s" }
    ))
}

/// Writes the sweep's inputs into `opts.out`: `sweep.toml` and `base.toml`, then the shard's
/// manifest (with a shard) or `sweep.json` (without).
fn write_inputs(plan: &Plan, opts: &Options) -> Result<(), SweepError> {
    let out = &opts.out;
    write(out, "sweep.toml", plan.sweep_text.as_bytes())?;
    write(out, "base.toml", plan.base_text.as_bytes())?;
    match opts.shard {
        Some(s) => {
            let manifest = ShardFile {
                shard: s,
                plan: plan.file.clone(),
            };
            let mut text = serde_json::to_string_pretty(&manifest).expect("a shard manifest serialises");
            text.push('\n');
            write(out, &shard_manifest_name(s), text.as_bytes())?;
        }
        None => {
            write(out, "sweep.json", plan.file.to_json().as_bytes())?;
        }
    }
    Ok(())
}

/// Runs the `pending` runs in parallel (on the current rayon pool), writing each to its file in
/// `runs_dir` as soon as it ends.
fn run_pending(
    plan: &Plan,
    runs_dir: &Path,
    pending: &[u64],
    progress: &dyn Progress,
) -> Result<(), SweepError> {
    pending.par_iter().try_for_each(|&i| {
        let run = run_one(plan, i);
        let path = runs_dir.join(file_name(i));
        write_atomic(&path, &to_bytes(&run))
            .map_err(|e| SweepError::io(format!("writing {}", path.display()), e))?;
        progress.advance();
        Ok::<(), SweepError>(())
    })
}

/// The paths of the corrupt run files whose run is in the slice (they were run again).
fn corrupt_in_slice(corrupt: Vec<(PathBuf, String)>, in_slice: impl Fn(u64) -> bool) -> Vec<PathBuf> {
    corrupt
        .into_iter()
        .map(|c| c.0)
        .filter(|p| {
            let index = p.file_name().and_then(|n| n.to_str()).and_then(runs::index_of);
            index.is_some_and(&in_slice)
        })
        .collect()
}

/// Every run of the plan in index order, or an error naming the first missing one.
fn complete(plan: &PlanFile, scan: Scan, dir: &Path) -> Result<Vec<RunRecord>, SweepError> {
    if let Some((path, why)) = scan.corrupt.first() {
        return Err(SweepError::Input(format!("error: {}: {why}", path.display())));
    }
    let missing: Vec<u64> = (0..plan.runs).filter(|i| !scan.runs.contains_key(i)).collect();
    if let Some(first) = missing.first() {
        return Err(SweepError::Input(format!(
            "error: {}: {} of {} runs are missing (the first is run {first}, {})",
            dir.display(),
            missing.len(),
            plan.runs,
            file_name(*first)
        )));
    }
    Ok(scan.runs.into_values().collect())
}

/// Renders the final files from every run, in index order, and writes them into `out`;
/// returns their paths.
fn write_final(
    out: &Path,
    plan: &PlanFile,
    records: &[RunRecord],
    sweep_text: &str,
    base_text: &str,
) -> Result<Vec<PathBuf>, SweepError> {
    let files = render(plan, records, sweep_text, base_text)?;
    files
        .iter()
        .map(|(name, bytes)| write(out, name, bytes))
        .collect()
}
