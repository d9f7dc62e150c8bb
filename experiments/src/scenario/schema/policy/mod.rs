//! `[policies.NAME]`: timeouts, pool, retry (backoff, budget), breaker, the parts with a room
//! in `crate::policies`, deadline, fallback and composition order.
//!
//! This module reads the policy table itself, its timeouts, pool and fallback; the retry (with
//! its backoff), the retry budget and the breaker have a module each, and each part with a
//! room is read by its room's `read`.

mod breaker;
mod budget;
mod retry;

pub use retry::{BACKOFF_NAMES, DEFAULT_RETRY_ON, retry_conditions};

use models::config::{Fallback, PolicyConfig, PolicyOrder, PoolConfig, Timeouts};
use sim_core::time::SimDuration;

use crate::policies::PARTS;
use crate::scenario::dist::read_dist;
use crate::scenario::reader::{Item, Result, TableReader};
use crate::scenario::warning::ReadWarning;
pub use models::defaults::{
    HTTPX_KEEPALIVE_EXPIRY, HTTPX_MAX_CONNECTIONS, HTTPX_MAX_KEEPALIVE, HTTPX_TIMEOUT,
};

/// Default `fallback.retry_every` for deferred work.
pub const DEFER_RETRY_EVERY: SimDuration = SimDuration::from_secs(10);
/// Default `fallback.capacity` for deferred work.
pub const DEFER_CAPACITY: u32 = 10_000;

/// httpx's client defaults: `Timeout(5.0)`, `Limits(100, 20, 5.0)`, no retry, breaker or other
/// resilience part, no deadline.
pub fn httpx_default(name: &str) -> PolicyConfig {
    let base = PolicyConfig::unlimited(name, None);
    PolicyConfig {
        timeouts: Timeouts {
            connect: Some(HTTPX_TIMEOUT),
            read: Some(HTTPX_TIMEOUT),
            write: Some(HTTPX_TIMEOUT),
            pool: Some(HTTPX_TIMEOUT),
            attempt: None,
        },
        pool: PoolConfig {
            max_connections: HTTPX_MAX_CONNECTIONS,
            max_keepalive: HTTPX_MAX_KEEPALIVE,
            keepalive_expiry: HTTPX_KEEPALIVE_EXPIRY,
            ..base.pool
        },
        ..base
    }
}

/// Reads `[policies.NAME]`, adding to `warnings` what is valid but probably not meant.
pub(super) fn read_policy(
    name: &str,
    item: &Item<'_>,
    warnings: &mut Vec<ReadWarning>,
) -> Result<PolicyConfig> {
    let mut t = item.as_table()?;
    let mut p = httpx_default(name);
    if let Some(item) = t.optional("timeouts") {
        p.timeouts = read_timeouts(&item)?;
    }
    if let Some(item) = t.optional("pool") {
        read_pool(&item, &mut p.pool)?;
    }
    // `"none"` switches a part off, so `--set policies.p.breaker=none` can remove it.
    let none = |i: &Item<'_>| i.is_str() && i.as_str().ok() == Some("none");
    p.retry = t
        .optional("retry")
        .filter(|i| !none(i))
        .map(|i| retry::read_retry(&i, warnings))
        .transpose()?;
    p.breaker = t
        .optional("breaker")
        .filter(|i| !none(i))
        .map(|i| breaker::read_breaker(&i, warnings))
        .transpose()?;
    for part in &PARTS {
        if let Some(i) = t.optional(part.key).filter(|i| !none(i)) {
            (part.read)(&i, warnings, &mut p)?;
        }
    }
    p.deadline = t.optional_or("deadline", None, Item::as_timeout)?;
    if let Some(i) = t.optional("propagate_deadline") {
        p.propagate_deadline = i.as_bool()?;
    }
    if let Some(i) = t.optional("fallback") {
        p.fallback = read_fallback(&i)?;
    }
    if let Some(i) = t.optional("order") {
        p.order = i.as_enum(&[
            ("lesson", PolicyOrder::Lesson),
            ("resilience4j", PolicyOrder::Resilience4j),
        ])?;
    }
    t.finish()?;
    Ok(p)
}

/// Reads `timeouts`: `connect`, `read`, `write` and `pool` default to httpx's 5 s, `attempt` to
/// none; `"none"` waits forever.
fn read_timeouts(item: &Item<'_>) -> Result<Timeouts> {
    let mut tt = item.as_table()?;
    let httpx = Some(HTTPX_TIMEOUT);
    let timeouts = Timeouts {
        connect: tt.optional_or("connect", httpx, Item::as_timeout)?,
        read: tt.optional_or("read", httpx, Item::as_timeout)?,
        write: tt.optional_or("write", httpx, Item::as_timeout)?,
        pool: tt.optional_or("pool", httpx, Item::as_timeout)?,
        attempt: tt.optional_or("attempt", None, Item::as_timeout)?,
    };
    tt.finish()?;
    Ok(timeouts)
}

/// Reads `pool` over `pool`, which holds the defaults: each key present replaces its field.
fn read_pool(item: &Item<'_>, pool: &mut PoolConfig) -> Result<()> {
    let mut pt = item.as_table()?;
    if let Some(i) = pt.optional("max_connections") {
        pool.max_connections = i.as_u32_at_least(1)?;
    }
    if let Some(i) = pt.optional("max_keepalive") {
        pool.max_keepalive = i.as_u32_at_least(0)?;
    }
    if let Some(i) = pt.optional("keepalive_expiry") {
        pool.keepalive_expiry = i.as_duration()?;
    }
    if let Some(i) = pt.optional("connect_time") {
        pool.connect_time = read_dist(&i)?;
    }
    if let Some(i) = pt.optional("sticky") {
        pool.sticky = i.as_bool()?;
    }
    if let Some(i) = pt.optional("shared") {
        let name = i.as_str()?;
        if name.is_empty() {
            return Err(i.value_error("a pool name (policies naming the same pool share it)"));
        }
        pool.shared = Some(name.to_string());
    }
    pt.finish()
}

/// Reads `fallback`: `"fail"`, `"degrade"`, `"defer"`, or a table with `kind` (and, for
/// `defer`, `retry_every` and `capacity`).
fn read_fallback(item: &Item<'_>) -> Result<Fallback> {
    #[derive(Copy, Clone)]
    enum K {
        Fail,
        Degrade,
        Defer,
    }
    const KINDS: [(&str, K); 3] = [("fail", K::Fail), ("degrade", K::Degrade), ("defer", K::Defer)];
    let defer = |t: Option<&mut TableReader<'_>>| -> Result<Fallback> {
        let (mut retry_every, mut capacity) = (DEFER_RETRY_EVERY, DEFER_CAPACITY);
        if let Some(t) = t {
            if let Some(i) = t.optional("retry_every") {
                retry_every = i.as_positive_duration()?;
            }
            if let Some(i) = t.optional("capacity") {
                capacity = i.as_u32_at_least(1)?;
            }
        }
        Ok(Fallback::Defer {
            retry_every,
            capacity,
        })
    };
    if item.is_str() {
        return match item.as_enum(&KINDS)? {
            K::Fail => Ok(Fallback::Fail),
            K::Degrade => Ok(Fallback::Degrade),
            K::Defer => defer(None),
        };
    }
    if !item.is_table() {
        return Err(item.type_error(
            "\"fail\", \"degrade\", or a table such as { kind = \"defer\", retry_every = \"10s\" }",
        ));
    }
    let mut t = item.as_table()?;
    let fallback = match t.required("kind")?.as_enum(&KINDS)? {
        K::Fail => Fallback::Fail,
        K::Degrade => Fallback::Degrade,
        K::Defer => defer(Some(&mut t))?,
    };
    t.finish()?;
    Ok(fallback)
}
