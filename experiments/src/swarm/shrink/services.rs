//! Simplifications of one service: its steps, its probes (dropped, their handlers simplified,
//! their timing keys back to their defaults), then its other keys.

use super::super::spec::*;
use super::Edits;
use super::steps::step_edits;

/// Simplifications of service `i`: its steps, each probe dropped, each probe simplified, then
/// its keys.
pub(super) fn service_edits(e: &mut Edits<'_>, i: usize) {
    let s = e.base;
    for steps in step_edits(&s.services[i].steps) {
        e.edit(|c| c.services[i].steps = steps);
    }
    e.edit(|c| c.services[i].liveness = None);
    e.edit(|c| c.services[i].readiness = None);
    e.edit(|c| c.services[i].startup_probe = None);
    for which in 0..3 {
        probe_edits(e, i, which);
    }
    service_key_edits(e, i);
}

/// Simplifications of probe `which` (liveness, readiness, startup) of service `i`: its handler's
/// steps, then every key but the handler and `dedicated` back to its default. Nothing if the
/// service has no such probe.
fn probe_edits(e: &mut Edits<'_>, i: usize, which: usize) {
    let handler = probe(e.base, i, which)
        .map(|p| p.handler.clone())
        .unwrap_or_default();
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

/// The keys of service `i`: replicas (dropped, halved), slots (halved, one), then the other keys
/// back to their defaults.
fn service_key_edits(e: &mut Edits<'_>, i: usize) {
    e.edit(|c| c.services[i].replicas = None);
    e.edit(|c| {
        if let Some(r) = &mut c.services[i].replicas {
            *r = (*r / 2).max(1);
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

/// Probe `which` (liveness, readiness, startup) of service `i`.
fn probe(s: &Spec, i: usize, which: usize) -> Option<&ProbeSpec> {
    let svc = &s.services[i];
    [&svc.liveness, &svc.readiness, &svc.startup_probe]
        .into_iter()
        .nth(which)
        .and_then(Option::as_ref)
}

/// Probe `which` (liveness, readiness, startup) of service `i`, to edit.
fn probe_mut(c: &mut Spec, i: usize, which: usize) -> Option<&mut ProbeSpec> {
    let svc = &mut c.services[i];
    [&mut svc.liveness, &mut svc.readiness, &mut svc.startup_probe]
        .into_iter()
        .nth(which)
        .and_then(Option::as_mut)
}
