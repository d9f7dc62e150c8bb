//! Clients: their load (open loop with its rate schedule, closed loop, bursts), policy and
//! timeout.

use crate::scenario::tree::Node;

use super::super::spec::{Dur, IntoNode, Table};
use super::{Gen, MS, S, dist, timeout};

/// The clients, most of them sending to the first service.
pub(super) fn clients(g: &mut Gen, names: &[String], d: u64, policy_names: &[String]) -> Vec<Table> {
    (0..g.weighted(&[5, 60, 25, 10]))
        .map(|i| {
            let target = if g.chance(0.8) {
                names[0].clone()
            } else {
                g.pick(names)
            };
            client(g, format!("c{i}"), target, d, policy_names)
        })
        .collect()
}

fn client(g: &mut Gen, name: String, target: String, d: u64, policies: &[String]) -> Table {
    let load = match g.weighted(&[50, 30, 20]) {
        0 => open(g, d),
        1 => {
            let users = match g.weighted(&[90, 10]) {
                0 => g.int32(1, 20),
                _ => g.int32(100, 2000),
            };
            // Without think time (absent, or 0) a user sends back to back: a few of those fill
            // the run's event budget, so most users think.
            let think = g.maybe(0.8, |g| {
                if g.chance(0.15) {
                    Dur(0).into_node()
                } else {
                    dist(g, 10 * MS, 2 * S)
                }
            });
            Table::new()
                .put("kind", "closed")
                .put("users", users)
                .opt("think", think)
                .opt("start", g.maybe(0.3, |g| g.dur(MS, d)))
                .opt("ramp", g.maybe(0.3, |g| g.dur(1, d)))
        }
        _ => {
            let count = match g.weighted(&[90, 10]) {
                0 => g.int32(1, 100),
                _ => g.int32(1000, 5000),
            };
            Table::new()
                .put("kind", "burst")
                .put("count", count)
                .opt("at", g.maybe(0.6, |g| g.dur(MS, d)))
                .opt(
                    "every",
                    g.maybe(0.5, |g| {
                        if g.chance(0.05) {
                            Dur(1)
                        } else {
                            g.dur(100 * MS, (d / 2).max(100 * MS))
                        }
                    }),
                )
        }
    };
    let policy = if policies.is_empty() || g.chance(0.5) {
        None
    } else {
        Some(g.pick(policies))
    };
    Table::new()
        .put("name", name)
        .put("target", target)
        .opt("policy", policy)
        .opt("timeout", g.maybe(0.5, timeout))
        .put("load", load)
}

/// An open loop, sometimes with a rate schedule.
fn open(g: &mut Gen, d: u64) -> Table {
    let schedule = if g.chance(0.3) { schedule(g, d) } else { Vec::new() };
    let rate = match g.weighted(&[85, 10, 5]) {
        0 => g.log(0.1, 100.0),
        1 if !schedule.is_empty() => 0.0,
        _ => g.log(100.0, 3000.0),
    };
    let rate = if rate <= 0.0 && schedule.is_empty() {
        1.0
    } else {
        rate
    };
    let arrivals = g.maybe_bool(0.5).map(|c| if c { "constant" } else { "poisson" });
    Table::new()
        .put("kind", "open")
        .put("rate", rate)
        .opt("arrivals", arrivals)
        .list("schedule", schedule)
}

/// A rate schedule: one to four steps, ramps or spikes.
fn schedule(g: &mut Gen, d: u64) -> Vec<Node> {
    let mut at = 0;
    let mut entries = Vec::new();
    for _ in 0..g.int(1, 4) {
        at += g.or(0, |g| g.dur(MS, d / 2 + 1).0);
        let rate = g.or(0.0, |g| g.log(1.0, 500.0));
        let until = at + g.dur(MS, d / 3 + 1).0;
        let entry = Table::new().put("at", Dur(at));
        let step = match g.below(3) {
            0 => {
                entries.push(entry.put("rate", rate).into_node());
                continue;
            }
            1 => entry.put("ramp_to", rate).put("until", Dur(until)),
            _ => entry.put("spike", rate).put("for", Dur(until - at)),
        };
        entries.push(step.into_node());
        at = until;
    }
    entries
}
