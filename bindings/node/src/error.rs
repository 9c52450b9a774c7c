//! The one place where `authjwt_core::Error` becomes a JS error.
//!
//! napi-rs rejects async exports only with its own status enum, so the structured part travels
//! in the message: `CODE\x1fclaim\x1freason\x1fcauseId\x1fmessage`. `npm/lib/errors.js` decodes
//! it into an `AuthJwtError` subclass with `.code`, `.claim`, `.reason` and, for store failures,
//! the host's own error as `.cause` (looked up by the id the JS store wrapper put in the failure
//! message). Every native call goes through that decoder, so users never see the raw form.

use authjwt_core::Error;
use napi::Status;

/// Result of an export.
pub type JsResult<T> = napi::Result<T>;

/// Marker the JS store wrapper appends to a failure message: `[authjwt-cause#<id>]`.
pub const CAUSE_MARKER: &str = "[authjwt-cause#";

/// Separates the fields of an encoded error message.
const SEP: char = '\u{1f}';

/// Converts a core error to the JS error thrown or rejected with.
pub fn to_js(e: Error) -> napi::Error {
    let mut message = e.to_string();
    let cause = take_cause_id(&mut message);
    let encoded = format!(
        "{}{SEP}{}{SEP}{}{SEP}{}{SEP}{message}",
        e.code(),
        e.claim().unwrap_or(""),
        e.reason().map(|r| r.as_str()).unwrap_or(""),
        cause.unwrap_or_default()
    );
    napi::Error::new(Status::GenericFailure, encoded)
}
/// Removes the first cause marker from `message` and returns its id.
fn take_cause_id(message: &mut String) -> Option<String> {
    let start = message.find(CAUSE_MARKER)?;
    let rest = &message[start + CAUSE_MARKER.len()..];
    let end = rest.find(']')?;
    let id = rest[..end].to_owned();
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut stop = start + CAUSE_MARKER.len() + end + 1;
    let mut begin = start;
    // Drop the space the wrapper put before the marker, too.
    if message[..begin].ends_with(' ') {
        begin -= 1;
    } else if message[stop..].starts_with(' ') {
        stop += 1;
    }
    message.replace_range(begin..stop, "");
    Some(id)
}

/// Shorthand: a core result as an export result.
pub trait IntoJs<T> {
    /// Maps the error with [`to_js`].
    fn js(self) -> JsResult<T>;
}

impl<T> IntoJs<T> for authjwt_core::Result<T> {
    fn js(self) -> JsResult<T> {
        self.map_err(to_js)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authjwt_core::{ClaimReason, StoreError};

    #[test]
    fn claim_failures_carry_claim_and_reason_in_the_code() {
        let e = to_js(Error::claim_failed("aud", ClaimReason::CheckFailed, "x"));
        assert!(e
            .reason
            .starts_with("ERR_JWT_CLAIM_VALIDATION_FAILED\u{1f}aud\u{1f}check_failed\u{1f}\u{1f}"));
    }

    #[test]
    fn store_failures_carry_the_cause_id_and_lose_the_marker() {
        let e = to_js(Error::Store(StoreError::new(
            "get_jwks",
            "db down [authjwt-cause#42]",
        )));
        assert_eq!(
            e.reason,
            "ERR_STORE\u{1f}\u{1f}\u{1f}42\u{1f}key store failed: get_jwks failed: db down"
        );
    }
}
