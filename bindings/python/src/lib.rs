//! The Python extension module `meso._meso`: the native half of the `meso` package.
//! The documented API is the pure-Python package around it (`python/meso/`).

mod arrow;
mod convert;
mod errors;
mod output;
mod rules;

use pyo3::prelude::*;

/// The meso version this extension was built with.
#[pyfunction]
fn version() -> &'static str {
    meso::VERSION
}

#[pymodule]
fn _meso(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<rules::NativeRules>()?;
    m.add_class::<rules::NativeEvaluation>()?;
    m.add_class::<arrow::ArrowStream>()?;
    m.add_function(wrap_pyfunction!(rules::load_path, m)?)?;
    m.add_function(wrap_pyfunction!(rules::load_sources, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
