//! The form's run, client, service (probes, discovery) and fault fields.

use models::config::{
    Arrivals, ClientConfig, Discovery, FaultConfig, FaultKind, LbPolicy, Load, ProbeConfig, ProbePath,
    QueueOrder, Scenario, ServiceConfig,
};
use sim_core::time::SimTime;

use super::{Field, Group, Kind, duration, node};
use crate::scenario::Loaded;
use crate::scenario::schema::{
    CEILING_MAX_BUCKETS, CEILING_MAX_EVENTS, CEILING_MAX_LOG_ENTRIES, CEILING_MAX_PENDING, MAX_BURST,
    MAX_RATE, MAX_REPLICAS, MAX_USERS,
};
use crate::scenario::tree::{Node, render_key};

fn at(t: SimTime) -> String {
    duration(t.saturating_since(SimTime::ZERO))
}

/// `duration`, `bucket`, `network.latency` and `limits`.
pub(super) fn run(out: &mut Vec<Field>, loaded: &Loaded, root: &Node) {
    let s = &loaded.scenario;
    let mut g = Group::new(out, "run".into(), String::new());
    g.dur("duration", s.duration);
    g.dur("bucket", s.bucket).note = "width of a time-series bucket".into();
    g.toml(
        "network.latency",
        node(root, &["network", "latency"]),
        "\"250us\"",
    )
    .note = "one-way latency: a duration or a distribution table".into();
    let l = &s.limits;
    g.int(
        "limits.max_events",
        l.max_events,
        "events",
        1,
        Some(CEILING_MAX_EVENTS),
    )
    .note = "serve also caps an interactive run's events".into();
    g.int(
        "limits.max_pending",
        l.max_pending as u64,
        "events",
        1,
        Some(CEILING_MAX_PENDING as u64),
    );
    g.int(
        "limits.max_log_entries",
        l.max_log_entries as u64,
        "entries",
        0,
        Some(CEILING_MAX_LOG_ENTRIES as u64),
    );
    g.int(
        "limits.max_buckets",
        l.max_buckets as u64,
        "buckets",
        1,
        Some(CEILING_MAX_BUCKETS as u64),
    );
}

/// A client's target, policy, timeout and load.
pub(super) fn client(
    out: &mut Vec<Field>,
    s: &Scenario,
    c: &ClientConfig,
    written: Option<&Node>,
    declared: &[&str],
) {
    let mut g = Group::new(
        out,
        format!("client {}", c.name),
        format!("clients.{}.", render_key(&c.name)),
    );
    let edge = &s.edges[c.edge.idx()];
    let services: Vec<&str> = s.services.iter().map(|v| v.name.as_str()).collect();
    g.choice("target", &s.services[edge.callee.idx()].name, &services);
    let get = |k: &str| written.and_then(|w| w.get(k));
    if let Some(Node {
        value: crate::scenario::tree::Value::Str(p),
        ..
    }) = get("policy")
    {
        g.choice("policy", p, declared);
    }
    g.timeout("timeout", s.policies[edge.policy.idx()].deadline).note =
        "the client gives up after this long: its policy's deadline".into();
    let load = get("load");
    let lget = |k: &str| load.and_then(|l| l.get(k));
    let (kind, effective) = match &c.load {
        Load::Open { .. } => ("open", ""),
        Load::Closed { .. } => ("closed", ""),
        Load::Burst { .. } => ("burst", ""),
    };
    g.kind_select(
        "load",
        kind,
        load,
        effective,
        &[
            ("open", "rate = 10"),
            ("closed", "users = 10"),
            ("burst", "count = 100"),
        ],
    )
    .note = "the load's kind; another kind starts from an example (rate 10/s, 10 users, 100 requests)".into();
    match &c.load {
        Load::Open { arrivals, rate } => {
            let first = rate.points.first().map_or(0.0, |p| p.1);
            g.float("load.rate", first, "req/s", 0.0, Some(MAX_RATE));
            let a = match arrivals {
                Arrivals::Poisson => "poisson",
                Arrivals::Constant => "constant",
            };
            g.choice("load.arrivals", a, &["poisson", "constant"]);
            g.toml("load.schedule", lget("schedule"), "").note =
                "steps, ramps and spikes: [ { at = \"30s\", rate = 200 }, { at = \"60s\", ramp_to = 500, until = \"90s\" } ]"
                    .into();
        }
        Load::Closed {
            users, start, ramp, ..
        } => {
            g.int(
                "load.users",
                u64::from(*users),
                "users",
                1,
                Some(u64::from(MAX_USERS)),
            );
            g.toml("load.think", lget("think"), "\"0s\"").note =
                "think time: a duration or a distribution table".into();
            g.add("load.start", Kind::Duration, at(*start));
            g.dur("load.ramp", *ramp);
        }
        Load::Burst { count, at: t, every } => {
            g.int(
                "load.count",
                u64::from(*count),
                "requests",
                1,
                Some(u64::from(MAX_BURST)),
            );
            g.add("load.at", Kind::Duration, at(*t));
            g.add(
                "load.every",
                Kind::Duration,
                every.map(duration).unwrap_or_default(),
            )
            .note = "repeat every (empty: once)".into();
        }
    }
}

/// A service's pods, queue, handler, lifecycle, probes and routing.
pub(super) fn service(out: &mut Vec<Field>, v: &ServiceConfig, written: Option<&Node>) {
    let mut g = Group::new(
        out,
        format!("service {}", v.name),
        format!("services.{}.", render_key(&v.name)),
    );
    let get = |k: &str| written.and_then(|w| w.get(k));
    g.int(
        "replicas",
        u64::from(v.replicas),
        "pods",
        1,
        Some(u64::from(MAX_REPLICAS)),
    );
    g.int("slots", u64::from(v.slots), "slots per pod", 1, None);
    g.int(
        "queue.capacity",
        u64::from(v.queue.capacity),
        "requests per pod",
        0,
        None,
    );
    let order = match v.queue.order {
        QueueOrder::Fifo => "fifo",
        QueueOrder::Lifo => "lifo",
    };
    g.choice("queue.order", order, &["fifo", "lifo"]);
    g.toml("steps", get("steps"), "[]").note =
        "the handler: [ { work = \"5ms\" }, { call = \"svc\", policy = \"p\" }, { parallel = [ … ] } ]"
            .into();
    g.toml("startup", get("startup"), "\"1s\"").note =
        "container start to accepting connections: a duration or a distribution".into();
    let lc = &v.lifecycle;
    g.bool("warm_start", lc.warm_start);
    for (key, probe) in [
        ("liveness", &lc.liveness),
        ("readiness", &lc.readiness),
        ("startup_probe", &lc.startup_probe),
    ] {
        match probe {
            Some(p) => probe_fields(&mut g, key, p, get(key)),
            None => {
                g.toml(key, None, "").note = format!(
                    "no {key} probe; e.g. {{ path = \"shared\", period = \"10s\", timeout = \"1s\", failure_threshold = 3 }}"
                );
            }
        }
    }
    g.dur("termination.grace", lc.grace);
    g.bool("termination.exit_on_sigterm", lc.exit_on_sigterm);
    let lb = match v.lb {
        LbPolicy::RoundRobin => "round_robin",
        LbPolicy::Random => "random",
        LbPolicy::LeastRequest => "least_request",
    };
    g.choice("lb", lb, &["round_robin", "random", "least_request"]);
    discovery(&mut g, &v.discovery, get("discovery"));
    let stale = if lc.stale_endpoint_refused {
        "refused"
    } else {
        "timeout"
    };
    g.choice("stale_endpoints", stale, &["refused", "timeout"]);
    g.bool("honour_deadlines", v.honour_deadlines);
}

/// Every key of a declared probe.
fn probe_fields(g: &mut Group<'_>, key: &str, p: &ProbeConfig, written: Option<&Node>) {
    let path = match p.path {
        ProbePath::Shared => "shared",
        ProbePath::Dedicated => "dedicated",
    };
    g.choice(&format!("{key}.path"), path, &["shared", "dedicated"]);
    g.dur(&format!("{key}.initial_delay"), p.initial_delay);
    g.dur(&format!("{key}.period"), p.period);
    g.dur(&format!("{key}.timeout"), p.timeout);
    let only_one = key != "readiness";
    let f = g.int(
        &format!("{key}.success_threshold"),
        u64::from(p.success_threshold),
        "successes",
        1,
        only_one.then_some(1),
    );
    if only_one {
        f.note = "Kubernetes requires 1 for liveness and startup probes".into();
    }
    g.int(
        &format!("{key}.failure_threshold"),
        u64::from(p.failure_threshold),
        "failures",
        1,
        None,
    );
    g.toml(
        &format!("{key}.handler"),
        written.and_then(|w| w.get("handler")),
        "[]",
    )
    .note = "what the probe endpoint does: steps; [] answers at once".into();
}

/// `discovery`: its kind, and that kind's keys (needing the kind when the file has no table).
fn discovery(g: &mut Group<'_>, d: &Discovery, written: Option<&Node>) {
    let (kind, effective) = match d {
        Discovery::Watch { delay } => (
            "watch",
            format!("{{ kind = \"watch\", delay = \"{}\" }}", duration(*delay)),
        ),
        Discovery::Dns { .. } => ("dns", String::new()),
        Discovery::Registry { .. } => ("registry", String::new()),
    };
    g.kind_select(
        "discovery",
        kind,
        written,
        &effective,
        &[("watch", ""), ("dns", ""), ("registry", "")],
    );
    if written.is_none() {
        g.requires = Some(format!("{}discovery={{ kind = \"{kind}\" }}", g.prefix));
    }
    match d {
        Discovery::Watch { delay } => {
            g.dur("discovery.delay", *delay);
        }
        Discovery::Dns { ttl, delay } => {
            g.dur("discovery.ttl", *ttl);
            g.dur("discovery.delay", *delay);
        }
        Discovery::Registry { lag } => {
            g.dur("discovery.lag", *lag);
        }
    }
    g.requires = None;
}

/// The keys a fault of each kind needs, for switching to it (example values, not defaults).
const FAULT_KINDS: [(&str, &str); 7] = [
    ("slow", "latency = \"1s\""),
    ("errors", "rate = 0.5"),
    ("crash", ""),
    ("capacity_cut", "multiplier = 2"),
    ("leak", "growth = \"100ms\""),
    ("restart", "down_for = \"10s\""),
    ("reschedule", "down_for = \"10s\""),
];

/// A fault's service, kind, window, pods and the keys of its kind.
pub(super) fn fault(out: &mut Vec<Field>, s: &Scenario, i: usize, f: &FaultConfig, written: Option<&Node>) {
    let service = &s.services[f.service.idx()];
    let mut g = Group::new(
        out,
        format!("fault {i} on {}", service.name),
        format!("faults[{i}]."),
    );
    let kind = models::phases::kind_name(&f.kind);
    // The whole fault is replaced on a switch: keep its service, name and start.
    let mut common = format!("service = {}", crate::scenario::tree::quote(&service.name));
    if let Some(n) = &f.name {
        common = format!("name = {}, {common}", crate::scenario::tree::quote(n));
    }
    common.push_str(&format!(", from = \"{}\"", at(f.from)));
    let others: Vec<(&str, String)> = FAULT_KINDS
        .iter()
        .map(|&(k, keys)| {
            let keys = if keys.is_empty() {
                common.clone()
            } else {
                format!("{common}, {keys}")
            };
            (k, keys)
        })
        .collect();
    let others: Vec<(&str, &str)> = others.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let prefix = std::mem::take(&mut g.prefix);
    g.prefix = format!("faults[{i}]");
    let field = g.kind_select("", kind, written, "", &others);
    field.label = "kind".into();
    field.note = "the fault's kind; another kind starts from an example value of its key".into();
    // A slow fault takes exactly one of `latency` and `multiplier`: the other is a choice too.
    if let FaultKind::Slow { latency, .. } = f.kind {
        let (label, key) = match latency {
            Some(_) => ("slow (multiplier)", "multiplier = 2"),
            None => ("slow (latency)", "latency = \"1s\""),
        };
        field.labels.push(label.into());
        field
            .choices
            .push(format!("{{ kind = \"slow\", {common}, {key} }}"));
    }
    g.prefix = prefix;
    // After the kind: its choices are whole tables naming the service, and the page sends
    // edits in field order, so a service edit must come after a kind switch to survive it.
    let services: Vec<&str> = s.services.iter().map(|v| v.name.as_str()).collect();
    g.choice("service", &service.name, &services);
    g.add("from", Kind::Duration, at(f.from));
    if !matches!(kind, "restart" | "reschedule") {
        g.add("until", Kind::Duration, f.until.map(at).unwrap_or_default())
            .note = "end, exclusive (empty: to the end of the run)".into();
    }
    let pods = g.int(
        "pods",
        u64::from(f.pods.unwrap_or(service.replicas)),
        "pods",
        1,
        Some(u64::from(service.replicas)),
    );
    if f.pods.is_none() {
        pods.value = String::new();
        pods.note = format!("all {} pods when empty", service.replicas);
    }
    let get = |k: &str| written.and_then(|w| w.get(k));
    match f.kind {
        FaultKind::Slow { latency, multiplier } => match latency {
            Some(l) => {
                g.dur("latency", l);
            }
            None => {
                g.float("multiplier", multiplier, "×", 0.0, None);
            }
        },
        FaultKind::Errors { rate, fail_fast } => {
            g.float("rate", rate, "of requests", 0.0, Some(1.0));
            g.bool("fail_fast", fail_fast);
        }
        FaultKind::Crash { blackhole } => {
            g.bool("blackhole", blackhole);
        }
        FaultKind::CapacityCut { slots, multiplier } => {
            let f = g.int(
                "slots",
                u64::from(slots.unwrap_or(service.slots)),
                "slots per pod",
                0,
                None,
            );
            if slots.is_none() {
                f.value = String::new();
                f.note = "unchanged when empty".into();
            }
            g.float("multiplier", multiplier, "×", 0.0, None);
        }
        FaultKind::Leak { .. } => {
            let growth = get("growth").map_or_else(String::new, |n| match &n.value {
                crate::scenario::tree::Value::Str(t) => t.clone(),
                _ => String::new(),
            });
            g.add("growth", Kind::Duration, growth).note = "work time added per second of fault".into();
        }
        FaultKind::Restart { down_for } | FaultKind::Reschedule { down_for } => {
            g.dur("down_for", down_for);
        }
    }
}
