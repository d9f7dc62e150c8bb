//! The form's policy fields: timeouts, deadline, pool, retry (conditions, backoff, budget),
//! breaker, each part with a room (`crate::policies`, which builds its fields), fallback and
//! order.

use models::config::{Fallback, PolicyConfig, PolicyOrder, RetryConfig};
use models::policy::breaker::{BreakerConfig, SlidingWindow};
use models::policy::budget::RetryBudgetConfig;

use super::{Field, Group, Kind, duration};
use crate::policies::PARTS;
use crate::scenario::schema::{BACKOFF_NAMES, MAX_BREAKER_COUNT, MAX_WINDOW_SECONDS, retry_conditions};
use crate::scenario::tree::{Node, Value, render_key};

/// Every key of a declared policy (`written` is its table as the file writes it).
pub(super) fn policy(out: &mut Vec<Field>, p: &PolicyConfig, written: &Node) {
    let mut g = Group::new(
        out,
        format!("policy {}", p.name),
        format!("policies.{}.", render_key(&p.name)),
    );
    let t = &p.timeouts;
    for (key, v) in [
        ("timeouts.connect", t.connect),
        ("timeouts.read", t.read),
        ("timeouts.write", t.write),
        ("timeouts.pool", t.pool),
        ("timeouts.attempt", t.attempt),
        ("deadline", p.deadline),
    ] {
        g.timeout(key, v);
    }
    g.bool("propagate_deadline", p.propagate_deadline);
    let pool = &p.pool;
    g.int(
        "pool.max_connections",
        u64::from(pool.max_connections),
        "connections",
        1,
        None,
    );
    g.int(
        "pool.max_keepalive",
        u64::from(pool.max_keepalive),
        "connections",
        0,
        None,
    );
    g.dur("pool.keepalive_expiry", pool.keepalive_expiry);
    g.toml(
        "pool.connect_time",
        written.get("pool").and_then(|n| n.get("connect_time")),
        "\"0s\"",
    )
    .note = "handshake cost of a new connection: a duration or a distribution".into();
    g.bool("pool.sticky", pool.sticky);
    g.add("pool.shared", Kind::Text, pool.shared.clone().unwrap_or_default())
        .note = "a pool name shared by the policies naming it (empty: one pool per edge)".into();
    let part = |key: &str| written.get(key).filter(|n| n.value != Value::Str("none".into()));
    match (&p.retry, part("retry")) {
        (Some(r), Some(w)) => retry(&mut g, r, w),
        _ => g.none_part("retry", "{ max_attempts = 3, backoff = \"full_jitter\" }"),
    }
    match (&p.breaker, part("breaker")) {
        (Some(b), Some(w)) => breaker(&mut g, b, w),
        _ => g.none_part("breaker", "{ kind = \"lesson\", failure_threshold = 5 }"),
    }
    for x in &PARTS {
        (x.form)(&mut g, p, part(x.key));
    }
    fallback(&mut g, &p.fallback, written.get("fallback"));
    let order = match p.order {
        PolicyOrder::Lesson => "lesson",
        PolicyOrder::Resilience4j => "resilience4j",
    };
    g.choice("order", order, &["lesson", "resilience4j"]);
}

/// The retry's keys: attempts, conditions, backoff and its parameters, budget.
fn retry(g: &mut Group<'_>, r: &RetryConfig, written: &Node) {
    g.int(
        "retry.max_attempts",
        u64::from(r.max_attempts),
        "attempts",
        1,
        None,
    );
    let choices = retry_conditions();
    let on: Vec<String> = match written.get("on").map(|n| &n.value) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => crate::scenario::schema::DEFAULT_RETRY_ON
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let checked: Vec<String> = choices
        .iter()
        .filter(|c| on.iter().any(|o| o == *c))
        .map(|c| format!("\"{c}\""))
        .collect();
    let f = g.add("retry.on", Kind::Multi, format!("[{}]", checked.join(", ")));
    f.choices = choices.iter().map(|c| c.to_string()).collect();
    f.note = "the failures retried: groups, or single reasons".into();
    let str_at = |k: &str| match written.get(k).map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let backoff = str_at("backoff").unwrap_or_else(|| "exponential".into());
    g.choice("retry.backoff", &backoff, &BACKOFF_NAMES);
    // Each strategy's defaults (docs/scenarios.md, backoffs); keys a strategy does not use are
    // checked and ignored, so they are shown whatever the strategy.
    let base_default = match backoff.as_str() {
        "envoy" => "25ms",
        "tenacity" => "1s",
        _ => "100ms",
    };
    let base = str_at("base").unwrap_or_else(|| base_default.into());
    g.add("retry.base", Kind::Duration, base.clone());
    let cap = str_at("cap").unwrap_or_else(|| match backoff.as_str() {
        "envoy" => crate::scenario::parse_duration(&base)
            .map(|b| duration(b.saturating_mul(10)))
            .unwrap_or_default(),
        "tenacity" => String::new(),
        _ => "20s".into(),
    });
    g.add("retry.cap", Kind::Duration, cap).note = "empty with tenacity: no cap".into();
    g.add(
        "retry.min",
        Kind::Duration,
        str_at("min").unwrap_or_else(|| "0s".into()),
    )
    .note = "tenacity only: the floor of every sleep".into();
    let multiplier = match written.get("multiplier").map(|n| &n.value) {
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Float(x)) => x.to_string(),
        _ if backoff == "tenacity" => String::new(),
        _ => "1.6".into(),
    };
    let f = g.add("retry.multiplier", Kind::Float, multiplier);
    f.min = Some(0.0);
    f.note = "grpc only: the backoff multiplier".into();
    match (&r.budget, written.get("budget")) {
        (Some(b), Some(w)) => budget(g, b, w),
        _ => {
            g.add("retry.budget", Kind::Toml, String::new()).note =
                "no budget; e.g. { kind = \"grpc\", max_tokens = 10, token_ratio = 0.1 }".into();
        }
    }
}

/// The retry budget: its kind and that kind's keys.
fn budget(g: &mut Group<'_>, b: &RetryBudgetConfig, written: &Node) {
    let kind = match b {
        RetryBudgetConfig::GrpcThrottling { .. } => "grpc",
        RetryBudgetConfig::Brooker { .. } => "brooker",
        RetryBudgetConfig::Envoy { .. } => "envoy",
        RetryBudgetConfig::Finagle { .. } => "finagle",
    };
    g.kind_select(
        "retry.budget",
        kind,
        Some(written),
        "",
        &[("grpc", ""), ("brooker", ""), ("envoy", ""), ("finagle", "")],
    );
    match *b {
        RetryBudgetConfig::GrpcThrottling {
            max_tokens,
            token_ratio,
        } => {
            g.float("retry.budget.max_tokens", max_tokens, "tokens", 0.0, Some(1000.0));
            g.float(
                "retry.budget.token_ratio",
                token_ratio,
                "tokens per success",
                0.0,
                None,
            );
        }
        RetryBudgetConfig::Brooker {
            deposit,
            capacity,
            retry_cost,
        } => {
            g.float("retry.budget.deposit", deposit, "tokens per call", 0.0, None);
            g.float("retry.budget.capacity", capacity, "tokens", 0.0, None);
            g.float("retry.budget.retry_cost", retry_cost, "tokens", 0.0, None);
        }
        RetryBudgetConfig::Envoy {
            budget_percent,
            min_retry_concurrency,
        } => {
            g.float("retry.budget.percent", budget_percent, "%", 0.0, Some(100.0));
            g.int(
                "retry.budget.min_concurrent",
                u64::from(min_retry_concurrency),
                "retries",
                0,
                None,
            );
        }
        RetryBudgetConfig::Finagle {
            ttl,
            min_retries_per_sec,
            percent_can_retry,
        } => {
            g.dur("retry.budget.ttl", ttl).note = "1s to 60s".into();
            g.float(
                "retry.budget.min_retries_per_sec",
                min_retries_per_sec,
                "retries/s",
                0.0,
                None,
            );
            g.float(
                "retry.budget.percent",
                percent_can_retry * 100.0,
                "%",
                0.0,
                Some(100_000.0),
            );
        }
    }
}

/// A breaker count: 1 to [`MAX_BREAKER_COUNT`].
fn count(g: &mut Group<'_>, key: &str, n: u32, unit: &'static str) {
    g.int(key, u64::from(n), unit, 1, Some(u64::from(MAX_BREAKER_COUNT)));
}

/// The breaker: its kind and that kind's keys.
fn breaker(g: &mut Group<'_>, b: &BreakerConfig, written: &Node) {
    g.kind_select(
        "breaker",
        b.name(),
        Some(written),
        "",
        &[("lesson", ""), ("resilience4j", ""), ("hystrix", "")],
    );
    match *b {
        BreakerConfig::Lesson {
            failure_threshold,
            window,
            open_for,
            success_threshold,
            half_open_trials,
        } => {
            count(g, "breaker.failure_threshold", failure_threshold, "failures");
            g.dur("breaker.window", window);
            g.dur("breaker.open_for", open_for);
            count(g, "breaker.success_threshold", success_threshold, "successes");
            let f = g.add(
                "breaker.half_open_trials",
                Kind::IntOrNone,
                half_open_trials.map_or_else(|| "none".into(), |n| n.to_string()),
            );
            f.min = Some(1.0);
            f.max = Some(f64::from(MAX_BREAKER_COUNT));
            f.note = "calls let through at once while half-open (none: no limit)".into();
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
            window_select(g, window);
            match window {
                SlidingWindow::Count { size } => {
                    count(g, "breaker.window.size", size, "calls");
                }
                SlidingWindow::Time { seconds } => {
                    g.int(
                        "breaker.window.seconds",
                        u64::from(seconds),
                        "s",
                        1,
                        Some(u64::from(MAX_WINDOW_SECONDS)),
                    );
                }
            }
            count(g, "breaker.minimum_calls", minimum_calls, "calls");
            g.float(
                "breaker.failure_rate",
                failure_rate_threshold,
                "%",
                0.0,
                Some(100.0),
            );
            g.float(
                "breaker.slow_call_rate",
                slow_call_rate_threshold,
                "%",
                0.0,
                Some(100.0),
            );
            g.dur("breaker.slow_call_duration", slow_call_duration);
            g.dur("breaker.wait_in_open", wait_in_open);
            count(
                g,
                "breaker.permitted_in_half_open",
                permitted_in_half_open,
                "calls",
            );
            g.bool("breaker.automatic_transition", automatic_transition);
        }
        BreakerConfig::Hystrix {
            window,
            request_volume,
            error_percent,
            sleep_window,
        } => {
            g.dur("breaker.window", window);
            count(g, "breaker.request_volume", request_volume, "calls");
            g.float("breaker.error_percent", error_percent, "%", 0.0, Some(100.0));
            g.dur("breaker.sleep_window", sleep_window);
        }
    }
}

/// `fallback`: a select when the file writes a word (or nothing), the deferral's keys as TOML
/// when it writes a table.
fn fallback(g: &mut Group<'_>, f: &Fallback, written: Option<&Node>) {
    if let Some(w) = written.filter(|w| matches!(w.value, Value::Table(_))) {
        g.toml("fallback", Some(w), "").note =
            "{ kind = \"defer\", retry_every = \"10s\", capacity = 10000 }, or fail / degrade".into();
        return;
    }
    let value = match f {
        Fallback::Fail => "fail",
        Fallback::Degrade => "degrade",
        Fallback::Defer { .. } => "defer",
    };
    g.choice("fallback", value, &["fail", "degrade", "defer"]);
}

/// A resilience4j window's type as a select whose values are whole `window` tables, so that
/// switching it is one `--set` the reader accepts (a bare `window.type` would leave the other
/// type's size key behind). The other type starts at resilience4j's default size, 100
/// (`slidingWindowSize`, for either type).
fn window_select(g: &mut Group<'_>, window: SlidingWindow) {
    let count = |size: u32| format!("{{ type = \"count\", size = {size} }}");
    let time = |seconds: u32| format!("{{ type = \"time\", seconds = {seconds} }}");
    let (value, choices) = match window {
        SlidingWindow::Count { size } => (count(size), [count(size), time(100)]),
        SlidingWindow::Time { seconds } => (time(seconds), [count(100), time(seconds)]),
    };
    let f = g.add("breaker.window", Kind::Enum, value);
    f.choices = choices.to_vec();
    f.labels = vec!["count".into(), "time".into()];
    f.note = "switching the type replaces the window (the other type starts at 100)".into();
}
