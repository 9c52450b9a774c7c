//! Python option values -> core option types: secrets, expiration times, audiences, key-pair
//! configs, sign overrides and verify options.
//!
//! The value rules are `authjwt_core::config`'s: this file only handles what is Python's own
//! (`datetime`, `timedelta`, `bool` is not a number, `TypeError` for a wrong Python type) and
//! hands the rest over as `serde_json::Value`.

use std::time::Duration;

use authjwt_core::alg::{Algorithm, KeyPairConfig};
use authjwt_core::claims::{Audience, ExpirationTime};
use authjwt_core::config;
use authjwt_core::issuer::SignOverrides;
use authjwt_core::seal::Secret;
use authjwt_core::verify::VerifyOptions;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::convert;
use crate::errors::to_py_err;

/// `secret`: one string, a list (newest first: strings or Better Auth's `{"version", "value"}`
/// dicts), or a dict `{version: secret}` (the highest numeric version is current; keys may be
/// `int` or `str`).
pub fn secrets_from(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Secret>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let value = if obj.is_instance_of::<PyString>() {
        Value::String(convert::text(obj, "secret")?.into_owned())
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        Value::Array(
            obj.try_iter()?
                .map(|item| {
                    let item = item?;
                    if item.is_instance_of::<PyDict>() {
                        convert::to_json_value(&item)
                    } else {
                        Ok(Value::String(convert::text(&item, "secret")?.into_owned()))
                    }
                })
                .collect::<PyResult<_>>()?,
        )
    } else if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (version, value) in d.iter() {
            if version.is_instance_of::<PyBool>() {
                return Err(PyTypeError::new_err("secret versions must be int or str"));
            }
            map.insert(
                version.str()?.to_cow()?.into_owned(),
                Value::String(convert::text(&value, "secret")?.into_owned()),
            );
        }
        Value::Object(map)
    } else {
        return Err(PyTypeError::new_err(
            "secret must be str, list[str] or dict {version: secret}",
        ));
    };
    config::secrets_from_json(&value).map_err(to_py_err)
}

/// `expiration_time`: a span string (`"15m"`), a number (absolute NumericDate, as Better Auth),
/// an aware datetime, or a `timedelta` (a span).
pub fn expiration_from(obj: &Bound<'_, PyAny>) -> PyResult<ExpirationTime> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err("expiration_time must not be a bool"));
    }
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyFloat>()
    {
        return config::expiration_from_json(&convert::to_json_value(obj)?).map_err(to_py_err);
    }
    if convert::is_datetime(obj)? {
        return Ok(ExpirationTime::At(
            convert::datetime_to_ms(obj, "expiration_time")?.div_euclid(1000),
        ));
    }
    if convert::is_timedelta(obj)? {
        return Ok(ExpirationTime::Span(convert::seconds(
            obj,
            "expiration_time",
        )?));
    }
    Err(PyTypeError::new_err(
        "expiration_time must be a span str (\"15m\"), a NumericDate number, a datetime or a timedelta",
    ))
}

/// `audience`: one string or a list of strings (`[]` = none).
pub fn audience_from(obj: &Bound<'_, PyAny>) -> PyResult<Option<Audience>> {
    let value = if obj.is_instance_of::<PyString>() {
        Value::String(convert::text(obj, "audience")?.into_owned())
    } else {
        Value::from(convert::str_or_list(obj, "audience")?)
    };
    config::audience_from_json(&value).map_err(to_py_err)
}

/// Better Auth's `keyPairConfig` as a dict: `{"alg": "EdDSA", "crv"?: ..., "modulus_length"?: ...}`
/// (`modulusLength` accepted too).
pub fn key_pair_config_from(obj: &Bound<'_, PyAny>) -> PyResult<KeyPairConfig> {
    let d = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err("key_pair_config must be a dict like {\"alg\": \"EdDSA\"}")
    })?;
    let alg: String = match d.get_item("alg")? {
        Some(v) => v.extract()?,
        None => return Err(PyTypeError::new_err("key_pair_config needs \"alg\"")),
    };
    let crv: Option<String> = d.get_item("crv")?.map(|v| v.extract()).transpose()?;
    let modulus = match d.get_item("modulus_length")? {
        Some(v) => Some(v),
        None => d.get_item("modulusLength")?,
    };
    let modulus: Option<u32> = modulus.map(|v| v.extract()).transpose()?;
    let value = serde_json::json!({ "alg": alg, "crv": crv, "modulusLength": modulus });
    config::key_pair_config_from_json(&value).map_err(to_py_err)
}

/// A configured algorithm name (`ERR_INVALID_CONFIG` when it cannot sign or verify).
pub fn algorithm_from(name: &str) -> PyResult<Algorithm> {
    name.parse::<Algorithm>().map_err(to_py_err)
}

/// `store_timeout` and similar positive durations in seconds.
pub fn duration_from(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Duration> {
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be seconds")));
    }
    let secs: f64 = if convert::is_timedelta(obj)? {
        obj.call_method0("total_seconds")?.extract()?
    } else {
        obj.extract()
            .map_err(|_| PyTypeError::new_err(format!("{what} must be seconds")))?
    };
    Duration::try_from_secs_f64(secs).map_err(|_| {
        PyValueError::new_err(format!("{what} must be a finite number of seconds >= 0"))
    })
}

/// The keyword overrides of `sign` / `sign_session`.
#[allow(clippy::too_many_arguments)]
pub fn overrides_from(
    expiration_time: Option<&Bound<'_, PyAny>>,
    issuer: Option<String>,
    audience: Option<&Bound<'_, PyAny>>,
    subject: Option<String>,
    typ: Option<String>,
    signing_key_id: Option<String>,
    signing_algorithm: Option<String>,
) -> PyResult<SignOverrides> {
    Ok(SignOverrides {
        expiration_time: expiration_time.map(expiration_from).transpose()?,
        issuer,
        audience: audience.map(audience_from).transpose()?.flatten(),
        subject,
        typ,
        signing_key_id,
        signing_algorithm: signing_algorithm
            .as_deref()
            .map(algorithm_from)
            .transpose()?,
    })
}

/// The keyword options of `verify_jwt`, `Issuer.verify` and `RemoteKeySet.verify`: `issuer`,
/// `audience` (str or list), `algorithms`, `leeway`, `max_token_age` (seconds, timedelta or span
/// str), `required_claims`, `typ`, `subject`, `now` (aware datetime or seconds), `require_exp`.
pub fn verify_options_from(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<VerifyOptions> {
    let mut o = VerifyOptions::default();
    let Some(kwargs) = kwargs else {
        return Ok(o);
    };
    for (key, v) in kwargs.iter() {
        if v.is_none() {
            continue;
        }
        let key = key.cast::<PyString>()?.to_cow()?;
        match key.as_ref() {
            "issuer" => o.issuer = Some(convert::str_or_list(&v, "issuer")?),
            "audience" => o.audience = Some(convert::str_or_list(&v, "audience")?),
            "algorithms" => {
                o.algorithms = Some(
                    convert::str_or_list(&v, "algorithms")?
                        .iter()
                        .map(|a| algorithm_from(a))
                        .collect::<PyResult<Vec<_>>>()?,
                )
            }
            "leeway" => o.clock_tolerance = convert::seconds(&v, "leeway")?,
            "max_token_age" => {
                o.max_token_age = Some(if v.is_instance_of::<PyString>() {
                    config::timespan_from_json(&convert::to_json_value(&v)?, "max_token_age")
                        .map_err(to_py_err)?
                } else {
                    convert::seconds(&v, "max_token_age")?
                })
            }
            "required_claims" => {
                o.required_claims = Some(convert::str_or_list(&v, "required_claims")?)
            }
            "typ" => o.typ = Some(convert::text(&v, "typ")?.into_owned()),
            "subject" => o.subject = Some(convert::text(&v, "subject")?.into_owned()),
            "now" => o.current_date = Some(convert::instant_seconds(&v, "now")?),
            "require_exp" => o.require_exp = v.extract::<bool>()?,
            other => {
                return Err(PyTypeError::new_err(format!(
                    "unexpected verify option {other:?}; known: issuer, audience, algorithms, \
                     leeway, max_token_age, required_claims, typ, subject, now, require_exp"
                )))
            }
        }
    }
    Ok(o)
}
