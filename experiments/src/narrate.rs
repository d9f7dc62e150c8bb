//! The narrated anatomy: the event log told in plain words, one line per thing that mattered,
//! with repetition folded ("… repeated 6 times until t=120.000s") so a death spiral reads as
//! one cycle and a count, not as a wall of lines.

use models::config::{Caller, Load, Scenario};
use models::log::{KillReason, LogEntry, LogKind};
use models::policy::breaker::BreakerState;

/// How a narrated line reads: the tone the report and the timeline give it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something broke: kills, lost requests, faults starting, breakers opening, pods deleted.
    Bad,
    /// Something is under strain: saturation, failed probes, pods leaving the load balancer,
    /// breakers half-open, full bulkheads.
    Warn,
    /// Something recovered.
    Good,
    /// Neutral information.
    Info,
    /// A folded repetition or a note.
    Fold,
}

/// A narrated line: its time, its words and its tone.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Seconds.
    pub t: f64,
    /// What happened.
    pub text: String,
    /// How it reads, from what was logged (not from the words).
    pub tone: Tone,
}

/// The tone of one logged change.
fn tone(kind: &LogKind) -> Tone {
    match kind {
        LogKind::FaultStart { .. } | LogKind::Killed { .. } | LogKind::PodDeleted { .. } => Tone::Bad,
        LogKind::Saturated { .. }
        | LogKind::ProbeFailed { .. }
        | LogKind::Readiness { ready: false, .. }
        | LogKind::EndpointsUpdated { ready: false, .. }
        | LogKind::BulkheadSaturated { .. } => Tone::Warn,
        LogKind::FaultEnd { .. }
        | LogKind::Unsaturated { .. }
        | LogKind::ContainerStarted { .. }
        | LogKind::Readiness { ready: true, .. }
        | LogKind::EndpointsUpdated { ready: true, .. }
        | LogKind::BulkheadRecovered { .. } => Tone::Good,
        LogKind::RestartScheduled { .. } => Tone::Info,
        LogKind::Breaker { to, .. } => match to {
            BreakerState::Open => Tone::Bad,
            BreakerState::HalfOpen => Tone::Warn,
            BreakerState::Closed => Tone::Good,
        },
    }
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
                    tone: Tone::Info,
                },
                Load::Closed {
                    users, start, ramp, ..
                } => Line {
                    t: start.as_secs_f64(),
                    text: if ramp.is_zero() {
                        format!("{users} {} users start calling {target}", c.name)
                    } else {
                        format!(
                            "{users} {} users start calling {target}, evenly over {ramp}",
                            c.name
                        )
                    },
                    tone: Tone::Info,
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
                    tone: Tone::Info,
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
        let mut line_tone = tone(&e.kind);
        if let (LogKind::ProbeFailed { pod, .. }, Some(next)) = (&e.kind, log.get(i + 1))
            && let LogKind::Killed {
                pod: killed, lost, ..
            } = &next.kind
            && killed == pod
            && next.t == e.t
        {
            text = format!("{text} → container killed, {lost} requests lost");
            line_tone = Tone::Bad;
            i += 1;
        }
        lines.push(Line {
            t: e.t,
            text,
            tone: line_tone,
        });
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
                tone: Tone::Fold,
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

/// The narrated anatomy of a run: at most [`MAX_LINES`] folded lines, and notes on what was
/// left out.
pub fn narrate_lines(scenario: &Scenario, log: &[LogEntry], dropped: u64) -> (Vec<Line>, Vec<String>) {
    let mut lines = fold(&raw_lines(scenario, log));
    let mut notes = Vec::new();
    if lines.len() > MAX_LINES {
        notes.push(format!(
            "… and {} more lines: see events.jsonl (--out)",
            lines.len() - MAX_LINES
        ));
        lines.truncate(MAX_LINES);
    }
    if dropped > 0 {
        notes.push(format!(
            "… {dropped} later events were not logged (log limit reached)"
        ));
    }
    (lines, notes)
}

/// The narrated anatomy as text, a string a line: `t=  25.000s  words`, folds indented, then
/// the notes. Control characters in names are escaped ([`crate::text::escape_controls`]).
pub fn narrate(scenario: &Scenario, log: &[LogEntry], dropped: u64) -> Vec<String> {
    let (lines, notes) = narrate_lines(scenario, log, dropped);
    lines
        .iter()
        .map(|l| {
            let text = crate::text::escape_controls(&l.text);
            if l.tone == Tone::Fold {
                format!("           {text}")
            } else {
                format!("t={:>8.3}s  {text}", l.t)
            }
        })
        .chain(notes)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: f64, text: &str) -> Line {
        Line {
            t,
            text: text.into(),
            tone: Tone::Info,
        }
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

    /// The tones the report gives: what broke, what is strained, what recovered — from the
    /// logged change, so a breaker going half-open is a warning whatever the words say.
    #[test]
    fn tones_follow_what_was_logged() {
        let pod = || "upload-0".to_string();
        let breaker = |from, to| LogKind::Breaker {
            edge: "a→b".into(),
            owner: "c".into(),
            from,
            to,
            reason: "r".into(),
        };
        let killed = LogKind::Killed {
            pod: pod(),
            reason: KillReason::Liveness,
            lost: 50,
        };
        assert_eq!(tone(&killed), Tone::Bad);
        assert_eq!(
            tone(&LogKind::Readiness {
                pod: pod(),
                ready: false
            }),
            Tone::Warn
        );
        assert_eq!(
            tone(&LogKind::Readiness {
                pod: pod(),
                ready: true
            }),
            Tone::Good
        );
        assert_eq!(
            tone(&breaker(BreakerState::Closed, BreakerState::Open)),
            Tone::Bad
        );
        assert_eq!(
            tone(&breaker(BreakerState::Open, BreakerState::HalfOpen)),
            Tone::Warn
        );
        assert_eq!(
            tone(&breaker(BreakerState::HalfOpen, BreakerState::Closed)),
            Tone::Good
        );
        // A failed liveness probe that kills reads as the kill.
        let log = [
            LogEntry {
                t: 1.0,
                kind: LogKind::ProbeFailed {
                    pod: pod(),
                    probe: "liveness",
                    consecutive: 3,
                    threshold: 3,
                    cause: "timeout",
                },
            },
            LogEntry { t: 1.0, kind: killed },
        ];
        let b = crate::catalog::find("cascade").expect("builtin");
        let source = crate::scenario::Source::new(b.name, b.text);
        let scenario = crate::scenario::load(&source, &[]).expect("loads").scenario;
        let (lines, _) = narrate_lines(&scenario, &log, 0);
        let tones: Vec<Tone> = lines.iter().map(|l| l.tone).collect();
        // The clients' start is information; the merged probe failure and kill is bad.
        assert_eq!(tones, vec![Tone::Info, Tone::Bad]);
        let folded = fold(&[l(0.0, "a"), l(1.0, "a")]);
        assert_eq!(folded[1].tone, Tone::Fold);
    }
}
