//! The generator: a random but valid [`Spec`] from a seed.
//!
//! Every draw comes from one stream, `RngStreams::new(seed).stream("swarm")`, so a seed always
//! gives the same scenario. Services form a DAG by levels (a service calls only services of a
//! higher level, at most four levels: four services deep); every key of the schema appears with
//! some probability, usually with an ordinary value and sometimes with an extreme one (a zero
//! capacity queue, a 1 ns timeout, a million retries, a fault covering the whole run, no
//! network latency at all). Sizes stay small so a run takes milliseconds: a few pods, durations
//! up to two minutes, and limits (`max_events` 200 000 at most) that stop the rest.

use sim_core::rng::{RngStreams, SimRng};

use super::spec::*;

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
        self.rng.uniform() < p
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
        let x = lo + self.rng.uniform() * (hi - lo);
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
        0 => DistSpec::Const(Dur(0)),
        1 => DistSpec::Const(g.dur(1_000, 50 * MS)),
        _ => dist(g, 10_000, 10 * MS),
    });
    let limits = LimitsSpec {
        max_events: match g.weighted(&[85, 10, 5]) {
            0 => 200_000,
            1 => g.int(1_000, 50_000),
            _ => g.int(1, 100),
        },
        max_pending: match g.weighted(&[85, 10, 5]) {
            0 => 100_000,
            1 => g.int(100, 10_000),
            _ => g.int(1, 10),
        },
        max_log_entries: g.maybe(0.3, |g| g.pick(&[0, 1, 10, 1000])),
        max_buckets: g.maybe(0.15, |g| g.pick(&[1, 7, 100])),
    };

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
    let mut policy_names: Vec<String> = (0..g.below(5)).map(|i| format!("p{i}")).collect();
    if g.chance(0.3) {
        policy_names.push("default".into());
    }
    let shared_pool = pool(&mut g, Some("shared".into()));
    let policies: Vec<PolicySpec> = policy_names
        .iter()
        .map(|name| policy(&mut g, name, &shared_pool))
        .collect();

    let mut services = Vec::with_capacity(n);
    for i in 0..n {
        let callees: Vec<String> = (0..n)
            .filter(|&j| levels[j] > levels[i])
            .map(|j| names[j].clone())
            .collect();
        services.push(service(
            &mut g,
            names[i].clone(),
            replicas[i],
            &callees,
            &policy_names,
        ));
    }

    let clients = (0..g.weighted(&[5, 60, 25, 10]))
        .map(|i| {
            let target = if g.chance(0.8) {
                names[0].clone()
            } else {
                g.pick(&names)
            };
            client(&mut g, format!("c{i}"), target, d, &policy_names)
        })
        .collect();

    let faults = (0..g.weighted(&[30, 40, 20, 10]))
        .map(|i| {
            let s = g.below(n as u64) as usize;
            fault(&mut g, i, &services[s], d)
        })
        .collect();

    Spec {
        seed,
        duration,
        bucket,
        network_latency,
        limits,
        clients,
        services,
        policies,
        faults,
    }
}

/// A distribution of durations around `lo..hi` nanoseconds, of any kind.
fn dist(g: &mut Gen, lo: u64, hi: u64) -> DistSpec {
    let mid = g.dur(lo, hi);
    match g.below(10) {
        0 => DistSpec::Const(mid),
        1 => DistSpec::ConstTable(mid),
        2 => DistSpec::Uniform(Dur(mid.0 / 2), g.dur(mid.0, hi.max(mid.0) * 2)),
        3 => DistSpec::Exponential(Dur(mid.0.max(1))),
        4 => DistSpec::Normal(mid, g.dur(1, mid.0.max(2))),
        5 => DistSpec::LogNormal(Dur(mid.0.max(1)), Dur(mid.0.max(1) * g.int(1, 20))),
        6 => DistSpec::LogNormalMeanSd(Dur(mid.0.max(1)), g.dur(1, mid.0.max(2) * 3)),
        // Shapes below 1 have an infinite mean: draws can be astronomically large.
        7 => DistSpec::Pareto(Dur(mid.0.max(1)), g.pick(&[0.3, 1.0, 1.5, 2.5, 10.0])),
        8 => {
            let parts = (0..g.int(1, 3))
                .map(|i| {
                    let w = if i == 0 {
                        g.frac(0.1, 1.0)
                    } else {
                        g.pick(&[0.0, 0.05, 0.5])
                    };
                    let c = g.dur(lo, hi);
                    let component = match g.below(3) {
                        0 => DistSpec::Const(c),
                        1 => DistSpec::Exponential(Dur(c.0.max(1))),
                        _ => DistSpec::Uniform(Dur(0), c),
                    };
                    (w, component)
                })
                .collect();
            DistSpec::Mixture(parts)
        }
        _ => {
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
            DistSpec::Empirical(points)
        }
    }
}

/// A work time: usually 100 µs to 100 ms, sometimes zero, 1 ns or seconds.
fn work(g: &mut Gen) -> DistSpec {
    match g.weighted(&[40, 5, 3, 2, 50]) {
        0 => DistSpec::Const(g.dur(100_000, 100 * MS)),
        1 => DistSpec::Const(Dur(0)),
        2 => DistSpec::Const(Dur(1)),
        3 => DistSpec::Const(g.dur(S, 5 * S)),
        _ => dist(g, 100_000, 100 * MS),
    }
}

/// A timeout: `"none"`, 1 ns, or 1 ms to 10 s.
fn timeout(g: &mut Gen) -> Timeout {
    match g.weighted(&[25, 12, 63]) {
        0 => Timeout::Never,
        1 => Timeout::After(Dur(1)),
        _ => Timeout::After(g.dur(MS, 10 * S)),
    }
}

fn call(g: &mut Gen, callees: &[String], policies: &[String]) -> CallSpec {
    CallSpec {
        service: g.pick(callees),
        policy: if policies.is_empty() || g.chance(0.35) {
            None
        } else {
            Some(g.pick(policies))
        },
        required: g.maybe_bool(0.4),
    }
}

fn steps(g: &mut Gen, max: u64, callees: &[String], policies: &[String]) -> Vec<StepSpec> {
    (0..g.below(max + 1))
        .map(|_| {
            let kind = if callees.is_empty() {
                0
            } else {
                g.weighted(&[45, 40, 15])
            };
            match kind {
                0 => StepSpec::Work(work(g), g.maybe(0.1, |g| g.dur(1_000, 10 * MS))),
                1 => StepSpec::Call(call(g, callees, policies)),
                _ => StepSpec::Parallel((0..g.int(1, 3)).map(|_| call(g, callees, policies)).collect()),
            }
        })
        .collect()
}

fn probe(g: &mut Gen, readiness: bool, callees: &[String], policies: &[String]) -> ProbeSpec {
    ProbeSpec {
        dedicated: g.maybe_bool(0.7),
        initial_delay: g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 20 * S))),
        period: g.maybe(0.7, |g| g.dur(100 * MS, 10 * S)),
        timeout: g.maybe(0.6, |g| if g.chance(0.1) { Dur(1) } else { g.dur(MS, 5 * S) }),
        success_threshold: if readiness {
            g.maybe(0.3, |g| g.int32(1, 3))
        } else {
            None
        },
        failure_threshold: g.maybe(0.6, |g| g.int32(1, 5)),
        handler: if g.chance(0.25) {
            steps(g, 2, callees, policies)
        } else {
            Vec::new()
        },
    }
}

fn service(
    g: &mut Gen,
    name: String,
    replicas: Option<u32>,
    callees: &[String],
    policies: &[String],
) -> ServiceSpec {
    ServiceSpec {
        name,
        replicas,
        slots: match g.weighted(&[15, 50, 30, 5]) {
            0 => 1,
            1 => g.int32(2, 16),
            2 => g.int32(17, 200),
            _ => 10_000,
        },
        queue_capacity: match g.weighted(&[40, 15, 20, 20, 5]) {
            0 => None,
            1 => Some(0),
            2 => Some(g.int32(1, 10)),
            3 => Some(g.int32(11, 1000)),
            _ => Some(100_000),
        },
        lifo: g.maybe_bool(0.4),
        steps: steps(g, 4, callees, policies),
        startup: g.maybe(0.5, |g| {
            if g.chance(0.3) {
                DistSpec::Const(Dur(0))
            } else {
                dist(g, MS, 5 * S)
            }
        }),
        warm_start: g.maybe_bool(0.5),
        liveness: g.maybe(0.35, |g| probe(g, false, callees, policies)),
        readiness: g.maybe(0.35, |g| probe(g, true, callees, policies)),
        startup_probe: g.maybe(0.15, |g| probe(g, false, callees, policies)),
        grace: g.maybe(0.5, |g| if g.chance(0.6) { Dur(0) } else { g.dur(MS, 30 * S) }),
        exit_on_sigterm: g.maybe_bool(0.4),
        lb: g.maybe(0.6, |g| g.pick(&["round_robin", "random", "least_request"])),
        discovery: g.maybe(0.6, |g| match g.below(3) {
            0 => DiscoverySpec::Watch(g.maybe(0.7, |g| g.or(Dur(0), |g| g.dur(MS, 3 * S)))),
            1 => DiscoverySpec::Dns(
                g.maybe(0.7, |g| g.dur(MS, 30 * S)),
                g.maybe(0.5, |g| g.or(Dur(0), |g| g.dur(MS, 3 * S))),
            ),
            _ => DiscoverySpec::Registry(g.maybe(0.7, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S)))),
        }),
        stale_timeout: g.maybe_bool(0.4),
        honour_deadlines: g.maybe_bool(0.4),
    }
}

fn pool(g: &mut Gen, shared: Option<String>) -> PoolSpec {
    PoolSpec {
        max_connections: g.maybe(0.7, |g| match g.weighted(&[3, 5, 2]) {
            0 => 1,
            1 => g.int32(2, 10),
            _ => 100_000,
        }),
        max_keepalive: g.maybe(0.5, |g| g.or_pick(&[0, 1], |g| g.int32(2, 20))),
        keepalive_expiry: g.maybe(0.4, |g| g.or(Dur(0), |g| g.dur(MS, 10 * S))),
        connect_time: g.maybe(0.3, |g| dist(g, 10_000, 50 * MS)),
        sticky: g.maybe_bool(0.4),
        shared,
    }
}

const RETRY_ON: [&str; 18] = [
    "timeout",
    "connect",
    "pool",
    "reset",
    "5xx",
    "rejected",
    "breaker_open",
    "bulkhead_full",
    "no_endpoints",
    "unavailable",
    "attempt_timeout",
    "read_timeout",
    "write_timeout",
    "connect_timeout",
    "connect_refused",
    "pool_timeout",
    "error_response",
    "deadline_exceeded",
];

const BACKOFFS: [&str; 9] = [
    "none",
    "fixed",
    "exponential",
    "full_jitter",
    "equal_jitter",
    "decorrelated_jitter",
    "decorrelated_jitter_v2",
    "envoy",
    "grpc",
];

fn retry(g: &mut Gen) -> RetrySpec {
    let backoff = g.maybe(0.9, |g| g.pick(&BACKOFFS));
    let base = g.maybe(0.6, |g| match g.weighted(&[1, 1, 8]) {
        0 => Dur(0),
        1 => Dur(1),
        _ => g.dur(MS, 2 * S),
    });
    // The backoff's effective base (its default when absent) bounds the cap from below, so the
    // decorrelated and Envoy strategies stay valid.
    let kind = backoff.unwrap_or("exponential");
    let base = match (kind, base) {
        ("envoy", Some(Dur(0))) => Some(Dur(1)),
        (_, b) => b,
    };
    let effective_base = base.unwrap_or(if kind == "envoy" {
        Dur::ms(25)
    } else {
        Dur::ms(100)
    });
    let cap = g.maybe(0.5, |g| {
        let c = g.dur(MS, 30 * S);
        c.max(effective_base)
    });
    let cap = match (kind, cap) {
        // Without a cap, decorrelated jitter caps at 20 s: keep the base below it.
        ("decorrelated_jitter", None) if effective_base > Dur::secs(20) => Some(effective_base),
        (_, c) => c,
    };
    RetrySpec {
        max_attempts: g.maybe(0.8, |g| match g.weighted(&[70, 20, 10]) {
            0 => g.int32(1, 5),
            1 => g.int32(6, 20),
            _ => g.pick(&[1000, 1_000_000]),
        }),
        on: g.maybe(0.5, |g| (0..g.below(4)).map(|_| g.pick(&RETRY_ON)).collect()),
        backoff,
        base,
        cap,
        multiplier: g.maybe(0.2, |g| g.pick(&[0.5, 1.0, 1.6, 3.0])),
        budget: g.maybe(0.4, |g| match g.below(4) {
            0 => BudgetSpec::Grpc(
                g.maybe(0.6, |g| g.pick(&[0.5, 1.0, 10.0, 1000.0])),
                g.maybe(0.6, |g| g.pick(&[0.001, 0.1, 1.0])),
            ),
            1 => BudgetSpec::Brooker(
                g.maybe(0.6, |g| g.pick(&[0.0, 0.1, 1.0])),
                g.maybe(0.6, |g| g.pick(&[0.5, 5.0, 100.0])),
                g.maybe(0.6, |g| g.pick(&[0.1, 1.0, 10.0])),
            ),
            2 => BudgetSpec::Envoy(
                g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100.0])),
                g.maybe(0.6, |g| g.pick(&[0, 3, 100])),
            ),
            _ => BudgetSpec::Finagle(
                g.maybe(0.6, |g| g.pick(&[Dur::secs(1), Dur::secs(10), Dur::secs(60)])),
                g.maybe(0.6, |g| g.pick(&[0.0, 10.0, 1000.0])),
                g.maybe(0.6, |g| g.pick(&[0.0, 20.0, 100_000.0])),
            ),
        }),
    }
}

fn breaker(g: &mut Gen) -> BreakerSpec {
    let percent = |g: &mut Gen| g.pick(&[0.1, 1.0, 50.0, 100.0]);
    match g.below(3) {
        0 => BreakerSpec::Lesson(
            g.maybe(0.6, |g| g.int32(1, 10)),
            g.maybe(0.5, |g| g.or(Dur(1), |g| g.dur(MS, 60 * S))),
            g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 30 * S))),
            g.maybe(0.5, |g| g.int32(1, 5)),
        ),
        1 => BreakerSpec::R4j(R4jSpec {
            window: g.maybe(0.6, |g| (g.chance(0.5), g.int32(1, 100))),
            minimum_calls: g.maybe(0.7, |g| g.int32(1, 20)),
            failure_rate: g.maybe(0.5, percent),
            slow_call_rate: g.maybe(0.4, percent),
            slow_call_duration: g.maybe(0.4, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
            wait_in_open: g.maybe(0.6, |g| g.or(Dur::ms(1), |g| g.dur(MS, 30 * S))),
            permitted_in_half_open: g.maybe(0.5, |g| g.int32(1, 10)),
            automatic_transition: g.maybe_bool(0.6),
        }),
        _ => BreakerSpec::Hystrix(
            g.maybe(0.6, |g| g.or(Dur(10), |g| g.dur(MS, 20 * S))),
            g.maybe(0.6, |g| g.int32(1, 30)),
            g.maybe(0.5, percent),
            g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
        ),
    }
}

fn policy(g: &mut Gen, name: &str, shared_pool: &PoolSpec) -> PolicySpec {
    PolicySpec {
        name: name.to_string(),
        timeouts: g.maybe(0.6, |g| {
            [(); 5].map(|()| if g.chance(0.6) { Some(timeout(g)) } else { None })
        }),
        pool: g.maybe(0.45, |g| {
            // Policies naming the same shared pool must agree on its settings: they all get the
            // scenario's one shared pool.
            if g.chance(0.3) {
                shared_pool.clone()
            } else {
                pool(g, None)
            }
        }),
        retry: g.maybe(0.55, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(retry(g))
            }
        }),
        breaker: g.maybe(0.45, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(breaker(g))
            }
        }),
        bulkhead: g.maybe(0.35, |g| {
            if g.chance(0.1) {
                Part::Off
            } else {
                Part::On(BulkheadSpec {
                    max_concurrent: g.maybe(0.8, |g| g.or(1, |g| g.int32(2, 50))),
                    max_wait: g.maybe(0.6, |g| g.or(Dur(0), |g| g.dur(MS, 5 * S))),
                })
            }
        }),
        deadline: g.maybe(0.25, timeout),
        propagate_deadline: g.maybe_bool(0.3),
        fallback: g.maybe(0.5, |g| match g.below(6) {
            0 => FallbackSpec::Fail(g.chance(0.5)),
            1 => FallbackSpec::Degrade(g.chance(0.5)),
            2 => FallbackSpec::Defer,
            _ => FallbackSpec::DeferTable(
                g.maybe(0.6, |g| g.or(Dur(1), |g| g.dur(MS, 10 * S))),
                g.maybe(0.6, |g| g.or(1, |g| g.int32(2, 100))),
            ),
        }),
        resilience4j: g.maybe_bool(0.4),
    }
}

fn client(g: &mut Gen, name: String, target: String, d: u64, policies: &[String]) -> ClientSpec {
    let load = match g.weighted(&[50, 30, 20]) {
        0 => {
            let schedule = if g.chance(0.3) {
                let mut at = 0;
                let mut entries = Vec::new();
                for _ in 0..g.int(1, 4) {
                    at += g.or(0, |g| g.dur(MS, d / 2 + 1).0);
                    let rate = g.or(0.0, |g| g.log(1.0, 500.0));
                    let until = at + g.dur(MS, d / 3 + 1).0;
                    entries.push(match g.below(3) {
                        0 => RateEntry::Step(Dur(at), rate),
                        1 => RateEntry::Ramp(Dur(at), rate, Dur(until)),
                        _ => RateEntry::Spike(Dur(at), rate, Dur(until - at)),
                    });
                    if !matches!(entries.last(), Some(RateEntry::Step(..))) {
                        at = until;
                    }
                }
                entries
            } else {
                Vec::new()
            };
            let rate = match g.weighted(&[85, 10, 5]) {
                0 => g.log(0.1, 100.0),
                1 if !schedule.is_empty() => 0.0,
                _ => g.log(100.0, 3000.0),
            };
            LoadSpec::Open {
                rate: if rate <= 0.0 && schedule.is_empty() {
                    1.0
                } else {
                    rate
                },
                constant: g.maybe_bool(0.5),
                schedule,
            }
        }
        1 => LoadSpec::Closed {
            users: match g.weighted(&[90, 10]) {
                0 => g.int32(1, 20),
                _ => g.int32(100, 2000),
            },
            // Without think time (absent, or 0) a user sends back to back: a few of those fill
            // the run's event budget, so most users think.
            think: g.maybe(0.8, |g| {
                if g.chance(0.15) {
                    DistSpec::Const(Dur(0))
                } else {
                    dist(g, 10 * MS, 2 * S)
                }
            }),
            start: g.maybe(0.3, |g| g.dur(MS, d)),
        },
        _ => LoadSpec::Burst {
            count: match g.weighted(&[90, 10]) {
                0 => g.int32(1, 100),
                _ => g.int32(1000, 5000),
            },
            at: g.maybe(0.6, |g| g.dur(MS, d)),
            every: g.maybe(0.5, |g| {
                if g.chance(0.05) {
                    Dur(1)
                } else {
                    g.dur(100 * MS, (d / 2).max(100 * MS))
                }
            }),
        },
    };
    ClientSpec {
        name,
        target,
        policy: if policies.is_empty() || g.chance(0.5) {
            None
        } else {
            Some(g.pick(policies))
        },
        timeout: g.maybe(0.5, timeout),
        load,
    }
}

fn fault(g: &mut Gen, i: usize, service: &ServiceSpec, d: u64) -> FaultSpec {
    let kind = match g.below(8) {
        0 => FaultKindSpec::SlowLatency(g.dur(MS, 20 * S)),
        1 => FaultKindSpec::SlowMultiplier(g.pick(&[0.01, 0.5, 2.0, 10.0, 1000.0])),
        2 => FaultKindSpec::Errors(g.pick(&[0.0, 0.1, 0.5, 1.0]), g.maybe_bool(0.6)),
        3 => FaultKindSpec::Crash(g.maybe_bool(0.7)),
        4 => {
            let slots = g.maybe(0.8, |g| g.int32(0, service.slots));
            let multiplier = if slots.is_none() || g.chance(0.4) {
                Some(g.pick(&[0.5, 2.0, 10.0]))
            } else {
                None
            };
            FaultKindSpec::CapacityCut(slots, multiplier)
        }
        5 => FaultKindSpec::Leak(g.dur(MS, S)),
        6 => FaultKindSpec::Restart(g.or(Dur(1), |g| g.dur(MS, 30 * S))),
        _ => FaultKindSpec::Reschedule(g.or(Dur(1), |g| g.dur(MS, 30 * S))),
    };
    let ends_by_itself = matches!(kind, FaultKindSpec::Restart(_) | FaultKindSpec::Reschedule(_));
    // One fault in five covers the whole run: from 0, no end.
    let whole_run = !ends_by_itself && g.chance(0.2);
    let from = if whole_run {
        g.maybe(0.5, |_| Dur(0))
    } else {
        g.maybe(0.85, |g| g.dur(MS, d))
    };
    let until = if whole_run || ends_by_itself {
        None
    } else {
        g.maybe(0.7, |g| Dur(from.map_or(0, |f| f.0) + g.dur(1, d / 2 + 1).0))
    };
    FaultSpec {
        name: g.maybe(0.5, |_| format!("f{i}")),
        service: service.name.clone(),
        kind,
        from,
        until,
        pods: g.maybe(0.3, |g| g.int32(1, service.pods())),
    }
}
