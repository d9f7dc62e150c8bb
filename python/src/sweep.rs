//! `meshsim.sweep` and `meshsim.SweepResult`: a sweep planned by the experiments library (the
//! sweep file's located errors, every point validated before anything runs) and run in memory
//! on a thread pool with the GIL released ([`experiments::sweep::execute_in_memory`]: the run
//! records and renderer of `meshsim sweep`, so the files are the ones it writes).

use std::path::Path;

use experiments::scenario::Source;
use experiments::sweep::{self as engine, Plan};
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors;

/// The plan of the sweep `spec` names: a path (str or `os.PathLike`) to a sweep file, TOML
/// text, or a dict of the sweep file's schema. A base scenario given by a relative path is
/// found next to the sweep file, or in the current directory for text and dicts.
fn plan(py: Python<'_>, spec: &Bound<'_, PyAny>, seed: Option<u64>) -> PyResult<Plan> {
    let text_plan = |name: &str, text: String| {
        engine::prepare(&Source::new(name, text), Path::new("."), seed).map_err(|e| errors::sweep(py, e))
    };
    if let Ok(d) = spec.cast::<PyDict>() {
        let text = crate::scenario::toml_text(d)?;
        // An inline table of the top level is a document once its braces go: use the table
        // writer instead, which writes arrays of tables the sweep schema has (`[[axes]]`).
        let table: toml::Table = toml::from_str(&format!("x = {text}"))
            .ok()
            .and_then(|mut t: toml::Table| t.remove("x"))
            .and_then(|v| v.as_table().cloned())
            .ok_or_else(|| PyTypeError::new_err("the dict is not a TOML document"))?;
        let doc = toml::to_string(&table)
            .map_err(|e| PyTypeError::new_err(format!("the dict is not a TOML document: {e}")))?;
        return text_plan("<dict>", doc);
    }
    let path: Option<std::path::PathBuf> = if spec.hasattr("__fspath__")? {
        Some(spec.extract()?)
    } else {
        None
    };
    let text: String = match path {
        Some(p) => return engine::load_sweep(&p, seed).map_err(|e| errors::sweep(py, e)),
        None => spec
            .extract()
            .map_err(|_| PyTypeError::new_err("expected a sweep file's path, its TOML text or a dict"))?,
    };
    if (text.contains('\n') || text.contains('=')) && !Path::new(&text).is_file() {
        return text_plan("<string>", text);
    }
    engine::load_sweep(Path::new(&text), seed).map_err(|e| errors::sweep(py, e))
}

/// Runs a parameter sweep (docs/sweeps.md) in memory, with the GIL released; returns a
/// `SweepResult`.
///
/// `spec` is a sweep file's path, its TOML text, or a dict of its schema; `threads` the worker
/// threads (default: the number of CPUs; results do not depend on it); `seed` overrides the
/// sweep's seed (`--seed`). The files are those `meshsim sweep` writes. Raises `ScenarioError`
/// for a bad sweep file or a point that makes an invalid scenario.
#[pyfunction]
#[pyo3(signature = (spec, threads=None, seed=None))]
pub fn sweep(
    py: Python<'_>,
    spec: &Bound<'_, PyAny>,
    threads: Option<usize>,
    seed: Option<u64>,
) -> PyResult<SweepResult> {
    let threads = match threads {
        Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let plan = plan(py, spec, seed)?;
    let files = py
        .detach(|| engine::execute_in_memory(&plan, threads))
        .map_err(|e| errors::sweep(py, e))?;
    Ok(SweepResult {
        name: plan.file.name.clone(),
        metrics: plan
            .file
            .metrics
            .iter()
            .map(|m| (m.metric.clone(), m.label.clone(), m.slug.clone()))
            .collect(),
        warnings: plan.warnings.iter().map(|w| w.to_string()).collect(),
        files,
    })
}

/// A finished sweep: every run and every point's statistics, and the charts.
#[pyclass(module = "meshsim", frozen)]
pub struct SweepResult {
    name: String,
    /// (metric path, label, file slug) per metric.
    metrics: Vec<(String, String, String)>,
    warnings: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
}

impl SweepResult {
    fn file(&self, name: &str) -> PyResult<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| PyKeyError::new_err(name.to_string()))
    }

    fn table<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let text = String::from_utf8_lossy(self.file(name)?).into_owned();
        py.import("meshsim._columns")?.call_method1("from_csv", (text,))
    }

    /// The slug of `metric` (its path, label or slug).
    fn slug(&self, metric: &str) -> PyResult<&str> {
        self.metrics
            .iter()
            .find(|(m, l, s)| m == metric || l == metric || s == metric)
            .map(|(_, _, s)| s.as_str())
            .ok_or_else(|| {
                let known: Vec<&str> = self.metrics.iter().map(|(m, _, _)| m.as_str()).collect();
                PyKeyError::new_err(format!(
                    "no metric {metric:?} in this sweep (its metrics: {})",
                    known.join(", ")
                ))
            })
    }
}

#[pymethods]
impl SweepResult {
    /// The sweep's name.
    #[getter]
    fn name(&self) -> String {
        self.name.clone()
    }

    /// The metric paths, in the sweep file's order.
    #[getter]
    fn metrics(&self) -> Vec<String> {
        self.metrics.iter().map(|(m, _, _)| m.clone()).collect()
    }

    /// Warnings about the sweep's points (the CLI prints them on stderr).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    /// runs.csv as columns (`meshsim.Columns`): a row per run.
    #[getter]
    fn runs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, "runs.csv")
    }

    /// points.csv as columns (`meshsim.Columns`): a row per point, each metric's mean and 95%
    /// interval.
    #[getter]
    fn points<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.table(py, "points.csv")
    }

    /// The chart of `metric` (its path, label or file slug) as SVG (`meshsim.Svg`), or PNG bytes
    /// with `format="png"`; `heatmap=True` for a two-dimension sweep's heatmap.
    #[pyo3(signature = (metric, format="svg", heatmap=false))]
    fn plot<'py>(
        &self,
        py: Python<'py>,
        metric: &str,
        format: &str,
        heatmap: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let slug = self.slug(metric)?;
        let stem = if heatmap {
            format!("charts/{slug}.heatmap")
        } else {
            format!("charts/{slug}")
        };
        match format {
            "svg" => {
                let text = String::from_utf8_lossy(self.file(&format!("{stem}.svg"))?).into_owned();
                py.import("meshsim._columns")?.getattr("Svg")?.call1((text,))
            }
            "png" => Ok(PyBytes::new(py, self.file(&format!("{stem}.png"))?).into_any()),
            other => Err(PyValueError::new_err(format!(
                "format: expected \"svg\" or \"png\", found {other:?}"
            ))),
        }
    }

    /// The files `meshsim sweep` writes (runs.csv, points.csv, sweep.json, sweep.toml,
    /// base.toml, charts/...), by name, as bytes; the per-run files of runs/ are not kept.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (name, bytes) in &self.files {
            out.set_item(name, PyBytes::new(py, bytes))?;
        }
        Ok(out)
    }

    /// The charts (inline SVG) and points.csv as a table, for Jupyter.
    fn _repr_html_(&self) -> PyResult<String> {
        use experiments::report_html::esc;
        let mut out = format!("<div class=\"meshsim-sweep\">\n<h3>{}</h3>\n", esc(&self.name));
        for (metric, label, slug) in &self.metrics {
            let svg = String::from_utf8_lossy(self.file(&format!("charts/{slug}.svg"))?).into_owned();
            out.push_str(&format!(
                "<h4>{}</h4>\n<div title=\"{}\">",
                esc(label),
                esc(metric)
            ));
            // A viewBox, so that it scales to the cell's width.
            let inline = experiments::report_html::inline_svg(svg.trim(), label);
            out.push_str(&inline.replacen("<svg", "<svg style=\"max-width:100%;height:auto\"", 1));
            out.push_str("</div>\n");
        }
        let points = String::from_utf8_lossy(self.file("points.csv")?).into_owned();
        out.push_str("<h4>Points</h4>\n<table>\n");
        for (i, row) in experiments::output::parse_csv(&points).iter().enumerate() {
            let cell = if i == 0 { "th" } else { "td" };
            out.push_str("<tr>");
            for c in row {
                out.push_str(&format!("<{cell}>{}</{cell}>", esc(c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n</div>\n");
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "<meshsim.SweepResult {:?} ({} metric{})>",
            self.name,
            self.metrics.len(),
            if self.metrics.len() == 1 { "" } else { "s" }
        )
    }
}
