//! From a scenario to its topology picture (plots' [`Topology`]): clients and services as boxes
//! (replicas, slots, queue capacity; a client's load), an arrow per edge labelled with its
//! policy's name and a compact summary (timeouts, tries and backoff, breaker kind, each part with a
//! room in `crate::policies`, deadline, fallback), and each fault printed in the box of the service it strikes with its
//! window. Hover tooltips carry the full names and the policy in words (the phrasing of the
//! report's parameters tables).
//!
//! A large scenario shows the [`MAX_SERVICES`] services and [`MAX_CLIENTS`] clients in most
//! trouble ([`select::most_troubled`]; services struck by a fault first), with a note for the
//! rest, and only the edges between what it shows; plots bounds the picture further.

use models::config::{
    Caller, ClientConfig, Fallback, FaultConfig, FaultKind, PolicyConfig, Scenario, ServiceConfig,
};
use models::ids::EdgeIdx;
use models::report::Report;
use plots::{Arrow, Node, NodeKind, Topology};
use sim_core::time::SimDuration;

use super::select;
use crate::policies::PARTS;
use crate::report_html::params as words;

/// Most services a topology shows: as many as plots draws in one column, so that none of those
/// chosen is left out again by plots' own limit even when all sit at the same depth.
pub const MAX_SERVICES: usize = plots::MAX_PER_LAYER;
/// Most clients a topology shows.
pub const MAX_CLIENTS: usize = 8;

/// The topology of `scenario`; `report` ranks what a large scenario shows.
pub fn topology(scenario: &Scenario, report: &Report, hash: &str) -> Topology {
    let mut notes = Vec::new();
    let clients = chosen_clients(scenario, report, &mut notes);
    let services = chosen_services(scenario, report, &mut notes);
    let mut nodes: Vec<Node> = clients
        .iter()
        .map(|&c| client_node(&scenario.clients[c]))
        .collect();
    nodes.extend(services.iter().map(|&s| service_node(scenario, s)));
    let node_of = |caller: Caller| match caller {
        Caller::Client(c) => clients.iter().position(|&x| x == c as usize),
        Caller::Service(s) => services
            .iter()
            .position(|&x| x == s.idx())
            .map(|p| p + clients.len()),
    };
    let mut arrows = Vec::new();
    for (i, e) in scenario.edges.iter().enumerate() {
        let to = services.iter().position(|&x| x == e.callee.idx());
        if let (Some(from), Some(to)) = (node_of(e.caller), to) {
            let p = &scenario.policies[e.policy.idx()];
            arrows.push(Arrow {
                from,
                to: to + clients.len(),
                policy: p.name.clone(),
                summary: summary(p),
                tooltip: arrow_tooltip(scenario, EdgeIdx(i as u32), p),
            });
        }
    }
    Topology {
        title: format!("{}: topology", scenario.name),
        subtitle: format!(
            "scenario {hash} · {} · {} · {} · arrows are calls, labelled with their policy",
            select::count(scenario.clients.len(), "client"),
            select::count(scenario.services.len(), "service"),
            select::count(scenario.edges.len(), "edge")
        ),
        notes,
        nodes,
        arrows,
    }
}

/// The clients shown: all, or the [`MAX_CLIENTS`] in most trouble, with a note for the rest.
fn chosen_clients(scenario: &Scenario, report: &Report, notes: &mut Vec<String>) -> Vec<usize> {
    let chosen = select::most_troubled(super::client_troubles(scenario, report).into_iter(), MAX_CLIENTS);
    if chosen.len() < scenario.clients.len() {
        notes.push(format!(
            "Clients: the {} in most trouble shown; and {} (see summary.json)",
            chosen.len(),
            select::more(scenario.clients.len() - chosen.len(), "client")
        ));
    }
    chosen
}

/// The services shown: all, or the [`MAX_SERVICES`] in most trouble, those struck by a fault
/// first, with a note for the rest.
fn chosen_services(scenario: &Scenario, report: &Report, notes: &mut Vec<String>) -> Vec<usize> {
    let faulted = |i: usize| scenario.faults.iter().any(|f| f.service.idx() == i);
    let ranked = super::service_troubles(scenario, report)
        .into_iter()
        .enumerate()
        .map(|(i, (name, t))| (name, [u64::from(faulted(i)), t[0], t[1], t[2]]));
    let chosen = select::most_troubled(ranked, MAX_SERVICES);
    if chosen.len() < scenario.services.len() {
        notes.push(format!(
            "Services: the {} in most trouble shown (struck by a fault first); and {} (see summary.json)",
            chosen.len(),
            select::more(scenario.services.len() - chosen.len(), "service")
        ));
    }
    chosen
}

/// A client's box: its load.
fn client_node(c: &ClientConfig) -> Node {
    let load = words::load(&c.load);
    Node {
        kind: NodeKind::Client,
        name: c.name.clone(),
        details: vec![load.clone()],
        faults: Vec::new(),
        tooltip: format!("client {}\nload: {load}", c.name),
    }
}

/// A service's box: pods, slots and queue, and the faults that strike it with their windows.
fn service_node(s: &Scenario, i: usize) -> Node {
    let v: &ServiceConfig = &s.services[i];
    let pods = format!(
        "{} × {}",
        select::count(v.replicas as usize, "replica"),
        select::count(v.slots as usize, "slot")
    );
    let queue = format!("queue {}", v.queue.capacity);
    let faults: Vec<&FaultConfig> = s.faults.iter().filter(|f| f.service.idx() == i).collect();
    let mut tooltip = format!(
        "service {}\n{pods}, {queue}\nhandler: {}",
        v.name,
        words::steps(s, &v.steps)
    );
    for f in &faults {
        tooltip.push_str(&format!(
            "\nfault: {}, {}",
            models::world::describe_fault(f),
            window(f)
        ));
    }
    Node {
        kind: NodeKind::Service,
        name: v.name.clone(),
        details: vec![pods, queue],
        faults: faults
            .iter()
            .map(|f| format!("{}, {}", short_fault(f), window(f)))
            .collect(),
        tooltip,
    }
}

/// A fault's window: `from–until`, a restart's or reschedule's downtime, or `from …` to the end.
fn window(f: &FaultConfig) -> String {
    match f.end() {
        Some(end) => format!("{}–{}", words::at(f.from), words::at(end)),
        None => format!("from {}", words::at(f.from)),
    }
}

/// A fault in a few words, with the number of pods it strikes when not all, for its box (the
/// tooltip has [`models::world::describe_fault`]).
fn short_fault(f: &FaultConfig) -> String {
    let what = match &f.kind {
        FaultKind::Slow { latency: Some(l), .. } => format!("slow ({l})"),
        FaultKind::Slow { multiplier, .. } => format!("slow ×{}", words::fmt_num(*multiplier)),
        FaultKind::Errors { rate, .. } => format!("errors {}%", words::fmt_num(rate * 100.0)),
        FaultKind::Crash { blackhole: false } => "crash".to_string(),
        FaultKind::Crash { blackhole: true } => "black hole".to_string(),
        FaultKind::CapacityCut { slots: Some(n), .. } => format!("capacity cut to {n}"),
        FaultKind::CapacityCut {
            slots: None,
            multiplier,
        } => format!("capacity ×{}", words::fmt_num(*multiplier)),
        FaultKind::Leak { .. } => "leak".to_string(),
        FaultKind::Restart { .. } => "restart".to_string(),
        FaultKind::Reschedule { .. } => "reschedule".to_string(),
    };
    match f.pods {
        Some(n) => format!("⚠ {what} on {}", select::count(n as usize, "pod")),
        None => format!("⚠ {what}"),
    }
}

/// The set timeouts, attempt first, as `name value` pairs.
fn timeouts(p: &PolicyConfig) -> Vec<String> {
    let t = &p.timeouts;
    [
        ("attempt", t.attempt),
        ("read", t.read),
        ("connect", t.connect),
        ("write", t.write),
        ("pool", t.pool),
    ]
    .into_iter()
    .filter_map(|(n, d)| d.map(|d: SimDuration| format!("{n} {d}")))
    .collect()
}

/// A policy in short parts: the first two timeouts set (and how many more), tries and backoff,
/// breaker kind, each part with a room (`crate::policies`), deadline, fallback; only what is set, or "no timeouts" when
/// nothing bounds a try.
fn summary(p: &PolicyConfig) -> Vec<String> {
    let t = timeouts(p);
    let mut parts = vec![match t.len() {
        0 => "no timeouts".to_string(),
        1 | 2 => format!("timeout {}", t.join(", ")),
        n => format!("timeout {} (+{} more)", t[..2].join(", "), n - 2),
    }];
    if let Some(r) = &p.retry {
        parts.push(format!(
            "{} tries, {}",
            r.max_attempts,
            words::backoff(&r.backoff)
        ));
        if r.budget.is_some() {
            parts.push("retry budget".to_string());
        }
    }
    if let Some(b) = &p.breaker {
        let kind = words::breaker(b);
        parts.push(format!("breaker {}", kind.split(':').next().unwrap_or(&kind)));
    }
    parts.extend(PARTS.iter().filter_map(|part| (part.short)(p)));
    if let Some(d) = p.deadline {
        parts.push(format!("deadline {d}"));
    }
    match p.fallback {
        Fallback::Fail => {}
        Fallback::Degrade => parts.push("fallback degrade".to_string()),
        Fallback::Defer { .. } => parts.push("fallback defer".to_string()),
    }
    parts
}

/// An arrow's tooltip: the edge, its policy's name and every part of the policy in words.
fn arrow_tooltip(s: &Scenario, edge: EdgeIdx, p: &PolicyConfig) -> String {
    let t = timeouts(p);
    let mut out = format!(
        "{}\npolicy {}\ntimeouts: {}\n{}\nretry: {}\nbreaker: {}",
        s.edge_name(edge),
        p.name,
        if t.is_empty() {
            "none".to_string()
        } else {
            t.join(", ")
        },
        words::pool(p),
        words::retry(p),
        p.breaker.as_ref().map_or("—".to_string(), words::breaker),
    );
    for part in &PARTS {
        out.push_str(&format!("\n{}: {}", part.key, (part.words)(p)));
    }
    out.push_str(&format!("\ndeadline: {}", words::deadline(p)));
    out.push_str(&format!("\nfallback: {}", words::fallback(&p.fallback)));
    out
}
