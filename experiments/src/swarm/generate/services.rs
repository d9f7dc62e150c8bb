//! Services: handler steps and their calls, probes, queues, start, termination, load
//! balancing and discovery.

use super::super::spec::*;
use super::{Gen, MS, S, dist, work};

/// The services `names`, each calling only services of a higher level.
pub(super) fn services(
    g: &mut Gen,
    levels: &[u32],
    names: &[String],
    replicas: &[Option<u32>],
    policy_names: &[String],
) -> Vec<ServiceSpec> {
    let n = names.len();
    let mut services = Vec::with_capacity(n);
    for i in 0..n {
        let callees: Vec<String> = (0..n)
            .filter(|&j| levels[j] > levels[i])
            .map(|j| names[j].clone())
            .collect();
        services.push(service(g, names[i].clone(), replicas[i], &callees, policy_names));
    }
    services
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
