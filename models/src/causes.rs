//! A client's failed requests counted by their chain of causes (see [`Cause`]): exact totals
//! by (final reason, deepest reason, deepest edge) for the summary, and per-bucket counts by
//! deepest cause for the timeline's outcome panel.
//!
//! Bounded whatever happens: the totals have at most one entry per reason, deepest reason
//! and edge; the series keep the first [`MAX_CAUSE_SERIES`] deepest causes a client sees and
//! count the rest together ("other"). Nothing is allocated per request once a cause has been
//! seen.

use std::collections::BTreeMap;

use serde::Serialize;
use sim_core::stats::CounterSeries;
use sim_core::time::{SimDuration, SimTime};

use crate::ids::EdgeIdx;
use crate::outcome::{Cause, Failure};

/// The most deepest causes a client keeps a per-bucket series of (`client.C.cause.E.REASON`
/// columns); later ones are counted in `client.C.cause.other`.
pub const MAX_CAUSE_SERIES: usize = 8;

/// The time-series columns a client can have by cause: [`MAX_CAUSE_SERIES`] and "other".
pub const CAUSE_COLUMNS: u64 = MAX_CAUSE_SERIES as u64 + 1;

/// How a client's failures are grouped: the reason it saw, and where the chain ends.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CauseKey {
    /// The client's own failure reason.
    pub reason: Failure,
    /// The failure at the bottom of the chain.
    pub deepest: Failure,
    /// The edge it happened on.
    pub edge: EdgeIdx,
}

/// A client's failures by cause.
pub struct CauseCounts {
    bucket: SimDuration,
    /// Exact totals, with the deepest hop count seen for each.
    totals: BTreeMap<CauseKey, (u64, u8)>,
    /// Per bucket, by deepest (reason, edge): the first [`MAX_CAUSE_SERIES`] seen.
    series: Vec<((Failure, EdgeIdx), CounterSeries)>,
    /// Per bucket: failures whose deepest cause has no series of its own.
    other: Option<CounterSeries>,
}

impl CauseCounts {
    /// Empty counts with time-series buckets `bucket` wide.
    pub fn new(bucket: SimDuration) -> CauseCounts {
        CauseCounts {
            bucket,
            totals: BTreeMap::new(),
            series: Vec::new(),
            other: None,
        }
    }

    /// A request failed with `reason` at `now`, for `cause`.
    pub fn record(&mut self, now: SimTime, reason: Failure, cause: Cause) {
        let key = CauseKey {
            reason,
            deepest: cause.reason,
            edge: cause.edge,
        };
        let total = self.totals.entry(key).or_insert((0, 0));
        total.0 += 1;
        total.1 = total.1.max(cause.depth);
        let deepest = (cause.reason, cause.edge);
        if let Some((_, s)) = self.series.iter_mut().find(|(k, _)| *k == deepest) {
            s.add(now, 1);
        } else if self.series.len() < MAX_CAUSE_SERIES {
            let mut s = CounterSeries::new(self.bucket);
            s.add(now, 1);
            self.series.push((deepest, s));
        } else {
            let bucket = self.bucket;
            self.other
                .get_or_insert_with(|| CounterSeries::new(bucket))
                .add(now, 1);
        }
    }

    /// Failures counted, over every cause.
    pub fn failed(&self) -> u64 {
        self.totals.values().map(|&(n, _)| n).sum()
    }

    /// The totals, most frequent first (ties in key order): `(key, count, deepest depth)`.
    pub fn totals(&self) -> Vec<(CauseKey, u64, u8)> {
        let mut all: Vec<_> = self.totals.iter().map(|(k, &(n, d))| (*k, n, d)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all
    }

    /// The per-bucket series by deepest cause, in the order first seen, then "other" (`None`)
    /// if anything went there.
    pub fn series(&self) -> impl Iterator<Item = (Option<(Failure, EdgeIdx)>, &CounterSeries)> {
        let named = self.series.iter().map(|(k, s)| (Some(*k), s));
        named.chain(self.other.iter().map(|s| (None, s)))
    }
}

/// The deepest cause in words: `connect_timeout at upload→classification`.
pub fn deepest_label(deepest: Failure, edge: &str) -> String {
    format!("{} at {edge}", deepest.name())
}

/// The chain of a client's failure in words: the reason it saw, then where the chain ends
/// (`error_response ← connect_timeout at upload→classification`); a failure that is its own
/// cause is just that (`breaker_open at users→api`). The hops between the two ends all
/// answered `error_response`.
pub fn chain(reason: Failure, deepest: Failure, edge: &str, depth: u8) -> String {
    if depth == 0 {
        deepest_label(deepest, edge)
    } else {
        format!("{} ← {}", reason.name(), deepest_label(deepest, edge))
    }
}

/// One line of `clients[].failed_by_cause` in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CauseCount {
    /// The chain in words ([`chain`]).
    pub chain: String,
    /// The client's failure reason.
    pub reason: &'static str,
    /// The failure at the bottom of the chain.
    pub deepest_reason: &'static str,
    /// The edge it happened on.
    pub deepest_edge: String,
    /// The most hops it travelled up as `error_response` answers (0: the client's own).
    pub depth: u8,
    /// Failed requests.
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Refusal;

    fn at(reason: Failure, edge: u32, depth: u8) -> Cause {
        Cause {
            reason,
            edge: EdgeIdx(edge),
            depth,
        }
    }

    #[test]
    fn an_error_answer_passes_its_cause_one_hop_up_and_anything_else_is_its_own() {
        let below = at(Failure::ConnectTimeout, 2, 0);
        let e = EdgeIdx(1);
        assert_eq!(
            Cause::of(Failure::ErrorResponse, e, Some(below)),
            at(Failure::ConnectTimeout, 2, 1)
        );
        assert_eq!(
            Cause::of(Failure::ErrorResponse, e, None),
            at(Failure::ErrorResponse, 1, 0)
        );
        // A timeout above a failing callee knows nothing of it.
        assert_eq!(
            Cause::of(Failure::ReadTimeout, e, Some(below)),
            at(Failure::ReadTimeout, 1, 0)
        );
    }

    #[test]
    fn causes_past_the_series_limit_are_counted_together_and_totals_stay_exact() {
        let mut c = CauseCounts::new(SimDuration::from_secs(1));
        let n = MAX_CAUSE_SERIES as u32 + 3;
        for edge in 0..n {
            for _ in 0..=edge {
                c.record(
                    SimTime::from_secs(u64::from(edge)),
                    Failure::ErrorResponse,
                    at(Failure::Reset, edge, 1),
                );
            }
        }
        let series: Vec<_> = c.series().collect();
        assert_eq!(series.len(), MAX_CAUSE_SERIES + 1);
        assert_eq!(series.last().map(|s| s.0), Some(None));
        let end = SimTime::from_secs(u64::from(n));
        let in_series: u64 = series
            .iter()
            .map(|(_, s)| s.counts(end).iter().sum::<u64>())
            .sum();
        assert_eq!(in_series, c.failed());
        let totals = c.totals();
        assert_eq!(totals.len(), n as usize);
        // Most frequent first: the last edge was counted most often.
        assert_eq!((totals[0].0.edge, totals[0].1), (EdgeIdx(n - 1), u64::from(n)));
    }

    #[test]
    fn a_chain_names_both_ends() {
        assert_eq!(
            chain(Failure::ErrorResponse, Failure::ConnectTimeout, "b→c", 2),
            "error_response ← connect_timeout at b→c"
        );
        assert_eq!(
            chain(
                Failure::Refused(Refusal::Breaker),
                Failure::Refused(Refusal::Breaker),
                "users→api",
                0
            ),
            "breaker_open at users→api"
        );
    }
}
