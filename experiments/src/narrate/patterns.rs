//! Patterns read off a run's time series and summary, each told as one line per episode:
//! synchronized retry waves, retry storms, full accept queues, wasted work and deadline drops.
//! Detection is a pure function of the report (deterministic), with the thresholds below; they
//! are documented in docs/outputs.md (The anatomy).

use std::ops::Range;

use models::report::Report;

use super::brief::secs;
use super::{Line, Tone};

/// A retry wave: a bucket with at least this many retries on an edge...
pub const WAVE_MIN_RETRIES: f64 = 50.0;
/// ... at least this many times the retries of the quieter of its neighbouring buckets, and
/// no fewer than either neighbour's: the retries come in step, not spread out.
pub const WAVE_CONTRAST: f64 = 2.0;
/// Waves at most this many seconds apart are one episode...
pub const WAVE_GAP_S: f64 = 10.0;
/// ... told if it has at least this many waves.
pub const MIN_WAVES: usize = 3;
/// A retry storm: buckets where an edge's retries are at least its first attempts (two or
/// more attempts per call)...
pub const STORM_AMPLIFICATION: f64 = 2.0;
/// ... and at least this many retries a second...
pub const STORM_MIN_RATE: f64 = 10.0;
/// ... for at least this many seconds.
pub const STORM_MIN_S: f64 = 10.0;
/// Full accept queues: buckets where a service rejected requests (503) for at least this many
/// seconds...
pub const QUEUE_MIN_S: f64 = 5.0;
/// ... at least this many a second on average over the episode.
pub const QUEUE_MIN_RATE: f64 = 5.0;
/// Wasted work: buckets where abandoned requests held at least this share of a service's
/// slots (time-averaged)...
pub const WASTE_MIN_SHARE: f64 = 0.10;
/// ... for at least this many seconds.
pub const WASTE_MIN_S: f64 = 5.0;
/// Episodes of storms, full queues and wasted work are joined across gaps of at most this many
/// buckets.
pub const GAP_BUCKETS: usize = 2;

/// Runs of buckets where `hot` holds, joined across gaps of at most [`GAP_BUCKETS`], kept if
/// at least `min_len` buckets long.
fn episodes(n: usize, min_len: usize, hot: impl Fn(usize) -> bool) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for i in (0..n).filter(|&i| hot(i)) {
        match out.last_mut() {
            Some(r) if i - r.end <= GAP_BUCKETS => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out.retain(|r| r.len() >= min_len.max(1));
    out
}

/// Buckets in `secs` seconds of buckets `bucket_s` wide, at least one.
fn buckets_in(secs: f64, bucket_s: f64) -> usize {
    ((secs / bucket_s).ceil() as usize).max(1)
}

/// The end of an episode in words: its last bucket's end, or "the end of the run".
fn until(r: &Range<usize>, n: usize, bucket_s: f64) -> String {
    if r.end == n {
        "the end of the run".to_string()
    } else {
        secs(r.end as f64 * bucket_s)
    }
}

/// Every pattern's lines.
pub fn lines(report: &Report) -> Vec<Line> {
    let mut out = Vec::new();
    for e in &report.summary.edges {
        out.extend(retry_waves(report, &e.name, &e.caller, &e.callee));
        out.extend(retry_storms(report, &e.name, &e.caller, &e.callee));
    }
    for s in &report.summary.services {
        out.extend(full_queues(report, &s.name));
        out.extend(wasted_work(report, &s.name));
    }
    out.extend(deadline_drops(report));
    out
}

/// A line about an edge.
fn edge_line(t: f64, text: String, tone: Tone, edge: &str, caller: &str, callee: &str) -> Line {
    Line {
        t,
        text,
        tone,
        subjects: vec![edge.to_string(), caller.to_string(), callee.to_string()],
    }
}

/// Synchronized retry waves on an edge: local peaks of its retries per bucket, at least
/// [`WAVE_MIN_RETRIES`] and [`WAVE_CONTRAST`] times the quieter neighbour; waves at most
/// [`WAVE_GAP_S`] apart make one line.
pub fn retry_waves(report: &Report, edge: &str, caller: &str, callee: &str) -> Vec<Line> {
    let Some(r) = report.series.num(&format!("edge.{edge}.retries")) else {
        return Vec::new();
    };
    let b = report.series.bucket_s;
    wave_runs(r, b)
        .into_iter()
        .map(|run| {
            let (first, last) = (run[0], run[run.len() - 1]);
            let top = run.iter().copied().max_by(|&x, &y| r[x].total_cmp(&r[y])).unwrap_or(first);
            let every = (last - first) as f64 * b / (run.len() - 1) as f64;
            let text = format!(
                "{edge}: {} synchronized retry waves between {} and {}, one every {}: up to {} retries within {} (against {} in the {} after)",
                run.len(),
                secs(first as f64 * b),
                secs((last + 1) as f64 * b),
                secs(every),
                r[top],
                secs(b),
                r[top + 1],
                secs(b),
            );
            edge_line(first as f64 * b, text, Tone::Bad, edge, caller, callee)
        })
        .collect()
}

/// The buckets of synchronized retry waves in `r` (retries per bucket of `b` seconds), in runs
/// of at least [`MIN_WAVES`] waves at most [`WAVE_GAP_S`] apart (the claims count them too).
pub fn wave_runs(r: &[f64], b: f64) -> Vec<Vec<usize>> {
    let peaks = (1..r.len().saturating_sub(1)).filter(|&i| {
        let low = r[i - 1].min(r[i + 1]);
        r[i] >= WAVE_MIN_RETRIES && r[i] >= r[i - 1] && r[i] > r[i + 1] && r[i] >= WAVE_CONTRAST * low
    });
    let gap = buckets_in(WAVE_GAP_S, b);
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for p in peaks {
        match runs.last_mut() {
            Some(run) if p - run[run.len() - 1] <= gap => run.push(p),
            _ => runs.push(vec![p]),
        }
    }
    runs.retain(|run| run.len() >= MIN_WAVES);
    runs
}

/// Retry storms on an edge: at least [`STORM_MIN_S`] seconds of buckets with
/// [`STORM_AMPLIFICATION`] attempts per call or more and [`STORM_MIN_RATE`] retries a second.
pub fn retry_storms(report: &Report, edge: &str, caller: &str, callee: &str) -> Vec<Line> {
    let s = &report.series;
    let (Some(calls), Some(retries)) = (
        s.num(&format!("edge.{edge}.calls")),
        s.num(&format!("edge.{edge}.retries")),
    ) else {
        return Vec::new();
    };
    let b = s.bucket_s;
    let hot =
        |i: usize| retries[i] >= (STORM_AMPLIFICATION - 1.0) * calls[i] && retries[i] >= STORM_MIN_RATE * b;
    episodes(retries.len(), buckets_in(STORM_MIN_S, b), hot)
        .into_iter()
        .map(|r| {
            let c: f64 = calls[r.clone()].iter().sum();
            let n: f64 = retries[r.clone()].iter().sum();
            let peak = retries[r.clone()].iter().fold(0.0_f64, |a, &x| a.max(x)) / b;
            let text = format!(
                "{edge}: retry storm from {} to {}: {n} retries on {c} calls ({:.1} attempts per call), up to {:.0} retries a second",
                secs(r.start as f64 * b),
                until(&r, retries.len(), b),
                (c + n) / c.max(1.0),
                peak
            );
            edge_line(r.start as f64 * b, text, Tone::Bad, edge, caller, callee)
        })
        .collect()
}

/// Full accept queues: at least [`QUEUE_MIN_S`] seconds of buckets in which a service
/// rejected requests (503), [`QUEUE_MIN_RATE`] a second or more.
pub fn full_queues(report: &Report, service: &str) -> Vec<Line> {
    let Some(rej) = report.series.num(&format!("service.{service}.rejected")) else {
        return Vec::new();
    };
    let b = report.series.bucket_s;
    episodes(rej.len(), buckets_in(QUEUE_MIN_S, b), |i| rej[i] > 0.0)
        .into_iter()
        .filter(|r| rej[r.clone()].iter().sum::<f64>() >= QUEUE_MIN_RATE * r.len() as f64 * b)
        .map(|r| {
            let n: f64 = rej[r.clone()].iter().sum();
            Line {
                t: r.start as f64 * b,
                text: format!(
                    "{service}'s accept queues full from {} to {}: {n} requests rejected (503)",
                    secs(r.start as f64 * b),
                    until(&r, rej.len(), b)
                ),
                tone: Tone::Bad,
                subjects: vec![service.to_string()],
            }
        })
        .collect()
}

/// Wasted work: at least [`WASTE_MIN_S`] seconds of buckets in which requests nobody waited
/// for held [`WASTE_MIN_SHARE`] of a service's slots or more.
pub fn wasted_work(report: &Report, service: &str) -> Vec<Line> {
    let s = &report.series;
    let (Some(w), Some(cap)) = (
        s.num(&format!("service.{service}.wasted_work_s")),
        s.num(&format!("service.{service}.capacity")),
    ) else {
        return Vec::new();
    };
    let b = s.bucket_s;
    let hot = |i: usize| w[i] / b >= 1.0 && w[i] / b >= WASTE_MIN_SHARE * cap[i];
    episodes(w.len(), buckets_in(WASTE_MIN_S, b), hot)
        .into_iter()
        .map(|r| {
            let total: f64 = w[r.clone()].iter().sum();
            let top = r.clone().max_by(|&x, &y| w[x].total_cmp(&w[y])).unwrap_or(r.start);
            Line {
                t: r.start as f64 * b,
                text: format!(
                    "{service} wasted work from {} to {}: {total:.0} slot-seconds on requests nobody waited for, up to {:.0} of {:.0} slots (at {})",
                    secs(r.start as f64 * b),
                    until(&r, w.len(), b),
                    w[top] / b,
                    cap[top],
                    secs(top as f64 * b)
                ),
                tone: Tone::Warn,
                subjects: vec![service.to_string()],
            }
        })
        .collect()
}

/// Deadline drops over the run, from the summary (the series does not count them by bucket):
/// requests a service dropped unprocessed past their deadline, calls that failed on theirs.
pub fn deadline_drops(report: &Report) -> Vec<Line> {
    let at = report.summary.stop.at_s;
    let services = report
        .summary
        .services
        .iter()
        .filter(|s| s.counts.dropped_deadline > 0)
        .map(|s| Line {
            t: at,
            text: format!(
                "over the run, {} dropped {} requests unprocessed past their deadline",
                s.name, s.counts.dropped_deadline
            ),
            tone: Tone::Warn,
            subjects: vec![s.name.clone()],
        });
    let edges = report
        .summary
        .edges
        .iter()
        .filter(|e| e.deadline_exceeded() > 0)
        .map(|e| {
            let text = format!(
                "over the run, {} of {} calls on {} failed because their deadline was spent",
                e.deadline_exceeded(),
                e.counts.calls,
                e.name
            );
            edge_line(at, text, Tone::Bad, &e.name, &e.caller, &e.callee)
        });
    services.chain(edges).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Retries in step (a high bucket, a low one) are waves; the same retries spread evenly, or
    /// too few of them, or fewer than three waves, are not.
    #[test]
    fn waves_are_retries_in_step() {
        let in_step: Vec<f64> = (0..20).map(|i| if i % 2 == 1 { 400.0 } else { 60.0 }).collect();
        let runs = wave_runs(&in_step, 0.5);
        assert_eq!(runs, vec![(1..19).step_by(2).collect::<Vec<usize>>()]);
        let spread = vec![230.0; 20];
        assert!(wave_runs(&spread, 0.5).is_empty());
        let few: Vec<f64> = in_step.iter().map(|r| r / 10.0).collect();
        assert!(
            wave_runs(&few, 0.5).is_empty(),
            "under {WAVE_MIN_RETRIES} retries a bucket"
        );
        let two = [0.0, 400.0, 60.0, 400.0, 60.0, 60.0];
        assert!(wave_runs(&two, 0.5).is_empty(), "fewer than {MIN_WAVES} waves");
        // Waves more than WAVE_GAP_S apart are two episodes.
        let mut apart = in_step.clone();
        apart.extend(vec![60.0; 30]);
        apart.extend(in_step.iter().copied());
        assert_eq!(wave_runs(&apart, 0.5).len(), 2);
    }

    /// Episodes join gaps of at most GAP_BUCKETS and drop runs shorter than asked.
    #[test]
    fn episodes_join_short_gaps() {
        let hot = [1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
        let runs = episodes(hot.len(), 3, |i| hot[i] == 1);
        assert_eq!(runs, vec![0..5, 8..12]);
        assert_eq!(episodes(hot.len(), 6, |i| hot[i] == 1), vec![]);
    }
}
