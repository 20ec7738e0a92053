//! JSON values between serde_json and Python objects.
//!
//! Out: pythonize (serde straight into Python objects). In: by hand, because serde's `Value`
//! silently turns NaN and infinity into `null` (`timeout=float("nan")` would then mean "not
//! set"); here they are a TypeError, as are objects JSON has no form for.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;
use serde_json::{Map, Number, Value};

/// Any serialisable value (JSON values, links, views) as Python dicts, lists and scalars.
pub fn to_py<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

/// A JSON object as a Python dict.
pub fn dict_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    Ok(to_py(py, map)?.cast_into::<PyDict>()?)
}

/// A Python value as JSON: dict (str keys), list, tuple, str, int, float, bool, None, and
/// os.PathLike as its path.
pub fn py_to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: in Python, bool is a subclass of int.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = value.cast::<PyInt>() {
        if let Ok(n) = i.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = i.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(PyTypeError::new_err("integer too large for JSON"));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("NaN and infinity are not valid JSON"));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key = key
                .cast::<PyString>()
                .map_err(|_| PyTypeError::new_err("JSON object keys must be str"))?
                .to_cow()?
                .into_owned();
            map.insert(key, py_to_json(&item)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(list) = value.cast::<PyList>() {
        return list.iter().map(|item| py_to_json(&item)).collect();
    }
    if let Ok(tuple) = value.cast::<PyTuple>() {
        return tuple.iter().map(|item| py_to_json(&item)).collect();
    }
    // os.PathLike (pathlib.Path for `ca_bundle=`): its file-system path.
    if value.hasattr("__fspath__")? {
        return py_to_json(&value.call_method0("__fspath__")?);
    }
    Err(PyTypeError::new_err(format!(
        "{} is not JSON serialisable",
        value.get_type().name()?
    )))
}
