//! Service and pod counts agree with each other, with the scenario and with the edges into
//! the service.

use models::config::{Caller, Scenario, ServiceConfig};
use models::ids::ServiceIdx;
use models::report::{ServiceSummary, Summary};

use super::{Check, FailureKind, check_latency, fail, same_count};

/// Service and pod counts agree with each other and with the edges into the service.
pub(super) fn check_services(scenario: &Scenario, s: &Summary) -> Check {
    same_count(
        FailureKind::Counts,
        "services",
        s.services.len(),
        scenario.services.len(),
    )?;
    for (i, (cfg, svc)) in scenario.services.iter().zip(&s.services).enumerate() {
        check_service_arrivals(scenario, s, i, cfg, svc)?;
        check_service_times(svc)?;
        check_service_gauges(s, cfg, svc)?;
        check_service_degraded(scenario, s, i, svc)?;
    }
    Ok(())
}

/// The service has the scenario's pods, and no more answers than arrivals, nor arrivals than
/// attempts towards it.
fn check_service_arrivals(
    scenario: &Scenario,
    s: &Summary,
    i: usize,
    cfg: &ServiceConfig,
    svc: &ServiceSummary,
) -> Check {
    let k = FailureKind::Counts;
    let name = &svc.name;
    if svc.replicas != cfg.replicas || svc.slots != cfg.slots || svc.pods.len() != cfg.replicas as usize {
        return fail(
            k,
            format!("service {name}: replicas/slots/pods disagree with the scenario"),
        );
    }
    let ended = svc.counts.completed_ok
        + svc.counts.completed_error
        + svc.counts.rejected
        + svc.counts.dropped_deadline
        + svc.counts.lost;
    if ended > svc.counts.arrivals {
        return fail(
            k,
            format!(
                "service {name}: {} arrivals < {} ok + {} error + {} rejected + {} dropped + {} lost",
                svc.counts.arrivals,
                svc.counts.completed_ok,
                svc.counts.completed_error,
                svc.counts.rejected,
                svc.counts.dropped_deadline,
                svc.counts.lost
            ),
        );
    }
    // Every arrival is an attempt delivered by one of the edges into the service.
    let attempts: u64 = scenario
        .edges
        .iter()
        .zip(&s.edges)
        .filter(|(e, _)| e.callee.idx() == i)
        .map(|(_, e)| e.counts.attempts)
        .sum();
    if svc.counts.arrivals > attempts {
        return fail(
            k,
            format!(
                "service {name}: {} arrivals but {attempts} attempts towards it",
                svc.counts.arrivals
            ),
        );
    }
    Ok(())
}

/// Pod totals, waits and service times agree with the service's arrivals, and their
/// statistics are ordered.
fn check_service_times(svc: &ServiceSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &svc.name;
    let pod_arrivals: u64 = svc.pods.iter().map(|p| p.arrivals).sum();
    let pod_restarts: u32 = svc.pods.iter().map(|p| p.restarts).sum();
    if pod_arrivals != svc.counts.arrivals || pod_restarts != svc.restarts {
        return fail(
            k,
            format!("service {name}: pod totals disagree with the service's"),
        );
    }
    if svc.queue_wait_ms.count > svc.counts.arrivals || svc.service_time_ms.count > svc.counts.arrivals {
        return fail(
            k,
            format!("service {name}: more waits or service times than arrivals"),
        );
    }
    check_latency(&format!("service {name} queue wait"), &svc.queue_wait_ms)?;
    check_latency(&format!("service {name} service time"), &svc.service_time_ms)?;
    if !(0.0..=1.0).contains(&svc.waited_fraction) {
        return fail(
            k,
            format!("service {name}: waited_fraction {}", svc.waited_fraction),
        );
    }
    Ok(())
}

/// Degraded propagates one hop at a time: a service answers degraded only if one of its own
/// calls ended degraded, and its callers see at most the degraded answers it sent (late ones
/// are dropped at timed-out attempts).
fn check_service_degraded(scenario: &Scenario, s: &Summary, i: usize, svc: &ServiceSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &svc.name;
    let edges = || scenario.edges.iter().zip(&s.edges);
    let me = Caller::Service(ServiceIdx(i as u32));
    let degraded_out: u64 = edges()
        .filter(|(e, _)| e.caller == me)
        .map(|(_, e)| e.counts.degraded)
        .sum();
    let received: u64 = edges()
        .filter(|(e, _)| e.callee.idx() == i)
        .map(|(_, e)| e.counts.degraded_answers)
        .sum();
    if svc.counts.completed_degraded > svc.counts.completed_ok
        || (svc.counts.completed_degraded > 0 && degraded_out == 0)
        || received > svc.counts.completed_degraded
    {
        return fail(
            k,
            format!(
                "service {name}: {} degraded answers (of {} ok), {degraded_out} degraded calls of its own, {received} degraded answers received by its callers",
                svc.counts.completed_degraded, svc.counts.completed_ok
            ),
        );
    }
    Ok(())
}

/// Utilisation, mean in flight and queued, and readiness stay within capacity and time.
fn check_service_gauges(s: &Summary, cfg: &ServiceConfig, svc: &ServiceSummary) -> Check {
    let k = FailureKind::Counts;
    let name = &svc.name;
    // Busy slots are slots of running processes: never more than the capacity up.
    if svc.utilisation > 1.0 + 1e-9 {
        return fail(
            k,
            format!(
                "service {name}: utilisation {} above 1 (mean busy {})",
                svc.utilisation, svc.mean_in_flight
            ),
        );
    }
    let slots = f64::from(cfg.replicas) * f64::from(cfg.slots);
    let queue = f64::from(cfg.replicas) * f64::from(cfg.queue.capacity);
    if svc.mean_in_flight > slots * (1.0 + 1e-9) || svc.mean_queued > queue * (1.0 + 1e-9) {
        return fail(
            k,
            format!(
                "service {name}: mean in flight {} (of {slots} slots) or queued {} (of {queue})",
                svc.mean_in_flight, svc.mean_queued
            ),
        );
    }
    let busy_s = svc.mean_in_flight * s.duration_s;
    if !(0.0..=1.0 + 1e-9).contains(&svc.wasted_share) || svc.wasted_work_s > busy_s * (1.0 + 1e-9) + 1e-9 {
        return fail(
            k,
            format!(
                "service {name}: wasted {} slot-s (share {}) of {busy_s} busy slot-s",
                svc.wasted_work_s, svc.wasted_share
            ),
        );
    }
    for p in &svc.pods {
        if !(0.0..=1.0).contains(&p.ready_fraction) || p.time_ready_s > s.duration_s * (1.0 + 1e-9) {
            return fail(
                k,
                format!(
                    "pod {}: ready {} s, fraction {}",
                    p.name, p.time_ready_s, p.ready_fraction
                ),
            );
        }
    }
    Ok(())
}
