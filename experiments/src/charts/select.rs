//! Which services, clients, edges, pods and breakers a large scenario's timeline shows.
//!
//! A timeline has one panel per service, a line per client and edge, and a band row per pod and
//! breaker, so its height grows with the scenario. Past a fixed number of each, it shows those in
//! most "trouble" and says in a note how many it leaves out (their numbers are all in
//! `timeseries.csv` and `summary.json`). Trouble is a key compared largest first, component by
//! component, with the name (then the position) as tie-break, so the choice is deterministic;
//! what is chosen keeps its scenario order. A scenario within the limits shows everything, as
//! before. The rule is documented in docs/outputs.md (section "The timeline").

use std::cmp::Reverse;

use models::metrics::PodState;
use models::policy::breaker::BreakerState;
use models::report::{BreakerBand, ClientSummary, EdgeSummary, PodBand, PodSummary, ServiceSummary};

/// Most service panels a timeline shows.
pub const MAX_SERVICES: usize = 12;
/// Most lines (clients' offered load and edges' attempts) in the load panel; the same as the
/// legend rows a panel makes room for, so every line shown has its legend entry.
pub const MAX_LOAD_LINES: usize = 12;
/// Most clients in the latency panel (two lines each: p50 and p99).
pub const MAX_LATENCY_CLIENTS: usize = 6;
/// Most rows in the pod bands and in the breaker bands (each row 15 px at this count).
pub const MAX_BAND_ROWS: usize = 40;

/// How much trouble something is in: compared component by component, largest first.
pub type Trouble = [u64; 4];

/// A fraction in [0, 1] as parts per million, so that it orders exactly and deterministically.
fn ppm(x: f64) -> u64 {
    if x.is_finite() {
        (x.clamp(0.0, 1.0) * 1e6).round() as u64
    } else {
        0
    }
}

/// A service's trouble: failures (error answers, requests lost with a container, dropped past
/// their deadline), rejections (503, queue full), kills and restarts of its pods, utilisation.
pub fn service_trouble(s: &ServiceSummary) -> Trouble {
    let kills: u64 = s.pods.iter().map(|p| u64::from(p.kills)).sum();
    [
        s.counts.completed_error + s.counts.lost + s.counts.dropped_deadline,
        s.counts.rejected,
        kills + u64::from(s.restarts),
        ppm(s.utilisation),
    ]
}

/// An edge's trouble: failed calls, calls or tries refused (by any refusing policy), breaker
/// transitions, retries.
pub fn edge_trouble(e: &EdgeSummary) -> Trouble {
    [
        e.failed(),
        models::policy::Refusal::ALL
            .map(|r| e.counts.rejections[r])
            .iter()
            .sum(),
        e.breaker_transitions,
        e.counts.retries,
    ]
}

/// A client's trouble: failed requests, degraded answers, p99 latency (µs).
pub fn client_trouble(c: &ClientSummary) -> Trouble {
    let p99 = c.latency_ms.p99;
    let p99_us = if p99.is_finite() && p99 > 0.0 {
        (p99 * 1e3).round() as u64
    } else {
        0
    };
    [c.failed, c.degraded, p99_us, 0]
}

/// A pod's trouble: kills, restarts, time not ready (the fraction of the run, in ppm), then
/// time in the `killed / restarting` state by its band (ns); `pod` is its summary, if any.
pub fn pod_trouble(pod: Option<&PodSummary>, band: &PodBand, end_ns: u64) -> Trouble {
    let down = time_in(&band.states, end_ns, |s| s == PodState::Down);
    match pod {
        Some(p) => [
            u64::from(p.kills),
            u64::from(p.restarts),
            ppm(1.0 - p.ready_fraction),
            down,
        ],
        None => [0, 0, 0, down],
    }
}

/// A breaker's trouble: time open, time half-open (ns), state changes.
pub fn breaker_trouble(band: &BreakerBand, end_ns: u64) -> Trouble {
    [
        time_in(&band.states, end_ns, |s| s == BreakerState::Open),
        time_in(&band.states, end_ns, |s| s == BreakerState::HalfOpen),
        band.states.len() as u64,
        0,
    ]
}

/// Nanoseconds a state history spends in states that match `bad`, up to `end_ns`.
fn time_in<S: Copy>(states: &[(sim_core::time::SimTime, S)], end_ns: u64, bad: impl Fn(S) -> bool) -> u64 {
    states
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| bad(*s))
        .map(|(i, (t, _))| {
            let to = states.get(i + 1).map_or(end_ns, |n| n.0.as_nanos()).min(end_ns);
            to.saturating_sub(t.as_nanos())
        })
        .sum()
}

/// The positions of the `max` items in most trouble, in their original order: `items` gives
/// each one's name and trouble. Ties go to the name that sorts first, then the earlier position.
pub fn most_troubled<'a>(items: impl Iterator<Item = (&'a str, Trouble)>, max: usize) -> Vec<usize> {
    let mut ranked: Vec<(usize, &str, Trouble)> = items.enumerate().map(|(i, (n, t))| (i, n, t)).collect();
    ranked.sort_by_key(|&(i, n, t)| (Reverse(t), n, i));
    let mut chosen: Vec<usize> = ranked.into_iter().take(max).map(|(i, ..)| i).collect();
    chosen.sort_unstable();
    chosen
}

/// How many of `clients` and `edges` lines the load panel shows: all when they fit in
/// [`MAX_LOAD_LINES`]; else the edges keep at least half (or all they have) and the clients
/// the rest, and whatever one side cannot use goes to the other.
pub fn load_split(clients: usize, edges: usize) -> (usize, usize) {
    let half = MAX_LOAD_LINES / 2;
    let c = clients.min(MAX_LOAD_LINES - edges.min(half));
    let e = edges.min(MAX_LOAD_LINES - c);
    (c, e)
}

/// "N NOUNs" (singular for one).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "N more NOUNs" (singular for one).
pub fn more(n: usize, noun: &str) -> String {
    count(n, &format!("more {noun}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_troubled_are_chosen_and_keep_their_order() {
        let items = [
            ("a", [0, 0, 0, 5]),
            ("b", [1, 0, 0, 0]),
            ("c", [0, 9, 0, 0]),
            ("d", [1, 0, 0, 0]),
            ("e", [0, 0, 0, 0]),
        ];
        // b and d lead on failures (b first on its name), then c on rejections.
        assert_eq!(most_troubled(items.iter().map(|(n, t)| (*n, *t)), 2), vec![1, 3]);
        assert_eq!(
            most_troubled(items.iter().map(|(n, t)| (*n, *t)), 3),
            vec![1, 2, 3]
        );
        assert_eq!(
            most_troubled(items.iter().map(|(n, t)| (*n, *t)), 4),
            vec![0, 1, 2, 3]
        );
        assert_eq!(
            most_troubled(items.iter().map(|(n, t)| (*n, *t)), 9),
            vec![0, 1, 2, 3, 4]
        );
        // Equal trouble: the name decides, not the position.
        let tied = [("z", [0; 4]), ("y", [0; 4]), ("x", [0; 4])];
        assert_eq!(most_troubled(tied.iter().map(|(n, t)| (*n, *t)), 1), vec![2]);
    }

    #[test]
    fn the_load_panel_splits_its_lines_between_clients_and_edges() {
        assert_eq!(load_split(1, 4), (1, 4), "small scenarios show everything");
        assert_eq!(load_split(40, 120), (6, 6));
        assert_eq!(load_split(1, 120), (1, 11));
        assert_eq!(load_split(40, 2), (10, 2));
        assert_eq!(load_split(0, 0), (0, 0));
        for c in 0..30 {
            for e in 0..30 {
                let (kc, ke) = load_split(c, e);
                assert!(
                    kc <= c && ke <= e && kc + ke == (c + e).min(MAX_LOAD_LINES),
                    "{c} {e}"
                );
            }
        }
    }

    #[test]
    fn fractions_order_exactly() {
        assert_eq!(ppm(0.5), 500_000);
        assert_eq!(ppm(f64::NAN), 0);
        assert_eq!(ppm(7.0), 1_000_000);
        assert_eq!(more(1, "pod"), "1 more pod");
        assert_eq!(more(80, "pod"), "80 more pods");
        assert_eq!(count(1, "client"), "1 client");
    }
}
