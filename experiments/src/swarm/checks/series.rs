//! The time series agree with the totals and their gauges stay within capacity.

use models::config::{Caller, Fallback, Scenario};
use models::policy::PolicyGauge;
use models::report::{Report, Summary, TimeSeries, Values};

use super::{Check, Failure, FailureKind, fail};

/// The numeric columns of a time series, checked against totals and bounds.
struct Columns<'a> {
    series: &'a TimeSeries,
}

impl<'a> Columns<'a> {
    /// Column `name`, its `nth` occurrence: edges between the same caller and callee with
    /// different policies have the same name.
    fn column(&self, name: &str, nth: usize) -> Result<&'a [f64], Failure> {
        let k = FailureKind::Counts;
        self.series
            .columns
            .iter()
            .filter(|c| c.name == name)
            .nth(nth)
            .and_then(|c| match &c.values {
                Values::Num(v) => Some(v.as_slice()),
                Values::Text(_) => None,
            })
            .ok_or_else(|| Failure::new(k, format!("timeseries: no numeric column {name} (#{nth})")))
    }

    /// The column sums to `total`.
    fn expect_sum(&self, name: String, nth: usize, total: u64) -> Check {
        let k = FailureKind::Counts;
        let got: f64 = self.column(&name, nth)?.iter().sum();
        if got != total as f64 {
            return fail(
                k,
                format!("timeseries {name} sums to {got}, the total is {total}"),
            );
        }
        Ok(())
    }

    /// The column never exceeds `bound`.
    fn expect_at_most(&self, name: String, nth: usize, bound: f64) -> Check {
        let k = FailureKind::Counts;
        let got = self.column(&name, nth)?.iter().copied().fold(0.0, f64::max);
        if got > bound * (1.0 + 1e-9) + 1e-9 {
            return fail(
                k,
                format!("timeseries {name} reaches {got}, above its bound {bound}"),
            );
        }
        Ok(())
    }
}

/// The time series agree with the totals (for complete runs: a run stopped by a limit may have
/// handled events at its last instant, past its last bucket) and gauges stay within capacity.
pub(super) fn check_series(scenario: &Scenario, report: &Report) -> Check {
    let s = &report.summary;
    let columns = Columns {
        series: &report.series,
    };
    let complete = !s.stop.partial;
    check_client_series(&columns, s, complete)?;
    check_service_series(&columns, scenario, s, complete)?;
    check_edge_series(&columns, scenario, s, complete)
}

/// Each client's columns sum to its totals (complete runs only).
fn check_client_series(columns: &Columns<'_>, s: &Summary, complete: bool) -> Check {
    for c in &s.clients {
        let p = format!("client.{}", c.name);
        if complete {
            columns.expect_sum(format!("{p}.started"), 0, c.requests)?;
            columns.expect_sum(format!("{p}.ok"), 0, c.ok)?;
            columns.expect_sum(format!("{p}.degraded"), 0, c.degraded)?;
            for (reason, &n) in &c.failed_by.0 {
                columns.expect_sum(format!("{p}.failed.{reason}"), 0, n)?;
            }
        }
    }
    Ok(())
}

/// Each service's columns sum to its totals, and its gauges stay within its capacity.
fn check_service_series(columns: &Columns<'_>, scenario: &Scenario, s: &Summary, complete: bool) -> Check {
    for (cfg, svc) in scenario.services.iter().zip(&s.services) {
        let p = format!("service.{}", svc.name);
        if complete {
            columns.expect_sum(format!("{p}.arrivals"), 0, svc.counts.arrivals)?;
            columns.expect_sum(format!("{p}.rejected"), 0, svc.counts.rejected)?;
        }
        let replicas = f64::from(cfg.replicas);
        let slots = replicas * f64::from(cfg.slots);
        columns.expect_at_most(format!("{p}.busy_max"), 0, slots)?;
        columns.expect_at_most(format!("{p}.busy_mean"), 0, slots)?;
        columns.expect_at_most(
            format!("{p}.queued_max"),
            0,
            replicas * f64::from(cfg.queue.capacity),
        )?;
        columns.expect_at_most(format!("{p}.capacity"), 0, slots)?;
        columns.expect_at_most(format!("{p}.ready_pods"), 0, replicas)?;
        check_wasted_series(columns, &p, svc, s.stop.at_s)?;
    }
    Ok(())
}

/// Wasted work per bucket: never more than the busy slot-seconds of that bucket, and the
/// buckets add up to the summary's total (both are the same gauge, integrated two ways).
fn check_wasted_series(
    columns: &Columns<'_>,
    p: &str,
    svc: &models::report::ServiceSummary,
    end_s: f64,
) -> Check {
    let k = FailureKind::Counts;
    let wasted = columns.column(&format!("{p}.wasted_work_s"), 0)?;
    let busy = columns.column(&format!("{p}.busy_mean"), 0)?;
    let width = columns.series.bucket_s;
    for (i, (&w, &b)) in wasted.iter().zip(busy).enumerate() {
        let covered = width.min(end_s - i as f64 * width).max(0.0);
        if w > b * covered * (1.0 + 1e-9) + 1e-9 {
            return fail(
                k,
                format!(
                    "timeseries {p}.wasted_work_s: {w} slot-s in bucket {i}, busy only {b} × {covered} s"
                ),
            );
        }
    }
    let total: f64 = wasted.iter().sum();
    if (total - svc.wasted_work_s).abs() > 1e-6 * svc.wasted_work_s.max(1.0) {
        return fail(
            k,
            format!(
                "timeseries {p}.wasted_work_s sums to {total}, the total is {}",
                svc.wasted_work_s
            ),
        );
    }
    Ok(())
}

/// Edge `i`'s refusal counts as summary.json publishes them: `(PART, n)` for each
/// `PART_rejections` key, whatever refuses (every part in `Refusal::ALL`, a part added
/// later too), so a new refusal column is checked without naming it here.
fn refusals(published: &serde_json::Value, i: usize) -> Result<Vec<(String, u64)>, Failure> {
    let edge = published["edges"][i]
        .as_object()
        .ok_or_else(|| Failure::new(FailureKind::Counts, format!("summary.json has no edge #{i}")))?;
    Ok(edge
        .iter()
        .filter_map(|(key, v)| Some((key.strip_suffix("_rejections")?.to_string(), v.as_u64()?)))
        .collect())
}

/// Each edge's columns sum to its totals (every refusal column to its count), and its gauges
/// stay within its sites' capacity.
fn check_edge_series(columns: &Columns<'_>, scenario: &Scenario, s: &Summary, complete: bool) -> Check {
    let published: serde_json::Value =
        serde_json::from_str(&crate::output::summary_json(s, "")).map_err(|e| {
            Failure::new(
                FailureKind::NonFinite,
                format!("summary.json is not valid JSON: {e}"),
            )
        })?;
    for (i, (cfg, e)) in scenario.edges.iter().zip(&s.edges).enumerate() {
        let p = format!("edge.{}", e.name);
        let nth = s.edges[..i].iter().filter(|x| x.name == e.name).count();
        if complete {
            columns.expect_sum(format!("{p}.calls"), nth, e.counts.calls)?;
            columns.expect_sum(format!("{p}.attempts"), nth, e.counts.attempts)?;
            columns.expect_sum(format!("{p}.retries"), nth, e.counts.retries)?;
            columns.expect_sum(format!("{p}.failed"), nth, e.failed())?;
            columns.expect_sum(format!("{p}.ok"), nth, e.counts.ok)?;
            columns.expect_sum(format!("{p}.degraded"), nth, e.counts.degraded)?;
            for (reason, &n) in &e.failed_by().0 {
                columns.expect_sum(format!("{p}.failed.{reason}"), nth, n)?;
            }
            for (part, n) in refusals(&published, i)? {
                columns.expect_sum(format!("{p}.rejected_{part}"), nth, n)?;
            }
        }
        let sites = match cfg.caller {
            Caller::Client(_) => 1.0,
            Caller::Service(svc) => f64::from(scenario.services[svc.idx()].replicas),
        };
        let policy = &scenario.policies[cfg.policy.idx()];
        for gauge in PolicyGauge::ALL {
            if let Some(bound) = gauge.per_site_bound(policy) {
                columns.expect_at_most(format!("{p}.{}", gauge.name()), nth, sites * bound)?;
            }
        }
        let deferred = match policy.fallback {
            Fallback::Defer { capacity, .. } => f64::from(capacity),
            _ => 0.0,
        };
        columns.expect_at_most(format!("{p}.deferred_pending"), nth, deferred)?;
        // Each caller's pool holds at most its size (a shared pool's, over all its edges).
        let pool = sites * f64::from(policy.pool.max_connections);
        columns.expect_at_most(format!("{p}.pool_in_use"), nth, pool)?;
    }
    Ok(())
}
