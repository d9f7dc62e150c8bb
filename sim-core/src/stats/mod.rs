//! Streaming statistics whose memory does not grow with the number of samples.
//!
//! - [`Histogram`]: log-linear buckets over `u64` (nanoseconds, or any count); quantiles
//!   interpolated within a bucket, with a relative error below 1/128 (< 0.8%); exact count,
//!   mean, min and max.
//! - [`TimeWeighted`]: the time average of a piecewise-constant level (queue length, in-flight).
//! - [`CounterSeries`] and [`GaugeSeries`]: the same two kinds of metric per fixed-width time
//!   bucket; memory grows with simulated time / bucket width, never with traffic.
//! - [`QuantileSeries`]: per-bucket quantiles (latency p50/p99 over time) within 6.25%.
//! - [`ci`]: Welford accumulators, Student-t confidence intervals and batch means.
//! - [`theory`]: closed forms from queueing theory (Erlang C, M/M/1, Pollaczek–Khinchine) to
//!   validate models against.

pub mod ci;
mod histogram;
mod quantile_series;
mod series;
pub mod theory;
mod time_weighted;

pub use histogram::{Histogram, HistogramSummary};
pub use quantile_series::QuantileSeries;
pub use series::{CounterSeries, GaugeSeries};
pub use time_weighted::TimeWeighted;
