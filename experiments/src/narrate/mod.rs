//! The narrated anatomy: the event log told in plain words, one line per thing that mattered,
//! with the patterns read off the time series (retry waves, retry storms, full accept queues,
//! wasted work, deadline drops, [`patterns`]).
//!
//! Two views: the *full* one (`anatomy.txt`, the report) has a line for every logged change,
//! bounded only by the event log's own limit (`limits.max_log_entries`, said in a note when
//! reached); the *brief* one (the terminal's default) leaves out the start-up noise of the first
//! second and groups a change that repeats for a pod or owner into one line ("upload-0 and
//! upload-1 restarted 4 times each between 80 s and 290 s, back-off 0 → 40 s", [`brief`]).
//! Either can be filtered to the lines about a service, pod, client or edge.

mod brief;
mod describe;
pub mod patterns;

use models::config::Scenario;
use models::log::{LogEntry, LogKind};
use models::report::Report;

pub use describe::STARTUP_S;
use describe::{Repeat, client_lines, describe, repeat, startup_noise, subjects, tone};

/// How a narrated line reads: the tone the report and the timeline give it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Something broke: kills, lost requests, faults starting, breakers opening, pods deleted.
    Bad,
    /// Something is under strain: saturation, failed probes, pods leaving the load balancer,
    /// breakers half-open, a policy out of permits.
    Warn,
    /// Something recovered.
    Good,
    /// Neutral information.
    Info,
    /// A note (what was left out, a limit reached).
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
    /// The services, pods, clients and edges it is about (what a filter matches).
    pub subjects: Vec<String>,
}

/// Which lines are told.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// Repeats grouped, start-up noise left out, at most [`MAX_BRIEF_LINES`] lines.
    Brief,
    /// Every logged change and every pattern.
    Full,
}

/// The most lines of the brief view; the rest are in the full view.
pub const MAX_BRIEF_LINES: usize = 60;

/// A narrated anatomy: its lines in time order and notes on what was left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Anatomy {
    /// The lines.
    pub lines: Vec<Line>,
    /// Notes: a limit reached, lines left out of a brief view.
    pub notes: Vec<String>,
}

/// A line before a view picks it: with what it repeats and whether it is start-up noise.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    line: Line,
    repeat: Option<Repeat>,
    noise: bool,
}

/// Every line, in time order: the clients' start, the log (a probe failure that kills merged
/// with the kill itself) and the patterns.
fn entries(scenario: &Scenario, report: &Report) -> Vec<Entry> {
    let plain = |line| Entry {
        line,
        repeat: None,
        noise: false,
    };
    let mut all: Vec<Entry> = client_lines(scenario).into_iter().map(plain).collect();
    all.extend(log_entries(&report.log));
    all.extend(patterns::lines(report).into_iter().map(plain));
    all.sort_by(|a, b| a.line.t.total_cmp(&b.line.t));
    all
}

/// The log's lines. A probe failure that killed its container is one line with the kill: the
/// kill is logged at the same instant, possibly after other changes of that instant (a ready
/// pod's "not ready" comes first).
fn log_entries(log: &[LogEntry]) -> Vec<Entry> {
    let mut out = Vec::with_capacity(log.len());
    let mut merged = vec![false; log.len()];
    for (i, e) in log.iter().enumerate() {
        if merged[i] {
            continue;
        }
        let mut text = describe(&e.kind);
        let mut line_tone = tone(&e.kind);
        let mut group = repeat(&e.kind);
        if let LogKind::ProbeFailed { pod, .. } = &e.kind
            && let Some(j) = kill_of(log, i, pod)
            && let LogKind::Killed { lost, .. } = &log[j].kind
        {
            text = format!("{text} → container killed, {lost} requests lost");
            line_tone = Tone::Bad;
            group = repeat(&log[j].kind);
            merged[j] = true;
        }
        out.push(Entry {
            line: Line {
                t: e.t,
                text,
                tone: line_tone,
                subjects: subjects(&e.kind),
            },
            repeat: group,
            noise: startup_noise(e.t, &e.kind),
        });
    }
    out
}

/// The index of the kill of `pod` logged at the same instant as entry `i`, after it.
fn kill_of(log: &[LogEntry], i: usize, pod: &str) -> Option<usize> {
    let t = log[i].t;
    log.iter()
        .enumerate()
        .skip(i + 1)
        .take_while(|(_, e)| e.t == t)
        .find(|(_, e)| matches!(&e.kind, LogKind::Killed { pod: killed, .. } if killed == pod))
        .map(|(j, _)| j)
}

/// Whether a line is about a name containing `filter`.
fn matches(line: &Line, filter: &str) -> bool {
    line.subjects.iter().any(|s| s.contains(filter))
}

/// The faults' starts and ends, in seconds, sorted: the brief view groups repeats only between
/// two of them. A restart's or reschedule's end is when its pods come back.
fn fault_boundaries(scenario: &Scenario) -> Vec<f64> {
    let mut b: Vec<f64> = scenario
        .faults
        .iter()
        .flat_map(|f| {
            [Some(f.from), f.end()]
                .into_iter()
                .flatten()
                .map(|t| t.as_secs_f64())
        })
        .collect();
    b.sort_by(f64::total_cmp);
    b
}

/// The narrated anatomy of a run in one view, only the lines about a name containing
/// `filter` if one is given.
pub fn anatomy(scenario: &Scenario, report: &Report, view: View, filter: Option<&str>) -> Anatomy {
    let mut all = entries(scenario, report);
    if let Some(f) = filter {
        all.retain(|e| matches(&e.line, f));
    }
    let mut notes = Vec::new();
    let lines = match view {
        View::Full => all.into_iter().map(|e| e.line).collect(),
        View::Brief => {
            let mut lines = brief::group(&all, &fault_boundaries(scenario));
            if lines.len() > MAX_BRIEF_LINES {
                notes.push(format!(
                    "… and {} more lines: --anatomy full prints them all, anatomy.txt (--out) and the report hold them",
                    lines.len() - MAX_BRIEF_LINES
                ));
                lines.truncate(MAX_BRIEF_LINES);
            }
            lines
        }
    };
    if let (Some(f), true) = (filter, lines.is_empty()) {
        notes.push(format!(
            "… no line is about a service, pod, client or edge whose name contains `{f}`"
        ));
    }
    if report.summary.log_dropped > 0 {
        notes.push(format!(
            "… the event log reached its limit (limits.max_log_entries = {}): {} later events were not logged, nor narrated",
            scenario.limits.max_log_entries,
            report.summary.log_dropped
        ));
    }
    Anatomy { lines, notes }
}

/// An anatomy as text, a string a line: `t=  25.000s  words`, then the notes. Control
/// characters in names are escaped ([`crate::text::escape_controls`]).
pub fn render(anatomy: &Anatomy) -> Vec<String> {
    anatomy
        .lines
        .iter()
        .map(|l| format!("t={:>8.3}s  {}", l.t, crate::text::escape_controls(&l.text)))
        .chain(
            anatomy
                .notes
                .iter()
                .map(|n| crate::text::escape_controls(n).into_owned()),
        )
        .collect()
}

/// The whole anatomy as text (`anatomy.txt`).
pub fn narrate(scenario: &Scenario, report: &Report) -> Vec<String> {
    render(&anatomy(scenario, report, View::Full, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::log::KillReason;
    use models::policy::breaker::BreakerState;

    fn entry(t: f64, kind: LogKind) -> LogEntry {
        LogEntry { t, kind }
    }

    fn restart(pod: &str, backoff_s: f64, restarts: u32) -> LogKind {
        LogKind::RestartScheduled {
            pod: pod.into(),
            backoff_s,
            restarts,
        }
    }

    /// The brief view groups a pod's repeated change into one line, shares it between pods
    /// that did the same as often, keeps a single change as it is and leaves out start-up
    /// saturation; the full view keeps every line.
    #[test]
    fn the_brief_view_groups_repeats_and_leaves_out_startup_noise() {
        let saturated = |t, pod: &str| {
            entry(
                t,
                LogKind::Saturated {
                    pod: pod.into(),
                    busy: 5,
                    slots: 5,
                    queued: 0,
                },
            )
        };
        let log = vec![
            saturated(0.001, "upload-0"),
            entry(80.0, restart("upload-0", 0.0, 1)),
            entry(81.0, restart("upload-1", 0.0, 1)),
            entry(130.0, restart("upload-0", 10.0, 2)),
            entry(131.0, restart("upload-1", 10.0, 2)),
            entry(290.0, restart("upload-0", 40.0, 3)),
            entry(291.5, restart("upload-1", 40.0, 3)),
            entry(300.0, restart("orders-0", 0.0, 1)),
            saturated(301.0, "orders-0"),
        ];
        let all = log_entries(&log);
        assert_eq!(all.len(), log.len(), "the full view keeps every change");
        let texts: Vec<String> = brief::group(&all, &[]).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            vec![
                "upload-0 and upload-1 restarted 3 times each between 80 s and 291.5 s, back-off 0 → 40 s",
                "orders-0 restart #1 (back-off 0s)",
                "orders-0 saturated: 5/5 slots busy, 0 queued",
            ]
        );
        // A fault that starts (or ends) at 200 s splits the groups: what happened before it
        // is not told as one with what came after.
        let texts: Vec<String> = brief::group(&all, &[200.0]).into_iter().map(|l| l.text).collect();
        assert_eq!(
            texts,
            vec![
                "upload-0 and upload-1 restarted 2 times each between 80 s and 131 s, back-off 0 → 10 s",
                // Single changes 1.5 s apart: more than AT_ONCE_S, so a line each.
                "upload-0 restart #3 (back-off 40s)",
                "upload-1 restart #3 (back-off 40s)",
                "orders-0 restart #1 (back-off 0s)",
                "orders-0 saturated: 5/5 slots busy, 0 queued",
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
        let ready = |ready| LogKind::Readiness { pod: pod(), ready };
        assert_eq!(tone(&ready(false)), Tone::Warn);
        assert_eq!(tone(&ready(true)), Tone::Good);
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
            entry(
                1.0,
                LogKind::ProbeFailed {
                    pod: pod(),
                    probe: "liveness",
                    consecutive: 3,
                    threshold: 3,
                    cause: "timeout",
                },
            ),
            entry(1.0, killed),
        ];
        let lines = log_entries(&log);
        let tones: Vec<Tone> = lines.iter().map(|e| e.line.tone).collect();
        assert_eq!(tones, vec![Tone::Bad]);
        assert!(
            lines[0]
                .line
                .text
                .ends_with("→ container killed, 50 requests lost")
        );
    }
}
