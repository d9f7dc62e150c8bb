//! Shrinking: greedily simplify a failing [`Spec`] while it keeps failing.
//!
//! [`candidates`] lists one-step simplifications of a spec, the big ones first (halve the
//! duration, drop a fault, a client, a service nothing calls any more, a policy nothing names),
//! then the small ones (a step, a probe, a policy part, a key back to its default, a number
//! halved). [`shrink_with`] takes the first candidate that still fails, and starts over from
//! it, until no candidate fails or the number of tries runs out. [`shrink`] uses "fails with the
//! same [`FailureKind`]" as the test, so a simplification that breaks the file (a load error) or
//! trades the bug for another is not kept.
//!
//! This module holds the shrinking loop and the order of the candidates; `entities` drops whole
//! faults, clients, services and policies, `services`, `clients` and `policies` simplify the
//! keys of one of each, and `steps` simplifies a list of steps (a service's or a probe's).

mod clients;
mod entities;
mod policies;
mod services;
mod steps;

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

/// Collects the edits of a spec that change it, in the order they are made, without
/// duplicates.
struct Edits<'a> {
    base: &'a Spec,
    out: Vec<Spec>,
}

impl Edits<'_> {
    /// Applies `f` to a copy of the base spec and keeps the result if it differs from the base
    /// and from every edit kept so far.
    fn edit(&mut self, f: impl FnOnce(&mut Spec)) {
        let mut s = self.base.clone();
        f(&mut s);
        if s != *self.base && !self.out.contains(&s) {
            self.out.push(s);
        }
    }
}

/// One-step simplifications of `s`, the biggest first.
pub fn candidates(s: &Spec) -> Vec<Spec> {
    let mut e = Edits {
        base: s,
        out: Vec::new(),
    };
    entities::drop_entities(&mut e);
    shorter_runs(&mut e);
    for i in 0..s.services.len() {
        services::service_edits(&mut e, i);
    }
    for i in 0..s.clients.len() {
        clients::client_edits(&mut e, i);
    }
    for i in 0..s.policies.len() {
        policies::policy_edits(&mut e, i);
    }
    for i in 0..s.faults.len() {
        fault_edits(&mut e, i);
    }
    top_level_edits(&mut e);
    e.out
}

/// The duration halved, then divided by ten (at least 1 ns), dropping the faults that would
/// start after the shorter run (the loader refuses them, and they could not act anyway).
fn shorter_runs(e: &mut Edits<'_>) {
    for divisor in [2, 10] {
        e.edit(|c| {
            c.duration = Dur((c.duration.0 / divisor).max(1));
            let end = c.duration;
            c.faults.retain(|f| f.from.is_none_or(|from| from < end));
        });
    }
}

/// The keys of fault `i` back to their defaults.
fn fault_edits(e: &mut Edits<'_>, i: usize) {
    e.edit(|c| c.faults[i].from = None);
    e.edit(|c| c.faults[i].until = None);
    e.edit(|c| c.faults[i].pods = None);
    e.edit(|c| c.faults[i].name = None);
}

/// The top-level keys back to their defaults.
fn top_level_edits(e: &mut Edits<'_>) {
    e.edit(|c| c.bucket = None);
    e.edit(|c| c.network_latency = None);
    e.edit(|c| c.limits.max_log_entries = None);
    e.edit(|c| c.limits.max_buckets = None);
}
