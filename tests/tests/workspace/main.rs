//! The suites that take the workspace as a whole: sweeps through the experiments library
//! (threads, resume, shards, common random numbers; quantiles across replications), the request
//! path against SimPy's committed results, and the tidy rules over every crate's source text.
//!
//! One test binary with a module per suite, linked against the experiments library once; the
//! memory tests (`flat_memory.rs`, `trace_memory.rs`) stay binaries of their own, because each
//! installs a counting global allocator and must run alone in its process.

mod request_path_vs_simpy;
mod sweep_quantiles;
mod sweep_runs;
mod tidy;
