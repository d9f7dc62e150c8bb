//! The bulkhead's room on the product surface: its keys and their defaults (resilience4j's
//! `SemaphoreBulkhead`), its words, its panel (permits in use against the limit) and its form
//! fields.

use models::config::PolicyConfig;
use models::policy::bulkhead::{BulkheadConfig, R4J_MAX_CONCURRENT_CALLS, R4J_MAX_WAIT};
use plots::Panel;
use sim_core::time::SimDuration;

use super::{EdgeView, Part};
use crate::charts::edges::{against_limit, times};
use crate::charts::{column, line};
use crate::scenario::reader::{Item, Result};
use crate::scenario::tree::Node;
use crate::scenario::warning::ReadWarning;
use crate::serve::form::Group;

/// The bulkhead, for the generic code.
pub(super) const PART: Part = Part {
    key: "bulkhead",
    read,
    header: "bulkhead",
    words,
    short,
    has_panel: |p| p.bulkhead.is_some(),
    panel,
    form,
};

/// Reads `bulkhead`: `max_concurrent` and `max_wait`, with resilience4j's defaults.
fn read(item: &Item<'_>, _: &mut Vec<ReadWarning>, p: &mut PolicyConfig) -> Result<()> {
    let mut t = item.as_table()?;
    let bulkhead = BulkheadConfig {
        max_concurrent: t.optional_or("max_concurrent", R4J_MAX_CONCURRENT_CALLS, |i| {
            i.as_u32_at_least(1)
        })?,
        max_wait: t.optional_or("max_wait", R4J_MAX_WAIT, Item::as_duration)?,
    };
    t.finish()?;
    p.bulkhead = Some(bulkhead);
    Ok(())
}

/// A policy's bulkhead in words: its concurrency and whether it waits, or `—` without one.
fn words(p: &PolicyConfig) -> String {
    p.bulkhead.as_ref().map_or("—".to_string(), |b| {
        if b.max_wait == SimDuration::ZERO {
            format!("{} concurrent, rejects when full", b.max_concurrent)
        } else {
            format!("{} concurrent, waits ≤ {}", b.max_concurrent, b.max_wait)
        }
    })
}

/// "bulkhead N".
fn short(p: &PolicyConfig) -> Option<String> {
    p.bulkhead.as_ref().map(|b| format!("bulkhead {}", b.max_concurrent))
}

/// Bulkhead permits in use (time-averaged) against the limit over the caller pods.
fn panel(e: &EdgeView<'_>) -> Panel {
    let limit = e.policy.bulkhead.as_ref().map_or(0, |b| b.max_concurrent);
    let name = e.name;
    against_limit(
        format!("{name}: bulkhead permits in use (mean)"),
        "permits",
        vec![line(
            "permits in use",
            column(e.report, &format!("edge.{name}.bulkhead_in_use")),
            false,
        )],
        format!("limit {}", times(e.pods, limit)),
        Some(f64::from(e.pods) * f64::from(limit)),
    )
}

/// `max_concurrent` and `max_wait`, or `"none"` with an example.
fn form(g: &mut Group<'_>, p: &PolicyConfig, written: Option<&Node>) {
    match (&p.bulkhead, written) {
        (Some(b), Some(_)) => {
            g.int(
                "bulkhead.max_concurrent",
                u64::from(b.max_concurrent),
                "calls",
                1,
                None,
            );
            g.dur("bulkhead.max_wait", b.max_wait);
        }
        _ => g.none_part("bulkhead", "{ max_concurrent = 10, max_wait = \"1s\" }"),
    }
}

