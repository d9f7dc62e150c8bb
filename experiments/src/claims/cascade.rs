//! cascade-protected: the lesson's `ProductionClassifierClient` (its whole policy chain in the
//! lesson's order and a degraded "pending" answer, as catalog/cascade-protected.toml spells it
//! out) and dedicated probes keep upload alive where the naive client (`cascade`) lets
//! liveness kill it, at no cost on the healthy path. From the
//! breakers' first opening to the end of the fault the time splits into their open periods and
//! their half-open trials; the figures measure goodput in each, so that the claim can say where
//! goodput goes (and, for the lesson's admit-all half-open, where it is lost).

use models::log::LogKind;
use models::policy::breaker::BreakerState;
use models::report::Report;

use super::{mean_rate, run_builtin};

/// The classification fault starts at this time, in seconds.
pub const FAULT_START_S: f64 = 30.0;

/// Without a breaker (`cascade`), the window "after the breaker opened" starts here, in
/// seconds (the protected client's breakers have opened by then).
pub const AFTER_S: f64 = 60.0;

/// What one run of the cascade or its protected twin shows, for the uploaders.
#[derive(Clone, Debug, PartialEq)]
pub struct CascadeFigures {
    /// The builtin.
    pub name: String,
    /// The seed.
    pub seed: u64,
    /// Goodput (ok + degraded per second) before the fault, 10–30 s.
    pub before: f64,
    /// Ok answers alone per second before the fault, 10–30 s (the healthy path's real labels).
    pub ok_before: f64,
    /// Goodput from the 1 s bucket in which the first breaker opened (from [`AFTER_S`] if none
    /// did) to the end of the run, which is the end of the fault (it has no end time).
    pub after: f64,
    /// Goodput over the buckets of that span in which some breaker is open and none
    /// half-open; 0 if there are none.
    pub open_goodput: f64,
    /// Goodput over the buckets of that span in which some breaker is half-open (a trial); 0
    /// if there are none.
    pub trial_goodput: f64,
    /// The share of that span during which some breaker is half-open.
    pub trial_share: f64,
    /// Containers killed.
    pub kills: usize,
    /// When the first breaker opened, seconds; `None`: never.
    pub breaker_open_s: Option<f64>,
    /// Degraded answers at the client.
    pub degraded: u64,
}

/// Runs builtin `name` (`cascade` or `cascade-protected`) with `seed` and `overrides`.
pub fn cascade(name: &str, seed: u64, overrides: &[String]) -> CascadeFigures {
    let f = run_builtin(name, seed, overrides);
    let r = &f.output.report;
    let good = |from: f64, to: f64| {
        mean_rate(r, "client.uploaders.ok", from, to) + mean_rate(r, "client.uploaders.degraded", from, to)
    };
    let opened = first_open(r);
    let from = opened.unwrap_or(AFTER_S);
    let split = BreakerSplit::of(r, from);
    CascadeFigures {
        name: name.to_string(),
        seed,
        before: good(10.0, FAULT_START_S),
        ok_before: mean_rate(r, "client.uploaders.ok", 10.0, FAULT_START_S),
        after: good(from, r.summary.duration_s),
        open_goodput: split.open,
        trial_goodput: split.trial,
        trial_share: split.trial_share,
        kills: kills(r),
        breaker_open_s: opened,
        degraded: r.summary.clients[0].degraded,
    }
}

/// The uploaders' goodput from the bucket holding `from` seconds, split by the state of
/// upload's breakers on the classification edge (the series' mean number of breakers open or
/// half-open per bucket).
struct BreakerSplit {
    open: f64,
    trial: f64,
    trial_share: f64,
}

impl BreakerSplit {
    fn of(r: &Report, from: f64) -> BreakerSplit {
        let col = |c: &str| r.series.num(c).unwrap_or_else(|| panic!("no column {c}"));
        let (ok, degraded) = (col("client.uploaders.ok"), col("client.uploaders.degraded"));
        // `cascade` has no breaker: its breaker columns are all zero.
        let open = col("edge.upload→classification.breakers_open");
        let half = col("edge.upload→classification.breakers_half_open");
        let b = r.series.bucket_s;
        let first = (from / b) as usize;
        let (mut o, mut t) = ((0.0, 0usize), (0.0, 0usize));
        for i in first..ok.len() {
            let g = ok[i] + degraded[i];
            if half[i] > 0.0 {
                t = (t.0 + g, t.1 + 1);
            } else if open[i] > 0.0 {
                o = (o.0 + g, o.1 + 1);
            }
        }
        let rate = |(sum, n): (f64, usize)| if n == 0 { 0.0 } else { sum / (n as f64 * b) };
        BreakerSplit {
            open: rate(o),
            trial: rate(t),
            trial_share: t.1 as f64 / (ok.len() - first) as f64,
        }
    }
}

fn kills(r: &Report) -> usize {
    r.log
        .iter()
        .filter(|e| matches!(e.kind, LogKind::Killed { .. }))
        .count()
}

fn first_open(r: &Report) -> Option<f64> {
    r.log.iter().find_map(|e| match e.kind {
        LogKind::Breaker {
            to: BreakerState::Open,
            ..
        } => Some(e.t),
        _ => None,
    })
}
