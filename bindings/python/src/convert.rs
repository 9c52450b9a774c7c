//! Python values <-> JSON text and `serde_json` values, and the small option types (datetimes,
//! durations, audiences). Wrong Python types are `TypeError`/`ValueError`, never authjwt errors.

use std::borrow::Cow;
use std::io::Write as _;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{IntoPyDict, PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

/// Deepest nesting accepted in a payload; deeper is a `ValueError` (and no stack risk).
const MAX_DEPTH: usize = 64;

/// Serializes a JSON-compatible Python value (dict with str keys, list, tuple, str, int, float,
/// bool, None) to compact JSON text, walking it once without `json.dumps`.
pub fn to_json_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut out = Vec::with_capacity(256);
    write_json(obj, &mut out, 0)?;
    // Only UTF-8 strings and ASCII punctuation were written.
    String::from_utf8(out).map_err(|_| PyValueError::new_err("payload is not valid UTF-8"))
}

/// A Python dict as a JSON object map (payloads, user and session objects, JWKS documents).
pub fn to_json_map(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Map<String, Value>> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!("{what} must be a dict")));
    }
    match to_json_value(obj)? {
        Value::Object(map) => Ok(map),
        _ => Err(PyTypeError::new_err(format!("{what} must be a dict"))),
    }
}

/// Any JSON-compatible Python value as a `serde_json::Value`.
pub fn to_json_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    serde_json::from_str(&to_json_text(obj)?)
        .map_err(|e| PyValueError::new_err(format!("not representable as JSON: {e}")))
}

fn write_json(obj: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "value nested deeper than {MAX_DEPTH} levels"
        )));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        write_str(&s.to_cow()?, out);
    } else if obj.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(b) = obj.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            let _ = write!(out, "{v}");
        } else if let Ok(v) = i.extract::<u64>() {
            let _ = write!(out, "{v}");
        } else {
            return Err(PyValueError::new_err(
                "integer out of the 64-bit range JSON numbers keep exactly",
            ));
        }
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        if !v.is_finite() {
            return Err(PyValueError::new_err("NaN and infinity are not JSON"));
        }
        match serde_json::Number::from_f64(v) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => return Err(PyValueError::new_err("NaN and infinity are not JSON")),
        }
    } else if let Ok(d) = obj.cast::<PyDict>() {
        out.push(b'{');
        for (i, (k, v)) in d.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err("dict keys must be str to be JSON object members")
            })?;
            write_str(&key.to_cow()?, out);
            out.push(b':');
            write_json(&v, out, depth + 1)?;
        }
        out.push(b'}');
    } else if let Ok(l) = obj.cast::<PyList>() {
        out.push(b'[');
        for (i, v) in l.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json(&v, out, depth + 1)?;
        }
        out.push(b']');
    } else if let Ok(t) = obj.cast::<PyTuple>() {
        out.push(b'[');
        for (i, v) in t.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json(&v, out, depth + 1)?;
        }
        out.push(b']');
    } else {
        let ty = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(PyTypeError::new_err(format!(
            "{ty} is not JSON-serializable (use dict, list, str, int, float, bool or None)"
        )));
    }
    Ok(())
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // serde_json's escaping, appended in place (writing to a Vec cannot fail).
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A JSON value as Python objects (dict, list, str, int, float, bool, None).
pub fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

/// A JSON object as a Python dict.
pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, value_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// One string or a list of strings (audiences, issuers).
pub fn str_or_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(vec![s.to_cow()?.into_owned()]);
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return obj
            .try_iter()?
            .map(|item| {
                item?
                    .extract::<String>()
                    .map_err(|_| PyTypeError::new_err(format!("{what} must be str or list[str]")))
            })
            .collect();
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or list[str]"
    )))
}

fn datetime_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static MODULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("datetime")?.into_any().unbind())
        })
        .map(|m| m.bind(py))
}

/// Whether `obj` is a `datetime.datetime`.
pub fn is_datetime(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let cls = datetime_module(obj.py())?.getattr("datetime")?;
    obj.is_instance(&cls)
}

/// Whether `obj` is a `datetime.timedelta`.
pub fn is_timedelta(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let cls = datetime_module(obj.py())?.getattr("timedelta")?;
    obj.is_instance(&cls)
}

/// An aware `datetime` as exact milliseconds since the Unix epoch; naive datetimes are refused
/// because their zone is a guess.
pub fn datetime_to_ms(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if !is_datetime(obj)? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an aware datetime.datetime"
        )));
    }
    if obj.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what} is a naive datetime: give it a tzinfo (e.g. datetime.timezone.utc)"
        )));
    }
    let py = obj.py();
    let m = datetime_module(py)?;
    let utc = m.getattr("timezone")?.getattr("utc")?;
    let epoch = m
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let one_ms = m
        .getattr("timedelta")?
        .call((), Some(&[("milliseconds", 1)].into_py_dict(py)?))?;
    obj.sub(epoch)?.floor_div(one_ms)?.extract::<i64>()
}

/// Milliseconds since the epoch as an aware UTC `datetime` (exact, no float rounding).
pub fn ms_to_datetime(py: Python<'_>, ms: i64) -> PyResult<Bound<'_, PyAny>> {
    let m = datetime_module(py)?;
    let utc = m.getattr("timezone")?.getattr("utc")?;
    let epoch = m
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let delta = m
        .getattr("timedelta")?
        .call((), Some(&[("milliseconds", ms)].into_py_dict(py)?))?;
    epoch.add(delta)
}

/// A duration in whole seconds from an int, float or `timedelta`.
/// [`seconds`] for `rotation_interval`, `rotation_lead` and `grace_period`: the core's rule, a
/// fraction of a second (float or `timedelta`) is refused, not floored.
pub fn lifecycle_seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyFloat>() || is_timedelta(obj)? {
        let total: f64 = if is_timedelta(obj)? {
            obj.call_method0("total_seconds")?.extract()?
        } else {
            obj.extract()?
        };
        return authjwt_core::config::lifecycle_seconds(total, what)
            .map_err(crate::errors::to_py_err);
    }
    seconds(obj, what)
}

pub fn seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a number of seconds"
        )));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>();
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        if !v.is_finite() {
            return Err(PyValueError::new_err(format!("{what} must be finite")));
        }
        // Saturating by `as`, rounded down like jose's seconds.
        return Ok(v.floor() as i64);
    }
    if is_timedelta(obj)? {
        let total: f64 = obj.call_method0("total_seconds")?.extract()?;
        return Ok(total.floor() as i64);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be seconds (int or float) or a datetime.timedelta"
    )))
}

/// A point in time in seconds since the epoch, from an aware datetime or a number.
pub fn instant_seconds(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if is_datetime(obj)? {
        return Ok(datetime_to_ms(obj, what)?.div_euclid(1000));
    }
    seconds(obj, what)
}

/// A `str` argument's text.
pub fn text<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    obj.cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be str")))?
        .to_cow()
}
