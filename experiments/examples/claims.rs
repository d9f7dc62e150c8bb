//! Prints the figures docs/catalog.md quotes for each builtin's claim, over the seeds the
//! claims tests use: `cargo run --release -p experiments --example claims`.

use experiments::claims::{
    DEADLINE_RUNS, HerdFigures, SEEDS, breaker, bulkhead, cascade, deadline, discovery, erlang_c_wq, herd,
    herd_variant, metastable, mmc_wait_s, probes, wait_ci,
};

fn main() {
    herd_table();
    println!();
    cascade_table();
    for table in [
        deadline_table,
        breaker_table,
        bulkhead_table,
        metastable_table,
        probes_table,
        discovery_table,
        mmc_table,
    ] {
        println!();
        table();
    }
}

/// The mean of `f` over the runs.
fn mean<T>(runs: &[T], f: impl Fn(&T) -> f64) -> f64 {
    runs.iter().map(f).sum::<f64>() / runs.len() as f64
}

fn deadline_table() {
    println!("deadline (seeds {SEEDS:?}): means over the seeds");
    println!(
        "{:<42} {:>14} {:>16} {:>10} {:>14}",
        "run", "max latency ms", "wasted slot-s", "dropped", "ok/s 80-120 s"
    );
    for (label, overrides) in DEADLINE_RUNS {
        let runs: Vec<_> = SEEDS.iter().map(|&s| deadline(s, overrides)).collect();
        println!(
            "{label:<42} {:>14.0} {:>8.0} ({:>3.0}%) {:>10.0} {:>14.1}",
            mean(&runs, |r| r.max_latency_ms),
            mean(&runs, |r| r.wasted_work_s),
            100.0 * mean(&runs, |r| r.wasted_share),
            mean(&runs, |r| r.dropped_deadline as f64),
            mean(&runs, |r| r.ok_after),
        );
    }
}

fn breaker_table() {
    println!(
        "breaker (seeds {SEEDS:?}): closed again per seed; the other columns are means over \
         the seeds"
    );
    println!(
        "{:<44} {:>18} {:>11} {:>24} {:>16}",
        "run", "attempts/call down", "rejections", "closed, s after outage", "degraded/s 62+ s"
    );
    for overrides in [
        &[][..],
        &["policies.guarded.breaker.automatic_transition=true"][..],
        &["policies.guarded.breaker={kind=\"hystrix\"}"][..],
        &["policies.guarded.breaker=none"][..],
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| breaker(s, overrides)).collect();
        let closed: Vec<String> = runs
            .iter()
            .map(|r| r.closed_after_s.map_or("-".into(), |t| format!("{t:.1}")))
            .collect();
        println!(
            "{:<44} {:>18.3} {:>11.0} {:>24} {:>16.1}",
            overrides.first().copied().unwrap_or("as shipped"),
            mean(&runs, |r| r.attempts_per_call_down),
            mean(&runs, |r| r.breaker_rejections as f64),
            closed.join(","),
            mean(&runs, |r| r.degraded_after),
        );
    }
}

fn bulkhead_table() {
    println!("bulkhead (seeds {SEEDS:?}): means over the seeds");
    println!(
        "{:<36} {:>16} {:>14} {:>16} {:>16}",
        "run", "storage failed", "pool timeouts", "uploads failed", "uploads degraded"
    );
    for overrides in [&[][..], &["policies.classify.bulkhead=none"][..]] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| bulkhead(s, overrides)).collect();
        println!(
            "{:<36} {:>15.1}% {:>14.0} {:>15.1}% {:>15.1}%",
            overrides.first().copied().unwrap_or("as shipped"),
            100.0 * mean(&runs, |r| r.storage_failed_share),
            mean(&runs, |r| r.storage_pool_timeouts as f64),
            100.0 * mean(&runs, |r| r.uploads_failed_share),
            100.0 * mean(&runs, |r| r.uploads_degraded_share),
        );
    }
}

fn metastable_table() {
    println!("metastable (seeds {SEEDS:?}): 180-240 s, means over the seeds");
    println!("{:<48} {:>18} {:>14}", "run", "ok / offered", "attempts/req");
    for overrides in [
        &[][..],
        &["policies.client.retry.budget={kind=\"grpc\"}"][..],
        &["policies.client.retry.budget={kind=\"brooker\"}"][..],
        &["policies.client.retry.budget={kind=\"envoy\"}"][..],
        &["policies.client.retry.budget={kind=\"finagle\"}"][..],
        &["services.api.queue.order=lifo"][..],
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| metastable(s, overrides)).collect();
        println!(
            "{:<48} {:>17.1}% {:>14.2}",
            overrides.first().copied().unwrap_or("as shipped"),
            100.0 * mean(&runs, |r| r.goodput_share),
            mean(&runs, |r| r.amplification),
        );
    }
}

fn probes_table() {
    println!("probes (seeds {SEEDS:?}): restarts per seed; the other columns are means over the seeds");
    println!(
        "{:<40} {:>14} {:>22} {:>8} {:>22}",
        "run", "restarts", "failed/s 120-140 s", "failed", "degraded pod removed"
    );
    for overrides in [&[][..], &["services.orders.liveness.handler=[]"][..]] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| probes(s, overrides)).collect();
        let restarts: Vec<String> = runs.iter().map(|r| r.restarts.to_string()).collect();
        let removed = runs.iter().filter(|r| r.degraded_pod_removed).count();
        println!(
            "{:<40} {:>14} {:>22.1} {:>8.0} {:>17} of {}",
            overrides.first().copied().unwrap_or("as shipped"),
            restarts.join(","),
            mean(&runs, |r| r.failed_after),
            mean(&runs, |r| r.failed as f64),
            removed,
            runs.len(),
        );
    }
}

fn discovery_table() {
    println!("discovery (seeds {SEEDS:?}): means over the seeds");
    println!(
        "{:<56} {:>16} {:>8} {:>8}",
        "run", "connect timeouts", "failed", "p99 ms"
    );
    for overrides in [
        &[][..],
        &["services.backend.discovery={kind=\"registry\",lag=\"1s\"}"][..],
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| discovery(s, overrides)).collect();
        println!(
            "{:<56} {:>16.0} {:>8.0} {:>8.0}",
            overrides.first().copied().unwrap_or("as shipped (DNS, 30 s TTL)"),
            mean(&runs, |r| r.connect_timeouts as f64),
            mean(&runs, |r| r.failed as f64),
            mean(&runs, |r| r.p99_ms),
        );
    }
}

fn mmc_table() {
    let waits: Vec<f64> = SEEDS.iter().map(|&s| mmc_wait_s(s)).collect();
    let ci = wait_ci(&waits);
    let per_seed: Vec<String> = waits.iter().map(|w| format!("{w:.3}")).collect();
    println!("mmc (seeds {SEEDS:?}): mean wait in queue, s");
    println!("per seed: {}", per_seed.join(", "));
    println!(
        "mean {:.3}, 99% interval [{:.3}, {:.3}]; Erlang C {:.3}",
        ci.mean,
        ci.low(),
        ci.high(),
        erlang_c_wq()
    );
}

fn herd_table() {
    println!(
        "thundering-herd (seeds {SEEDS:?}): recovery after the restart per seed; \
         bunching: the CV of the workers' retries per 0.5 s bucket over the restart window \
         (30-60 s) per seed; the other columns are means over the seeds; waves: synchronized \
         retry waves from the restart on (as the anatomy tells them), with seed 1's times"
    );
    println!(
        "{:<24} {:>18} {:>24} {:>16} {:>10} {:>6} {:>16} {:>6} {:>8}  seed 1's waves, s",
        "backoff",
        "recovery s",
        "bunching (CV)",
        "peak arrivals/s",
        "rejected",
        "amp",
        "wasted slot-s",
        "waves",
        "largest",
    );
    for backoff in [
        "fixed",
        "exponential",
        "full_jitter",
        "equal_jitter",
        "decorrelated_jitter",
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| herd(backoff, s)).collect();
        herd_row(backoff, &runs);
    }
    // Redesigns tried to make exponential backoff's waves matter (docs/catalog.md).
    for (label, overrides) in [
        ("cold x3", &["faults.cold.multiplier=3"][..]),
        ("1500 workers", &["clients.workers.load.users=1500"][..]),
        ("read timeout 5s", &["policies.retry.timeouts.read=5s"][..]),
    ] {
        println!("thundering-herd, {label} ({}):", overrides.join(" "));
        for backoff in ["fixed", "exponential", "full_jitter"] {
            let runs: Vec<_> = SEEDS
                .iter()
                .map(|&s| herd_variant(backoff, s, overrides))
                .collect();
            herd_row(backoff, &runs);
        }
    }
}

fn herd_row(backoff: &str, runs: &[HerdFigures]) {
    let rec: Vec<String> = runs
        .iter()
        .map(|r| r.recovery_s.map_or("never".into(), |s| format!("{s:.0}")))
        .collect();
    let first: Vec<String> = runs[0]
        .wave_times_s
        .iter()
        .take(8)
        .map(|t| format!("{t}"))
        .collect();
    let cv: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.2}", r.retry_bunching_cv))
        .collect();
    println!(
        "{backoff:<24} {:>18} {:>24} {:>16.0} {:>10.0} {:>6.2} {:>9.0} ({:>3.0}%) {:>6.1} {:>8.0}  {}",
        rec.join(","),
        cv.join(","),
        mean(runs, |r| r.peak_arrivals_per_s),
        mean(runs, |r| r.rejected as f64),
        mean(runs, |r| r.amplification),
        mean(runs, |r| r.wasted_work_s),
        100.0 * mean(runs, |r| r.wasted_share),
        mean(runs, |r| r.waves as f64),
        mean(runs, |r| r.largest_wave),
        first.join(" ")
    );
}

fn cascade_table() {
    println!(
        "cascade / cascade-protected (seeds {SEEDS:?}): uploaders' goodput (ok + degraded) per \
         second, means over the seeds; from the bucket of the first breaker opening (60 s without \
         a breaker) to the end of the fault, with its range by seed, split into the buckets with a \
         breaker open (none half-open) and those with a breaker half-open (a trial)"
    );
    println!(
        "{:<44} {:>8} {:>8} {:>15} {:>10} {:>15} {:>15} {:>6} {:>5} {:>30}",
        "run",
        "before",
        "ok bef.",
        "from opening",
        "by seed",
        "open",
        "half-open",
        "share",
        "kills",
        "breaker opens, s"
    );
    let matched = ["policies.classify.timeouts.attempt=1s".to_string()];
    let code = ["policies.classify.breaker.half_open_trials=none".to_string()];
    let roomy = [
        code[0].clone(),
        "services.upload.slots=1000".to_string(),
        "services.upload.queue.capacity=1000".to_string(),
    ];
    for (name, overrides, label) in [
        ("cascade", &[][..], "cascade"),
        ("cascade-protected", &[][..], "cascade-protected"),
        (
            "cascade-protected",
            &matched[..],
            "cascade-protected, attempt timeout 1s",
        ),
        (
            "cascade-protected",
            &code[..],
            "cascade-protected, half_open_trials=none",
        ),
        ("cascade-protected", &roomy[..], "… and upload slots 1000"),
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| cascade(name, s, overrides)).collect();
        let before = mean(&runs, |r| r.before);
        let pct = |v: f64| format!("{v:.1} ({:.0}%)", 100.0 * v / before);
        let share: Vec<f64> = runs.iter().map(|r| 100.0 * r.after / r.before).collect();
        let (lo, hi) = share
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let open: Vec<String> = runs
            .iter()
            .map(|r| r.breaker_open_s.map_or("-".into(), |t| format!("{t:.1}")))
            .collect();
        println!(
            "{label:<44} {before:>8.1} {:>8.1} {:>15} {:>10} {:>15} {:>15} {:>6.3} {:>5.1} {:>30}",
            mean(&runs, |r| r.ok_before),
            pct(mean(&runs, |r| r.after)),
            format!("{lo:.0}–{hi:.0}%"),
            pct(mean(&runs, |r| r.open_goodput)),
            pct(mean(&runs, |r| r.trial_goodput)),
            mean(&runs, |r| r.trial_share),
            mean(&runs, |r| r.kills as f64),
            open.join(",")
        );
    }
}
