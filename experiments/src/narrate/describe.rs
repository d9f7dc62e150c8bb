//! One logged change in words and tone, what the clients do from the start, and the subject
//! (pod, service, edge, client) each line is about: what `--anatomy-filter` matches and what
//! the brief view groups repeats by.

use models::config::{Caller, Load, Scenario};
use models::log::{KillReason, LogKind};
use models::policy::breaker::BreakerState;

use super::{Line, Tone};
use crate::policies::said;

/// The tone of one logged change.
pub(super) fn tone(kind: &LogKind) -> Tone {
    match kind {
        LogKind::FaultStart { .. } | LogKind::Killed { .. } | LogKind::PodDeleted { .. } => Tone::Bad,
        LogKind::Saturated { .. }
        | LogKind::ProbeFailed { .. }
        | LogKind::Readiness { ready: false, .. }
        | LogKind::EndpointsUpdated { ready: false, .. } => Tone::Warn,
        LogKind::FaultEnd { .. }
        | LogKind::Unsaturated { .. }
        | LogKind::ContainerStarted { .. }
        | LogKind::Readiness { ready: true, .. }
        | LogKind::EndpointsUpdated { ready: true, .. } => Tone::Good,
        LogKind::RestartScheduled { .. } => Tone::Info,
        LogKind::Breaker { to, .. } => match to {
            BreakerState::Open => Tone::Bad,
            BreakerState::HalfOpen => Tone::Warn,
            BreakerState::Closed => Tone::Good,
        },
        LogKind::Policy(e) => said(e).tone,
    }
}

/// One logged change in words (the pod's or edge's name first).
pub(super) fn describe(kind: &LogKind) -> String {
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
            words(*from),
            words(*to)
        ),
        LogKind::Policy(e) => said(e).text,
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
pub(super) fn kill_reason(reason: KillReason) -> &'static str {
    match reason {
        KillReason::Liveness => "liveness failed",
        KillReason::Startup => "startup probe failed",
        KillReason::Fault => "fault",
    }
}

/// What the clients do from the start, in words.
pub(super) fn client_lines(scenario: &Scenario) -> Vec<Line> {
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
                    subjects: vec![c.name.clone(), target.clone()],
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
                    subjects: vec![c.name.clone(), target.clone()],
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
                    subjects: vec![c.name.clone(), target.clone()],
                },
            }
        })
        .collect()
}

/// The names a logged change is about: its pod (and the pod's service), service, edge or owner.
pub(super) fn subjects(kind: &LogKind) -> Vec<String> {
    match kind {
        LogKind::FaultStart { service, .. } | LogKind::FaultEnd { service, .. } => vec![service.clone()],
        LogKind::Saturated { pod, .. }
        | LogKind::Unsaturated { pod, .. }
        | LogKind::ProbeFailed { pod, .. }
        | LogKind::Killed { pod, .. }
        | LogKind::RestartScheduled { pod, .. }
        | LogKind::ContainerStarted { pod }
        | LogKind::Readiness { pod, .. }
        | LogKind::PodDeleted { pod } => vec![pod.clone()],
        LogKind::EndpointsUpdated { service, pod, .. } => vec![pod.clone(), service.clone()],
        LogKind::Breaker { edge, owner, .. } => vec![edge.clone(), owner.clone()],
        LogKind::Policy(e) => said(e).subjects,
    }
}

/// What a repeated change adds to its group's line ("back-off 0 → 40 s", "250 requests lost").
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Extra {
    /// Nothing.
    None,
    /// A restart's back-off, seconds.
    Backoff(f64),
    /// Requests lost in a kill.
    Lost(u64),
    /// A probe failure's cause.
    Cause(String),
}

/// How the brief view groups a change that repeats: by its subject and what happened to it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Repeat {
    /// The pod or owner the change happened to.
    pub subject: String,
    /// What happened, after the subject: " restarted", ": breaker a→b → open".
    pub phrase: String,
    /// The detail summed or spanned over the group.
    pub extra: Extra,
}

/// The group of a change the brief view folds when it repeats; `None` for faults (each kept).
pub(super) fn repeat(kind: &LogKind) -> Option<Repeat> {
    let r = |subject: &str, phrase: String, extra| {
        Some(Repeat {
            subject: subject.to_string(),
            phrase,
            extra,
        })
    };
    match kind {
        LogKind::FaultStart { .. } | LogKind::FaultEnd { .. } => None,
        LogKind::Saturated { pod, .. } => r(pod, " saturated".into(), Extra::None),
        LogKind::Unsaturated { pod, .. } => r(pod, " had room again".into(), Extra::None),
        LogKind::ProbeFailed {
            pod, probe, cause, ..
        } => r(
            pod,
            format!(" {probe} probe failed"),
            Extra::Cause(cause.to_string()),
        ),
        LogKind::Killed { pod, reason, lost } => r(
            pod,
            format!(" container killed ({})", kill_reason(*reason)),
            Extra::Lost(u64::from(*lost)),
        ),
        LogKind::RestartScheduled { pod, backoff_s, .. } => {
            r(pod, " restarted".into(), Extra::Backoff(*backoff_s))
        }
        LogKind::ContainerStarted { pod } => r(pod, " container started".into(), Extra::None),
        LogKind::Readiness { pod, ready } => r(
            pod,
            if *ready { " ready" } else { " not ready" }.into(),
            Extra::None,
        ),
        LogKind::EndpointsUpdated {
            service, pod, ready, ..
        } => {
            let what = if *ready { "added to" } else { "removed from" };
            r(pod, format!(" {what} {service}'s endpoints"), Extra::None)
        }
        LogKind::PodDeleted { pod } => r(pod, " deleted (rescheduled elsewhere)".into(), Extra::None),
        LogKind::Breaker { edge, owner, to, .. } => {
            r(owner, format!(": breaker {edge} → {}", words(*to)), Extra::None)
        }
        LogKind::Policy(e) => {
            let (subject, phrase) = said(e).repeat;
            r(&subject, phrase, Extra::None)
        }
    }
}

/// Start-up noise: saturation, and the policies' changes their rooms call noise, in the first
/// [`STARTUP_S`] seconds, while load ramps up (left out of the brief view only).
pub(super) fn startup_noise(t: f64, kind: &LogKind) -> bool {
    t < STARTUP_S
        && match kind {
            LogKind::Saturated { .. } | LogKind::Unsaturated { .. } => true,
            LogKind::Policy(e) => said(e).startup_noise,
            _ => false,
        }
}

/// The start-up window of [`startup_noise`], seconds.
pub const STARTUP_S: f64 = 1.0;

/// A breaker state in words: `half-open` where the event log says `half_open`.
fn words(state: models::policy::breaker::BreakerState) -> String {
    state.name().replace('_', "-")
}
