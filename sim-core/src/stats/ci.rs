//! Confidence intervals: Welford accumulators, Student-t quantiles and batch means.
//!
//! Successive customers' waiting times are correlated, so the naive standard error of their mean
//! is far too small. [`BatchMeans`] groups a stream of observations into batches whose means are
//! nearly independent and builds a Student-t interval from them, in constant memory: it keeps
//! between 32 and 63 batches and doubles the batch size (merging neighbours) when it runs out.

use serde::Serialize;

/// Running count, mean and variance (Welford's algorithm).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// No observations yet.
    pub fn new() -> Welford {
        Welford::default()
    }

    /// Adds an observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sample mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample variance with `n - 1` in the denominator (0 with fewer than two observations).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// A Student-t interval for the mean at `level` (e.g. 0.95), treating the observations as
    /// independent; `None` with fewer than two.
    pub fn ci(&self, level: f64) -> Option<ConfidenceInterval> {
        if self.n < 2 {
            return None;
        }
        let t = student_t_quantile(0.5 + level / 2.0, (self.n - 1) as f64);
        Some(ConfidenceInterval {
            mean: self.mean,
            half_width: t * libm::sqrt(self.variance() / self.n as f64),
            level,
            samples: self.n,
        })
    }
}

/// A two-sided confidence interval `mean ± half_width`.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct ConfidenceInterval {
    /// The point estimate.
    pub mean: f64,
    /// Half the interval's width.
    pub half_width: f64,
    /// The confidence level, e.g. 0.95.
    pub level: f64,
    /// How many (batch) observations it rests on.
    pub samples: u64,
}

impl ConfidenceInterval {
    /// Lower end.
    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }
    /// Upper end.
    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }
    /// Whether `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.low() <= x && x <= self.high()
    }
}

/// A Student-t interval for the mean of independent samples (e.g. replications).
pub fn mean_ci(samples: &[f64], level: f64) -> Option<ConfidenceInterval> {
    let mut w = Welford::new();
    samples.iter().for_each(|&x| w.push(x));
    w.ci(level)
}

/// Streaming batch means in constant memory.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchMeans {
    batch_size: u64,
    in_batch: u64,
    batch_sum: f64,
    batches: Vec<f64>,
    all: Welford,
}

const MIN_BATCHES: usize = 32;

impl Default for BatchMeans {
    fn default() -> Self {
        Self::new()
    }
}

impl BatchMeans {
    /// No observations yet; batches start at size 1.
    pub fn new() -> BatchMeans {
        BatchMeans {
            batch_size: 1,
            in_batch: 0,
            batch_sum: 0.0,
            batches: Vec::with_capacity(2 * MIN_BATCHES),
            all: Welford::new(),
        }
    }

    /// Adds an observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.all.push(x);
        self.batch_sum += x;
        self.in_batch += 1;
        if self.in_batch == self.batch_size {
            self.batches.push(self.batch_sum / self.batch_size as f64);
            self.batch_sum = 0.0;
            self.in_batch = 0;
            if self.batches.len() == 2 * MIN_BATCHES {
                for i in 0..MIN_BATCHES {
                    self.batches[i] = (self.batches[2 * i] + self.batches[2 * i + 1]) / 2.0;
                }
                self.batches.truncate(MIN_BATCHES);
                self.batch_size *= 2;
            }
        }
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.all.count()
    }

    /// Mean of all observations.
    pub fn mean(&self) -> f64 {
        self.all.mean()
    }

    /// Current batch size.
    pub fn batch_size(&self) -> u64 {
        self.batch_size
    }

    /// A Student-t interval from the complete batches (the partial one is left out), or `None`
    /// before there are two batches.
    pub fn ci(&self, level: f64) -> Option<ConfidenceInterval> {
        mean_ci(&self.batches, level)
    }
}

/// The `p`-quantile of Student's t distribution with `df` degrees of freedom.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0 && df > 0.0, "student_t_quantile({p}, {df})");
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    let mut hi = 1.0;
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// The CDF of Student's t distribution with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// `I_x(a, b)` by its continued fraction (Lentz), using the symmetry for fast convergence.
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front =
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * libm::log(x) + b * libm::log1p(-x);
    if x < (a + 1.0) / (a + b + 2.0) {
        libm::exp(ln_front) * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - libm::exp(ln_front) * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn t_quantiles_match_published_tables() {
        // Values from standard t tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
        assert_relative_eq!(
            student_t_quantile(0.975, 1.0),
            12.706_204_736,
            max_relative = 1e-8
        );
        assert_relative_eq!(
            student_t_quantile(0.975, 10.0),
            2.228_138_852,
            max_relative = 1e-8
        );
        assert_relative_eq!(
            student_t_quantile(0.995, 30.0),
            2.749_995_652,
            max_relative = 1e-8
        );
        assert_relative_eq!(student_t_quantile(0.95, 5.0), 2.015_048_373, max_relative = 1e-8);
        assert_relative_eq!(student_t_quantile(0.975, 1e7), 1.959_963_985, max_relative = 1e-6);
        assert_relative_eq!(
            student_t_quantile(0.025, 10.0),
            -2.228_138_852,
            max_relative = 1e-8
        );
    }

    #[test]
    fn welford_matches_two_pass() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut w = Welford::new();
        xs.iter().for_each(|&x| w.push(x));
        assert_relative_eq!(w.mean(), 5.0);
        assert_relative_eq!(w.variance(), 32.0 / 7.0);
        let ci = w.ci(0.95).unwrap();
        assert_relative_eq!(
            ci.half_width,
            2.364_624_252 * libm::sqrt(32.0f64 / 7.0 / 8.0),
            max_relative = 1e-8
        );
    }

    #[test]
    fn batch_means_keep_constant_memory_and_cover_all_complete_batches() {
        let mut b = BatchMeans::new();
        for i in 0..1_000_000u64 {
            b.push((i % 10) as f64);
        }
        assert!(b.batches.len() >= MIN_BATCHES && b.batches.len() < 2 * MIN_BATCHES);
        assert!(b.batches.capacity() <= 2 * MIN_BATCHES);
        assert_relative_eq!(b.mean(), 4.5, max_relative = 1e-12);
        let ci = b.ci(0.99).unwrap();
        assert!(ci.contains(4.5), "{ci:?}");
        assert_eq!(b.batch_size() * b.batches.len() as u64 + b.in_batch, 1_000_000);
    }
}
