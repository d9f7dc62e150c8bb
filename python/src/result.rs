//! `meshsim.run` and `meshsim.Result`: a run through the experiments library's `run` module
//! (the code `meshsim run` runs), with the GIL released while the simulation runs and while the
//! output files are rendered, so Python threads (and Ray or Dask workers) run in parallel.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use experiments::run::{
    Finished, MAX_TRACE_SPANS, RunOptions, TraceFormat, TraceOptions, duration_override, execute_loaded,
    render_outputs,
};
use experiments::scenario::Override;
use models::report::Values;
use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::errors;
use crate::scenario::{self, Scenario};

/// Seconds since the Unix epoch: when a run started and ended, for `Result.timing` (wall clock
/// for humans and the GIL test only: nothing in the results depends on it).
fn now() -> f64 {
    #[allow(clippy::disallowed_methods)] // timing shown to the caller, never part of a result
    let t = SystemTime::now();
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// The `duration=` argument: a string such as `"300s"` or `"2m"`, or a number of seconds.
fn duration(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Override> {
    let text = if d.is_instance_of::<PyString>() {
        d.extract::<String>()?
    } else if d.is_instance_of::<PyInt>() || d.is_instance_of::<PyFloat>() {
        format!("{}s", d.str()?)
    } else {
        return Err(PyTypeError::new_err(
            "duration: expected a string such as \"300s\" or a number of seconds",
        ));
    };
    duration_override(&text).map_err(|m| errors::bad_input(py, &m, None))
}

/// The `trace=` argument: `"chrome"`, `"otlp"`, or a list of them.
fn trace(t: &Bound<'_, PyAny>) -> PyResult<TraceOptions> {
    let names: Vec<String> = match t.extract::<String>() {
        Ok(one) => vec![one],
        Err(_) => t
            .extract()
            .map_err(|_| PyTypeError::new_err("trace: expected \"chrome\", \"otlp\" or a list of them"))?,
    };
    let mut formats = Vec::new();
    for n in &names {
        let f = match n.as_str() {
            "chrome" => TraceFormat::Chrome,
            "otlp" => TraceFormat::Otlp,
            other => {
                return Err(PyValueError::new_err(format!(
                    "trace: expected \"chrome\" or \"otlp\", found {other:?}"
                )));
            }
        };
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    Ok(TraceOptions {
        formats,
        config: models::trace::TraceConfig {
            sample: 1.0,
            max_spans: MAX_TRACE_SPANS,
        },
    })
}

/// Runs a scenario as `meshsim run` does, with the GIL released; returns a `Result`.
///
/// `scenario` is anything `load` accepts (a builtin name, a path, TOML text, a dict, a
/// `Scenario`); `seed` overrides its seed (`--seed`); `duration` its duration (`"300s"`, or a
/// number of seconds: `--duration`); `set` adds overrides (`{path: value}` or `path=value`
/// strings: `--set`); `trace` (`"chrome"`, `"otlp"` or both) records every request's trace, which
/// `Result.files()` and `Result.write()` then hold (`--trace`). The same scenario and seed give
/// the CLI's results byte for byte. Raises `ScenarioError` for an invalid scenario.
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, duration=None, set=None, trace=None))]
pub fn run(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    seed: Option<u64>,
    duration: Option<&Bound<'_, PyAny>>,
    set: Option<&Bound<'_, PyAny>>,
    trace: Option<&Bound<'_, PyAny>>,
) -> PyResult<RunResult> {
    let mut more = scenario::overrides(py, set)?;
    if let Some(d) = duration.filter(|d| !d.is_none()) {
        more.push(self::duration(py, d)?);
    }
    let trace = trace.filter(|t| !t.is_none()).map(self::trace).transpose()?;
    let s = match scenario.cast::<Scenario>() {
        Ok(s) => s.get().with(py, more)?,
        Err(_) => {
            let source = scenario::source(py, scenario)?;
            Scenario::new(py, source, more)?
        }
    };
    let opts = RunOptions {
        source: s.source.clone(),
        overrides: s.overrides.clone(),
        seed,
        trace,
        check_invariants: false,
    };
    let loaded = s.loaded.clone();
    let (finished, timing) = py.detach(move || {
        let started = now();
        let finished = execute_loaded(&opts, loaded);
        (finished, (started, now()))
    });
    Ok(RunResult {
        scenario: s,
        finished,
        timing,
        files: OnceLock::new(),
    })
}

/// A finished run: its summary, time series, events, anatomy, plots and output files.
#[pyclass(module = "meshsim", name = "Result", frozen)]
pub struct RunResult {
    scenario: Scenario,
    finished: Finished,
    timing: (f64, f64),
    files: OnceLock<Vec<(String, Vec<u8>)>>,
}

impl RunResult {
    /// Every output file, rendered once (with the GIL released) and kept.
    fn files_ref(&self, py: Python<'_>) -> PyResult<&[(String, Vec<u8>)]> {
        if self.files.get().is_none() {
            let rendered = py
                .detach(|| render_outputs(&self.finished))
                .map_err(errors::plot)?;
            let _ = self.files.set(rendered);
        }
        Ok(self.files.get().expect("set above"))
    }

    /// The output file called `name`.
    fn file(&self, py: Python<'_>, name: &str) -> PyResult<&[u8]> {
        self.files_ref(py)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| PyKeyError::new_err(name.to_string()))
    }

    /// `text` wrapped in `meshsim.Svg` (a str that Jupyter shows as a picture).
    fn svg<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let text = String::from_utf8_lossy(self.file(py, name)?).into_owned();
        py.import("meshsim._columns")?.getattr("Svg")?.call1((text,))
    }
}

#[pymethods]
impl RunResult {
    /// The summary as a dict: summary.json (and `meshsim run --json`) parsed.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.summary_json(),))
    }

    /// summary.json's text, byte for byte.
    #[getter]
    fn summary_json(&self) -> String {
        let report = &self.finished.output.report;
        experiments::output::summary_json(&report.summary, &self.finished.loaded.hash)
    }

    /// The time series as columns (`meshsim.Columns`, a dict of lists): `time_s` (bucket
    /// start), then the columns of timeseries.csv; NaN where a bucket has no value.
    #[getter]
    fn timeseries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let series = &self.finished.output.report.series;
        let columns = PyDict::new(py);
        let time: Vec<f64> = (0..series.buckets).map(|b| b as f64 * series.bucket_s).collect();
        columns.set_item("time_s", PyList::new(py, time)?)?;
        for c in &series.columns {
            match &c.values {
                Values::Num(v) => columns.set_item(&c.name, PyList::new(py, v)?)?,
                Values::Text(v) => columns.set_item(&c.name, PyList::new(py, v)?)?,
            }
        }
        py.import("meshsim._columns")?
            .getattr("Columns")?
            .call1((columns,))
    }

    /// The event log as columns (`meshsim.Columns`): one entry per line of events.jsonl, every
    /// key any event has as a column (None where an event has no such key).
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = experiments::output::events_jsonl(&self.finished.output.report);
        py.import("meshsim._columns")?.call_method1("from_jsonl", (text,))
    }

    /// The narrated anatomy, a line per entry: anatomy.txt's lines.
    #[getter]
    fn anatomy(&self) -> Vec<String> {
        experiments::narrate::narrate(&self.finished.loaded.scenario, &self.finished.output.report)
    }

    /// The seed the run used.
    #[getter]
    fn seed(&self) -> u64 {
        self.finished.seed
    }

    /// The effective scenario (after `set` and `duration`).
    #[getter]
    fn scenario(&self) -> Scenario {
        Scenario {
            source: self.scenario.source.clone(),
            overrides: self.scenario.overrides.clone(),
            loaded: self.scenario.loaded.clone(),
        }
    }

    /// The limit that stopped the run early (its results are partial), or None.
    #[getter]
    fn stopped_early(&self) -> Option<String> {
        self.finished.output.limit.as_ref().map(|l| l.to_string())
    }

    /// Wall-clock seconds since the Unix epoch when the simulation started and ended, measured
    /// with the GIL released (for humans and for checking that runs overlap; no result depends
    /// on it).
    #[getter]
    fn timing(&self) -> (f64, f64) {
        self.timing
    }

    /// The incident timeline as SVG (timeline.svg), a `meshsim.Svg` that notebooks display.
    fn timeline_svg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.svg(py, "timeline.svg")
    }

    /// The incident timeline as PNG bytes (timeline.png).
    fn timeline_png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, self.file(py, "timeline.png")?))
    }

    /// The call graph as SVG (topology.svg).
    fn topology_svg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.svg(py, "topology.svg")
    }

    /// The call graph as PNG bytes (topology.png).
    fn topology_png<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, self.file(py, "topology.png")?))
    }

    /// Every file `meshsim run --out` writes, by name, as bytes (traces too, if asked for).
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (name, bytes) in self.files_ref(py)? {
            out.set_item(name, PyBytes::new(py, bytes))?;
        }
        Ok(out)
    }

    /// Writes the files `meshsim run --out DIR` writes into `dir`, as a whole, as the CLI does
    /// (a previous run's directory there is replaced, any other non-empty one refused with
    /// FileExistsError); returns their paths.
    fn write(&self, py: Python<'_>, dir: std::path::PathBuf) -> PyResult<Vec<std::path::PathBuf>> {
        experiments::output::check_out_dir("dir", &dir)
            .map_err(pyo3::exceptions::PyFileExistsError::new_err)?;
        let files = self.files_ref(py)?;
        py.detach(|| {
            let lock = experiments::outdir::prepare_run_dir(&dir)?;
            experiments::run::write_outputs(&dir, files, &lock)
        })
        .map_err(errors::out_dir)
    }

    /// The summary, the timeline and the anatomy as HTML, for Jupyter.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| experiments::report_html::fragment(&self.finished))
            .map_err(errors::plot)
    }

    fn __repr__(&self) -> String {
        let s = &self.finished.output.report.summary;
        format!(
            "<meshsim.Result {:?} seed {} ({} client{}, {} service{}{})>",
            self.finished.loaded.scenario.name,
            self.finished.seed,
            s.clients.len(),
            if s.clients.len() == 1 { "" } else { "s" },
            s.services.len(),
            if s.services.len() == 1 { "" } else { "s" },
            if self.finished.output.limit.is_some() {
                ", stopped early"
            } else {
                ""
            }
        )
    }
}
