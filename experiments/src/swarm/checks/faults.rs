//! `faults[]` in the summary: one entry per phased fault and client; each phase's latency
//! counts its answers and its failure mix sums to its failures; the phases lie end to end and
//! partition the client's finished requests when `before` starts at 0; a verdict agrees with
//! `recovered_s`, which is finite and not negative.

use models::config::Scenario;
use models::phases::{FaultClient, MAX_PHASED_FAULTS, NOT_RECOVERED, PhaseSummary, RECOVERED};
use models::report::{ClientSummary, Summary};

use super::{Check, FailureKind, check_latency, fail, failed_by_total, same_count};

/// Every rule above, for every fault and client.
pub(super) fn check_faults(scenario: &Scenario, s: &Summary) -> Check {
    let phased = scenario.faults.len().min(MAX_PHASED_FAULTS);
    same_count(FailureKind::Counts, "faults", s.faults.len(), phased)?;
    for f in &s.faults {
        same_count(
            FailureKind::Counts,
            "fault clients",
            f.clients.len(),
            s.clients.len(),
        )?;
        for (fc, c) in f.clients.iter().zip(&s.clients) {
            let what = format!("fault {} client {}", f.name, fc.name);
            check_phases(&what, fc, c)?;
            check_verdict(&what, fc)?;
        }
    }
    Ok(())
}

fn check_phase(what: &str, p: &PhaseSummary) -> Check {
    check_latency(what, &p.latency_answered_ms)?;
    if p.latency_answered_ms.count != p.answered || failed_by_total(&p.failed_by) != p.failed {
        return fail(
            FailureKind::Counts,
            format!(
                "{what}: {} answered, latency of {}; {} failed, failed_by sums to {}",
                p.answered,
                p.latency_answered_ms.count,
                p.failed,
                failed_by_total(&p.failed_by)
            ),
        );
    }
    Ok(())
}

/// Phases before, during, after lie end to end; with `before` from 0 they cover the run, so
/// their answers and failures are the client's.
fn check_phases(what: &str, fc: &FaultClient, c: &ClientSummary) -> Check {
    let (b, d, a) = (&fc.before, &fc.during, &fc.after);
    for (name, p) in [("before", b), ("during", d), ("after", a)] {
        check_phase(&format!("{what} {name}"), p)?;
    }
    if b.until_s != d.from_s || d.until_s != a.from_s || b.from_s > b.until_s || a.from_s > a.until_s {
        return fail(
            FailureKind::Counts,
            format!("{what}: phases not end to end: {b:?} {d:?} {a:?}"),
        );
    }
    let answered = b.answered + d.answered + a.answered;
    let failed = b.failed + d.failed + a.failed;
    let (all_answered, all_failed) = (c.ok + c.degraded, c.failed);
    let partition = b.from_s == 0.0;
    if answered > all_answered
        || failed > all_failed
        || (partition && (answered != all_answered || failed != all_failed))
    {
        return fail(
            FailureKind::Conservation,
            format!(
                "{what}: phases hold {answered} answered, {failed} failed; the client {all_answered}, {all_failed}"
            ),
        );
    }
    Ok(())
}

/// `recovered` exactly when `recovered_s` is a finite, non-negative number.
fn check_verdict(what: &str, fc: &FaultClient) -> Check {
    let ok = match (fc.recovered_s, fc.verdict) {
        (Some(s), Some(v)) => s.is_finite() && s >= 0.0 && v == RECOVERED,
        (None, Some(v)) => v == NOT_RECOVERED,
        (None, None) => true,
        (Some(_), None) => false,
    };
    if !ok {
        return fail(
            FailureKind::NonFinite,
            format!(
                "{what}: recovered_s {:?} with verdict {:?}",
                fc.recovered_s, fc.verdict
            ),
        );
    }
    Ok(())
}
