//! Running a plan (all of it, the missing part of it, or a shard of it) on a rayon pool, and
//! merging shards.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::plan::{Plan, PlanFile};
use super::render::render;
use super::runs::{self, RUNS_DIR, RunRecord, Scan, file_name, run_one, scan, to_bytes, write_atomic};
use super::{Options, Progress, Shard, SweepError};

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

fn pool(threads: usize) -> Result<rayon::ThreadPool, SweepError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| SweepError::Internal(format!("starting {threads} threads: {e}")))
}

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
    let runs_dir = out.join(RUNS_DIR);
    std::fs::create_dir_all(&runs_dir)
        .map_err(|e| SweepError::io(format!("creating {}", runs_dir.display()), e))?;
    if opts.shard.is_none() {
        runs::remove_stale_temporaries(out)?;
    }
    let in_slice = |i: u64| opts.shard.is_none_or(|s| s.contains(i));
    let Scan {
        runs: existing,
        corrupt,
    } = scan(out, f)?;
    let reused = existing.keys().filter(|&&i| in_slice(i)).count() as u64;
    if reused > 0 && !opts.resume {
        return Err(SweepError::Input(format!(
            "error: {} already holds {reused} run{} of this sweep\n  = help: add --resume to finish it, or use another --out directory",
            out.display(),
            if reused == 1 { "" } else { "s" }
        )));
    }
    write(out, "sweep.toml", plan.sweep_text.as_bytes())?;
    write(out, "base.toml", plan.base_text.as_bytes())?;
    match opts.shard {
        Some(s) => {
            let manifest = ShardFile {
                shard: s,
                plan: f.clone(),
            };
            let mut text = serde_json::to_string_pretty(&manifest).expect("a shard manifest serialises");
            text.push('\n');
            write(out, &shard_manifest_name(s), text.as_bytes())?;
        }
        None => {
            write(out, "sweep.json", f.to_json().as_bytes())?;
        }
    }
    let pending: Vec<u64> = (0..f.runs)
        .filter(|&i| in_slice(i) && !existing.contains_key(&i))
        .collect();
    let slice = (0..f.runs).filter(|&i| in_slice(i)).count() as u64;
    progress.start(pending.len() as u64, slice);
    let pool = pool(opts.threads)?;
    pool.install(|| {
        pending.par_iter().try_for_each(|&i| {
            let run = run_one(plan, i);
            let path = runs_dir.join(file_name(i));
            write_atomic(&path, &to_bytes(&run))
                .map_err(|e| SweepError::io(format!("writing {}", path.display()), e))?;
            progress.advance();
            Ok::<(), SweepError>(())
        })
    })?;
    progress.runs_done();
    let mut done = Done {
        total: f.runs,
        slice,
        ran: pending.len() as u64,
        reused,
        partial: 0,
        replaced: corrupt
            .into_iter()
            .map(|c| c.0)
            .filter(|p| {
                let index = p.file_name().and_then(|n| n.to_str()).and_then(runs::index_of);
                index.is_some_and(in_slice)
            })
            .collect(),
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

/// Joins the outputs of shards (directories holding `shard-K-of-N.json` manifests and their
/// run files; several shards may share a directory) into `out`: checks that they belong to the
/// same sweep and that their run files cover every run exactly once, copies the run files, and
/// writes the same final files a single run would.
pub fn merge(out: &Path, dirs: &[PathBuf], threads: usize) -> Result<Done, SweepError> {
    if dirs.is_empty() {
        return Err(SweepError::Input(
            "error: merge needs at least one shard directory".into(),
        ));
    }
    // The same directory named twice (or by two spellings) counts once.
    let mut unique: Vec<(PathBuf, PathBuf)> = Vec::new();
    for d in dirs {
        let canonical = std::fs::canonicalize(d)
            .map_err(|e| SweepError::Input(format!("error: shard directory {}: {e}", d.display())))?;
        if !unique.iter().any(|(_, c)| *c == canonical) {
            unique.push((d.clone(), canonical));
        }
    }
    // Shard manifests.
    let mut shards: Vec<(ShardFile, PathBuf)> = Vec::new();
    for (d, _) in &unique {
        let mut found = false;
        let entries =
            std::fs::read_dir(d).map_err(|e| SweepError::io(format!("reading {}", d.display()), e))?;
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
            })
            .collect();
        names.sort();
        for path in names {
            let bytes =
                std::fs::read(&path).map_err(|e| SweepError::io(format!("reading {}", path.display()), e))?;
            let manifest: ShardFile = serde_json::from_slice(&bytes).map_err(|e| {
                SweepError::Input(format!("error: {}: not a shard manifest: {e}", path.display()))
            })?;
            shards.push((manifest, path));
            found = true;
        }
        if !found {
            return Err(SweepError::Input(format!(
                "error: {}: no shard manifest (shard-K-of-N.json); is it the --out of `meshsim sweep --shard K/N`?",
                d.display()
            )));
        }
    }
    let (first, first_path) = &shards[0];
    let plan = first.plan.clone();
    let count = first.shard.count;
    for (s, path) in &shards[1..] {
        if s.plan != plan {
            return Err(SweepError::Input(format!(
                "error: {} and {} are shards of different sweeps (sweep {} seed {}, and sweep {} seed {})",
                first_path.display(),
                path.display(),
                plan.sweep_hash,
                plan.seed,
                s.plan.sweep_hash,
                s.plan.seed
            )));
        }
        if s.shard.count != count {
            return Err(SweepError::Input(format!(
                "error: {} is shard {}/{} but {} is shard {}/{}: all shards must split the sweep the same way",
                path.display(),
                s.shard.index,
                s.shard.count,
                first_path.display(),
                first.shard.index,
                count
            )));
        }
    }
    for k in 1..=count {
        let with_k: Vec<&PathBuf> = shards
            .iter()
            .filter(|(s, _)| s.shard.index == k)
            .map(|(_, p)| p)
            .collect();
        match with_k.len() {
            0 => {
                return Err(SweepError::Input(format!(
                    "error: shard {k}/{count} is missing: no shard-{k}-of-{count}.json in the directories given"
                )));
            }
            1 => {}
            _ => {
                return Err(SweepError::Input(format!(
                    "error: shard {k}/{count} appears twice: {} and {}",
                    with_k[0].display(),
                    with_k[1].display()
                )));
            }
        }
    }
    // Run files: each exactly once over all directories.
    let mut runs: std::collections::BTreeMap<u64, (RunRecord, PathBuf)> = std::collections::BTreeMap::new();
    for (d, _) in &unique {
        let found = scan(d, &plan)?;
        if let Some((path, why)) = found.corrupt.first() {
            return Err(SweepError::Input(format!(
                "error: {}: {why}\n  = help: delete it and rerun its shard with --resume",
                path.display()
            )));
        }
        for (i, r) in found.runs {
            if let Some((_, other)) = runs.get(&i) {
                return Err(SweepError::Input(format!(
                    "error: run {i} is in two shard directories, {} and {}",
                    other.display(),
                    d.display()
                )));
            }
            runs.insert(i, (r, d.clone()));
        }
    }
    let missing: Vec<u64> = (0..plan.runs).filter(|i| !runs.contains_key(i)).collect();
    if let Some(&i) = missing.first() {
        let k = i % count + 1;
        return Err(SweepError::Input(format!(
            "error: {} of {} runs are missing (the first is run {i}, of shard {k}/{count})\n  = help: finish that shard with `meshsim sweep FILE --shard {k}/{count} --resume`",
            missing.len(),
            plan.runs
        )));
    }
    // The output directory must not hold runs of another sweep.
    let out_runs = out.join(RUNS_DIR);
    std::fs::create_dir_all(&out_runs)
        .map_err(|e| SweepError::io(format!("creating {}", out_runs.display()), e))?;
    scan(out, &plan)?;
    let source_dir = &unique[0].0;
    let read_text = |name: &str| {
        let path = source_dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| SweepError::io(format!("reading {}", path.display()), e))
    };
    let sweep_text = read_text("sweep.toml")?;
    let base_text = read_text("base.toml")?;
    let pool = pool(threads)?;
    pool.install(|| {
        runs.par_iter().try_for_each(|(i, (r, _))| {
            let path = out_runs.join(file_name(*i));
            write_atomic(&path, &r.bytes)
                .map_err(|e| SweepError::io(format!("writing {}", path.display()), e))
        })
    })?;
    let partial = runs.values().filter(|(r, _)| r.file.partial).count() as u64;
    let records: Vec<RunRecord> = runs.into_values().map(|(r, _)| r).collect();
    let files = pool.install(|| write_final(out, &plan, &records, &sweep_text, &base_text))?;
    Ok(Done {
        total: plan.runs,
        slice: plan.runs,
        ran: 0,
        reused: plan.runs,
        partial,
        replaced: Vec::new(),
        files,
    })
}
