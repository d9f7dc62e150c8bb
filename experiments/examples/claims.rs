//! Prints the figures docs/catalog.md quotes for each builtin's claim, over the seeds the
//! claims tests use: `cargo run --release -p experiments --example claims`.

use experiments::claims::{SEEDS, cascade, herd};

fn main() {
    herd_table();
    println!();
    cascade_table();
}

fn herd_table() {
    println!(
        "thundering-herd (seeds {SEEDS:?}): recovery after the restart per seed; \
         the other columns are means over the seeds"
    );
    println!(
        "{:<24} {:>18} {:>16} {:>10} {:>6} {:>16}",
        "backoff", "recovery s", "peak arrivals/s", "rejected", "amp", "wasted slot-s"
    );
    for backoff in [
        "fixed",
        "exponential",
        "full_jitter",
        "equal_jitter",
        "decorrelated_jitter",
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| herd(backoff, s)).collect();
        let rec: Vec<String> = runs
            .iter()
            .map(|r| r.recovery_s.map_or("never".into(), |s| format!("{s:.0}")))
            .collect();
        let peak = runs.iter().map(|r| r.peak_arrivals_per_s).sum::<f64>() / runs.len() as f64;
        let rej = runs.iter().map(|r| r.rejected).sum::<u64>() / runs.len() as u64;
        let amp = runs.iter().map(|r| r.amplification).sum::<f64>() / runs.len() as f64;
        let wasted = runs.iter().map(|r| r.wasted_work_s).sum::<f64>() / runs.len() as f64;
        let share = runs.iter().map(|r| r.wasted_share).sum::<f64>() / runs.len() as f64;
        println!(
            "{backoff:<24} {:>18} {peak:>16.0} {rej:>10} {amp:>6.2} {wasted:>9.0} ({:>3.0}%)",
            rec.join(","),
            100.0 * share
        );
    }
}

fn cascade_table() {
    println!("cascade / cascade-protected (seeds {SEEDS:?}): uploaders' goodput (ok + degraded)");
    println!(
        "{:<52} {:>9} {:>16} {:>6} {:>18}",
        "run", "before/s", "after 60 s, /s", "kills", "breaker opens, s"
    );
    let matched = ["policies.classify.timeouts.attempt=1s".to_string()];
    for (name, overrides, label) in [
        ("cascade", &[][..], "cascade"),
        ("cascade-protected", &[][..], "cascade-protected"),
        (
            "cascade-protected",
            &matched[..],
            "cascade-protected, attempt timeout 1s",
        ),
    ] {
        let runs: Vec<_> = SEEDS.iter().map(|&s| cascade(name, s, overrides)).collect();
        let n = runs.len() as f64;
        let before = runs.iter().map(|r| r.before).sum::<f64>() / n;
        let after = runs.iter().map(|r| r.after).sum::<f64>() / n;
        let kills = runs.iter().map(|r| r.kills).sum::<usize>() as f64 / n;
        let open: Vec<String> = runs
            .iter()
            .map(|r| r.breaker_open_s.map_or("-".into(), |t| format!("{t:.1}")))
            .collect();
        println!(
            "{label:<52} {before:>9.1} {after:>9.1} ({:>3.0}%) {kills:>6.1} {:>18}",
            100.0 * after / before,
            open.join(",")
        );
    }
}
