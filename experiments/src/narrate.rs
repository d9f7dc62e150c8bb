//! The narrated anatomy: the event log told in plain words, one line per thing that mattered,
//! with repetition folded ("… repeated 6 times until t=120.000s") so a death spiral reads as
//! one cycle and a count, not as a wall of lines.

use models::config::{Caller, Load, Scenario};
use models::log::{KillReason, LogEntry, LogKind};

/// A narrated line: its time and its words.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Seconds.
    pub t: f64,
    /// What happened.
    pub text: String,
}

/// The most lines printed; the rest are in `events.jsonl`.
pub const MAX_LINES: usize = 80;
/// The longest repeating block that is folded.
const MAX_CYCLE: usize = 8;

/// One logged change in words (the pod's or edge's name first).
fn describe(kind: &LogKind) -> String {
    match kind {
        LogKind::FaultStart { service, fault } => format!("{service}: fault starts: {fault}"),
        LogKind::FaultEnd { service, fault } => format!("{service}: fault ends: {fault}"),
        LogKind::Saturated {
            pod,
            busy,
            slots,
            queued,
        } => format!("{pod} saturated: {busy}/{slots} slots busy, {queued} queued"),
        LogKind::Unsaturated { pod, busy, slots } => {
            format!("{pod} has room again: {busy}/{slots} slots busy")
        }
        LogKind::ProbeFailed {
            pod,
            probe,
            consecutive,
            threshold,
            cause,
        } => probe_failed(pod, probe, *consecutive, *threshold, cause),
        LogKind::Killed { pod, reason, lost } => {
            let why = kill_reason(*reason);
            format!("{pod} container killed ({why}), {lost} requests lost")
        }
        LogKind::RestartScheduled {
            pod,
            backoff_s,
            restarts,
        } => format!("{pod} restart #{restarts} (back-off {backoff_s}s)"),
        LogKind::ContainerStarted { pod } => format!("{pod} container started"),
        LogKind::Readiness { pod, ready: true } => format!("{pod} ready"),
        LogKind::Readiness { pod, ready: false } => format!("{pod} not ready"),
        LogKind::EndpointsUpdated {
            service,
            pod,
            ready,
            endpoints,
        } => {
            let what = if *ready { "added to" } else { "removed from" };
            format!("{pod} {what} {service}'s endpoints ({endpoints} ready)")
        }
        LogKind::PodDeleted { pod } => format!("{pod} deleted (rescheduled elsewhere)"),
        LogKind::Breaker {
            edge,
            owner,
            from,
            to,
            reason,
        } => format!(
            "breaker {edge} at {owner}: {} → {} ({reason})",
            from.name(),
            to.name()
        ),
        LogKind::BulkheadSaturated {
            edge,
            owner,
            max_concurrent,
        } => format!("bulkhead {edge} at {owner} full: {max_concurrent}/{max_concurrent} permits in use"),
        LogKind::BulkheadRecovered { edge, owner } => format!("bulkhead {edge} at {owner} has room again"),
    }
}

/// A failed probe in words: the count towards the threshold, or past it, and the cause.
fn probe_failed(pod: &str, probe: &str, consecutive: u32, threshold: u32, cause: &str) -> String {
    if consecutive <= threshold {
        format!("{pod} {probe} probe failed {consecutive}/{threshold} ({cause})")
    } else {
        format!("{pod} {probe} probe failed again, {consecutive} in a row ({cause})")
    }
}

/// Why a container was killed, in words.
fn kill_reason(reason: KillReason) -> &'static str {
    match reason {
        KillReason::Liveness => "liveness failed",
        KillReason::Startup => "startup probe failed",
        KillReason::Fault => "fault",
    }
}

/// What the clients do from the start, in words.
fn client_lines(scenario: &Scenario) -> Vec<Line> {
    scenario
        .clients
        .iter()
        .map(|c| {
            let target = &scenario.services[scenario.edges[c.edge.idx()].callee.idx()].name;
            debug_assert!(matches!(scenario.edges[c.edge.idx()].caller, Caller::Client(_)));
            match &c.load {
                Load::Open { rate, .. } => Line {
                    t: 0.0,
                    text: format!(
                        "{} starts sending {}/s to {target}",
                        c.name,
                        rate.rate_at(sim_core::time::SimTime::ZERO)
                    ),
                },
                Load::Closed { users, start, .. } => Line {
                    t: start.as_secs_f64(),
                    text: format!("{users} {} users start calling {target}", c.name),
                },
                Load::Burst { count, at, every } => Line {
                    t: at.as_secs_f64(),
                    text: match every {
                        Some(e) => format!(
                            "{} sends bursts of {count} requests to {target} every {e}",
                            c.name
                        ),
                        None => format!("{} sends a burst of {count} requests to {target}", c.name),
                    },
                },
            }
        })
        .collect()
}

/// Raw lines, merging a probe failure that kills with the kill itself.
fn raw_lines(scenario: &Scenario, log: &[LogEntry]) -> Vec<Line> {
    let mut lines = client_lines(scenario);
    let mut i = 0;
    while i < log.len() {
        let e = &log[i];
        let mut text = describe(&e.kind);
        if let (LogKind::ProbeFailed { pod, .. }, Some(next)) = (&e.kind, log.get(i + 1))
            && let LogKind::Killed {
                pod: killed, lost, ..
            } = &next.kind
            && killed == pod
            && next.t == e.t
        {
            text = format!("{text} → container killed, {lost} requests lost");
            i += 1;
        }
        lines.push(Line { t: e.t, text });
        i += 1;
    }
    lines.sort_by(|a, b| a.t.total_cmp(&b.t));
    lines
}

/// Folds runs of identical lines and repeating blocks of up to eight lines.
pub fn fold(lines: &[Line]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // The shortest block starting here that repeats right after itself.
        let mut folded = false;
        for k in 1..=MAX_CYCLE {
            if i + 2 * k > lines.len() {
                break;
            }
            let same = |a: usize, b: usize| (0..k).all(|j| lines[a + j].text == lines[b + j].text);
            if !same(i, i + k) {
                continue;
            }
            let mut repeats = 1;
            while i + (repeats + 1) * k <= lines.len() && same(i, i + repeats * k) {
                repeats += 1;
            }
            out.extend_from_slice(&lines[i..i + k]);
            let last = &lines[i + repeats * k - 1];
            let what = if k == 1 {
                "repeated".to_string()
            } else {
                format!("(these {k} lines) repeated")
            };
            out.push(Line {
                t: last.t,
                text: format!("… {what} {} more times until t={:.3}s", repeats - 1, last.t),
            });
            i += repeats * k;
            folded = true;
            break;
        }
        if !folded {
            out.push(lines[i].clone());
            i += 1;
        }
    }
    out
}

/// The narrated anatomy of a run, at most [`MAX_LINES`] lines.
pub fn narrate(scenario: &Scenario, log: &[LogEntry], dropped: u64) -> Vec<String> {
    let lines = fold(&raw_lines(scenario, log));
    let mut out: Vec<String> = lines
        .iter()
        .take(MAX_LINES)
        .map(|l| {
            if l.text.starts_with('…') {
                format!("           {}", l.text)
            } else {
                format!("t={:>8.3}s  {}", l.t, l.text)
            }
        })
        .collect();
    if lines.len() > MAX_LINES {
        out.push(format!(
            "… and {} more lines: see events.jsonl (--out)",
            lines.len() - MAX_LINES
        ));
    }
    if dropped > 0 {
        out.push(format!(
            "… {dropped} later events were not logged (log limit reached)"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: f64, text: &str) -> Line {
        Line { t, text: text.into() }
    }

    #[test]
    fn folds_identical_runs_and_cycles() {
        let lines = vec![
            l(0.0, "start"),
            l(1.0, "a"),
            l(2.0, "a"),
            l(3.0, "a"),
            l(4.0, "kill"),
            l(5.0, "restart"),
            l(6.0, "kill"),
            l(7.0, "restart"),
            l(8.0, "kill"),
            l(9.0, "restart"),
            l(10.0, "end"),
        ];
        let texts: Vec<String> = fold(&lines).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            vec![
                "start",
                "a",
                "… repeated 2 more times until t=3.000s",
                "kill",
                "restart",
                "… (these 2 lines) repeated 2 more times until t=9.000s",
                "end"
            ]
        );
    }
}
