//! Services: handler steps and their calls, probes, queues, start, termination, load
//! balancing and discovery.

use super::super::spec::{Dur, IntoNode, Table};
use super::{Gen, MS, S, dist, work};

/// A generated service: its table, and what the faults drawn after it need to know.
pub(super) struct Service {
    /// `name`.
    pub(super) name: String,
    /// `slots`.
    pub(super) slots: u32,
    /// The number of pods (`replicas`, 1 by default).
    pub(super) pods: u32,
    /// The `[[services]]` table.
    pub(super) table: Table,
}

/// The services `names`, each calling only services of a higher level.
pub(super) fn services(
    g: &mut Gen,
    levels: &[u32],
    names: &[String],
    replicas: &[Option<u32>],
    policy_names: &[String],
) -> Vec<Service> {
    let n = names.len();
    let mut services = Vec::with_capacity(n);
    for i in 0..n {
        let callees: Vec<String> = (0..n)
            .filter(|&j| levels[j] > levels[i])
            .map(|j| names[j].clone())
            .collect();
        services.push(service(g, &names[i], replicas[i], &callees, policy_names));
    }
    services
}

fn call(g: &mut Gen, callees: &[String], policies: &[String]) -> Table {
    let service = g.pick(callees);
    let policy = if policies.is_empty() || g.chance(0.35) {
        None
    } else {
        Some(g.pick(policies))
    };
    Table::new()
        .put("call", service)
        .opt("policy", policy)
        .opt("required", g.maybe_bool(0.4))
}

fn steps(g: &mut Gen, max: u64, callees: &[String], policies: &[String]) -> Vec<Table> {
    (0..g.below(max + 1))
        .map(|_| {
            let kind = if callees.is_empty() {
                0
            } else {
                g.weighted(&[45, 40, 15])
            };
            match kind {
                0 => {
                    let work = work(g);
                    Table::new()
                        .put("work", work)
                        .opt("slope", g.maybe(0.1, |g| g.dur(1_000, 10 * MS)))
                }
                1 => call(g, callees, policies),
                _ => {
                    let calls: Vec<Table> = (0..g.int(1, 3)).map(|_| call(g, callees, policies)).collect();
                    Table::new().put("parallel", calls)
                }
            }
        })
        .collect()
}

fn probe(g: &mut Gen, readiness: bool, callees: &[String], policies: &[String]) -> Table {
    let path = g.maybe_bool(0.7).map(|d| if d { "dedicated" } else { "shared" });
    let initial_delay = g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 20 * S)));
    let period = g.maybe(0.7, |g| g.dur(100 * MS, 10 * S));
    let timeout = g.maybe(0.6, |g| if g.chance(0.1) { Dur(1) } else { g.dur(MS, 5 * S) });
    let success_threshold = if readiness {
        g.maybe(0.3, |g| g.int32(1, 3))
    } else {
        None
    };
    let failure_threshold = g.maybe(0.6, |g| g.int32(1, 5));
    let handler = if g.chance(0.25) {
        steps(g, 2, callees, policies)
    } else {
        Vec::new()
    };
    Table::new()
        .opt("path", path)
        .opt("initial_delay", initial_delay)
        .opt("period", period)
        .opt("timeout", timeout)
        .opt("success_threshold", success_threshold)
        .opt("failure_threshold", failure_threshold)
        .list("handler", handler)
}

fn service(
    g: &mut Gen,
    name: &str,
    replicas: Option<u32>,
    callees: &[String],
    policies: &[String],
) -> Service {
    let slots = match g.weighted(&[15, 50, 30, 5]) {
        0 => 1,
        1 => g.int32(2, 16),
        2 => g.int32(17, 200),
        _ => 10_000,
    };
    let capacity = match g.weighted(&[40, 15, 20, 20, 5]) {
        0 => None,
        1 => Some(0),
        2 => Some(g.int32(1, 10)),
        3 => Some(g.int32(11, 1000)),
        _ => Some(100_000),
    };
    let order = g.maybe_bool(0.4).map(|l| if l { "lifo" } else { "fifo" });
    let queue = (capacity.is_some() || order.is_some())
        .then(|| Table::new().opt("capacity", capacity).opt("order", order));
    let table = Table::new()
        .put("name", name)
        .opt("replicas", replicas)
        .put("slots", slots)
        .opt("queue", queue)
        .put("steps", steps(g, 4, callees, policies))
        .opt(
            "startup",
            g.maybe(0.5, |g| {
                if g.chance(0.3) {
                    Dur(0).into_node()
                } else {
                    dist(g, MS, 5 * S)
                }
            }),
        )
        .opt("warm_start", g.maybe_bool(0.5))
        .opt("liveness", g.maybe(0.35, |g| probe(g, false, callees, policies)))
        .opt("readiness", g.maybe(0.35, |g| probe(g, true, callees, policies)))
        .opt(
            "startup_probe",
            g.maybe(0.15, |g| probe(g, false, callees, policies)),
        );
    let grace = g.maybe(0.5, |g| if g.chance(0.6) { Dur(0) } else { g.dur(MS, 30 * S) });
    let exit_on_sigterm = g.maybe_bool(0.4);
    let termination = (grace.is_some() || exit_on_sigterm.is_some()).then(|| {
        Table::new()
            .opt("grace", grace)
            .opt("exit_on_sigterm", exit_on_sigterm)
    });
    let table = table
        .opt("termination", termination)
        .opt(
            "lb",
            g.maybe(0.6, |g| g.pick(&["round_robin", "random", "least_request"])),
        )
        .opt("discovery", g.maybe(0.6, discovery))
        .opt(
            "stale_endpoints",
            g.maybe_bool(0.4).map(|t| if t { "timeout" } else { "refused" }),
        )
        .opt("honour_deadlines", g.maybe_bool(0.4));
    Service {
        name: name.to_string(),
        slots,
        pods: replicas.unwrap_or(1),
        table,
    }
}

/// Service discovery: a watch, DNS or a registry.
fn discovery(g: &mut Gen) -> Table {
    match g.below(3) {
        0 => Table::new()
            .put("kind", "watch")
            .opt("delay", g.maybe(0.7, |g| g.or(Dur(0), |g| g.dur(MS, 3 * S)))),
        1 => Table::new()
            .put("kind", "dns")
            .opt("ttl", g.maybe(0.7, |g| g.dur(MS, 30 * S)))
            .opt("delay", g.maybe(0.5, |g| g.or(Dur(0), |g| g.dur(MS, 3 * S)))),
        _ => Table::new()
            .put("kind", "registry")
            .opt("lag", g.maybe(0.7, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S)))),
    }
}
