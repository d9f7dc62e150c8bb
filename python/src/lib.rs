//! # meshsim (Python)
//!
//! The `meshsim._native` extension module behind the `meshsim` Python package: the experiments
//! library (scenario loading with located errors, runs, output renderers, sweeps) called in
//! process, not through the `meshsim` binary. The API is documented in docs/python.md and typed
//! in meshsim/_native.pyi; the Python half of the package (meshsim/*.py) adds the columns type,
//! the SVG wrapper and the exception class.
//!
//! Every simulation and every rendering runs with the GIL released (`Python::detach`), so runs
//! in several Python threads proceed in parallel.

mod errors;
mod result;
mod scenario;
mod sweep;

use pyo3::prelude::*;

/// The builtin scenarios' names, in the order `meshsim list` shows them.
#[pyfunction]
fn builtins() -> Vec<&'static str> {
    experiments::catalog::names()
}

/// A builtin scenario's TOML text (`meshsim show NAME`), to copy and edit.
#[pyfunction]
fn show(py: Python<'_>, name: &str) -> PyResult<&'static str> {
    experiments::catalog::find(name).map(|b| b.text).ok_or_else(|| {
        errors::bad_input(
            py,
            &format!("no builtin called `{name}` (see `meshsim list`)"),
            Some(name),
        )
    })
}

/// Loads and validates a scenario; returns a `Scenario`.
///
/// `source` is a builtin name, a file path (str or os.PathLike), TOML text (a str holding a
/// newline or `=`, when no file has that name), a dict of the scenario file's schema, or a
/// `Scenario` (then `set` comes after its own overrides). `set` is `{path: value}` (Python
/// values, written as TOML) or `path=value` strings as on the command line. Raises
/// `ScenarioError` with the CLI's message, path, line, column and key if it is not valid.
#[pyfunction]
#[pyo3(signature = (source, set=None))]
fn load(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    set: Option<&Bound<'_, PyAny>>,
) -> PyResult<scenario::Scenario> {
    scenario::scenario(py, source, set)
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(builtins, m)?)?;
    m.add_function(wrap_pyfunction!(show, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(result::run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::_scenario_from_parts, m)?)?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<result::RunResult>()?;
    m.add_class::<sweep::SweepResult>()?;
    m.add("__version__", experiments::output::VERSION)?;
    Ok(())
}
