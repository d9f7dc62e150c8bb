//! Turning the world's measurements into a [`Report`] at the end of a run.

use sim_core::stats::{GaugeSeries, Histogram};
use sim_core::time::{SimDuration, SimTime};

use super::World;
use crate::causes::{self, CauseCount, CauseCounts};
use crate::metrics::{ClientMetrics, EdgeMetrics, PodState, ServiceMetrics};
use crate::outcome::Failure;
use crate::phases::{self, FaultClient, FaultSummary, MAX_PHASED_FAULTS, WindowS};
use crate::report::{
    Bands, BreakerBand, ClientSummary, Column, EdgeSummary, PodBand, PodSummary, Report, ServiceSummary,
    StopInfo, Summary, TimeSeries, Values,
};

fn num(name: String, values: Vec<f64>) -> Column {
    Column {
        name,
        values: Values::Num(values),
    }
}

fn counts(values: Vec<u64>) -> Vec<f64> {
    values.into_iter().map(|v| v as f64).collect()
}

fn gauge_mean(g: &GaugeSeries, end: SimTime) -> Vec<f64> {
    g.finish(end).0
}

/// The `{name}_mean` and `{name}_max` columns of a gauge, from one pass over it.
fn gauge_mean_max(columns: &mut Vec<Column>, name: &str, g: &GaugeSeries, end: SimTime) {
    let (means, maxes) = g.finish(end);
    columns.push(num(format!("{name}_mean"), means));
    columns.push(num(format!("{name}_max"), counts(maxes)));
}

impl World {
    /// Builds the report of a run that stopped at `end` after `events` events.
    pub fn into_report(self, seed: u64, end: SimTime, events: u64, stop: StopInfo) -> Report {
        let secs = end.as_secs_f64();
        let series = self.time_series(end);
        let faults = self.fault_summaries(&series, end);
        let summary = Summary {
            scenario: self.cfg.name.clone(),
            seed,
            duration_s: secs,
            events,
            stop,
            log_dropped: self.log.dropped(),
            clients: self.client_summaries(secs),
            services: self.service_summaries(end),
            edges: self.edge_summaries(),
            faults,
        };
        let bands = self.bands();
        let trace = self.tracer.as_ref().map(crate::trace::Tracer::data);
        Report {
            summary,
            series,
            // Moved, not copied: the log can be the largest thing a run keeps.
            log: self.log.into_entries(),
            bands,
            trace,
        }
    }

    fn fault_summaries(&self, series: &TimeSeries, end: SimTime) -> Vec<FaultSummary> {
        let faults = self.cfg.faults.iter().take(MAX_PHASED_FAULTS).enumerate();
        faults
            .map(|(i, f)| {
                let bounds = phases::phases(f);
                let (from, until) = phases::window(f);
                let clients = self
                    .cfg
                    .clients
                    .iter()
                    .zip(&self.clients)
                    .map(|(cfg, c)| {
                        let m = &c.metrics.phases.metrics[3 * i..3 * i + 3];
                        let (recovered_s, verdict) = phases::verdict(series, &cfg.name, f, end);
                        FaultClient {
                            name: cfg.name.clone(),
                            before: phases::phase_summary(&m[0], bounds[0], end),
                            during: phases::phase_summary(&m[1], bounds[1], end),
                            after: phases::phase_summary(&m[2], bounds[2], end),
                            recovered_s,
                            verdict,
                        }
                    })
                    .collect();
                FaultSummary {
                    name: f.name.clone().unwrap_or_else(|| format!("faults[{i}]")),
                    service: self.cfg.services[f.service.idx()].name.clone(),
                    kind: phases::kind_name(&f.kind),
                    window: WindowS {
                        from_s: from.min(end).as_secs_f64(),
                        until_s: until.min(end).as_secs_f64(),
                    },
                    clients,
                }
            })
            .collect()
    }

    fn client_summaries(&self, secs: f64) -> Vec<ClientSummary> {
        self.cfg
            .clients
            .iter()
            .zip(&self.clients)
            .map(|(cfg, c)| {
                let m = &c.metrics;
                let finished = m.ok + m.degraded + m.failed.total();
                ClientSummary {
                    name: cfg.name.clone(),
                    requests: m.started,
                    ok: m.ok,
                    degraded: m.degraded,
                    failed: m.failed.total(),
                    failed_by: (&m.failed).into(),
                    failed_by_cause: self.cause_counts(&m.causes),
                    in_flight: m.started - finished,
                    goodput_per_s: if secs > 0.0 {
                        (m.ok + m.degraded) as f64 / secs
                    } else {
                        0.0
                    },
                    latency_ms: m.latency().summary().into(),
                    latency_ok_ms: m.latency_ok.summary().into(),
                    latency_answered_ms: m.latency_answered().summary().into(),
                    latency_failed_ms: m.latency_failed.summary().into(),
                }
            })
            .collect()
    }

    /// A client's failures by chain of causes, most frequent first.
    fn cause_counts(&self, causes: &CauseCounts) -> Vec<CauseCount> {
        causes
            .totals()
            .into_iter()
            .map(|(k, count, depth)| {
                let edge = self.cfg.edge_name(k.edge);
                CauseCount {
                    chain: causes::chain(k.reason, k.deepest, &edge, depth),
                    reason: k.reason.name(),
                    deepest_reason: k.deepest.name(),
                    deepest_edge: edge,
                    depth,
                    count,
                }
            })
            .collect()
    }

    fn service_summaries(&self, end: SimTime) -> Vec<ServiceSummary> {
        let secs = end.as_secs_f64();
        self.cfg
            .services
            .iter()
            .zip(&self.services)
            .map(|(cfg, s)| {
                let m = &s.metrics;
                let pods: Vec<PodSummary> = (s.first_pod..s.first_pod + cfg.replicas)
                    .map(|p| {
                        let pod = &self.pods[p as usize];
                        let ready_fraction = pod.metrics.ready.mean(end);
                        PodSummary {
                            name: format!("{}-{}", cfg.name, pod.replica),
                            arrivals: pod.metrics.arrivals,
                            restarts: pod.restarts,
                            kills: pod.metrics.kills,
                            time_ready_s: ready_fraction * secs,
                            ready_fraction,
                        }
                    })
                    .collect();
                let capacity = m.series_capacity.mean(end);
                let busy = m.series_busy.mean(end);
                let wasted = m.series_wasted.mean(end);
                ServiceSummary {
                    name: cfg.name.clone(),
                    replicas: cfg.replicas,
                    slots: cfg.slots,
                    counts: m.counts.clone(),
                    waited_fraction: if m.counts.arrivals > 0 {
                        m.waited as f64 / m.counts.arrivals as f64
                    } else {
                        0.0
                    },
                    queue_wait_ms: m.queue_wait.summary().into(),
                    service_time_ms: m.service_time.summary().into(),
                    mean_in_flight: busy,
                    mean_queued: m.series_queued.mean(end),
                    utilisation: if capacity > 0.0 { busy / capacity } else { 0.0 },
                    wasted_work_s: wasted * secs,
                    wasted_share: if busy > 0.0 { wasted / busy } else { 0.0 },
                    restarts: pods.iter().map(|p| p.restarts).sum(),
                    pods,
                }
            })
            .collect()
    }

    /// The latency of the calls of edge `i`: on a client's edge, the calls its requests made
    /// (recorded by the client, `finish_call` says why) and those of deferred work.
    fn call_latency(&self, i: usize) -> Histogram {
        let mut h = self.edges[i].metrics.call_latency.clone();
        if let crate::config::Caller::Client(c) = self.cfg.edges[i].caller {
            h.merge(&self.clients[c as usize].metrics.latency());
        }
        h
    }

    fn edge_summaries(&self) -> Vec<EdgeSummary> {
        self.cfg
            .edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let m = &self.edges[i].metrics;
                let transitions: u64 = self
                    .sites
                    .iter()
                    .filter(|s| s.edge.idx() == i)
                    .filter_map(|s| s.breaker_history.as_ref())
                    .map(|h| h.changes())
                    .sum();
                EdgeSummary {
                    name: self.cfg.edge_name(crate::ids::EdgeIdx(i as u32)),
                    caller: self.cfg.caller_name(e.caller).to_string(),
                    callee: self.cfg.services[e.callee.idx()].name.clone(),
                    policy: self.cfg.policies[e.policy.idx()].name.clone(),
                    counts: m.counts.clone(),
                    deferred_pending: u64::from(self.edges[i].deferred.pending),
                    breaker_transitions: transitions,
                    call_latency_ms: self.call_latency(i).summary().into(),
                }
            })
            .collect()
    }

    fn time_series(&self, end: SimTime) -> TimeSeries {
        let buckets = end.as_nanos().div_ceil(self.cfg.bucket.as_nanos()) as usize;
        let mut columns = Vec::new();
        for (cfg, c) in self.cfg.clients.iter().zip(&self.clients) {
            let p = format!("client.{}", cfg.name);
            client_columns(&mut columns, &p, &c.metrics, end);
            for (deepest, series) in c.metrics.causes.series() {
                let name = match deepest {
                    Some((reason, edge)) => {
                        format!("{p}.cause.{}.{}", self.cfg.edge_name(edge), reason.name())
                    }
                    None => format!("{p}.cause.other"),
                };
                columns.push(num(name, counts(series.counts(end))));
            }
        }
        for (cfg, s) in self.cfg.services.iter().zip(&self.services) {
            let p = format!("service.{}", cfg.name);
            service_columns(&mut columns, &p, &s.metrics, self.cfg.bucket, end);
        }
        for (i, e) in self.edges.iter().enumerate() {
            let p = format!("edge.{}", self.cfg.edge_name(crate::ids::EdgeIdx(i as u32)));
            edge_columns(&mut columns, &p, &e.metrics, end);
        }
        for p in 0..self.pods.len() {
            let name = self.pod_name(crate::ids::PodIdx(p as u32));
            let values = self.pods[p]
                .metrics
                .states_by_bucket(buckets)
                .into_iter()
                .map(pod_state_name)
                .collect();
            columns.push(Column {
                name: format!("pod.{name}.state"),
                values: Values::Text(values),
            });
        }
        for col in &mut columns {
            if let Values::Num(v) = &mut col.values {
                v.resize(buckets, 0.0);
            }
        }
        TimeSeries {
            bucket_s: self.cfg.bucket.as_secs_f64(),
            buckets,
            columns,
        }
    }

    fn bands(&self) -> Bands {
        let pods = (0..self.pods.len())
            .map(|p| PodBand {
                pod: self.pod_name(crate::ids::PodIdx(p as u32)),
                states: self.pods[p].metrics.states.kept().to_vec(),
                kept_until: self.pods[p].metrics.states.kept_until(),
            })
            .collect();
        let breakers = (0..self.sites.len())
            .filter_map(|s| {
                let site = &self.sites[s];
                let history = site.breaker_history.as_ref()?;
                Some(BreakerBand {
                    edge: self.cfg.edge_name(site.edge),
                    owner: self.site_owner(s as u32),
                    states: history.kept().to_vec(),
                    kept_until: history.kept_until(),
                })
            })
            .collect();
        Bands { pods, breakers }
    }
}

/// The CSV word for a pod state.
pub fn pod_state_name(state: PodState) -> &'static str {
    match state {
        PodState::Starting => "starting",
        PodState::Ready => "ready",
        PodState::NotReady => "not_ready",
        PodState::Down => "down",
    }
}

/// The time-series columns of one client, named `{p}.…` (counts per bucket; latency in ms).
fn client_columns(columns: &mut Vec<Column>, p: &str, m: &ClientMetrics, end: SimTime) {
    columns.push(num(format!("{p}.started"), counts(m.series_started.counts(end))));
    columns.push(num(format!("{p}.ok"), counts(m.series_ok.counts(end))));
    columns.push(num(
        format!("{p}.degraded"),
        counts(m.series_degraded.counts(end)),
    ));
    for f in Failure::ALL {
        columns.push(num(
            format!("{p}.failed.{}", f.name()),
            counts(m.series_failed[f.index()].counts(end)),
        ));
    }
    // Answered requests' latency, then failed requests': never mixed (a bucket where nothing
    // was answered has no answered latency, not the fast failures').
    for (series, prefix) in [(&m.series_latency, ""), (&m.series_latency_failed, "failed_")] {
        for (q, label) in [(0.5, "p50"), (0.99, "p99")] {
            let values = series.quantiles(q, end);
            let ms = values
                .into_iter()
                .map(|v| v.map_or(f64::NAN, |ns| ns as f64 / 1e6))
                .collect();
            columns.push(num(format!("{p}.{prefix}latency_{label}_ms"), ms));
        }
    }
}

/// The time-series columns of one service, named `{p}.…` (counts, and slot/queue gauges).
fn service_columns(
    columns: &mut Vec<Column>,
    p: &str,
    m: &ServiceMetrics,
    bucket: SimDuration,
    end: SimTime,
) {
    columns.push(num(
        format!("{p}.arrivals"),
        counts(m.series_arrivals.counts(end)),
    ));
    columns.push(num(
        format!("{p}.rejected"),
        counts(m.series_rejected.counts(end)),
    ));
    columns.push(num(
        format!("{p}.completed"),
        counts(m.series_completed.counts(end)),
    ));
    gauge_mean_max(columns, &format!("{p}.busy"), &m.series_busy, end);
    gauge_mean_max(columns, &format!("{p}.queued"), &m.series_queued, end);
    columns.push(num(format!("{p}.capacity"), gauge_mean(&m.series_capacity, end)));
    columns.push(num(format!("{p}.ready_pods"), gauge_mean(&m.series_ready, end)));
    // Slot-seconds in the bucket: the mean level times the time the bucket covers (a partial
    // last bucket is averaged over its covered part).
    let (width, end_s) = (bucket.as_secs_f64(), end.as_secs_f64());
    let wasted = gauge_mean(&m.series_wasted, end)
        .into_iter()
        .enumerate()
        .map(|(i, v)| v * width.min(end_s - i as f64 * width))
        .collect();
    columns.push(num(format!("{p}.wasted_work_s"), wasted));
}

/// The time-series columns of one call edge, named `{p}.…` (counts, the policies' gauges in
/// `EdgeMetrics::policy_gauges`), then its outcomes by kind and reason, refusals by policy, and its pool
/// connections in use and waiters.
fn edge_columns(columns: &mut Vec<Column>, p: &str, m: &EdgeMetrics, end: SimTime) {
    columns.push(num(format!("{p}.calls"), counts(m.series_calls.counts(end))));
    columns.push(num(
        format!("{p}.attempts"),
        counts(m.series_attempts.counts(end)),
    ));
    columns.push(num(format!("{p}.retries"), counts(m.series_retries.counts(end))));
    columns.push(num(format!("{p}.failed"), counts(m.series_failed.counts(end))));
    for (name, gauge, scale) in m.policy_gauges() {
        let mut means = gauge_mean(gauge, end);
        if scale != 1 {
            means.iter_mut().for_each(|v| *v /= f64::from(scale));
        }
        columns.push(num(format!("{p}.{name}"), means));
    }
    columns.push(num(
        format!("{p}.deferred_pending"),
        gauge_mean(&m.series_deferred, end),
    ));
    columns.push(num(format!("{p}.ok"), counts(m.series_ok.counts(end))));
    columns.push(num(
        format!("{p}.degraded"),
        counts(m.series_degraded.counts(end)),
    ));
    for f in Failure::ALL {
        columns.push(num(
            format!("{p}.failed.{}", f.name()),
            counts(m.series_failed_by[f.index()].counts(end)),
        ));
    }
    for r in crate::policy::Refusal::ALL {
        columns.push(num(
            format!("{p}.rejected_{}", r.name()),
            counts(m.series_rejections[r.index()].counts(end)),
        ));
    }
    columns.push(num(
        format!("{p}.pool_in_use"),
        gauge_mean(&m.series_pool_in_use, end),
    ));
    columns.push(num(
        format!("{p}.pool_waiters"),
        gauge_mean(&m.series_pool_waiters, end),
    ));
}
