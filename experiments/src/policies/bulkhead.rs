//! The bulkhead's room on the product surface: its keys and their defaults (resilience4j's
//! `SemaphoreBulkhead`), its words, its panel (permits in use against the limit), its form
//! fields and the narration of its logged changes.

use models::config::PolicyConfig;
use models::policy::bulkhead::{BulkheadConfig, BulkheadEvent, R4J_MAX_CONCURRENT_CALLS, R4J_MAX_WAIT};
use plots::Panel;
use sim_core::time::SimDuration;

use super::{EdgeView, Part, Said};
use crate::charts::edges::{against_limit, times};
use crate::charts::{column, line};
use crate::narrate::Tone;
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
    panel: |p| p.bulkhead.is_some().then_some(panel),
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
    p.bulkhead
        .as_ref()
        .map(|b| format!("bulkhead {}", b.max_concurrent))
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

/// A full bulkhead warns, one with room again is good news; both are start-up noise while
/// load ramps up.
pub(super) fn said(e: &BulkheadEvent) -> Said {
    let (tone, text, edge, owner, phrase) = match e {
        BulkheadEvent::Saturated {
            edge,
            owner,
            max_concurrent,
        } => (
            Tone::Warn,
            format!("bulkhead {edge} at {owner} full: {max_concurrent}/{max_concurrent} permits in use"),
            edge,
            owner,
            format!(": bulkhead {edge} full"),
        ),
        BulkheadEvent::Recovered { edge, owner } => (
            Tone::Good,
            format!("bulkhead {edge} at {owner} has room again"),
            edge,
            owner,
            format!(": bulkhead {edge} had room again"),
        ),
    };
    Said {
        tone,
        text,
        subjects: vec![edge.clone(), owner.clone()],
        repeat: (owner.clone(), phrase),
        startup_noise: true,
    }
}

#[cfg(test)]
mod tests {
    use models::log::{LogEntry, LogKind};
    use models::policy::PolicyEvent;

    use super::*;

    fn entry(event: BulkheadEvent) -> LogEntry {
        LogEntry {
            t: 2.5,
            kind: LogKind::Policy(PolicyEvent::Bulkhead(event)),
        }
    }

    /// `events.jsonl` keeps its bytes: the room's event is written as the log's own kinds are,
    /// its `event` name right after `t`, then its fields in order.
    #[test]
    fn events_are_written_as_the_log_writes_its_own() {
        let full = entry(BulkheadEvent::Saturated {
            edge: "a→b".into(),
            owner: "a-0".into(),
            max_concurrent: 10,
        });
        assert_eq!(
            serde_json::to_string(&full).unwrap(),
            r#"{"t":2.5,"event":"bulkhead_saturated","edge":"a→b","owner":"a-0","max_concurrent":10}"#
        );
        let room = entry(BulkheadEvent::Recovered {
            edge: "a→b".into(),
            owner: "a-0".into(),
        });
        assert_eq!(
            serde_json::to_string(&room).unwrap(),
            r#"{"t":2.5,"event":"bulkhead_recovered","edge":"a→b","owner":"a-0"}"#
        );
    }

    #[test]
    fn a_full_bulkhead_warns_and_names_its_edge_and_owner() {
        let s = said(&BulkheadEvent::Saturated {
            edge: "a→b".into(),
            owner: "a-0".into(),
            max_concurrent: 3,
        });
        assert_eq!(s.tone, Tone::Warn);
        assert_eq!(s.text, "bulkhead a→b at a-0 full: 3/3 permits in use");
        assert_eq!(s.subjects, ["a→b", "a-0"]);
        assert_eq!(s.repeat, ("a-0".to_string(), ": bulkhead a→b full".to_string()));
    }
}
