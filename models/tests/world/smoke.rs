//! The world built in code (no scenario file): time-series buckets widen to fit
//! `limits.max_buckets` without changing anything but the series' resolution, series cells are
//! bounded, queued requests count against `max_pending`, and the capacity and edge outcome
//! columns add up.

use models::build;
use models::policy::Refusal;
use sim_core::time::SimDuration;

/// A run whose duration needs more buckets than `max_buckets` doubles its bucket width; the
/// results are the same as the fine-grained run's and each coarse bucket holds exactly the sum
/// of the fine buckets it covers.
#[test]
fn series_widen_to_max_buckets_and_keep_every_count() {
    let duration = SimDuration::from_secs(2_000);
    let fine_scenario = build::mmc(9.0, 1.0, 10, duration); // 10 s buckets: 200 of them
    let mut coarse_scenario = fine_scenario.clone();
    coarse_scenario.limits.max_buckets = 30; // 10 s → 80 s: 25 buckets
    assert_eq!(coarse_scenario.series_bucket(), SimDuration::from_secs(80));
    assert_eq!(fine_scenario.series_bucket(), SimDuration::from_secs(10));

    let fine = models::run(fine_scenario, 11).report;
    let coarse = models::run(coarse_scenario, 11).report;
    assert_eq!(
        fine.summary.events, coarse.summary.events,
        "the run itself is unchanged"
    );
    assert_eq!(
        fine.summary.clients[0].requests,
        coarse.summary.clients[0].requests
    );
    assert_eq!((fine.series.buckets, coarse.series.buckets), (200, 25));
    assert_eq!(coarse.series.bucket_s, 80.0);

    for column in [
        "client.poisson.started",
        "client.poisson.ok",
        "service.station.arrivals",
    ] {
        let f = fine.series.num(column).expect("fine column");
        let c = coarse.series.num(column).expect("coarse column");
        for (i, chunk) in f.chunks(8).enumerate() {
            assert_eq!(chunk.iter().sum::<f64>(), c[i], "{column} bucket {i}");
        }
        let total: f64 = c.iter().sum();
        if column == "client.poisson.started" {
            assert_eq!(total, coarse.summary.clients[0].requests as f64);
        }
    }
}

/// Series memory is bounded by cells (columns × buckets), not only by `max_buckets`: 1 000 pods
/// add 1 000 pod-state columns, so a long run with fine buckets gets fewer of them than
/// `max_buckets` allows. Before the cap, 1 000 pods at 100 000 buckets were 10⁸ cells (about
/// 2 GB); with 5 000 services of 1 000 pods nothing bounded them at all.
#[test]
fn many_columns_get_fewer_buckets_than_max_buckets() {
    let mut scenario = build::mmc(0.1, 10.0, 1, SimDuration::from_secs(100_000));
    scenario.services[0].replicas = 1_000;
    scenario.bucket = SimDuration::from_secs(1);
    scenario.limits.max_buckets = 100_000;
    // 1 client × (20 + 9 by cause) + 1 service × 10 + 1 edge × 29 + 1 000 pods.
    assert_eq!(scenario.series_columns(), 1_068);
    assert_eq!(
        scenario.max_series_buckets(),
        models::config::MAX_SERIES_CELLS / 1_068
    );
    // 1 s doubled until 100 000 s fit in 9 363 buckets: 16 s, 6 250 buckets.
    assert_eq!(scenario.series_bucket(), SimDuration::from_secs(16));
    let report = models::run(scenario.clone(), 1).report;
    assert_eq!(report.series.buckets, 6_250);
    // The count the ceiling is computed from is the count the run writes, with every cause
    // column (none here: nothing fails in an M/M/c without timeouts).
    assert_eq!(report.summary.clients[0].failed, 0);
    assert_eq!(
        report.series.columns.len() as u64 + models::causes::CAUSE_COLUMNS,
        scenario.series_columns()
    );
    let cells = report.series.buckets as u64 * report.series.columns.len() as u64;
    assert!(cells <= models::config::MAX_SERIES_CELLS, "{cells} cells");
    // A small scenario keeps its max_buckets.
    scenario.services[0].replicas = 1;
    assert_eq!(scenario.max_series_buckets(), 100_000);
}

/// Requests queued with no timer pending take memory (about 290 bytes each) without being
/// pending events: they count against `max_pending` as calls in flight. Before, a queue that
/// only grows was bounded by `max_events` alone (10⁸ requests, about 29 GB, at the defaults).
#[test]
fn requests_queued_without_a_timer_count_against_max_pending() {
    // 1 000 requests a second into one slot busy for 1 000 s, no timeout, a queue without end.
    let mut scenario = build::mmc(1_000.0, 0.001, 1, SimDuration::from_secs(100));
    scenario.services[0].steps = vec![build::work(sim_core::dist::Dist::constant(1_000.0).unwrap())];
    scenario.limits.max_pending = 10_000;
    let out = models::run(scenario, 1);
    assert!(
        matches!(
            out.limit,
            Some(sim_core::sim::LimitExceeded::MaxPending { limit: 10_000, .. })
        ),
        "{:?}",
        out.limit
    );
    assert_eq!(out.report.summary.stop.reason, "max_pending");
    // About 10 000 calls in flight: 10 s of arrivals.
    assert!(
        (9.0..11.0).contains(&out.report.summary.stop.at_s),
        "{}",
        out.report.summary.stop.at_s
    );
}

/// A capacity cut takes the cut pods' slots out of the service's capacity series while it
/// lasts (before, the series counted the configured slots of every pod up, so a pod cut to
/// 2 of 40 slots still counted 40).
#[test]
fn capacity_follows_a_capacity_cut() {
    use models::config::FaultKind;
    use sim_core::time::SimTime;
    let mut s = build::mmc(1.0, 10.0, 40, SimDuration::from_secs(60));
    s.services[0].replicas = 3;
    s.faults.push(build::fault(
        0,
        FaultKind::CapacityCut {
            slots: Some(2),
            multiplier: 1.0,
        },
        SimTime::from_secs(20),
        Some(SimTime::from_secs(40)),
    ));
    s.faults[0].pods = Some(1);
    let report = models::run(s, 1).report;
    let cap = report.series.num("service.station.capacity").expect("capacity");
    // Buckets of 10 s: the cut covers [20, 40) exactly.
    assert_eq!(report.series.bucket_s, 10.0);
    assert_eq!(cap[1], 120.0, "three pods of 40 before the cut: {cap:?}");
    assert_eq!(cap[2], 82.0, "one pod cut to 2: {cap:?}");
    assert_eq!(cap[3], 82.0, "{cap:?}");
    assert_eq!(cap[4], 120.0, "restored after the cut: {cap:?}");
}

/// An edge's outcome columns add up to its calls that ended, by kind and reason, and its
/// refusal columns to the summary's refusals.
#[test]
fn edge_outcome_columns_add_up_to_the_summary() {
    let mut s = build::mmc(9.0, 1.0, 5, SimDuration::from_secs(200));
    s.services[0].queue.capacity = 2;
    let report = models::run(s, 3).report;
    let e = &report.summary.edges[0];
    let total = |suffix: &str| -> f64 {
        let name = format!("edge.{}.{suffix}", e.name);
        report
            .series
            .num(&name)
            .unwrap_or_else(|| panic!("{name}"))
            .iter()
            .sum()
    };
    assert_eq!(total("ok"), e.counts.ok as f64);
    assert_eq!(total("degraded"), e.counts.degraded as f64);
    let by_reason: f64 = models::outcome::Failure::ALL
        .iter()
        .map(|f| total(&format!("failed.{}", f.name())))
        .sum();
    assert_eq!(by_reason, e.failed() as f64);
    assert_eq!(by_reason, total("failed"));
    assert!(e.failed() > 0, "the overloaded station rejects some calls");
    assert_eq!(
        total("rejected_breaker"),
        e.counts.rejections[Refusal::Breaker] as f64
    );
    assert_eq!(
        total("rejected_bulkhead"),
        e.counts.rejections[Refusal::Bulkhead] as f64
    );
    assert_eq!(
        total("rejected_budget"),
        e.counts.rejections[Refusal::Budget] as f64
    );
    for gauge in ["pool_in_use", "pool_waiters"] {
        assert!(total(gauge) >= 0.0, "{gauge}");
    }
    assert!(total("pool_in_use") > 0.0, "calls hold connections");
}
