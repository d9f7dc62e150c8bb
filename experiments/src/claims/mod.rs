//! The catalog's claims, measured: each builtin's lesson as a comparison between two (or more)
//! configurations of the same scenario, run over several seeds. `tests/claims.rs` asserts each
//! claim over [`SEEDS`]; `cargo run --release -p experiments --example claims` prints the very
//! figures that docs/catalog.md quotes, computed by the same functions the tests assert on
//! (the doc's tables are copied from that output by hand: rerun it after a model change).
//!
//! A figure is read from a run's report only (its time series and summary), the way a reader
//! of the timeline would read it.

mod breaker;
mod bulkhead;
mod cascade;
mod deadline;
mod discovery;
mod herd;
mod metastable;
mod mmc;
mod probes;

pub use breaker::{BreakerFigures, breaker};
pub use bulkhead::{BulkheadFigures, bulkhead};
pub use cascade::{CascadeFigures, cascade};
pub use deadline::{DEADLINE_RUNS, DeadlineFigures, deadline};
pub use discovery::{DiscoveryFigures, discovery};
pub use herd::{HerdFigures, herd, herd_variant};
pub use metastable::{MetastableFigures, metastable};
pub use mmc::{erlang_c_wq, mmc_wait_s, wait_ci};
pub use probes::{ProbesFigures, probes};

use models::report::{EdgeSummary, Report, ServiceSummary};

use crate::run::{Finished, RunOptions, execute, resolve_source};
use crate::scenario::Override;

/// The seeds every claim is measured over (the builtins' own seed first).
pub const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// Runs builtin `name` with `seed` and `overrides` (each `path=value`), invariants checked.
///
/// # Panics
/// On a bad builtin name or override, a scenario error, a broken invariant or a limit hit: the
/// claims are about complete, valid runs of the catalog, and any of those is a bug.
pub fn run_builtin<S: AsRef<str>>(name: &str, seed: u64, overrides: &[S]) -> Finished {
    let opts = RunOptions {
        source: resolve_source(name).expect("a builtin"),
        overrides: overrides
            .iter()
            .map(|o| Override::parse(o.as_ref()).expect("a valid override"))
            .collect(),
        seed: Some(seed),
        trace: None,
        check_invariants: true,
    };
    let f = execute(&opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    if let Some(v) = &f.output.violation {
        panic!("{name} (seed {seed}): invariant broken: {v}");
    }
    assert!(
        f.output.limit.is_none(),
        "{name} (seed {seed}) hit a limit: {:?}",
        f.output.limit
    );
    f
}

/// The summary of edge `name`.
///
/// # Panics
/// If the run has no such edge.
pub fn edge<'r>(r: &'r Report, name: &str) -> &'r EdgeSummary {
    r.summary
        .edges
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no edge {name}"))
}

/// The summary of service `name`.
///
/// # Panics
/// If the run has no such service.
pub fn service<'r>(r: &'r Report, name: &str) -> &'r ServiceSummary {
    r.summary
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

/// Mean per second of a per-bucket count column over `[from, to)` seconds.
///
/// # Panics
/// If the report has no such column.
pub fn mean_rate(r: &Report, column: &str, from: f64, to: f64) -> f64 {
    let v = column_of(r, column);
    let b = r.series.bucket_s;
    let (i, j) = ((from / b) as usize, ((to / b) as usize).min(v.len()));
    v[i..j].iter().sum::<f64>() / ((j - i) as f64 * b)
}

/// The highest per-second rate of a count column in one bucket at or after `from` seconds.
pub fn peak_rate(r: &Report, column: &str, from: f64) -> f64 {
    let v = column_of(r, column);
    let b = r.series.bucket_s;
    let i = (from / b) as usize;
    v[i.min(v.len())..].iter().copied().fold(0.0, f64::max) / b
}

/// Seconds after `fault_end` until a client's goodput (ok + degraded answers per second),
/// averaged over the next `window` seconds, is back to 90% of its mean over `baseline`
/// (a window before the fault). `None`: not recovered by the end of the run. The one
/// definition is [`models::phases::recovery_s`], which `summary.json`'s fault verdicts use too.
pub fn recovery_s(
    r: &Report,
    client: &str,
    baseline: (f64, f64),
    fault_end: f64,
    window: f64,
) -> Option<f64> {
    models::phases::recovery_s(&r.series, client, baseline, fault_end, window)
}

fn column_of<'r>(r: &'r Report, column: &str) -> &'r [f64] {
    r.series
        .num(column)
        .unwrap_or_else(|| panic!("no column {column}"))
}
