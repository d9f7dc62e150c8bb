//! The determinism self-check: `meshsim run --check-determinism` runs the same scenario and seed
//! twice in one process and compares every event (time and description, through a rolling hash
//! checkpointed every 1024 events) and every output file byte for byte. On a divergence it
//! reruns the window around the first differing checkpoint to name the first differing event.

use models::digest::{Digest, DigestConfig};

use crate::run::{Finished, RunOptions, execute_with, render_outputs};
use crate::scenario::ScenarioError;

/// Checkpoint spacing, in events.
const EVERY: u64 = 1024;

/// What the check found.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Both runs processed the same events and wrote the same bytes.
    Identical {
        /// Events per run.
        events: u64,
        /// The final rolling hash of the event stream.
        hash: u64,
        /// Output files compared.
        files: usize,
    },
    /// The event streams diverged.
    EventsDiverge {
        /// Number of the first differing event.
        event: u64,
        /// Its time in the first run, seconds.
        t: f64,
        /// The event in the first run (or "end of run").
        first: String,
        /// The event in the second run.
        second: String,
    },
    /// The events agreed but an output file did not.
    OutputDiverges {
        /// The file.
        file: String,
        /// The first differing line (1-based), for text files.
        line: usize,
    },
}

/// Why the check could not be made.
#[derive(Debug)]
pub enum CheckError {
    /// The scenario did not load.
    Scenario(ScenarioError),
    /// An output could not be drawn.
    Plot(plots::PlotError),
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Scenario(e) => e.fmt(f),
            CheckError::Plot(e) => write!(f, "drawing the timeline: {e}"),
        }
    }
}

impl std::error::Error for CheckError {}

/// One run recording a digest of its events (invariant checks off, as they change no output).
fn run_once(opts: &RunOptions, digest: DigestConfig) -> Result<(Finished, Digest), ScenarioError> {
    let mut finished = execute_with(opts, false, Some(digest))?;
    let digest = finished.output.digest.take().expect("digest recorded");
    Ok((finished, digest))
}

/// Runs the scenario twice and compares.
pub fn check(opts: &RunOptions) -> Result<Verdict, CheckError> {
    let window = DigestConfig {
        every: EVERY,
        record_from: 0,
        record_to: 0,
    };
    let (a, da) = run_once(opts, window).map_err(CheckError::Scenario)?;
    let (b, db) = run_once(opts, window).map_err(CheckError::Scenario)?;
    if let Some(i) = first_differing_checkpoint(&da, &db) {
        let from = if i == 0 { 0 } else { da.checkpoints[i - 1].0 };
        let window = DigestConfig {
            every: EVERY,
            record_from: from,
            record_to: from + 2 * EVERY,
        };
        let (_, ea) = run_once(opts, window).map_err(CheckError::Scenario)?;
        let (_, eb) = run_once(opts, window).map_err(CheckError::Scenario)?;
        let n = ea.events.len().max(eb.events.len());
        for k in 0..n {
            let (x, y) = (ea.events.get(k), eb.events.get(k));
            if x != y {
                let describe = |e: Option<&(u64, sim_core::time::SimTime, String)>| {
                    e.map_or("end of run".to_string(), |e| format!("t={} {}", e.1, e.2))
                };
                let first = x.or(y).expect("one exists");
                return Ok(Verdict::EventsDiverge {
                    event: first.0,
                    t: first.1.as_secs_f64(),
                    first: describe(x),
                    second: describe(y),
                });
            }
        }
        // The hashes differ but the recorded window agrees: report the checkpoint.
        let (count, t, _) = da.checkpoints[i.min(da.checkpoints.len() - 1)];
        return Ok(Verdict::EventsDiverge {
            event: count,
            t: t.as_secs_f64(),
            first: "(hash differs)".into(),
            second: "(hash differs)".into(),
        });
    }
    let fa = render_outputs(&a).map_err(CheckError::Plot)?;
    let fb = render_outputs(&b).map_err(CheckError::Plot)?;
    if let SweepVerdict::Diverges { file, line } = compare_trees(&fa, &fb) {
        return Ok(Verdict::OutputDiverges { file, line });
    }
    let (events, _, hash) = *da.checkpoints.last().expect("a final checkpoint");
    Ok(Verdict::Identical {
        events,
        hash,
        files: fa.len(),
    })
}

/// The index of the first checkpoint at which two digests differ (including one run having
/// more checkpoints than the other), or `None` if they are identical.
pub fn first_differing_checkpoint(a: &Digest, b: &Digest) -> Option<usize> {
    if a.checkpoints == b.checkpoints {
        return None;
    }
    Some(
        a.checkpoints
            .iter()
            .zip(&b.checkpoints)
            .position(|(x, y)| x != y)
            .unwrap_or_else(|| a.checkpoints.len().min(b.checkpoints.len())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::time::SimTime;

    fn digest(points: &[(u64, u64)]) -> Digest {
        Digest {
            checkpoints: points
                .iter()
                .map(|&(n, h)| (n, SimTime::from_nanos(n), h))
                .collect(),
            events: vec![],
        }
    }

    #[test]
    fn compares_file_trees() {
        let t = |files: &[(&str, &str)]| -> Vec<(String, Vec<u8>)> {
            files
                .iter()
                .map(|(n, c)| (n.to_string(), c.as_bytes().to_vec()))
                .collect()
        };
        let a = t(&[("a.csv", "x\ny\n"), ("b", "z")]);
        assert_eq!(compare_trees(&a, &a), SweepVerdict::Identical { files: 2 });
        assert_eq!(
            compare_trees(&a, &t(&[("a.csv", "x\nY\n"), ("b", "z")])),
            SweepVerdict::Diverges {
                file: "a.csv".into(),
                line: 2
            }
        );
        assert_eq!(
            compare_trees(&a, &t(&[("a.csv", "x\ny\n")])),
            SweepVerdict::Diverges {
                file: "b".into(),
                line: 0
            }
        );
    }

    #[test]
    fn finds_the_first_differing_checkpoint() {
        let a = digest(&[(1024, 1), (2048, 2), (3000, 3)]);
        assert_eq!(first_differing_checkpoint(&a, &a), None);
        assert_eq!(
            first_differing_checkpoint(&a, &digest(&[(1024, 1), (2048, 9), (3000, 3)])),
            Some(1)
        );
        assert_eq!(
            first_differing_checkpoint(&a, &digest(&[(1024, 1), (2048, 2)])),
            Some(2)
        );
    }
}

/// What the sweep check found.
#[derive(Debug, PartialEq)]
pub enum SweepVerdict {
    /// Both directories hold the same files with the same bytes.
    Identical {
        /// Files compared.
        files: usize,
    },
    /// A file differs or exists in one run only.
    Diverges {
        /// The file, relative to the output directory.
        file: String,
        /// The first differing line (1-based; 0 when the file is missing or binary).
        line: usize,
    },
}

/// Every file under `dir` with its bytes, by relative path (`/`-separated), sorted by path.
pub fn tree(dir: &std::path::Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&path)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Runs a sweep plan at 1 thread and at `threads` threads into two fresh directories under
/// `scratch`, and compares every file byte for byte.
pub fn check_sweep(
    plan: &crate::sweep::Plan,
    threads: usize,
    scratch: &std::path::Path,
) -> Result<SweepVerdict, crate::sweep::SweepError> {
    let dirs = [
        scratch.join("threads-1"),
        scratch.join(format!("threads-{threads}")),
    ];
    for (dir, t) in dirs.iter().zip([1, threads]) {
        let _ = std::fs::remove_dir_all(dir);
        let opts = crate::sweep::Options {
            out: dir.clone(),
            threads: t,
            resume: false,
            shard: None,
        };
        crate::sweep::execute(plan, &opts, &crate::sweep::NoProgress)?;
    }
    let io = |e: std::io::Error| crate::sweep::SweepError::io("reading the check's outputs", e);
    let (a, b) = (tree(&dirs[0]).map_err(io)?, tree(&dirs[1]).map_err(io)?);
    let verdict = compare_trees(&a, &b);
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(verdict)
}

/// Compares two file trees (as read by `tree`, or a run's rendered outputs): the first file
/// that is missing on one side or differs, with its first differing line.
pub fn compare_trees(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> SweepVerdict {
    let names_a: Vec<&str> = a.iter().map(|f| f.0.as_str()).collect();
    let names_b: Vec<&str> = b.iter().map(|f| f.0.as_str()).collect();
    if names_a != names_b {
        let missing = names_a
            .iter()
            .find(|n| !names_b.contains(n))
            .or_else(|| names_b.iter().find(|n| !names_a.contains(n)));
        return SweepVerdict::Diverges {
            file: missing.map(|n| n.to_string()).unwrap_or_default(),
            line: 0,
        };
    }
    for ((name, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let line = String::from_utf8_lossy(x)
                .lines()
                .zip(String::from_utf8_lossy(y).lines())
                .position(|(p, q)| p != q)
                .map_or(0, |l| l + 1);
            return SweepVerdict::Diverges {
                file: name.clone(),
                line,
            };
        }
    }
    SweepVerdict::Identical { files: a.len() }
}
