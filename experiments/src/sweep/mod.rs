//! Parameter sweeps: a sweep file names a base scenario, axes over scenario paths, the
//! replications and the metrics; `meshsim sweep` runs every (point, replication) in parallel
//! and reports each metric's mean and 95% confidence interval per point, with charts.
//!
//! The pipeline, each step its own module:
//!
//! 1. [`spec`]: the sweep file, read with the scenario module's tree and typed reader, so
//!    errors name file, line, column and key path; [`values`]: lists and ranges.
//! 2. [`plan`]: the base scenario resolved, every point's overrides (`set`, then the axes)
//!    applied and validated with [`crate::scenario::load`], every metric checked against every
//!    point, seeds derived. Nothing runs until the whole plan is valid.
//! 3. [`exec`]: the runs on a rayon pool, each written at once to its own file
//!    (`runs/000042.json`, see [`runs`]); resume skips the runs already on disk; shards run a
//!    deterministic slice; [`exec::merge`] joins shards.
//! 4. [`render`]: `runs.csv`, `points.csv`, `sweep.json` and the charts, rendered from every
//!    run file in index order, so the bytes do not depend on threads, interruptions or shards.
//!
//! **Seeds.** Replication `r` runs with `sim_core::rng::derive_seed(seed, r)` at every point
//! (common random numbers): the arrivals and work times of replication `r` are the same at every
//! point, as far as the parameters leave them alone, so differences between points come from
//! the parameters. Run index = point × replications + replication.
//!
//! **Architecture invariant:** rayon is used here only. Runs are computed in parallel, but
//! results are collected and accumulated in run-index order; no float is summed across threads.
//!
//! The format, the outputs and the CLI are documented in `docs/sweeps.md`.

pub mod exec;
pub mod metrics;
pub mod plan;
pub mod render;
pub mod runs;
pub mod spec;
pub mod values;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::scenario::ScenarioError;

pub use exec::{Done, execute, execute_in_memory, merge};
pub use plan::{Plan, PlanFile, load_sweep, prepare};

/// Why a sweep could not run.
#[derive(Debug)]
pub enum SweepError {
    /// A mistake in the sweep file (or in the scenario one of its points makes), located in
    /// the sweep file. Bad input: exit code 2, nothing written.
    Located(ScenarioError),
    /// Other bad input: a base scenario that does not load at some point, an output directory
    /// that belongs to another sweep, shards that do not fit together. Exit code 2. The text
    /// is the complete message.
    Input(String),
    /// Reading or writing a file failed. Exit code 1.
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// Something else failed (drawing a chart, starting threads). Exit code 1.
    Internal(String),
}

impl SweepError {
    /// An I/O error while doing `context`.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> SweepError {
        SweepError::Io {
            context: context.into(),
            source,
        }
    }

    /// A bounded read of a file the sweep wrote and reads back ([`crate::input`], at most
    /// [`crate::input::MAX_SWEEP_FILE_BYTES`]): an OS error is an I/O error, a file that is not a
    /// regular file, too large or not UTF-8 (`text`) is bad input.
    pub(crate) fn read(path: &std::path::Path, text: bool) -> Result<Vec<u8>, SweepError> {
        use crate::input::{self, InputError};
        let read = input::read_bytes(path, input::MAX_SWEEP_FILE_BYTES).and_then(|b| {
            if text {
                input::utf8(b).map(String::into_bytes)
            } else {
                Ok(b)
            }
        });
        read.map_err(|e| match e {
            InputError::Io(e) => SweepError::io(format!("reading {}", path.display()), e),
            e => SweepError::Input(e.message(path)),
        })
    }

    /// Whether the error is the user's input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, SweepError::Located(_) | SweepError::Input(_))
    }
}

impl From<crate::outdir::OutDirError> for SweepError {
    fn from(e: crate::outdir::OutDirError) -> SweepError {
        use crate::outdir::OutDirError as E;
        match e {
            E::Busy { .. } => SweepError::Internal(e.to_string()),
            E::NotARun { .. } => SweepError::Input(e.to_string()),
            E::Io { context, source } => SweepError::Io { context, source },
        }
    }
}

impl fmt::Display for SweepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SweepError::Located(e) => write!(f, "{e}"),
            SweepError::Input(s) | SweepError::Internal(s) => f.write_str(s),
            SweepError::Io { context, source } => write!(f, "{context}: {source}"),
        }
    }
}

impl std::error::Error for SweepError {}

/// A slice of a sweep: shard `index` of `count` (1-based) runs the runs whose index `i` has
/// `i % count == index - 1`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based shard number `K`.
    pub index: u64,
    /// Number of shards `N`.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` with `1 ≤ K ≤ N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether run `i` is in this shard.
    pub fn contains(&self, i: u64) -> bool {
        i % self.count == self.index - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How to run a plan.
#[derive(Clone, Debug)]
pub struct Options {
    /// The output directory.
    pub out: PathBuf,
    /// Worker threads (at least 1).
    pub threads: usize,
    /// Finish a sweep whose output directory already holds some of its runs.
    pub resume: bool,
    /// Run only this slice, and write only run files and a shard manifest.
    pub shard: Option<Shard>,
}

/// Progress reports from a running sweep (the CLI draws a progress bar). Called from worker
/// threads; nothing it does can change results.
pub trait Progress: Sync {
    /// Before the runs start: `pending` runs to do.
    fn start(&self, pending: u64) {
        let _ = pending;
    }
    /// After each run is written.
    fn advance(&self) {}
    /// After the last run, before the final files are rendered.
    fn runs_done(&self) {}
}

/// No progress reports.
pub struct NoProgress;

impl Progress for NoProgress {}
