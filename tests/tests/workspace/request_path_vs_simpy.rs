//! meshsim against SimPy on the request path with timeouts and retries: `bench/request_path.toml`
//! run by meshsim must give the figures that `bench/request_path_simpy.py` (the same model,
//! written idiomatically in SimPy 4) gave in its committed results,
//! `bench/request_path_simpy.json` — request rate, fraction answered, attempts per request and
//! mean latency of the answered requests — each within the two runs' combined 95% interval.
//!
//! The SimPy file gives each figure's 95% half-width from 20 batch means. meshsim runs the same
//! scenario with seeds 1 to 5 (independent replications, each as long as the SimPy run), and its
//! figure is their mean with a 95% half-width from their spread (Student's t, 4 degrees of
//! freedom). The two must differ by at most the combined half-width,
//! `sqrt(simpy² + meshsim²)`: a model difference of a few tenths of a percent in attempts per
//! request or in latency (a wrong retry count, backoff or timeout moves them by far more) fails.

use std::path::PathBuf;

use experiments::run::{RunOptions, execute, resolve_source};

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// `(mean, half-width)` of one figure of the SimPy results.
fn simpy_figure(results: &serde_json::Value, name: &str) -> (f64, f64) {
    let figure = &results[name];
    let mean = figure["mean"].as_f64().unwrap_or_else(|| panic!("{name}.mean"));
    let half = figure["ci95_half_width"]
        .as_f64()
        .unwrap_or_else(|| panic!("{name}.ci95_half_width"));
    (mean, half)
}

/// The figures the SimPy script reports, from one meshsim run of the scenario.
fn meshsim_figures(seed: u64, simpy_duration_s: f64) -> [(&'static str, f64); 4] {
    let scenario = repo_file("bench/request_path.toml");
    let options = RunOptions {
        source: resolve_source(scenario.to_str().expect("a UTF-8 path")).expect("the scenario"),
        overrides: Vec::new(),
        seed: Some(seed),
        trace: None,
        check_invariants: false,
    };
    let finished = execute(&options).expect("the scenario loads");
    let summary = &finished.output.report.summary;
    assert_eq!(
        summary.duration_s, simpy_duration_s,
        "both runs cover the same simulated time"
    );
    let client = &summary.clients[0];
    let edge = summary
        .edges
        .iter()
        .find(|e| e.callee == "back")
        .expect("the front -> back edge");
    let requests = client.requests as f64;
    [
        ("request_rate_per_s", requests / summary.duration_s),
        ("ok_fraction", client.ok as f64 / requests),
        ("attempts_per_request", edge.counts.attempts as f64 / requests),
        ("mean_latency_s", client.latency_ok_ms.mean / 1e3),
    ]
}

/// Student's t, 0.975 quantile, 4 degrees of freedom (5 replications).
const T_4: f64 = 2.776;

#[test]
fn meshsim_agrees_with_simpy_on_the_request_path() {
    let text = std::fs::read_to_string(repo_file("bench/request_path_simpy.json"))
        .expect("bench/request_path_simpy.json");
    let simpy: serde_json::Value = serde_json::from_str(&text).expect("SimPy results are JSON");
    let duration_s = simpy["duration_s"].as_f64().expect("duration_s");
    let runs: Vec<[(&str, f64); 4]> = (1..=5).map(|seed| meshsim_figures(seed, duration_s)).collect();
    let mut failures = Vec::new();
    for (k, (name, _)) in runs[0].iter().enumerate() {
        let values: Vec<f64> = runs.iter().map(|r| r[k].1).collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        let half = T_4 * (var / n).sqrt();
        let (simpy_mean, simpy_half) = simpy_figure(&simpy, name);
        let tolerance = (half * half + simpy_half * simpy_half).sqrt();
        println!("{name}: meshsim {mean:.6} ± {half:.6}, SimPy {simpy_mean:.6} ± {simpy_half:.6}");
        if (mean - simpy_mean).abs() > tolerance {
            failures.push(format!(
                "{name}: meshsim {mean} ± {half}, SimPy {simpy_mean} ± {simpy_half}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "outside the combined 95% interval: {failures:?}"
    );
}
