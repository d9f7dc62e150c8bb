//! meshsim's errors as Python exceptions. A scenario or sweep that cannot be loaded (the CLI's
//! exit code 2) raises `meshsim.ScenarioError` (a `ValueError`, defined in `meshsim/_errors.py`)
//! whose message is the one the CLI prints and whose attributes say where: `path` (the file, or
//! `builtin:NAME`, `<string>`, `<dict>`), `line` and `column` (1-based, or `None`), `key` (the
//! key path, or `None`) and `argument` (the `set` entry at fault, or `None`). Output directories
//! that cannot be written raise `OSError`s; anything else `RuntimeError`.

use experiments::outdir::OutDirError;
use experiments::scenario::ScenarioError;
use experiments::sweep::SweepError;
use experiments::text::escape_controls;
use pyo3::exceptions::{PyBlockingIOError, PyFileExistsError, PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Where an error is, for the exception's attributes.
#[derive(Default)]
struct Where<'a> {
    path: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&'a str>,
    argument: Option<&'a str>,
}

/// A `meshsim.ScenarioError` with `message` and the attributes of `at`.
fn raise(py: Python<'_>, message: &str, at: Where<'_>) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = py.import("meshsim._errors")?.getattr("ScenarioError")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("path", at.path)?;
        kwargs.set_item("line", at.line)?;
        kwargs.set_item("column", at.column)?;
        kwargs.set_item("key", at.key)?;
        kwargs.set_item("argument", at.argument)?;
        let message = escape_controls(message).into_owned();
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    })();
    made.unwrap_or_else(|e| e)
}

/// A located scenario error (a file, a builtin, a string or a `set` entry).
pub fn scenario(py: Python<'_>, e: &ScenarioError) -> PyErr {
    let path = (!e.file.is_empty()).then_some(e.file.as_str());
    let key = (!e.path.is_empty()).then_some(e.path.as_str());
    raise(
        py,
        &e.to_string(),
        Where {
            path,
            line: e.line(),
            column: e.column(),
            key,
            argument: e.argument(),
        },
    )
}

/// Bad input the CLI reports without a location (no such builtin or file, an unreadable file,
/// a malformed duration); `path` is the file or name it is about, if any.
pub fn bad_input(py: Python<'_>, message: &str, path: Option<&str>) -> PyErr {
    raise(
        py,
        message,
        Where {
            path,
            ..Where::default()
        },
    )
}

/// A sweep that cannot run: its bad input (exit code 2 in the CLI) raises `ScenarioError`,
/// the rest `OSError` (I/O) or `RuntimeError`.
pub fn sweep(py: Python<'_>, e: SweepError) -> PyErr {
    match e {
        SweepError::Located(e) => scenario(py, &e),
        SweepError::Input(message) => bad_input(py, &message, None),
        SweepError::Io { context, source } => PyOSError::new_err(format!("{context}: {source}")),
        SweepError::Internal(message) => PyRuntimeError::new_err(message),
    }
}

/// An output directory that cannot be written: one holding something else than a run's outputs
/// raises `FileExistsError`, one another process is writing `BlockingIOError`, a failed write
/// `OSError`; the messages are the CLI's.
pub fn out_dir(e: OutDirError) -> PyErr {
    let message = e.to_string();
    match e {
        OutDirError::NotARun { .. } => PyFileExistsError::new_err(message),
        OutDirError::Busy { .. } => PyBlockingIOError::new_err(message),
        OutDirError::Io { .. } => PyOSError::new_err(message),
    }
}

/// A chart that could not be drawn.
pub fn plot(e: plots::PlotError) -> PyErr {
    PyRuntimeError::new_err(format!("drawing a chart: {e}"))
}
