//! Shared fixtures: a cascade-like incident timeline, a sweep chart and a heatmap.
#![allow(dead_code)]

use plots::*;

/// Deterministic noise in [-1, 1) from an integer (a small LCG hash, no floating-point libm).
pub fn noise(i: usize, salt: u64) -> f64 {
    let mut x = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(salt.wrapping_mul(1442695040888963407));
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

fn series(label: &str, n: usize, dashed: bool, f: impl Fn(usize, f64) -> f64) -> Series {
    Series {
        label: label.into(),
        values: (0..n).map(|i| f(i, i as f64 + 0.5)).collect(),
        dashed,
    }
}

fn span(a: f64, b: f64, state: usize) -> Span {
    Span {
        start_secs: a,
        end_secs: b,
        state,
    }
}

/// A 120 s cascade: classification turns slow at t = 30 s, upload pods fill up, liveness
/// probes time out, pods are killed and restart, retries amplify the load.
pub fn cascade() -> Timeline {
    let n = 120;
    let fault = |t: f64| (30.0..75.0).contains(&t);
    let offered = series("offered load", n, false, |i, _| 100.0 + 6.0 * noise(i, 1));
    let attempts = series("attempts (incl. retries)", n, true, |i, t| {
        let base = 100.0 + 6.0 * noise(i, 1);
        if fault(t) {
            base * (1.0 + 1.6 * ((t - 30.0) / 15.0).min(1.0)) + 10.0 * noise(i, 2)
        } else if (75.0..95.0).contains(&t) {
            base * (1.0 + 1.6 * (95.0 - t) / 20.0)
        } else {
            base
        }
    });
    let ok = series("ok", n, false, |i, t| {
        if fault(t) {
            (100.0 * (1.0 - (t - 30.0) / 12.0)).max(4.0 + 3.0 * noise(i, 3))
        } else if (75.0..90.0).contains(&t) {
            100.0 * (t - 75.0) / 15.0
        } else {
            96.0 + 3.0 * noise(i, 4)
        }
    });
    let degraded = series("degraded (fallback)", n, false, |i, t| {
        if fault(t) || (75.0..90.0).contains(&t) {
            18.0 + 4.0 * noise(i, 5)
        } else {
            2.0
        }
    });
    let timeout = series("failed: timeout", n, false, |i, t| {
        if fault(t) {
            45.0 + 10.0 * noise(i, 6)
        } else if (75.0..85.0).contains(&t) {
            20.0
        } else {
            0.0
        }
    });
    let killed = series("failed: pod killed", n, false, |i, t| {
        if (45.0..47.0).contains(&t) || (62.0..64.0).contains(&t) {
            60.0 + 5.0 * noise(i, 7)
        } else {
            0.0
        }
    });
    let rejected = series("failed: queue full", n, false, |i, t| {
        if (40.0..75.0).contains(&t) {
            25.0 + 8.0 * noise(i, 8)
        } else {
            0.0
        }
    });
    let in_flight = series("upload in flight", n, false, |i, t| {
        if fault(t) {
            (8.0 + (t - 30.0) * 6.0).min(64.0) - if (45.0..47.0).contains(&t) { 50.0 } else { 0.0 }
        } else {
            8.0 + 2.0 * noise(i, 9)
        }
    });
    let queued = series("upload queued", n, true, |i, t| {
        if (38.0..75.0).contains(&t) {
            80.0 + 20.0 * noise(i, 10)
        } else {
            0.0
        }
    });
    // Latency: no completions at all for a few buckets (NaN = gap).
    let p50 = series("p50", n, false, |i, t| {
        if (50.0..53.0).contains(&t) {
            f64::NAN
        } else if fault(t) {
            4000.0 + 1500.0 * noise(i, 11)
        } else {
            22.0 + 3.0 * noise(i, 12)
        }
    });
    let p99 = series("p99", n, false, |i, t| {
        if (50.0..53.0).contains(&t) {
            f64::NAN
        } else if fault(t) {
            15000.0 + 800.0 * noise(i, 13)
        } else {
            85.0 + 15.0 * noise(i, 14)
        }
    });
    let states = StateStyle::list(&[
        ("starting", Tone::Info),
        ("ready", Tone::Good),
        ("not ready", Tone::Warn),
        ("killed (liveness)", Tone::Bad),
    ]);
    let pods = vec![
        BandRow {
            label: "upload-0".into(),
            spans: vec![
                span(0.0, 41.0, 1),
                span(41.0, 45.0, 2),
                span(45.0, 46.0, 3),
                span(46.0, 58.0, 0),
                span(58.0, 120.0, 1),
            ],
        },
        BandRow {
            label: "upload-1".into(),
            spans: vec![
                span(0.0, 43.0, 1),
                span(43.0, 62.0, 2),
                span(62.0, 63.0, 3),
                span(63.0, 80.0, 0),
                span(80.0, 120.0, 1),
            ],
        },
        BandRow {
            label: "upload-2".into(),
            spans: vec![span(0.0, 39.0, 1), span(39.0, 76.0, 2), span(76.0, 120.0, 1)],
        },
    ];
    let breaker_states = StateStyle::list(&[
        ("closed", Tone::Good),
        ("half-open", Tone::Warn),
        ("open", Tone::Bad),
    ]);
    let breaker = vec![BandRow {
        label: "upload → classification".into(),
        spans: vec![
            span(0.0, 36.0, 0),
            span(36.0, 46.0, 2),
            span(46.0, 47.0, 1),
            span(47.0, 57.0, 2),
            span(57.0, 58.0, 1),
            span(58.0, 77.0, 2),
            span(77.0, 78.0, 1),
            span(78.0, 120.0, 0),
        ],
    }];
    Timeline {
        title: "cascade: slow classification takes upload down".into(),
        subtitle: "seed 42 · 3 upload pods × 16 threads · 100 requests/s · 1 s buckets".into(),
        notes: vec![],
        bucket_secs: 1.0,
        end_secs: 120.0,
        shaded: vec![Shade {
            start_secs: 30.0,
            end_secs: 75.0,
            label: "classification slow (15 s)".into(),
        }],
        panels: vec![
            Panel::Lines(LinePanel {
                title: "Offered load vs attempts".into(),
                y_label: "requests/s".into(),
                log_y: false,
                series: vec![offered, attempts],
                reference_lines: vec![],
            }),
            Panel::Stacked(StackedPanel {
                title: "Outcomes".into(),
                y_label: "requests/s".into(),
                layers: vec![ok, degraded, timeout, killed, rejected],
            }),
            Panel::Lines(LinePanel {
                title: "Upload concurrency".into(),
                y_label: "requests".into(),
                log_y: false,
                series: vec![in_flight, queued],
                reference_lines: vec![RefLine {
                    label: "capacity".into(),
                    value: 48.0,
                }],
            }),
            Panel::Lines(LinePanel {
                title: "Latency at the client".into(),
                y_label: "latency (ms)".into(),
                log_y: true,
                series: vec![p50, p99],
                reference_lines: vec![RefLine {
                    label: "client timeout".into(),
                    value: 10000.0,
                }],
            }),
            Panel::Bands(BandPanel {
                title: "Upload pods".into(),
                states,
                rows: pods,
            }),
            Panel::Bands(BandPanel {
                title: "Circuit breaker".into(),
                states: breaker_states,
                rows: breaker,
            }),
        ],
    }
}

/// Success rate against the retry count, one line per backoff strategy.
pub fn sweep() -> SweepChart {
    let strategies = ["no backoff", "exponential", "full jitter", "decorrelated jitter"];
    let lines = strategies
        .iter()
        .enumerate()
        .map(|(k, name)| SweepLine {
            label: (*name).into(),
            points: [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]
                .iter()
                .enumerate()
                .map(|(j, &x)| {
                    let gain: f64 = [0.2, 1.0, 1.6, 1.8][k];
                    let herd = if k == 0 { 4.0 * x } else { 0.0 };
                    let mean = (65.0 + 35.0 * (1.0 - 1.0 / (1.0 + gain * x / 2.0)) - herd).clamp(0.0, 100.0);
                    let half = 2.0 + 1.5 * noise(j + 10 * k, 20).abs() + if k == 0 { x } else { 0.0 };
                    SweepPoint {
                        x,
                        mean,
                        low: (mean - half).max(0.0),
                        high: (mean + half).min(100.0),
                    }
                })
                .collect(),
        })
        .collect();
    SweepChart {
        title: "Success rate vs retries (thundering herd, 1000 workers)".into(),
        x_label: "max retries per request".into(),
        y_label: "success rate (%)".into(),
        log_x: false,
        lines,
    }
}

/// Goodput over liveness timeout × probe period; one missing cell.
pub fn heatmap() -> Heatmap {
    let xs = ["0.5 s", "1 s", "2 s", "5 s", "10 s", "30 s"];
    let ys = ["2 s", "5 s", "10 s", "30 s"];
    let values = (0..ys.len())
        .map(|y| {
            (0..xs.len())
                .map(|x| {
                    if (x, y) == (5, 3) {
                        f64::NAN
                    } else {
                        (12.0 + 15.0 * x as f64 + 5.0 * y as f64 + 3.0 * noise(x + 7 * y, 30)).min(99.5)
                    }
                })
                .collect()
        })
        .collect();
    Heatmap {
        title: "Goodput by liveness timeout and probe period".into(),
        x_label: "liveness probe timeout".into(),
        y_label: "probe period".into(),
        x_ticks: xs.iter().map(|s| s.to_string()).collect(),
        y_ticks: ys.iter().map(|s| s.to_string()).collect(),
        values,
        value_label: "goodput (% of offered)".into(),
    }
}

/// Writes `bytes` to `$PLOTS_OUT/name` when that variable is set (for looking at the charts).
pub fn maybe_write(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("PLOTS_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create PLOTS_OUT");
        std::fs::write(dir.join(name), bytes).expect("write chart");
    }
}

fn node(kind: NodeKind, name: &str, details: &[&str], faults: &[&str]) -> Node {
    Node {
        kind,
        name: name.into(),
        details: details.iter().map(|d| d.to_string()).collect(),
        faults: faults.iter().map(|f| f.to_string()).collect(),
        tooltip: format!("{name}\n{}", details.join("\n")),
    }
}

fn arrow(from: usize, to: usize, policy: &str, summary: &[&str]) -> Arrow {
    Arrow {
        from,
        to,
        policy: policy.into(),
        summary: summary.iter().map(|s| s.to_string()).collect(),
        tooltip: format!("{from}→{to} <{policy}> & more"),
    }
}

/// The cascade's call graph: a client calls upload, which calls classification (slow from
/// 30 s) and storage.
pub fn topology() -> Topology {
    Topology {
        title: "cascade: topology".into(),
        subtitle: "scenario 0123456789abcdef · 1 client · 3 services · 3 edges".into(),
        notes: vec![],
        nodes: vec![
            node(
                NodeKind::Client,
                "uploaders",
                &["closed loop, 150 users, think exponential, mean 1s"],
                &[],
            ),
            node(
                NodeKind::Service,
                "upload",
                &["2 replicas × 50 slots", "queue 100"],
                &[],
            ),
            node(
                NodeKind::Service,
                "classification",
                &["2 replicas × 100 slots", "queue 1000"],
                &["⚠ slow (15s), from 30s"],
            ),
            node(
                NodeKind::Service,
                "storage",
                &["3 replicas × 200 slots", "queue 1000"],
                &[],
            ),
        ],
        arrows: vec![
            arrow(0, 1, "uploaders-default", &["no timeouts", "deadline 30s"]),
            arrow(1, 2, "naive", &["no timeouts"]),
            arrow(
                1,
                3,
                "storage",
                &["timeout read 10s, connect 2s (+2 more)", "bulkhead 50"],
            ),
        ],
    }
}
