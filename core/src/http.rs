//! HTTP helpers shared by every host and framework integration: reading the bearer token of an
//! `Authorization` header, the scopes a token grants, and the RFC 6750 §3 answer to a failed
//! authentication (status, `WWW-Authenticate`), so no integration writes its own table.

use serde_json::{Map, Value};

/// The token of an `Authorization: Bearer <token>` header value, or `None` when the value is not
/// a Bearer credential (RFC 6750 §2.1: `"Bearer" 1*SP b64token`, the scheme case-insensitive as
/// RFC 9110 §11.1 says, where `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
/// *"="`). Whitespace around the whole value (RFC 9110 §5.5) is ignored.
pub fn extract_bearer_token(header_value: &str) -> Option<&str> {
    let value = header_value.trim_matches([' ', '\t']);
    let scheme = value.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let rest = &value[6..];
    let token = rest.trim_start_matches(' ');
    if token.len() == rest.len() || !is_b64token(token) {
        return None;
    }
    Some(token)
}

/// RFC 6750's `b64token`: token characters, then only `=` padding.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Why a request was not authorized: no credentials, a malformed `Authorization` header, a token
/// that failed verification (its error code), or a valid token without the required scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure<'a> {
    /// No `Authorization` header (RFC 6750 §3.1: no error code in the challenge).
    MissingToken,
    /// An `Authorization` header that is not one Bearer credential (`invalid_request`).
    InvalidRequest,
    /// The token failed verification with this error code (`ERR_JWT_EXPIRED`, ...).
    Token(&'a str),
    /// The token is valid but lacks a required scope (`insufficient_scope`).
    InsufficientScope,
}

impl<'a> AuthFailure<'a> {
    /// Reads a host's failure kind: an error code, or `missing_token`, `invalid_request`,
    /// `insufficient_scope`. `None` for anything else.
    pub fn parse(kind: &'a str) -> Option<AuthFailure<'a>> {
        match kind {
            "missing_token" => Some(AuthFailure::MissingToken),
            "invalid_request" => Some(AuthFailure::InvalidRequest),
            "insufficient_scope" => Some(AuthFailure::InsufficientScope),
            code if code.starts_with("ERR_") => Some(AuthFailure::Token(code)),
            _ => None,
        }
    }
}

/// What the challenge carries besides the failure.
#[derive(Debug, Clone, Default)]
pub struct ChallengeParams<'a> {
    /// The `realm` auth-param.
    pub realm: Option<&'a str>,
    /// The required scopes (space-separated), sent with `insufficient_scope`.
    pub scope: Option<&'a str>,
    /// RFC 9728 §5.1 `resource_metadata`: the URL of the protected resource's metadata.
    pub resource_metadata: Option<&'a str>,
    /// The claim a claim failure names (`aud`, `iss`, ...), to say which check failed.
    pub claim: Option<&'a str>,
}

/// The HTTP answer to a failed authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// 400, 401, 403, 500 or 503.
    pub status: u16,
    /// The RFC 6750 error code (`invalid_request`, `invalid_token`, `insufficient_scope`), or
    /// `temporarily_unavailable` / `server_error` for the 5xx answers.
    pub error: Option<&'static str>,
    /// A sentence for the client: what failed, never the token or a claim's value.
    pub error_description: Option<String>,
    /// The `WWW-Authenticate` header value, on 4xx answers.
    pub www_authenticate: Option<String>,
}

/// The RFC 6750 §3 answer for `failure`: missing credentials 401 with a bare challenge; a
/// malformed header 400 `invalid_request`; a bad, expired or mismatched token 401 `invalid_token`;
/// missing scopes 403 `insufficient_scope`; an unreachable or broken key server 503 (clients must
/// not drop a valid token for an outage); a store or configuration failure 500.
pub fn challenge(failure: AuthFailure<'_>, params: &ChallengeParams<'_>) -> Challenge {
    let (status, error, description) = match failure {
        AuthFailure::MissingToken => (401, None, None),
        AuthFailure::InvalidRequest => (
            400,
            Some("invalid_request"),
            Some("the Authorization header is not a single Bearer token".to_owned()),
        ),
        AuthFailure::InsufficientScope => (
            403,
            Some("insufficient_scope"),
            Some("the token does not grant the required scope".to_owned()),
        ),
        AuthFailure::Token(code) => match token_failure(code, params.claim) {
            TokenFailure::Invalid(text) => (401, Some("invalid_token"), Some(text)),
            TokenFailure::KeysUnavailable => (
                503,
                Some("temporarily_unavailable"),
                Some("the signing keys cannot be fetched right now; retry later".to_owned()),
            ),
            TokenFailure::Server => (
                500,
                Some("server_error"),
                Some("the server cannot verify tokens".to_owned()),
            ),
        },
    };
    let www_authenticate = (status < 500).then(|| {
        let mut header = String::from("Bearer");
        let mut sep = " ";
        let mut param = |name: &str, value: &str| {
            header.push_str(sep);
            header.push_str(name);
            header.push_str("=\"");
            push_quoted(&mut header, value);
            header.push('"');
            sep = ", ";
        };
        if let Some(realm) = params.realm {
            param("realm", realm);
        }
        if let Some(error) = error {
            param("error", error);
        }
        if let Some(text) = &description {
            param("error_description", text);
        }
        if failure == AuthFailure::InsufficientScope {
            if let Some(scope) = params.scope {
                param("scope", scope);
            }
        }
        if let Some(url) = params.resource_metadata {
            param("resource_metadata", url);
        }
        header
    });
    Challenge {
        status,
        error,
        error_description: description,
        www_authenticate,
    }
}

/// The scopes of `required` that the claims do not grant. Granted scopes are the space-separated
/// `scope` string (RFC 8693 §4.2, RFC 9068) or, as Microsoft Entra and Okta issue them, an `scp`
/// array of strings or space-separated string. A claim of another type grants nothing.
pub fn missing_scopes<'r>(claims: &Map<String, Value>, required: &[&'r str]) -> Vec<&'r str> {
    let mut granted: Vec<&str> = Vec::new();
    for name in ["scope", "scp"] {
        match claims.get(name) {
            Some(Value::String(s)) => granted.extend(s.split(' ').filter(|s| !s.is_empty())),
            Some(Value::Array(items)) => granted.extend(items.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    required
        .iter()
        .copied()
        .filter(|want| !granted.contains(want))
        .collect()
}

enum TokenFailure {
    Invalid(String),
    KeysUnavailable,
    Server,
}

/// The `error_description` of a token failure by code; `claim` only names which check failed.
fn token_failure(code: &str, claim: Option<&str>) -> TokenFailure {
    let text = match code {
        "ERR_JWT_EXPIRED" if claim == Some("iat") => "the token is too old",
        "ERR_JWT_EXPIRED" => "the token has expired",
        "ERR_JWT_CLAIM_VALIDATION_FAILED" => {
            return TokenFailure::Invalid(match claim.filter(|c| is_claim_name(c)) {
                Some(claim) => format!("the token's \"{claim}\" claim is not accepted"),
                None => "a claim of the token is not accepted".to_owned(),
            })
        }
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" => "the token's signature is invalid",
        "ERR_JWKS_NO_MATCHING_KEY" | "ERR_JWKS_MULTIPLE_MATCHING_KEYS" => {
            "the token is not signed by a known key"
        }
        "ERR_JOSE_ALG_NOT_ALLOWED" => "the token's algorithm is not accepted",
        "ERR_JOSE_NOT_SUPPORTED" => "the token uses a feature that is not supported",
        "ERR_JWS_INVALID" | "ERR_JWT_INVALID" | "ERR_WEAK_KEY" => "the token is malformed",
        "ERR_JWKS_TIMEOUT" | "ERR_JWKS_UNAVAILABLE" | "ERR_JWKS_INVALID" => {
            return TokenFailure::KeysUnavailable
        }
        _ => return TokenFailure::Server,
    };
    TokenFailure::Invalid(text.to_owned())
}

/// A registered or plausible claim name: short and plain, so a description never carries
/// arbitrary text.
fn is_claim_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// Appends `value` as the inside of an RFC 9110 quoted-string: `"` and `\` escaped, control
/// characters dropped (they cannot appear in a header).
fn push_quoted(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// The `ETag` to serve a JWKS body under: a strong validator over its bytes, `"` +
/// base64url(SHA-256(body)) + `"`, so every host and every instance serving the same keys gives
/// the same tag (a fleet behind a load balancer answers 304 for each other's tags).
pub fn jwks_etag(body: &str) -> String {
    use base64::Engine as _;
    let digest = crate::crypto::sha256(body.as_bytes());
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// Whether a request's `If-None-Match` value lets a server answer `304 Not Modified` for its
/// current `etag` (RFC 9110 §13.1.2): `*`, or any listed entity tag equal to it under the weak
/// comparison (`W/` ignored). A malformed list matches nothing (the full answer is sent).
pub fn if_none_match(header_value: &str, etag: &str) -> bool {
    let wanted = etag.strip_prefix("W/").unwrap_or(etag);
    let mut rest = header_value.trim_matches([' ', '\t']);
    if rest == "*" {
        return true;
    }
    while !rest.is_empty() {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let tag_start = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(opaque) = tag_start.strip_prefix('"') else {
            return false;
        };
        let Some(end) = opaque.find('"') else {
            return false;
        };
        let tag = &tag_start[..end + 2];
        if tag == wanted {
            return true;
        }
        rest = &opaque[end + 1..];
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn jwks_etag_is_strong_and_stable() {
        let a = jwks_etag(r#"{"keys":[]}"#);
        assert!(a.starts_with('"') && a.ends_with('"') && !a.starts_with("W/"));
        assert_eq!(a, jwks_etag(r#"{"keys":[]}"#));
        assert_ne!(a, jwks_etag(r#"{"keys":[{}]}"#));
        assert_eq!(a.len(), 45, "43 base64url characters of SHA-256, quoted");
    }

    #[test]
    fn if_none_match_uses_the_weak_comparison_over_a_list() {
        let tag = "\"abc\"";
        assert!(if_none_match("\"abc\"", tag));
        assert!(if_none_match("W/\"abc\"", tag));
        assert!(if_none_match("\"x\", W/\"y\" ,\"abc\"", tag));
        assert!(if_none_match(" * ", tag));
        assert!(!if_none_match("\"abcd\"", tag));
        assert!(!if_none_match("abc", tag), "unquoted is malformed");
        assert!(!if_none_match("\"abc", tag), "unterminated");
        assert!(!if_none_match("", tag));
        assert!(if_none_match("\"a,b\"", "\"a,b\""), "a comma inside a tag");
    }

    use super::*;

    #[test]
    fn reads_bearer_tokens_with_any_scheme_case_and_spacing() {
        assert_eq!(
            extract_bearer_token("Bearer abc.def.ghi"),
            Some("abc.def.ghi")
        );
        assert_eq!(extract_bearer_token("bearer  abc"), Some("abc"));
        assert_eq!(
            extract_bearer_token("BEARER a-_.~+/b=="),
            Some("a-_.~+/b==")
        );
        assert_eq!(extract_bearer_token(" Bearer t1 "), Some("t1"));
    }

    #[test]
    fn rejects_values_that_are_not_bearer_b64tokens() {
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Bearerabc",
            "Basic dXNlcjpwYXNz",
            "Bearer a b",
            "Bearer a,b",
            "Bearer =abc",
            "Bearer a=b",
            "Bearer\tabc",
            "Bearé abc",
        ] {
            assert_eq!(extract_bearer_token(bad), None, "{bad:?}");
        }
    }

    fn params<'a>(realm: &'a str) -> ChallengeParams<'a> {
        ChallengeParams {
            realm: Some(realm),
            ..ChallengeParams::default()
        }
    }

    #[test]
    fn answers_each_failure_as_rfc_6750_says() {
        let c = challenge(AuthFailure::MissingToken, &params("api"));
        assert_eq!(c.status, 401);
        assert_eq!(c.www_authenticate.as_deref(), Some("Bearer realm=\"api\""));
        assert_eq!(c.error, None);

        let c = challenge(AuthFailure::InvalidRequest, &params("api"));
        assert_eq!(c.status, 400);
        assert_eq!(c.error, Some("invalid_request"));

        let c = challenge(AuthFailure::Token("ERR_JWT_EXPIRED"), &params("api"));
        assert_eq!(c.status, 401);
        assert_eq!(
            c.www_authenticate.as_deref(),
            Some("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the token has expired\"")
        );

        let p = ChallengeParams {
            scope: Some("read:a write:b"),
            ..params("api")
        };
        let c = challenge(AuthFailure::InsufficientScope, &p);
        assert_eq!(c.status, 403);
        assert!(c
            .www_authenticate
            .unwrap()
            .ends_with("error=\"insufficient_scope\", error_description=\"the token does not grant the required scope\", scope=\"read:a write:b\""));
    }

    #[test]
    fn an_unreachable_key_server_is_503_and_a_store_failure_500() {
        for code in [
            "ERR_JWKS_TIMEOUT",
            "ERR_JWKS_UNAVAILABLE",
            "ERR_JWKS_INVALID",
        ] {
            let c = challenge(AuthFailure::Token(code), &params("api"));
            assert_eq!((c.status, c.www_authenticate), (503, None), "{code}");
        }
        for code in [
            "ERR_STORE",
            "ERR_INVALID_CONFIG",
            "ERR_KEY_DECRYPTION_FAILED",
        ] {
            assert_eq!(
                challenge(AuthFailure::Token(code), &params("api")).status,
                500
            );
        }
    }

    #[test]
    fn every_token_error_code_is_401_invalid_token() {
        for code in [
            "ERR_JWS_INVALID",
            "ERR_JWT_INVALID",
            "ERR_JOSE_ALG_NOT_ALLOWED",
            "ERR_JOSE_NOT_SUPPORTED",
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            "ERR_JWKS_NO_MATCHING_KEY",
            "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            "ERR_JWT_EXPIRED",
            "ERR_JWT_CLAIM_VALIDATION_FAILED",
        ] {
            let c = challenge(AuthFailure::Token(code), &ChallengeParams::default());
            assert_eq!((c.status, c.error), (401, Some("invalid_token")), "{code}");
        }
    }

    #[test]
    fn descriptions_name_the_claim_but_never_arbitrary_text_and_quotes_are_escaped() {
        let p = ChallengeParams {
            claim: Some("aud"),
            realm: Some("my \"api\""),
            ..ChallengeParams::default()
        };
        let c = challenge(AuthFailure::Token("ERR_JWT_CLAIM_VALIDATION_FAILED"), &p);
        assert_eq!(
            c.error_description.as_deref(),
            Some("the token's \"aud\" claim is not accepted")
        );
        assert!(c
            .www_authenticate
            .unwrap()
            .starts_with("Bearer realm=\"my \\\"api\\\"\", error=\"invalid_token\", error_description=\"the token's \\\"aud\\\" claim"));
        let p = ChallengeParams {
            claim: Some("x\" y=\"1"),
            ..ChallengeParams::default()
        };
        let c = challenge(AuthFailure::Token("ERR_JWT_CLAIM_VALIDATION_FAILED"), &p);
        assert_eq!(
            c.error_description.as_deref(),
            Some("a claim of the token is not accepted")
        );
    }

    #[test]
    fn resource_metadata_is_sent_with_every_challenge() {
        let p = ChallengeParams {
            resource_metadata: Some("https://api.example.com/.well-known/oauth-protected-resource"),
            ..ChallengeParams::default()
        };
        let c = challenge(AuthFailure::MissingToken, &p);
        assert_eq!(
            c.www_authenticate.as_deref(),
            Some("Bearer resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource\"")
        );
    }

    #[test]
    fn parses_failure_kinds() {
        assert_eq!(
            AuthFailure::parse("missing_token"),
            Some(AuthFailure::MissingToken)
        );
        assert_eq!(
            AuthFailure::parse("ERR_JWT_EXPIRED"),
            Some(AuthFailure::Token("ERR_JWT_EXPIRED"))
        );
        assert_eq!(AuthFailure::parse("expired"), None);
    }

    #[test]
    fn scopes_come_from_scope_strings_and_scp_arrays() {
        let claims = |v: Value| v.as_object().unwrap().clone();
        let c = claims(serde_json::json!({"scope": "read  write"}));
        assert_eq!(missing_scopes(&c, &["read", "admin"]), vec!["admin"]);
        let c = claims(serde_json::json!({"scp": ["read", "admin"]}));
        assert!(missing_scopes(&c, &["read", "admin"]).is_empty());
        let c = claims(serde_json::json!({"scp": "read admin"}));
        assert!(missing_scopes(&c, &["admin"]).is_empty());
        let c = claims(serde_json::json!({"scope": 7}));
        assert_eq!(missing_scopes(&c, &["read"]), vec!["read"]);
    }
}
