//! # experiments
//!
//! meshsim's product surface: scenario files (TOML, with `--set` overrides and located errors),
//! the builtin catalog, runs and their output files, the narrated anatomy, sweeps, and the
//! `meshsim` command line.
//!
//! **Architecture invariant:** file and terminal I/O happen here (and only in `run`'s writing
//! step and the binary), never in `models` or `sim-core`.

pub mod catalog;
pub mod charts;
pub mod claims;
pub mod compare;
pub mod determinism;
pub mod input;
pub mod narrate;
pub mod outdir;
pub mod output;
pub mod report_html;
pub mod run;
pub mod scenario;
pub mod serve;
pub mod swarm;
pub mod sweep;
pub mod text;
pub mod trace_export;
pub mod verdicts;
