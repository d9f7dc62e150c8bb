//! The sweep file: TOML read with the scenario module's tree and typed reader, so every mistake
//! is reported with the file, line, column and key path (see `docs/sweeps.md` for the format).
//!
//! ```toml
//! name = "liveness-timeout-vs-latency"
//! base = "cascade"            # a builtin, or a scenario file relative to the sweep file
//! seed = 7
//! replications = 5
//! set = { duration = "300s" }
//! metrics = ["service.upload.kills", { metric = "client.uploaders.goodput_per_s", label = "goodput (req/s)" }]
//!
//! [[axes]]
//! path = "services.upload.liveness.timeout"
//! values = ["1s", "5s", "10s"]
//!
//! [[axes]]
//! path = "faults[0].latency"
//! range = { from = "1s", to = "15s", step = "2s" }
//! ```
//!
//! This module reads the top-level keys, `set` and `metrics`; `axes` reads the axes.

mod axes;

use crate::scenario::error::{ErrorKind, ReadError};
use crate::scenario::overrides::parse_path;
use crate::scenario::reader::{Item, TableReader};
use crate::scenario::tree::{self, Node, Origin, Value};
use crate::scenario::{Override, ScenarioError, Source};

use super::values::{AxisValue, ValueKind};
use axes::read_axes;

/// The most points a sweep may have (a guard against a typo such as `step = "1ns"`).
pub const MAX_POINTS: usize = 100_000;
/// The most replications.
pub const MAX_REPLICATIONS: u64 = 100_000;

/// A parsed sweep file (not yet checked against its base scenario).
#[derive(Clone, Debug)]
pub struct Spec {
    /// The sweep's name (`name`).
    pub name: String,
    /// What the sweep asks (`description`, default empty).
    pub description: String,
    /// The base scenario as written: a builtin name or a path relative to the sweep file.
    pub base: String,
    /// Where `base` is in the file.
    pub base_origin: Origin,
    /// Master seed (`seed`, default 1).
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    /// Fixed overrides applied to every point, in file order.
    pub set: Vec<SetEntry>,
    /// The metrics to report.
    pub metrics: Vec<MetricSpec>,
    /// The axes, in file order.
    pub axes: Vec<AxisSpec>,
    /// The sweep file rendered canonically (comments and layout dropped): hashed into the
    /// sweep's identity.
    pub canonical: String,
}

/// One fixed override of `set`.
#[derive(Clone, Debug)]
pub struct SetEntry {
    /// The override.
    pub o: Override,
    /// Where its value is in the sweep file.
    pub origin: Origin,
    /// Where its path is in the sweep file.
    pub path_origin: Origin,
    /// Its key path in the sweep file, e.g. `set.duration` or `set[1]`.
    pub at: String,
}

/// One metric to report.
#[derive(Clone, Debug)]
pub struct MetricSpec {
    /// Path into the run summary, e.g. `client.uploaders.goodput_per_s`.
    pub path: String,
    /// Label for charts (default: the path).
    pub label: String,
    /// Where it is in the sweep file.
    pub origin: Origin,
    /// Its key path in the sweep file, e.g. `metrics[2]`.
    pub at: String,
}

/// One axis.
#[derive(Clone, Debug)]
pub struct AxisSpec {
    /// The scenario path it sets (an override path, as for `--set`).
    pub path: String,
    /// Where the path is in the sweep file.
    pub path_origin: Origin,
    /// Label for charts and legends (default: the path).
    pub label: String,
    /// Axes with the same zip name vary together.
    pub zip: Option<String>,
    /// Draw charts with a logarithmic x axis (default: true for a range with `factor`).
    pub log: bool,
    /// What the values are.
    pub kind: ValueKind,
    /// The values, in order.
    pub values: Vec<AxisValue>,
    /// Names to show instead of the values (CSV cells, legends, ticks); empty: the values.
    pub labels: Vec<String>,
}

/// Reads a sweep file.
pub fn parse(source: &Source) -> Result<Spec, ScenarioError> {
    let locate = |e: ReadError| e.locate(source, &[]);
    let root = tree::parse_document(&source.text).map_err(locate)?;
    let mut spec = read(&root).map_err(locate)?;
    spec.canonical = tree::canonical(&root);
    Ok(spec)
}

/// The sweep file's top-level table.
fn read(root: &Node) -> Result<Spec, ReadError> {
    let mut t = TableReader::new(root, "")?;
    let name = t.required("name")?.as_str()?.to_string();
    let description = t.optional_or("description", String::new(), |d| Ok(d.as_str()?.to_string()))?;
    let base_item = t.required("base")?;
    let base = base_item.as_str()?.to_string();
    if base.is_empty() {
        return Err(base_item.value_error("a builtin name or a scenario file"));
    }
    let seed = t.optional_or("seed", 1, |s| s.as_seed())?;
    let reps_item = t.required("replications")?;
    let replications = reps_item.as_u64_at_least(1)?;
    if replications > MAX_REPLICATIONS {
        return Err(reps_item.value_error(format!("at most {MAX_REPLICATIONS} replications")));
    }
    let set = t.optional_or("set", Vec::new(), read_set)?;
    let metrics_item = t.required("metrics")?;
    let metrics = read_metrics(&metrics_item)?;
    let axes_item = t.required("axes")?;
    let axes = read_axes(&axes_item)?;
    t.finish()?;
    Ok(Spec {
        name,
        description,
        base,
        base_origin: base_item.origin(),
        seed,
        replications,
        set,
        metrics,
        axes,
        canonical: String::new(),
    })
}

/// `set` is a table whose keys are override paths (nested tables are joined with `.`), or an
/// array of `"path=value"` strings, exactly like `--set`.
fn read_set(item: &Item<'_>) -> Result<Vec<SetEntry>, ReadError> {
    let mut out = Vec::new();
    match &item.node.value {
        Value::Table(_) => flatten_set(item.node, "", &item.path, &mut out)?,
        Value::Array(_) => {
            for el in item.as_array()? {
                let text = el.as_str()?;
                let o = Override::parse(text).map_err(|e| {
                    el.error(
                        ErrorKind::Override,
                        "`path=value`, as for `--set`, e.g. \"services.upload.replicas=3\"",
                        format!("{} ({})", el.node.describe(), e.message()),
                    )
                })?;
                out.push(SetEntry {
                    o,
                    origin: el.origin(),
                    path_origin: el.origin(),
                    at: el.path.clone(),
                });
            }
        }
        _ => {
            return Err(item.type_error(
                "a table of overrides such as { duration = \"300s\" }, or an array of \"path=value\" strings",
            ));
        }
    }
    Ok(out)
}

/// The entries of a `set` table under `prefix` (a path, `at` in the sweep file), nested tables
/// flattened into dotted paths, appended to `out`.
fn flatten_set(node: &Node, prefix: &str, at: &str, out: &mut Vec<SetEntry>) -> Result<(), ReadError> {
    let Value::Table(entries) = &node.value else {
        return Ok(());
    };
    for e in entries {
        let path = if prefix.is_empty() {
            e.key.clone()
        } else {
            format!("{prefix}.{}", e.key)
        };
        let here = tree::join_key(at, &e.key);
        match &e.node.value {
            Value::Table(t) if !t.is_empty() => flatten_set(&e.node, &path, &here, out)?,
            _ => {
                if let Err((why, _)) = parse_path(&path) {
                    return Err(ReadError::new(
                        ErrorKind::Override,
                        e.key_origin,
                        here,
                        "a scenario path such as `services.upload.replicas` or `\"faults[0].latency\"`",
                        why,
                    ));
                }
                out.push(SetEntry {
                    o: Override {
                        path,
                        value: tree::render_inline(&e.node),
                    },
                    origin: e.node.origin,
                    path_origin: e.key_origin,
                    at: here,
                });
            }
        }
    }
    Ok(())
}

/// `metrics`: a non-empty array of paths, or `{ metric, label }` tables, each path once.
fn read_metrics(item: &Item<'_>) -> Result<Vec<MetricSpec>, ReadError> {
    let items = item.as_array()?;
    if items.is_empty() {
        return Err(item.value_error("at least one metric, e.g. \"client.NAME.goodput_per_s\""));
    }
    let mut out: Vec<MetricSpec> = Vec::with_capacity(items.len());
    for el in items {
        let (path_item, label) = if el.is_table() {
            let mut t = el.as_table()?;
            let p = t.required("metric")?;
            let label = match t.optional("label") {
                Some(l) => Some(l.as_str()?.to_string()),
                None => None,
            };
            t.finish()?;
            (p, label)
        } else if el.is_str() {
            (el.clone(), None)
        } else {
            return Err(el.type_error(
                "a metric path such as \"client.NAME.goodput_per_s\", or { metric = \"…\", label = \"…\" }",
            ));
        };
        let path = path_item.as_str()?.to_string();
        if out.iter().any(|m| m.path == path) {
            return Err(path_item.error(
                ErrorKind::Duplicate,
                "each metric once",
                format!("{} a second time", path_item.node.describe()),
            ));
        }
        out.push(MetricSpec {
            label: label.unwrap_or_else(|| path.clone()),
            path,
            origin: path_item.origin(),
            at: path_item.path.clone(),
        });
    }
    Ok(out)
}

/// The axes grouped into dimensions: each zip group (at the place of its first axis) or lone
/// axis is one dimension; points are the grid product of the dimensions.
pub fn dimensions(axes: &[AxisSpec]) -> Vec<Vec<usize>> {
    let mut dims: Vec<Vec<usize>> = Vec::new();
    for (i, a) in axes.iter().enumerate() {
        // The dimension of an earlier axis zipped under the same name, if any.
        let zipped = a
            .zip
            .as_ref()
            .and_then(|z| dims.iter().position(|d| axes[d[0]].zip.as_ref() == Some(z)));
        match zipped {
            Some(d) => dims[d].push(i),
            None => dims.push(vec![i]),
        }
    }
    dims
}
