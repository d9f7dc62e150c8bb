//! The world end to end, on scenarios built in code ([`models::build`]): resilience policies
//! against what their parameters predict, Kubernetes probe timing, the chain of causes of a
//! failure, open-loop rate schedules, admission under overload, and the time series' bounds and
//! sums.
//!
//! One test binary with a module per subject: each `tests/*.rs` file would be its own binary,
//! linked against models and sim-core once more.

mod admission;
mod causes;
mod policies;
mod probes;
mod rate_schedules;
mod smoke;
