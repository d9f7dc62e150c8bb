//! Exact values for the deterministic strategies, distribution tests for the jittered ones
//! (binomial bin counts and Kolmogorov–Smirnov against the exact CDF, on fixed seeds), and the
//! AWS-versus-Polly point-mass comparison.

use sim_core::rng::{RngStreams, SimRng};
use sim_core::time::SimDuration;

use super::*;

const DRAWS: usize = 100_000;

fn rng(name: &str) -> SimRng {
    RngStreams::new(0x6d65_7368).stream(name)
}

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

fn secs(n: u64) -> SimDuration {
    SimDuration::from_secs(n)
}

/// `DRAWS` sleeps before retry `retry`, each from a fresh per-call state, in seconds.
fn draws(backoff: &Backoff, retry: u32, name: &str) -> Vec<f64> {
    let mut rng = rng(name);
    (0..DRAWS)
        .map(|_| {
            let mut state = BackoffState::new();
            // Walk the earlier retries so stateful strategies see a realistic history.
            for r in 0..retry {
                backoff.next_sleep(r, &mut state, &mut rng);
            }
            backoff.next_sleep(retry, &mut state, &mut rng).as_secs_f64()
        })
        .collect()
}

/// Kolmogorov–Smirnov statistic of `samples` against the CDF `cdf`.
fn ks_statistic(samples: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    samples
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i as f64 + 1.0) / n - f)
        })
        .fold(0.0, f64::max)
}

/// KS critical value at level 0.001 (asymptotic: `sqrt(−ln(α/2) / 2) / sqrt(n)`).
fn ks_critical(n: usize) -> f64 {
    libm::sqrt(-libm::log(0.0005) / 2.0) / libm::sqrt(n as f64)
}

/// Asserts that `samples` look uniform on `[lo, hi)`: all inside (after nanosecond rounding), 20
/// equal bins each within a binomial confidence interval (z = 4.06: 99.9 % for the whole family
/// of 20 bins, Bonferroni), and the KS statistic below its 99.9 % critical value.
fn assert_uniform(samples: &mut [f64], lo: f64, hi: f64) {
    let n = samples.len();
    let eps = 1e-9;
    assert!(
        samples.iter().all(|&x| x >= lo - eps && x <= hi + eps),
        "sample outside [{lo}, {hi}]"
    );
    const BINS: usize = 20;
    let mut counts = [0u64; BINS];
    for &x in samples.iter() {
        let b = (((x - lo) / (hi - lo)) * BINS as f64)
            .floor()
            .clamp(0.0, (BINS - 1) as f64);
        counts[b as usize] += 1;
    }
    let p = 1.0 / BINS as f64;
    let mean = n as f64 * p;
    let half_width = 4.06 * libm::sqrt(n as f64 * p * (1.0 - p));
    for (i, &c) in counts.iter().enumerate() {
        assert!(
            (c as f64 - mean).abs() <= half_width,
            "bin {i}: {c} vs {mean} ± {half_width}: {counts:?}"
        );
    }
    let d = ks_statistic(samples, |x| ((x - lo) / (hi - lo)).clamp(0.0, 1.0));
    assert!(d < ks_critical(n), "KS D = {d} ≥ {}", ks_critical(n));
}

#[test]
fn deterministic_strategies_give_exact_values() {
    let mut state = BackoffState::new();
    let mut rng = rng("exact");
    assert_eq!(
        Backoff::None.next_sleep(3, &mut state, &mut rng),
        SimDuration::ZERO
    );
    let fixed = Backoff::Fixed { delay: ms(250) };
    for r in 0..5 {
        assert_eq!(fixed.next_sleep(r, &mut state, &mut rng), ms(250));
    }
    // The lesson's naive loop: sleep(2 ** attempt) → 1 s, 2 s, 4 s, then capped.
    let expo = Backoff::Exponential {
        base: secs(1),
        cap: secs(30),
    };
    let got: Vec<u64> = (0..7)
        .map(|r| expo.next_sleep(r, &mut state, &mut rng).as_nanos())
        .collect();
    let want: Vec<u64> = [1, 2, 4, 8, 16, 30, 30]
        .iter()
        .map(|s| secs(*s).as_nanos())
        .collect();
    assert_eq!(got, want);
    // No randomness was consumed.
    assert_eq!(rng.next_u64(), self::rng("exact").next_u64());
}

#[test]
fn exponential_saturates_instead_of_overflowing() {
    let mut state = BackoffState::new();
    let mut rng = rng("saturate");
    let expo = Backoff::Exponential {
        base: secs(1),
        cap: secs(30),
    };
    for r in [40, 63, 64, 65, 1000, u32::MAX] {
        assert_eq!(expo.next_sleep(r, &mut state, &mut rng), secs(30), "retry {r}");
    }
    let huge = Backoff::Exponential {
        base: SimDuration::from_nanos(u64::MAX / 2 + 1),
        cap: SimDuration::MAX,
    };
    assert_eq!(
        huge.next_sleep(0, &mut state, &mut rng),
        SimDuration::from_nanos(u64::MAX / 2 + 1)
    );
    assert_eq!(huge.next_sleep(1, &mut state, &mut rng), SimDuration::MAX);
    let zero = Backoff::Exponential {
        base: SimDuration::ZERO,
        cap: secs(1),
    };
    assert_eq!(zero.next_sleep(u32::MAX, &mut state, &mut rng), SimDuration::ZERO);
    // Every strategy survives the largest retry number.
    for b in all_strategies() {
        let s = b.next_sleep(u32::MAX, &mut BackoffState::new(), &mut rng);
        assert!(s <= b.ceiling(u32::MAX), "{}", b.name());
    }
}

fn all_strategies() -> [Backoff; 10] {
    [
        Backoff::None,
        Backoff::Fixed { delay: ms(100) },
        Backoff::Exponential {
            base: ms(100),
            cap: secs(10),
        },
        Backoff::FullJitter {
            base: ms(100),
            cap: secs(10),
        },
        Backoff::EqualJitter {
            base: ms(100),
            cap: secs(10),
        },
        Backoff::DecorrelatedJitter {
            base: ms(100),
            cap: secs(10),
        },
        Backoff::DecorrelatedJitterV2 {
            median_first_delay: ms(100),
            cap: secs(10),
        },
        Backoff::Envoy {
            base: ENVOY_BASE_INTERVAL,
            max: ENVOY_MAX_INTERVAL,
        },
        Backoff::Grpc {
            initial: ms(100),
            multiplier: 1.6,
            max: secs(10),
        },
        Backoff::Tenacity {
            multiplier: secs(1),
            min: ms(500),
            max: secs(10),
        },
    ]
}

#[test]
fn names_are_stable() {
    let names: Vec<&str> = all_strategies().iter().map(Backoff::name).collect();
    assert_eq!(
        names,
        [
            "none",
            "fixed",
            "exponential",
            "full_jitter",
            "equal_jitter",
            "decorrelated_jitter",
            "decorrelated_jitter_v2",
            "envoy",
            "grpc",
            "tenacity"
        ]
    );
    for b in all_strategies() {
        assert_eq!(b.validate(), Ok(()), "{}", b.name());
    }
}

#[test]
fn validation_names_the_bad_parameter() {
    let bad = [
        Backoff::DecorrelatedJitter {
            base: secs(2),
            cap: secs(1),
        },
        Backoff::Envoy {
            base: SimDuration::ZERO,
            max: secs(1),
        },
        Backoff::Envoy {
            base: secs(2),
            max: secs(1),
        },
        Backoff::Grpc {
            initial: secs(1),
            multiplier: 0.0,
            max: secs(1),
        },
        Backoff::Grpc {
            initial: secs(1),
            multiplier: f64::NAN,
            max: secs(1),
        },
        Backoff::Tenacity {
            multiplier: secs(1),
            min: secs(2),
            max: secs(1),
        },
    ];
    for b in bad {
        let err = b.validate().unwrap_err();
        assert!(err.starts_with(b.name()), "{err}");
    }
}

#[test]
fn full_jitter_is_uniform_below_the_exponential() {
    // Retry 2 with base 100 ms: v = 400 ms.
    let b = Backoff::FullJitter {
        base: ms(100),
        cap: secs(10),
    };
    assert_uniform(&mut draws(&b, 2, "full/2"), 0.0, 0.4);
    // Retry 10: v = 102.4 s, capped at 10 s.
    assert_uniform(&mut draws(&b, 10, "full/10"), 0.0, 10.0);
}

#[test]
fn equal_jitter_is_uniform_on_the_upper_half() {
    let b = Backoff::EqualJitter {
        base: ms(100),
        cap: secs(10),
    };
    assert_uniform(&mut draws(&b, 2, "equal/2"), 0.2, 0.4);
    assert_uniform(&mut draws(&b, 12, "equal/12"), 5.0, 10.0);
}

#[test]
fn envoy_ranges_follow_the_documented_formula() {
    let b = Backoff::Envoy {
        base: ENVOY_BASE_INTERVAL,
        max: ENVOY_MAX_INTERVAL,
    };
    // Envoy docs: "the first retry will be delayed randomly by 0-24ms, the 2nd by 0-74ms, the
    // 3rd by 0-174ms", and then the 250 ms cap.
    let ceilings: Vec<SimDuration> = (0..6).map(|r| b.ceiling(r)).collect();
    assert_eq!(ceilings, [ms(25), ms(75), ms(175), ms(250), ms(250), ms(250)]);
    assert_uniform(&mut draws(&b, 0, "envoy/0"), 0.0, 0.025);
    assert_uniform(&mut draws(&b, 2, "envoy/2"), 0.0, 0.175);
    // Capped range, not a clamped sample: no point mass at 250 ms.
    let mut capped = draws(&b, 3, "envoy/3");
    assert!(capped.iter().filter(|&&x| x >= 0.25).count() <= 1);
    assert_uniform(&mut capped, 0.0, 0.25);
    assert_eq!(b.ceiling(u32::MAX), ms(250));
}

#[test]
fn grpc_ranges_grow_by_the_multiplier_up_to_max() {
    let b = Backoff::Grpc {
        initial: secs(1),
        multiplier: 2.0,
        max: secs(5),
    };
    let ceilings: Vec<SimDuration> = (0..5).map(|r| b.ceiling(r)).collect();
    assert_eq!(ceilings, [secs(1), secs(2), secs(4), secs(5), secs(5)]);
    assert_uniform(&mut draws(&b, 0, "grpc/0"), 0.0, 1.0);
    assert_uniform(&mut draws(&b, 2, "grpc/2"), 0.0, 4.0);
    assert_uniform(&mut draws(&b, 7, "grpc/7"), 0.0, 5.0);
    // grpc-java's update truncates to whole nanoseconds at each step.
    let b = Backoff::Grpc {
        initial: ms(100),
        multiplier: 1.6,
        max: secs(10),
    };
    assert_eq!(b.ceiling(1), ms(160));
    assert_eq!(b.ceiling(2), ms(256));
    assert_eq!(b.ceiling(3), SimDuration::from_nanos(409_600_000));
    assert_eq!(b.ceiling(u32::MAX), secs(10));
    // A multiplier below one shrinks the range (and terminates quickly).
    let shrinking = Backoff::Grpc {
        initial: secs(1),
        multiplier: 0.5,
        max: secs(10),
    };
    assert_eq!(shrinking.ceiling(2), ms(250));
    assert_eq!(shrinking.ceiling(u32::MAX), SimDuration::ZERO);
}

/// The lesson's client: `wait_random_exponential(min=0.5, max=10)`, tenacity's default
/// multiplier of 1 s.
fn lesson_tenacity() -> Backoff {
    Backoff::Tenacity {
        multiplier: secs(1),
        min: ms(500),
        max: secs(10),
    }
}

/// tenacity 9.x `wait_random_exponential.__call__`, transcribed independently in `f64` seconds:
/// `high = max(max(0, min), min(multiplier * 2 ** (attempt_number - 1), max))`, then
/// `random.uniform(min, high) = min + (high - min) * u`.
fn tenacity_oracle(attempt_number: u32, u: f64, multiplier: f64, min: f64, max: f64) -> f64 {
    let result = multiplier * libm::pow(2.0, f64::from(attempt_number as i32 - 1));
    let high = min.max(0.0).max(result.min(max));
    min + (high - min) * u
}

#[test]
fn tenacity_follows_wait_random_exponential_exactly() {
    let cases = [
        lesson_tenacity(),
        // A floor above the first ranges: the first retries sleep exactly `min`.
        Backoff::Tenacity {
            multiplier: ms(100),
            min: ms(500),
            max: secs(3),
        },
        Backoff::Tenacity {
            multiplier: ms(250),
            min: SimDuration::ZERO,
            max: secs(60),
        },
    ];
    let mut rng = rng("tenacity/formula");
    for b in cases {
        let Backoff::Tenacity { multiplier, min, max } = b else {
            unreachable!()
        };
        let mut state = BackoffState::new();
        for retry in 0..12 {
            let u = rng.clone().uniform();
            // Retry `retry` follows failed attempt `retry + 1`, tenacity's `attempt_number`.
            let want = tenacity_oracle(
                retry + 1,
                u,
                multiplier.as_secs_f64(),
                min.as_secs_f64(),
                max.as_secs_f64(),
            );
            let got = b.next_sleep(retry, &mut state, &mut rng);
            let want = SimDuration::from_secs_f64(want).as_nanos();
            assert!(
                got.as_nanos().abs_diff(want) <= 1,
                "{b:?} retry {retry}: {got} vs {want} ns"
            );
            assert!(
                got >= min && got <= b.ceiling(retry),
                "{b:?} retry {retry}: {got}"
            );
        }
    }
    // The tops of the lesson's ranges: 1, 2, 4, 8 s, then the 10 s max.
    let b = lesson_tenacity();
    let ceilings: Vec<SimDuration> = (0..6).map(|r| b.ceiling(r)).collect();
    assert_eq!(ceilings, [secs(1), secs(2), secs(4), secs(8), secs(10), secs(10)]);
    assert_eq!(b.ceiling(u32::MAX), secs(10));
    // With the floor above the range, the sleep is the floor itself, whatever the draw.
    let floor = Backoff::Tenacity {
        multiplier: ms(100),
        min: ms(500),
        max: secs(3),
    };
    for retry in 0..3 {
        assert_eq!(
            floor.next_sleep(retry, &mut BackoffState::new(), &mut rng),
            ms(500)
        );
    }
    assert_eq!(floor.ceiling(3), ms(800));
}

/// Asserts that the sample mean and variance of `samples` match those of `U(lo, hi)`: the mean
/// within 4.42 standard errors (99.999 %), the variance within 10 % of `(hi − lo)² / 12`.
fn assert_uniform_moments(samples: &[f64], lo: f64, hi: f64) {
    let n = samples.len() as f64;
    let mean = samples.iter().sum::<f64>() / n;
    let var = samples.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let want_var = (hi - lo) * (hi - lo) / 12.0;
    let se = libm::sqrt(want_var / n);
    assert!(
        (mean - (lo + hi) / 2.0).abs() < 4.42 * se,
        "mean {mean} vs {}",
        (lo + hi) / 2.0
    );
    assert!((var / want_var - 1.0).abs() < 0.1, "variance {var} vs {want_var}");
}

#[test]
fn tenacity_is_uniform_above_its_floor() {
    let b = lesson_tenacity();
    // First retry: U(0.5 s, 1 s); the third: U(0.5 s, 4 s); the sixth: U(0.5 s, 10 s).
    for (retry, hi) in [(0, 1.0), (2, 4.0), (5, 10.0)] {
        let mut d = draws(&b, retry, &format!("tenacity/{retry}"));
        assert_uniform_moments(&d, 0.5, hi);
        assert_uniform(&mut d, 0.5, hi);
        // The floor is exact: no sleep below 500 ms at all (`assert_uniform` allows 1e-9 of
        // slack), where full jitter (from 0) would give one in two.
        assert!(d.iter().all(|&x| x >= 0.5), "retry {retry}: {}", d[0]);
    }
}

#[test]
fn aws_decorrelated_starts_uniform_on_base_to_three_base_and_stays_in_bounds() {
    let b = Backoff::DecorrelatedJitter {
        base: ms(100),
        cap: secs(1),
    };
    // First retry: s_prev = base, so U(100 ms, 300 ms).
    assert_uniform(&mut draws(&b, 0, "aws/0"), 0.1, 0.3);
    // Along one call, each sleep is within [base, min(cap, 3 · previous)].
    let mut rng = rng("aws/walk");
    for _ in 0..1000 {
        let mut state = BackoffState::new();
        let mut prev = ms(100);
        for r in 0..10 {
            let s = b.next_sleep(r, &mut state, &mut rng);
            assert!(
                s >= ms(100) && s <= secs(1).min(prev.saturating_mul(3)),
                "{s} after {prev}"
            );
            prev = s;
        }
    }
}

/// The number of times the most frequent value occurs.
fn max_multiplicity(samples: &mut [f64]) -> usize {
    samples.sort_by(f64::total_cmp);
    samples
        .chunk_by(|a, b| a == b)
        .map(<[f64]>::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn aws_decorrelated_piles_up_at_the_cap_and_polly_v2_does_not() {
    let aws = Backoff::DecorrelatedJitter {
        base: ms(100),
        cap: secs(1),
    };
    // Comparable scale, and a cap V2 cannot reach within these retries.
    let v2 = Backoff::DecorrelatedJitterV2 {
        median_first_delay: ms(100),
        cap: secs(3600),
    };
    for retry in 3..=5 {
        let mut a = draws(&aws, retry, &format!("pile/aws/{retry}"));
        let at_cap = a.iter().filter(|&&x| x == 1.0).count() as f64 / DRAWS as f64;
        // By the 4th retry about 30 % of all calls sleep exactly 1 s, 43 % by the 6th.
        assert!(at_cap > 0.25, "retry {retry}: only {at_cap} at the cap");
        assert_eq!(max_multiplicity(&mut a) as f64 / DRAWS as f64, at_cap);

        let mut p = draws(&v2, retry, &format!("pile/v2/{retry}"));
        assert!(p.iter().all(|&x| x < 3600.0));
        // Draws are continuous: ties come only from nanosecond rounding (a handful at most).
        let m = max_multiplicity(&mut p);
        assert!(m <= 5, "retry {retry}: a value repeats {m} times");
    }
}

/// Polly's formula written out independently, as an oracle.
fn polly_oracle(i: u32, u: f64, prev: f64, median_secs: f64) -> (f64, f64) {
    let next = polly_next(f64::from(i) + u);
    ((next - prev) / 1.4 * median_secs, next)
}

#[test]
fn polly_v2_follows_its_formula() {
    let median = ms(200);
    let b = Backoff::DecorrelatedJitterV2 {
        median_first_delay: median,
        cap: secs(3600),
    };
    let mut rng = rng("v2/formula");
    for _ in 0..200 {
        let mut state = BackoffState::new();
        let mut prev = 0.0;
        for i in 0..8 {
            let u = rng.clone().uniform();
            let (want, next) = polly_oracle(i, u, prev, median.as_secs_f64());
            prev = next;
            let got = b.next_sleep(i, &mut state, &mut rng);
            let want = SimDuration::from_secs_f64(want).as_nanos();
            assert!(
                got.as_nanos().abs_diff(want) <= 1,
                "retry {i}: {got} vs {want} ns"
            );
        }
    }
}

#[test]
fn polly_v2_median_first_delay_is_0_897_of_the_parameter() {
    let median = secs(1);
    let b = Backoff::DecorrelatedJitterV2 {
        median_first_delay: median,
        cap: secs(3600),
    };
    let mut first = draws(&b, 0, "v2/median");
    first.sort_by(f64::total_cmp);
    // The delay increases with t = U[0,1), so its exact median is the value at t = 0.5.
    let exact = polly_next(0.5) / 1.4;
    assert!((exact - 0.897).abs() < 0.001, "{exact}");
    // Distribution-free 99.9 % CI for the median: order statistics n/2 ± 3.29 · sqrt(n)/2.
    let half = (3.29 * libm::sqrt(DRAWS as f64) / 2.0).ceil() as usize;
    let (lo, hi) = (first[DRAWS / 2 - half], first[DRAWS / 2 + half]);
    assert!(
        lo <= exact && exact <= hi,
        "median CI [{lo}, {hi}] misses {exact}"
    );
    // And within 11 % of Polly's nominal "median first delay".
    assert!((first[DRAWS / 2] - 1.0).abs() < 0.11);
    // The first delay ranges over (0, 2 · tanh(2) / 1.4) × the parameter.
    let top = polly_next(1.0) / 1.4;
    assert!(first[0] >= 0.0 && first[DRAWS - 1] <= top + 1e-9);
}

/// Polly's `next`, `2^t · tanh(sqrt(4t))`.
fn polly_next(t: f64) -> f64 {
    libm::exp2(t) * libm::tanh(libm::sqrt(4.0 * t))
}

#[test]
fn polly_v2_first_delay_follows_its_exact_distribution() {
    // The first delay is d = next(t) / 1.4 · m with t ~ U[0, 1) and `next` increasing, so
    // P(D ≤ d) = next⁻¹(1.4 · d / m), inverted here by bisection.
    let b = Backoff::DecorrelatedJitterV2 {
        median_first_delay: secs(1),
        cap: secs(3600),
    };
    let cdf = |d: f64| {
        let target = 1.4 * d;
        if target >= polly_next(1.0) {
            return 1.0;
        }
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if polly_next(mid) < target {
                lo = mid
            } else {
                hi = mid
            }
        }
        lo
    };
    let mut first = draws(&b, 0, "v2/ks");
    let d = ks_statistic(&mut first, cdf);
    assert!(d < ks_critical(DRAWS), "KS D = {d}");
}

#[test]
fn polly_v2_is_capped_and_survives_huge_retry_numbers() {
    let b = Backoff::DecorrelatedJitterV2 {
        median_first_delay: secs(1),
        cap: secs(30),
    };
    let mut rng = rng("v2/cap");
    let mut state = BackoffState::new();
    let sleeps: Vec<SimDuration> = (0..12).map(|r| b.next_sleep(r, &mut state, &mut rng)).collect();
    assert!(sleeps.iter().all(|&s| s <= secs(30)));
    assert_eq!(sleeps[11], secs(30), "2^11 s is far beyond the cap");
    // t ≥ 1024 makes `next` infinite (Polly issue #2163): the cap, never zero or a panic.
    for r in [1023, 1024, 5000, u32::MAX] {
        assert_eq!(b.next_sleep(r, &mut state, &mut rng), secs(30), "retry {r}");
        assert_eq!(
            b.next_sleep(r, &mut BackoffState::new(), &mut rng),
            secs(30),
            "retry {r}"
        );
    }
}

#[test]
fn same_seed_same_sleeps() {
    for b in all_strategies() {
        let run = || {
            let mut rng = rng("determinism");
            let mut state = BackoffState::new();
            (0..20)
                .map(|r| b.next_sleep(r, &mut state, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run(), "{}", b.name());
    }
}
