//! Merging shards: the shard directories read and checked (one sweep, one way of splitting it,
//! every shard and every run exactly once), their run files copied into one directory and the
//! final files written as a single run would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::super::SweepError;
use super::super::plan::PlanFile;
use super::super::runs::{RUNS_DIR, RunRecord, file_name, remove_stale_temporaries, scan};
use super::{Done, ShardFile, pool, write_final};
use crate::outdir::{self, Mode};
use crate::output::write_atomic;

/// Run records by index, each with the shard directory it came from.
type Runs = BTreeMap<u64, (RunRecord, PathBuf)>;

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
    let unique = unique_dirs(dirs)?;
    let mut shards: Vec<(ShardFile, PathBuf)> = Vec::new();
    for d in &unique {
        shards.extend(manifests_in(d)?);
    }
    check_same_sweep(&shards)?;
    let plan = shards[0].0.plan.clone();
    let count = shards[0].0.shard.count;
    check_every_shard_once(&shards, count)?;
    let runs = runs_of(&unique, &plan)?;
    check_no_run_missing(&runs, &plan, count)?;
    write_merged(out, &unique[0], &plan, runs, threads)
}

/// The directories as given, each once: the same directory named twice (or by two spellings)
/// counts once.
fn unique_dirs(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, SweepError> {
    let mut unique: Vec<(PathBuf, PathBuf)> = Vec::new();
    for d in dirs {
        let canonical = std::fs::canonicalize(d)
            .map_err(|e| SweepError::Input(format!("error: shard directory {}: {e}", d.display())))?;
        if !unique.iter().any(|(_, c)| *c == canonical) {
            unique.push((d.clone(), canonical));
        }
    }
    Ok(unique.into_iter().map(|(d, _)| d).collect())
}

/// The shard manifests in directory `d`, in file name order, each with its path; an error if
/// there is none.
fn manifests_in(d: &Path) -> Result<Vec<(ShardFile, PathBuf)>, SweepError> {
    let entries = std::fs::read_dir(d).map_err(|e| SweepError::io(format!("reading {}", d.display()), e))?;
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
    let mut shards = Vec::new();
    for path in names {
        let bytes = SweepError::read(&path, false)?;
        let manifest: ShardFile = serde_json::from_slice(&bytes).map_err(|e| {
            SweepError::Input(format!("error: {}: not a shard manifest: {e}", path.display()))
        })?;
        shards.push((manifest, path));
    }
    if shards.is_empty() {
        return Err(SweepError::Input(format!(
            "error: {}: no shard manifest (shard-K-of-N.json); is it the --out of `meshsim sweep --shard K/N`?",
            d.display()
        )));
    }
    Ok(shards)
}

/// Checks that every shard has the plan and the shard count of the first one.
fn check_same_sweep(shards: &[(ShardFile, PathBuf)]) -> Result<(), SweepError> {
    let (first, first_path) = &shards[0];
    let plan = &first.plan;
    let count = first.shard.count;
    for (s, path) in &shards[1..] {
        if s.plan != *plan {
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
    Ok(())
}

/// Checks that each shard `1..=count` has exactly one manifest.
fn check_every_shard_once(shards: &[(ShardFile, PathBuf)], count: u64) -> Result<(), SweepError> {
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
    Ok(())
}

/// The run files of every directory, by index; an error for a corrupt one or a run found in two
/// directories.
fn runs_of(dirs: &[PathBuf], plan: &PlanFile) -> Result<Runs, SweepError> {
    let mut runs = Runs::new();
    for d in dirs {
        let found = scan(d, plan)?;
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
    Ok(runs)
}

/// Checks that every run of the plan was found; the error names the first missing one and its
/// shard.
fn check_no_run_missing(runs: &Runs, plan: &PlanFile, count: u64) -> Result<(), SweepError> {
    let missing: Vec<u64> = (0..plan.runs).filter(|i| !runs.contains_key(i)).collect();
    if let Some(&i) = missing.first() {
        let k = i % count + 1;
        return Err(SweepError::Input(format!(
            "error: {} of {} runs are missing (the first is run {i}, of shard {k}/{count})\n  = help: finish that shard with `meshsim sweep FILE --shard {k}/{count} --resume`",
            missing.len(),
            plan.runs
        )));
    }
    Ok(())
}

/// Copies every run file into `out/runs` and writes the final files, with the sweep and base
/// texts of `source_dir`. The output directory must not hold runs of another sweep.
fn write_merged(
    out: &Path,
    source_dir: &Path,
    plan: &PlanFile,
    runs: Runs,
    threads: usize,
) -> Result<Done, SweepError> {
    let lock = outdir::lock(out, Mode::Exclusive)?;
    if lock.is_sole_writer() {
        remove_stale_temporaries(out)?;
    }
    let out_runs = out.join(RUNS_DIR);
    std::fs::create_dir_all(&out_runs)
        .map_err(|e| SweepError::io(format!("creating {}", out_runs.display()), e))?;
    scan(out, plan)?;
    let read_text = |name: &str| {
        let path = source_dir.join(name);
        SweepError::read(&path, true).map(|b| String::from_utf8_lossy(&b).into_owned())
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
    let files = pool.install(|| write_final(out, plan, &records, &sweep_text, &base_text))?;
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
