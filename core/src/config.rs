//! Host option values → core types: the one place where the hosts' loosely typed options (JS
//! objects, Python values, UniFFI JSON text) become [`Secret`]s, [`ExpirationTime`]s, spans,
//! [`Audience`]s and [`KeyPairConfig`]s. Bindings convert host-only types (a `Date`, a
//! `datetime`, a `timedelta`) themselves and hand everything else over as `serde_json::Value`,
//! so every host follows the same rules. Failures are [`Error::InvalidConfig`] naming the option.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::alg::KeyPairConfig;
use crate::claims::{parse_timespan, Audience, ExpirationTime};
use crate::error::{Error, Result};
use crate::seal::Secret;

/// `ERR_INVALID_CONFIG`: option `name` must be `expected` (never echoes the value: it may be a
/// secret).
pub fn invalid(name: &str, expected: &str) -> Error {
    Error::InvalidConfig(format!("option {name} must be {expected}"))
}

const SECRET_FORMS: &str =
    "a string, an array of strings, an array of { version, value } or a { version: secret } map";

/// The `secret` option, newest (current) secret first.
///
/// - a string: one unversioned secret;
/// - an array: strings (unversioned) and/or Better Auth's `{ version, value }` entries, in the
///   order given: the FIRST entry is current, as in Better Auth's `secrets` array;
/// - a map `{ "<version>": secret }`: the HIGHEST numeric version is current. A map has no order
///   every host keeps (JS iterates integer keys ascending, Python in insertion order), so the
///   versions decide; they must be non-negative integers, as Better Auth's versions are;
/// - `null`: no secret.
pub fn secrets_from_json(value: &Value) -> Result<Vec<Secret>> {
    let bad = || invalid("secret", SECRET_FORMS);
    let text = |v: &Value| v.as_str().map(str::to_owned).ok_or_else(bad);
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![Secret::new(s.clone())]),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(Secret::new(s.clone())),
                Value::Object(o) => {
                    let version = match o.get("version") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ => return Err(bad()),
                    };
                    let value = o.get("value").map(text).transpose()?.ok_or_else(bad)?;
                    Ok(Secret {
                        version: Some(version),
                        value: Zeroizing::new(value),
                    })
                }
                _ => Err(bad()),
            })
            .collect(),
        Value::Object(map) => {
            let mut versioned = map
                .iter()
                .map(|(version, value)| {
                    let number = version.parse::<u64>().map_err(|_| {
                        invalid(
                            "secret",
                            "a { version: secret } map whose versions are non-negative integers",
                        )
                    })?;
                    Ok((number, Secret::versioned(version.clone(), text(value)?)))
                })
                .collect::<Result<Vec<_>>>()?;
            versioned.sort_by_key(|(number, _)| std::cmp::Reverse(*number));
            Ok(versioned.into_iter().map(|(_, secret)| secret).collect())
        }
        _ => Err(bad()),
    }
}

/// A JSON number as whole seconds, rounded down (jose floors NumericDates).
fn whole_seconds(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.floor() as i64)
    })
}

/// `expirationTime`: a number is an absolute NumericDate (as Better Auth passes it to jose), a
/// string is a span from the token's `iat` (`"15m"`, `"2 hours"`).
pub fn expiration_from_json(value: &Value) -> Result<ExpirationTime> {
    const EXPECTED: &str = "a NumericDate, a date or a span string";
    match value {
        Value::Number(n) => whole_seconds(n)
            .map(ExpirationTime::At)
            .ok_or_else(|| invalid("expirationTime", EXPECTED)),
        Value::String(s) => ExpirationTime::parse_span(s),
        _ => Err(invalid("expirationTime", EXPECTED)),
    }
}

/// A duration option (`rotationInterval`, `gracePeriod`, `maxTokenAge`, ...) in whole seconds:
/// a number of seconds, or a span string (`"5m"`, `"2 hours"`).
pub fn timespan_from_json(value: &Value, name: &str) -> Result<i64> {
    match value {
        Value::Number(n) => whole_seconds(n).ok_or_else(|| invalid(name, "a number of seconds")),
        Value::String(s) => parse_timespan(s),
        _ => Err(invalid(name, "a number of seconds or a span string")),
    }
}

/// A key-lifecycle duration (`rotationInterval`, `rotationLead`, `gracePeriod`): whole seconds
/// or a span string. A fraction is refused rather than floored: a lead of 0.5 would otherwise
/// mean no lead at all.
pub fn lifecycle_seconds_from_json(value: &Value, name: &str) -> Result<i64> {
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(s) => Ok(s),
            None => lifecycle_seconds(n.as_f64().unwrap_or(f64::NAN), name),
        },
        _ => timespan_from_json(value, name),
    }
}

/// [`lifecycle_seconds_from_json`] for a host's float (Python's `float`, `timedelta`).
pub fn lifecycle_seconds(seconds: f64, name: &str) -> Result<i64> {
    if !seconds.is_finite() || seconds.fract() != 0.0 {
        return Err(invalid(
            name,
            "a whole number of seconds or a span string (a fraction is not rounded)",
        ));
    }
    // Saturating by `as`; the issuer bounds the value further.
    Ok(seconds as i64)
}

/// `audience` from a host that has both strings and arrays (JS, Python): a string is one
/// audience (`"aud": "a"`); a non-empty array is kept as an array (`"aud": ["a"]`, as jose's
/// `setAudience` writes what Better Auth passes it); `[]` and `null` mean no audience.
pub fn audience_from_json(value: &Value) -> Result<Option<Audience>> {
    const EXPECTED: &str = "a string or an array of strings";
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(Audience::One(s.clone()))),
        Value::Array(items) if items.is_empty() => Ok(None),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid("audience", EXPECTED))
            })
            .collect::<Result<Vec<_>>>()
            .map(|list| Some(Audience::Many(list))),
        _ => Err(invalid("audience", EXPECTED)),
    }
}

/// `audience` from a host whose API takes only a list (UniFFI): `[]` = no audience, `[a]` = one
/// audience (`"aud": "a"`, since such a host cannot pass a plain string), more = an array.
pub fn audience_from_list(mut list: Vec<String>) -> Option<Audience> {
    match list.len() {
        0 => None,
        1 => list.pop().map(Audience::One),
        _ => Some(Audience::Many(list)),
    }
}

/// Better Auth's `keyPairConfig`: `{ alg, crv?, modulusLength? }`; `alg` defaults to `EdDSA` as
/// in Better Auth. Unsupported combinations fail here, when the configuration is built.
pub fn key_pair_config_from_json(value: &Value) -> Result<KeyPairConfig> {
    let Value::Object(o) = value else {
        return Err(invalid(
            "keyPairConfig",
            "an object { alg, crv?, modulusLength? }",
        ));
    };
    let string = |name: &str| match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(invalid(name, "a string")),
    };
    let alg = string("alg")?.unwrap_or("EdDSA");
    let crv = string("crv")?;
    let modulus = match o.get("modulusLength") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|bits| u32::try_from(bits).ok())
                .ok_or_else(|| invalid("modulusLength", "a number of bits"))?,
        ),
    };
    KeyPairConfig::new(alg, crv, modulus)
}

/// A URL option (`createRemoteJwks(url)`, `remoteUrl`) as every message, event and accessor shows
/// it: the userinfo (`user:password@`) replaced by `***@`, each query value by `***` (API keys
/// travel there), the fragment dropped. The one display form of a URL in every host; requests use
/// the URL as given.
pub fn redact_url(url: &str) -> String {
    let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (without_fragment, None),
    };
    let mut out = String::with_capacity(url.len());
    match before_query.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            out.push_str(scheme);
            out.push_str("://");
            match authority.rsplit_once('@') {
                Some((_, host)) => {
                    out.push_str("***@");
                    out.push_str(host);
                }
                None => out.push_str(authority),
            }
            out.push_str(path);
        }
        // Not an absolute URL: nothing tells the host from credentials, so show none of it.
        None if before_query.contains('@') => out.push_str("***"),
        None => out.push_str(before_query),
    }
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}=***"),
                None if pair.is_empty() => String::new(),
                None => "***".to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Parses a host argument given as JSON text that must be an object (a user, a session, a
/// payload); anything else is `ERR_JWT_INVALID` naming the argument, as it becomes token claims.
pub fn json_object(name: &str, text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Error::JwtInvalid(format!("{name} must be a JSON object"))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn versions(secrets: &[Secret]) -> Vec<Option<&str>> {
        secrets.iter().map(|s| s.version.as_deref()).collect()
    }

    fn code<T>(r: Result<T>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn secret_string_and_string_array_keep_the_order_given() {
        let one = secrets_from_json(&json!("s")).unwrap();
        assert_eq!((one.len(), one[0].value.as_str()), (1, "s"));
        let list = secrets_from_json(&json!(["new", "old"])).unwrap();
        assert_eq!(list[0].value.as_str(), "new");
        assert_eq!(versions(&list), [None, None]);
        assert!(secrets_from_json(&Value::Null).unwrap().is_empty());
    }

    #[test]
    fn better_auth_secrets_array_makes_the_first_entry_current() {
        let list = secrets_from_json(&json!([
            {"version": 1, "value": "one"},
            {"version": "3", "value": "three"}
        ]))
        .unwrap();
        assert_eq!(versions(&list), [Some("1"), Some("3")]);
        assert_eq!(list[0].value.as_str(), "one");
    }

    #[test]
    fn secrets_map_makes_the_highest_numeric_version_current() {
        // Insertion order (Python's dict) and text order ("10" < "2" < "9") both differ from it.
        let map = secrets_from_json(&json!({"2": "two", "10": "ten", "9": "nine"})).unwrap();
        assert_eq!(versions(&map), [Some("10"), Some("9"), Some("2")]);
        assert_eq!(map[0].value.as_str(), "ten");
    }

    #[test]
    fn secrets_map_with_non_numeric_version_is_invalid_config() {
        assert_eq!(
            code(secrets_from_json(&json!({"v1": "x"}))),
            "ERR_INVALID_CONFIG"
        );
        assert_eq!(
            code(secrets_from_json(&json!({"-1": "x"}))),
            "ERR_INVALID_CONFIG"
        );
    }

    #[test]
    fn secret_errors_name_the_option_but_not_the_value() {
        for bad in [
            json!(5),
            json!({"1": 5}),
            json!([{"value": "hidden-value"}]),
            json!([true]),
        ] {
            let e = secrets_from_json(&bad).unwrap_err();
            assert_eq!(e.code(), "ERR_INVALID_CONFIG");
            assert!(e.to_string().contains("secret"), "{e}");
            assert!(!e.to_string().contains("hidden-value"), "{e}");
        }
    }

    #[test]
    fn expiration_number_is_absolute_and_string_is_a_span() {
        assert_eq!(
            expiration_from_json(&json!(1_700_000_000)).unwrap(),
            ExpirationTime::At(1_700_000_000)
        );
        assert_eq!(
            expiration_from_json(&json!(10.9)).unwrap(),
            ExpirationTime::At(10)
        );
        assert_eq!(
            expiration_from_json(&json!("15m")).unwrap(),
            ExpirationTime::Span(900)
        );
        assert_eq!(
            code(expiration_from_json(&json!(true))),
            "ERR_INVALID_CONFIG"
        );
        assert_eq!(
            code(expiration_from_json(&json!("soon"))),
            "ERR_INVALID_CONFIG"
        );
    }

    #[test]
    fn timespan_takes_seconds_or_a_span_and_names_the_option() {
        assert_eq!(timespan_from_json(&json!(30), "gracePeriod").unwrap(), 30);
        assert_eq!(timespan_from_json(&json!(1.5), "gracePeriod").unwrap(), 1);
        assert_eq!(
            timespan_from_json(&json!("2h"), "gracePeriod").unwrap(),
            7200
        );
        let e = timespan_from_json(&json!([]), "gracePeriod").unwrap_err();
        assert_eq!(e.code(), "ERR_INVALID_CONFIG");
        assert!(e.to_string().contains("gracePeriod"), "{e}");
    }

    #[test]
    fn audience_keeps_the_json_shape_and_empty_means_none() {
        assert_eq!(
            audience_from_json(&json!("a")).unwrap(),
            Some(Audience::One("a".into()))
        );
        assert_eq!(
            audience_from_json(&json!(["a"])).unwrap(),
            Some(Audience::Many(vec!["a".into()]))
        );
        assert_eq!(audience_from_json(&json!([])).unwrap(), None);
        assert_eq!(audience_from_json(&Value::Null).unwrap(), None);
        assert_eq!(code(audience_from_json(&json!([1]))), "ERR_INVALID_CONFIG");
        assert_eq!(code(audience_from_json(&json!(1))), "ERR_INVALID_CONFIG");
    }

    #[test]
    fn audience_list_maps_to_none_one_or_many() {
        assert_eq!(audience_from_list(vec![]), None);
        assert_eq!(
            audience_from_list(vec!["a".into()]),
            Some(Audience::One("a".into()))
        );
        assert_eq!(
            audience_from_list(vec!["a".into(), "b".into()]),
            Some(Audience::Many(vec!["a".into(), "b".into()]))
        );
    }

    #[test]
    fn key_pair_config_reads_better_auth_fields() {
        let ed = key_pair_config_from_json(&json!({})).unwrap();
        assert_eq!(ed, KeyPairConfig::new("EdDSA", None, None).unwrap());
        let rsa = key_pair_config_from_json(&json!({"alg": "RS256", "modulusLength": 3072}));
        assert_eq!(
            rsa.unwrap(),
            KeyPairConfig::new("RS256", None, Some(3072)).unwrap()
        );
        for bad in [
            json!("EdDSA"),
            json!({"alg": 5}),
            json!({"alg": "RS256", "modulusLength": -1}),
            json!({"alg": "HS256"}),
        ] {
            assert_eq!(
                code(key_pair_config_from_json(&bad)),
                "ERR_INVALID_CONFIG",
                "{bad}"
            );
        }
    }

    #[test]
    fn redacted_urls_keep_no_credentials() {
        for (url, shown) in [
            (
                "https://auth.example.com/jwks",
                "https://auth.example.com/jwks",
            ),
            (
                "https://user:pw@auth.example.com:8443/jwks",
                "https://***@auth.example.com:8443/jwks",
            ),
            ("https://tok@h/jwks?x=1", "https://***@h/jwks?x=***"),
            ("https://a:b@c@h", "https://***@h"),
            (
                "https://h/jwks?api_key=s3cr3t&v=2&flag",
                "https://h/jwks?api_key=***&v=***&***",
            ),
            ("https://h/jwks#frag-secret", "https://h/jwks"),
            ("user:pw@host/jwks", "***"),
            ("", ""),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
        for secret in ["pw", "s3cr3t", "frag-secret", "tok"] {
            let shown = redact_url(&format!("https://u:{secret}@h/p?k={secret}#{secret}"));
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn json_object_accepts_only_objects() {
        assert_eq!(json_object("user", r#"{"id":"u"}"#).unwrap()["id"], "u");
        for bad in ["[]", "1", "nope", "null"] {
            let e = json_object("user", bad).unwrap_err();
            assert_eq!(e.code(), "ERR_JWT_INVALID");
            assert!(e.to_string().contains("user"), "{e}");
        }
    }
}
