//! Phases of a fault and the verdict in `summary.json` (`faults[]`, models::phases): the herd's
//! restart is not recovered with a fixed retry and recovered with full jitter; a phase's
//! goodput is the time series' mean over it; a phase's p99 is the one computed by hand.

use experiments::claims::{mean_rate, run_builtin};
use experiments::run::{RunOptions, execute, resolve_source};
use models::phases::{FaultSummary, NOT_RECOVERED, RECOVERED};
use models::report::Report;

fn restart(r: &Report) -> &FaultSummary {
    let f = &r.summary.faults[0];
    assert_eq!(
        (f.name.as_str(), f.kind, f.service.as_str()),
        ("restart", "restart", "classification")
    );
    assert_eq!((f.window.from_s, f.window.until_s), (30.0, 60.0));
    f
}

/// thundering-herd: with its default fixed 1 s retry the restart is not recovered by the end of
/// the run (metastable); with full jitter it is, within 30 s of the restart's end (the bound of
/// the catalog's claim, tests/claims.rs: how fast varies by seed, the verdict is what is tested
/// here).
#[test]
fn the_herd_restart_is_metastable_with_a_fixed_retry_and_recovers_with_full_jitter() {
    for seed in 1..=3 {
        let fixed = run_builtin::<&str>("thundering-herd", seed, &[]);
        let c = &restart(&fixed.output.report).clients[0];
        assert_eq!(
            (c.recovered_s, c.verdict),
            (None, Some(NOT_RECOVERED)),
            "seed {seed}: {c:?}"
        );
        let jitter = run_builtin(
            "thundering-herd",
            seed,
            &["policies.retry.retry.backoff=full_jitter".to_string()],
        );
        let c = &restart(&jitter.output.report).clients[0];
        assert_eq!(c.verdict, Some(RECOVERED), "seed {seed}: {c:?}");
        assert!(
            c.recovered_s.is_some_and(|s| (0.0..=30.0).contains(&s)),
            "seed {seed}: {c:?}"
        );
        // The terminal summary says the same, one line per fault and client.
        let words =
            |f: &experiments::run::Finished| experiments::text::summary_table(&f.output.report.summary, "h");
        let (naive, jittered) = (words(&fixed), words(&jitter));
        let line = |t: &str| {
            let prefix = "fault restart on classification (30–60 s): workers goodput ";
            t.lines()
                .find(|l| l.starts_with(prefix))
                .map(str::to_owned)
                .expect(t)
        };
        assert!(line(&naive).contains(" → 0/s → "), "{naive}");
        assert!(
            line(&naive).ends_with("; not recovered by the end of the run (metastable)"),
            "{naive}"
        );
        let secs = c.recovered_s.unwrap();
        assert!(
            line(&jittered).ends_with(&format!("; recovered {secs} s after it ended")),
            "{jittered}"
        );
    }
}

/// A phase's goodput is the time series' goodput (ok + degraded per second) over the same
/// window: both count an answer when it finishes.
#[test]
fn phase_goodput_is_the_time_series_mean_over_the_phase() {
    let f = run_builtin(
        "thundering-herd",
        1,
        &["policies.retry.retry.backoff=full_jitter".to_string()],
    );
    let r = &f.output.report;
    let fault = restart(r);
    let c = &fault.clients[0];
    for p in [&c.before, &c.during, &c.after] {
        let series = mean_rate(r, "client.workers.ok", p.from_s, p.until_s)
            + mean_rate(r, "client.workers.degraded", p.from_s, p.until_s);
        assert!(p.goodput_per_s > 0.0 || p.from_s == 30.0, "{p:?}");
        assert!((p.goodput_per_s - series).abs() < 1e-9, "{p:?} against {series}");
    }
}

const TINY: &str = r#"
name = "tiny"
duration = "30s"
bucket = "1s"
network = { latency = "0s" }
[[clients]]
name = "c"
target = "s"
load = { kind = "open", rate = 10.0, arrivals = "constant" }
[[services]]
name = "s"
replicas = 1
slots = 1000
steps = [ { work = "100ms" } ]
[[faults]]
service = "s"
kind = "slow"
latency = "2s"
from = "10s"
until = "20s"
"#;

/// A tiny scenario worked by hand: requests start every 100 ms from 0.1 s and take 100 ms, or
/// 2 s when their work starts in [10 s, 20 s); no queueing (1000 slots), no network time.
/// before [0, 10): those started at 0.1 … 9.8 s: 98 answers, all 100 ms.
/// during [10, 20): the one started at 9.9 s (100 ms, its work began before the fault) and
/// those started at 10.0 … 17.9 s (80, 2 s): 81 answers; p99 is rank ⌈0.99 · 81⌉ = 81, the max.
/// after [20, 30): 20 started at 18.0 … 19.9 s (2 s) and 99 at 20.0 … 29.8 s (100 ms): 119;
/// p99 is rank ⌈0.99 · 119⌉ = 118, a 2 s one, p50 rank 60 a 100 ms one (within 1/128).
#[test]
fn phase_latency_and_counts_match_a_tiny_scenario_worked_by_hand() {
    let dir = std::env::temp_dir().join(format!("meshsim-phases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tiny.toml");
    std::fs::write(&path, TINY).expect("write scenario");
    let opts = RunOptions {
        source: resolve_source(path.to_str().expect("utf-8 path")).expect("a file"),
        overrides: vec![],
        seed: Some(1),
        trace: None,
        check_invariants: true,
    };
    let run = execute(&opts).expect("a valid scenario");
    std::fs::remove_dir_all(&dir).expect("clean up");
    let f = &run.output.report.summary.faults[0];
    assert_eq!((f.name.as_str(), f.kind), ("faults[0]", "slow"));
    let c = &f.clients[0];
    let (b, d, a) = (&c.before, &c.during, &c.after);
    assert_eq!((b.answered, d.answered, a.answered), (98, 81, 119));
    assert_eq!((b.failed, d.failed, a.failed), (0, 0, 0));
    assert_eq!(
        (b.from_s, b.until_s, d.until_s, a.until_s),
        (0.0, 10.0, 20.0, 30.0)
    );
    assert!((b.goodput_per_s - 9.8).abs() < 1e-12 && (a.goodput_per_s - 11.9).abs() < 1e-12);
    assert_eq!(
        (b.latency_answered_ms.p99, b.latency_answered_ms.max),
        (100.0, 100.0)
    );
    assert_eq!(d.latency_answered_ms.p99, 2000.0);
    let near = |v: f64, want: f64| (v - want).abs() <= want / 128.0;
    assert!(near(a.latency_answered_ms.p99, 2000.0), "{a:?}");
    assert!(near(a.latency_answered_ms.p50, 100.0), "{a:?}");
    // Goodput after (11.9/s) is above 90% of before (9.8/s) from the first bucket.
    assert_eq!((c.recovered_s, c.verdict), (Some(0.0), Some(RECOVERED)));
}
