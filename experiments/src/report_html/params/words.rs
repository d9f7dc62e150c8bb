//! Scenario pieces in words for the parameters tables: numbers, durations and distributions,
//! loads, handler steps, probes, timeouts, backoffs, retry budgets and conditions, breakers,
//! fallbacks and routing. Each function returns plain text unless its doc says it returns HTML.

use std::fmt::Write as _;

use models::config::{
    Arrivals, CallStep, Discovery, Fallback, LbPolicy, Load, ProbeConfig, ProbePath, Scenario, Step, Timeouts,
};
use models::outcome::Failure;
use models::policy::backoff::Backoff;
use models::policy::breaker::{BreakerConfig, SlidingWindow};
use models::policy::budget::RetryBudgetConfig;
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use super::super::html::esc;

/// A number for people: integers without a fraction, others with up to three decimals.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() { "–".into() } else { "∞".into() };
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A duration of `v` seconds as the simulator prints durations (`5ms`, `1s`).
fn secs(v: f64) -> String {
    SimDuration::from_secs_f64(v).to_string()
}

/// An instant as the time since the start of the run.
pub fn at(t: SimTime) -> String {
    t.saturating_since(SimTime::ZERO).to_string()
}

/// The quantile `p` of `d` by bisection on its CDF (deterministic: the CDFs use libm).
fn quantile(d: &Dist, p: f64) -> f64 {
    let mut hi = 1.0;
    let mut doublings = 0;
    while d.cdf(hi) < p && doublings < 64 {
        hi *= 2.0;
        doublings += 1;
    }
    let mut lo = 0.0;
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if d.cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// A distribution of seconds in words: `5ms`, `exponential, mean 1s`, `lognormal, median 200ms, p99 600ms`.
pub fn dist(d: &Dist) -> String {
    let spread = |name: &str| {
        format!(
            "{name}, median {}, p99 {}",
            secs(quantile(d, 0.5)),
            secs(quantile(d, 0.99))
        )
    };
    match d {
        Dist::Constant { value } => secs(*value),
        Dist::Uniform { low, high } => format!("uniform {}–{}", secs(*low), secs(*high)),
        Dist::Exponential { mean } => format!("exponential, mean {}", secs(*mean)),
        Dist::Normal { mean, sd } => format!("normal, mean {}, sd {}", secs(*mean), secs(*sd)),
        Dist::LogNormal { .. } => spread("lognormal"),
        Dist::Pareto { scale, shape } => format!("pareto, min {}, shape {}", secs(*scale), fmt_num(*shape)),
        Dist::Mixture { components, .. } => spread(&format!("mixture of {}", components.len())),
        Dist::Empirical { .. } => spread("empirical"),
    }
}

/// One call step in words: callee, policy, and whether it is best effort.
fn call(s: &Scenario, c: &CallStep) -> String {
    let e = &s.edges[c.edge.idx()];
    let mut out = format!(
        "call {} [{}]",
        s.services[e.callee.idx()].name,
        s.policies[e.policy.idx()].name
    );
    if !c.required {
        out.push_str(" (best effort)");
    }
    out
}

/// A handler's steps in words, joined by arrows.
pub fn steps(s: &Scenario, steps: &[Step]) -> String {
    if steps.is_empty() {
        return "answers at once".into();
    }
    steps
        .iter()
        .map(|st| match st {
            Step::Work(w) => {
                if w.slope == SimDuration::ZERO {
                    format!("work {}", dist(&w.dist))
                } else {
                    format!("work {} + {} × in-flight", dist(&w.dist), w.slope)
                }
            }
            Step::Call(c) => call(s, c),
            Step::Parallel(cs) => format!(
                "in parallel: {}",
                cs.iter().map(|c| call(s, c)).collect::<Vec<_>>().join(", ")
            ),
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A client's load in words: open loop with its rate (curve), closed loop, or bursts.
pub fn load(l: &Load) -> String {
    match l {
        Load::Open { arrivals, rate } => {
            let kind = match arrivals {
                Arrivals::Poisson => "open loop, Poisson",
                Arrivals::Constant => "open loop, constant gaps",
            };
            if rate.points.len() == 1 {
                format!("{kind}, {}/s", fmt_num(rate.points[0].1))
            } else {
                let mut pts: Vec<String> = rate
                    .points
                    .iter()
                    .take(8)
                    .map(|&(t, r)| format!("{} {}/s", at(t), fmt_num(r)))
                    .collect();
                if rate.points.len() > 8 {
                    pts.push(format!("… ({} points)", rate.points.len()));
                }
                format!("{kind}, rate (linear between points): {}", pts.join(" → "))
            }
        }
        Load::Closed {
            users,
            think,
            start,
            ramp,
        } => {
            let mut s = format!("closed loop, {users} users, think {}", dist(think));
            if *start != SimTime::ZERO {
                let _ = write!(s, ", from {}", at(*start));
            }
            if !ramp.is_zero() {
                let _ = write!(s, ", starting over {ramp}");
            }
            s
        }
        Load::Burst { count, at: t, every } => match every {
            Some(e) => format!("bursts of {count} requests from {}, every {e}", at(*t)),
            None => format!("one burst of {count} requests at {}", at(*t)),
        },
    }
}

/// One probe as HTML: its kind, path, timings and thresholds, and its handler if any.
pub fn probe(kind: &str, p: &ProbeConfig, s: &Scenario) -> String {
    let path = match p.path {
        ProbePath::Shared => "<mark class=\"warn\">shared with traffic</mark>",
        ProbePath::Dedicated => "dedicated path",
    };
    let mut out = format!(
        "<b>{kind}</b>: {path} · delay {} · every {} · timeout {} · fails after {}",
        p.initial_delay, p.period, p.timeout, p.failure_threshold
    );
    if p.success_threshold > 1 {
        let _ = write!(out, " · passes after {}", p.success_threshold);
    }
    if !p.handler.is_empty() {
        let _ = write!(out, " · handler: {}", esc(&steps(s, &p.handler)));
    }
    out
}

/// A policy's timeouts as HTML; with none set, whether the deadline bounds the call.
pub fn timeouts(t: &Timeouts, deadline: Option<SimDuration>) -> String {
    let all = [t.connect, t.read, t.write, t.pool, t.attempt];
    if all.iter().all(Option::is_none) {
        return match deadline {
            None => "<mark class=\"bad\">none: waits forever</mark>".into(),
            Some(_) => "none (the deadline bounds the call)".into(),
        };
    }
    let f = |d: Option<SimDuration>| d.map_or("none".to_string(), |d| d.to_string());
    let mut s = format!(
        "connect {} · read {} · write {} · pool {}",
        f(t.connect),
        f(t.read),
        f(t.write),
        f(t.pool)
    );
    if let Some(a) = t.attempt {
        let _ = write!(s, " · attempt {a}");
    }
    esc(&s)
}

/// A retry backoff in words.
pub fn backoff(b: &Backoff) -> String {
    match b {
        Backoff::None => "no backoff".into(),
        Backoff::Fixed { delay } => format!("fixed {delay}"),
        Backoff::Exponential { base, cap } => format!("exponential {base}…{cap}"),
        Backoff::FullJitter { base, cap } => format!("full jitter {base}…{cap}"),
        Backoff::EqualJitter { base, cap } => format!("equal jitter {base}…{cap}"),
        Backoff::DecorrelatedJitter { base, cap } => format!("decorrelated jitter {base}…{cap}"),
        Backoff::DecorrelatedJitterV2 {
            median_first_delay,
            cap,
        } => format!("decorrelated jitter v2, first ≈{median_first_delay}, cap {cap}"),
        Backoff::Envoy { base, max } => format!("Envoy {base}…{max}"),
        Backoff::Grpc {
            initial,
            multiplier,
            max,
        } => format!("gRPC {initial} ×{} up to {max}", fmt_num(*multiplier)),
        Backoff::Tenacity { multiplier, min, max } => {
            format!("tenacity random exponential {multiplier}·2ⁿ, {min}…{max}")
        }
    }
}

/// A retry budget in words.
pub fn budget(b: &RetryBudgetConfig) -> String {
    match b {
        RetryBudgetConfig::GrpcThrottling {
            max_tokens,
            token_ratio,
        } => format!(
            "gRPC throttling: {} tokens, +{} per success",
            fmt_num(*max_tokens),
            fmt_num(*token_ratio)
        ),
        RetryBudgetConfig::Brooker {
            deposit,
            capacity,
            retry_cost,
        } => format!(
            "token bucket: +{} per call, holds {}, a retry costs {}",
            fmt_num(*deposit),
            fmt_num(*capacity),
            fmt_num(*retry_cost)
        ),
        RetryBudgetConfig::Envoy {
            budget_percent,
            min_retry_concurrency,
        } => format!(
            "Envoy: {}% of active requests, at least {min_retry_concurrency}",
            fmt_num(*budget_percent)
        ),
        RetryBudgetConfig::Finagle {
            ttl,
            min_retries_per_sec,
            percent_can_retry,
        } => format!(
            "Finagle: {}% of requests + {}/s over {ttl}",
            fmt_num(percent_can_retry * 100.0),
            fmt_num(*min_retries_per_sec)
        ),
    }
}

/// Retryable outcomes, named by the scenario's groups where a whole group is covered.
pub fn retry_on(mask: u32) -> String {
    let mut left = mask;
    let mut names: Vec<&str> = Vec::new();
    for (group, members) in Failure::groups() {
        if group == "unavailable" {
            continue;
        }
        let bits = members.iter().fold(0, |acc, f| acc | f.bit());
        if bits & left == bits {
            names.push(group);
            left &= !bits;
        }
    }
    for f in Failure::ALL {
        if left & f.bit() != 0 {
            names.push(f.name());
        }
    }
    if names.is_empty() {
        "nothing".into()
    } else {
        names.join(", ")
    }
}

/// A circuit breaker's configuration in words.
pub fn breaker(b: &BreakerConfig) -> String {
    match b {
        BreakerConfig::Lesson {
            failure_threshold,
            window,
            open_for,
            success_threshold,
            half_open_trials,
        } => {
            let trials = match half_open_trials {
                None => String::new(),
                Some(1) => ", at most one half-open trial call in flight".to_string(),
                Some(n) => format!(", at most {n} half-open trial calls in flight"),
            };
            format!(
                "lesson: opens at {failure_threshold} failures in {window}, open {open_for}, \
                 closes after {success_threshold} successes{trials}"
            )
        }
        BreakerConfig::Resilience4j {
            window,
            minimum_calls,
            failure_rate_threshold,
            slow_call_rate_threshold,
            slow_call_duration,
            wait_in_open,
            permitted_in_half_open,
            automatic_transition,
        } => {
            let w = match window {
                SlidingWindow::Count { size } => format!("last {size} calls"),
                SlidingWindow::Time { seconds } => format!("last {seconds} s"),
            };
            format!(
                "resilience4j: {w}, min {minimum_calls} calls, opens at {}% failures or {}% slower than \
                 {slow_call_duration}, open {wait_in_open}{}, {permitted_in_half_open} trial calls",
                fmt_num(*failure_rate_threshold),
                fmt_num(*slow_call_rate_threshold),
                if *automatic_transition { " (timer)" } else { "" }
            )
        }
        BreakerConfig::Hystrix {
            window,
            request_volume,
            error_percent,
            sleep_window,
        } => format!(
            "hystrix: ≥{request_volume} requests in {window} with ≥{}% errors, sleep {sleep_window}",
            fmt_num(*error_percent)
        ),
    }
}

/// What a call does when it fails, in words.
pub fn fallback(f: &Fallback) -> String {
    match f {
        Fallback::Fail => "fail".into(),
        Fallback::Degrade => "degrade (default answer)".into(),
        Fallback::Defer {
            retry_every,
            capacity,
        } => format!("defer: retried every {retry_every}, at most {capacity} queued"),
    }
}

/// A service's load balancing and discovery in words.
pub fn routing(lb: LbPolicy, d: Discovery) -> String {
    let lb = match lb {
        LbPolicy::RoundRobin => "round robin",
        LbPolicy::Random => "random",
        LbPolicy::LeastRequest => "least request",
    };
    let d = match d {
        Discovery::Watch { delay } => format!("watch, {delay} delay"),
        Discovery::Dns { ttl, delay } => format!("DNS, TTL {ttl}, {delay} delay"),
        Discovery::Registry { lag } => format!("registry, {lag} lag"),
    };
    format!("{lb} · {d}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_distributions_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(20.000000000000004), "20");
        assert_eq!(dist(&Dist::Constant { value: 0.005 }), "5ms");
        assert_eq!(dist(&Dist::exponential(1.0).unwrap()), "exponential, mean 1s");
        assert_eq!(
            dist(&Dist::lognormal_median_p99(0.2, 0.6).unwrap()),
            "lognormal, median 200ms, p99 600ms"
        );
    }

    #[test]
    fn retry_conditions_use_group_names() {
        let mask = [
            Failure::ReadTimeout,
            Failure::AttemptTimeout,
            Failure::WriteTimeout,
            Failure::Reset,
        ]
        .iter()
        .fold(0, |a, f| a | f.bit());
        assert_eq!(retry_on(mask), "timeout, reset");
        assert_eq!(retry_on(Failure::ConnectRefused.bit()), "connect_refused");
    }

    #[test]
    fn a_lesson_breaker_names_its_half_open_limit_only_when_set() {
        let lesson = |half_open_trials| BreakerConfig::Lesson {
            failure_threshold: 5,
            window: SimDuration::from_secs(60),
            open_for: SimDuration::from_secs(30),
            success_threshold: 2,
            half_open_trials,
        };
        let plain = "lesson: opens at 5 failures in 60s, open 30s, closes after 2 successes";
        assert_eq!(breaker(&lesson(None)), plain);
        assert_eq!(
            breaker(&lesson(Some(1))),
            format!("{plain}, at most one half-open trial call in flight")
        );
        assert_eq!(
            breaker(&lesson(Some(3))),
            format!("{plain}, at most 3 half-open trial calls in flight")
        );
    }
}
