//! `[[services]]`: pods, queue, handler steps, lifecycle and probes, load balancing, discovery.

use models::config::{
    CallStep, Caller, Discovery, LbPolicy, LifecycleConfig, ProbeConfig, ProbePath, QueueConfig, QueueOrder,
    ServiceConfig, Step, WorkStep,
};
use models::ids::ServiceIdx;
use sim_core::dist::Dist;
use sim_core::time::SimDuration;

use super::{CallSite, Ctx, both_error, present};
use crate::scenario::dist::read_dist;
use crate::scenario::error::{ErrorKind, ReadError};
use crate::scenario::reader::{Item, Result, TableReader, closest};
use crate::scenario::tree::Value;
pub use models::defaults::{
    PROBE_FAILURE_THRESHOLD, PROBE_PERIOD, PROBE_SUCCESS_THRESHOLD, PROBE_TIMEOUT, TERMINATION_GRACE,
};

/// Default `queue.capacity`.
pub const DEFAULT_QUEUE_CAPACITY: u32 = 1000;
/// Default `startup`: 1 s from container start to accepting connections.
pub const DEFAULT_STARTUP: SimDuration = SimDuration::from_secs(1);
/// Default endpoint propagation delay of watch-based discovery.
pub const WATCH_DELAY: SimDuration = SimDuration::from_secs(1);
/// Default DNS TTL.
pub const DNS_TTL: SimDuration = SimDuration::from_secs(30);
/// Default registry (Consul-like) watch lag.
pub const REGISTRY_LAG: SimDuration = SimDuration::from_secs(2);

#[derive(Copy, Clone, PartialEq, Eq)]
enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

/// Reads one service (its name was checked already).
pub(super) fn read_service(ctx: &mut Ctx, idx: ServiceIdx, item: &Item<'_>) -> Result<ServiceConfig> {
    let mut t = item.as_table()?;
    let name = t.required("name")?.as_str()?.to_string();
    let replicas = t.optional_or("replicas", 1, |i| i.as_u32_in(1, super::MAX_REPLICAS))?;
    let slots = t.required("slots")?.as_u32_at_least(1)?;
    let queue = read_queue(&mut t)?;
    let steps = read_steps(ctx, idx, &t.required("steps")?)?;
    let default_startup = Dist::Constant {
        value: DEFAULT_STARTUP.as_secs_f64(),
    };
    let startup = t.optional_or("startup", default_startup, read_dist)?;
    let warm_start = t.optional_or("warm_start", true, Item::as_bool)?;
    let liveness = optional_probe(ctx, idx, &mut t, "liveness", ProbeKind::Liveness)?;
    let readiness = optional_probe(ctx, idx, &mut t, "readiness", ProbeKind::Readiness)?;
    let startup_probe = optional_probe(ctx, idx, &mut t, "startup_probe", ProbeKind::Startup)?;
    let (grace, exit_on_sigterm) = read_termination(&mut t)?;
    let (lb, discovery, stale_endpoint_refused) = read_routing(&mut t)?;
    let honour_deadlines = t.optional_or("honour_deadlines", false, Item::as_bool)?;
    t.finish()?;
    Ok(ServiceConfig {
        name,
        replicas,
        slots,
        queue,
        steps,
        lifecycle: LifecycleConfig {
            warm_start,
            startup,
            liveness,
            readiness,
            startup_probe,
            grace,
            exit_on_sigterm,
            stale_endpoint_refused,
        },
        lb,
        discovery,
        honour_deadlines,
    })
}

/// Reads `queue`: `capacity` (default [`DEFAULT_QUEUE_CAPACITY`]) and `order` (default FIFO).
fn read_queue(t: &mut TableReader<'_>) -> Result<QueueConfig> {
    let Some(i) = t.optional("queue") else {
        return Ok(QueueConfig {
            capacity: DEFAULT_QUEUE_CAPACITY,
            order: QueueOrder::Fifo,
        });
    };
    let mut q = i.as_table()?;
    let capacity = q.optional_or("capacity", DEFAULT_QUEUE_CAPACITY, |i| i.as_u32_at_least(0))?;
    let order = q.optional_or("order", QueueOrder::Fifo, |i| {
        i.as_enum(&[("fifo", QueueOrder::Fifo), ("lifo", QueueOrder::Lifo)])
    })?;
    q.finish()?;
    Ok(QueueConfig { capacity, order })
}

/// Reads the probe at `key`, if present.
fn optional_probe(
    ctx: &mut Ctx,
    idx: ServiceIdx,
    t: &mut TableReader<'_>,
    key: &str,
    kind: ProbeKind,
) -> Result<Option<ProbeConfig>> {
    t.optional(key)
        .map(|i| read_probe(ctx, idx, &i, kind))
        .transpose()
}

/// Reads `termination`: the `grace` period (default [`TERMINATION_GRACE`]) and whether the
/// process exits on SIGTERM (`exit_on_sigterm`, default true).
fn read_termination(t: &mut TableReader<'_>) -> Result<(SimDuration, bool)> {
    let Some(i) = t.optional("termination") else {
        return Ok((TERMINATION_GRACE, true));
    };
    let mut tt = i.as_table()?;
    let grace = tt.optional_or("grace", TERMINATION_GRACE, Item::as_duration)?;
    let exit = tt.optional_or("exit_on_sigterm", true, Item::as_bool)?;
    tt.finish()?;
    Ok((grace, exit))
}

/// Reads how callers reach the pods: `lb` (default round robin), `discovery` (default watch,
/// [`WATCH_DELAY`]) and `stale_endpoints` (true, the default, if a call to an endpoint that is
/// gone is refused at once; false if it hangs until the connect timeout).
fn read_routing(t: &mut TableReader<'_>) -> Result<(LbPolicy, Discovery, bool)> {
    let lb = t.optional_or("lb", LbPolicy::RoundRobin, |i| {
        i.as_enum(&[
            ("round_robin", LbPolicy::RoundRobin),
            ("random", LbPolicy::Random),
            ("least_request", LbPolicy::LeastRequest),
        ])
    })?;
    let discovery = t.optional_or(
        "discovery",
        Discovery::Watch { delay: WATCH_DELAY },
        read_discovery,
    )?;
    let stale_endpoint_refused = t.optional_or("stale_endpoints", true, |i| {
        i.as_enum(&[("refused", true), ("timeout", false)])
    })?;
    Ok((lb, discovery, stale_endpoint_refused))
}

/// The keys of which a step has exactly one.
const STEP_KINDS: [&str; 3] = ["work", "call", "parallel"];

/// Reads a handler: an array of `{ work }`, `{ call }` and `{ parallel }` steps.
fn read_steps(ctx: &mut Ctx, caller: ServiceIdx, item: &Item<'_>) -> Result<Vec<Step>> {
    let mut steps = Vec::new();
    for s in item.as_array()? {
        steps.push(read_step(ctx, caller, &s)?);
    }
    Ok(steps)
}

/// Reads one step: `{ work = dist, slope }`, `{ call = "svc", … }` or `{ parallel = [calls] }`.
fn read_step(ctx: &mut Ctx, caller: ServiceIdx, s: &Item<'_>) -> Result<Step> {
    let mut t = s.as_table()?;
    let kinds = present(&t, STEP_KINDS);
    let step = match (kinds.len(), kinds.first().copied()) {
        (1, Some("work")) => {
            let dist = read_dist(&t.required("work")?)?;
            let slope = t.optional_or("slope", SimDuration::ZERO, Item::as_duration)?;
            Step::Work(WorkStep { dist, slope })
        }
        (1, Some("call")) => Step::Call(read_call(ctx, caller, &mut t)?),
        (1, Some("parallel")) => Step::Parallel(read_parallel(ctx, caller, &mut t)?),
        (0, _) => return Err(no_step_error(s)),
        _ => {
            return Err(both_error(
                &mut t,
                &kinds,
                "one of `work`, `call` or `parallel` per step",
            ));
        }
    };
    t.finish()?;
    Ok(step)
}

/// Reads `parallel`: a non-empty array of calls made at once.
fn read_parallel(ctx: &mut Ctx, caller: ServiceIdx, t: &mut TableReader<'_>) -> Result<Vec<CallStep>> {
    let p = t.required("parallel")?;
    let calls = p.as_array()?;
    if calls.is_empty() {
        return Err(p.value_error("at least one call, e.g. [ { call = \"storage\" } ]"));
    }
    let mut out = Vec::with_capacity(calls.len());
    for c in calls {
        let mut ct = c.as_table()?;
        out.push(read_call(ctx, caller, &mut ct)?);
        ct.finish()?;
    }
    Ok(out)
}

/// The error for a step with none of [`STEP_KINDS`], suggesting the one a key looks like.
fn no_step_error(s: &Item<'_>) -> ReadError {
    let err = s.error(
        ErrorKind::Missing,
        "a step: a table with `work`, `call` or `parallel`",
        format!("{} with none of them", s.node.describe()),
    );
    let typo = match &s.node.value {
        Value::Table(entries) => entries
            .iter()
            .find_map(|e| closest(&e.key, STEP_KINDS).map(|best| (e.key.as_str(), best))),
        _ => None,
    };
    err.with_help_opt(typo.map(|(key, best)| format!("found `{key}`: did you mean `{best}`?")))
}

/// Reads `{ call = "svc", policy = "name", required = true }` and records its edge.
fn read_call(ctx: &mut Ctx, caller: ServiceIdx, t: &mut TableReader<'_>) -> Result<CallStep> {
    let call = t.required("call")?;
    let callee = ctx.service(&call)?;
    let policy = match t.optional("policy") {
        Some(p) => ctx.policy(&p)?,
        None => ctx.default_policy(),
    };
    let required = t.optional_or("required", true, Item::as_bool)?;
    let edge = ctx.edge(Caller::Service(caller), callee, policy);
    ctx.calls.push(CallSite {
        caller,
        callee,
        origin: call.origin(),
        path: call.path.clone(),
    });
    Ok(CallStep { edge, required })
}

/// Reads a probe of kind `kind` (Kubernetes' defaults), with its optional `handler` steps.
fn read_probe(ctx: &mut Ctx, caller: ServiceIdx, item: &Item<'_>, kind: ProbeKind) -> Result<ProbeConfig> {
    let mut t = item.as_table()?;
    let path = t.optional_or("path", ProbePath::Shared, |i| {
        i.as_enum(&[("shared", ProbePath::Shared), ("dedicated", ProbePath::Dedicated)])
    })?;
    let initial_delay = t.optional_or("initial_delay", SimDuration::ZERO, Item::as_duration)?;
    let period = t.optional_or("period", PROBE_PERIOD, Item::as_positive_duration)?;
    let timeout = t.optional_or("timeout", PROBE_TIMEOUT, Item::as_positive_duration)?;
    let success_threshold = t.optional_or("success_threshold", PROBE_SUCCESS_THRESHOLD, |i| {
        let n = i.as_u32_at_least(1)?;
        if n != 1 && kind != ProbeKind::Readiness {
            return Err(i.error(
                ErrorKind::Rule,
                "1 (Kubernetes requires successThreshold = 1 for liveness and startup probes)",
                n.to_string(),
            ));
        }
        Ok(n)
    })?;
    let failure_threshold = t.optional_or("failure_threshold", PROBE_FAILURE_THRESHOLD, |i| {
        i.as_u32_at_least(1)
    })?;
    let handler = t.optional_or("handler", Vec::new(), |i| read_steps(ctx, caller, i))?;
    t.finish()?;
    Ok(ProbeConfig {
        initial_delay,
        period,
        timeout,
        success_threshold,
        failure_threshold,
        path,
        handler,
    })
}

/// Reads `discovery`: `watch` (a `delay`), `dns` (a `ttl` and a `delay`) or `registry` (a `lag`).
fn read_discovery(item: &Item<'_>) -> Result<Discovery> {
    #[derive(Copy, Clone)]
    enum K {
        Watch,
        Dns,
        Registry,
    }
    let mut t = item.as_table()?;
    let kind =
        t.required("kind")?
            .as_enum(&[("watch", K::Watch), ("dns", K::Dns), ("registry", K::Registry)])?;
    let discovery = match kind {
        K::Watch => Discovery::Watch {
            delay: t.optional_or("delay", WATCH_DELAY, Item::as_duration)?,
        },
        K::Dns => Discovery::Dns {
            ttl: t.optional_or("ttl", DNS_TTL, Item::as_positive_duration)?,
            delay: t.optional_or("delay", WATCH_DELAY, Item::as_duration)?,
        },
        K::Registry => Discovery::Registry {
            lag: t.optional_or("lag", REGISTRY_LAG, Item::as_duration)?,
        },
    };
    t.finish()?;
    Ok(discovery)
}
