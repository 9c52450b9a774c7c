//! The claims of an issued token, with Better Auth's precedence (`signJWT` and `/token`): the
//! payload's own `iat`, `exp`, `iss`, `aud`, `sub` win; the per-call overrides and then the issuer's
//! options fill in what the payload lacks; absent everywhere means not set.

use serde_json::{Map, Value};

use crate::claims::{floor_numeric_date, Audience, ExpirationTime};
use crate::error::{Error, Result};

/// What fills the registered claims a payload does not carry.
pub(super) struct ClaimDefaults<'a> {
    pub issuer: Option<&'a str>,
    pub audience: Option<&'a Audience>,
    pub expiration: &'a ExpirationTime,
    pub subject: Option<&'a str>,
}

/// Adds `iat` (now), `exp` (from `iat`, as Better Auth's `toExpJWT`), `iss`, `aud` and `sub`
/// where the payload has none; checks that time claims the payload carries are numbers.
pub(super) fn complete_claims(
    payload: &mut Map<String, Value>,
    now_s: i64,
    defaults: &ClaimDefaults<'_>,
) -> Result<()> {
    let iat = match payload.get("iat") {
        Some(v) => floor_numeric_date("iat", v)?,
        None => {
            payload.insert("iat".to_owned(), Value::from(now_s));
            now_s
        }
    };
    match payload.get("exp") {
        Some(v) => {
            floor_numeric_date("exp", v)?;
        }
        None => {
            let exp = defaults.expiration.resolve(iat);
            payload.insert("exp".to_owned(), Value::from(exp));
        }
    }
    if let Some(v) = payload.get("nbf") {
        floor_numeric_date("nbf", v)?;
    }
    if !payload.contains_key("iss") {
        if let Some(iss) = defaults.issuer {
            payload.insert("iss".to_owned(), Value::from(iss));
        }
    }
    if !payload.contains_key("aud") {
        if let Some(aud) = defaults.audience {
            payload.insert("aud".to_owned(), aud.to_value());
        }
    }
    if !payload.contains_key("sub") {
        if let Some(sub) = defaults.subject {
            payload.insert("sub".to_owned(), Value::from(sub));
        }
    }
    Ok(())
}

/// The audiences a verifier accepts by default for an issuer's `audience` option.
pub(super) fn audience_list(aud: &Audience) -> Vec<String> {
    match aud {
        Audience::One(a) => vec![a.clone()],
        Audience::Many(list) => list.clone(),
    }
}

/// A payload given as JSON text: it must be a JSON object.
pub(super) fn parse_payload(json: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Error::JwtInvalid(
            "the payload to sign must be a JSON object".to_owned(),
        )),
        Err(e) => Err(Error::JwtInvalid(format!(
            "the payload to sign is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

/// Better Auth's `/token` payload: `definePayload`'s result or the whole user object, with `sub`
/// set last (it overwrites a `sub` the payload carries, as Better Auth's spread does).
pub(super) fn session_payload(
    user: &Value,
    defined: Option<Map<String, Value>>,
    subject: Option<String>,
) -> Result<Map<String, Value>> {
    let mut payload = match defined {
        Some(map) => map,
        None => match user {
            Value::Object(map) => map.clone(),
            _ => {
                return Err(Error::JwtInvalid(
                    "the session's user must be a JSON object".to_owned(),
                ))
            }
        },
    };
    let subject = subject.or_else(|| match user.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    });
    if let Some(sub) = subject {
        payload.insert("sub".to_owned(), Value::from(sub));
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn payload_claims_win_over_defaults() {
        let mut p = obj(json!({"iat": 100, "exp": 200, "iss": "p", "aud": ["a", "b"], "sub": "u"}));
        let aud = Audience::One("x".into());
        let d = ClaimDefaults {
            issuer: Some("opt"),
            audience: Some(&aud),
            expiration: &ExpirationTime::At(999),
            subject: Some("override"),
        };
        complete_claims(&mut p, 5_000, &d).ok();
        assert_eq!(
            Value::Object(p),
            json!({"iat": 100, "exp": 200, "iss": "p", "aud": ["a", "b"], "sub": "u"})
        );
    }

    #[test]
    fn absent_issuer_and_audience_are_not_set() {
        let mut p = obj(json!({"k": 1}));
        let d = ClaimDefaults {
            issuer: None,
            audience: None,
            expiration: &ExpirationTime::At(900),
            subject: None,
        };
        complete_claims(&mut p, 500, &d).ok();
        assert_eq!(Value::Object(p), json!({"k": 1, "iat": 500, "exp": 900}));
    }

    #[test]
    fn rejects_string_exp_in_payload() {
        let mut p = obj(json!({"exp": "tomorrow"}));
        let d = ClaimDefaults {
            issuer: None,
            audience: None,
            expiration: &ExpirationTime::At(900),
            subject: None,
        };
        let err = complete_claims(&mut p, 500, &d).err().map(|e| e.code());
        assert_eq!(err, Some("ERR_JWT_INVALID"));
    }

    #[test]
    fn session_payload_is_the_user_with_its_id_as_subject() {
        let user = json!({"id": "u1", "email": "a@example.com", "sub": "ignored"});
        let p = session_payload(&user, None, None).ok().map(Value::Object);
        assert_eq!(
            p,
            Some(json!({"id": "u1", "email": "a@example.com", "sub": "u1"}))
        );
        let p = session_payload(&user, Some(obj(json!({"role": "x"}))), Some("s".into()))
            .ok()
            .map(Value::Object);
        assert_eq!(p, Some(json!({"role": "x", "sub": "s"})));
        assert!(session_payload(&json!("nope"), None, None).is_err());
    }
}
