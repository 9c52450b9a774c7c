//! HTTP helpers shared by every host: reading the bearer token of an `Authorization` header.

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

#[cfg(test)]
mod tests {
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
}
