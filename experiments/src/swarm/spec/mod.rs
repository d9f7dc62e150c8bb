//! [`Spec`]: a plain description of a scenario, close to the file format, that the generator
//! builds, the shrinker simplifies, and [`Spec::to_toml`] writes as a scenario file
//! (`docs/scenarios.md`).
//!
//! Every optional key is an `Option`: `None` leaves the key out of the file, so the loader's
//! default applies (the generator exercises the defaults as much as the values).
//!
//! This module holds the scenario, client, load and fault types; `service` and `policy` hold
//! the service and policy types (re-exported here), `toml` writes the file and `features`
//! lists what a spec uses.

mod features;
mod policy;
mod service;
mod toml;

pub use policy::{
    BreakerSpec, BudgetSpec, BulkheadSpec, FallbackSpec, PolicySpec, PoolSpec, R4jSpec, RetrySpec,
};
pub use service::{CallSpec, DiscoverySpec, ProbeSpec, ServiceSpec, StepSpec};

/// A duration in integer nanoseconds, written with the largest unit that divides it exactly
/// (`"1500ms"`, `"1ns"`, `"2m"`), so the file says exactly the generated value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub u64);

impl Dur {
    /// `n` nanoseconds.
    pub const fn ns(n: u64) -> Dur {
        Dur(n)
    }
    /// `n` milliseconds.
    pub const fn ms(n: u64) -> Dur {
        Dur(n * 1_000_000)
    }
    /// `n` seconds.
    pub const fn secs(n: u64) -> Dur {
        Dur(n * 1_000_000_000)
    }

    /// The scenario-file spelling, e.g. `"250us"`.
    pub fn text(self) -> String {
        const UNITS: [(u64, &str); 6] = [
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        if self.0 == 0 {
            return "0s".into();
        }
        let (unit, name) = UNITS
            .iter()
            .find(|(u, _)| self.0.is_multiple_of(*u))
            .copied()
            .unwrap_or((1, "ns"));
        format!("{}{name}", self.0 / unit)
    }
}

/// A timeout or deadline: `"none"` (wait forever) or a duration.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// `"none"`.
    Never,
    /// A duration (> 0).
    After(Dur),
}

impl Timeout {
    fn text(self) -> String {
        match self {
            Timeout::Never => "none".into(),
            Timeout::After(d) => d.text(),
        }
    }
}

/// A policy part that can be given as a table or switched off with `"none"`.
#[derive(Clone, Debug, PartialEq)]
pub enum Part<T> {
    /// `"none"`.
    Off,
    /// The table.
    On(T),
}

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum DistSpec {
    /// A duration string.
    Const(Dur),
    /// `{ dist = "constant", value }`, or `{ value }` inside a mixture.
    ConstTable(Dur),
    /// Uniform on `[low, high)`.
    Uniform(Dur, Dur),
    /// Exponential with this mean (> 0).
    Exponential(Dur),
    /// Normal (negative draws become 0).
    Normal(Dur, Dur),
    /// Log-normal from median and p99.
    LogNormal(Dur, Dur),
    /// Log-normal from mean and sd.
    LogNormalMeanSd(Dur, Dur),
    /// Pareto with scale (> 0) and shape (> 0).
    Pareto(Dur, f64),
    /// Weighted components (weights ≥ 0, not all 0).
    Mixture(Vec<(f64, DistSpec)>),
    /// `[p, duration]` points from 0.0 to 1.0.
    Empirical(Vec<(f64, Dur)>),
}

/// Run limits (`limits = { … }`).
#[derive(Clone, Debug, PartialEq)]
pub struct LimitsSpec {
    /// `max_events`.
    pub max_events: u64,
    /// `max_pending`.
    pub max_pending: u64,
    /// `max_log_entries`.
    pub max_log_entries: Option<u64>,
    /// `max_buckets`.
    pub max_buckets: Option<u64>,
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The swarm seed it was generated from; also the file's `seed`.
    pub seed: u64,
    /// `duration`.
    pub duration: Dur,
    /// `bucket`.
    pub bucket: Option<Dur>,
    /// `network.latency`.
    pub network_latency: Option<DistSpec>,
    /// `limits`.
    pub limits: LimitsSpec,
    /// `[[clients]]`.
    pub clients: Vec<ClientSpec>,
    /// `[[services]]` (at least one).
    pub services: Vec<ServiceSpec>,
    /// `[policies.NAME]`, in file order.
    pub policies: Vec<PolicySpec>,
    /// `[[faults]]`.
    pub faults: Vec<FaultSpec>,
}

/// A client.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSpec {
    /// `name`.
    pub name: String,
    /// `target`.
    pub target: String,
    /// `policy`.
    pub policy: Option<String>,
    /// `timeout`.
    pub timeout: Option<Timeout>,
    /// `load`.
    pub load: LoadSpec,
}

/// A client's load.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadSpec {
    /// Open loop.
    Open {
        /// `rate` (> 0, or ≥ 0 with a schedule).
        rate: f64,
        /// `arrivals`: `Some(true)` constant, `Some(false)` poisson.
        constant: Option<bool>,
        /// `schedule` (empty: no key).
        schedule: Vec<RateEntry>,
    },
    /// Closed loop.
    Closed {
        /// `users`.
        users: u32,
        /// `think`.
        think: Option<DistSpec>,
        /// `start`.
        start: Option<Dur>,
        /// `ramp`.
        ramp: Option<Dur>,
    },
    /// Bursts.
    Burst {
        /// `count`.
        count: u32,
        /// `at`.
        at: Option<Dur>,
        /// `every`.
        every: Option<Dur>,
    },
}

/// An entry of an open loop's rate schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum RateEntry {
    /// `{ at, rate }`.
    Step(Dur, f64),
    /// `{ at, ramp_to, until }`.
    Ramp(Dur, f64, Dur),
    /// `{ at, spike, for }`.
    Spike(Dur, f64, Dur),
}

/// A fault.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    /// `name`.
    pub name: Option<String>,
    /// `service`.
    pub service: String,
    /// `kind` and its keys.
    pub kind: FaultKindSpec,
    /// `from`.
    pub from: Option<Dur>,
    /// `until`.
    pub until: Option<Dur>,
    /// `pods`.
    pub pods: Option<u32>,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKindSpec {
    /// `slow` with `latency`.
    SlowLatency(Dur),
    /// `slow` with `multiplier`.
    SlowMultiplier(f64),
    /// `errors`: `rate`, `fail_fast`.
    Errors(f64, Option<bool>),
    /// `crash`: `blackhole`.
    Crash(Option<bool>),
    /// `capacity_cut`: `slots`, `multiplier` (at least one).
    CapacityCut(Option<u32>, Option<f64>),
    /// `leak`: `growth`.
    Leak(Dur),
    /// `restart`: `down_for`.
    Restart(Dur),
    /// `reschedule`: `down_for`.
    Reschedule(Dur),
}

impl FaultKindSpec {
    /// The `kind` word.
    pub fn word(&self) -> &'static str {
        match self {
            FaultKindSpec::SlowLatency(_) | FaultKindSpec::SlowMultiplier(_) => "slow",
            FaultKindSpec::Errors(..) => "errors",
            FaultKindSpec::Crash(_) => "crash",
            FaultKindSpec::CapacityCut(..) => "capacity_cut",
            FaultKindSpec::Leak(_) => "leak",
            FaultKindSpec::Restart(_) => "restart",
            FaultKindSpec::Reschedule(_) => "reschedule",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(Dur(0).text(), "0s");
        assert_eq!(Dur(1).text(), "1ns");
        assert_eq!(Dur(1_500).text(), "1500ns");
        assert_eq!(Dur::ms(1500).text(), "1500ms");
        assert_eq!(Dur::secs(120).text(), "2m");
        assert_eq!(Dur::secs(7200).text(), "2h");
        assert_eq!(Dur(250_000).text(), "250us");
    }
}
