//! The final outputs of a sweep, rendered in memory from the plan and every run in index
//! order: `runs.csv`, `points.csv`, `sweep.json`, and per metric a chart (and a heatmap for
//! two dimensions) as SVG and PNG. The same plan and runs give the same bytes, however the runs
//! were produced (threads, resume, shards).

use std::collections::BTreeMap;

use plots::{Heatmap, SweepChart, SweepLine, SweepPoint};
use rayon::prelude::*;
use sim_core::stats::ci::Welford;

use super::SweepError;
use super::plan::PlanFile;
use super::runs::RunRecord;
use super::values::{ValueKind, x_of};
use crate::output::Csv;

/// The confidence level of the intervals.
pub const LEVEL: f64 = 0.95;

/// Mean and 95% interval of one metric at one point.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Stat {
    /// Mean over the replications (NaN if any replication has no value).
    pub mean: f64,
    /// Lower end of the Student-t 95% interval (NaN with one replication).
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The statistics of every metric at every point: `stats[point][metric]`. Values are
/// accumulated in replication order, one point at a time.
pub fn stats(plan: &PlanFile, runs: &[RunRecord]) -> Vec<Vec<Stat>> {
    let reps = plan.replications as usize;
    (0..plan.points.len())
        .map(|p| {
            (0..plan.metrics.len())
                .map(|m| {
                    let mut w = Welford::new();
                    for r in 0..reps {
                        w.push(runs[p * reps + r].values[m]);
                    }
                    match w.ci(LEVEL) {
                        Some(ci) => Stat {
                            mean: ci.mean,
                            low: ci.low(),
                            high: ci.high(),
                        },
                        None => Stat {
                            mean: w.mean(),
                            low: f64::NAN,
                            high: f64::NAN,
                        },
                    }
                })
                .collect()
        })
        .collect()
}

/// `runs.csv`: one row per run, in run order.
pub fn runs_csv(plan: &PlanFile, runs: &[RunRecord]) -> String {
    let mut out = Csv::new();
    for h in ["run", "point", "replication", "seed", "scenario_hash"] {
        out.field(h);
    }
    for a in &plan.axes {
        out.field(&a.path);
    }
    out.field("stop");
    for m in &plan.metrics {
        out.field(&m.metric);
    }
    out.end_row();
    for r in runs {
        let f = &r.file;
        for n in [f.run, f.point, f.replication, f.run_seed] {
            out.field(&n.to_string());
        }
        out.field(&f.scenario_hash);
        for a in 0..plan.axes.len() {
            out.field(&plan.value_display(f.point as usize, a));
        }
        out.field(&f.stop);
        for v in &r.values {
            out.num(*v);
        }
        out.end_row();
    }
    out.finish()
}

/// `points.csv`: one row per point, with each metric's mean and 95% interval.
pub fn points_csv(plan: &PlanFile, stats: &[Vec<Stat>]) -> String {
    let mut out = Csv::new();
    out.field("point");
    out.field("scenario_hash");
    for a in &plan.axes {
        out.field(&a.path);
    }
    out.field("replications");
    for m in &plan.metrics {
        for suffix in ["mean", "ci95_low", "ci95_high"] {
            out.field(&format!("{}.{suffix}", m.metric));
        }
    }
    out.end_row();
    for (p, point) in plan.points.iter().enumerate() {
        out.field(&point.point.to_string());
        out.field(&point.scenario_hash);
        for a in 0..plan.axes.len() {
            out.field(&plan.value_display(p, a));
        }
        out.field(&plan.replications.to_string());
        for s in &stats[p] {
            out.num(s.mean);
            out.num(s.low);
            out.num(s.high);
        }
        out.end_row();
    }
    out.finish()
}

/// The value of dimension `d` at value index `i`, as shown on charts: `a` or `a / b` for zips.
fn dim_value(plan: &PlanFile, d: usize, i: usize) -> String {
    plan.dimensions[d]
        .iter()
        .map(|&a| plan.axes[a].shown(i))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The label of dimension `d`: its axes' labels joined.
fn dim_label(plan: &PlanFile, d: usize) -> String {
    plan.dimensions[d]
        .iter()
        .map(|&a| plan.axes[a].label.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The x-axis label: the first dimension's label, with `(s)` for durations and the positions
/// of text values.
fn x_label(plan: &PlanFile) -> String {
    let axis = &plan.axes[plan.dimensions[0][0]];
    let label = dim_label(plan, 0);
    match axis.kind {
        ValueKind::Number => label,
        ValueKind::Duration => format!("{label} (s)"),
        ValueKind::Text => {
            let n = axis.values.len();
            let names: Vec<String> = (0..n)
                .map(|i| format!("{} = {}", i + 1, dim_value(plan, 0, i)))
                .collect();
            format!("{label} ({})", names.join(", "))
        }
    }
}

/// The sweep chart of metric `m`: the metric against the first dimension, one line per
/// combination of the other dimensions' values.
pub fn sweep_chart(plan: &PlanFile, stats: &[Vec<Stat>], m: usize) -> SweepChart {
    let first = &plan.axes[plan.dimensions[0][0]];
    let mut lines: BTreeMap<Vec<usize>, Vec<SweepPoint>> = BTreeMap::new();
    for (p, point_stats) in stats.iter().enumerate() {
        let coords = plan.coords(p);
        let s = point_stats[m];
        lines.entry(coords[1..].to_vec()).or_default().push(SweepPoint {
            x: x_of(first.kind, &first.values[coords[0]], coords[0]),
            mean: s.mean,
            low: s.low,
            high: s.high,
        });
    }
    let metric = &plan.metrics[m];
    let lines = lines
        .into_iter()
        .map(|(rest, points)| {
            let label = if rest.is_empty() {
                metric.label.clone()
            } else {
                rest.iter()
                    .enumerate()
                    .map(|(k, &i)| format!("{} = {}", dim_label(plan, k + 1), dim_value(plan, k + 1, i)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            SweepLine { label, points }
        })
        .collect();
    SweepChart {
        title: format!("{} vs {}", metric.label, dim_label(plan, 0)),
        x_label: x_label(plan),
        y_label: metric.label.clone(),
        log_x: first.log,
        lines,
    }
}

/// The heatmap of metric `m` over the two dimensions (columns: the first, rows: the second).
pub fn heatmap(plan: &PlanFile, stats: &[Vec<Stat>], m: usize) -> Heatmap {
    let nx = plan.axes[plan.dimensions[0][0]].values.len();
    let ny = plan.axes[plan.dimensions[1][0]].values.len();
    let mut values = vec![vec![f64::NAN; nx]; ny];
    for (p, point_stats) in stats.iter().enumerate() {
        let c = plan.coords(p);
        values[c[1]][c[0]] = point_stats[m].mean;
    }
    let metric = &plan.metrics[m];
    Heatmap {
        title: metric.label.clone(),
        x_label: dim_label(plan, 0),
        y_label: dim_label(plan, 1),
        x_ticks: (0..nx).map(|i| dim_value(plan, 0, i)).collect(),
        y_ticks: (0..ny).map(|i| dim_value(plan, 1, i)).collect(),
        values,
        value_label: format!(
            "mean of {} replication{}",
            plan.replications,
            if plan.replications == 1 { "" } else { "s" }
        ),
    }
}

/// Every final file, `(path relative to the output directory, bytes)`, in a fixed order.
/// `runs` must hold every run of the plan, in index order. Charts are drawn in parallel on the
/// current rayon pool; each is a pure function of its data.
pub fn render(
    plan: &PlanFile,
    runs: &[RunRecord],
    sweep_text: &str,
    base_text: &str,
) -> Result<Vec<(String, Vec<u8>)>, SweepError> {
    assert_eq!(runs.len() as u64, plan.runs, "render needs every run");
    let stats = stats(plan, runs);
    let mut files = vec![
        ("sweep.toml".to_string(), sweep_text.as_bytes().to_vec()),
        ("base.toml".to_string(), base_text.as_bytes().to_vec()),
        ("sweep.json".to_string(), plan.to_json().into_bytes()),
        ("runs.csv".to_string(), runs_csv(plan, runs).into_bytes()),
        ("points.csv".to_string(), points_csv(plan, &stats).into_bytes()),
    ];
    // One job per image (not per metric), so the pool stays busy to the end.
    enum Image {
        Chart(SweepChart),
        Heatmap(Heatmap),
    }
    let mut jobs: Vec<(String, &Image, bool)> = Vec::new();
    let images: Vec<(String, Image)> = (0..plan.metrics.len())
        .flat_map(|m| {
            let slug = &plan.metrics[m].slug;
            let mut v = vec![(slug.clone(), Image::Chart(sweep_chart(plan, &stats, m)))];
            if plan.dimensions.len() == 2 {
                v.push((
                    format!("{slug}.heatmap"),
                    Image::Heatmap(heatmap(plan, &stats, m)),
                ));
            }
            v
        })
        .collect();
    for (stem, image) in &images {
        jobs.push((format!("charts/{stem}.svg"), image, false));
        jobs.push((format!("charts/{stem}.png"), image, true));
    }
    let drawn: Vec<Result<(String, Vec<u8>), plots::PlotError>> = jobs
        .into_par_iter()
        .map(|(name, image, png)| {
            let bytes = match (image, png) {
                (Image::Chart(c), false) => plots::sweep_svg(c)?.into_bytes(),
                (Image::Chart(c), true) => plots::sweep_png(c)?,
                (Image::Heatmap(h), false) => plots::heatmap_svg(h)?.into_bytes(),
                (Image::Heatmap(h), true) => plots::heatmap_png(h)?,
            };
            Ok((name, bytes))
        })
        .collect();
    for d in drawn {
        files.push(d.map_err(|e| SweepError::Internal(format!("drawing a chart: {e}")))?);
    }
    Ok(files)
}
