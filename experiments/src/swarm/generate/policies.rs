//! Call policies: timeouts, pools, retries with their backoff and budget, breakers,
//! bulkheads, deadlines and fallbacks.

use crate::scenario::tree::Node;

use super::super::spec::{Dur, IntoNode, Table, int, text};
use super::features::word;
use super::{Gen, MS, S, dist, timeout};

/// The policies' names (`p0`, `p1`, …, sometimes `default`) and the `policies` table.
pub(super) fn policies(g: &mut Gen) -> (Vec<String>, Table) {
    let mut policy_names: Vec<String> = (0..g.below(5)).map(|i| format!("p{i}")).collect();
    if g.chance(0.3) {
        policy_names.push("default".into());
    }
    let shared_pool = pool(g).put("shared", "shared");
    let policies = policy_names
        .iter()
        .fold(Table::new(), |t, name| t.put(name, policy(g, &shared_pool)));
    (policy_names, policies)
}

fn pool(g: &mut Gen) -> Table {
    Table::new()
        .opt(
            "max_connections",
            g.maybe(0.7, |g| match g.weighted(&[3, 5, 2]) {
                0 => 1,
                1 => g.int32(2, 10),
                _ => 100_000,
            }),
        )
        .opt(
            "max_keepalive",
            g.maybe(0.5, |g| g.or_pick(&[0, 1], |g| g.int32(2, 20))),
        )
        .opt(
            "keepalive_expiry",
            g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 10 * S))),
        )
        .opt("connect_time", g.maybe(0.3, |g| dist(g, 10_000, 50 * MS)))
        .opt("sticky", g.maybe_bool(0.4))
}

fn retry(g: &mut Gen) -> Table {
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
    let max_attempts = g.maybe(0.8, |g| match g.weighted(&[70, 20, 10]) {
        0 => g.int32(1, 5),
        1 => g.int32(6, 20),
        _ => g.pick(&[1000, 1_000_000]),
    });
    let on = g.maybe(0.5, |g| {
        let conditions = crate::scenario::schema::retry_conditions();
        (0..g.below(4)).map(|_| g.pick(&conditions)).collect::<Vec<_>>()
    });
    Table::new()
        .opt("max_attempts", max_attempts)
        .opt("on", on)
        .opt("backoff", backoff)
        .opt("base", base)
        .opt("cap", cap)
        .opt("min", min)
        .opt("multiplier", g.maybe(0.2, |g| g.pick(&[0.5, 1.0, 1.6, 3.0])))
        .opt("budget", g.maybe(0.4, budget))
}

/// A retry budget of any kind.
fn budget(g: &mut Gen) -> Table {
    let kind = |k: &str| Table::new().put("kind", k);
    match g.below(4) {
        0 => kind("grpc")
            .opt("max_tokens", g.maybe(0.6, |g| g.pick(&[0.5, 1.0, 10.0, 1000.0])))
            .opt("token_ratio", g.maybe(0.6, |g| g.pick(&[0.001, 0.1, 1.0]))),
        1 => kind("brooker")
            .opt("deposit", g.maybe(0.6, |g| g.pick(&[0.0, 0.1, 1.0])))
            .opt("capacity", g.maybe(0.6, |g| g.pick(&[0.5, 5.0, 100.0])))
            .opt("retry_cost", g.maybe(0.6, |g| g.pick(&[0.1, 1.0, 10.0]))),
        2 => kind("envoy")
            .opt("percent", g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100.0])))
            .opt("min_concurrent", g.maybe(0.6, |g| g.pick(&[0u32, 3, 100]))),
        _ => kind("finagle")
            .opt(
                "ttl",
                g.maybe(0.6, |g| g.pick(&[Dur::secs(1), Dur::secs(10), Dur::secs(60)])),
            )
            .opt(
                "min_retries_per_sec",
                g.maybe(0.6, |g| g.pick(&[0.0, 10.0, 1000.0])),
            )
            .opt("percent", g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100_000.0]))),
    }
}

fn breaker(g: &mut Gen) -> Table {
    let percent = |g: &mut Gen| g.pick(&[0.1, 1.0, 50.0, 100.0]);
    let kind = |k: &str| Table::new().put("kind", k);
    match g.below(3) {
        0 => kind("lesson")
            .opt("failure_threshold", g.maybe(0.6, |g| g.int32(1, 10)))
            .opt("window", g.maybe(0.5, |g| g.or(Dur(1), |g| g.dur(MS, 60 * S))))
            .opt("open_for", g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 30 * S))))
            .opt("success_threshold", g.maybe(0.5, |g| g.int32(1, 5))),
        1 => {
            let window = g.maybe(0.6, |g| {
                let time = g.chance(0.5);
                let n = g.int32(1, 100);
                if time {
                    Table::new().put("type", "time").put("seconds", n)
                } else {
                    Table::new().put("type", "count").put("size", n)
                }
            });
            kind("resilience4j")
                .opt("window", window)
                .opt("minimum_calls", g.maybe(0.7, |g| g.int32(1, 20)))
                .opt("failure_rate", g.maybe(0.5, percent))
                .opt("slow_call_rate", g.maybe(0.4, percent))
                .opt(
                    "slow_call_duration",
                    g.maybe(0.4, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
                )
                .opt(
                    "wait_in_open",
                    g.maybe(0.6, |g| g.or(Dur::ms(1), |g| g.dur(MS, 30 * S))),
                )
                .opt("permitted_in_half_open", g.maybe(0.5, |g| g.int32(1, 10)))
                .opt("automatic_transition", g.maybe_bool(0.6))
        }
        _ => kind("hystrix")
            .opt("window", g.maybe(0.6, |g| g.or(Dur(10), |g| g.dur(MS, 20 * S))))
            .opt("request_volume", g.maybe(0.6, |g| g.int32(1, 30)))
            .opt("error_percent", g.maybe(0.5, percent))
            .opt(
                "sleep_window",
                g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
            ),
    }
}

/// A policy part: sometimes switched off with `"none"`, else its table.
fn part(g: &mut Gen, f: impl FnOnce(&mut Gen) -> Table) -> Node {
    if g.chance(0.1) {
        "none".into_node()
    } else {
        f(g).into_node()
    }
}

/// The five timeouts, each present with probability 0.6.
fn timeouts(g: &mut Gen) -> Table {
    ["connect", "read", "write", "pool", "attempt"]
        .into_iter()
        .fold(Table::new(), |t, key| {
            let v = if g.chance(0.6) { Some(timeout(g)) } else { None };
            t.opt(key, v)
        })
}

fn policy(g: &mut Gen, shared_pool: &Table) -> Table {
    Table::new()
        .opt("timeouts", g.maybe(0.6, timeouts))
        .opt(
            "pool",
            g.maybe(0.45, |g| {
                // Policies naming the same shared pool must agree on its settings: they all get
                // the scenario's one shared pool.
                if g.chance(0.3) {
                    shared_pool.clone()
                } else {
                    pool(g)
                }
            }),
        )
        .opt("retry", g.maybe(0.55, |g| part(g, retry)))
        .opt("breaker", g.maybe(0.45, |g| part(g, breaker)))
        .opt(
            "bulkhead",
            g.maybe(0.35, |g| {
                part(g, |g| {
                    Table::new()
                        .opt("max_concurrent", g.maybe(0.8, |g| g.or(1, |g| g.int32(2, 50))))
                        .opt("max_wait", g.maybe(0.6, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S))))
                })
            }),
        )
        .opt("deadline", g.maybe(0.25, timeout))
        .opt("propagate_deadline", g.maybe_bool(0.3))
        .opt("fallback", g.maybe(0.5, fallback))
        .opt(
            "order",
            g.maybe_bool(0.4)
                .map(|r| if r { "resilience4j" } else { "lesson" }),
        )
}

/// A fallback: fail, degrade or defer, as a word or a table.
fn fallback(g: &mut Gen) -> Node {
    let kind = |k: &str| Table::new().put("kind", k).into_node();
    match g.below(6) {
        0 if g.chance(0.5) => kind("fail"),
        0 => "fail".into_node(),
        1 if g.chance(0.5) => kind("degrade"),
        1 => "degrade".into_node(),
        2 => "defer".into_node(),
        _ => Table::new()
            .put("kind", "defer")
            .opt(
                "retry_every",
                g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
            )
            .opt("capacity", g.maybe(0.6, |g| g.or(1, |g| g.int32(2, 100))))
            .into_node(),
    }
}

/// The feature words (see `features`) of a policy's retries, breaker and bulkhead, read off
/// its tree: beside the draws of those parts, so a new part's words come with its draws.
pub(super) fn resilience_features(p: &Node, add: &mut impl FnMut(String)) {
    match p.get("retry") {
        Some(r) if text(Some(r)) == Some("none") => add("retry:none".into()),
        Some(r) => {
            add(format!(
                "backoff:{}",
                word(r, &["backoff"]).unwrap_or("exponential")
            ));
            if let Some(kind) = word(r, &["budget", "kind"]) {
                add(format!("budget:{kind}"));
            }
            if int(r.get("max_attempts")).is_some_and(|n| n >= 1000) {
                add("retry:huge".into());
            }
        }
        None => {}
    }
    match p.get("breaker") {
        Some(b) if text(Some(b)) == Some("none") => add("breaker:none".into()),
        Some(b) => add(format!("breaker:{}", word(b, &["kind"]).unwrap_or("lesson"))),
        None => {}
    }
    if let Some(b) = p.get("bulkhead").filter(|b| text(Some(b)).is_none()) {
        add("bulkhead".into());
        if word(b, &["max_wait"]).is_none_or(|w| w == "0s") {
            add("bulkhead:no-wait".into());
        }
    }
}
