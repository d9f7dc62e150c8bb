//! Prints the figures docs/catalog.md quotes for each builtin's claim, over the seeds the
//! claims tests use: `cargo run --release -p experiments --example claims`.

use experiments::claims::{SEEDS, herd};

fn main() {
    println!("thundering-herd (seeds {SEEDS:?}): recovery after the restart, peak arrivals");
    println!(
        "{:<24} {:>18} {:>16} {:>10} {:>6}",
        "backoff", "recovery s", "peak arrivals/s", "rejected", "amp"
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
        println!(
            "{backoff:<24} {:>18} {peak:>16.0} {rej:>10} {amp:>6.2}",
            rec.join(",")
        );
    }
}
