//! [`Spec`]: a plain description of a scenario, close to the file format, that the generator
//! builds, the shrinker simplifies, and [`Spec::to_toml`] writes as a scenario file
//! (`docs/scenarios.md`).
//!
//! Every optional key is an `Option`: `None` leaves the key out of the file, so the loader's
//! default applies (the generator exercises the defaults as much as the values).

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A duration in integer nanoseconds, written with the largest unit that divides it exactly
/// (`"1500ms"`, `"1ns"`, `"2m"`), so the file says exactly the generated value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub u64);

impl Dur {
    /// `n` nanoseconds.
    pub const fn ns(n: u64) -> Dur {
        Dur(n)
    }
    /// `n` milliseconds.
    pub const fn ms(n: u64) -> Dur {
        Dur(n * 1_000_000)
    }
    /// `n` seconds.
    pub const fn secs(n: u64) -> Dur {
        Dur(n * 1_000_000_000)
    }

    /// The scenario-file spelling, e.g. `"250us"`.
    pub fn text(self) -> String {
        const UNITS: [(u64, &str); 6] = [
            (3_600_000_000_000, "h"),
            (60_000_000_000, "m"),
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        if self.0 == 0 {
            return "0s".into();
        }
        let (unit, name) = UNITS
            .iter()
            .find(|(u, _)| self.0.is_multiple_of(*u))
            .copied()
            .unwrap_or((1, "ns"));
        format!("{}{name}", self.0 / unit)
    }
}

/// A timeout or deadline: `"none"` (wait forever) or a duration.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// `"none"`.
    Never,
    /// A duration (> 0).
    After(Dur),
}

impl Timeout {
    fn text(self) -> String {
        match self {
            Timeout::Never => "none".into(),
            Timeout::After(d) => d.text(),
        }
    }
}

/// A policy part that can be given as a table or switched off with `"none"`.
#[derive(Clone, Debug, PartialEq)]
pub enum Part<T> {
    /// `"none"`.
    Off,
    /// The table.
    On(T),
}

/// A distribution of durations.
#[derive(Clone, Debug, PartialEq)]
pub enum DistSpec {
    /// A duration string.
    Const(Dur),
    /// `{ dist = "constant", value }`, or `{ value }` inside a mixture.
    ConstTable(Dur),
    /// Uniform on `[low, high)`.
    Uniform(Dur, Dur),
    /// Exponential with this mean (> 0).
    Exponential(Dur),
    /// Normal (negative draws become 0).
    Normal(Dur, Dur),
    /// Log-normal from median and p99.
    LogNormal(Dur, Dur),
    /// Log-normal from mean and sd.
    LogNormalMeanSd(Dur, Dur),
    /// Pareto with scale (> 0) and shape (> 0).
    Pareto(Dur, f64),
    /// Weighted components (weights ≥ 0, not all 0).
    Mixture(Vec<(f64, DistSpec)>),
    /// `[p, duration]` points from 0.0 to 1.0.
    Empirical(Vec<(f64, Dur)>),
}

/// Run limits (`limits = { … }`).
#[derive(Clone, Debug, PartialEq)]
pub struct LimitsSpec {
    /// `max_events`.
    pub max_events: u64,
    /// `max_pending`.
    pub max_pending: u64,
    /// `max_log_entries`.
    pub max_log_entries: Option<u64>,
    /// `max_buckets`.
    pub max_buckets: Option<u64>,
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The swarm seed it was generated from; also the file's `seed`.
    pub seed: u64,
    /// `duration`.
    pub duration: Dur,
    /// `bucket`.
    pub bucket: Option<Dur>,
    /// `network.latency`.
    pub network_latency: Option<DistSpec>,
    /// `limits`.
    pub limits: LimitsSpec,
    /// `[[clients]]`.
    pub clients: Vec<ClientSpec>,
    /// `[[services]]` (at least one).
    pub services: Vec<ServiceSpec>,
    /// `[policies.NAME]`, in file order.
    pub policies: Vec<PolicySpec>,
    /// `[[faults]]`.
    pub faults: Vec<FaultSpec>,
}

/// A client.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSpec {
    /// `name`.
    pub name: String,
    /// `target`.
    pub target: String,
    /// `policy`.
    pub policy: Option<String>,
    /// `timeout`.
    pub timeout: Option<Timeout>,
    /// `load`.
    pub load: LoadSpec,
}

/// A client's load.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadSpec {
    /// Open loop.
    Open {
        /// `rate` (> 0, or ≥ 0 with a schedule).
        rate: f64,
        /// `arrivals`: `Some(true)` constant, `Some(false)` poisson.
        constant: Option<bool>,
        /// `schedule` (empty: no key).
        schedule: Vec<RateEntry>,
    },
    /// Closed loop.
    Closed {
        /// `users`.
        users: u32,
        /// `think`.
        think: Option<DistSpec>,
        /// `start`.
        start: Option<Dur>,
    },
    /// Bursts.
    Burst {
        /// `count`.
        count: u32,
        /// `at`.
        at: Option<Dur>,
        /// `every`.
        every: Option<Dur>,
    },
}

/// An entry of an open loop's rate schedule.
#[derive(Clone, Debug, PartialEq)]
pub enum RateEntry {
    /// `{ at, rate }`.
    Step(Dur, f64),
    /// `{ at, ramp_to, until }`.
    Ramp(Dur, f64, Dur),
    /// `{ at, spike, for }`.
    Spike(Dur, f64, Dur),
}

/// A service.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    /// `name`.
    pub name: String,
    /// `replicas`.
    pub replicas: Option<u32>,
    /// `slots`.
    pub slots: u32,
    /// `queue.capacity`.
    pub queue_capacity: Option<u32>,
    /// `queue.order`: `Some(true)` LIFO, `Some(false)` FIFO.
    pub lifo: Option<bool>,
    /// `steps`.
    pub steps: Vec<StepSpec>,
    /// `startup`.
    pub startup: Option<DistSpec>,
    /// `warm_start`.
    pub warm_start: Option<bool>,
    /// `liveness`.
    pub liveness: Option<ProbeSpec>,
    /// `readiness`.
    pub readiness: Option<ProbeSpec>,
    /// `startup_probe`.
    pub startup_probe: Option<ProbeSpec>,
    /// `termination.grace`.
    pub grace: Option<Dur>,
    /// `termination.exit_on_sigterm`.
    pub exit_on_sigterm: Option<bool>,
    /// `lb`.
    pub lb: Option<&'static str>,
    /// `discovery`.
    pub discovery: Option<DiscoverySpec>,
    /// `stale_endpoints`: `Some(true)` timeout, `Some(false)` refused.
    pub stale_timeout: Option<bool>,
    /// `honour_deadlines`.
    pub honour_deadlines: Option<bool>,
}

impl ServiceSpec {
    /// The number of pods.
    pub fn pods(&self) -> u32 {
        self.replicas.unwrap_or(1)
    }
}

/// A handler step.
#[derive(Clone, Debug, PartialEq)]
pub enum StepSpec {
    /// Local work.
    Work(DistSpec, Option<Dur>),
    /// One call.
    Call(CallSpec),
    /// Parallel calls (at least one).
    Parallel(Vec<CallSpec>),
}

/// A downstream call.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSpec {
    /// `call`: the callee.
    pub service: String,
    /// `policy`.
    pub policy: Option<String>,
    /// `required`.
    pub required: Option<bool>,
}

/// A probe.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeSpec {
    /// `path`: `Some(true)` dedicated, `Some(false)` shared.
    pub dedicated: Option<bool>,
    /// `initial_delay`.
    pub initial_delay: Option<Dur>,
    /// `period`.
    pub period: Option<Dur>,
    /// `timeout`.
    pub timeout: Option<Dur>,
    /// `success_threshold` (readiness only may exceed 1).
    pub success_threshold: Option<u32>,
    /// `failure_threshold`.
    pub failure_threshold: Option<u32>,
    /// `handler` (empty: no key).
    pub handler: Vec<StepSpec>,
}

/// Service discovery.
#[derive(Clone, Debug, PartialEq)]
pub enum DiscoverySpec {
    /// `{ kind = "watch", delay }`.
    Watch(Option<Dur>),
    /// `{ kind = "dns", ttl, delay }`.
    Dns(Option<Dur>, Option<Dur>),
    /// `{ kind = "registry", lag }`.
    Registry(Option<Dur>),
}

/// A call policy.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySpec {
    /// The table's name.
    pub name: String,
    /// `timeouts`: connect, read, write, pool, attempt.
    pub timeouts: Option<[Option<Timeout>; 5]>,
    /// `pool`.
    pub pool: Option<PoolSpec>,
    /// `retry`.
    pub retry: Option<Part<RetrySpec>>,
    /// `breaker`.
    pub breaker: Option<Part<BreakerSpec>>,
    /// `bulkhead`.
    pub bulkhead: Option<Part<BulkheadSpec>>,
    /// `deadline`.
    pub deadline: Option<Timeout>,
    /// `propagate_deadline`.
    pub propagate_deadline: Option<bool>,
    /// `fallback`.
    pub fallback: Option<FallbackSpec>,
    /// `order`: `Some(true)` resilience4j, `Some(false)` lesson.
    pub resilience4j: Option<bool>,
}

/// Connection pool settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolSpec {
    /// `max_connections`.
    pub max_connections: Option<u32>,
    /// `max_keepalive`.
    pub max_keepalive: Option<u32>,
    /// `keepalive_expiry`.
    pub keepalive_expiry: Option<Dur>,
    /// `connect_time`.
    pub connect_time: Option<DistSpec>,
    /// `sticky`.
    pub sticky: Option<bool>,
    /// `shared`.
    pub shared: Option<String>,
}

/// Retries.
#[derive(Clone, Debug, PartialEq)]
pub struct RetrySpec {
    /// `max_attempts`.
    pub max_attempts: Option<u32>,
    /// `on`.
    pub on: Option<Vec<&'static str>>,
    /// `backoff`.
    pub backoff: Option<&'static str>,
    /// `base`.
    pub base: Option<Dur>,
    /// `cap`.
    pub cap: Option<Dur>,
    /// `multiplier`.
    pub multiplier: Option<f64>,
    /// `budget`.
    pub budget: Option<BudgetSpec>,
}

/// A retry budget.
#[derive(Clone, Debug, PartialEq)]
pub enum BudgetSpec {
    /// gRPC: `max_tokens`, `token_ratio`.
    Grpc(Option<f64>, Option<f64>),
    /// Brooker: `deposit`, `capacity`, `retry_cost`.
    Brooker(Option<f64>, Option<f64>, Option<f64>),
    /// Envoy: `percent`, `min_concurrent`.
    Envoy(Option<f64>, Option<u32>),
    /// Finagle: `ttl`, `min_retries_per_sec`, `percent`.
    Finagle(Option<Dur>, Option<f64>, Option<f64>),
}

/// A circuit breaker.
#[derive(Clone, Debug, PartialEq)]
pub enum BreakerSpec {
    /// The lesson's: `failure_threshold`, `window`, `open_for`, `success_threshold`.
    Lesson(Option<u32>, Option<Dur>, Option<Dur>, Option<u32>),
    /// resilience4j's.
    R4j(R4jSpec),
    /// Hystrix: `window`, `request_volume`, `error_percent`, `sleep_window`.
    Hystrix(Option<Dur>, Option<u32>, Option<f64>, Option<Dur>),
}

/// resilience4j breaker settings.
#[derive(Clone, Debug, PartialEq)]
pub struct R4jSpec {
    /// `window`: `(time based, size or seconds)`.
    pub window: Option<(bool, u32)>,
    /// `minimum_calls`.
    pub minimum_calls: Option<u32>,
    /// `failure_rate`.
    pub failure_rate: Option<f64>,
    /// `slow_call_rate`.
    pub slow_call_rate: Option<f64>,
    /// `slow_call_duration`.
    pub slow_call_duration: Option<Dur>,
    /// `wait_in_open`.
    pub wait_in_open: Option<Dur>,
    /// `permitted_in_half_open`.
    pub permitted_in_half_open: Option<u32>,
    /// `automatic_transition`.
    pub automatic_transition: Option<bool>,
}

/// A bulkhead.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkheadSpec {
    /// `max_concurrent`.
    pub max_concurrent: Option<u32>,
    /// `max_wait`.
    pub max_wait: Option<Dur>,
}

/// A fallback.
#[derive(Clone, Debug, PartialEq)]
pub enum FallbackSpec {
    /// `"fail"` (`true`: as the table `{ kind = "fail" }`).
    Fail(bool),
    /// `"degrade"` (`true`: as a table).
    Degrade(bool),
    /// `"defer"` as a string.
    Defer,
    /// `{ kind = "defer", retry_every, capacity }`.
    DeferTable(Option<Dur>, Option<u32>),
}

/// A fault.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    /// `name`.
    pub name: Option<String>,
    /// `service`.
    pub service: String,
    /// `kind` and its keys.
    pub kind: FaultKindSpec,
    /// `from`.
    pub from: Option<Dur>,
    /// `until`.
    pub until: Option<Dur>,
    /// `pods`.
    pub pods: Option<u32>,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKindSpec {
    /// `slow` with `latency`.
    SlowLatency(Dur),
    /// `slow` with `multiplier`.
    SlowMultiplier(f64),
    /// `errors`: `rate`, `fail_fast`.
    Errors(f64, Option<bool>),
    /// `crash`: `blackhole`.
    Crash(Option<bool>),
    /// `capacity_cut`: `slots`, `multiplier` (at least one).
    CapacityCut(Option<u32>, Option<f64>),
    /// `leak`: `growth`.
    Leak(Dur),
    /// `restart`: `down_for`.
    Restart(Dur),
    /// `reschedule`: `down_for`.
    Reschedule(Dur),
}

impl FaultKindSpec {
    /// The `kind` word.
    pub fn word(&self) -> &'static str {
        match self {
            FaultKindSpec::SlowLatency(_) | FaultKindSpec::SlowMultiplier(_) => "slow",
            FaultKindSpec::Errors(..) => "errors",
            FaultKindSpec::Crash(_) => "crash",
            FaultKindSpec::CapacityCut(..) => "capacity_cut",
            FaultKindSpec::Leak(_) => "leak",
            FaultKindSpec::Restart(_) => "restart",
            FaultKindSpec::Reschedule(_) => "reschedule",
        }
    }
}

/// A float as TOML: always with a fraction or an exponent, so it reads as a float.
fn num(x: f64) -> String {
    format!("{x:?}")
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `key = value` pairs rendered as an inline table.
#[derive(Default)]
struct Inline(Vec<(String, String)>);

impl Inline {
    fn put(&mut self, key: &str, value: String) -> &mut Inline {
        self.0.push((key.to_string(), value));
        self
    }
    fn opt<T>(&mut self, key: &str, value: Option<T>, f: impl FnOnce(T) -> String) -> &mut Inline {
        if let Some(v) = value {
            self.put(key, f(v));
        }
        self
    }
    fn render(&self) -> String {
        if self.0.is_empty() {
            return "{}".into();
        }
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        format!("{{ {} }}", parts.join(", "))
    }
    /// As `key = value` lines of a table.
    fn lines(&self, out: &mut String) {
        for (k, v) in &self.0 {
            let _ = writeln!(out, "{k} = {v}");
        }
    }
}

fn dur(d: Dur) -> String {
    quote(&d.text())
}

fn timeout(t: Timeout) -> String {
    quote(&t.text())
}

fn array(items: Vec<String>) -> String {
    format!("[{}]", items.join(", "))
}

impl DistSpec {
    /// The distribution as a TOML value.
    fn value(&self) -> String {
        match self {
            DistSpec::Const(d) => dur(*d),
            _ => self.table().render(),
        }
    }

    /// The keys of its table form (a constant in a mixture is `{ value }`).
    fn table(&self) -> Inline {
        let mut t = Inline::default();
        match self {
            DistSpec::Const(d) | DistSpec::ConstTable(d) => {
                t.put("dist", quote("constant")).put("value", dur(*d));
            }
            DistSpec::Uniform(lo, hi) => {
                t.put("dist", quote("uniform"))
                    .put("low", dur(*lo))
                    .put("high", dur(*hi));
            }
            DistSpec::Exponential(mean) => {
                t.put("dist", quote("exponential")).put("mean", dur(*mean));
            }
            DistSpec::Normal(mean, sd) => {
                t.put("dist", quote("normal"))
                    .put("mean", dur(*mean))
                    .put("sd", dur(*sd));
            }
            DistSpec::LogNormal(median, p99) => {
                t.put("dist", quote("lognormal"))
                    .put("median", dur(*median))
                    .put("p99", dur(*p99));
            }
            DistSpec::LogNormalMeanSd(mean, sd) => {
                t.put("dist", quote("lognormal"))
                    .put("mean", dur(*mean))
                    .put("sd", dur(*sd));
            }
            DistSpec::Pareto(scale, shape) => {
                t.put("dist", quote("pareto"))
                    .put("scale", dur(*scale))
                    .put("shape", num(*shape));
            }
            DistSpec::Mixture(parts) => {
                let of = parts
                    .iter()
                    .map(|(w, d)| {
                        let mut c = Inline::default();
                        c.put("weight", num(*w));
                        match d {
                            DistSpec::Const(v) | DistSpec::ConstTable(v) => {
                                c.put("value", dur(*v));
                            }
                            other => c.0.extend(other.table().0),
                        }
                        c.render()
                    })
                    .collect();
                t.put("dist", quote("mixture")).put("of", array(of));
            }
            DistSpec::Empirical(points) => {
                let q = points
                    .iter()
                    .map(|(p, d)| format!("[{}, {}]", num(*p), dur(*d)))
                    .collect();
                t.put("dist", quote("empirical")).put("quantiles", array(q));
            }
        }
        t
    }
}

fn steps(steps: &[StepSpec]) -> String {
    array(steps.iter().map(step).collect())
}

fn call(c: &CallSpec) -> Inline {
    let mut t = Inline::default();
    t.put("call", quote(&c.service))
        .opt("policy", c.policy.as_deref(), quote)
        .opt("required", c.required, |b| b.to_string());
    t
}

fn step(s: &StepSpec) -> String {
    match s {
        StepSpec::Work(d, slope) => {
            let mut t = Inline::default();
            t.put("work", d.value()).opt("slope", *slope, dur);
            t.render()
        }
        StepSpec::Call(c) => call(c).render(),
        StepSpec::Parallel(calls) => {
            let mut t = Inline::default();
            t.put(
                "parallel",
                array(calls.iter().map(|c| call(c).render()).collect()),
            );
            t.render()
        }
    }
}

fn probe(p: &ProbeSpec) -> String {
    let mut t = Inline::default();
    t.opt("path", p.dedicated, |d| {
        quote(if d { "dedicated" } else { "shared" })
    })
    .opt("initial_delay", p.initial_delay, dur)
    .opt("period", p.period, dur)
    .opt("timeout", p.timeout, dur)
    .opt("success_threshold", p.success_threshold, |n| n.to_string())
    .opt("failure_threshold", p.failure_threshold, |n| n.to_string());
    if !p.handler.is_empty() {
        t.put("handler", steps(&p.handler));
    }
    t.render()
}

fn pool(p: &PoolSpec) -> String {
    let mut t = Inline::default();
    t.opt("max_connections", p.max_connections, |n| n.to_string())
        .opt("max_keepalive", p.max_keepalive, |n| n.to_string())
        .opt("keepalive_expiry", p.keepalive_expiry, dur)
        .opt("connect_time", p.connect_time.as_ref(), DistSpec::value)
        .opt("sticky", p.sticky, |b| b.to_string())
        .opt("shared", p.shared.as_deref(), quote);
    t.render()
}

fn retry(r: &RetrySpec) -> String {
    let mut t = Inline::default();
    t.opt("max_attempts", r.max_attempts, |n| n.to_string())
        .opt("on", r.on.as_ref(), |on| {
            array(on.iter().map(|s| quote(s)).collect())
        })
        .opt("backoff", r.backoff, quote)
        .opt("base", r.base, dur)
        .opt("cap", r.cap, dur)
        .opt("multiplier", r.multiplier, num);
    if let Some(b) = &r.budget {
        let mut bt = Inline::default();
        match b {
            BudgetSpec::Grpc(max, ratio) => {
                bt.put("kind", quote("grpc"))
                    .opt("max_tokens", *max, num)
                    .opt("token_ratio", *ratio, num);
            }
            BudgetSpec::Brooker(deposit, capacity, cost) => {
                bt.put("kind", quote("brooker"))
                    .opt("deposit", *deposit, num)
                    .opt("capacity", *capacity, num)
                    .opt("retry_cost", *cost, num);
            }
            BudgetSpec::Envoy(percent, min) => {
                bt.put("kind", quote("envoy")).opt("percent", *percent, num).opt(
                    "min_concurrent",
                    *min,
                    |n| n.to_string(),
                );
            }
            BudgetSpec::Finagle(ttl, min, percent) => {
                bt.put("kind", quote("finagle"))
                    .opt("ttl", *ttl, dur)
                    .opt("min_retries_per_sec", *min, num)
                    .opt("percent", *percent, num);
            }
        }
        t.put("budget", bt.render());
    }
    t.render()
}

fn breaker(b: &BreakerSpec) -> String {
    let mut t = Inline::default();
    let count = |n: u32| n.to_string();
    match b {
        BreakerSpec::Lesson(failures, window, open_for, successes) => {
            t.put("kind", quote("lesson"))
                .opt("failure_threshold", *failures, count)
                .opt("window", *window, dur)
                .opt("open_for", *open_for, dur)
                .opt("success_threshold", *successes, count);
        }
        BreakerSpec::R4j(r) => {
            t.put("kind", quote("resilience4j"));
            t.opt("window", r.window, |(time, n)| {
                let mut w = Inline::default();
                if time {
                    w.put("type", quote("time")).put("seconds", n.to_string());
                } else {
                    w.put("type", quote("count")).put("size", n.to_string());
                }
                w.render()
            })
            .opt("minimum_calls", r.minimum_calls, count)
            .opt("failure_rate", r.failure_rate, num)
            .opt("slow_call_rate", r.slow_call_rate, num)
            .opt("slow_call_duration", r.slow_call_duration, dur)
            .opt("wait_in_open", r.wait_in_open, dur)
            .opt("permitted_in_half_open", r.permitted_in_half_open, count)
            .opt("automatic_transition", r.automatic_transition, |b| b.to_string());
        }
        BreakerSpec::Hystrix(window, volume, percent, sleep) => {
            t.put("kind", quote("hystrix"))
                .opt("window", *window, dur)
                .opt("request_volume", *volume, count)
                .opt("error_percent", *percent, num)
                .opt("sleep_window", *sleep, dur);
        }
    }
    t.render()
}

fn part<T>(p: &Part<T>, f: impl FnOnce(&T) -> String) -> String {
    match p {
        Part::Off => quote("none"),
        Part::On(v) => f(v),
    }
}

fn fallback(f: &FallbackSpec) -> String {
    match f {
        FallbackSpec::Fail(false) => quote("fail"),
        FallbackSpec::Fail(true) => "{ kind = \"fail\" }".into(),
        FallbackSpec::Degrade(false) => quote("degrade"),
        FallbackSpec::Degrade(true) => "{ kind = \"degrade\" }".into(),
        FallbackSpec::Defer => quote("defer"),
        FallbackSpec::DeferTable(every, capacity) => {
            let mut t = Inline::default();
            t.put("kind", quote("defer"))
                .opt("retry_every", *every, dur)
                .opt("capacity", *capacity, |n| n.to_string());
            t.render()
        }
    }
}

fn load(l: &LoadSpec) -> String {
    let mut t = Inline::default();
    match l {
        LoadSpec::Open {
            rate,
            constant,
            schedule,
        } => {
            t.put("kind", quote("open"))
                .put("rate", num(*rate))
                .opt("arrivals", *constant, |c| {
                    quote(if c { "constant" } else { "poisson" })
                });
            if !schedule.is_empty() {
                let entries = schedule
                    .iter()
                    .map(|e| match e {
                        RateEntry::Step(at, r) => format!("{{ at = {}, rate = {} }}", dur(*at), num(*r)),
                        RateEntry::Ramp(at, to, until) => format!(
                            "{{ at = {}, ramp_to = {}, until = {} }}",
                            dur(*at),
                            num(*to),
                            dur(*until)
                        ),
                        RateEntry::Spike(at, r, d) => {
                            format!("{{ at = {}, spike = {}, for = {} }}", dur(*at), num(*r), dur(*d))
                        }
                    })
                    .collect();
                t.put("schedule", array(entries));
            }
        }
        LoadSpec::Closed { users, think, start } => {
            t.put("kind", quote("closed"))
                .put("users", users.to_string())
                .opt("think", think.as_ref(), DistSpec::value)
                .opt("start", *start, dur);
        }
        LoadSpec::Burst { count, at, every } => {
            t.put("kind", quote("burst"))
                .put("count", count.to_string())
                .opt("at", *at, dur)
                .opt("every", *every, dur);
        }
    }
    t.render()
}

fn discovery(d: &DiscoverySpec) -> String {
    let mut t = Inline::default();
    match d {
        DiscoverySpec::Watch(delay) => {
            t.put("kind", quote("watch")).opt("delay", *delay, dur);
        }
        DiscoverySpec::Dns(ttl, delay) => {
            t.put("kind", quote("dns"))
                .opt("ttl", *ttl, dur)
                .opt("delay", *delay, dur);
        }
        DiscoverySpec::Registry(lag) => {
            t.put("kind", quote("registry")).opt("lag", *lag, dur);
        }
    }
    t.render()
}

impl Spec {
    /// The scenario's name: `swarm-SEED`.
    pub fn name(&self) -> String {
        format!("swarm-{}", self.seed)
    }

    /// The scenario file (`docs/scenarios.md`).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Generated by `meshsim swarm --seed {}` (a random scenario for swarm testing).",
            self.seed
        );
        let mut top = Inline::default();
        top.put("name", quote(&self.name()))
            .put("duration", dur(self.duration))
            .put("seed", self.seed.to_string())
            .opt("bucket", self.bucket, dur)
            .opt("network", self.network_latency.as_ref(), |d| {
                format!("{{ latency = {} }}", d.value())
            });
        let mut limits = Inline::default();
        limits
            .put("max_events", self.limits.max_events.to_string())
            .put("max_pending", self.limits.max_pending.to_string())
            .opt("max_log_entries", self.limits.max_log_entries, |n| n.to_string())
            .opt("max_buckets", self.limits.max_buckets, |n| n.to_string());
        top.put("limits", limits.render());
        top.lines(&mut out);

        for c in &self.clients {
            out.push_str("\n[[clients]]\n");
            let mut t = Inline::default();
            t.put("name", quote(&c.name))
                .put("target", quote(&c.target))
                .opt("policy", c.policy.as_deref(), quote)
                .opt("timeout", c.timeout, timeout)
                .put("load", load(&c.load));
            t.lines(&mut out);
        }
        for s in &self.services {
            out.push_str("\n[[services]]\n");
            let mut t = Inline::default();
            t.put("name", quote(&s.name))
                .opt("replicas", s.replicas, |n| n.to_string())
                .put("slots", s.slots.to_string());
            if s.queue_capacity.is_some() || s.lifo.is_some() {
                let mut q = Inline::default();
                q.opt("capacity", s.queue_capacity, |n| n.to_string())
                    .opt("order", s.lifo, |l| quote(if l { "lifo" } else { "fifo" }));
                t.put("queue", q.render());
            }
            t.put("steps", steps(&s.steps))
                .opt("startup", s.startup.as_ref(), DistSpec::value)
                .opt("warm_start", s.warm_start, |b| b.to_string())
                .opt("liveness", s.liveness.as_ref(), probe)
                .opt("readiness", s.readiness.as_ref(), probe)
                .opt("startup_probe", s.startup_probe.as_ref(), probe);
            if s.grace.is_some() || s.exit_on_sigterm.is_some() {
                let mut term = Inline::default();
                term.opt("grace", s.grace, dur)
                    .opt("exit_on_sigterm", s.exit_on_sigterm, |b| b.to_string());
                t.put("termination", term.render());
            }
            t.opt("lb", s.lb, quote)
                .opt("discovery", s.discovery.as_ref(), discovery)
                .opt("stale_endpoints", s.stale_timeout, |st| {
                    quote(if st { "timeout" } else { "refused" })
                })
                .opt("honour_deadlines", s.honour_deadlines, |b| b.to_string());
            t.lines(&mut out);
        }
        for p in &self.policies {
            let _ = writeln!(out, "\n[policies.{}]", quote(&p.name));
            let mut t = Inline::default();
            t.opt("timeouts", p.timeouts.as_ref(), |ts| {
                let mut tt = Inline::default();
                for (key, v) in ["connect", "read", "write", "pool", "attempt"].iter().zip(ts) {
                    tt.opt(key, *v, timeout);
                }
                tt.render()
            })
            .opt("pool", p.pool.as_ref(), pool)
            .opt("retry", p.retry.as_ref(), |r| part(r, retry))
            .opt("breaker", p.breaker.as_ref(), |b| part(b, breaker))
            .opt("bulkhead", p.bulkhead.as_ref(), |b| {
                part(b, |b| {
                    let mut bt = Inline::default();
                    bt.opt("max_concurrent", b.max_concurrent, |n| n.to_string())
                        .opt("max_wait", b.max_wait, dur);
                    bt.render()
                })
            })
            .opt("deadline", p.deadline, timeout)
            .opt("propagate_deadline", p.propagate_deadline, |b| b.to_string())
            .opt("fallback", p.fallback.as_ref(), fallback)
            .opt("order", p.resilience4j, |r| {
                quote(if r { "resilience4j" } else { "lesson" })
            });
            t.lines(&mut out);
        }
        for f in &self.faults {
            out.push_str("\n[[faults]]\n");
            let mut t = Inline::default();
            t.opt("name", f.name.as_deref(), quote)
                .put("service", quote(&f.service))
                .put("kind", quote(f.kind.word()));
            match &f.kind {
                FaultKindSpec::SlowLatency(l) => {
                    t.put("latency", dur(*l));
                }
                FaultKindSpec::SlowMultiplier(m) => {
                    t.put("multiplier", num(*m));
                }
                FaultKindSpec::Errors(rate, fast) => {
                    t.put("rate", num(*rate))
                        .opt("fail_fast", *fast, |b| b.to_string());
                }
                FaultKindSpec::Crash(blackhole) => {
                    t.opt("blackhole", *blackhole, |b| b.to_string());
                }
                FaultKindSpec::CapacityCut(slots, m) => {
                    t.opt("slots", *slots, |n| n.to_string())
                        .opt("multiplier", *m, num);
                }
                FaultKindSpec::Leak(g) => {
                    t.put("growth", dur(*g));
                }
                FaultKindSpec::Restart(d) | FaultKindSpec::Reschedule(d) => {
                    t.put("down_for", dur(*d));
                }
            }
            t.opt("from", f.from, dur)
                .opt("until", f.until, dur)
                .opt("pods", f.pods, |n| n.to_string());
            t.lines(&mut out);
        }
        out
    }

    /// Every feature the scenario uses, as words such as `fault:crash`, `breaker:hystrix`,
    /// `probe:liveness:dedicated`: for coverage checks over many seeds and for `meshsim swarm
    /// --seed N`'s description.
    pub fn features(&self) -> BTreeSet<String> {
        let mut f = BTreeSet::new();
        let mut add = |s: String| {
            f.insert(s);
        };
        if self.limits.max_buckets.is_some() {
            add("limits:max_buckets".into());
        }
        if self.limits.max_log_entries.is_some() {
            add("limits:max_log_entries".into());
        }
        if self.limits.max_events <= 100 || self.limits.max_pending <= 10 {
            add("limits:tiny".into());
        }
        if self.network_latency == Some(DistSpec::Const(Dur(0))) {
            add("network:zero".into());
        }
        for c in &self.clients {
            match &c.load {
                LoadSpec::Open {
                    constant, schedule, ..
                } => {
                    add("load:open".into());
                    if *constant == Some(true) {
                        add("load:open:constant".into());
                    }
                    for e in schedule {
                        add(match e {
                            RateEntry::Step(..) => "schedule:step",
                            RateEntry::Ramp(..) => "schedule:ramp",
                            RateEntry::Spike(..) => "schedule:spike",
                        }
                        .into());
                    }
                }
                LoadSpec::Closed { .. } => add("load:closed".into()),
                LoadSpec::Burst { every, .. } => {
                    add("load:burst".into());
                    if every.is_some() {
                        add("load:burst:repeated".into());
                    }
                }
            }
            if c.timeout.is_some() {
                add("client:timeout".into());
            }
        }
        for s in &self.services {
            if s.queue_capacity == Some(0) {
                add("queue:zero".into());
            }
            add(format!(
                "queue:{}",
                if s.lifo == Some(true) { "lifo" } else { "fifo" }
            ));
            add(format!(
                "start:{}",
                if s.warm_start == Some(false) {
                    "cold"
                } else {
                    "warm"
                }
            ));
            for (kind, p) in [
                ("liveness", &s.liveness),
                ("readiness", &s.readiness),
                ("startup", &s.startup_probe),
            ] {
                if let Some(p) = p {
                    let path = if p.dedicated == Some(true) {
                        "dedicated"
                    } else {
                        "shared"
                    };
                    add(format!("probe:{kind}:{path}"));
                    if p.handler.iter().any(|s| !matches!(s, StepSpec::Work(..))) {
                        add("probe:handler-calls".into());
                    }
                }
            }
            for st in &s.steps {
                match st {
                    StepSpec::Work(..) => add("step:work".into()),
                    StepSpec::Call(c) => {
                        add("step:call".into());
                        if c.required == Some(false) {
                            add("call:best-effort".into());
                        }
                    }
                    StepSpec::Parallel(_) => add("step:parallel".into()),
                }
            }
            if let Some(lb) = s.lb {
                add(format!("lb:{lb}"));
            }
            match &s.discovery {
                Some(DiscoverySpec::Watch(_)) | None => add("discovery:watch".into()),
                Some(DiscoverySpec::Dns(..)) => add("discovery:dns".into()),
                Some(DiscoverySpec::Registry(_)) => add("discovery:registry".into()),
            }
            if s.honour_deadlines == Some(true) {
                add("honour_deadlines".into());
            }
        }
        for p in &self.policies {
            if let Some(ts) = &p.timeouts {
                if ts.contains(&Some(Timeout::Never)) {
                    add("timeout:none".into());
                }
                if ts.contains(&Some(Timeout::After(Dur(1)))) {
                    add("timeout:1ns".into());
                }
            }
            if let Some(pool) = &p.pool {
                if pool.shared.is_some() {
                    add("pool:shared".into());
                }
                if pool.sticky == Some(true) {
                    add("pool:sticky".into());
                }
                if pool.max_connections == Some(1) {
                    add("pool:tiny".into());
                }
            }
            match &p.retry {
                Some(Part::On(r)) => {
                    add(format!("backoff:{}", r.backoff.unwrap_or("exponential")));
                    match &r.budget {
                        Some(BudgetSpec::Grpc(..)) => add("budget:grpc".into()),
                        Some(BudgetSpec::Brooker(..)) => add("budget:brooker".into()),
                        Some(BudgetSpec::Envoy(..)) => add("budget:envoy".into()),
                        Some(BudgetSpec::Finagle(..)) => add("budget:finagle".into()),
                        None => {}
                    }
                    if r.max_attempts.is_some_and(|n| n >= 1000) {
                        add("retry:huge".into());
                    }
                }
                Some(Part::Off) => add("retry:none".into()),
                None => {}
            }
            match &p.breaker {
                Some(Part::On(BreakerSpec::Lesson(..))) => add("breaker:lesson".into()),
                Some(Part::On(BreakerSpec::R4j(_))) => add("breaker:resilience4j".into()),
                Some(Part::On(BreakerSpec::Hystrix(..))) => add("breaker:hystrix".into()),
                Some(Part::Off) => add("breaker:none".into()),
                None => {}
            }
            if let Some(Part::On(b)) = &p.bulkhead {
                add("bulkhead".into());
                if b.max_wait == Some(Dur(0)) || (b.max_wait.is_none()) {
                    add("bulkhead:no-wait".into());
                }
            }
            if p.deadline.is_some() {
                add("deadline".into());
            }
            if p.propagate_deadline == Some(true) {
                add("deadline:propagated".into());
            }
            match &p.fallback {
                Some(FallbackSpec::Fail(_)) | None => add("fallback:fail".into()),
                Some(FallbackSpec::Degrade(_)) => add("fallback:degrade".into()),
                Some(FallbackSpec::Defer | FallbackSpec::DeferTable(..)) => add("fallback:defer".into()),
            }
            add(format!(
                "order:{}",
                if p.resilience4j == Some(true) {
                    "resilience4j"
                } else {
                    "lesson"
                }
            ));
        }
        for fault in &self.faults {
            add(format!("fault:{}", fault.kind.word()));
            if let FaultKindSpec::Crash(Some(true)) = fault.kind {
                add("fault:blackhole".into());
            }
            if fault.from.is_none_or(|d| d == Dur(0))
                && fault.until.is_none()
                && !matches!(
                    fault.kind,
                    FaultKindSpec::Restart(_) | FaultKindSpec::Reschedule(_)
                )
            {
                add("fault:whole-run".into());
            }
            if fault.pods.is_some() {
                add("fault:pods".into());
            }
        }
        f
    }

    /// One line: what the scenario has.
    pub fn describe(&self) -> String {
        let pods: u32 = self.services.iter().map(ServiceSpec::pods).sum();
        format!(
            "{} over {}: {} client(s), {} service(s) with {pods} pod(s), {} policy(ies), {} fault(s)",
            self.name(),
            self.duration.text(),
            self.clients.len(),
            self.services.len(),
            self.policies.len(),
            self.faults.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(Dur(0).text(), "0s");
        assert_eq!(Dur(1).text(), "1ns");
        assert_eq!(Dur(1_500).text(), "1500ns");
        assert_eq!(Dur::ms(1500).text(), "1500ms");
        assert_eq!(Dur::secs(120).text(), "2m");
        assert_eq!(Dur::secs(7200).text(), "2h");
        assert_eq!(Dur(250_000).text(), "250us");
    }

    #[test]
    fn floats_read_as_floats() {
        assert_eq!(num(1.0), "1.0");
        assert_eq!(num(0.25), "0.25");
    }
}
