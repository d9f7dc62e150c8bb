//! One run of a sweep, and its file: `runs/000042.json` holds the run's identity (sweep hash,
//! master seed, point, replication, run seed, scenario hash) and its metric values as exact
//! decimal text, so a run read back from disk is bit-for-bit the run that was computed.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::SweepError;
use super::metrics;
use super::plan::{Plan, PlanFile};

/// The directory of run files inside a sweep's output directory.
pub const RUNS_DIR: &str = "runs";

/// A run file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunFile {
    /// The meshsim version.
    pub meshsim_version: String,
    /// The sweep it belongs to.
    pub sweep_hash: String,
    /// The sweep's master seed.
    pub seed: u64,
    /// Run index: `point × replications + replication`.
    pub run: u64,
    /// Point index.
    pub point: u64,
    /// Replication index.
    pub replication: u64,
    /// The run's seed, `derive_seed(seed, replication)`.
    pub run_seed: u64,
    /// Hash of the point's effective scenario.
    pub scenario_hash: String,
    /// Why the run stopped: `end_time`, `drained`, `max_events` or `max_pending`.
    pub stop: String,
    /// Whether it stopped at a limit (results cover part of the duration).
    pub partial: bool,
    /// Metric values, Rust's shortest round-trip text of the `f64` (`NaN` for no value).
    pub metrics: BTreeMap<String, String>,
}

/// A run read back: its file and its metric values in the plan's metric order.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// The file's content.
    pub file: RunFile,
    /// Metric values, in plan order.
    pub values: Vec<f64>,
    /// The file's bytes, as written.
    pub bytes: Vec<u8>,
}

/// The file name of run `index`: six digits at least, `000042.json`.
pub fn file_name(index: u64) -> String {
    format!("{index:06}.json")
}

/// The run index a file name stands for, if it is a run file's name.
pub fn index_of(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Runs run `index` of the plan and returns its file.
pub fn run_one(plan: &Plan, index: u64) -> RunFile {
    let f = &plan.file;
    let (point, replication) = f.split(index);
    let scenario = &plan.scenarios[point as usize];
    let run_seed = f.replication_seeds[replication as usize];
    let out = models::run(scenario.clone(), run_seed);
    let summary = metrics::summary_value(&out.report, scenario);
    let values = f
        .metrics
        .iter()
        .map(|m| {
            // Checked for every point before anything ran.
            let v = metrics::extract(&summary, &m.metric).unwrap_or(f64::NAN);
            (m.metric.clone(), format!("{v:?}"))
        })
        .collect();
    let stop = &out.report.summary.stop;
    RunFile {
        meshsim_version: f.meshsim_version.clone(),
        sweep_hash: f.sweep_hash.clone(),
        seed: f.seed,
        run: index,
        point,
        replication,
        run_seed,
        scenario_hash: f.points[point as usize].scenario_hash.clone(),
        stop: stop.reason.clone(),
        partial: stop.partial,
        metrics: values,
    }
}

/// The bytes of a run file: one line of JSON.
pub fn to_bytes(run: &RunFile) -> Vec<u8> {
    let mut s = serde_json::to_string(run).expect("a run file serialises");
    s.push('\n');
    s.into_bytes()
}

/// Why a run file cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub enum Rejected {
    /// Not a run file (unreadable, truncated, not JSON of the right shape).
    Corrupt(String),
    /// A run file of another sweep, seed or meshsim version.
    Foreign(String),
}

/// Checks that `run` (from the file for run `index`) belongs to `plan`, and returns its values
/// in plan order.
pub fn check(plan: &PlanFile, index: u64, run: &RunFile) -> Result<Vec<f64>, Rejected> {
    if run.meshsim_version != plan.meshsim_version
        || run.sweep_hash != plan.sweep_hash
        || run.seed != plan.seed
    {
        return Err(Rejected::Foreign(format!(
            "it belongs to another sweep (sweep {} with seed {}, meshsim {}; this sweep is {} with seed {}, meshsim {}): \
             the sweep file, its base scenario, the seed or meshsim changed since it was written",
            run.sweep_hash, run.seed, run.meshsim_version, plan.sweep_hash, plan.seed, plan.meshsim_version
        )));
    }
    let consistent = run.run == index
        && index < plan.runs
        && plan.split(index) == (run.point, run.replication)
        && plan.replication_seeds.get(run.replication as usize) == Some(&run.run_seed)
        && plan
            .points
            .get(run.point as usize)
            .map(|p| p.scenario_hash.as_str())
            == Some(run.scenario_hash.as_str());
    if !consistent {
        return Err(Rejected::Corrupt(
            "its run, point, replication, seed or scenario does not match its place in the sweep".into(),
        ));
    }
    if run.metrics.len() != plan.metrics.len() {
        return Err(Rejected::Corrupt("it has other metrics than the sweep".into()));
    }
    plan.metrics
        .iter()
        .map(|m| {
            let text = run.metrics.get(&m.metric);
            let value = text.and_then(|v| v.parse::<f64>().ok());
            match value {
                // NaN is "no value"; `run_one` never writes an infinity (a metric is finite).
                Some(v) if v.is_finite() || v.is_nan() => Ok(v),
                Some(_) => Err(Rejected::Corrupt(format!(
                    "`{}` is {}, not a finite number",
                    m.metric,
                    text.map_or("", String::as_str)
                ))),
                None => Err(Rejected::Corrupt(format!("no value for `{}`", m.metric))),
            }
        })
        .collect()
}

/// The record of run `index` from its run file's `bytes` (read from disk, or just made by
/// [`to_bytes`] for a sweep run in memory): parsed and checked against `plan`.
pub fn record(plan: &PlanFile, index: u64, bytes: Vec<u8>) -> Result<RunRecord, Rejected> {
    let file: RunFile =
        serde_json::from_slice(&bytes).map_err(|e| Rejected::Corrupt(format!("not a run file: {e}")))?;
    check(plan, index, &file).map(|values| RunRecord { file, values, bytes })
}

/// The run files found in a directory.
#[derive(Debug, Default)]
pub struct Scan {
    /// Usable runs by index.
    pub runs: BTreeMap<u64, RunRecord>,
    /// Files that are not usable run files, with the reason (they are run again).
    pub corrupt: Vec<(PathBuf, String)>,
}

/// Reads every run file in `dir/runs` (a missing directory holds none). A run file of another
/// sweep is an error: the directory belongs to someone else.
pub fn scan(dir: &Path, plan: &PlanFile) -> Result<Scan, SweepError> {
    let runs_dir = dir.join(RUNS_DIR);
    let mut scan = Scan::default();
    let entries = match std::fs::read_dir(&runs_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(scan),
        Err(e) => return Err(SweepError::io(format!("reading {}", runs_dir.display()), e)),
    };
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SweepError::io(format!("reading {}", runs_dir.display()), e))?;
        let name = entry.file_name();
        if let Some(i) = name.to_str().and_then(index_of) {
            files.push((i, entry.path()));
        }
    }
    files.sort();
    for (index, path) in files {
        let bytes = SweepError::read(&path, false)?;
        match record(plan, index, bytes) {
            Ok(r) => {
                scan.runs.insert(index, r);
            }
            Err(Rejected::Corrupt(why)) => scan.corrupt.push((path, why)),
            Err(Rejected::Foreign(why)) => {
                return Err(SweepError::Input(format!(
                    "error: {}: {why}\n  = help: use another --out directory, or delete this one",
                    path.display()
                )));
            }
        }
    }
    Ok(scan)
}

/// Removes temporary files (`.NAME.PID.tmp`, from [`crate::output::write_atomic`]) left in
/// `dir`, `dir/runs` and `dir/charts` by a process that was killed while writing. Only for a
/// caller holding the directory's exclusive lock: then no live process is writing them.
pub fn remove_stale_temporaries(dir: &Path) -> Result<(), SweepError> {
    for sub in [dir.to_path_buf(), dir.join(RUNS_DIR), dir.join("charts")] {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") && entry.path().is_file() {
                std::fs::remove_file(entry.path())
                    .map_err(|e| SweepError::io(format!("removing {}", entry.path().display()), e))?;
            }
        }
    }
    Ok(())
}
