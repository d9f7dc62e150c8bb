//! The world's side of a retry budget (`crate::policy::budget`): every call is a request for
//! it, every retry asks it for a grant that ends with its try, attempts' results feed it, and
//! the sites' levels sum into the edge's gauge.

use sim_core::time::SimTime;

use crate::policy::{PolicyGauge, Refusal};
use crate::slab::Key;
use crate::world::World;

impl World {
    /// A call starts at `site`: the budget counts the request.
    pub(in crate::world) fn budget_on_call(&mut self, site: u32, now: SimTime) {
        let s = &mut self.sites[site as usize];
        if let Some(budget) = &mut s.budget {
            budget.on_request(now);
            self.note_budget(site, now);
        }
    }

    /// Asks the budget of `site` for a retry; refused retries are counted on the edge.
    pub(in crate::world) fn budget_grants_retry(&mut self, site: u32, now: SimTime) -> bool {
        let s = &mut self.sites[site as usize];
        let active = s.active_calls;
        if let Some(budget) = &mut s.budget {
            let granted = budget.try_retry(now, active);
            self.note_budget(site, now);
            if !granted {
                let edge = self.sites[site as usize].edge;
                self.edges[edge.idx()].metrics.on_rejection(Refusal::Budget, now);
                return false;
            }
        }
        true
    }

    /// An attempt's result, for budgets that count them (gRPC A6: successes and retryable
    /// failures only; the caller decides which).
    pub(in crate::world) fn budget_on_attempt(&mut self, site: u32, success: bool, now: SimTime) {
        if let Some(budget) = &mut self.sites[site as usize].budget {
            budget.on_attempt_result(now, success);
            self.note_budget(site, now);
        }
    }

    /// Ends a granted retry (its try is over, or it will not run because the call ended).
    pub(in crate::world) fn release_retry_grant(&mut self, call: Key, now: SimTime) {
        let c = self.calls.get_mut(call).expect("live call");
        if std::mem::take(&mut c.retry_granted) {
            let site = c.site as usize;
            if let Some(budget) = &mut self.sites[site].budget {
                budget.on_retry_finished(now);
                self.note_budget(site as u32, now);
            }
        }
    }

    /// Reports a site's retry budget level change to its edge's gauge.
    pub(in crate::world) fn note_budget(&mut self, site: u32, now: SimTime) {
        let s = &mut self.sites[site as usize];
        let Some(budget) = &s.budget else { return };
        let level = (budget.level(now, s.active_calls).max(0.0) * 1000.0).round() as u64;
        let old = std::mem::replace(&mut s.budget_reported, level);
        if old != level {
            let edge = s.edge;
            let series = &mut self.edges[edge.idx()].metrics.series_policy[PolicyGauge::BudgetLevel.index()];
            // `old` is this site's share of the sum, so the subtraction cannot underflow.
            let v = series.value() + level - old;
            series.set(now, v);
        }
    }
}
