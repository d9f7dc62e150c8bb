//! Shrinking: greedily simplify a failing [`Spec`] while it keeps failing.
//!
//! [`candidates`] lists one-step simplifications of a spec, the big ones first (halve the
//! duration, drop a fault, a client, a service nothing calls any more, a policy nothing names),
//! then the small ones (a step, a probe, a policy part, a key back to its default, a number
//! halved). [`shrink_with`] takes the first candidate that still fails, and starts over from
//! it, until no candidate fails or the number of tries runs out. [`shrink`] uses "fails with the
//! same [`FailureKind`]" as the test, so a simplification that breaks the file (a load error) or
//! trades the bug for another is not kept.

use super::checks::{Failure, FailureKind};
use super::spec::*;

/// Default bound on the scenarios tried while shrinking.
pub const DEFAULT_SHRINK_TRIES: usize = 1000;

/// The result of shrinking.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing spec found.
    pub spec: Spec,
    /// Its failure.
    pub failure: Failure,
    /// Scenarios tried.
    pub tries: usize,
    /// Simplifications kept.
    pub steps: usize,
}

/// Shrinks `spec`, which fails with `failure`, keeping simplifications that fail with the same
/// kind, trying at most `max_tries` scenarios.
pub fn shrink(spec: &Spec, failure: &Failure, max_tries: usize) -> Shrunk {
    let kind: FailureKind = failure.kind;
    let mut last = failure.clone();
    let (spec, tries, steps) = shrink_with(spec.clone(), max_tries, |candidate| {
        match super::check_spec(candidate) {
            Err(f) if f.kind == kind => {
                last = f;
                true
            }
            _ => false,
        }
    });
    // `last` is the failure of the last candidate kept (or the original failure).
    Shrunk {
        spec,
        failure: last,
        tries,
        steps,
    }
}

/// Shrinks `spec` with a test of its own: `still_fails(candidate)` says whether a simplified
/// spec still shows the problem. Returns the smallest spec found, the candidates tried and the
/// simplifications kept.
pub fn shrink_with(
    spec: Spec,
    max_tries: usize,
    mut still_fails: impl FnMut(&Spec) -> bool,
) -> (Spec, usize, usize) {
    let mut current = spec;
    let (mut tries, mut steps) = (0, 0);
    'outer: loop {
        for candidate in candidates(&current) {
            if tries >= max_tries {
                break 'outer;
            }
            tries += 1;
            if still_fails(&candidate) {
                current = candidate;
                steps += 1;
                continue 'outer;
            }
        }
        break;
    }
    (current, tries, steps)
}

/// Whether any client, call, probe handler or fault names `service`.
fn service_used(s: &Spec, service: &str) -> bool {
    let in_steps = |steps: &[StepSpec]| {
        steps.iter().any(|st| match st {
            StepSpec::Call(c) => c.service == service,
            StepSpec::Parallel(cs) => cs.iter().any(|c| c.service == service),
            StepSpec::Work(..) => false,
        })
    };
    s.clients.iter().any(|c| c.target == service)
        || s.faults.iter().any(|f| f.service == service)
        || s.services.iter().any(|svc| {
            in_steps(&svc.steps)
                || [&svc.liveness, &svc.readiness, &svc.startup_probe]
                    .into_iter()
                    .flatten()
                    .any(|p| in_steps(&p.handler))
        })
}

/// Whether any client or call names `policy`.
fn policy_used(s: &Spec, policy: &str) -> bool {
    let named = |p: &Option<String>| p.as_deref() == Some(policy);
    let in_steps = |steps: &[StepSpec]| {
        steps.iter().any(|st| match st {
            StepSpec::Call(c) => named(&c.policy),
            StepSpec::Parallel(cs) => cs.iter().any(|c| named(&c.policy)),
            StepSpec::Work(..) => false,
        })
    };
    s.clients.iter().any(|c| named(&c.policy))
        || s.services.iter().any(|svc| {
            in_steps(&svc.steps)
                || [&svc.liveness, &svc.readiness, &svc.startup_probe]
                    .into_iter()
                    .flatten()
                    .any(|p| in_steps(&p.handler))
        })
}

/// Collects the edits of a spec that change it.
struct Edits<'a> {
    base: &'a Spec,
    out: Vec<Spec>,
}

impl Edits<'_> {
    fn edit(&mut self, f: impl FnOnce(&mut Spec)) {
        let mut s = self.base.clone();
        f(&mut s);
        if s != *self.base && !self.out.contains(&s) {
            self.out.push(s);
        }
    }
}

fn halve_u32(n: &mut u32) {
    *n /= 2;
}

/// Simplifications of a list of steps (a step dropped, a parallel step reduced).
fn step_edits(steps: &[StepSpec]) -> Vec<Vec<StepSpec>> {
    let mut out = Vec::new();
    for i in 0..steps.len() {
        let mut v = steps.to_vec();
        v.remove(i);
        out.push(v);
        match &steps[i] {
            StepSpec::Parallel(calls) => {
                let mut v = steps.to_vec();
                v[i] = StepSpec::Call(calls[0].clone());
                out.push(v);
                for j in 0..calls.len() {
                    if calls.len() > 1 {
                        let mut cs = calls.clone();
                        cs.remove(j);
                        let mut v = steps.to_vec();
                        v[i] = StepSpec::Parallel(cs);
                        out.push(v);
                    }
                }
            }
            StepSpec::Call(c) => {
                for simpler in [
                    CallSpec {
                        policy: None,
                        ..c.clone()
                    },
                    CallSpec {
                        required: None,
                        ..c.clone()
                    },
                ] {
                    let mut v = steps.to_vec();
                    v[i] = StepSpec::Call(simpler);
                    out.push(v);
                }
            }
            StepSpec::Work(d, slope) => {
                let mut v = steps.to_vec();
                v[i] = StepSpec::Work(DistSpec::Const(Dur::ms(1)), *slope);
                out.push(v);
                if !matches!(d, DistSpec::Const(_)) {
                    let mut v = steps.to_vec();
                    v[i] = StepSpec::Work(DistSpec::Const(Dur::ms(10)), *slope);
                    out.push(v);
                }
                let mut v = steps.to_vec();
                v[i] = StepSpec::Work(d.clone(), None);
                out.push(v);
            }
        }
    }
    out
}

/// Probe `which` (liveness, readiness, startup) of service `i`.
fn probe_mut(c: &mut Spec, i: usize, which: usize) -> Option<&mut ProbeSpec> {
    let svc = &mut c.services[i];
    [&mut svc.liveness, &mut svc.readiness, &mut svc.startup_probe]
        .into_iter()
        .nth(which)
        .and_then(Option::as_mut)
}

/// One-step simplifications of `s`, the biggest first.
pub fn candidates(s: &Spec) -> Vec<Spec> {
    let mut e = Edits {
        base: s,
        out: Vec::new(),
    };
    // Whole entities.
    for i in 0..s.faults.len() {
        e.edit(|c| {
            c.faults.remove(i);
        });
    }
    for i in 0..s.clients.len() {
        e.edit(|c| {
            c.clients.remove(i);
        });
    }
    if s.services.len() > 1 {
        for i in 0..s.services.len() {
            if !service_used(s, &s.services[i].name) {
                e.edit(|c| {
                    c.services.remove(i);
                });
            }
        }
    }
    for i in 0..s.policies.len() {
        if !policy_used(s, &s.policies[i].name) {
            e.edit(|c| {
                c.policies.remove(i);
            });
        }
    }
    // Shorter runs.
    e.edit(|c| c.duration = Dur((c.duration.0 / 2).max(1)));
    e.edit(|c| c.duration = Dur((c.duration.0 / 10).max(1)));
    // Services: steps, probes, keys.
    for i in 0..s.services.len() {
        for steps in step_edits(&s.services[i].steps) {
            e.edit(|c| c.services[i].steps = steps);
        }
        e.edit(|c| c.services[i].liveness = None);
        e.edit(|c| c.services[i].readiness = None);
        e.edit(|c| c.services[i].startup_probe = None);
        for which in 0..3 {
            let handler = {
                let mut c = s.clone();
                probe_mut(&mut c, i, which)
                    .map(|p| p.handler.clone())
                    .unwrap_or_default()
            };
            for steps in step_edits(&handler) {
                e.edit(|c| {
                    if let Some(p) = probe_mut(c, i, which) {
                        p.handler = steps;
                    }
                });
            }
            e.edit(|c| {
                if let Some(p) = probe_mut(c, i, which) {
                    *p = ProbeSpec {
                        handler: p.handler.clone(),
                        dedicated: p.dedicated,
                        initial_delay: None,
                        period: None,
                        timeout: None,
                        success_threshold: None,
                        failure_threshold: None,
                    };
                }
            });
        }
        e.edit(|c| c.services[i].replicas = None);
        e.edit(|c| {
            if let Some(r) = &mut c.services[i].replicas {
                halve_u32(r);
                *r = (*r).max(1);
            }
        });
        e.edit(|c| c.services[i].slots = (c.services[i].slots / 2).max(1));
        e.edit(|c| c.services[i].slots = 1);
        e.edit(|c| c.services[i].queue_capacity = None);
        e.edit(|c| c.services[i].lifo = None);
        e.edit(|c| c.services[i].startup = None);
        e.edit(|c| c.services[i].warm_start = None);
        e.edit(|c| c.services[i].grace = None);
        e.edit(|c| c.services[i].exit_on_sigterm = None);
        e.edit(|c| c.services[i].lb = None);
        e.edit(|c| c.services[i].discovery = None);
        e.edit(|c| c.services[i].stale_timeout = None);
        e.edit(|c| c.services[i].honour_deadlines = None);
    }
    // Clients.
    for i in 0..s.clients.len() {
        e.edit(|c| c.clients[i].policy = None);
        e.edit(|c| c.clients[i].timeout = None);
        let load = s.clients[i].load.clone();
        match load {
            LoadSpec::Open {
                rate,
                constant,
                schedule,
            } => {
                for j in 0..schedule.len() {
                    let mut sch = schedule.clone();
                    sch.remove(j);
                    let rate = if sch.is_empty() && rate <= 0.0 { 1.0 } else { rate };
                    e.edit(|c| {
                        c.clients[i].load = LoadSpec::Open {
                            rate,
                            constant,
                            schedule: sch,
                        }
                    });
                }
                if rate > 0.0 {
                    e.edit(|c| {
                        c.clients[i].load = LoadSpec::Open {
                            rate: rate / 2.0,
                            constant,
                            schedule: schedule.clone(),
                        }
                    });
                }
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Open {
                        rate,
                        constant: None,
                        schedule: schedule.clone(),
                    }
                });
            }
            LoadSpec::Closed { users, think, start } => {
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Closed {
                        users: (users / 2).max(1),
                        think: think.clone(),
                        start,
                    }
                });
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Closed {
                        users: 1,
                        think: think.clone(),
                        start,
                    }
                });
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Closed {
                        users,
                        think: None,
                        start,
                    }
                });
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Closed {
                        users,
                        think: think.clone(),
                        start: None,
                    }
                });
            }
            LoadSpec::Burst { count, at, every } => {
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Burst {
                        count: (count / 2).max(1),
                        at,
                        every,
                    }
                });
                e.edit(|c| c.clients[i].load = LoadSpec::Burst { count: 1, at, every });
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Burst {
                        count,
                        at: None,
                        every,
                    }
                });
                e.edit(|c| {
                    c.clients[i].load = LoadSpec::Burst {
                        count,
                        at,
                        every: None,
                    }
                });
            }
        }
    }
    // Policies: parts off, then their keys.
    for i in 0..s.policies.len() {
        e.edit(|c| c.policies[i].timeouts = None);
        e.edit(|c| c.policies[i].pool = None);
        e.edit(|c| c.policies[i].retry = None);
        e.edit(|c| c.policies[i].breaker = None);
        e.edit(|c| c.policies[i].bulkhead = None);
        e.edit(|c| c.policies[i].deadline = None);
        e.edit(|c| c.policies[i].propagate_deadline = None);
        e.edit(|c| c.policies[i].fallback = None);
        e.edit(|c| c.policies[i].resilience4j = None);
        for k in 0..5 {
            e.edit(|c| {
                if let Some(t) = &mut c.policies[i].timeouts {
                    t[k] = None;
                }
            });
        }
        e.edit(|c| {
            if let Some(Part::On(r)) = &mut c.policies[i].retry {
                r.budget = None;
            }
        });
        e.edit(|c| {
            if let Some(Part::On(r)) = &mut c.policies[i].retry {
                r.on = None;
            }
        });
        e.edit(|c| {
            if let Some(Part::On(r)) = &mut c.policies[i].retry
                && let Some(n) = &mut r.max_attempts
            {
                *n = (*n / 2).max(1);
            }
        });
        e.edit(|c| {
            if let Some(Part::On(r)) = &mut c.policies[i].retry {
                r.backoff = None;
                r.base = None;
                r.cap = None;
                r.multiplier = None;
            }
        });
        e.edit(|c| {
            if let Some(Part::On(b)) = &mut c.policies[i].bulkhead {
                b.max_wait = None;
            }
        });
        e.edit(|c| {
            if let Some(p) = &mut c.policies[i].pool {
                p.connect_time = None;
                p.keepalive_expiry = None;
            }
        });
    }
    // Faults: keys back to their defaults.
    for i in 0..s.faults.len() {
        e.edit(|c| c.faults[i].from = None);
        e.edit(|c| c.faults[i].until = None);
        e.edit(|c| c.faults[i].pods = None);
        e.edit(|c| c.faults[i].name = None);
    }
    // Top level.
    e.edit(|c| c.bucket = None);
    e.edit(|c| c.network_latency = None);
    e.edit(|c| c.limits.max_log_entries = None);
    e.edit(|c| c.limits.max_buckets = None);
    e.out
}
