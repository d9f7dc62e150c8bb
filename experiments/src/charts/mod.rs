//! From a run's report to the incident timeline (plots' data types): stacked panels on one time
//! axis: offered load against attempts at each callee, outcomes per second, in-flight and queue
//! per service with capacity lines, latency p50/p99, state bands for pods and breakers, and
//! per-edge panels ([`edges`]: outcomes, refusals, each policy part's own panel, pool connections), with
//! fault windows shaded. A large scenario's timeline shows the services, clients, edges, pods
//! and breakers in most trouble, up to fixed limits, and says in notes how many it leaves out
//! ([`select`]), so its height is bounded and drawing it never fails.

pub mod edges;
pub mod select;
pub mod topology;

pub use topology::topology;

use std::collections::BTreeMap;

use models::config::{Scenario, ServiceConfig};
use models::metrics::PodState;
use models::outcome::Failure;
use models::policy::breaker::BreakerState;
use models::report::{BreakerBand, PodBand, PodSummary, Report};
use plots::{
    BandPanel, BandRow, LinePanel, Panel, RefLine, Series, Shade, Span, StackedPanel, StateStyle, Timeline,
    Tone,
};
use sim_core::time::SimDuration;

/// Counts per bucket as rates per second.
fn per_second(values: &[f64], bucket_s: f64) -> Vec<f64> {
    values.iter().map(|v| v / bucket_s).collect()
}

/// The bucket-by-bucket sum of the numeric columns `names` (missing ones count as zero).
fn sum_columns(report: &Report, names: &[String]) -> Vec<f64> {
    let mut total = vec![0.0; report.series.buckets];
    for name in names {
        if let Some(v) = report.series.num(name) {
            total.iter_mut().zip(v).for_each(|(t, x)| *t += x);
        }
    }
    total
}

/// A series of the chart, solid or `dashed`.
pub(crate) fn line(label: impl Into<String>, values: Vec<f64>, dashed: bool) -> Series {
    Series {
        label: label.into(),
        values,
        dashed,
    }
}

/// The timeline of a run: load, outcomes, one panel per service, latency, pod bands, (when
/// there are breakers) breaker bands, then the panels of the edges in most trouble
/// ([`edges::edge_panels`], in the room left under [`plots::MAX_PANELS`]), with fault windows
/// shaded; past [`select`]'s limits, those
/// in most trouble, with a note for each kind of thing left out.
pub fn timeline(scenario: &Scenario, report: &Report, hash: &str) -> Timeline {
    let s = &report.summary;
    let bucket = report.series.bucket_s;
    let end = s.stop.at_s;
    let mut notes = Vec::new();
    let mut panels = vec![
        load_panel(scenario, report, &mut notes),
        outcome_panel(scenario, report),
    ];
    let services = chosen_services(scenario, report, &mut notes);
    for svc in services {
        panels.push(service_panel(report, svc));
    }
    panels.push(latency_panel(scenario, report, &mut notes));
    panels.push(pod_bands(report, end, &mut notes));
    if !report.bands.breakers.is_empty() {
        panels.push(breaker_bands(report, end, &mut notes));
    }
    let room = plots::MAX_PANELS.saturating_sub(panels.len());
    panels.extend(edges::edge_panels(scenario, report, room, &mut notes));
    Timeline {
        title: format!("{}: incident timeline", s.scenario),
        subtitle: format!(
            "seed {} · scenario {hash} · {} simulated · buckets of {}",
            s.seed,
            SimDuration::from_secs_f64(s.duration_s),
            SimDuration::from_secs_f64(bucket)
        ),
        notes,
        bucket_secs: bucket,
        end_secs: end,
        shaded: fault_shades(scenario, end),
        panels,
    }
}

/// The services that get a panel: all, or the [`select::MAX_SERVICES`] in most trouble (in
/// scenario order), with a note for the rest.
fn chosen_services<'a>(
    scenario: &'a Scenario,
    report: &Report,
    notes: &mut Vec<String>,
) -> Vec<&'a ServiceConfig> {
    let all = &scenario.services;
    let chosen = select::most_troubled(
        service_troubles(scenario, report).into_iter(),
        select::MAX_SERVICES,
    );
    if chosen.len() < all.len() {
        notes.push(format!(
            "Services: the {} in most trouble shown; and {} (see timeseries.csv)",
            chosen.len(),
            select::more(all.len() - chosen.len(), "service")
        ));
    }
    chosen.into_iter().map(|i| &all[i]).collect()
}

/// The clients of the scenario with their trouble (none for a client without a summary).
fn client_troubles<'a>(scenario: &'a Scenario, report: &Report) -> Vec<(&'a str, select::Trouble)> {
    let by_name: BTreeMap<&str, _> = report
        .summary
        .clients
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    scenario
        .clients
        .iter()
        .map(|c| {
            let t = by_name
                .get(c.name.as_str())
                .map_or([0; 4], |s| select::client_trouble(s));
            (c.name.as_str(), t)
        })
        .collect()
}

/// Each service's name and trouble ([`select::service_trouble`]), in scenario order; a
/// service the summary does not hold has none.
fn service_troubles<'a>(scenario: &'a Scenario, report: &Report) -> Vec<(&'a str, select::Trouble)> {
    let by_name: BTreeMap<&str, _> = report
        .summary
        .services
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    scenario
        .services
        .iter()
        .map(|s| {
            let t = by_name
                .get(s.name.as_str())
                .map_or([0; 4], |v| select::service_trouble(v));
            (s.name.as_str(), t)
        })
        .collect()
}

/// The numeric column `name` of the time series, or empty if there is none.
pub(crate) fn column(report: &Report, name: &str) -> Vec<f64> {
    report.series.num(name).unwrap_or(&[]).to_vec()
}

/// One service's panel: busy slots and queue (time-averaged per bucket), the slots of pods that
/// are up, and a line at the slots of all its pods.
fn service_panel(report: &Report, svc: &ServiceConfig) -> Panel {
    let p = format!("service.{}", svc.name);
    let series = vec![
        line("busy slots", column(report, &format!("{p}.busy_mean")), false),
        line("queued", column(report, &format!("{p}.queued_mean")), false),
        line("slots of pods up", column(report, &format!("{p}.capacity")), true),
    ];
    Panel::Lines(LinePanel {
        title: format!("{}: in flight and queued (time-averaged per bucket)", svc.name),
        y_label: "requests".into(),
        log_y: false,
        series,
        reference_lines: vec![RefLine {
            label: format!("all {} pods' slots", svc.replicas),
            value: f64::from(svc.slots * svc.replicas),
        }],
    })
}

/// Latency p50 (dashed) and p99 of each client's answered requests (ok or degraded), and the
/// p99 of its failed ones as a separate line, in ms on a log axis, for the
/// [`select::MAX_LATENCY_CLIENTS`] clients in most trouble. A bucket where nothing was answered
/// is a gap in the answered lines, not the failures' latency.
fn latency_panel(scenario: &Scenario, report: &Report, notes: &mut Vec<String>) -> Panel {
    let troubles = client_troubles(scenario, report);
    let chosen = select::most_troubled(troubles.into_iter(), select::MAX_LATENCY_CLIENTS);
    let left_out = scenario.clients.len() - chosen.len();
    if left_out > 0 {
        notes.push(format!(
            "Latency: the {} in most trouble shown; and {} (see timeseries.csv)",
            select::count(chosen.len(), "client"),
            select::more(left_out, "client")
        ));
    }
    let mut latency = Vec::new();
    for c in chosen.into_iter().map(|i| &scenario.clients[i]) {
        for q in ["p50", "p99"] {
            let v = column(report, &format!("client.{}.latency_{q}_ms", c.name));
            latency.push(line(format!("{} {q}", c.name), v, q == "p50"));
        }
        let v = column(report, &format!("client.{}.failed_latency_p99_ms", c.name));
        latency.push(line(format!("{} failed p99", c.name), v, true));
    }
    Panel::Lines(LinePanel {
        title: "Latency of answered client requests (failed: separate line)".into(),
        y_label: "ms (log)".into(),
        log_y: true,
        series: latency,
        reference_lines: vec![],
    })
}

/// The faults' windows (seconds, cut at `end`), labelled with the service and the fault.
fn fault_shades(scenario: &Scenario, end: f64) -> Vec<Shade> {
    scenario
        .faults
        .iter()
        .map(|f| Shade {
            start_secs: f.from.as_secs_f64(),
            // A restart's or reschedule's window is its downtime.
            end_secs: f.end().map_or(end, |u| u.as_secs_f64()).min(end),
            label: format!(
                "{}: {}",
                scenario.services[f.service.idx()].name,
                models::world::describe_fault(f)
            ),
        })
        .collect()
}

/// Offered load (first tries) of each client against the attempts at each callee, per second;
/// at most [`select::MAX_LOAD_LINES`] lines, split by [`select::load_split`] between the clients
/// and the edges in most trouble.
fn load_panel(scenario: &Scenario, report: &Report, notes: &mut Vec<String>) -> Panel {
    let bucket = report.series.bucket_s;
    let edges = &report.summary.edges;
    let (kc, ke) = select::load_split(scenario.clients.len(), edges.len());
    let clients = select::most_troubled(client_troubles(scenario, report).into_iter(), kc);
    let chosen_edges = select::most_troubled(
        edges.iter().map(|e| (e.name.as_str(), select::edge_trouble(e))),
        ke,
    );
    let left_out: Vec<String> = [
        (scenario.clients.len() - clients.len(), "client"),
        (edges.len() - chosen_edges.len(), "edge"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, noun)| select::more(n, noun))
    .collect();
    if !left_out.is_empty() {
        notes.push(format!(
            "Load: the {} and {} in most trouble shown; and {} (see timeseries.csv)",
            select::count(clients.len(), "client"),
            select::count(chosen_edges.len(), "edge"),
            left_out.join(", ")
        ));
    }
    let mut series = Vec::new();
    for c in clients.into_iter().map(|i| &scenario.clients[i]) {
        let v = report
            .series
            .num(&format!("client.{}.started", c.name))
            .unwrap_or(&[]);
        series.push(line(
            format!("{} offered (first tries)", c.name),
            per_second(v, bucket),
            false,
        ));
    }
    for e in chosen_edges.into_iter().map(|i| &edges[i]) {
        let v = report
            .series
            .num(&format!("edge.{}.attempts", e.name))
            .unwrap_or(&[]);
        series.push(line(format!("attempts {}", e.name), per_second(v, bucket), true));
    }
    Panel::Lines(LinePanel {
        title: "Offered load and attempts at each callee (retries show as the gap)".into(),
        y_label: "requests/s".into(),
        log_y: false,
        series,
        reference_lines: vec![],
    })
}

/// The most failure layers of the outcome panel: the deepest causes most frequent over all
/// clients; the other failures are one more layer.
pub const MAX_CAUSE_LAYERS: usize = 6;

/// Client outcomes per second, stacked: ok, degraded, and the failures grouped by their
/// deepest cause (`connect timeout at api→backend`: where the chain of causes ends, see
/// docs/outputs.md), the [`MAX_CAUSE_LAYERS`] most frequent over all clients, then the rest.
fn outcome_panel(scenario: &Scenario, report: &Report) -> Panel {
    let bucket = report.series.bucket_s;
    let col = |suffix: &str| -> Vec<String> {
        scenario
            .clients
            .iter()
            .map(|c| format!("client.{}.{suffix}", c.name))
            .collect()
    };
    let mut layers = vec![
        line("ok", per_second(&sum_columns(report, &col("ok")), bucket), false),
        line(
            "degraded",
            per_second(&sum_columns(report, &col("degraded")), bucket),
            false,
        ),
    ];
    let reasons: Vec<String> = Failure::ALL
        .iter()
        .flat_map(|f| col(&format!("failed.{}", f.name())))
        .collect();
    let mut rest = sum_columns(report, &reasons);
    for ((edge, reason), own) in top_causes(report, MAX_CAUSE_LAYERS) {
        let v = sum_columns(report, &col(&format!("cause.{edge}.{reason}")));
        if v.iter().all(|&x| x == 0.0) {
            continue; // beyond every client's cause series: in the rest
        }
        rest.iter_mut().zip(&v).for_each(|(r, x)| *r = (*r - x).max(0.0));
        // A client's own failure is named by its reason alone, as the clients table does,
        // when there is one client; with more, by its edge too, so that two clients failing
        // for the same reason are two labels (the causes are unique by (edge, reason)).
        let words = reason.replace('_', " ");
        let label = if own && scenario.clients.len() == 1 {
            words
        } else {
            format!("{words} at {edge}")
        };
        layers.push(line(label, per_second(&v, bucket), false));
    }
    if rest.iter().any(|&v| v > 0.0) {
        let label = if layers.len() > 2 {
            "other failures"
        } else {
            "failed"
        };
        layers.push(line(label, per_second(&rest, bucket), false));
    }
    Panel::Stacked(StackedPanel {
        title: "Client outcomes; failures by where they started (deepest cause)".into(),
        y_label: "requests/s".into(),
        layers,
    })
}

/// The deepest causes of every client's failures, `(edge, reason)`, the `n` most frequent
/// over all clients (ties in name order), each with whether it is a client's own failure (on
/// a client's edge, depth 0).
fn top_causes(report: &Report, n: usize) -> Vec<((&str, &str), bool)> {
    let mut totals: BTreeMap<(&str, &str), (u64, bool)> = BTreeMap::new();
    for c in &report.summary.clients {
        for x in &c.failed_by_cause {
            let t = totals
                .entry((x.deepest_edge.as_str(), x.deepest_reason))
                .or_insert((0, x.depth == 0));
            t.0 += x.count;
        }
    }
    let mut all: Vec<_> = totals.into_iter().collect();
    all.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    all.into_iter().take(n).map(|(k, (_, own))| (k, own)).collect()
}

/// Where a band ends: the end of the run, or earlier where a bounded history stops.
fn until(kept_until: Option<sim_core::time::SimTime>, end: f64) -> f64 {
    kept_until.map_or(end, |t| t.as_secs_f64().min(end))
}

/// A state history as spans (seconds, up to `end`; empty ones dropped), states numbered by `index`.
fn spans<S: Copy + PartialEq>(
    states: &[(sim_core::time::SimTime, S)],
    end: f64,
    index: impl Fn(S) -> usize,
) -> Vec<Span> {
    states
        .iter()
        .enumerate()
        .map(|(i, &(t, s))| Span {
            start_secs: t.as_secs_f64(),
            end_secs: states.get(i + 1).map_or(end, |n| n.0.as_secs_f64()).min(end),
            state: index(s),
        })
        .filter(|s| s.end_secs > s.start_secs)
        .collect()
}

/// The bands that get a row: all, or the [`select::MAX_BAND_ROWS`] in most trouble (in their
/// order), with a note "and N more NOUNs (see WHERE)" for the rest under `what`.
fn chosen_rows<'a, B>(
    bands: &'a [B],
    name: impl Fn(&B) -> String,
    trouble: impl Fn(&B) -> select::Trouble,
    (what, noun, place): (&str, &str, &str),
    notes: &mut Vec<String>,
) -> Vec<&'a B> {
    let names: Vec<String> = bands.iter().map(&name).collect();
    let items = names.iter().zip(bands).map(|(n, b)| (n.as_str(), trouble(b)));
    let chosen = select::most_troubled(items, select::MAX_BAND_ROWS);
    if chosen.len() < bands.len() {
        notes.push(format!(
            "{what}: the {} in most trouble shown; and {} (see {place})",
            chosen.len(),
            select::more(bands.len() - chosen.len(), noun)
        ));
    }
    chosen.into_iter().map(|i| &bands[i]).collect()
}

/// `end` (seconds) in whole nanoseconds.
fn end_ns(end: f64) -> u64 {
    SimDuration::from_secs_f64(end).as_nanos()
}

/// The state bands of every pod (of the [`select::MAX_BAND_ROWS`] in most trouble): ready, not
/// ready, starting, killed or restarting.
fn pod_bands(report: &Report, end: f64, notes: &mut Vec<String>) -> Panel {
    let states = StateStyle::list(&[
        ("ready", Tone::Good),
        ("not ready", Tone::Warn),
        ("starting", Tone::Info),
        ("killed / restarting", Tone::Bad),
    ]);
    let index = |s: PodState| match s {
        PodState::Ready => 0,
        PodState::NotReady => 1,
        PodState::Starting => 2,
        PodState::Down => 3,
    };
    let pods: BTreeMap<&str, &PodSummary> = (report.summary.services.iter())
        .flat_map(|s| &s.pods)
        .map(|p| (p.name.as_str(), p))
        .collect();
    let chosen = chosen_rows(
        &report.bands.pods,
        |p: &PodBand| p.pod.clone(),
        |p| select::pod_trouble(pods.get(p.pod.as_str()).copied(), p, end_ns(end)),
        ("Pods", "pod", "timeseries.csv"),
        notes,
    );
    let rows = chosen
        .into_iter()
        .map(|p| BandRow {
            label: p.pod.clone(),
            spans: spans(&p.states, until(p.kept_until, end), index),
        })
        .collect();
    Panel::Bands(BandPanel {
        title: "Pods".into(),
        states,
        rows,
    })
}

/// The state bands of every circuit breaker (of the [`select::MAX_BAND_ROWS`] in most trouble):
/// closed, half-open, open.
fn breaker_bands(report: &Report, end: f64, notes: &mut Vec<String>) -> Panel {
    let states = StateStyle::list(&[
        ("closed", Tone::Good),
        ("half-open", Tone::Warn),
        ("open", Tone::Bad),
    ]);
    let index = |s: BreakerState| match s {
        BreakerState::Closed => 0,
        BreakerState::HalfOpen => 1,
        BreakerState::Open => 2,
    };
    let label = |b: &BreakerBand| format!("{} @ {}", b.edge, b.owner);
    let chosen = chosen_rows(
        &report.bands.breakers,
        label,
        |b| select::breaker_trouble(b, end_ns(end)),
        ("Circuit breakers", "breaker", "events.jsonl"),
        notes,
    );
    let rows = chosen
        .into_iter()
        .map(|b| BandRow {
            label: label(b),
            spans: spans(&b.states, until(b.kept_until, end), index),
        })
        .collect();
    Panel::Bands(BandPanel {
        title: "Circuit breakers".into(),
        states,
        rows,
    })
}
