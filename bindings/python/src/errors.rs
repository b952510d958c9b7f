//! meso's errors as Python exceptions: the Rust side hands every diagnostic over as JSON
//! and `meso.errors` builds the exception (`RulesError`, `RulesSourceError`, `FactsError`)
//! with the code, file, line, column, message and help as attributes.

use meso::{Error, ErrorKind};
use pyo3::prelude::*;

/// The kind's name as `meso.errors` knows it.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::RulesSource => "rules_source",
        ErrorKind::Rules => "rules",
        ErrorKind::Facts => "facts",
    }
}

/// The exception object for an error (not raised: `evaluate_many` returns them).
pub fn exception<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_string(error.diagnostics()).unwrap_or_else(|_| "[]".into());
    py.import("meso.errors")?
        .getattr("_from_native")?
        .call1((kind_name(error.kind()), json))
}

/// The error, raised.
pub fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    match exception(py, error) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}
