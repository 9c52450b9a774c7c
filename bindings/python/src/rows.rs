//! `JwkRow` (one row of Better Auth's `jwks` table, snake_case, aware UTC datetimes) and
//! `MemoryStore`.

use std::sync::Arc;

use authjwt_core::store::{JwkRow, JwkUpdate, KeyStore, MemoryStore};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping};

use crate::convert;
use crate::errors::detached;
use crate::runtime;

/// One row of the `jwks` table. Better Auth's columns map as: `id` = `id`, `public_key` =
/// `publicKey`, `private_key` = `privateKey`, `created_at` = `createdAt`, `expires_at` =
/// `expiresAt`, `alg` = `alg`, `crv` = `crv`.
#[pyclass(name = "JwkRow", module = "authjwt", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyJwkRow {
    pub inner: JwkRow,
}

impl From<JwkRow> for PyJwkRow {
    fn from(inner: JwkRow) -> Self {
        PyJwkRow { inner }
    }
}

#[pymethods]
impl PyJwkRow {
    #[new]
    #[pyo3(signature = (*, id, public_key, private_key, created_at, expires_at=None, alg=None, crv=None))]
    fn new(
        id: String,
        public_key: String,
        private_key: String,
        created_at: &Bound<'_, PyAny>,
        expires_at: Option<&Bound<'_, PyAny>>,
        alg: Option<String>,
        crv: Option<String>,
    ) -> PyResult<Self> {
        Ok(PyJwkRow {
            inner: JwkRow {
                id,
                public_key,
                private_key,
                created_at: convert::datetime_to_ms(created_at, "created_at")?,
                expires_at: optional_ms(expires_at, "expires_at")?,
                alg,
                crv,
            },
        })
    }

    /// A row from a mapping with Better Auth's camelCase keys (`publicKey`, `createdAt`, ...) or
    /// this class's snake_case keys. Datetimes must be aware.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        row_from_mapping(data).map(PyJwkRow::from)
    }

    /// The row as a dict with Better Auth's camelCase column names (aware UTC datetimes).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner;
        let d = PyDict::new(py);
        d.set_item("id", &r.id)?;
        d.set_item("publicKey", &r.public_key)?;
        d.set_item("privateKey", &r.private_key)?;
        d.set_item("createdAt", convert::ms_to_datetime(py, r.created_at)?)?;
        d.set_item(
            "expiresAt",
            r.expires_at
                .map(|ms| convert::ms_to_datetime(py, ms))
                .transpose()?,
        )?;
        d.set_item("alg", r.alg.as_deref())?;
        d.set_item("crv", r.crv.as_deref())?;
        Ok(d)
    }

    /// A copy with some fields changed (e.g. `row.replace(id=new_id)` in a store that assigns ids).
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut row = self.inner.clone();
        if let Some(changes) = changes {
            for (k, v) in changes.iter() {
                let key: String = k.extract()?;
                match key.as_str() {
                    "id" => row.id = v.extract()?,
                    "public_key" => row.public_key = v.extract()?,
                    "private_key" => row.private_key = v.extract()?,
                    "created_at" => row.created_at = convert::datetime_to_ms(&v, "created_at")?,
                    "expires_at" => row.expires_at = optional_ms(Some(&v), "expires_at")?,
                    "alg" => row.alg = v.extract()?,
                    "crv" => row.crv = v.extract()?,
                    other => {
                        return Err(PyTypeError::new_err(format!(
                            "JwkRow has no field {other:?}"
                        )))
                    }
                }
            }
        }
        Ok(PyJwkRow { inner: row })
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn public_key(&self) -> &str {
        &self.inner.public_key
    }
    #[getter]
    fn private_key(&self) -> &str {
        &self.inner.private_key
    }
    #[getter]
    fn created_at<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::ms_to_datetime(py, self.inner.created_at)
    }
    #[getter]
    fn expires_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .expires_at
            .map(|ms| convert::ms_to_datetime(py, ms))
            .transpose()
    }
    #[getter]
    fn alg(&self) -> Option<&str> {
        self.inner.alg.as_deref()
    }
    #[getter]
    fn crv(&self) -> Option<&str> {
        self.inner.crv.as_deref()
    }

    fn __repr__(&self) -> String {
        // The private key column never appears, sealed or not.
        format!(
            "JwkRow(id={:?}, alg={:?}, crv={:?}, created_at={}, expires_at={:?}, private_key=<hidden>)",
            self.inner.id, self.inner.alg, self.inner.crv, self.inner.created_at, self.inner.expires_at
        )
    }
}

fn optional_ms(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<i64>> {
    match obj {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => convert::datetime_to_ms(v, what).map(Some),
    }
}

/// A row a store returned: a `JwkRow`, or a mapping with camelCase or snake_case keys.
pub fn row_from_py(obj: &Bound<'_, PyAny>) -> PyResult<JwkRow> {
    if let Ok(row) = obj.cast::<PyJwkRow>() {
        return Ok(row.get().inner.clone());
    }
    row_from_mapping(obj)
}

fn row_from_mapping(obj: &Bound<'_, PyAny>) -> PyResult<JwkRow> {
    let map = obj.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err("a store row must be a JwkRow or a mapping of the jwks columns")
    })?;
    let get = |camel: &str, snake: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
        for key in [camel, snake] {
            if map.contains(key)? {
                let v = map.get_item(key)?;
                return Ok(if v.is_none() { None } else { Some(v) });
            }
        }
        Ok(None)
    };
    let required = |camel: &str, snake: &str| -> PyResult<Bound<'_, PyAny>> {
        get(camel, snake)?
            .ok_or_else(|| PyTypeError::new_err(format!("store row has no {camel:?} column")))
    };
    Ok(JwkRow {
        id: required("id", "id")?.extract()?,
        public_key: required("publicKey", "public_key")?.extract()?,
        private_key: required("privateKey", "private_key")?.extract()?,
        created_at: convert::datetime_to_ms(&required("createdAt", "created_at")?, "createdAt")?,
        expires_at: optional_ms(get("expiresAt", "expires_at")?.as_ref(), "expiresAt")?,
        alg: get("alg", "alg")?.map(|v| v.extract()).transpose()?,
        crv: get("crv", "crv")?.map(|v| v.extract()).transpose()?,
    })
}

/// `{"expires_at": aware datetime}` (what the issuer passes to a store's `update_jwk`).
fn update_from_py(obj: &Bound<'_, PyAny>) -> PyResult<JwkUpdate> {
    let map = obj
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("update must be a mapping with \"expires_at\""))?;
    if !map.contains("expires_at")? {
        return Err(PyTypeError::new_err("update has no \"expires_at\""));
    }
    Ok(JwkUpdate {
        expires_at: convert::datetime_to_ms(&map.get_item("expires_at")?, "expires_at")?,
    })
}

/// Rows kept in process memory (the default store). Its methods follow the store protocol, so it
/// also serves as a reference for host stores.
#[pyclass(name = "MemoryStore", module = "authjwt", frozen)]
pub struct PyMemoryStore {
    pub inner: Arc<MemoryStore>,
}

#[pymethods]
impl PyMemoryStore {
    #[new]
    #[pyo3(signature = (rows=None))]
    fn new(rows: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let rows = match rows {
            None => Vec::new(),
            Some(rows) => rows
                .try_iter()?
                .map(|r| row_from_py(&r?))
                .collect::<PyResult<Vec<_>>>()?,
        };
        Ok(PyMemoryStore {
            inner: Arc::new(MemoryStore::with_rows(rows)),
        })
    }

    /// Every stored row.
    fn get_jwks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let store = self.inner.clone();
        let rows = detached(py, move || {
            runtime::block_on(async move { store.get_jwks().await.map_err(Into::into) })
        })?;
        PyList::new(py, rows.into_iter().map(PyJwkRow::from))
    }

    /// Stores `row` and returns it.
    fn create_jwk(&self, py: Python<'_>, row: &Bound<'_, PyJwkRow>) -> PyResult<PyJwkRow> {
        let store = self.inner.clone();
        let row = row.get().inner.clone();
        detached(py, move || {
            runtime::block_on(async move { store.create_jwk(row).await.map_err(Into::into) })
        })
        .map(PyJwkRow::from)
    }

    /// Sets the `expires_at` of row `id` (`update` is `{"expires_at": aware datetime}`).
    fn update_jwk(&self, py: Python<'_>, id: String, update: &Bound<'_, PyAny>) -> PyResult<()> {
        let update = update_from_py(update)?;
        let store = self.inner.clone();
        detached(py, move || {
            runtime::block_on(
                async move { store.update_jwk(&id, update).await.map_err(Into::into) },
            )
        })
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.get_jwks(py)?.len())
    }
}
