//! Simplifications of one policy: each part turned off, then keys of the parts left back to
//! their defaults.

use super::super::spec::*;
use super::Edits;

/// Simplifications of policy `i`: each part dropped, each of the five timeouts dropped, the
/// retry's keys, the bulkhead's `max_wait`, then the pool's connect and keepalive times.
pub(super) fn policy_edits(e: &mut Edits<'_>, i: usize) {
    part_edits(e, i);
    for k in 0..5 {
        e.edit(|c| {
            if let Some(t) = &mut c.policies[i].timeouts {
                t[k] = None;
            }
        });
    }
    retry_edits(e, i);
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

/// Each part of policy `i` dropped.
fn part_edits(e: &mut Edits<'_>, i: usize) {
    e.edit(|c| c.policies[i].timeouts = None);
    e.edit(|c| c.policies[i].pool = None);
    e.edit(|c| c.policies[i].retry = None);
    e.edit(|c| c.policies[i].breaker = None);
    e.edit(|c| c.policies[i].bulkhead = None);
    e.edit(|c| c.policies[i].deadline = None);
    e.edit(|c| c.policies[i].propagate_deadline = None);
    e.edit(|c| c.policies[i].fallback = None);
    e.edit(|c| c.policies[i].resilience4j = None);
}

/// The retry of policy `i`, if on: no budget, no `on`, the attempts halved, then the backoff
/// keys back to their defaults.
fn retry_edits(e: &mut Edits<'_>, i: usize) {
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
            r.min = None;
            r.multiplier = None;
        }
    });
}
