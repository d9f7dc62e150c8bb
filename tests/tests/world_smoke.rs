//! Smoke tests of the world built in code (no scenario file).

use sim_core::stats::theory::mmc_wq;
use sim_core::time::SimDuration;
use tests::build;

#[test]
fn mmc_world_is_close_to_erlang_c() {
    let (lambda, mu, c) = (9.0, 1.0, 10);
    let out = models::run(build::mmc(lambda, mu, c, SimDuration::from_secs(20_000)), 3);
    let s = &out.report.summary;
    assert!(out.limit.is_none());
    let wq = s.services[0].queue_wait_ms.mean / 1000.0;
    let theory = mmc_wq(lambda, mu, c);
    println!("{:#?}", s.clients[0]);
    println!("Wq {wq} theory {theory} events {}", s.events);
    assert!((wq - theory).abs() / theory < 0.1);
}
