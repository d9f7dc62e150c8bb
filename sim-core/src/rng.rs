//! Named, independent random streams derived from one master seed.
//!
//! Every consumer of randomness (a client's arrivals, a service's work times, a retry policy's
//! jitter, a load balancer's choices) draws from its own [`SimRng`]: a ChaCha8 generator keyed by
//! the master seed, on a ChaCha *stream* (nonce) given by a stable 64-bit id. The id comes from the
//! consumer's name through [`stream_id`] (FNV-1a, fixed forever), so
//!
//! - adding, removing or reordering consumers never changes another consumer's draws, which is
//!   what makes two policies comparable on the same arrivals (common random numbers);
//! - the same name and seed give the same numbers on every platform and every thread count.
//!
//! Only the raw ChaCha8 output is used (`next_u64`); conversions to floats and integer ranges are
//! written here, so an upgrade of `rand` cannot silently change a stream. Golden values in the
//! tests pin the streams.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The master seed of a run and the factory of its streams.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RngStreams {
    master_seed: u64,
}

/// The stable 64-bit id of a stream name (FNV-1a over its UTF-8 bytes).
pub fn stream_id(name: &str) -> u64 {
    crate::hash::fnv1a(name.as_bytes())
}

/// Derives a child seed from a seed and an index (SplitMix64 finaliser), e.g. the seed of
/// replication `r` of a sweep from the sweep's master seed.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl RngStreams {
    /// Streams for a run with this master seed.
    pub fn new(master_seed: u64) -> RngStreams {
        RngStreams { master_seed }
    }

    /// The master seed.
    pub fn master_seed(&self) -> u64 {
        self.master_seed
    }

    /// The stream called `name` (e.g. `"client/uploaders/arrivals"`).
    pub fn stream(&self, name: &str) -> SimRng {
        self.stream_with_id(stream_id(name))
    }

    /// The stream with this id.
    pub fn stream_with_id(&self, id: u64) -> SimRng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.master_seed);
        rng.set_stream(id);
        SimRng { inner: rng }
    }
}

/// One consumer's random stream.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// 64 uniformly random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform draw from `[0, 1)` with 53 bits of precision.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw from `(0, 1]`, safe to take the logarithm of.
    #[inline]
    pub fn uniform_pos(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw from `[low, high)`.
    #[inline]
    pub fn uniform_range(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire's method).
    ///
    /// # Panics
    /// If `n` is zero.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// `true` with probability `p` (clamped to `[0, 1]`).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_are_pinned() {
        assert_eq!(stream_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stream_id("a"), 0xaf63_dc4c_8601_ec8c);
        // A real consumer's name (FNV-1a, computed independently).
        assert_eq!(stream_id("client/uploaders/arrivals"), 0x68a7_aae6_fc0a_35d9);
    }

    #[test]
    fn golden_values_pin_the_streams() {
        // If this fails, every seeded result of every user changes: do not update it lightly.
        let streams = RngStreams::new(42);
        let mut a = streams.stream("golden/a");
        let got: Vec<u64> = (0..3).map(|_| a.next_u64()).collect();
        assert_eq!(got, GOLDEN_A);
        let mut b = streams.stream("golden/b");
        assert_eq!(b.next_u64(), GOLDEN_B0);
        assert_eq!(derive_seed(42, 0), GOLDEN_DERIVED);
    }
    const GOLDEN_A: [u64; 3] = [
        5_999_177_748_192_865_999,
        8_391_252_263_277_186_086,
        17_823_475_794_071_523_408,
    ];
    const GOLDEN_B0: u64 = 9_367_755_484_656_112_509;
    const GOLDEN_DERIVED: u64 = 13_679_457_532_755_275_413;

    #[test]
    fn adding_a_consumer_never_shifts_another() {
        let streams = RngStreams::new(7);
        let alone: Vec<u64> = {
            let mut arrivals = streams.stream("client/c/arrivals");
            (0..100).map(|_| arrivals.next_u64()).collect()
        };
        // Interleave draws from a new consumer created before, between and after.
        let mut extra = streams.stream("service/new/work");
        let mut arrivals = streams.stream("client/c/arrivals");
        let mut interleaved = Vec::new();
        for i in 0..100 {
            if i % 3 == 0 {
                extra.next_u64();
            }
            interleaved.push(arrivals.next_u64());
        }
        assert_eq!(alone, interleaved);
        // And different names or seeds give different streams.
        assert_ne!(streams.stream("x").next_u64(), streams.stream("y").next_u64());
        assert_ne!(
            RngStreams::new(1).stream("x").next_u64(),
            RngStreams::new(2).stream("x").next_u64()
        );
    }

    #[test]
    fn uniform_ranges_are_in_bounds_and_below_is_unbiased_enough() {
        let mut rng = RngStreams::new(1).stream("t");
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
            let p = rng.uniform_pos();
            assert!(p > 0.0 && p <= 1.0);
            counts[rng.below(3) as usize] += 1;
        }
        // Each count ~ Binomial(30000, 1/3): sd ≈ 81.6, so ±5 sd ≈ ±410.
        for c in counts {
            assert!((i64::from(c) - 10_000).abs() < 410, "{counts:?}");
        }
    }
}
