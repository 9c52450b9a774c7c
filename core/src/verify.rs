//! The verification policy, in its fixed order: parse, header, key, signature, claims. The first
//! failure is the error. Defaults are strict; every relaxation is an option.
//!
//! 0. **Options** ([`VerifyOptions::validate`]): a list option given empty, an empty expected
//!    string or a negative duration → `ERR_INVALID_CONFIG`, before the token is read.
//! 1. **Parse** ([`crate::jws::decode_compact`]): size cap, two dots, strict base64url, the header a
//!    JSON object without duplicate members → `ERR_JWS_INVALID`.
//! 2. **Header**: `alg` a string (`ERR_JWS_INVALID`); `none` in any casing and `HS*` never
//!    (`ERR_JOSE_ALG_NOT_ALLOWED`); with an explicit allowlist, anything outside it is
//!    `ERR_JOSE_ALG_NOT_ALLOWED`; without one, a name authjwt does not implement is
//!    `ERR_JOSE_NOT_SUPPORTED` and the keys of the set decide the rest (step 3), as jose; `crit` or
//!    `b64` present → `ERR_JOSE_NOT_SUPPORTED` (no extension is understood, RFC 7515 §4.1.11,
//!    RFC 7797); `kid` a string of at most [`MAX_KID_LEN`] bytes (`ERR_JWS_INVALID`). `jwk`,
//!    `jku`, `x5u`, `x5c` and `x5t` are ignored: keys only ever come from the key set, nothing is
//!    fetched, so a token carrying its own key fails at step 3 or 4 like any other.
//! 3. **Key** ([`KeySet::candidates`]): by `kid`; the key's type, curve and `alg` must fit the
//!    token's `alg` (`use`/`key_ops` were checked when the set was parsed) →
//!    `ERR_JWKS_NO_MATCHING_KEY`. A token without `kid` is tried against the fitting keys, at most
//!    three (`ERR_JWKS_MULTIPLE_MATCHING_KEYS` when several fit and none verifies).
//! 4. **Signature** → `ERR_JWS_SIGNATURE_VERIFICATION_FAILED` (ECDSA: exactly 2×n bytes,
//!    1 <= r,s < n; Ed25519 strict, in [`crate::crypto`]).
//! 5. **Claims** ([`validate_claims`]): the payload a JSON object without duplicate members
//!    (`ERR_JWT_INVALID`), then the claim rules documented there.

use serde_json::{Map, Value};

use crate::alg::Algorithm;
use crate::claims::{audience_value, numeric_date_value, string_value};
use crate::clock::{Clock, SystemClock};
use crate::config::invalid;
use crate::error::{ClaimReason, Error, Result};
use crate::jwks::KeySet;
use crate::jws::json::{scan_object, ScannedObject, READ_HEADER_PARAMS, REGISTERED_CLAIMS};
use crate::jws::{parse_header, split_compact, CompactParts};

pub use crate::jws::MAX_KID_LEN;

/// What a token must satisfy beyond its signature. Times are seconds.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Allowed algorithms; `None` = the algorithms of the keys in the set.
    pub algorithms: Option<Vec<Algorithm>>,
    /// Accepted issuers (exact string equality); `None` = not checked. An empty list is
    /// `ERR_INVALID_CONFIG` ([`VerifyOptions::validate`]), never "not checked".
    pub issuer: Option<Vec<String>>,
    /// Accepted audiences; the token's `aud` (string or array) must contain one. `None` = not
    /// checked; an empty list is `ERR_INVALID_CONFIG`.
    pub audience: Option<Vec<String>>,
    /// Expected `sub`.
    pub subject: Option<String>,
    /// Expected `typ` header, compared as a media type (`JWT` equals `application/jwt`).
    pub typ: Option<String>,
    /// Leeway for `exp`, `nbf` and `iat` checks, seconds (zero or more).
    pub clock_tolerance: i64,
    /// Oldest accepted `iat`, as an age (zero or more seconds); requires `iat`.
    pub max_token_age: Option<i64>,
    /// Claims that must be present; `None` = none beyond the defaults. An empty list is
    /// `ERR_INVALID_CONFIG`.
    pub required_claims: Option<Vec<String>>,
    /// Require `exp` (default true).
    pub require_exp: bool,
    /// "Now" for the checks; `None` = the system clock.
    pub current_date: Option<i64>,
    /// Largest accepted token, bytes.
    pub max_token_size: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            algorithms: None,
            issuer: None,
            audience: None,
            subject: None,
            typ: None,
            clock_tolerance: 0,
            max_token_age: None,
            required_claims: None,
            require_exp: true,
            current_date: None,
            max_token_size: crate::jws::DEFAULT_MAX_TOKEN_SIZE,
        }
    }
}

impl VerifyOptions {
    /// The option rules every host shares, checked before any token is looked at: a list option
    /// given empty (`issuer`, `audience`, `algorithms`, `requiredClaims`), an empty expected
    /// string (`subject`, `typ`, a list entry), a negative duration (`clockTolerance`,
    /// `maxTokenAge`) or a zero size cap is `ERR_INVALID_CONFIG` naming the option (jose's name,
    /// with Python's where it differs). An empty list would otherwise read as "not checked" and
    /// accept any `iss`/`aud`, where jose and PyJWT reject.
    pub fn validate(&self) -> Result<()> {
        fn list<T>(name: &str, list: Option<&[T]>, empty_entry: impl Fn(&T) -> bool) -> Result<()> {
            match list {
                Some([]) => Err(invalid(
                    name,
                    "a non-empty list (leave the option out to skip the check)",
                )),
                Some(items) if items.iter().any(empty_entry) => {
                    Err(invalid(name, "a list of non-empty strings"))
                }
                _ => Ok(()),
            }
        }
        let blank = |s: &String| s.is_empty();
        list("issuer", self.issuer.as_deref(), blank)?;
        list("audience", self.audience.as_deref(), blank)?;
        list(
            "requiredClaims (required_claims)",
            self.required_claims.as_deref(),
            blank,
        )?;
        list("algorithms", self.algorithms.as_deref(), |_| false)?;
        for (name, value) in [("subject", &self.subject), ("typ", &self.typ)] {
            if value.as_deref().is_some_and(str::is_empty) {
                return Err(invalid(
                    name,
                    "a non-empty string (leave the option out to skip the check)",
                ));
            }
        }
        if self.clock_tolerance < 0 {
            return Err(invalid("clockTolerance (leeway)", "zero or more seconds"));
        }
        if self.max_token_age.is_some_and(|age| age < 0) {
            return Err(invalid(
                "maxTokenAge (max_token_age)",
                "zero or more seconds",
            ));
        }
        if self.max_token_size == 0 {
            return Err(invalid(
                "maxTokenSize (max_token_size)",
                "more than zero bytes",
            ));
        }
        Ok(())
    }
}

/// A verified token.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    /// The claims.
    pub payload: Map<String, Value>,
    /// The protected header.
    pub protected_header: Map<String, Value>,
}

/// A verified JWS whose payload is not interpreted (RFC 7515 only, no JWT claims).
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The payload bytes.
    pub payload: Vec<u8>,
    /// The protected header.
    pub protected_header: Map<String, Value>,
}

/// Verifies a compact JWT against a key set under the policy.
pub fn verify_jwt(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<VerifiedJwt> {
    let jws = verify_jws(token, keys, options)?;
    let payload = crate::jws::json::parse_object(&jws.payload)
        .map_err(|e| Error::JwtInvalid(format!("the claims set must be a JSON object: {e}")))?;
    let now = options.current_date.unwrap_or_else(|| SystemClock.now_s());
    validate_in(&payload, &jws.protected_header, options, now)?;
    Ok(VerifiedJwt {
        payload,
        protected_header: jws.protected_header,
    })
}

/// [`verify_jwt`] for hosts that take the result as JSON text (the Node binding): returns
/// `{"payload":…,"protectedHeader":…}` built from the token's own verified JSON, so neither the
/// header nor the claims are re-serialized and, in the usual case, neither is built into a `Map`
/// (the same policy and errors as [`verify_jwt`]; profile in bench/HISTORY.md).
pub fn verify_jwt_json(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<String> {
    options.validate()?;
    let parts = split_compact(token, options.max_token_size)?;
    // A header the scan leaves aside is parsed into a `Map`, which reports its error.
    let scanned_header = scan_object(&parts.header_json, &READ_HEADER_PARAMS);
    let parsed_header;
    let header: &dyn Members = match &scanned_header {
        Some(scanned) => scanned,
        None => {
            parsed_header = parse_header(&parts.header_json)?;
            &parsed_header
        }
    };
    check_signature(&parts, header, keys, options)?;
    let now = options.current_date.unwrap_or_else(|| SystemClock.now_s());
    match scan_object(&parts.payload, &REGISTERED_CLAIMS) {
        Some(claims) => validate_in(&claims, header, options, now)?,
        None => {
            // The `Map` path reports the parse error exactly as verify_jwt does.
            let payload = crate::jws::json::parse_object(&parts.payload).map_err(|e| {
                Error::JwtInvalid(format!("the claims set must be a JSON object: {e}"))
            })?;
            validate_in(&payload, header, options, now)?;
        }
    }
    // Both parsed as strict JSON objects above, so both are UTF-8 JSON text.
    let (Ok(payload), Ok(header)) = (
        std::str::from_utf8(&parts.payload),
        std::str::from_utf8(&parts.header_json),
    ) else {
        return Err(Error::JwtInvalid(
            "the token's JSON is not UTF-8".to_owned(),
        ));
    };
    let mut out = String::with_capacity(payload.len() + header.len() + 32);
    out.push_str("{\"payload\":");
    out.push_str(payload);
    out.push_str(",\"protectedHeader\":");
    out.push_str(header);
    out.push('}');
    Ok(out)
}

/// Steps 1-4 of the policy (parse, header, key, signature) for any compact JWS; the payload is
/// returned as bytes. Uses `algorithms` and `max_token_size` of `options`.
pub fn verify_jws(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<VerifiedJws> {
    options.validate()?;
    let parts = split_compact(token, options.max_token_size)?;
    let protected_header = parse_header(&parts.header_json)?;
    check_signature(&parts, &protected_header, keys, options)?;
    Ok(VerifiedJws {
        payload: parts.payload,
        protected_header,
    })
}

/// Steps 2-4 for a token cut into its segments, with its header as read by the caller.
fn check_signature(
    parts: &CompactParts<'_>,
    header: &(impl Members + ?Sized),
    keys: &KeySet,
    options: &VerifyOptions,
) -> Result<()> {
    let (alg, kid) = check_header(header, options)?;
    let candidates = keys.candidates(alg, kid)?;
    // Keys sharing the token's kid are one key for the error: a bad signature is a bad signature.
    let several = kid.is_none() && candidates.len() > 1;
    let verified = candidates
        .into_iter()
        .any(|key| key.verify(parts.signing_input, &parts.signature).is_ok());
    if verified {
        Ok(())
    } else if several {
        Err(Error::MultipleMatchingKeys(
            "the token has no kid and none of the fitting keys verifies it".to_owned(),
        ))
    } else {
        Err(Error::SignatureVerificationFailed)
    }
}

/// Step 2: the header rules. Returns the algorithm and the `kid`.
fn check_header<'h>(
    header: &'h (impl Members + ?Sized),
    options: &VerifyOptions,
) -> Result<(Algorithm, Option<&'h str>)> {
    let name = match header.wanted("alg") {
        Some(Value::String(name)) if !name.is_empty() => name,
        _ => {
            return Err(Error::JwsInvalid(
                "the \"alg\" header parameter is missing or not a string".to_owned(),
            ))
        }
    };
    if name.eq_ignore_ascii_case("none")
        || name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("hs"))
    {
        return Err(Error::AlgNotAllowed(
            "unsigned (none) and shared-secret (HS*) tokens are never accepted".to_owned(),
        ));
    }
    let alg = match (Algorithm::from_name(name), &options.algorithms) {
        (Some(alg), None) => alg,
        (Some(alg), Some(allowed)) if allowed.contains(&alg) => alg,
        (_, Some(_)) => {
            return Err(Error::AlgNotAllowed(
                "the token's \"alg\" is not in the allowed algorithms".to_owned(),
            ))
        }
        (None, None) => {
            return Err(Error::NotSupported(
                "the token's \"alg\" is not an algorithm authjwt verifies".to_owned(),
            ))
        }
    };
    if header.has("crit") {
        return Err(Error::NotSupported(
            "the \"crit\" header parameter: no JWS extension is understood".to_owned(),
        ));
    }
    if header.has("b64") {
        return Err(Error::NotSupported(
            "the \"b64\" header parameter (RFC 7797 unencoded payloads)".to_owned(),
        ));
    }
    let kid = match header.wanted("kid") {
        None => None,
        Some(Value::String(kid)) if kid.len() <= MAX_KID_LEN => Some(kid.as_str()),
        Some(Value::String(_)) => {
            return Err(Error::JwsInvalid(format!(
                "\"kid\" is longer than {MAX_KID_LEN} bytes"
            )))
        }
        Some(_) => return Err(Error::JwsInvalid("\"kid\" must be a string".to_owned())),
    };
    Ok((alg, kid))
}

/// Step 5: the claim rules, in this order (the first failure is the error):
///
/// 1. `typ` header, when expected: a string equal as a media type (case-insensitive, the
///    `application/` prefix optional) → claim `typ`, `check_failed`.
/// 2. presence: `iss`, `sub`, `aud` when expected; `exp` when required; `iat` with
///    `max_token_age`; then `required_claims` → `missing`.
/// 3. types of the registered claims present: `iss`, `sub`, `jti` strings; `aud` a string or an
///    array of strings; `exp`, `nbf`, `iat` numbers (non-integers allowed) → `invalid`.
/// 4. times, with `clock_tolerance` and saturating arithmetic: `exp <= now - tol` →
///    `ERR_JWT_EXPIRED` (jose); `nbf > now + tol` → `check_failed`; `iat > now + tol` →
///    `check_failed`; `now - iat - tol > max_token_age` → `ERR_JWT_EXPIRED` (jose's code for a
///    token too old, with claim `iat`).
/// 5. `iss` equal to one of `issuer`, `sub` equal to `subject`, `aud` containing one of
///    `audience` (an empty array contains none) → `check_failed`.
///
/// The options are checked first ([`VerifyOptions::validate`]).
pub fn validate_claims(
    payload: &Map<String, Value>,
    header: &Map<String, Value>,
    options: &VerifyOptions,
    now: i64,
) -> Result<()> {
    options.validate()?;
    validate_in(payload, header, options, now)
}

/// A JSON object as the header and claim rules read it: a parsed `Map`, or an object scanned from
/// its text ([`ScannedObject`]), which keeps the values of the members the rules read.
trait Members {
    fn has(&self, name: &str) -> bool;
    /// The value of `name`, one of the registered claims or of the header parameters the rules
    /// read ([`REGISTERED_CLAIMS`], [`READ_HEADER_PARAMS`]).
    fn wanted(&self, name: &str) -> Option<&Value>;
}

impl Members for Map<String, Value> {
    fn has(&self, name: &str) -> bool {
        self.contains_key(name)
    }

    fn wanted(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl<const N: usize> Members for ScannedObject<'_, N> {
    fn has(&self, name: &str) -> bool {
        ScannedObject::has(self, name)
    }

    fn wanted(&self, name: &str) -> Option<&Value> {
        ScannedObject::wanted(self, name)
    }
}

/// [`validate_claims`] over any [`Members`].
fn validate_in(
    payload: &impl Members,
    header: &(impl Members + ?Sized),
    options: &VerifyOptions,
    now: i64,
) -> Result<()> {
    if let Some(expected) = &options.typ {
        let ok = header
            .wanted("typ")
            .and_then(Value::as_str)
            .is_some_and(|typ| media_type_eq(typ, expected));
        if !ok {
            return Err(Error::claim_failed(
                "typ",
                ClaimReason::CheckFailed,
                "unexpected \"typ\" header value",
            ));
        }
    }

    let expected = [
        ("iss", options.issuer.is_some()),
        ("sub", options.subject.is_some()),
        ("aud", options.audience.is_some()),
        ("exp", options.require_exp),
        ("iat", options.max_token_age.is_some()),
    ];
    let required = expected
        .iter()
        .filter(|(_, needed)| *needed)
        .map(|(claim, _)| *claim)
        .chain(options.required_claims.iter().flatten().map(String::as_str));
    for claim in required {
        if !payload.has(claim) {
            return Err(Error::claim_failed(
                claim,
                ClaimReason::Missing,
                format!("the \"{claim}\" claim is required"),
            ));
        }
    }

    let iss = string_value("iss", payload.wanted("iss"))?;
    let sub = string_value("sub", payload.wanted("sub"))?;
    string_value("jti", payload.wanted("jti"))?;
    let aud = audience_value(payload.wanted("aud"))?;
    let exp = numeric_date_value("exp", payload.wanted("exp"))?;
    let nbf = numeric_date_value("nbf", payload.wanted("nbf"))?;
    let iat = numeric_date_value("iat", payload.wanted("iat"))?;

    // Times before identity: an expired token from another issuer or for another audience is
    // reported as expired (what a client acts on: it gets a new token).
    let tolerance = options.clock_tolerance.max(0);
    // Compared as f64: NumericDates may be non-integers or beyond i64; `now ± tol` saturates first.
    let latest = now.saturating_add(tolerance) as f64;
    let earliest = now.saturating_sub(tolerance) as f64;
    if exp.is_some_and(|exp| exp <= earliest) {
        return Err(Error::JwtExpired { claim: "exp" });
    }
    if nbf.is_some_and(|nbf| nbf > latest) {
        return Err(Error::claim_failed(
            "nbf",
            ClaimReason::CheckFailed,
            "\"nbf\" claim timestamp check failed: the token is not valid yet",
        ));
    }
    if let Some(iat) = iat {
        if iat > latest {
            return Err(Error::claim_failed(
                "iat",
                ClaimReason::CheckFailed,
                "\"iat\" claim timestamp check failed: it is in the future",
            ));
        }
        if let Some(max_age) = options.max_token_age {
            if (now as f64 - iat) - tolerance as f64 > max_age as f64 {
                return Err(Error::JwtExpired { claim: "iat" });
            }
        }
    }

    if let Some(issuers) = &options.issuer {
        if !iss.is_some_and(|iss| issuers.iter().any(|i| i == iss)) {
            return Err(Error::claim_failed(
                "iss",
                ClaimReason::CheckFailed,
                "unexpected \"iss\" claim value",
            ));
        }
    }
    if let Some(subject) = &options.subject {
        if sub != Some(subject.as_str()) {
            return Err(Error::claim_failed(
                "sub",
                ClaimReason::CheckFailed,
                "unexpected \"sub\" claim value",
            ));
        }
    }
    if let Some(audiences) = &options.audience {
        let found =
            aud.is_some_and(|aud| aud.iter().any(|a| audiences.iter().any(|want| want == a)));
        if !found {
            return Err(Error::claim_failed(
                "aud",
                ClaimReason::CheckFailed,
                "unexpected \"aud\" claim value",
            ));
        }
    }
    Ok(())
}

/// Media-type equality as jose compares `typ`: case-insensitive, `application/` optional.
fn media_type_eq(a: &str, b: &str) -> bool {
    fn essence(t: &str) -> (&str, &str) {
        match t.split_once('/') {
            Some((kind, sub)) => (kind, sub),
            None => ("application", t),
        }
    }
    let (ka, sa) = essence(a);
    let (kb, sb) = essence(b);
    ka.eq_ignore_ascii_case(kb) && sa.eq_ignore_ascii_case(sb)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn obj(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    fn check(payload: &str, options: &VerifyOptions, now: i64) -> &'static str {
        validate_claims(
            &obj(payload),
            &obj(r#"{"alg":"EdDSA","typ":"JWT"}"#),
            options,
            now,
        )
        .err()
        .map_or("ok", |e| e.code())
    }

    #[test]
    fn media_types_compare_like_jose() {
        assert!(media_type_eq("JWT", "application/jwt"));
        assert!(media_type_eq("at+jwt", "application/AT+JWT"));
        assert!(!media_type_eq("JWT", "text/jwt"));
        assert!(!media_type_eq("JWT", "at+jwt"));
    }

    #[test]
    fn exp_equal_to_now_is_expired_and_tolerance_extends_it() {
        let o = VerifyOptions::default();
        assert_eq!(check(r#"{"exp":100}"#, &o, 100), "ERR_JWT_EXPIRED");
        assert_eq!(check(r#"{"exp":100.5}"#, &o, 100), "ok");
        let o = VerifyOptions {
            clock_tolerance: 5,
            ..VerifyOptions::default()
        };
        assert_eq!(check(r#"{"exp":96}"#, &o, 100), "ok");
        assert_eq!(check(r#"{"exp":95}"#, &o, 100), "ERR_JWT_EXPIRED");
    }

    #[test]
    fn time_arithmetic_saturates() {
        let wide = VerifyOptions {
            clock_tolerance: i64::MAX,
            ..VerifyOptions::default()
        };
        assert_eq!(check(r#"{"exp":1}"#, &wide, i64::MAX), "ok");
        assert_eq!(
            check(r#"{"exp":-1e300}"#, &wide, i64::MIN),
            "ERR_JWT_EXPIRED"
        );
        let o = VerifyOptions::default();
        assert_eq!(check(r#"{"exp":18446744073709551615}"#, &o, i64::MAX), "ok");
        assert_eq!(check(r#"{"exp":1e300,"nbf":-1e300}"#, &o, 0), "ok");
        let aged = VerifyOptions {
            max_token_age: Some(i64::MAX),
            ..VerifyOptions::default()
        };
        assert_eq!(
            check(r#"{"exp":1e300,"iat":-1e300}"#, &aged, 0),
            "ERR_JWT_EXPIRED"
        );
        assert_eq!(check(r#"{"exp":1e300,"iat":0}"#, &aged, i64::MAX), "ok");
    }

    #[test]
    fn expired_names_exp_and_too_old_names_iat_like_jose() {
        let claim = |payload: &str, o: &VerifyOptions| {
            let e = validate_claims(&obj(payload), &Map::new(), o, 1000).unwrap_err();
            (e.code(), e.claim().map(str::to_owned))
        };
        let o = VerifyOptions::default();
        assert_eq!(
            claim(r#"{"exp":10}"#, &o),
            ("ERR_JWT_EXPIRED", Some("exp".to_owned()))
        );
        let aged = VerifyOptions {
            max_token_age: Some(60),
            ..VerifyOptions::default()
        };
        assert_eq!(
            claim(r#"{"exp":5000,"iat":100}"#, &aged),
            ("ERR_JWT_EXPIRED", Some("iat".to_owned()))
        );
    }

    #[test]
    fn errors_never_carry_claim_values() {
        let o = VerifyOptions {
            issuer: Some(vec!["https://a".into()]),
            ..VerifyOptions::default()
        };
        let e = validate_claims(
            &obj(r#"{"exp":9e9,"iss":"secret-issuer-value"}"#),
            &Map::new(),
            &o,
            0,
        )
        .unwrap_err();
        assert!(!e.to_string().contains("secret-issuer-value"));
    }
}
