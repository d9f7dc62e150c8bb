//! The world built in code (no scenario file): time-series buckets widen to fit
//! `limits.max_buckets` without changing anything but the series' resolution.

use sim_core::time::SimDuration;
use tests::build;

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
