//! # experiments
//!
//! meshsim's product surface: scenario files (TOML, with `--set` overrides and located errors),
//! the builtin catalog, runs and their output files, the narrated anatomy, sweeps, and the
//! `meshsim` command line.
//!
//! **Architecture invariant:** file and terminal I/O happen in this crate, never in `models` or
//! `sim-core`. Files are read through `input` (scenarios, sweeps, a sweep's run files; `catalog`
//! only asks whether a name is a file), written through `output` and `outdir` (atomic files, a
//! run's directory as a whole) and by `sweep` (its run files, resume and merge); `determinism`
//! and `report_html` read output directories back. The terminal belongs to the binary alone.

pub mod catalog;
pub mod charts;
pub mod claims;
pub mod compare;
pub mod determinism;
pub mod input;
pub mod narrate;
pub mod outdir;
pub mod output;
pub(crate) mod policies;
pub mod report_html;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod swarm;
pub mod sweep;
pub mod text;
pub mod trace_export;
pub mod verdicts;
