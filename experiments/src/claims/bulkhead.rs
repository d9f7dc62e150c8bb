//! bulkhead: with a bulkhead on the slow classification call, storage keeps its share of the
//! upload pods' shared connection pool and no upload fails; without it, slow classification
//! calls hold every connection and storage calls time out waiting for one.

use super::run_builtin;

/// What one run of `bulkhead` shows.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkheadFigures {
    /// The seed.
    pub seed: u64,
    /// Share of `upload→storage` calls that failed.
    pub storage_failed_share: f64,
    /// Calls on `upload→storage` that failed.
    pub storage_failed: u64,
    /// Of those, failed waiting for a pool connection (`pool_timeout`).
    pub storage_pool_timeouts: u64,
    /// Share of uploads that failed at the client.
    pub uploads_failed_share: f64,
    /// Share of uploads answered degraded ("pending" label).
    pub uploads_degraded_share: f64,
}

/// Runs `bulkhead` with `seed` and `overrides`.
pub fn bulkhead(seed: u64, overrides: &[&str]) -> BulkheadFigures {
    let f = run_builtin("bulkhead", seed, overrides);
    let r = &f.output.report;
    let storage = super::edge(r, "upload→storage");
    let c = &r.summary.clients[0];
    BulkheadFigures {
        seed,
        storage_failed_share: storage.failed() as f64 / storage.counts.calls as f64,
        storage_failed: storage.failed(),
        storage_pool_timeouts: storage.failed_by().0["pool_timeout"],
        uploads_failed_share: c.failed as f64 / c.requests as f64,
        uploads_degraded_share: c.degraded as f64 / c.requests as f64,
    }
}
