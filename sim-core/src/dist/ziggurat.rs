//! Ziggurat samplers for the standard exponential and the standard normal (Marsaglia and Tsang,
//! "The Ziggurat Method for Generating Random Variables", Journal of Statistical Software 5(8),
//! 2000), with 256 layers.
//!
//! The density's shape is covered by 256 layers of equal area: a draw picks a layer and a point
//! in it from one 64-bit word (8 bits of layer, a sign bit for the normal, 53 bits of position)
//! and returns at once when the point lies under the next layer's edge, about 99% of the time for
//! the exponential and 98.8% for the normal. Only the rest pays for a transcendental function:
//! the wedge between two edges (one `exp` and one more uniform) or the tail beyond the base
//! (the exponential's tail is `R` plus a fresh draw, it being memoryless; the normal's is
//! Marsaglia's method with two logarithms). Against `-ln U` (and Box–Muller's `ln`, `sqrt` and
//! `cos`), nearly every draw saves its transcendental functions.
//!
//! The tables are generated once by `sim-core/tools/ziggurat_tables.py` and committed
//! ([`super::ziggurat_tables`]), so draws never depend on a crate's or a library's version; the
//! wedge and tail tests use libm, like every other draw in sim-core.

use super::ziggurat_tables::{EXP_F, EXP_R, EXP_X, NORM_F, NORM_R, NORM_X};
use crate::rng::SimRng;

/// 2^-53: turns the top 53 bits of a word into a uniform in `[0, 1)`.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A draw from the standard exponential distribution (mean 1), in `[0, ∞)`.
#[inline]
pub fn standard_exponential(rng: &mut SimRng) -> f64 {
    let mut offset = 0.0;
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let x = (bits >> 11) as f64 * UNIT * EXP_X[i];
        if x < EXP_X[i + 1] {
            return offset + x;
        }
        if i == 0 {
            // The tail beyond R: R plus another exponential (memorylessness).
            offset += EXP_R;
        } else if EXP_F[i] + rng.uniform() * (EXP_F[i + 1] - EXP_F[i]) < libm::exp(-x) {
            return offset + x;
        }
    }
}

/// A draw from the standard normal distribution.
#[inline]
pub fn standard_normal(rng: &mut SimRng) -> f64 {
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0xff) as usize;
        let sign = if bits & 0x100 == 0 { 1.0 } else { -1.0 };
        let x = (bits >> 11) as f64 * UNIT * NORM_X[i];
        if x < NORM_X[i + 1] {
            return sign * x;
        }
        if i == 0 {
            return sign * normal_tail(rng);
        }
        if NORM_F[i] + rng.uniform() * (NORM_F[i + 1] - NORM_F[i]) < libm::exp(-0.5 * x * x) {
            return sign * x;
        }
    }
}

/// A draw from the standard normal conditioned on exceeding `R` (Marsaglia, 1964).
#[cold]
fn normal_tail(rng: &mut SimRng) -> f64 {
    loop {
        let x = -libm::log(rng.uniform_pos()) / NORM_R;
        let y = -libm::log(rng.uniform_pos());
        if 2.0 * y > x * x {
            return NORM_R + x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::ziggurat_tables::{EXP_V, NORM_V};
    use super::*;
    use crate::rng::RngStreams;

    /// Every layer has the common area, and the edges follow the recurrence the generator
    /// solved: the committed tables are a ziggurat of their density.
    fn check_tables(x: &[f64; 257], f: &[f64; 257], v: f64, r: f64, shape: fn(f64) -> f64, tail: f64) {
        assert_eq!(x[1], r);
        assert_eq!(x[256], 0.0);
        assert!((r * shape(r) + tail - v).abs() < 1e-15, "base layer area");
        // The base layer is drawn as a rectangle V/f(R) wide whose part beyond R is the tail.
        assert!(
            (x[0] - v / shape(r)).abs() < 1e-12,
            "base layer's virtual width {}",
            x[0]
        );
        for i in 0..257 {
            assert!((f[i] - shape(x[i])).abs() <= 1e-15, "f at edge {i}");
        }
        for i in 1..256 {
            assert!(x[i + 1] < x[i], "edges decrease at {i}");
            let area = x[i] * (f[i + 1] - f[i]);
            assert!((area - v).abs() < 1e-12, "layer {i} has area {area}, not {v}");
        }
    }

    #[test]
    fn committed_tables_are_ziggurats() {
        check_tables(&EXP_X, &EXP_F, EXP_V, EXP_R, |x| libm::exp(-x), libm::exp(-EXP_R));
        let normal_tail_area =
            libm::sqrt(std::f64::consts::PI / 2.0) * libm::erfc(NORM_R / std::f64::consts::SQRT_2);
        check_tables(
            &NORM_X,
            &NORM_F,
            NORM_V,
            NORM_R,
            |x| libm::exp(-0.5 * x * x),
            normal_tail_area,
        );
    }

    /// The exact draws of seed 1's "ziggurat" stream: a change to the tables or the sampler
    /// changes every seeded output, and must show here first.
    #[test]
    fn golden_draws() {
        let streams = RngStreams::new(1);
        let mut rng = streams.stream("ziggurat");
        let exp: Vec<f64> = (0..6).map(|_| standard_exponential(&mut rng)).collect();
        let norm: Vec<f64> = (0..6).map(|_| standard_normal(&mut rng)).collect();
        assert_eq!(exp, GOLDEN_EXP, "exponential draws");
        assert_eq!(norm, GOLDEN_NORM, "normal draws");
    }

    const GOLDEN_EXP: [f64; 6] = [
        0.11974389572654351,
        3.7284567628673995,
        0.6963259454069138,
        0.20004060282866873,
        3.2008180607178933,
        1.4308799423324268,
    ];
    const GOLDEN_NORM: [f64; 6] = [
        -0.9939674883363034,
        -1.1526691885771787,
        -0.882398181244817,
        -0.5762894460930669,
        -1.3607256883475582,
        0.7598807468369274,
    ];

    /// Moments and the tail against the distributions, over a million draws each (well beyond
    /// five standard errors would fail).
    #[test]
    fn draws_have_the_distributions_moments_and_tails() {
        let streams = RngStreams::new(7);
        let mut rng = streams.stream("moments");
        let n = 1_000_000;
        let (mut s1, mut s2, mut beyond) = (0.0, 0.0, 0u64);
        for _ in 0..n {
            let x = standard_exponential(&mut rng);
            assert!(x >= 0.0);
            s1 += x;
            s2 += x * x;
            beyond += u64::from(x > 3.0);
        }
        let nf = f64::from(n);
        assert!(
            (s1 / nf - 1.0).abs() < 5.0 / libm::sqrt(nf),
            "exponential mean {}",
            s1 / nf
        );
        assert!(
            (s2 / nf - 2.0).abs() < 5.0 * libm::sqrt(20.0) / libm::sqrt(nf),
            "second moment {}",
            s2 / nf
        );
        let p = libm::exp(-3.0);
        let tail = beyond as f64 / nf;
        assert!(
            (tail - p).abs() < 5.0 * libm::sqrt(p * (1.0 - p) / nf),
            "P(X > 3) {tail}"
        );

        let (mut s1, mut s2, mut beyond) = (0.0, 0.0, 0u64);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            s1 += z;
            s2 += z * z;
            beyond += u64::from(z.abs() > 2.0);
        }
        assert!((s1 / nf).abs() < 5.0 / libm::sqrt(nf), "normal mean {}", s1 / nf);
        assert!(
            (s2 / nf - 1.0).abs() < 5.0 * libm::sqrt(2.0) / libm::sqrt(nf),
            "variance {}",
            s2 / nf
        );
        let p = libm::erfc(2.0 / std::f64::consts::SQRT_2);
        let tail = beyond as f64 / nf;
        assert!(
            (tail - p).abs() < 5.0 * libm::sqrt(p * (1.0 - p) / nf),
            "P(|Z| > 2) {tail}"
        );
    }

    /// Draws beyond the base layer's edge come from the tail methods, with the right mass.
    #[test]
    fn tails_beyond_the_base_layer_have_their_mass() {
        let streams = RngStreams::new(3);
        let mut rng = streams.stream("tails");
        let n = 4_000_000u32;
        let nf = f64::from(n);
        let beyond = (0..n)
            .filter(|_| standard_normal(&mut rng).abs() > NORM_R)
            .count() as f64;
        let p = libm::erfc(NORM_R / std::f64::consts::SQRT_2);
        assert!(
            (beyond / nf - p).abs() < 5.0 * libm::sqrt(p / nf),
            "P(|Z| > R) {}",
            beyond / nf
        );
        let beyond = (0..n).filter(|_| standard_exponential(&mut rng) > EXP_R).count() as f64;
        let p = libm::exp(-EXP_R);
        assert!(
            (beyond / nf - p).abs() < 5.0 * libm::sqrt(p / nf),
            "P(X > R) {}",
            beyond / nf
        );
    }
}
