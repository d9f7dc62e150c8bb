//! thundering-herd: the lesson's naive fixed 1 s retry keeps a cold, restarted service down for
//! good; a growing backoff (jittered or not) lets it recover within seconds. Every backoff has the same patience (the
//! policy's 60 s deadline covers all attempts), so the comparison is about contention at the
//! restarted service, not about how long clients are willing to wait. Which backoff keeps its
//! retries in step is read two ways: the waves the anatomy tells ([`wave_runs`]), and how
//! unevenly the retries fall over the restart window ([`HerdFigures::retry_bunching_cv`]),
//! which needs no threshold and so does not hinge on where a bucket boundary falls.

use super::{peak_rate, recovery_s, run_builtin};
use crate::narrate::patterns::wave_runs;

/// The restart fault starts (the pods go down) at this time, in seconds.
pub const RESTART_S: f64 = 30.0;

/// The restart fault ends (the pods start again) at this time, in seconds.
pub const FAULT_END_S: f64 = 60.0;

/// What one run of the herd with one backoff shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HerdFigures {
    /// The backoff (`policies.retry.retry.backoff`).
    pub backoff: String,
    /// The seed.
    pub seed: u64,
    /// Seconds after the restart until the workers' goodput is back to 90% of its level
    /// before the fault (10 s average); `None`: not by the end of the run.
    pub recovery_s: Option<f64>,
    /// The highest arrival rate at classification after the restart, per second (one bucket).
    pub peak_arrivals_per_s: f64,
    /// Requests classification rejected with a full accept queue.
    pub rejected: u64,
    /// Attempts per call on the workers' edge.
    pub amplification: f64,
    /// Slot-seconds classification spent on requests whose worker had already given up.
    pub wasted_work_s: f64,
    /// That work's share of all of classification's busy slot time.
    pub wasted_share: f64,
    /// Synchronized retry waves on the workers' edge from the restart on, as the anatomy tells
    /// them (in runs of at least three, at most 10 s apart).
    pub waves: usize,
    /// The times of those waves, in seconds (a wave's bucket start).
    pub wave_times_s: Vec<f64>,
    /// The most retries in one wave's bucket; 0 without waves.
    pub largest_wave: f64,
    /// How bunched the workers' retries are while the service is down: the coefficient of
    /// variation (population standard deviation over mean; dimensionless) of the retries per
    /// time-series bucket (0.5 s) on the workers' edge over the restart window,
    /// [`RESTART_S`] ≤ t < [`FAULT_END_S`]. 0 for retries at an even rate; it grows as they come
    /// in bursts with quiet buckets between. 0 without retries in the window.
    pub retry_bunching_cv: f64,
    /// The most retries in one bucket on the workers' edge from the restart on, whether or not
    /// the anatomy tells it as a wave.
    pub largest_bucket: f64,
}

/// Runs the herd with `backoff` and `seed` and reads its figures.
pub fn herd(backoff: &str, seed: u64) -> HerdFigures {
    herd_variant(backoff, seed, &[])
}

/// Runs the herd with `backoff`, `seed` and further `overrides` (a redesign of the scenario,
/// e.g. a colder restart) and reads its figures.
pub fn herd_variant(backoff: &str, seed: u64, overrides: &[&str]) -> HerdFigures {
    let mut all = vec![format!("policies.retry.retry.backoff={backoff}")];
    all.extend(overrides.iter().map(|o| o.to_string()));
    let f = run_builtin("thundering-herd", seed, &all);
    let r = &f.output.report;
    let retries = r
        .series
        .num("edge.workers→classification.retries")
        .expect("the workers' retries");
    let b = r.series.bucket_s;
    let first = (RESTART_S / b) as usize;
    let n = retries.len();
    let after = &retries[first.min(n)..];
    let window = &retries[first.min(n)..((FAULT_END_S / b) as usize).min(n)];
    let waves: Vec<usize> = wave_runs(retries, b)
        .into_iter()
        .flatten()
        .filter(|&i| i >= first)
        .collect();
    let svc = super::service(r, "classification");
    let edge = &r.summary.edges[0];
    HerdFigures {
        backoff: backoff.to_string(),
        seed,
        recovery_s: recovery_s(r, "workers", (15.0, 30.0), FAULT_END_S, 10.0),
        peak_arrivals_per_s: peak_rate(r, "service.classification.arrivals", FAULT_END_S),
        rejected: svc.counts.rejected,
        amplification: edge.amplification(),
        wasted_work_s: svc.wasted_work_s,
        wasted_share: svc.wasted_share,
        waves: waves.len(),
        wave_times_s: waves.iter().map(|&i| i as f64 * b).collect(),
        largest_wave: waves.iter().map(|&i| retries[i]).fold(0.0, f64::max),
        retry_bunching_cv: coefficient_of_variation(window),
        largest_bucket: after.iter().copied().fold(0.0, f64::max),
    }
}

/// Population standard deviation over mean of `xs`; 0 if empty or the mean is 0.
fn coefficient_of_variation(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if mean == 0.0 {
        return 0.0;
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    var.sqrt() / mean
}
