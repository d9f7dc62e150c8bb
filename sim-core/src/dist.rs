//! Probability distributions for latencies, think times and inter-arrival times.
//!
//! Values are `f64` (seconds when the distribution describes a duration); a duration is produced
//! by [`Dist::sample_duration`], which goes through the one conversion in
//! [`SimDuration::from_secs_f64`]. Every transcendental function comes from `libm`, and every
//! sample is an explicit function of raw 64-bit draws, so a seed gives the same values on every
//! platform and with every version of `rand`. Exponential, normal and log-normal draws go through
//! the [`ziggurat`] samplers (most draws cost one 64-bit word and no transcendental function).
//!
//! Construct distributions with the checked constructors (`Dist::exponential(mean)`, ...): each
//! rejects parameters that make no sense (a negative mean, a p99 below the median) with a
//! [`DistError`] that says what was expected.

use std::fmt;

use crate::rng::SimRng;
use crate::time::SimDuration;
use ziggurat::{standard_exponential, standard_normal};

/// The standard normal 99th percentile, z such that Φ(z) = 0.99.
pub const Z_99: f64 = 2.326_347_874_040_841;

/// A probability distribution over non-negative reals (negative draws of a normal distribution
/// are possible and are clamped to zero when converted to a duration).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always `value`.
    Constant {
        /// The value.
        value: f64,
    },
    /// Uniform on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Exponential with the given mean (rate `1 / mean`).
    Exponential {
        /// The mean.
        mean: f64,
    },
    /// Normal (Gaussian).
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation.
        sd: f64,
    },
    /// Log-normal: `exp(mu + sigma · Z)`.
    LogNormal {
        /// Mean of the underlying normal (the log of the median).
        mu: f64,
        /// Standard deviation of the underlying normal.
        sigma: f64,
    },
    /// Pareto (type I): `scale / U^(1 / shape)`, heavy-tailed; the mean is infinite for
    /// `shape <= 1`.
    Pareto {
        /// The minimum value.
        scale: f64,
        /// The tail index α.
        shape: f64,
    },
    /// A mixture: component `i` is drawn with probability `weights[i]` (normalised); a bimodal
    /// latency is a mixture of two.
    Mixture {
        /// Cumulative normalised weights, the last equal to 1.
        cumulative: Vec<f64>,
        /// The components.
        components: Vec<Dist>,
    },
    /// An empirical distribution given by quantiles, `(p, value)` with `p` from 0 to 1 and values
    /// non-decreasing; the quantile function is interpolated linearly between points.
    Empirical {
        /// The quantile points, sorted by `p`, starting at `p = 0` and ending at `p = 1`.
        points: Vec<(f64, f64)>,
    },
}

/// A distribution parameter that makes no sense.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistError {
    /// What was expected, e.g. "mean must be positive and finite (got -1)".
    pub message: String,
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DistError {}

fn err<T>(message: String) -> Result<T, DistError> {
    Err(DistError { message })
}

fn positive(name: &str, x: f64) -> Result<f64, DistError> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        err(format!("{name} must be positive and finite (got {x})"))
    }
}

fn non_negative(name: &str, x: f64) -> Result<f64, DistError> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        err(format!("{name} must be non-negative and finite (got {x})"))
    }
}

impl Dist {
    /// Always `value` (≥ 0).
    pub fn constant(value: f64) -> Result<Dist, DistError> {
        Ok(Dist::Constant {
            value: non_negative("value", value)?,
        })
    }

    /// Uniform on `[low, high)`, `0 ≤ low ≤ high`.
    pub fn uniform(low: f64, high: f64) -> Result<Dist, DistError> {
        let low = non_negative("low", low)?;
        let high = non_negative("high", high)?;
        if high < low {
            return err(format!("high ({high}) must not be below low ({low})"));
        }
        Ok(Dist::Uniform { low, high })
    }

    /// Exponential with this mean (> 0).
    pub fn exponential(mean: f64) -> Result<Dist, DistError> {
        Ok(Dist::Exponential {
            mean: positive("mean", mean)?,
        })
    }

    /// Normal with this mean and standard deviation (≥ 0).
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        if !mean.is_finite() {
            return err(format!("mean must be finite (got {mean})"));
        }
        Ok(Dist::Normal {
            mean,
            sd: non_negative("sd", sd)?,
        })
    }

    /// Log-normal with this mean and standard deviation (of the log-normal itself).
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Dist, DistError> {
        let mean = positive("mean", mean)?;
        let sd = non_negative("sd", sd)?;
        let sigma2 = libm::log1p((sd / mean) * (sd / mean));
        Ok(Dist::LogNormal {
            mu: libm::log(mean) - sigma2 / 2.0,
            sigma: libm::sqrt(sigma2),
        })
    }

    /// Log-normal with this median and 99th percentile (`p99 ≥ median`).
    pub fn lognormal_median_p99(median: f64, p99: f64) -> Result<Dist, DistError> {
        let median = positive("median", median)?;
        let p99 = positive("p99", p99)?;
        if p99 < median {
            return err(format!("p99 ({p99}) must not be below the median ({median})"));
        }
        Ok(Dist::LogNormal {
            mu: libm::log(median),
            sigma: (libm::log(p99) - libm::log(median)) / Z_99,
        })
    }

    /// Pareto with minimum `scale` (> 0) and tail index `shape` (> 0).
    pub fn pareto(scale: f64, shape: f64) -> Result<Dist, DistError> {
        Ok(Dist::Pareto {
            scale: positive("scale", scale)?,
            shape: positive("shape", shape)?,
        })
    }

    /// A mixture of components with these weights (non-negative, not all zero).
    pub fn mixture(parts: Vec<(f64, Dist)>) -> Result<Dist, DistError> {
        if parts.is_empty() {
            return err("a mixture needs at least one component".into());
        }
        let mut total = 0.0;
        for (w, _) in &parts {
            total += non_negative("weight", *w)?;
        }
        if total <= 0.0 {
            return err("mixture weights must not all be zero".into());
        }
        let mut cumulative = Vec::with_capacity(parts.len());
        let mut components = Vec::with_capacity(parts.len());
        let mut acc = 0.0;
        for (w, d) in parts {
            acc += w / total;
            cumulative.push(acc);
            components.push(d);
        }
        *cumulative.last_mut().expect("non-empty") = 1.0;
        Ok(Dist::Mixture {
            cumulative,
            components,
        })
    }

    /// An empirical distribution from quantile points `(p, value)`: `p` strictly increasing from
    /// 0 to 1, values non-decreasing and non-negative.
    pub fn empirical(points: Vec<(f64, f64)>) -> Result<Dist, DistError> {
        if points.len() < 2 {
            return err("an empirical distribution needs at least two quantile points".into());
        }
        if points[0].0 != 0.0 || points[points.len() - 1].0 != 1.0 {
            return err("quantile points must start at p = 0 and end at p = 1".into());
        }
        for pair in points.windows(2) {
            let ((p0, v0), (p1, v1)) = (pair[0], pair[1]);
            non_negative("value", v0)?;
            non_negative("value", v1)?;
            if p1 <= p0 {
                return err(format!("quantile probabilities must increase ({p0} then {p1})"));
            }
            if v1 < v0 {
                return err(format!(
                    "quantile values must not decrease ({v0} at p={p0}, then {v1} at p={p1})"
                ));
            }
        }
        Ok(Dist::Empirical { points })
    }

    /// One draw.
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Uniform { low, high } => rng.uniform_range(*low, *high),
            Dist::Exponential { mean } => mean * standard_exponential(rng),
            Dist::Normal { mean, sd } => mean + sd * standard_normal(rng),
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(rng)),
            Dist::Pareto { scale, shape } => scale * libm::pow(rng.uniform_pos(), -1.0 / shape),
            Dist::Mixture {
                cumulative,
                components,
            } => {
                let u = rng.uniform();
                let i = cumulative.partition_point(|&c| c <= u).min(components.len() - 1);
                components[i].sample(rng)
            }
            Dist::Empirical { points } => {
                let u = rng.uniform();
                let i = points
                    .partition_point(|&(p, _)| p <= u)
                    .clamp(1, points.len() - 1);
                let ((p0, v0), (p1, v1)) = (points[i - 1], points[i]);
                v0 + (v1 - v0) * (u - p0) / (p1 - p0)
            }
        }
    }

    /// One draw as a duration, the value read as seconds.
    #[inline]
    pub fn sample_duration(&self, rng: &mut SimRng) -> SimDuration {
        match self {
            // No draw and no float round trip for the most common case.
            Dist::Constant { value } => SimDuration::from_secs_f64(*value),
            _ => SimDuration::from_secs_f64(self.sample(rng)),
        }
    }

    /// The theoretical mean (infinite for a Pareto with `shape ≤ 1`).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Exponential { mean } | Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { mu, sigma } => libm::exp(mu + sigma * sigma / 2.0),
            Dist::Pareto { scale, shape } => {
                if *shape <= 1.0 {
                    f64::INFINITY
                } else {
                    shape * scale / (shape - 1.0)
                }
            }
            Dist::Mixture { .. } => self.mixture_moments().0,
            Dist::Empirical { points } => points
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum(),
        }
    }

    /// The theoretical variance (infinite for a Pareto with `shape ≤ 2`).
    pub fn variance(&self) -> f64 {
        self.second_moment() - self.mean() * self.mean()
    }

    /// The theoretical second moment `E[X²]` (needed by Pollaczek–Khinchine).
    pub fn second_moment(&self) -> f64 {
        match self {
            Dist::Constant { value } => value * value,
            Dist::Uniform { low, high } => (low * low + low * high + high * high) / 3.0,
            Dist::Exponential { mean } => 2.0 * mean * mean,
            Dist::Normal { mean, sd } => mean * mean + sd * sd,
            Dist::LogNormal { mu, sigma } => libm::exp(2.0 * mu + 2.0 * sigma * sigma),
            Dist::Pareto { scale, shape } => {
                if *shape <= 2.0 {
                    f64::INFINITY
                } else {
                    shape * scale * scale / (shape - 2.0)
                }
            }
            Dist::Mixture { .. } => self.mixture_moments().1,
            Dist::Empirical { points } => points
                .windows(2)
                .map(|w| {
                    let (a, b) = (w[0].1, w[1].1);
                    (w[1].0 - w[0].0) * (a * a + a * b + b * b) / 3.0
                })
                .sum(),
        }
    }

    /// The cumulative distribution function `P(X ≤ x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Dist::Constant { value } => f64::from(u8::from(x >= *value)),
            Dist::Uniform { low, high } => {
                if x < *low {
                    0.0
                } else if x >= *high {
                    1.0
                } else {
                    (x - low) / (high - low)
                }
            }
            Dist::Exponential { mean } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -libm::expm1(-x / mean)
                }
            }
            Dist::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Dist::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((libm::log(x) - mu) / sigma)
                }
            }
            Dist::Pareto { scale, shape } => {
                if x < *scale {
                    0.0
                } else {
                    1.0 - libm::pow(scale / x, *shape)
                }
            }
            Dist::Mixture {
                cumulative,
                components,
            } => {
                let mut prev = 0.0;
                let mut total = 0.0;
                for (c, d) in cumulative.iter().zip(components) {
                    total += (c - prev) * d.cdf(x);
                    prev = *c;
                }
                total
            }
            Dist::Empirical { points } => {
                if x < points[0].1 {
                    return 0.0;
                }
                // The last point whose value is ≤ x, then interpolate to the next.
                let i = points.partition_point(|&(_, v)| v <= x);
                if i >= points.len() {
                    return 1.0;
                }
                let ((p0, v0), (p1, v1)) = (points[i - 1], points[i]);
                p0 + (p1 - p0) * (x - v0) / (v1 - v0)
            }
        }
    }

    fn mixture_moments(&self) -> (f64, f64) {
        let Dist::Mixture {
            cumulative,
            components,
        } = self
        else {
            unreachable!("mixture only")
        };
        let mut prev = 0.0;
        let (mut m1, mut m2) = (0.0, 0.0);
        for (c, d) in cumulative.iter().zip(components) {
            let w = c - prev;
            prev = *c;
            m1 += w * d.mean();
            m2 += w * d.second_moment();
        }
        (m1, m2)
    }
}

/// The standard normal CDF Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests;
pub mod ziggurat;
mod ziggurat_tables;
