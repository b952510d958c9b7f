//! Python values → JSON values, as a facts map holds them: `None` (and NaN, how pandas
//! writes a missing cell) is unknown, booleans, integers, floats, strings, and lists,
//! tuples or sets of strings for set facts.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// A facts dict as a JSON object; `what` names it in errors (`facts`, `item 3`).
pub fn facts_map(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Map<String, Value>> {
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: expected a dict of facts (fact name -> value), got {}",
            type_name(obj)
        ))
    })?;
    let mut map = Map::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let key: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}: fact names must be strings, got the key {} ({})",
                k.repr().map_or_else(|_| "?".to_string(), |r| r.to_string()),
                type_name(&k)
            ))
        })?;
        let value = json_value(&v).map_err(|found| {
            PyTypeError::new_err(format!(
                "{what}: fact `{key}` has a value of type {found}; give a number, a bool, a \
                 string, a list of strings (a set fact) or None (unknown)"
            ))
        })?;
        map.insert(key, value);
    }
    Ok(map)
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// One value; `Err` carries the Python type's name.
fn json_value(v: &Bound<'_, PyAny>) -> Result<Value, String> {
    if v.is_none() {
        return Ok(Value::Null);
    }
    if v.is_instance_of::<PyBool>() {
        return v
            .extract::<bool>()
            .map(Value::Bool)
            .map_err(|_| type_name(v));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = v.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        return v
            .extract::<f64>()
            .map(float_value)
            .map_err(|_| type_name(v));
    }
    if v.is_instance_of::<PyFloat>() {
        return v
            .extract::<f64>()
            .map(float_value)
            .map_err(|_| type_name(v));
    }
    if v.is_instance_of::<PyString>() {
        return v
            .extract::<String>()
            .map(Value::String)
            .map_err(|_| type_name(v));
    }
    if v.is_instance_of::<PyList>()
        || v.is_instance_of::<PyTuple>()
        || v.is_instance_of::<PySet>()
        || v.is_instance_of::<PyFrozenSet>()
    {
        let mut items = Vec::new();
        let iter = v.try_iter().map_err(|_| type_name(v))?;
        for item in iter {
            let item = item.map_err(|_| type_name(v))?;
            items.push(json_value(&item)?);
        }
        if v.is_instance_of::<PySet>() || v.is_instance_of::<PyFrozenSet>() {
            // Sets have no order: sort the members so that the facts are the same each run.
            items.sort_by_key(|a| a.to_string());
        }
        return Ok(Value::Array(items));
    }
    // numpy and other numbers: bool_, integers (`__index__`), floats (`__float__`).
    let name = type_name(v);
    if name == "bool_" || name == "bool" {
        if let Ok(b) = v.is_truthy() {
            return Ok(Value::Bool(b));
        }
    }
    if v.hasattr("__index__").unwrap_or(false) {
        if let Ok(i) = v.call_method0("__index__").and_then(|i| i.extract::<i64>()) {
            return Ok(Value::Number(i.into()));
        }
    }
    if v.hasattr("__float__").unwrap_or(false) {
        if let Ok(f) = v.call_method0("__float__").and_then(|f| f.extract::<f64>()) {
            return Ok(float_value(f));
        }
    }
    Err(name)
}

/// NaN is how pandas and numpy write a missing number: unknown, as `None` is.
fn float_value(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}
