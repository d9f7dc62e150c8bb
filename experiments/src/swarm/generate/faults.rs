//! Faults: of every kind, on some or all pods, sometimes covering the whole run.

use super::super::spec::{Dur, Table};
use super::services::Service;
use super::{Gen, MS, S};

/// The faults, each on a random service.
pub(super) fn faults(g: &mut Gen, services: &[Service], d: u64) -> Vec<Table> {
    let n = services.len();
    (0..g.weighted(&[30, 40, 20, 10]))
        .map(|i| {
            let s = g.below(n as u64) as usize;
            fault(g, i, &services[s], d)
        })
        .collect()
}

fn fault(g: &mut Gen, i: usize, service: &Service, d: u64) -> Table {
    let (kind, keys) = match g.below(8) {
        0 => ("slow", Table::new().put("latency", g.dur(MS, 20 * S))),
        1 => (
            "slow",
            Table::new().put("multiplier", g.pick(&[0.01, 0.5, 2.0, 10.0, 1000.0])),
        ),
        2 => (
            "errors",
            Table::new()
                .put("rate", g.pick(&[0.0, 0.1, 0.5, 1.0]))
                .opt("fail_fast", g.maybe_bool(0.6)),
        ),
        3 => ("crash", Table::new().opt("blackhole", g.maybe_bool(0.7))),
        4 => {
            let slots = g.maybe(0.8, |g| g.int32(0, service.slots));
            let multiplier = if slots.is_none() || g.chance(0.4) {
                Some(g.pick(&[0.5, 2.0, 10.0]))
            } else {
                None
            };
            (
                "capacity_cut",
                Table::new().opt("slots", slots).opt("multiplier", multiplier),
            )
        }
        5 => ("leak", Table::new().put("growth", g.dur(MS, S))),
        6 => (
            "restart",
            Table::new().put("down_for", g.or(Dur(1), |g| g.dur(MS, 30 * S))),
        ),
        _ => (
            "reschedule",
            Table::new().put("down_for", g.or(Dur(1), |g| g.dur(MS, 30 * S))),
        ),
    };
    let ends_by_itself = matches!(kind, "restart" | "reschedule");
    // One fault in five covers the whole run: from 0, no end.
    let whole_run = !ends_by_itself && g.chance(0.2);
    let from = if whole_run {
        g.maybe(0.5, |_| Dur(0))
    } else {
        // Strictly before the end of the run: the loader refuses a fault that starts after it.
        let last = d.saturating_sub(1);
        g.maybe(0.85, |g| g.dur(MS.min(last), last))
    };
    let until = if whole_run || ends_by_itself {
        None
    } else {
        g.maybe(0.7, |g| Dur(from.map_or(0, |f| f.0) + g.dur(1, d / 2 + 1).0))
    };
    let name = g.maybe(0.5, |_| format!("f{i}"));
    Table::new()
        .opt("name", name)
        .put("service", service.name.as_str())
        .put("kind", kind)
        .extend(keys)
        .opt("from", from)
        .opt("until", until)
        .opt("pods", g.maybe(0.3, |g| g.int32(1, service.pods)))
}
