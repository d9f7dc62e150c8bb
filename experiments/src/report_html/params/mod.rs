//! "Parameters that matter": the effective scenario as compact tables (clients and their load,
//! services with their pods, queues and probes, the policies on each edge, faults with their
//! windows), read from the typed, validated [`Scenario`] so defaults are shown as they apply.
//!
//! This module lays out the tables; [`words`] phrases each piece of the scenario.

mod words;

use std::fmt::Write as _;

use models::config::{ClientConfig, PolicyConfig, PolicyOrder, QueueOrder, Scenario, ServiceConfig};
use sim_core::dist::Dist;

use super::html::{Cell, esc, num, raw, table, text};
use crate::policies::PARTS;
use models::world::order_words;
pub(crate) use words::{at, backoff, breaker, fallback, fmt_num, load, steps};
use words::{budget, dist, probe, retry_on, routing, timeouts};

/// Writes the parameters section body: the facts line, then the clients, services, policies
/// and faults tables.
pub fn write(out: &mut String, s: &Scenario) {
    facts(out, s);
    clients(out, s);
    services(out, s);
    policies(out, s);
    faults(out, s);
}

/// The one-line summary: run length, bucket, network latency and how many of each part.
fn facts(out: &mut String, s: &Scenario) {
    let _ = writeln!(
        out,
        "<p class=\"facts\">Simulated {} in buckets of {} · network latency {} one way · \
         {} client(s), {} service(s), {} call edge(s), {} fault(s)</p>",
        s.duration,
        s.bucket,
        esc(&dist(&s.network_latency)),
        s.clients.len(),
        s.services.len(),
        s.edges.len(),
        s.faults.len()
    );
}

/// The clients table (nothing when there are no clients): callee, load, policy, deadline.
fn clients(out: &mut String, s: &Scenario) {
    let rows: Vec<Vec<Cell>> = s.clients.iter().map(|c| client_row(s, c)).collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<h3>Clients</h3>\n");
    table(
        out,
        "params clients",
        &[
            ("client", false),
            ("calls", false),
            ("load", false),
            ("policy", false),
            ("gives up after", false),
        ],
        &rows,
    );
}

/// One client's row of the clients table.
fn client_row(s: &Scenario, c: &ClientConfig) -> Vec<Cell> {
    let e = &s.edges[c.edge.idx()];
    let p = &s.policies[e.policy.idx()];
    vec![
        text(&c.name),
        text(&s.services[e.callee.idx()].name),
        text(&load(&c.load)),
        text(&p.name),
        text(&p.deadline.map_or("none".to_string(), |d| d.to_string())),
    ]
}

/// The services table: pods, queue, handler, probes, startup and routing.
fn services(out: &mut String, s: &Scenario) {
    let rows: Vec<Vec<Cell>> = s.services.iter().map(|v| service_row(s, v)).collect();
    out.push_str("<h3>Services</h3>\n");
    table(
        out,
        "params services",
        &[
            ("service", false),
            ("replicas", true),
            ("slots per pod", true),
            ("queue per pod", false),
            ("handler", false),
            ("probes", false),
            ("startup · routing", false),
        ],
        &rows,
    );
}

/// One service's row of the services table.
fn service_row(s: &Scenario, v: &ServiceConfig) -> Vec<Cell> {
    vec![
        text(&v.name),
        num(v.replicas),
        num(v.slots),
        text(&queue(v)),
        text(&steps(s, &v.steps)),
        raw(probes(s, v)),
        text(&lifecycle(v)),
    ]
}

/// A service's probes as HTML, one per line (startup, liveness, readiness), or `none`.
fn probes(s: &Scenario, v: &ServiceConfig) -> String {
    let lc = &v.lifecycle;
    let mut probes: Vec<String> = Vec::new();
    for (kind, p) in [
        ("startup", &lc.startup_probe),
        ("liveness", &lc.liveness),
        ("readiness", &lc.readiness),
    ] {
        if let Some(p) = p {
            probes.push(probe(kind, p, s));
        }
    }
    if probes.is_empty() {
        "none".to_string()
    } else {
        probes.join("<br>")
    }
}

/// A pod's queue in words: its capacity and order, or none.
fn queue(v: &ServiceConfig) -> String {
    let order = match v.queue.order {
        QueueOrder::Fifo => "FIFO",
        QueueOrder::Lifo => "LIFO",
    };
    if v.queue.capacity == 0 {
        "none (reject when busy)".to_string()
    } else {
        format!("{} {order}", v.queue.capacity)
    }
}

/// A service's start (warm or cold, startup time), routing, and whether it honours deadlines.
fn lifecycle(v: &ServiceConfig) -> String {
    let lc = &v.lifecycle;
    let mut lifecycle = if lc.warm_start {
        format!("warm start (startup {})", dist(&lc.startup))
    } else {
        format!("cold start, startup {}", dist(&lc.startup))
    };
    let _ = write!(lifecycle, " · {}", routing(v.lb, v.discovery));
    if v.honour_deadlines {
        lifecycle.push_str(" · honours deadlines");
    }
    lifecycle
}

/// The call policies table, for the policies some edge uses (nothing when none is used).
fn policies(out: &mut String, s: &Scenario) {
    let rows: Vec<Vec<Cell>> = s
        .policies
        .iter()
        .enumerate()
        .filter(|(i, _)| s.edges.iter().any(|e| e.policy.idx() == *i))
        .map(|(i, p)| policy_row(s, i, p))
        .collect();
    if rows.is_empty() {
        return;
    }
    out.push_str("<h3>Call policies</h3>\n");
    let mut heads = vec![
        ("policy", false),
        ("used on", false),
        ("timeouts · pool", false),
        ("retry", false),
        ("circuit breaker", false),
    ];
    heads.extend(PARTS.iter().map(|part| (part.header, false)));
    heads.extend([("deadline", false), ("fallback", false)]);
    table(out, "params policies", &heads, &rows);
}

/// The row of policy number `i`, `p`, in the call policies table.
fn policy_row(s: &Scenario, i: usize, p: &PolicyConfig) -> Vec<Cell> {
    let used: Vec<String> = s
        .edges
        .iter()
        .filter(|e| e.policy.idx() == i)
        .map(|e| format!("{}→{}", s.caller_name(e.caller), s.services[e.callee.idx()].name))
        .collect();
    let mut name = esc(&p.name);
    if p.order == PolicyOrder::Resilience4j {
        let _ = write!(name, "<br><small>order: {}</small>", order_words(p.order));
    }
    let mut row = vec![
        raw(name),
        text(&used.join(", ")),
        raw(format!(
            "{}<br><small>{}</small>",
            timeouts(&p.timeouts, p.deadline),
            esc(&pool(p))
        )),
        text(&retry(p)),
        text(&p.breaker.as_ref().map_or("—".to_string(), breaker)),
    ];
    row.extend(PARTS.iter().map(|part| text(&(part.words)(p))));
    row.extend([text(&deadline(p)), text(&fallback(&p.fallback))]);
    row
}

/// A policy's connection pool in words: limits, keep-alive, sharing, stickiness, connect time.
pub(crate) fn pool(p: &PolicyConfig) -> String {
    let pool = &p.pool;
    let count = |n: u32| {
        if n == u32::MAX {
            "unlimited".to_string()
        } else {
            n.to_string()
        }
    };
    let mut pool_text = format!(
        "pool: {} connections, {} kept alive {}",
        count(pool.max_connections),
        count(pool.max_keepalive),
        pool.keepalive_expiry
    );
    if let Some(shared) = &pool.shared {
        let _ = write!(pool_text, ", shared pool `{shared}`");
    }
    if pool.sticky {
        pool_text.push_str(", sticky");
    }
    if pool.connect_time != (Dist::Constant { value: 0.0 }) {
        let _ = write!(pool_text, ", connect {}", dist(&pool.connect_time));
    }
    pool_text
}

/// A policy's retry in words: attempts, backoff, conditions and budget, or `—` without retry.
pub(crate) fn retry(p: &PolicyConfig) -> String {
    match &p.retry {
        None => "—".to_string(),
        Some(r) => {
            let mut t = format!(
                "{} attempts · {} · on {}",
                r.max_attempts,
                backoff(&r.backoff),
                retry_on(r.on.mask)
            );
            if let Some(b) = &r.budget {
                let _ = write!(t, " · budget: {}", budget(b));
            }
            t
        }
    }
}

/// A policy's deadline and whether it is propagated, or `—` without one.
pub(crate) fn deadline(p: &PolicyConfig) -> String {
    match p.deadline {
        None => "—".to_string(),
        Some(d) if p.propagate_deadline => format!("{d}, propagated"),
        Some(d) => d.to_string(),
    }
}

/// The faults table, or a line saying there are none.
fn faults(out: &mut String, s: &Scenario) {
    let rows: Vec<Vec<Cell>> = s
        .faults
        .iter()
        .map(|f| {
            vec![
                text(&s.services[f.service.idx()].name),
                text(&models::world::describe_fault(f)),
                num(at(f.from)),
                num(f.end().map_or("end of run".to_string(), at)),
            ]
        })
        .collect();
    out.push_str("<h3>Faults</h3>\n");
    if rows.is_empty() {
        out.push_str("<p>No faults: the scenario runs on healthy services.</p>\n");
    } else {
        table(
            out,
            "params faults",
            &[
                ("service", false),
                ("fault", false),
                ("from", true),
                ("until", true),
            ],
            &rows,
        );
    }
}
