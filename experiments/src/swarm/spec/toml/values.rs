//! Inline TOML values of distributions, handler steps, probes, loads and service discovery.

use super::super::{CallSpec, DiscoverySpec, DistSpec, LoadSpec, ProbeSpec, RateEntry, StepSpec};
use super::inline::{Inline, array, dur, num, quote};

impl DistSpec {
    /// The distribution as a TOML value.
    pub(super) fn value(&self) -> String {
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
                t.put("dist", quote("mixture")).put("of", mixture_of(parts));
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

/// A mixture's `of`: its weighted components (a constant is `{ weight, value }`).
fn mixture_of(parts: &[(f64, DistSpec)]) -> String {
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
    array(of)
}

pub(super) fn steps(steps: &[StepSpec]) -> String {
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

pub(super) fn probe(p: &ProbeSpec) -> String {
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

pub(super) fn load(l: &LoadSpec) -> String {
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
        LoadSpec::Closed {
            users,
            think,
            start,
            ramp,
        } => {
            t.put("kind", quote("closed"))
                .put("users", users.to_string())
                .opt("think", think.as_ref(), DistSpec::value)
                .opt("start", *start, dur)
                .opt("ramp", *ramp, dur);
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

pub(super) fn discovery(d: &DiscoverySpec) -> String {
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
