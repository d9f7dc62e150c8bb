//! `[[clients]]`: load generators and their policy.

use std::collections::BTreeMap;

use models::config::{Arrivals, Caller, ClientConfig, Load, PolicyConfig, RateSchedule};
use sim_core::dist::Dist;
use sim_core::time::{SimDuration, SimTime};

use super::{Ctx, both_error, present, unique_name};
use crate::scenario::dist::read_dist;
use crate::scenario::error::ErrorKind;
use crate::scenario::reader::{Item, Result, TableReader};
use crate::scenario::tree::Value;

/// Reads client number `index`.
pub(super) fn read_client(
    ctx: &mut Ctx,
    index: u32,
    item: &Item<'_>,
    seen: &mut BTreeMap<String, String>,
) -> Result<ClientConfig> {
    let mut t = item.as_table()?;
    let name_item = t.required("name")?;
    let name = unique_name(&name_item, "client", seen)?.to_string();
    let target = ctx.service(&t.required("target")?)?;
    let policy_item = t.optional("policy");
    let named = policy_item.as_ref().map(|i| ctx.policy(i)).transpose()?;
    let timeout_item = t.optional("timeout");
    let timeout = timeout_item.as_ref().map(|i| i.as_timeout()).transpose()?;
    let load = read_load(&t.required("load")?)?;
    t.finish()?;

    let policy = match (named, timeout) {
        (Some(p), None) => p,
        (named, deadline) => {
            let (config, blame) = match named {
                None => (
                    PolicyConfig::unlimited(format!("{name}-default"), deadline.flatten()),
                    &name_item,
                ),
                Some(p) => {
                    let mut copy = ctx.policies[p.idx()].clone();
                    copy.name = format!("{name}-{}", copy.name);
                    copy.deadline = deadline.flatten();
                    (copy, timeout_item.as_ref().unwrap_or(&name_item))
                }
            };
            if ctx.policy_index.contains_key(&config.name) {
                return Err(blame.error(
                    ErrorKind::Duplicate,
                    format!(
                        "no declared policy named `{}` (the name of this client's own policy)",
                        config.name
                    ),
                    format!("[policies.{}]", config.name),
                ));
            }
            ctx.add_policy(config)
        }
    };
    let edge = ctx.edge(Caller::Client(index), target, policy);
    Ok(ClientConfig { name, edge, load })
}

/// Reads `load`: an `open` (arrival rate), `closed` (users) or `burst` workload.
fn read_load(item: &Item<'_>) -> Result<Load> {
    #[derive(Copy, Clone)]
    enum K {
        Open,
        Closed,
        Burst,
    }
    let mut t = item.as_table()?;
    let kind =
        t.required("kind")?
            .as_enum(&[("open", K::Open), ("closed", K::Closed), ("burst", K::Burst)])?;
    let load = match kind {
        K::Open => read_open(&mut t)?,
        K::Closed => read_closed(&mut t)?,
        K::Burst => read_burst(&mut t)?,
    };
    t.finish()?;
    Ok(load)
}

/// Reads an open workload: `rate` (requests per second, > 0 unless a `schedule` raises it),
/// `arrivals` (default Poisson) and the optional `schedule`.
fn read_open(t: &mut TableReader<'_>) -> Result<Load> {
    let rate_item = t.required("rate")?;
    let arrivals = t.optional_or("arrivals", Arrivals::Poisson, |i| {
        i.as_enum(&[("poisson", Arrivals::Poisson), ("constant", Arrivals::Constant)])
    })?;
    let schedule = t.optional("schedule");
    if schedule.is_none() {
        rate_item.as_positive().map_err(|e| {
            if matches!(rate_item.node.value, Value::Int(_) | Value::Float(_)) {
                e.with_help("a rate of 0 is allowed only with a `schedule` that raises it")
            } else {
                e
            }
        })?;
    }
    let rate = as_rate(&rate_item)?;
    let rate = match schedule {
        Some(s) => read_schedule(rate, &s)?,
        None => RateSchedule::constant(rate),
    };
    Ok(Load::Open { arrivals, rate })
}

/// A rate in requests per second: a number in `[0, MAX_RATE]`.
fn as_rate(item: &Item<'_>) -> Result<f64> {
    item.number_where(
        |x| (0.0..=super::MAX_RATE).contains(&x),
        "a rate between 0 and 1e9 requests per second (one per nanosecond, the clock's resolution)",
    )
}

/// Reads a closed workload: `users`, their `think` time between requests, their `start` and
/// the `ramp` over which they start.
fn read_closed(t: &mut TableReader<'_>) -> Result<Load> {
    let users = t.required("users")?.as_u32_in(1, super::MAX_USERS)?;
    let think = t.optional_or("think", Dist::Constant { value: 0.0 }, read_dist)?;
    let start = t.optional_or("start", SimDuration::ZERO, Item::as_duration)?;
    let ramp = t.optional_or("ramp", SimDuration::ZERO, Item::as_duration)?;
    Ok(Load::Closed {
        users,
        think,
        start: SimTime::ZERO.saturating_add(start),
        ramp,
    })
}

/// Reads a burst: `count` requests started at once at time `at`, again every `every` if given.
fn read_burst(t: &mut TableReader<'_>) -> Result<Load> {
    let count = t.required("count")?.as_u32_in(1, super::MAX_BURST)?;
    let at = t.optional_or("at", SimDuration::ZERO, Item::as_duration)?;
    let every = t
        .optional("every")
        .map(|i| i.as_positive_duration())
        .transpose()?;
    Ok(Load::Burst {
        count,
        at: SimTime::ZERO.saturating_add(at),
        every,
    })
}

/// A rate schedule being built.
struct Schedule {
    /// The points so far: (time, requests per second).
    points: Vec<(SimTime, f64)>,
    /// The rate after the last entry.
    current: f64,
    /// The earliest time the next entry may start at.
    free_from: SimTime,
}

/// Builds the piecewise-linear rate from the initial `rate` and the `schedule` entries: a step
/// `{ at, rate }`, a ramp `{ at, ramp_to, until }` or a spike `{ at, spike, for }`, in time order
/// and not overlapping.
fn read_schedule(initial: f64, item: &Item<'_>) -> Result<RateSchedule> {
    let mut s = Schedule {
        points: vec![(SimTime::ZERO, initial)],
        current: initial,
        free_from: SimTime::ZERO,
    };
    for entry in item.as_array()? {
        read_schedule_entry(&mut s, &entry)?;
    }
    Ok(RateSchedule { points: s.points })
}

/// Reads one schedule entry and adds its points to `s`.
fn read_schedule_entry(s: &mut Schedule, entry: &Item<'_>) -> Result<()> {
    let mut t = entry.as_table()?;
    let at_item = t.required("at")?;
    let at = SimTime::ZERO.saturating_add(at_item.as_duration()?);
    if at < s.free_from {
        return Err(at_item.value_error(format!(
            "a time ≥ {} (schedule entries in time order, not overlapping)",
            SimDuration::from_nanos(s.free_from.as_nanos())
        )));
    }
    let kinds = present(&t, ["rate", "ramp_to", "spike"]);
    match (kinds.len(), kinds.first().copied()) {
        (1, Some("rate")) => {
            let rate = as_rate(&t.required("rate")?)?;
            push(&mut s.points, (at, s.current));
            push(&mut s.points, (at, rate));
            s.current = rate;
            s.free_from = at;
        }
        (1, Some("ramp_to")) => read_ramp(s, &mut t, at, &at_item)?,
        (1, Some("spike")) => read_spike(s, &mut t, at)?,
        (0, _) => {
            return Err(entry.error(
                ErrorKind::Missing,
                "one of `rate` (a step), `ramp_to` (a ramp) or `spike` (a spike)",
                "none of them",
            ));
        }
        _ => {
            return Err(both_error(
                &mut t,
                &kinds,
                "one of `rate`, `ramp_to` or `spike` per schedule entry",
            ));
        }
    }
    t.finish()
}

/// Reads a ramp from the current rate at `at` to `ramp_to` at `until`, and adds it to `s`.
fn read_ramp(s: &mut Schedule, t: &mut TableReader<'_>, at: SimTime, at_item: &Item<'_>) -> Result<()> {
    let to = as_rate(&t.required("ramp_to")?)?;
    let until_item = t.required("until")?;
    let until = SimTime::ZERO.saturating_add(until_item.as_duration()?);
    if until <= at {
        return Err(until_item.value_error(format!("a time after `at` ({})", at_item.node.describe())));
    }
    push(&mut s.points, (at, s.current));
    push(&mut s.points, (until, to));
    s.current = to;
    s.free_from = until;
    Ok(())
}

/// Reads a spike to the rate `spike` from `at` for the duration `for`, back to the current rate
/// after it, and adds it to `s`.
fn read_spike(s: &mut Schedule, t: &mut TableReader<'_>, at: SimTime) -> Result<()> {
    let spike = as_rate(&t.required("spike")?)?;
    let for_item = t.required("for")?;
    let end = at
        .checked_add(for_item.as_positive_duration()?)
        .ok_or_else(|| for_item.value_error("a shorter duration"))?;
    push(&mut s.points, (at, s.current));
    push(&mut s.points, (at, spike));
    push(&mut s.points, (end, spike));
    push(&mut s.points, (end, s.current));
    s.free_from = end;
    Ok(())
}

/// Appends a point unless it repeats the last one exactly.
fn push(points: &mut Vec<(SimTime, f64)>, p: (SimTime, f64)) {
    if points.last() != Some(&p) {
        points.push(p);
    }
}
