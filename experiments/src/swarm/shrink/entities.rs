//! Whole entities dropped: a fault, a client, a service nothing names any more, a policy
//! nothing names.

use super::super::spec::*;
use super::Edits;

/// Every fault dropped, then every client, then every service nothing names (if there is more
/// than one service), then every policy nothing names.
pub(super) fn drop_entities(e: &mut Edits<'_>) {
    let s = e.base;
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
}

/// Whether any client, call, probe handler or fault names `service`.
fn service_used(s: &Spec, service: &str) -> bool {
    s.clients.iter().any(|c| c.target == service)
        || s.faults.iter().any(|f| f.service == service)
        || any_call(s, |c| c.service == service)
}

/// Whether any client or call names `policy`.
fn policy_used(s: &Spec, policy: &str) -> bool {
    let named = |p: &Option<String>| p.as_deref() == Some(policy);
    s.clients.iter().any(|c| named(&c.policy)) || any_call(s, |c| named(&c.policy))
}

/// Whether `pred` holds for any call in any service's steps or probe handlers.
fn any_call(s: &Spec, pred: impl Fn(&CallSpec) -> bool) -> bool {
    let in_steps = |steps: &[StepSpec]| {
        steps.iter().any(|st| match st {
            StepSpec::Call(c) => pred(c),
            StepSpec::Parallel(cs) => cs.iter().any(&pred),
            StepSpec::Work(..) => false,
        })
    };
    s.services.iter().any(|svc| {
        in_steps(&svc.steps)
            || [&svc.liveness, &svc.readiness, &svc.startup_probe]
                .into_iter()
                .flatten()
                .any(|p| in_steps(&p.handler))
    })
}
