//! Transition-by-transition tests of each budget's rule and boundary, and property tests of the
//! bounds each one promises.

use proptest::prelude::*;
use sim_core::time::{SimDuration, SimTime};

use super::*;

fn t(ms: u64) -> SimTime {
    SimTime::from_nanos(ms * 1_000_000)
}

fn grpc(max_tokens: f64, token_ratio: f64) -> RetryBudget {
    RetryBudget::new(
        RetryBudgetConfig::GrpcThrottling {
            max_tokens,
            token_ratio,
        },
        SimTime::ZERO,
    )
}

fn brooker() -> RetryBudget {
    let config = RetryBudgetConfig::Brooker {
        deposit: BROOKER_DEPOSIT,
        capacity: BROOKER_CAPACITY,
        retry_cost: BROOKER_RETRY_COST,
    };
    RetryBudget::new(config, SimTime::ZERO)
}

fn envoy() -> RetryBudget {
    let config = RetryBudgetConfig::Envoy {
        budget_percent: ENVOY_BUDGET_PERCENT,
        min_retry_concurrency: ENVOY_MIN_RETRY_CONCURRENCY,
    };
    RetryBudget::new(config, SimTime::ZERO)
}

fn finagle(ttl_secs: u64, min_retries_per_sec: f64, percent_can_retry: f64) -> RetryBudget {
    let config = RetryBudgetConfig::Finagle {
        ttl: SimDuration::from_secs(ttl_secs),
        min_retries_per_sec,
        percent_can_retry,
    };
    RetryBudget::new(config, SimTime::ZERO)
}

#[test]
fn grpc_follows_grpc_cores_own_test_sequence() {
    // grpc-core retry_throttle_test: max 4 tokens (threshold 2), ratio 1.6.
    let mut b = grpc(4.0, 1.6);
    let now = SimTime::ZERO;
    assert_eq!(b.level(now, 0), 4.0);
    b.on_attempt_result(now, false); // 3
    assert!(b.try_retry(now, 0));
    b.on_attempt_result(now, true); // 4.6 → capped at 4
    assert_eq!(b.level(now, 0), 4.0);
    b.on_attempt_result(now, false); // 3
    assert!(b.try_retry(now, 0));
    b.on_attempt_result(now, false); // 2: at the threshold, no retry
    assert_eq!(b.level(now, 0), 2.0);
    assert!(!b.try_retry(now, 0));
    b.on_attempt_result(now, true); // 3.6
    assert!(b.try_retry(now, 0));
    for _ in 0..5 {
        b.on_attempt_result(now, false);
    }
    assert_eq!(b.level(now, 0), 0.0, "floored at zero");
    assert!(!b.try_retry(now, 0));
    // Granting a retry charges nothing.
    let before = b.clone();
    b.try_retry(now, 0);
    assert_eq!(b, before);
}

#[test]
fn grpc_counts_thousandths_exactly() {
    let mut b = grpc(GRPC_MAX_TOKENS, GRPC_TOKEN_RATIO);
    let now = SimTime::ZERO;
    for _ in 0..5 {
        b.on_attempt_result(now, false);
    }
    assert_eq!(b.level(now, 0), 5.0);
    assert!(!b.try_retry(now, 0), "tokens == max/2 is not above the threshold");
    b.on_attempt_result(now, true);
    assert!(b.try_retry(now, 0), "5.1 > 5");
    for _ in 0..9 {
        b.on_attempt_result(now, true);
    }
    // Ten additions of 0.1 give exactly one token (f64 would give 5.999999999999999).
    assert_eq!(b.level(now, 0), 6.0);
    // First attempts and finished retries do not touch the tokens.
    b.on_request(now);
    b.on_retry_finished(now);
    assert_eq!(b.level(now, 0), 6.0);
}

#[test]
fn brooker_allows_retries_only_strictly_above_the_cost() {
    let mut b = brooker();
    let now = SimTime::ZERO;
    assert_eq!(b.level(now, 0), 5.0, "starts full");
    for expected in [4.0, 3.0, 2.0, 1.0] {
        assert!(b.try_retry(now, 0));
        assert_eq!(b.level(now, 0), expected);
    }
    assert!(!b.try_retry(now, 0), "exactly one token is not > 1");
    assert_eq!(b.level(now, 0), 1.0, "a refusal costs nothing");
    b.on_attempt_result(now, true);
    b.on_attempt_result(now, false);
    assert_eq!(b.level(now, 0), 1.0, "results do not touch the bucket");
    b.on_request(now);
    assert!(b.try_retry(now, 0), "1.1 > 1");
    assert!((b.level(now, 0) - 0.1).abs() < 1e-12);
    for _ in 0..1000 {
        b.on_request(now);
    }
    assert_eq!(b.level(now, 0), 5.0, "capped at capacity");
}

#[test]
fn envoy_bound_is_a_truncated_percentage_with_a_floor() {
    let c = envoy().config;
    let bounds: Vec<u64> = [0, 10, 15, 19, 20, 24, 25, 100, 1000]
        .iter()
        .map(|&a| envoy_bound(&c, a))
        .collect();
    assert_eq!(bounds, [3, 3, 3, 3, 4, 4, 5, 20, 200]);
    assert_eq!(envoy_bound(&brooker().config, 100), 0);
}

#[test]
fn envoy_counts_active_retries_until_they_finish() {
    let mut b = envoy();
    let now = SimTime::ZERO;
    assert_eq!(b.level(now, 10), 3.0);
    for _ in 0..3 {
        assert!(b.try_retry(now, 10));
    }
    assert!(!b.try_retry(now, 10), "3 active = the floor of 3");
    assert_eq!(b.active_retries(), 3);
    assert_eq!(b.level(now, 10), 0.0);
    // More traffic raises the bound: 20 % of 20 = 4.
    assert!(b.try_retry(now, 20));
    assert!(!b.try_retry(now, 20));
    b.on_retry_finished(now);
    assert!(b.try_retry(now, 20));
    for _ in 0..4 {
        b.on_retry_finished(now);
    }
    assert_eq!(b.active_retries(), 0);
    // Results and first attempts are not Envoy's business.
    b.on_request(now);
    b.on_attempt_result(now, false);
    assert_eq!(b.level(now, 0), 3.0);
}

#[test]
fn finagle_defaults_allow_the_reserve_then_a_fifth_of_requests() {
    let mut b = finagle(10, FINAGLE_MIN_RETRIES_PER_SEC, FINAGLE_PERCENT_CAN_RETRY);
    // Reserve: 10 retries/s × 10 s = 100 retries with no requests at all.
    assert_eq!(b.level(t(0), 0), 100.0);
    for i in 0..100 {
        assert!(b.try_retry(t(500), 0), "retry {i}");
    }
    assert!(!b.try_retry(t(500), 0));
    assert_eq!(b.level(t(500), 0), 0.0);
    // 20 % of 1000 requests: 200 more.
    for _ in 0..1000 {
        b.on_request(t(600));
    }
    assert_eq!(b.level(t(600), 0), 200.0);
    for _ in 0..200 {
        assert!(b.try_retry(t(700), 0));
    }
    assert!(!b.try_retry(t(700), 0));
}

#[test]
fn finagle_withdrawals_and_deposits_expire_with_the_window() {
    let mut b = finagle(10, 10.0, 0.2);
    for _ in 0..100 {
        assert!(b.try_retry(t(500), 0));
    }
    // Slice [0 s, 1 s) leaves the window when slice [10 s, 11 s) starts.
    assert!(!b.try_retry(t(9_999), 0));
    assert!(b.try_retry(t(10_000), 0));
    // Deposits expire too: 5 requests pay for exactly one retry (count 5000 ≥ W = 5000)…
    let mut b = finagle(10, 0.0, 0.2);
    for _ in 0..4 {
        b.on_request(t(0));
    }
    assert!(!b.try_retry(t(0), 0), "4000 < 5000");
    b.on_request(t(0));
    assert_eq!(b.level(t(0), 0), 1.0);
    // …but not once they have expired.
    assert!(!b.try_retry(t(10_000), 0));
    assert!(b.try_retry(t(9_999), 0));
}

#[test]
fn finagle_edge_configurations() {
    // No percentage: a retry costs 1 and only the reserve pays (2/s × 10 s).
    let mut b = finagle(10, 2.0, 0.0);
    b.on_request(t(0));
    let granted = (0..100).filter(|_| b.try_retry(t(0), 0)).count();
    assert_eq!(granted, 20);
    // Neither: Finagle's empty budget.
    let mut b = finagle(10, 0.0, 0.0);
    b.on_request(t(0));
    assert!(!b.try_retry(t(0), 0));
    // The reserve uses whole seconds of ttl, as Finagle's `ttl.inSeconds`.
    let config = RetryBudgetConfig::Finagle {
        ttl: SimDuration::from_millis(1_500),
        min_retries_per_sec: 4.0,
        percent_can_retry: 0.5,
    };
    let b = RetryBudget::new(config, SimTime::ZERO);
    assert_eq!(b.level(t(0), 0), 4.0);
}

#[test]
fn validation_rejects_what_the_sources_reject() {
    let bad = [
        RetryBudgetConfig::GrpcThrottling {
            max_tokens: 0.0,
            token_ratio: 0.1,
        },
        RetryBudgetConfig::GrpcThrottling {
            max_tokens: 1001.0,
            token_ratio: 0.1,
        },
        RetryBudgetConfig::GrpcThrottling {
            max_tokens: 10.0,
            token_ratio: 0.0,
        },
        RetryBudgetConfig::Brooker {
            deposit: -0.1,
            capacity: 5.0,
            retry_cost: 1.0,
        },
        RetryBudgetConfig::Brooker {
            deposit: 0.1,
            capacity: 0.0,
            retry_cost: 1.0,
        },
        RetryBudgetConfig::Brooker {
            deposit: 0.1,
            capacity: 5.0,
            retry_cost: f64::NAN,
        },
        RetryBudgetConfig::Envoy {
            budget_percent: 101.0,
            min_retry_concurrency: 3,
        },
        RetryBudgetConfig::Finagle {
            ttl: SimDuration::from_millis(999),
            min_retries_per_sec: 1.0,
            percent_can_retry: 0.2,
        },
        RetryBudgetConfig::Finagle {
            ttl: SimDuration::from_secs(61),
            min_retries_per_sec: 1.0,
            percent_can_retry: 0.2,
        },
        RetryBudgetConfig::Finagle {
            ttl: FINAGLE_TTL,
            min_retries_per_sec: -1.0,
            percent_can_retry: 0.2,
        },
        RetryBudgetConfig::Finagle {
            ttl: FINAGLE_TTL,
            min_retries_per_sec: 1.0,
            percent_can_retry: 1000.5,
        },
    ];
    for c in bad {
        let err = c.validate().unwrap_err();
        assert!(err.starts_with(c.name()), "{err}");
    }
    assert_eq!(
        [
            grpc(10.0, 0.1).name(),
            brooker().name(),
            envoy().name(),
            finagle(10, 1.0, 0.2).name()
        ],
        ["grpc", "brooker", "envoy", "finagle"]
    );
}

#[derive(Clone, Debug)]
enum Op {
    Advance(u64),
    Request,
    Result(bool),
    Retry(u64),
    Finished,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        (0u64..1_500).prop_map(Op::Advance),
        Just(Op::Request),
        any::<bool>().prop_map(Op::Result),
        (0u64..60).prop_map(Op::Retry),
        Just(Op::Finished),
    ];
    prop::collection::vec(op, 0..400)
}

proptest! {
    #[test]
    fn grpc_tokens_stay_within_zero_and_max(max in 1u32..20, ratio_milli in 1u32..3000, ops in ops()) {
        let max = f64::from(max);
        let mut b = grpc(max, f64::from(ratio_milli) / 1000.0);
        let mut now = SimTime::ZERO;
        for op in ops {
            match op {
                Op::Advance(ms) => now = now.saturating_add(SimDuration::from_millis(ms)),
                Op::Request => b.on_request(now),
                Op::Result(ok) => b.on_attempt_result(now, ok),
                Op::Retry(active) => {
                    let level = b.level(now, active);
                    prop_assert_eq!(b.try_retry(now, active), level > max / 2.0);
                }
                Op::Finished => b.on_retry_finished(now),
            }
            let level = b.level(now, 0);
            prop_assert!((0.0..=max).contains(&level), "{} outside [0, {}]", level, max);
        }
    }

    #[test]
    fn brooker_tokens_stay_within_zero_and_capacity(ops in ops()) {
        let mut b = brooker();
        let mut now = SimTime::ZERO;
        for op in ops {
            match op {
                Op::Advance(ms) => now = now.saturating_add(SimDuration::from_millis(ms)),
                Op::Request => b.on_request(now),
                Op::Result(ok) => b.on_attempt_result(now, ok),
                Op::Retry(active) => {
                    let before = b.level(now, active);
                    let granted = b.try_retry(now, active);
                    prop_assert_eq!(granted, before > BROOKER_RETRY_COST);
                }
                Op::Finished => b.on_retry_finished(now),
            }
            let level = b.level(now, 0);
            prop_assert!((0.0..=BROOKER_CAPACITY).contains(&level), "{}", level);
        }
    }

    #[test]
    fn envoy_never_exceeds_its_concurrency_bound(percent in 0u32..=100, min in 0u32..6, ops in ops()) {
        let config = RetryBudgetConfig::Envoy { budget_percent: f64::from(percent), min_retry_concurrency: min };
        let mut b = RetryBudget::new(config.clone(), SimTime::ZERO);
        let mut active = 0u64;
        for op in ops {
            match op {
                Op::Retry(requests) => {
                    let bound = envoy_bound(&config, requests);
                    let granted = b.try_retry(SimTime::ZERO, requests);
                    prop_assert_eq!(granted, active < bound);
                    if granted {
                        active += 1;
                        prop_assert!(b.active_retries() <= bound);
                    }
                }
                Op::Finished if active > 0 => {
                    b.on_retry_finished(SimTime::ZERO);
                    active -= 1;
                }
                _ => {}
            }
            prop_assert_eq!(b.active_retries(), active);
        }
    }

    /// Finagle: at each granted retry at time b, with slices of w = ttl/10,
    /// W · retries in (b − 9w, b] ≤ 1000 · requests in [b − ttl, b] + reserve, i.e. retries ≤
    /// (1000/W) · requests + min_retries_per_sec · ttl, where 1000/W ≥ percent_can_retry
    /// (W = ⌊1000/percent⌋). And every decision equals an independent model of the slices.
    #[test]
    fn finagle_retries_in_a_window_never_exceed_the_formula(
        ttl_secs in prop::sample::select(vec![1u64, 2, 10]),
        min in 0u32..4,
        percent in prop::sample::select(vec![0.0, 0.1, 0.2, 0.3, 0.5, 1.0]),
        ops in ops(),
    ) {
        let mut b = finagle(ttl_secs, f64::from(min), percent);
        let ttl = ttl_secs * 1_000_000_000;
        let w = ttl / 10;
        let (deposit, cost) = if percent == 0.0 { (0i64, 1i64) } else { (1000, (1000.0 / percent) as i64) };
        let reserve = i64::from(min) * ttl_secs as i64 * cost;
        let mut requests: Vec<u64> = Vec::new();
        let mut retries: Vec<u64> = Vec::new();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Advance(ms) => now += ms * 1_000_000,
                Op::Request => { b.on_request(SimTime::from_nanos(now)); requests.push(now); }
                Op::Retry(_) => {
                    let slice = now / w;
                    let live = |x: &&u64| **x / w + 10 > slice;
                    let model = deposit * requests.iter().filter(live).count() as i64
                        - cost * retries.iter().filter(live).count() as i64
                        + reserve;
                    let granted = b.try_retry(SimTime::from_nanos(now), 0);
                    prop_assert_eq!(granted, model >= cost);
                    if granted {
                        retries.push(now);
                        let recent = retries.iter().filter(|&&x| x + 9 * w > now).count() as i64;
                        let earned = requests.iter().filter(|&&x| x + ttl >= now).count() as i64;
                        prop_assert!(cost * recent <= deposit * earned + reserve,
                            "{} retries vs {} requests", recent, earned);
                    }
                }
                _ => {}
            }
        }
    }
}
