//! The generator: a random but valid [`Spec`] from a seed, built as the scenario tree.
//!
//! Every draw comes from one stream, `RngStreams::new(seed).stream("swarm")`, so a seed always
//! gives the same scenario. Services form a DAG by levels (a service calls only services of a
//! higher level, at most four levels: four services deep); every key of the schema appears with
//! some probability, usually with an ordinary value and sometimes with an extreme one (a zero
//! capacity queue, a 1 ns timeout, a million retries, a fault covering the whole run, no
//! network latency at all). Sizes stay small so a run takes milliseconds: a few pods, durations
//! up to two minutes, and limits (`max_events` 200 000 at most) that stop the rest.
//!
//! This is the one place of the swarm that knows the scenario keys (besides the schema, which
//! the loader checks every generated tree against): this module holds the random stream's
//! helpers, the whole scenario and its distributions; `services`, `policies`, `clients` and
//! `faults` draw the parts, and `features` names what a scenario uses.

mod clients;
mod faults;
mod features;
mod policies;
mod services;

use sim_core::rng::{RngStreams, SimRng};

use crate::scenario::tree::Node;

use super::spec::{Dur, IntoNode, Spec, Table};

/// The random stream and its helpers.
struct Gen {
    rng: SimRng,
}

impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n.max(1))
    }
    /// An integer in `lo..=hi`.
    fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn int32(&mut self, lo: u32, hi: u32) -> u32 {
        self.int(u64::from(lo), u64::from(hi)) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.bernoulli(p)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
    /// Index chosen with these weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }
    /// `fixed` half the time, else a draw.
    fn or<T>(&mut self, fixed: T, f: impl FnOnce(&mut Gen) -> T) -> T {
        if self.chance(0.5) { fixed } else { f(self) }
    }
    /// One of `fixed` half the time, else a draw.
    fn or_pick<T: Clone>(&mut self, fixed: &[T], f: impl FnOnce(&mut Gen) -> T) -> T {
        if self.chance(0.5) {
            self.pick(fixed)
        } else {
            f(self)
        }
    }
    fn maybe<T>(&mut self, p: f64, f: impl FnOnce(&mut Gen) -> T) -> Option<T> {
        if self.chance(p) { Some(f(self)) } else { None }
    }
    fn maybe_bool(&mut self, p: f64) -> Option<bool> {
        if self.chance(p) {
            Some(self.chance(0.5))
        } else {
            None
        }
    }
    /// A "round" number in `[lo, hi]` (1, 1.5, 2, 3, 5 or 7 times a power of ten), each
    /// decade about equally likely: log-uniform, readable, and computed without any
    /// platform-dependent math function.
    fn log(&mut self, lo: f64, hi: f64) -> f64 {
        let mut values = Vec::new();
        for exponent in -9..=9 {
            for m in ["1", "1.5", "2", "3", "5", "7"] {
                // Parsed from text: the nearest double, with no accumulated rounding.
                let v: f64 = format!("{m}e{exponent}").parse().expect("a number");
                if v >= lo && v <= hi {
                    values.push(v);
                }
            }
        }
        if values.is_empty() { lo } else { self.pick(&values) }
    }
    /// A round duration between `lo` and `hi` nanoseconds (log-uniform).
    fn dur(&mut self, lo: u64, hi: u64) -> Dur {
        if lo >= hi {
            return Dur(lo);
        }
        let mut values = Vec::new();
        let mut decade: u64 = 1;
        loop {
            for m in [10, 15, 20, 30, 50, 70] {
                let v = decade.saturating_mul(m) / 10;
                if v >= lo && v <= hi && v > 0 {
                    values.push(v);
                }
            }
            match decade.checked_mul(10) {
                Some(d) if d / 10 <= hi => decade = d,
                _ => break,
            }
        }
        values.dedup();
        if values.is_empty() {
            Dur(lo)
        } else {
            Dur(self.pick(&values))
        }
    }
    /// A number uniform in `[lo, hi)` with two decimals.
    fn frac(&mut self, lo: f64, hi: f64) -> f64 {
        let x = self.rng.uniform_range(lo, hi);
        ((x * 100.0).round() / 100.0).clamp(lo, hi)
    }
}

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

/// Generates the scenario of swarm seed `seed`.
pub fn generate(seed: u64) -> Spec {
    let mut g = Gen {
        rng: RngStreams::new(seed).stream("swarm"),
    };
    let duration = match g.weighted(&[80, 15, 5]) {
        0 => g.dur(5 * S, 60 * S),
        1 => g.dur(60 * S, 120 * S),
        _ => g.dur(1, 100 * MS),
    };
    let d = duration.0;
    let bucket = g.maybe(0.4, |g| match g.weighted(&[8, 1, 1]) {
        0 => Dur((d / g.int(1, 300)).max(1)),
        1 => g.dur(S, 3600 * S),
        _ => Dur((d / 2000).max(1)),
    });
    let network_latency = g.maybe(0.4, |g| match g.weighted(&[3, 3, 4]) {
        0 => Dur(0).into_node(),
        1 => g.dur(1_000, 50 * MS).into_node(),
        _ => dist(g, 10_000, 10 * MS),
    });
    let limits = limits(&mut g);

    // Services by level: a service calls only services of a higher level (a DAG, ≤ 4 deep).
    let n = 1 + g.weighted(&[20, 30, 25, 15, 10]);
    let mut levels = vec![0u32];
    for i in 1..n {
        let up = u32::from(g.chance(0.6));
        levels.push((levels[i - 1] + up).min(3));
    }
    let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    let replicas: Vec<Option<u32>> = (0..n)
        .map(|_| match g.weighted(&[30, 60, 10]) {
            0 => None,
            1 => Some(g.int32(1, 3)),
            _ => Some(g.int32(4, 8)),
        })
        .collect();

    // Policies first: steps and clients refer to them.
    let (policy_names, policies) = policies::policies(&mut g);
    let services = services::services(&mut g, &levels, &names, &replicas, &policy_names);
    let clients = clients::clients(&mut g, &names, d, &policy_names);
    let faults = faults::faults(&mut g, &services, d);

    Spec {
        seed,
        root: Table::new()
            .put("name", format!("swarm-{seed}"))
            .put("duration", duration)
            .put("seed", seed)
            .opt("bucket", bucket)
            .opt("network", network_latency.map(|l| Table::new().put("latency", l)))
            .put("limits", limits)
            .list("clients", clients)
            .list("services", services.into_iter().map(|s| s.table).collect())
            .opt("policies", (!policy_names.is_empty()).then_some(policies))
            .list("faults", faults)
            .into_node(),
    }
}

/// Run limits: usually generous, sometimes tiny.
fn limits(g: &mut Gen) -> Table {
    let max_events = match g.weighted(&[85, 10, 5]) {
        0 => 200_000,
        1 => g.int(1_000, 50_000),
        _ => g.int(1, 100),
    };
    let max_pending = match g.weighted(&[85, 10, 5]) {
        0 => 100_000,
        1 => g.int(100, 10_000),
        _ => g.int(1, 10),
    };
    Table::new()
        .put("max_events", max_events)
        .put("max_pending", max_pending)
        .opt("max_log_entries", g.maybe(0.3, |g| g.pick(&[0u64, 1, 10, 1000])))
        .opt("max_buckets", g.maybe(0.15, |g| g.pick(&[1u64, 7, 100])))
}

/// `{ dist = KIND, … }`.
fn dist_table(kind: &str) -> Table {
    Table::new().put("dist", kind)
}

/// A distribution of durations around `lo..hi` nanoseconds, of any kind.
fn dist(g: &mut Gen, lo: u64, hi: u64) -> Node {
    let mid = g.dur(lo, hi);
    let at_least_1 = Dur(mid.0.max(1));
    let t = match g.below(10) {
        0 => return mid.into_node(),
        1 => dist_table("constant").put("value", mid),
        2 => dist_table("uniform")
            .put("low", Dur(mid.0 / 2))
            .put("high", g.dur(mid.0, hi.max(mid.0) * 2)),
        3 => dist_table("exponential").put("mean", at_least_1),
        4 => dist_table("normal")
            .put("mean", mid)
            .put("sd", g.dur(1, mid.0.max(2))),
        5 => dist_table("lognormal")
            .put("median", at_least_1)
            .put("p99", Dur(at_least_1.0 * g.int(1, 20))),
        6 => dist_table("lognormal")
            .put("mean", at_least_1)
            .put("sd", g.dur(1, mid.0.max(2) * 3)),
        // Shapes below 1 have an infinite mean: draws can be astronomically large.
        7 => dist_table("pareto")
            .put("scale", at_least_1)
            .put("shape", g.pick(&[0.3, 1.0, 1.5, 2.5, 10.0])),
        8 => dist_table("mixture").put("of", mixture(g, lo, hi)),
        _ => dist_table("empirical").put("quantiles", empirical(g, mid)),
    };
    t.into_node()
}

/// A mixture's weighted components: constants, exponentials and uniforms.
fn mixture(g: &mut Gen, lo: u64, hi: u64) -> Vec<Table> {
    (0..g.int(1, 3))
        .map(|i| {
            let w = if i == 0 {
                g.frac(0.1, 1.0)
            } else {
                g.pick(&[0.0, 0.05, 0.5])
            };
            let c = g.dur(lo, hi);
            let t = Table::new().put("weight", w);
            match g.below(3) {
                0 => t.put("value", c),
                1 => t.extend(dist_table("exponential").put("mean", Dur(c.0.max(1)))),
                _ => t.extend(dist_table("uniform").put("low", Dur(0)).put("high", c)),
            }
        })
        .collect()
}

/// An empirical distribution's `[p, duration]` points from 0.0 to 1.0 around `mid`.
fn empirical(g: &mut Gen, mid: Dur) -> Vec<Node> {
    let mut points = vec![(0.0, Dur(mid.0 / 4))];
    let mut v = mid.0 / 4;
    let mut p = 0.0;
    for _ in 0..g.below(3) {
        p = (p + g.frac(0.05, 0.5)).min(0.95);
        v += g.dur(1, mid.0.max(1)).0;
        points.push((p, Dur(v)));
    }
    points.push((1.0, Dur(v + g.dur(1, mid.0.max(1) * 4).0)));
    points.dedup_by(|b, a| b.0 <= a.0);
    if points.last().map(|p| p.0) != Some(1.0) {
        points.push((1.0, Dur(v)));
    }
    points
        .into_iter()
        .map(|(p, d)| vec![p.into_node(), d.into_node()].into_node())
        .collect()
}

/// A work time: usually 100 µs to 100 ms, sometimes zero, 1 ns or seconds.
fn work(g: &mut Gen) -> Node {
    match g.weighted(&[40, 5, 3, 2, 50]) {
        0 => g.dur(100_000, 100 * MS).into_node(),
        1 => Dur(0).into_node(),
        2 => Dur(1).into_node(),
        3 => g.dur(S, 5 * S).into_node(),
        _ => dist(g, 100_000, 100 * MS),
    }
}

/// A timeout: `"none"`, 1 ns, or 1 ms to 10 s.
fn timeout(g: &mut Gen) -> Node {
    match g.weighted(&[25, 12, 63]) {
        0 => "none".into_node(),
        1 => Dur(1).into_node(),
        _ => g.dur(MS, 10 * S).into_node(),
    }
}
