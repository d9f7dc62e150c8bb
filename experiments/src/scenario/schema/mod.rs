//! The scenario schema: walks the tree into a validated [`Scenario`].
//!
//! Reading order (which decides which error is reported first): the top-level keys, `network`,
//! `limits`, the `[policies.NAME]` tables, the service names, the clients, the services, the
//! call graph (cycles), the faults (each of which must start before the run ends: `duration`
//! is read after the `--set` and `--duration` overrides), and last the unknown top-level keys.
//! Valid but suspicious values are collected as [`ReadWarning`]s along the way.

mod client;
mod fault;
mod policy;
mod service;

pub use policy::{BACKOFF_NAMES, DEFAULT_RETRY_ON, retry_conditions};

use std::collections::BTreeMap;

use models::config::{
    Caller, ClientConfig, EdgeConfig, FaultConfig, PolicyConfig, RunLimits, Scenario, ServiceConfig,
};
use models::ids::{EdgeIdx, PolicyIdx, ServiceIdx};
use sim_core::dist::Dist;
use sim_core::time::SimDuration;

use super::dist::read_dist;
use super::error::{ErrorKind, ReadError};
use super::reader::{Item, Result, TableReader, closest, list};
use super::tree::{Node, Origin};
use super::warning::ReadWarning;

/// Default `seed`.
pub const DEFAULT_SEED: u64 = 1;
/// Default `bucket`: 1 s.
pub const DEFAULT_BUCKET: SimDuration = SimDuration::from_secs(1);
/// Default `network.latency`: 250 µs one way (a round trip of 0.5 ms inside a cluster).
pub const DEFAULT_NETWORK_LATENCY: SimDuration = SimDuration::from_micros(250);
/// Default `limits.max_events`.
pub const DEFAULT_MAX_EVENTS: u64 = 200_000_000;
/// Default `limits.max_pending`, also its ceiling.
pub const DEFAULT_MAX_PENDING: usize = 5_000_000;
/// Default `limits.max_log_entries`: about 3 MB; the catalog's scenarios log at most a few
/// thousand entries.
pub const DEFAULT_MAX_LOG_ENTRIES: usize = 20_000;
/// Default `limits.max_buckets`: half an hour at the default 1 s bucket, more points than a
/// timeline chart has pixels; about 2 KB per bucket in a scenario like `cascade-protected`.
pub const DEFAULT_MAX_BUCKETS: usize = 2_000;
/// Ceiling of `limits.max_events`: no memory, but about two days of CPU at 6 M events/s.
pub const CEILING_MAX_EVENTS: u64 = 1_000_000_000_000;
/// Ceiling of `limits.max_pending` (pending events plus calls in flight): a request queued
/// with no timer counts once and takes about 290 bytes, one with its timeout pending counts
/// twice and takes about 330 (measured): 1.45 GB at the ceiling.
pub const CEILING_MAX_PENDING: usize = 5_000_000;
/// Ceiling of `limits.max_log_entries`: about 310 bytes an entry, `events.jsonl` included
/// (measured): 0.3 GB at the ceiling.
pub const CEILING_MAX_LOG_ENTRIES: usize = 1_000_000;
/// Ceiling of `limits.max_buckets` (series memory is bounded further by
/// `models::config::MAX_SERIES_CELLS`).
pub const CEILING_MAX_BUCKETS: usize = 100_000;
/// The most pods of all services together (about 1.2 KB each, measured, before their callers'
/// state).
pub const MAX_PODS: u64 = 10_000;
/// The most (caller pod, callee pod) pairs over all service-to-service edges: every caller pod
/// keeps per-edge state for every callee pod (endpoint views, pools), about 15 bytes a pair
/// (measured): 0.4 GB at the ceiling.
pub const MAX_POD_PAIRS: u64 = 25_000_000;
/// Default `[limits]`.
const DEFAULT_LIMITS: RunLimits = RunLimits {
    max_events: DEFAULT_MAX_EVENTS,
    max_pending: DEFAULT_MAX_PENDING,
    max_log_entries: DEFAULT_MAX_LOG_ENTRIES,
    max_buckets: DEFAULT_MAX_BUCKETS,
};
/// The most replicas of one service. Memory per pod is small, but some per-site state is per
/// (caller pod × callee pod), and a limit is better found at load time than as an allocation
/// failure.
pub const MAX_REPLICAS: u32 = 1_000;
/// The highest open-loop rate (`rate`, a schedule's `rate`, `ramp_to` and `spike`), in requests
/// per second: one per nanosecond on average, the resolution of the simulated clock. Beyond it
/// arrivals could only pile up at the same instants; `limits.max_events` bounds the run anyway.
pub const MAX_RATE: f64 = 1e9;
/// The most users of a closed-loop client (each is a pending event from the start).
pub const MAX_USERS: u32 = 1_000_000;
/// The most requests of one burst (each is started at once).
pub const MAX_BURST: u32 = 1_000_000;
/// The most of any breaker count (thresholds, minimum calls, window size in calls): a window
/// is an array of this size.
pub const MAX_BREAKER_COUNT: u32 = 1_000_000;
/// The longest time-based resilience4j window, in seconds (one bucket per second): a day.
pub const MAX_WINDOW_SECONDS: u32 = 86_400;
/// The name of the policy service calls use when they name none.
pub const DEFAULT_POLICY: &str = "default";

/// A downstream call seen while reading, for the cycle check.
struct CallSite {
    caller: ServiceIdx,
    callee: ServiceIdx,
    origin: Origin,
    path: String,
}

/// Names, policies and edges collected while reading.
pub(crate) struct Ctx {
    service_names: Vec<String>,
    service_index: BTreeMap<String, ServiceIdx>,
    policies: Vec<PolicyConfig>,
    policy_index: BTreeMap<String, PolicyIdx>,
    edges: Vec<EdgeConfig>,
    edge_index: BTreeMap<(Caller, u32, u32), EdgeIdx>,
    calls: Vec<CallSite>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            service_names: Vec::new(),
            service_index: BTreeMap::new(),
            policies: Vec::new(),
            policy_index: BTreeMap::new(),
            edges: Vec::new(),
            edge_index: BTreeMap::new(),
            calls: Vec::new(),
        }
    }

    /// The service a reference names.
    fn service(&self, item: &Item<'_>) -> Result<ServiceIdx> {
        let name = item.as_str()?;
        self.service_index.get(name).copied().ok_or_else(|| {
            let names: Vec<&str> = self.service_names.iter().map(String::as_str).collect();
            reference_error(item, "service", &names)
        })
    }

    /// The policy a reference names.
    fn policy(&self, item: &Item<'_>) -> Result<PolicyIdx> {
        let name = item.as_str()?;
        self.policy_index.get(name).copied().ok_or_else(|| {
            let names: Vec<&str> = self.policies.iter().map(|p| p.name.as_str()).collect();
            reference_error(item, "policy", &names)
        })
    }

    /// The service-level default policy: the declared `[policies.default]`, or httpx's defaults.
    fn default_policy(&mut self) -> PolicyIdx {
        match self.policy_index.get(DEFAULT_POLICY) {
            Some(&p) => p,
            None => self.add_policy(policy::httpx_default(DEFAULT_POLICY)),
        }
    }

    fn add_policy(&mut self, p: PolicyConfig) -> PolicyIdx {
        let idx = PolicyIdx(self.policies.len() as u32);
        self.policy_index.insert(p.name.clone(), idx);
        self.policies.push(p);
        idx
    }

    /// The edge for (caller, callee, policy), created at its first appearance.
    fn edge(&mut self, caller: Caller, callee: ServiceIdx, policy: PolicyIdx) -> EdgeIdx {
        let next = EdgeIdx(self.edges.len() as u32);
        let edges = &mut self.edges;
        *self
            .edge_index
            .entry((caller, callee.0, policy.0))
            .or_insert_with(|| {
                edges.push(EdgeConfig {
                    caller,
                    callee,
                    policy,
                });
                next
            })
    }
}

fn reference_error(item: &Item<'_>, what: &str, names: &[&str]) -> ReadError {
    let expected = if names.is_empty() {
        format!("the name of a {what} (none is declared)")
    } else {
        format!("the name of a {what}: {}", list(names))
    };
    let name = item.as_str().unwrap_or_default();
    let err = item.error(
        ErrorKind::Reference,
        expected,
        format!("{} (no such {what})", item.node.describe()),
    );
    err.with_help_opt(closest(name, names.iter().copied()).map(|best| format!("did you mean \"{best}\"?")))
}

/// A name that must be non-empty and unique among `seen` (name → key path of its first use).
fn unique_name<'a>(item: &Item<'a>, what: &str, seen: &mut BTreeMap<String, String>) -> Result<&'a str> {
    let name = item.as_str()?;
    if name.is_empty() {
        return Err(item.value_error(format!("a non-empty {what} name")));
    }
    if name.chars().any(char::is_control) {
        return Err(item.value_error(format!(
            "a {what} name without control characters (line breaks, tabs): names head columns and lines of the outputs"
        )));
    }
    if let Some(first) = seen.get(name) {
        let parent = first.strip_suffix(".name").unwrap_or(first);
        return Err(item.error(
            ErrorKind::Duplicate,
            format!("a {what} name not used before"),
            format!("{} (already the name of {parent})", item.node.describe()),
        ));
    }
    seen.insert(name.to_string(), item.path.clone());
    Ok(name)
}

/// The keys among `choices` that table `t` has, in the order of `choices` (for tables that take
/// exactly one of several keys, like a step's `work`, `call` or `parallel`).
fn present<'k>(t: &TableReader<'_>, choices: [&'k str; 3]) -> Vec<&'k str> {
    choices.into_iter().filter(|k| t.has(k)).collect()
}

/// The error for a table with two keys of which it takes only one (`kinds`, from [`present`]):
/// it points at the second.
fn both_error(t: &mut TableReader<'_>, kinds: &[&str], expected: &str) -> ReadError {
    let second = t.optional(kinds[1]).expect("present");
    second.error(
        ErrorKind::Rule,
        expected,
        format!("both `{}` and `{}`", kinds[0], kinds[1]),
    )
}

/// A scenario read from a tree.
#[derive(Debug)]
pub struct Read {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The file's `seed` (default [`DEFAULT_SEED`]).
    pub seed: u64,
    /// What is valid but probably not meant, in reading order.
    pub warnings: Vec<ReadWarning>,
}

/// Reads a document tree into a scenario, its seed and the warnings about it.
pub fn read_scenario(root: &Node) -> Result<Read> {
    let mut t = TableReader::new(root, "")?;
    let name = t.required("name")?.as_str()?.to_string();
    let description = t.optional_or("description", String::new(), |i| i.as_str().map(str::to_string))?;
    let duration_item = t.required("duration")?;
    let duration = duration_item.as_positive_duration()?;
    let seed = t.optional_or("seed", DEFAULT_SEED, |i| i.as_seed())?;
    let bucket = t.optional_or("bucket", DEFAULT_BUCKET, Item::as_positive_duration)?;
    let network_latency = read_network(&mut t)?;
    let limits = t.optional_or("limits", DEFAULT_LIMITS, read_limits)?;

    let mut ctx = Ctx::new();
    let mut warnings = Vec::new();
    read_policies(&mut ctx, &mut t, &mut warnings)?;
    let service_items = declare_services(&mut ctx, &mut t)?;
    let clients = read_clients(&mut ctx, &mut t)?;
    let mut services = Vec::with_capacity(service_items.len());
    for (i, item) in service_items.iter().enumerate() {
        services.push(service::read_service(&mut ctx, ServiceIdx(i as u32), item)?);
    }
    check_acyclic(&ctx)?;
    check_sizes(&ctx, &services, &service_items)?;
    let run = fault::Run {
        duration,
        origin: duration_item.origin(),
    };
    let faults = read_faults(&ctx, &services, run, &mut t)?;
    t.finish()?;

    let scenario = Scenario {
        name,
        description,
        duration,
        bucket,
        network_latency,
        clients,
        services,
        policies: ctx.policies,
        edges: ctx.edges,
        faults,
        limits,
    };
    Ok(Read {
        scenario,
        seed,
        warnings,
    })
}

/// Reads `network.latency`, one way (default [`DEFAULT_NETWORK_LATENCY`]).
fn read_network(t: &mut TableReader<'_>) -> Result<Dist> {
    let default = Dist::Constant {
        value: DEFAULT_NETWORK_LATENCY.as_secs_f64(),
    };
    t.optional_or("network", default.clone(), |item| {
        let mut n = item.as_table()?;
        let latency = n.optional_or("latency", default, read_dist)?;
        n.finish()?;
        Ok(latency)
    })
}

/// Reads the `[policies.NAME]` tables into `ctx`, in file order.
fn read_policies(ctx: &mut Ctx, t: &mut TableReader<'_>, warnings: &mut Vec<ReadWarning>) -> Result<()> {
    let Some(item) = t.optional("policies") else {
        return Ok(());
    };
    let mut p = item.as_table()?;
    for (entry, item) in p.entries() {
        if entry.key.chars().any(char::is_control) {
            return Err(item.error(
                ErrorKind::Value,
                "a policy name without control characters (line breaks, tabs)",
                format!("[policies.{:?}]", entry.key),
            ));
        }
        let config = policy::read_policy(&entry.key, &item, warnings)?;
        check_shared_pool(ctx, &config, &item)?;
        ctx.add_policy(config);
    }
    Ok(())
}

/// Fails if `config` names a shared pool that an earlier policy declares with other settings:
/// policies naming the same shared pool must agree on its settings.
fn check_shared_pool(ctx: &Ctx, config: &PolicyConfig, item: &Item<'_>) -> Result<()> {
    let Some(pool) = &config.pool.shared else {
        return Ok(());
    };
    let other = ctx.policies.iter().find(|o| o.pool.shared.as_ref() == Some(pool));
    if let Some(other) = other.filter(|o| format!("{:?}", o.pool) != format!("{:?}", config.pool)) {
        return Err(item.error(
            ErrorKind::Rule,
            format!(
                "the same pool settings as policy `{}`, which shares pool `{pool}`",
                other.name
            ),
            "different max_connections, max_keepalive, keepalive_expiry, connect_time or sticky",
        ));
    }
    Ok(())
}

/// Reads the required, non-empty `services` array and records each service's unique name in
/// `ctx` (so that clients and calls can name services declared after them); returns the
/// elements, read in full later.
fn declare_services<'a>(ctx: &mut Ctx, t: &mut TableReader<'a>) -> Result<Vec<Item<'a>>> {
    let services_item = t.required("services")?;
    let service_items = services_item.as_array()?;
    if service_items.is_empty() {
        return Err(services_item.value_error("at least one service"));
    }
    let mut seen = BTreeMap::new();
    for (i, item) in service_items.iter().enumerate() {
        let mut s = item.as_table()?;
        let name = unique_name(&s.required("name")?, "service", &mut seen)?;
        ctx.service_names.push(name.to_string());
        ctx.service_index.insert(name.to_string(), ServiceIdx(i as u32));
    }
    Ok(service_items)
}

/// Reads the `[[clients]]` (none if absent).
fn read_clients(ctx: &mut Ctx, t: &mut TableReader<'_>) -> Result<Vec<ClientConfig>> {
    let mut clients = Vec::new();
    if let Some(item) = t.optional("clients") {
        let mut seen = BTreeMap::new();
        for (i, item) in item.as_array()?.iter().enumerate() {
            clients.push(client::read_client(ctx, i as u32, item, &mut seen)?);
        }
    }
    Ok(clients)
}

/// Reads the `[[faults]]` (none if absent), once the services are known.
fn read_faults(
    ctx: &Ctx,
    services: &[ServiceConfig],
    run: fault::Run,
    t: &mut TableReader<'_>,
) -> Result<Vec<FaultConfig>> {
    let mut faults = Vec::new();
    if let Some(item) = t.optional("faults") {
        let mut seen = BTreeMap::new();
        for item in item.as_array()? {
            faults.push(fault::read_fault(ctx, services, run, &item, &mut seen)?);
        }
    }
    Ok(faults)
}

/// Reads `[limits]`, filling the defaults of absent keys.
fn read_limits(item: &Item<'_>) -> Result<RunLimits> {
    let mut t = item.as_table()?;
    let d = DEFAULT_LIMITS;
    let limits = RunLimits {
        max_events: t.optional_or("max_events", d.max_events, |i| ceiling(i, 1, CEILING_MAX_EVENTS))?,
        max_pending: t.optional_or("max_pending", d.max_pending, |i| {
            ceiling(i, 1, CEILING_MAX_PENDING as u64).map(|n| n as usize)
        })?,
        max_log_entries: t.optional_or("max_log_entries", d.max_log_entries, |i| {
            ceiling(i, 0, CEILING_MAX_LOG_ENTRIES as u64).map(|n| n as usize)
        })?,
        max_buckets: t.optional_or("max_buckets", d.max_buckets, |i| {
            ceiling(i, 1, CEILING_MAX_BUCKETS as u64).map(|n| n as usize)
        })?,
    };
    t.finish()?;
    Ok(limits)
}

/// A limit in `min..=max`, where `max` is its ceiling: a larger value is refused with the
/// ceiling and why it exists.
fn ceiling(item: &Item<'_>, min: u64, max: u64) -> Result<u64> {
    item.as_u64_in(min, max).map_err(|e| {
        e.with_help(format!(
            "{max} is the ceiling of this limit: it keeps a run within meshsim's memory and time budget (docs/reliability.md, Limits)"
        ))
    })
}

/// Fails if the services' pods together exceed [`MAX_PODS`] (pointing at the `replicas` that
/// crosses it), or the service-to-service edges join more than [`MAX_POD_PAIRS`] pairs of pods
/// (pointing at the call that crosses it).
fn check_sizes(ctx: &Ctx, services: &[ServiceConfig], items: &[Item<'_>]) -> Result<()> {
    let mut pods = 0u64;
    for (svc, item) in services.iter().zip(items) {
        pods += u64::from(svc.replicas);
        if pods > MAX_PODS {
            let replicas = item
                .as_table()?
                .optional("replicas")
                .unwrap_or_else(|| item.clone());
            return Err(replicas.error(
                ErrorKind::Rule,
                format!(
                    "at most {MAX_PODS} pods in all services together (a memory ceiling, docs/reliability.md)"
                ),
                format!("{pods} pods up to service `{}`", svc.name),
            ));
        }
    }
    let mut pairs = 0u64;
    for edge in &ctx.edges {
        let Caller::Service(caller) = edge.caller else {
            continue;
        };
        pairs += u64::from(services[caller.idx()].replicas) * u64::from(services[edge.callee.idx()].replicas);
        if pairs > MAX_POD_PAIRS {
            let call = ctx
                .calls
                .iter()
                .find(|c| c.caller == caller && c.callee == edge.callee)
                .expect("every service edge has a call");
            return Err(ReadError::new(
                ErrorKind::Rule,
                call.origin,
                call.path.clone(),
                format!(
                    "at most {MAX_POD_PAIRS} (caller pod, callee pod) pairs over all calls between services (a memory ceiling: each caller pod keeps state per callee pod, docs/reliability.md)"
                ),
                format!("{pairs} pairs up to this call"),
            ));
        }
    }
    Ok(())
}

/// Fails on the first cycle of the service call graph (steps and probe handlers), found by a
/// depth-first search in file order, pointing at the call that closes it.
fn check_acyclic(ctx: &Ctx) -> Result<()> {
    let n = ctx.service_names.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, call) in ctx.calls.iter().enumerate() {
        out[call.caller.idx()].push(k);
    }
    // 0 = not visited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if next < out[v].len() {
                top.1 += 1;
                let call = &ctx.calls[out[v][next]];
                let w = call.callee.idx();
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|&(s, _)| s == w).unwrap_or(0);
                        let mut names: Vec<&str> = stack[from..]
                            .iter()
                            .map(|&(s, _)| ctx.service_names[s].as_str())
                            .collect();
                        names.push(&ctx.service_names[w]);
                        return Err(ReadError::new(
                            ErrorKind::Cycle,
                            call.origin,
                            call.path.clone(),
                            "an acyclic service call graph",
                            format!("the cycle {}", names.join(" → ")),
                        ));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    Ok(())
}
