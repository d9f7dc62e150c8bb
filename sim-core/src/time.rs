//! Simulated time as integer nanoseconds.
//!
//! [`SimTime`] is an instant on the virtual clock (nanoseconds since the start of the run) and
//! [`SimDuration`] a span between two instants. Both wrap a `u64`, so a run can last about 584
//! years of simulated time. Arithmetic saturates (or is checked where the caller wants to know),
//! never wraps, and never goes through `f64`.
//!
//! Random samples are drawn as `f64` seconds and converted exactly once, by
//! [`SimDuration::from_secs_f64`]; everything after that is integer arithmetic, so the order of
//! events never depends on floating-point rounding.

use std::fmt;

const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant on the virtual clock, in nanoseconds since the start of the run.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SimTime(u64);

/// A span of simulated time, in nanoseconds.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SimDuration(u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable instant; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The instant `nanos` nanoseconds after the start.
    pub const fn from_nanos(nanos: u64) -> SimTime {
        SimTime(nanos)
    }

    /// The instant `secs` whole seconds after the start (saturating).
    pub const fn from_secs(secs: u64) -> SimTime {
        SimTime(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the start, for reporting only (never feed this back into the clock).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// `self + d`, or `None` on overflow.
    pub const fn checked_add(self, d: SimDuration) -> Option<SimTime> {
        match self.0.checked_add(d.0) {
            Some(t) => Some(SimTime(t)),
            None => None,
        }
    }

    /// `self + d`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }

    /// `self - d`, saturating at [`SimTime::ZERO`].
    pub const fn saturating_sub(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(d.0))
    }

    /// The span from `earlier` to `self`; zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// The span from `earlier` to `self`, or `None` if `earlier` is later.
    pub const fn checked_since(self, earlier: SimTime) -> Option<SimDuration> {
        match self.0.checked_sub(earlier.0) {
            Some(d) => Some(SimDuration(d)),
            None => None,
        }
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);
    /// The largest representable span; used as "forever" (no timeout).
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    /// A span of `nanos` nanoseconds.
    pub const fn from_nanos(nanos: u64) -> SimDuration {
        SimDuration(nanos)
    }
    /// A span of `micros` microseconds (saturating).
    pub const fn from_micros(micros: u64) -> SimDuration {
        SimDuration(micros.saturating_mul(NANOS_PER_MICRO))
    }
    /// A span of `millis` milliseconds (saturating).
    pub const fn from_millis(millis: u64) -> SimDuration {
        SimDuration(millis.saturating_mul(NANOS_PER_MILLI))
    }
    /// A span of `secs` seconds (saturating).
    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// The one conversion from sampled `f64` seconds to integer time.
    ///
    /// Rounds to the nearest nanosecond. Negative values and NaN become zero (a sampled latency
    /// cannot be negative; a normal distribution's left tail is clamped here), values beyond the
    /// range saturate at [`SimDuration::MAX`].
    pub fn from_secs_f64(secs: f64) -> SimDuration {
        if secs.is_nan() || secs <= 0.0 {
            return SimDuration::ZERO;
        }
        let nanos = secs * NANOS_PER_SEC as f64;
        if nanos >= u64::MAX as f64 {
            return SimDuration::MAX;
        }
        // Round half up, in exact IEEE arithmetic (identical on every platform). Below 2^52 adding
        // 0.5 is exact; above it every f64 is already an integer.
        if nanos < (1u64 << 52) as f64 {
            SimDuration((nanos + 0.5) as u64)
        } else {
            SimDuration(nanos as u64)
        }
    }

    /// Nanoseconds in this span.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds in this span, for reporting and for feeding distributions.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// Whether this is the zero span.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: SimDuration) -> Option<SimDuration> {
        match self.0.checked_add(other.0) {
            Some(d) => Some(SimDuration(d)),
            None => None,
        }
    }
    /// `self + other`, saturating at [`SimDuration::MAX`].
    pub const fn saturating_add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
    /// `self - other`, saturating at zero.
    pub const fn saturating_sub(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_sub(other.0))
    }
    /// `self × k`, saturating at [`SimDuration::MAX`].
    pub const fn saturating_mul(self, k: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(k))
    }
    /// `self × factor` for a non-negative real factor (rounded to the nanosecond, saturating).
    pub fn mul_f64(self, factor: f64) -> SimDuration {
        SimDuration::from_secs_f64(self.as_secs_f64() * factor)
    }
    /// The smaller of two spans.
    pub fn min(self, other: SimDuration) -> SimDuration {
        if other.0 < self.0 { other } else { self }
    }
}

/// Formats as seconds with millisecond precision: `25.000s`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = (self.0 + NANOS_PER_MILLI / 2) / NANOS_PER_MILLI;
        write!(f, "{}.{:03}s", millis / 1000, millis % 1000)
    }
}

/// Formats in the largest unit that keeps the number at least 1, with up to three decimals and
/// no trailing zeros: `150ms`, `2.5s`, `15s`, `1.25µs`, `40ns`. A span of [`SimDuration::MAX`]
/// prints as `forever`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == SimDuration::MAX {
            return f.write_str("forever");
        }
        let (unit_nanos, unit) = match self.0 {
            n if n >= NANOS_PER_SEC => (NANOS_PER_SEC, "s"),
            n if n >= NANOS_PER_MILLI => (NANOS_PER_MILLI, "ms"),
            n if n >= NANOS_PER_MICRO => (NANOS_PER_MICRO, "µs"),
            _ => return write!(f, "{}ns", self.0),
        };
        // Thousandths of the unit, rounded half up, in integers.
        let step = unit_nanos / 1000;
        let thousandths = (self.0 + step / 2) / step;
        let whole = thousandths / 1000;
        let mut frac = thousandths % 1000;
        if frac == 0 {
            return write!(f, "{whole}{unit}");
        }
        let mut digits = 3;
        while frac.is_multiple_of(10) {
            frac /= 10;
            digits -= 1;
        }
        write!(f, "{whole}.{frac:0digits$}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_instants_with_millisecond_precision() {
        assert_eq!(SimTime::from_secs(25).to_string(), "25.000s");
        assert_eq!(SimTime::from_nanos(1_234_567_890).to_string(), "1.235s");
        assert_eq!(SimTime::ZERO.to_string(), "0.000s");
    }

    #[test]
    fn formats_durations_compactly() {
        assert_eq!(SimDuration::from_millis(150).to_string(), "150ms");
        assert_eq!(SimDuration::from_millis(2500).to_string(), "2.5s");
        assert_eq!(SimDuration::from_secs(15).to_string(), "15s");
        assert_eq!(SimDuration::from_nanos(1250).to_string(), "1.25µs");
        assert_eq!(SimDuration::from_nanos(40).to_string(), "40ns");
        assert_eq!(SimDuration::from_nanos(1_000_500).to_string(), "1.001ms");
        assert_eq!(SimDuration::MAX.to_string(), "forever");
    }

    #[test]
    fn converts_f64_seconds_once_with_rounding_and_clamping() {
        assert_eq!(SimDuration::from_secs_f64(0.2), SimDuration::from_millis(200));
        assert_eq!(SimDuration::from_secs_f64(1e-9 * 0.6), SimDuration::from_nanos(1));
        assert_eq!(SimDuration::from_secs_f64(-3.0), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(f64::NAN), SimDuration::ZERO);
        assert_eq!(SimDuration::from_secs_f64(1e30), SimDuration::MAX);
        assert_eq!(SimDuration::from_secs_f64(f64::INFINITY), SimDuration::MAX);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(
            SimTime::MAX.saturating_add(SimDuration::from_secs(1)),
            SimTime::MAX
        );
        assert_eq!(SimTime::MAX.checked_add(SimDuration::from_nanos(1)), None);
        assert_eq!(
            SimTime::from_secs(1).saturating_since(SimTime::from_secs(2)),
            SimDuration::ZERO
        );
        assert_eq!(SimTime::from_secs(1).checked_since(SimTime::from_secs(2)), None);
        assert_eq!(SimDuration::MAX.saturating_mul(2), SimDuration::MAX);
        assert_eq!(
            SimDuration::from_secs(3).saturating_sub(SimDuration::from_secs(5)),
            SimDuration::ZERO
        );
    }
}
