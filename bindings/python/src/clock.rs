//! `ManualClock`: an injectable time source for tests and simulations (rotation, grace periods,
//! expiry) that the core reads without taking the GIL.

use std::sync::Arc;

use authjwt_core::clock::{Clock, ManualClock, SystemClock};
use pyo3::prelude::*;

use crate::convert;

/// A clock that moves only when told to. Pass it as `clock=` to `Issuer`/`AsyncIssuer`.
#[pyclass(name = "ManualClock", module = "authjwt", frozen)]
pub struct PyManualClock {
    pub inner: Arc<ManualClock>,
}

#[pymethods]
impl PyManualClock {
    /// Starts at `now` (an aware datetime or seconds since the epoch; default: the current time).
    #[new]
    #[pyo3(signature = (now=None))]
    fn new(now: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let ms = match now {
            Some(now) => instant_ms(now)?,
            None => SystemClock.now_ms(),
        };
        Ok(PyManualClock {
            inner: Arc::new(ManualClock::new(ms)),
        })
    }

    /// Moves the time forward by `seconds` (int, float or timedelta).
    fn advance(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        let ms = if convert::is_timedelta(seconds)? {
            let s: f64 = seconds.call_method0("total_seconds")?.extract()?;
            (s * 1000.0).round() as i64
        } else {
            let s: f64 = seconds.extract()?;
            (s * 1000.0).round() as i64
        };
        self.inner.advance_ms(ms);
        Ok(())
    }

    /// Sets the time (an aware datetime or seconds since the epoch).
    fn set(&self, now: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.set_ms(instant_ms(now)?);
        Ok(())
    }

    /// The current time as an aware UTC datetime.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::ms_to_datetime(py, self.inner.now_ms())
    }

    /// The current time in seconds since the epoch.
    fn timestamp(&self) -> f64 {
        self.inner.now_ms() as f64 / 1000.0
    }
}

fn instant_ms(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if convert::is_datetime(obj)? {
        return convert::datetime_to_ms(obj, "now");
    }
    let s: f64 = obj.extract()?;
    Ok((s * 1000.0).round() as i64)
}
