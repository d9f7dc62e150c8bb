//! Call policies: timeouts, pools, retries with their backoff and budget, breakers,
//! bulkheads, deadlines and fallbacks.

use super::super::spec::*;
use super::{Gen, MS, S, dist, timeout};

/// The policies' names (`p0`, `p1`, …, sometimes `default`) and the policies.
pub(super) fn policies(g: &mut Gen) -> (Vec<String>, Vec<PolicySpec>) {
    let mut policy_names: Vec<String> = (0..g.below(5)).map(|i| format!("p{i}")).collect();
    if g.chance(0.3) {
        policy_names.push("default".into());
    }
    let shared_pool = pool(g, Some("shared".into()));
    let policies: Vec<PolicySpec> = policy_names
        .iter()
        .map(|name| policy(g, name, &shared_pool))
        .collect();
    (policy_names, policies)
}

fn pool(g: &mut Gen, shared: Option<String>) -> PoolSpec {
    PoolSpec {
        max_connections: g.maybe(0.7, |g| match g.weighted(&[3, 5, 2]) {
            0 => 1,
            1 => g.int32(2, 10),
            _ => 100_000,
        }),
        max_keepalive: g.maybe(0.5, |g| g.or_pick(&[0, 1], |g| g.int32(2, 20))),
        keepalive_expiry: g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 10 * S))),
        connect_time: g.maybe(0.3, |g| dist(g, 10_000, 50 * MS)),
        sticky: g.maybe_bool(0.4),
        shared,
    }
}

fn retry(g: &mut Gen) -> RetrySpec {
    let backoff = g.maybe(0.9, |g| g.pick(&crate::scenario::schema::BACKOFF_NAMES));
    let base = g.maybe(0.6, |g| match g.weighted(&[1, 1, 8]) {
        0 => Dur(0),
        1 => Dur(1),
        _ => g.dur(MS, 2 * S),
    });
    // The backoff's effective base (its default when absent) bounds the cap from below, so the
    // decorrelated and Envoy strategies stay valid.
    let kind = backoff.unwrap_or("exponential");
    let base = match (kind, base) {
        ("envoy", Some(Dur(0))) => Some(Dur(1)),
        (_, b) => b,
    };
    let effective_base = base.unwrap_or(if kind == "envoy" {
        Dur::ms(25)
    } else {
        Dur::ms(100)
    });
    let cap = g.maybe(0.5, |g| {
        let c = g.dur(MS, 30 * S);
        c.max(effective_base)
    });
    let cap = match (kind, cap) {
        // Without a cap, decorrelated jitter caps at 20 s: keep the base below it.
        ("decorrelated_jitter", None) if effective_base > Dur::secs(20) => Some(effective_base),
        (_, c) => c,
    };
    // tenacity's floor, read (and ignored) with every strategy; tenacity needs it ≤ the cap.
    let min = g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S)));
    let min = match (min, cap) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, _) => m,
    };
    RetrySpec {
        max_attempts: g.maybe(0.8, |g| match g.weighted(&[70, 20, 10]) {
            0 => g.int32(1, 5),
            1 => g.int32(6, 20),
            _ => g.pick(&[1000, 1_000_000]),
        }),
        on: g.maybe(0.5, |g| {
            let conditions = crate::scenario::schema::retry_conditions();
            (0..g.below(4)).map(|_| g.pick(&conditions)).collect()
        }),
        backoff,
        base,
        cap,
        min,
        multiplier: g.maybe(0.2, |g| g.pick(&[0.5, 1.0, 1.6, 3.0])),
        budget: g.maybe(0.4, budget),
    }
}

/// A retry budget of any kind.
fn budget(g: &mut Gen) -> BudgetSpec {
    match g.below(4) {
        0 => BudgetSpec::Grpc(
            g.maybe(0.6, |g| g.pick(&[0.5, 1.0, 10.0, 1000.0])),
            g.maybe(0.6, |g| g.pick(&[0.001, 0.1, 1.0])),
        ),
        1 => BudgetSpec::Brooker(
            g.maybe(0.6, |g| g.pick(&[0.0, 0.1, 1.0])),
            g.maybe(0.6, |g| g.pick(&[0.5, 5.0, 100.0])),
            g.maybe(0.6, |g| g.pick(&[0.1, 1.0, 10.0])),
        ),
        2 => BudgetSpec::Envoy(
            g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100.0])),
            g.maybe(0.6, |g| g.pick(&[0, 3, 100])),
        ),
        _ => BudgetSpec::Finagle(
            g.maybe(0.6, |g| g.pick(&[Dur::secs(1), Dur::secs(10), Dur::secs(60)])),
            g.maybe(0.6, |g| g.pick(&[0.0, 10.0, 1000.0])),
            g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100_000.0])),
        ),
    }
}

fn breaker(g: &mut Gen) -> BreakerSpec {
    let percent = |g: &mut Gen| g.pick(&[0.1, 1.0, 50.0, 100.0]);
    match g.below(3) {
        0 => BreakerSpec::Lesson(
            g.maybe(0.6, |g| g.int32(1, 10)),
            g.maybe(0.5, |g| g.or(Dur(1), |g| g.dur(MS, 60 * S))),
            g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 30 * S))),
            g.maybe(0.5, |g| g.int32(1, 5)),
        ),
        1 => BreakerSpec::R4j(R4jSpec {
            window: g.maybe(0.6, |g| (g.chance(0.5), g.int32(1, 100))),
            minimum_calls: g.maybe(0.7, |g| g.int32(1, 20)),
            failure_rate: g.maybe(0.5, percent),
            slow_call_rate: g.maybe(0.4, percent),
            slow_call_duration: g.maybe(0.4, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
            wait_in_open: g.maybe(0.6, |g| g.or(Dur::ms(1), |g| g.dur(MS, 30 * S))),
            permitted_in_half_open: g.maybe(0.5, |g| g.int32(1, 10)),
            automatic_transition: g.maybe_bool(0.6),
        }),
        _ => BreakerSpec::Hystrix(
            g.maybe(0.6, |g| g.or(Dur(10), |g| g.dur(MS, 20 * S))),
            g.maybe(0.6, |g| g.int32(1, 30)),
            g.maybe(0.5, percent),
            g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
        ),
    }
}

fn policy(g: &mut Gen, name: &str, shared_pool: &PoolSpec) -> PolicySpec {
    PolicySpec {
        name: name.to_string(),
        timeouts: g.maybe(0.6, |g| {
            [(); 5].map(|()| if g.chance(0.6) { Some(timeout(g)) } else { None })
        }),
        pool: g.maybe(0.45, |g| {
            // Policies naming the same shared pool must agree on its settings: they all get the
            // scenario's one shared pool.
            if g.chance(0.3) {
                shared_pool.clone()
            } else {
                pool(g, None)
            }
        }),
        retry: g.maybe(0.55, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(retry(g))
            }
        }),
        breaker: g.maybe(0.45, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(breaker(g))
            }
        }),
        bulkhead: g.maybe(0.35, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(BulkheadSpec {
                    max_concurrent: g.maybe(0.8, |g| g.or(1, |g| g.int32(2, 50))),
                    max_wait: g.maybe(0.6, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S))),
                })
            }
        }),
        deadline: g.maybe(0.25, timeout),
        propagate_deadline: g.maybe_bool(0.3),
        fallback: g.maybe(0.5, |g| match g.below(6) {
            0 => FallbackSpec::Fail(g.chance(0.5)),
            1 => FallbackSpec::Degrade(g.chance(0.5)),
            2 => FallbackSpec::Defer,
            _ => FallbackSpec::DeferTable(
                g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
                g.maybe(0.6, |g| g.or(1, |g| g.int32(2, 100))),
            ),
        }),
        resilience4j: g.maybe_bool(0.4),
    }
}
