//! Inline TOML values of a policy's parts: pool, retries (with their budget), circuit breaker
//! and fallback.

use super::super::{BreakerSpec, BudgetSpec, DistSpec, FallbackSpec, PoolSpec, RetrySpec};
use super::inline::{Inline, array, dur, num, quote};

pub(super) fn pool(p: &PoolSpec) -> String {
    let mut t = Inline::default();
    t.opt("max_connections", p.max_connections, |n| n.to_string())
        .opt("max_keepalive", p.max_keepalive, |n| n.to_string())
        .opt("keepalive_expiry", p.keepalive_expiry, dur)
        .opt("connect_time", p.connect_time.as_ref(), DistSpec::value)
        .opt("sticky", p.sticky, |b| b.to_string())
        .opt("shared", p.shared.as_deref(), quote);
    t.render()
}

pub(super) fn retry(r: &RetrySpec) -> String {
    let mut t = Inline::default();
    t.opt("max_attempts", r.max_attempts, |n| n.to_string())
        .opt("on", r.on.as_ref(), |on| {
            array(on.iter().map(|s| quote(s)).collect())
        })
        .opt("backoff", r.backoff, quote)
        .opt("base", r.base, dur)
        .opt("cap", r.cap, dur)
        .opt("min", r.min, dur)
        .opt("multiplier", r.multiplier, num);
    if let Some(b) = &r.budget {
        let mut bt = Inline::default();
        match b {
            BudgetSpec::Grpc(max, ratio) => {
                bt.put("kind", quote("grpc"))
                    .opt("max_tokens", *max, num)
                    .opt("token_ratio", *ratio, num);
            }
            BudgetSpec::Brooker(deposit, capacity, cost) => {
                bt.put("kind", quote("brooker"))
                    .opt("deposit", *deposit, num)
                    .opt("capacity", *capacity, num)
                    .opt("retry_cost", *cost, num);
            }
            BudgetSpec::Envoy(percent, min) => {
                bt.put("kind", quote("envoy")).opt("percent", *percent, num).opt(
                    "min_concurrent",
                    *min,
                    |n| n.to_string(),
                );
            }
            BudgetSpec::Finagle(ttl, min, percent) => {
                bt.put("kind", quote("finagle"))
                    .opt("ttl", *ttl, dur)
                    .opt("min_retries_per_sec", *min, num)
                    .opt("percent", *percent, num);
            }
        }
        t.put("budget", bt.render());
    }
    t.render()
}

pub(super) fn breaker(b: &BreakerSpec) -> String {
    let mut t = Inline::default();
    let count = |n: u32| n.to_string();
    match b {
        BreakerSpec::Lesson(failures, window, open_for, successes) => {
            t.put("kind", quote("lesson"))
                .opt("failure_threshold", *failures, count)
                .opt("window", *window, dur)
                .opt("open_for", *open_for, dur)
                .opt("success_threshold", *successes, count);
        }
        BreakerSpec::R4j(r) => {
            t.put("kind", quote("resilience4j"));
            t.opt("window", r.window, |(time, n)| {
                let mut w = Inline::default();
                if time {
                    w.put("type", quote("time")).put("seconds", n.to_string());
                } else {
                    w.put("type", quote("count")).put("size", n.to_string());
                }
                w.render()
            })
            .opt("minimum_calls", r.minimum_calls, count)
            .opt("failure_rate", r.failure_rate, num)
            .opt("slow_call_rate", r.slow_call_rate, num)
            .opt("slow_call_duration", r.slow_call_duration, dur)
            .opt("wait_in_open", r.wait_in_open, dur)
            .opt("permitted_in_half_open", r.permitted_in_half_open, count)
            .opt("automatic_transition", r.automatic_transition, |b| b.to_string());
        }
        BreakerSpec::Hystrix(window, volume, percent, sleep) => {
            t.put("kind", quote("hystrix"))
                .opt("window", *window, dur)
                .opt("request_volume", *volume, count)
                .opt("error_percent", *percent, num)
                .opt("sleep_window", *sleep, dur);
        }
    }
    t.render()
}

pub(super) fn fallback(f: &FallbackSpec) -> String {
    match f {
        FallbackSpec::Fail(false) => quote("fail"),
        FallbackSpec::Fail(true) => "{ kind = \"fail\" }".into(),
        FallbackSpec::Degrade(false) => quote("degrade"),
        FallbackSpec::Degrade(true) => "{ kind = \"degrade\" }".into(),
        FallbackSpec::Defer => quote("defer"),
        FallbackSpec::DeferTable(every, capacity) => {
            let mut t = Inline::default();
            t.put("kind", quote("defer"))
                .opt("retry_every", *every, dur)
                .opt("capacity", *capacity, |n| n.to_string());
            t.render()
        }
    }
}
