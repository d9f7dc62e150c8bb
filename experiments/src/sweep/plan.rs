//! From a sweep file to a plan: the base scenario resolved, every point's overrides applied and
//! validated, every metric checked against every point, seeds derived. Nothing runs and
//! nothing is written until the whole plan is valid.

use std::collections::BTreeSet;
use std::path::Path;

use models::config::Scenario;
use serde::{Deserialize, Serialize};
use sim_core::rng::derive_seed;
use sim_core::time::SimDuration;

use crate::catalog;
use crate::output::VERSION;
use crate::scenario::error::{ErrorKind, Location, ReadError};
use crate::scenario::tree::{self, Origin};
use crate::scenario::{Override, ReadWarning, ScenarioError, ScenarioWarning, Source, load, load_tree};

use super::SweepError;
use super::metrics::{self, MetricError};
use super::spec::{self, Spec};
use super::values::{ValueKind, display};

/// The plan of a sweep as written to `sweep.json` (and inside each shard manifest): everything
/// needed to check run files and to render the final outputs, without the base scenario. It
/// holds no floating-point numbers, so it reads back exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFile {
    /// The meshsim version that planned it (runs of another version are refused).
    pub meshsim_version: String,
    /// The sweep's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// 16 hex digits identifying the sweep: FNV-1a of the version, the canonical sweep file
    /// and every point's scenario hash.
    pub sweep_hash: String,
    /// Master seed.
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    /// The base scenario.
    pub base: BaseInfo,
    /// Fixed overrides, `path=value`, applied to every point before the axes.
    pub set: Vec<String>,
    /// The axes, in file order.
    pub axes: Vec<AxisInfo>,
    /// Axis indices per dimension (a zip group or a lone axis); points are the grid product
    /// of the dimensions, the first dimension varying slowest.
    pub dimensions: Vec<Vec<usize>>,
    /// The metrics.
    pub metrics: Vec<MetricInfo>,
    /// The seed of replication `r`: `derive_seed(seed, r)`, the same at every point.
    pub replication_seeds: Vec<u64>,
    /// The points.
    pub points: Vec<PointInfo>,
    /// Points × replications.
    pub runs: u64,
}

/// The base scenario of a sweep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseInfo {
    /// As written in the sweep file (`base`).
    pub scenario: String,
    /// `builtin` or `file`.
    pub source: String,
    /// Hash of the base after `set` (the canonical-TOML hash of `docs/scenarios.md`).
    pub hash: String,
}

/// One axis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxisInfo {
    /// The scenario path it sets.
    pub path: String,
    /// Chart label.
    pub label: String,
    /// Zip group, if any.
    pub zip: Option<String>,
    /// `number`, `duration` or `text`.
    pub kind: ValueKind,
    /// Logarithmic x axis on charts.
    pub log: bool,
    /// The values as inline TOML (the value of each override).
    pub values: Vec<String>,
    /// Names shown instead of the values (`labels`), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl AxisInfo {
    /// Value `i` as shown in CSV cells, legends and ticks: its label, or the value (strings
    /// without quotes).
    pub fn shown(&self, i: usize) -> String {
        match self.labels.get(i) {
            Some(l) => l.clone(),
            None => display(&self.values[i]),
        }
    }
}

/// One metric.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricInfo {
    /// Path into the run summary.
    pub metric: String,
    /// Chart label.
    pub label: String,
    /// File-name slug of its charts.
    pub slug: String,
}

/// One point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointInfo {
    /// Point index.
    pub point: u64,
    /// Index of the value of each axis (in axis order).
    pub values: Vec<usize>,
    /// Hash of the point's effective scenario.
    pub scenario_hash: String,
}

impl PlanFile {
    /// The point and replication of run `index` (`index = point × replications + replication`).
    pub fn split(&self, index: u64) -> (u64, u64) {
        (index / self.replications, index % self.replications)
    }

    /// The value of axis `axis` at point `point`, as shown in CSV cells.
    pub fn value_display(&self, point: usize, axis: usize) -> String {
        self.axes[axis].shown(self.points[point].values[axis])
    }

    /// The value index of each dimension at point `point`.
    pub fn coords(&self, point: usize) -> Vec<usize> {
        self.dimensions
            .iter()
            .map(|d| self.points[point].values[d[0]])
            .collect()
    }

    /// The file text of `sweep.json`.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the plan serialises");
        s.push('\n');
        s
    }
}

/// A validated sweep, ready to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The serialisable description.
    pub file: PlanFile,
    /// The sweep file's text, verbatim (copied to `sweep.toml`).
    pub sweep_text: String,
    /// The base scenario's text, verbatim (copied to `base.toml`).
    pub base_text: String,
    /// The effective scenario of each point.
    pub scenarios: Vec<Scenario>,
    /// The points' scenario warnings, each once, located in the base scenario or in the sweep
    /// file's `set` or axis value that caused it (for the command line to print on stderr).
    pub warnings: Vec<ScenarioWarning>,
}

/// Reads the sweep file at `path` and plans it; `seed` overrides the file's seed.
pub fn load_sweep(path: &Path, seed: Option<u64>) -> Result<Plan, SweepError> {
    let text = crate::input::read_text(path, crate::input::MAX_INPUT_BYTES)
        .map_err(|e| SweepError::Input(e.message(path)))?;
    let source = Source::new(path.display().to_string(), text);
    let dir = path.parent().unwrap_or(Path::new(""));
    prepare(&source, dir, seed)
}

/// Plans the sweep in `source`; a relative `base` path is resolved against `dir`.
pub fn prepare(source: &Source, dir: &Path, seed: Option<u64>) -> Result<Plan, SweepError> {
    let spec = spec::parse(source).map_err(SweepError::Located)?;
    let seed = seed.unwrap_or(spec.seed);
    let (base, base_kind) = resolve_base(&spec, source, dir)?;
    let set: Vec<Override> = spec.set.iter().map(|s| s.o.clone()).collect();
    let base_tree = load_tree(&base, &set).map_err(|e| point_error(e, &spec, source, None))?;
    let base_hash = tree::hash_hex(&tree::canonical(&base_tree));

    let dims = spec::dimensions(&spec.axes);
    let Points {
        points,
        scenarios,
        warnings,
    } = load_points(&spec, source, &base, &set, &dims)?;

    check_metrics(&spec, source, &points, &scenarios)?;

    let file = PlanFile {
        meshsim_version: VERSION.to_string(),
        name: spec.name.clone(),
        description: spec.description.clone(),
        sweep_hash: sweep_hash(&spec, &points),
        seed,
        replications: spec.replications,
        base: BaseInfo {
            scenario: spec.base.clone(),
            source: base_kind.to_string(),
            hash: base_hash,
        },
        set: set.iter().map(Override::argument).collect(),
        axes: axis_infos(&spec),
        dimensions: dims,
        metrics: metric_infos(&spec),
        replication_seeds: (0..spec.replications).map(|r| derive_seed(seed, r)).collect(),
        runs: points.len() as u64 * spec.replications,
        points,
    };
    Ok(Plan {
        file,
        sweep_text: source.text.clone(),
        base_text: base.text,
        scenarios,
        warnings,
    })
}

/// Every point of the grid of `dims`, in order, loaded from `base` with the `set` overrides
/// then one override per axis: its description, its effective scenario and its warnings.
fn load_points(
    spec: &Spec,
    source: &Source,
    base: &Source,
    set: &[Override],
    dims: &[Vec<usize>],
) -> Result<Points, SweepError> {
    let lens: Vec<usize> = dims.iter().map(|d| spec.axes[d[0]].values.len()).collect();
    let n_points: usize = lens.iter().product();
    let mut points = Vec::with_capacity(n_points);
    let mut scenarios = Vec::with_capacity(n_points);
    let mut warnings: Vec<ScenarioWarning> = Vec::new();
    for p in 0..n_points {
        let coords = coords_of(p, &lens);
        let mut values = vec![0; spec.axes.len()];
        for (d, axes) in dims.iter().enumerate() {
            for &a in axes {
                values[a] = coords[d];
            }
        }
        let mut overrides = set.to_vec();
        for (a, axis) in spec.axes.iter().enumerate() {
            overrides.push(Override {
                path: axis.path.clone(),
                value: axis.values[values[a]].text.clone(),
            });
        }
        let loaded = load(base, &overrides).map_err(|e| point_error(e, spec, source, Some(&values)))?;
        for w in &loaded.warnings {
            let w = point_warning(w, spec, source, &values);
            if !warnings.contains(&w) {
                warnings.push(w);
            }
        }
        points.push(PointInfo {
            point: p as u64,
            values,
            scenario_hash: loaded.hash,
        });
        scenarios.push(loaded.scenario);
    }
    Ok(Points {
        points,
        scenarios,
        warnings,
    })
}

/// The points of a sweep, loaded.
struct Points {
    /// Each point's description.
    points: Vec<PointInfo>,
    /// Each point's effective scenario.
    scenarios: Vec<Scenario>,
    /// Their warnings, each once.
    warnings: Vec<ScenarioWarning>,
}

/// The sweep's identity: FNV-1a (16 hex digits) of the version, the canonical sweep file and
/// every point's scenario hash.
fn sweep_hash(spec: &Spec, points: &[PointInfo]) -> String {
    let mut identity = format!("meshsim {VERSION}\n{}\n", spec.canonical);
    for p in points {
        identity.push_str(&p.scenario_hash);
        identity.push('\n');
    }
    tree::hash_hex(&identity)
}

/// The axes as written to `sweep.json`.
fn axis_infos(spec: &Spec) -> Vec<AxisInfo> {
    spec.axes
        .iter()
        .map(|a| AxisInfo {
            path: a.path.clone(),
            label: a.label.clone(),
            zip: a.zip.clone(),
            kind: a.kind,
            log: a.log,
            values: a.values.iter().map(|v| v.text.clone()).collect(),
            labels: a.labels.clone(),
        })
        .collect()
}

/// The metrics as written to `sweep.json`, each with a unique file-name slug.
fn metric_infos(spec: &Spec) -> Vec<MetricInfo> {
    let slugs = metrics::unique_slugs(&spec.metrics.iter().map(|m| m.path.as_str()).collect::<Vec<_>>());
    spec.metrics
        .iter()
        .zip(slugs)
        .map(|(m, slug)| MetricInfo {
            metric: m.path.clone(),
            label: m.label.clone(),
            slug,
        })
        .collect()
}

/// Mixed-radix digits of `p`, the first dimension the most significant.
pub fn coords_of(mut p: usize, lens: &[usize]) -> Vec<usize> {
    let mut out = vec![0; lens.len()];
    for d in (0..lens.len()).rev() {
        out[d] = p % lens[d];
        p /= lens[d];
    }
    out
}

/// The base scenario named by `base`: a file relative to `dir` if there is one, else a
/// builtin; with `"file"` or `"builtin"`.
fn resolve_base(spec: &Spec, source: &Source, dir: &Path) -> Result<(Source, &'static str), SweepError> {
    let path = dir.join(&spec.base);
    if let Some(found) = catalog::file_or_builtin(&path, &spec.base) {
        return found.map_err(|e| SweepError::Input(e.message(&path)));
    }
    let names = catalog::names();
    let err = ReadError::new(
        ErrorKind::Reference,
        spec.base_origin,
        "base",
        format!(
            "a builtin ({}) or a scenario file relative to the sweep file",
            crate::scenario::reader::list(&names)
        ),
        format!(
            "\"{}\" (no such builtin, and no file {})",
            spec.base,
            path.display()
        ),
    );
    let err = err.with_help_opt(
        crate::scenario::reader::closest(&spec.base, names.iter().copied())
            .map(|n| format!("did you mean \"{n}\"?")),
    );
    Err(SweepError::Located(err.locate(source, &[])))
}

/// A scenario error at a point, told in terms of the sweep file: an error in a `set` entry or
/// an axis value is located there; anything else names the point and shows the scenario error.
fn point_error(e: ScenarioError, spec: &Spec, source: &Source, values: Option<&[usize]>) -> SweepError {
    if let Some((origin, at)) = sweep_origin(&e.location, spec, values) {
        let path = if e.path.is_empty() {
            at
        } else {
            format!("{at}: {}", e.path)
        };
        let err = ReadError::new(e.kind, origin, path, e.expected.clone(), e.found.clone());
        let err = err.with_help_opt(e.help.clone());
        return SweepError::Located(err.locate(source, &[]));
    }
    let point = match values {
        Some(v) => {
            let parts: Vec<String> = spec
                .axes
                .iter()
                .zip(v)
                .map(|(a, &i)| format!("{} = {}", a.path, a.values[i].text))
                .collect();
            format!("the point {}", parts.join(", "))
        }
        None => "the base scenario with `set`".to_string(),
    };
    SweepError::Input(format!(
        "error: {}: {point} is not a valid scenario:\n{e}",
        source.name
    ))
}

/// Where in the sweep file a `--set` location of a point's scenario comes from: the `set` entry
/// or the axis (its path, or the point's value), with that entry's key path; `None` for a
/// location in the base scenario.
fn sweep_origin(location: &Location, spec: &Spec, values: Option<&[usize]>) -> Option<(Origin, String)> {
    let Location::Override {
        index: Some(i),
        argument,
        span,
    } = location
    else {
        return None;
    };
    let i = *i;
    // The argument is `path=value`: a span inside the path blames the path.
    let in_path = span.end <= argument.find('=').unwrap_or(argument.len());
    if i < spec.set.len() {
        let s = &spec.set[i];
        return Some((if in_path { s.path_origin } else { s.origin }, s.at.clone()));
    }
    let a = i - spec.set.len();
    match (spec.axes.get(a), values) {
        (Some(axis), _) if in_path => Some((axis.path_origin, format!("axes[{a}].path"))),
        (Some(axis), Some(v)) => {
            let value = &axis.values[v[a]];
            Some((value.origin(), value.at.clone()))
        }
        _ => None,
    }
}

/// A point's warning, relocated into the sweep file when a `set` entry or an axis value caused
/// it (like [`point_error`]); a warning about the base scenario itself stays as it is.
fn point_warning(w: &ScenarioWarning, spec: &Spec, source: &Source, values: &[usize]) -> ScenarioWarning {
    match sweep_origin(&w.location, spec, Some(values)) {
        Some((origin, at)) => ReadWarning::new(
            origin,
            format!("{at}: {}", w.path),
            w.message.clone(),
            w.help.clone(),
        )
        .locate(source, &[]),
        None => w.clone(),
    }
}

/// Checks every metric against every point: each must lead to a number in the point's summary
/// (taken from a run of zero length, which has the full shape), and `recovery_s` needs a fault
/// after the first bucket.
fn check_metrics(
    spec: &Spec,
    source: &Source,
    points: &[PointInfo],
    scenarios: &[Scenario],
) -> Result<(), SweepError> {
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for (p, scenario) in scenarios.iter().enumerate() {
        // Points with the same scenario hash have the same shape.
        if !checked.insert(&points[p].scenario_hash) {
            continue;
        }
        let mut empty = scenario.clone();
        empty.duration = SimDuration::ZERO;
        let out = models::run(empty, 0);
        let summary = metrics::summary_value(&out.report, scenario);
        for m in &spec.metrics {
            let located = |e: MetricError| {
                let err = ReadError::new(ErrorKind::Value, m.origin, m.at.clone(), e.expected, e.found);
                let err = err.with_help_opt(e.help);
                SweepError::Located(err.locate(source, &[]))
            };
            metrics::extract(&summary, &m.path).map_err(located)?;
            if m.path.starts_with("client.")
                && m.path.ends_with(".recovery_s")
                && metrics::recovery_baseline_end(scenario).is_none()
            {
                let found = if points.len() > 1 {
                    format!("point {p} has no fault, or its first fault starts in the first bucket")
                } else {
                    "no fault, or a first fault that starts in the first bucket".to_string()
                };
                return Err(located(MetricError {
                    expected: "a scenario with a fault that starts after the first time-series bucket \
                               (recovery is measured against the goodput before it)"
                        .into(),
                    found,
                    help: None,
                }));
            }
        }
    }
    Ok(())
}
