//! The brief view: start-up noise left out, and a change that repeats for one pod or owner
//! told once, as a group ("upload-1 restarted 4 times between 80 s and 290 s, back-off 0 →
//! 40 s"). Pods whose groups say the same thing the same number of times share one line
//! ("upload-0 and upload-1 restarted 4 times each ..."), as do pods that changed the same way
//! once, within a second of each other ("classification-0, classification-1 and
//! classification-2 not ready"). A lone change keeps its own line. Each group's line stands at
//! its first change's time. Groups stop at the faults' starts and ends.

use std::collections::{BTreeMap, BTreeSet};

use super::describe::Extra;
use super::{Entry, Line};

/// The names of a group's subjects: "a", "a and b", "a, b, c and d", "a, b, c and 2 more".
fn names(subjects: &[&str]) -> String {
    match subjects {
        [] => String::new(),
        [one] => (*one).to_string(),
        [head @ .., last] if subjects.len() <= 4 => format!("{} and {last}", head.join(", ")),
        _ => format!("{} and {} more", subjects[..3].join(", "), subjects.len() - 3),
    }
}

/// Seconds for a group's line: one decimal, a whole number without it ("80 s", "79.9 s").
pub(super) fn secs(x: f64) -> String {
    let s = format!("{x:.1}");
    format!("{} s", s.strip_suffix(".0").unwrap_or(&s))
}

/// What the group's extras add up to: the back-off's range, the requests lost, the causes.
fn extras(members: &[&Entry]) -> String {
    let mut backoff: Option<(f64, f64)> = None;
    let mut lost = None;
    let mut causes: Vec<&str> = Vec::new();
    for e in members {
        match e.repeat.as_ref().map(|r| &r.extra) {
            Some(Extra::Backoff(b)) => {
                let (lo, hi) = backoff.unwrap_or((*b, *b));
                backoff = Some((lo.min(*b), hi.max(*b)));
            }
            Some(Extra::Lost(n)) => lost = Some(lost.unwrap_or(0) + n),
            Some(Extra::Cause(c)) if !causes.contains(&c.as_str()) => causes.push(c),
            _ => {}
        }
    }
    match (backoff, lost) {
        (Some((lo, hi)), _) if lo == hi => format!(", back-off {lo} s"),
        (Some((lo, hi)), _) => format!(", back-off {lo} → {hi} s"),
        (None, Some(n)) => format!(", {n} requests lost"),
        (None, None) if !causes.is_empty() => format!(" ({})", causes.join(", ")),
        _ => String::new(),
    }
}

/// The one line of a group: `members` are its entries, in time order.
fn group_line(subjects: &[&str], phrase: &str, count: usize, members: &[&Entry]) -> Line {
    let first = members[0];
    let last = members[members.len() - 1];
    let each = if subjects.len() > 1 { " each" } else { "" };
    let mut all: Vec<String> = Vec::new();
    for e in members {
        for s in &e.line.subjects {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
    }
    let text = if count == 1 {
        format!("{}{phrase}{}", names(subjects), extras(members))
    } else {
        format!(
            "{}{phrase} {count} times{each} between {} and {}{}",
            names(subjects),
            secs(first.line.t),
            secs(last.line.t),
            extras(members)
        )
    };
    Line {
        t: first.line.t,
        text,
        tone: first.line.tone,
        subjects: all,
    }
}

/// A subject and the indices of its changes of one kind.
type Subject<'a> = (&'a str, Vec<usize>);

/// The subjects that share a line: all of them for a change repeated (`count` ≥ 2); for a
/// change that happened once, those within [`AT_ONCE_S`] of the first of them, in runs of two
/// or more (a lone change keeps its own line).
fn clusters(groups: Vec<Subject<'_>>, count: usize, time: impl Fn(usize) -> f64) -> Vec<Vec<Subject<'_>>> {
    if count >= 2 {
        return vec![groups];
    }
    let mut out: Vec<Vec<Subject<'_>>> = Vec::new();
    for g in groups {
        match out.last_mut() {
            Some(c) if time(g.1[0]) - time(c[0].1[0]) <= AT_ONCE_S => c.push(g),
            _ => out.push(vec![g]),
        }
    }
    out.retain(|c| c.len() >= 2);
    out
}

/// Single changes of one kind to several subjects within this many seconds share a line.
pub const AT_ONCE_S: f64 = 1.0;

/// The brief view of `entries` (in time order). Repeats are grouped only between two
/// consecutive `boundaries` (seconds, sorted: the faults' starts and ends), so a group never
/// joins what happened before a fault to what it caused.
pub(super) fn group(entries: &[Entry], boundaries: &[f64]) -> Vec<Line> {
    let kept: Vec<&Entry> = entries.iter().filter(|e| !e.noise).collect();
    let epoch = |t: f64| boundaries.partition_point(|&b| b <= t);
    // Each subject's changes of one kind between two boundaries, in time order.
    let mut by_subject: BTreeMap<(&str, usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, e) in kept.iter().enumerate() {
        if let Some(r) = &e.repeat {
            by_subject
                .entry((&r.phrase, epoch(e.line.t), &r.subject))
                .or_default()
                .push(i);
        }
    }
    // Subjects with the same change the same number of times share a line ([`clusters`]).
    let mut shared: BTreeMap<(&str, usize, usize), Vec<Subject<'_>>> = BTreeMap::new();
    for ((phrase, epoch, subject), idx) in by_subject {
        shared
            .entry((phrase, epoch, idx.len()))
            .or_default()
            .push((subject, idx));
    }
    let mut leaders: BTreeMap<usize, Line> = BTreeMap::new();
    let mut grouped: BTreeSet<usize> = BTreeSet::new();
    for ((phrase, _, count), mut groups) in shared {
        groups.sort_by_key(|(_, idx)| idx[0]);
        for cluster in clusters(groups, count, |i| kept[i].line.t) {
            let subjects: Vec<&str> = cluster.iter().map(|(s, _)| *s).collect();
            let mut members: Vec<usize> = cluster.iter().flat_map(|(_, idx)| idx.iter().copied()).collect();
            members.sort_unstable();
            let entries: Vec<&Entry> = members.iter().map(|&i| kept[i]).collect();
            leaders.insert(members[0], group_line(&subjects, phrase, count, &entries));
            grouped.extend(members);
        }
    }
    kept.iter()
        .enumerate()
        .filter_map(|(i, e)| match leaders.remove(&i) {
            Some(line) => Some(line),
            None if grouped.contains(&i) => None,
            None => Some(e.line.clone()),
        })
        .collect()
}
