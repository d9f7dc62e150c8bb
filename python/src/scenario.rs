//! `meshsim.load` and `meshsim.Scenario`: a scenario from a builtin name, a file path, a TOML
//! string or a Python dict (the same schema), with overrides, loaded by the experiments
//! library's `scenario::load`, the loader `meshsim run` uses, so its errors are the CLI's.

use std::path::Path;

use experiments::catalog;
use experiments::scenario::{Loaded, Override, Source, load};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors;

/// A validated scenario: its source text, the overrides applied to it, and the result.
///
/// Made by `meshsim.load`; `set` returns a new scenario, this one never changes.
#[pyclass(module = "meshsim", frozen)]
pub struct Scenario {
    /// The text and its name (a path, `builtin:NAME`, `<string>`, `<dict>`).
    pub source: Source,
    /// The overrides, in order.
    pub overrides: Vec<Override>,
    /// The loaded scenario.
    pub loaded: Loaded,
}

impl Scenario {
    /// Loads `source` with `overrides`.
    pub fn new(py: Python<'_>, source: Source, overrides: Vec<Override>) -> PyResult<Scenario> {
        let loaded = load(&source, &overrides).map_err(|e| errors::scenario(py, &e))?;
        Ok(Scenario {
            source,
            overrides,
            loaded,
        })
    }

    /// This scenario with `more` overrides after its own.
    pub fn with(&self, py: Python<'_>, more: Vec<Override>) -> PyResult<Scenario> {
        let mut overrides = self.overrides.clone();
        overrides.extend(more);
        Scenario::new(py, self.source.clone(), overrides)
    }
}

#[pymethods]
impl Scenario {
    /// A new scenario with `path` set to `value` (a Python value: str, int, float, bool, list
    /// or dict, written as TOML), as `meshsim run --set path=value` would; raises
    /// `ScenarioError` if the result is not a valid scenario.
    fn set(&self, py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<Scenario> {
        let o = pair(py, path, value)?;
        self.with(py, vec![o])
    }

    /// The effective scenario (after overrides) as TOML in meshsim's canonical layout: the
    /// `scenario.toml` that `meshsim run --out` writes; comments are dropped.
    fn to_toml(&self) -> String {
        self.loaded.canonical.clone()
    }

    /// The scenario's `name`.
    #[getter]
    fn name(&self) -> String {
        self.loaded.scenario.name.clone()
    }

    /// The scenario hash (16 hex digits, FNV-1a of `to_toml()`), as in summary.json.
    #[getter]
    fn hash(&self) -> String {
        self.loaded.hash.clone()
    }

    /// The file's `seed` (default 1); `run(seed=...)` takes precedence.
    #[getter]
    fn seed(&self) -> u64 {
        self.loaded.seed
    }

    /// Where the text came from: a file path, `builtin:NAME`, `<string>` or `<dict>`.
    #[getter]
    fn source(&self) -> String {
        self.source.name.clone()
    }

    /// The overrides applied, as `path=value` strings (the CLI's `--set` form).
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.overrides.iter().map(Override::argument).collect()
    }

    /// What is valid but probably not meant, each located like an error (the CLI prints them
    /// on stderr).
    #[getter]
    fn warnings(&self) -> Vec<String> {
        self.loaded.warnings.iter().map(|w| w.to_string()).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<meshsim.Scenario {:?} from {} (hash {}, {} override{})>",
            self.loaded.scenario.name,
            self.source.name,
            self.loaded.hash,
            self.overrides.len(),
            if self.overrides.len() == 1 { "" } else { "s" }
        )
    }

    /// Pickling (for Ray, Dask and multiprocessing): the source text and the overrides, loaded
    /// again on the other side.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        let me = slf.get();
        let rebuild = py.import("meshsim._native")?.getattr("_scenario_from_parts")?;
        Ok((
            rebuild,
            (me.source.name.clone(), me.source.text.clone(), me.overrides()),
        ))
    }
}

/// What pickles a scenario: the function that rebuilds it and its arguments (the source's
/// name and text, the overrides).
type Reduced<'py> = (Bound<'py, PyAny>, (String, String, Vec<String>));

/// Rebuilds a pickled scenario (see `Scenario.__reduce__`).
#[pyfunction]
pub fn _scenario_from_parts(
    py: Python<'_>,
    name: String,
    text: String,
    overrides: Vec<String>,
) -> PyResult<Scenario> {
    let overrides = overrides
        .iter()
        .map(|o| Override::parse(o).map_err(|e| errors::scenario(py, &e)))
        .collect::<PyResult<Vec<_>>>()?;
    Scenario::new(py, Source::new(name, text), overrides)
}

/// A `path=value` override from a Python value.
fn pair(py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<Override> {
    let text = toml_text(value)?;
    Override::parse(&format!("{path}={text}")).map_err(|e| errors::scenario(py, &e))
}

/// The `set=` argument: a dict `{path: value}` of Python values, or `path=value` strings as on
/// the command line (one, or a list or tuple of them).
pub fn overrides(py: Python<'_>, set: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Override>> {
    let Some(set) = set.filter(|s| !s.is_none()) else {
        return Ok(Vec::new());
    };
    let parse = |s: &str| Override::parse(s).map_err(|e| errors::scenario(py, &e));
    if let Ok(d) = set.cast::<PyDict>() {
        d.iter()
            .map(|(k, v)| pair(py, &k.extract::<String>()?, &v))
            .collect()
    } else if let Ok(s) = set.extract::<String>() {
        Ok(vec![parse(&s)?])
    } else if set.is_instance_of::<PyList>() || set.is_instance_of::<PyTuple>() {
        let all: Vec<String> = set
            .extract()
            .map_err(|_| PyTypeError::new_err("set: a list of overrides holds `path=value` strings"))?;
        all.iter().map(|s| parse(s)).collect()
    } else {
        Err(PyTypeError::new_err(
            "set: expected a dict {path: value}, or `path=value` strings (a str or a list of them)",
        ))
    }
}

/// A Python value as inline TOML: `"text"`, `3`, `0.5`, `true`, `[1, 2]`, `{ kind = "grpc" }`.
pub fn toml_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(toml_value(value)?.to_string())
}

/// A Python value as a TOML value: str, bool, int, float, and lists, tuples and dicts of them.
fn toml_value(v: &Bound<'_, PyAny>) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(v.extract()?));
    }
    if v.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        return Ok(toml::Value::Table(toml_table(d)?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = v.extract()?;
        return items
            .iter()
            .map(toml_value)
            .collect::<PyResult<_>>()
            .map(toml::Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "{} has no TOML value: give a str, int, float, bool, list or dict (durations are strings such as \"300s\")",
        v.get_type().name()?
    )))
}

/// A dict with string keys as a TOML table.
fn toml_table(d: &Bound<'_, PyDict>) -> PyResult<toml::Table> {
    let mut table = toml::Table::new();
    for (k, v) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err("scenario keys are strings"))?;
        if v.is_none() {
            continue;
        }
        table.insert(key, toml_value(&v)?);
    }
    Ok(table)
}

/// Where a scenario given to `load` or `run` comes from: a dict (the scenario file's schema), a
/// path (`os.PathLike`), or a string that is a file path, a builtin name, or TOML text.
pub fn source(py: Python<'_>, arg: &Bound<'_, PyAny>) -> PyResult<Source> {
    if let Ok(d) = arg.cast::<PyDict>() {
        let text = toml::to_string(&toml_table(d)?)
            .map_err(|e| PyTypeError::new_err(format!("the dict is not a TOML document: {e}")))?;
        return Ok(Source::new("<dict>", text));
    }
    if arg.hasattr("__fspath__")? {
        let path: std::path::PathBuf = arg.extract()?;
        return file(py, &path, "").unwrap_or_else(|| {
            let shown = path.display().to_string();
            Err(errors::bad_input(
                py,
                &format!("error: no scenario file {shown}"),
                Some(&shown),
            ))
        });
    }
    let Ok(text) = arg.extract::<String>() else {
        return Err(PyTypeError::new_err(format!(
            "expected a builtin name, a path, TOML text, a dict or a meshsim.Scenario, found {}",
            arg.get_type().name()?
        )));
    };
    // TOML text, unless a file has that name (a path may hold `=`).
    if (text.contains('\n') || text.contains('=')) && !Path::new(&text).is_file() {
        return Ok(Source::new("<string>", text));
    }
    experiments::run::resolve_source(&text).map_err(|message| errors::bad_input(py, &message, Some(&text)))
}

/// The file at `path` or the builtin called `name` (as `meshsim run` resolves its argument),
/// `None` if neither exists.
fn file(py: Python<'_>, path: &Path, name: &str) -> Option<PyResult<Source>> {
    let found = catalog::file_or_builtin(path, name)?;
    let shown = path.display().to_string();
    Some(
        found
            .map(|(source, _)| source)
            .map_err(|e| errors::bad_input(py, &e.message(path), Some(&shown))),
    )
}

/// A scenario from anything `load` accepts (a `Scenario` keeps its own overrides, `set` comes
/// after them).
pub fn scenario(
    py: Python<'_>,
    arg: &Bound<'_, PyAny>,
    set: Option<&Bound<'_, PyAny>>,
) -> PyResult<Scenario> {
    let more = overrides(py, set)?;
    if let Ok(s) = arg.cast::<Scenario>() {
        return s.get().with(py, more);
    }
    Scenario::new(py, source(py, arg)?, more)
}
