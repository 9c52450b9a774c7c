//! The signing hot path for a payload given as JSON text: one scan of the text (no `Map`, no
//! re-serialization), then the registered claims the payload lacks are written straight after its
//! last member. Profiling showed the `Map` round trip (parse into an `IndexMap`, SipHash, then
//! serialize again) at ~10% of an EdDSA `sign_json_with_cached_key` (bench/HISTORY.md).
//!
//! The claims that come out are those of [`super::payload::complete_claims`] in the same order;
//! only the spelling of the caller's own members is kept as given (e.g. `1E2` stays `1E2`, an
//! escaped `\u00e9` stays escaped). Anything unusual — invalid JSON, a non-object, a duplicate
//! member name at any depth, a huge object — is left to the `Map` path, so its errors and its
//! duplicate handling are exactly those of the `Map` path.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::payload::ClaimDefaults;
use crate::claims::floor_numeric_date;
use crate::error::Result;
use crate::jws::json::{Name, NoDuplicates};

use crate::jws::json::MAX_MEMBERS;

/// A payload object read from JSON text: its trimmed text and what the claim rules need.
pub(super) struct ScannedPayload<'t> {
    text: &'t str,
    members: usize,
    iat: Option<Value>,
    exp: Option<Value>,
    nbf: Option<Value>,
    has_iss: bool,
    has_aud: bool,
    has_sub: bool,
}

/// Scans `json`; `None` means "use the `Map` path" (which also reports any error).
pub(super) fn scan(json: &str) -> Option<ScannedPayload<'_>> {
    let text = json.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    if !text.starts_with('{') || !text.ends_with('}') {
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let scanned = de.deserialize_map(TopLevel { text }).ok()?;
    de.end().ok()?;
    scanned
}

impl<'t> ScannedPayload<'t> {
    /// The payload text with the missing `iat`, `exp`, `iss`, `aud`, `sub` appended (as
    /// [`super::payload::complete_claims`] inserts them), after checking the time claims.
    pub(super) fn complete(
        &self,
        now_s: i64,
        defaults: &ClaimDefaults<'_>,
    ) -> Result<Cow<'t, str>> {
        let iat = match &self.iat {
            Some(v) => floor_numeric_date("iat", v)?,
            None => now_s,
        };
        if let Some(v) = &self.exp {
            floor_numeric_date("exp", v)?;
        }
        if let Some(v) = &self.nbf {
            floor_numeric_date("nbf", v)?;
        }
        let mut extra = String::new();
        let mut add = |name: &str, value: &dyn fmt::Display| {
            use fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = write!(extra, ",\"{name}\":{value}");
        };
        if self.iat.is_none() {
            add("iat", &iat);
        }
        if self.exp.is_none() {
            add("exp", &defaults.expiration.resolve(iat));
        }
        if !self.has_iss {
            if let Some(iss) = defaults.issuer {
                add("iss", &Value::from(iss));
            }
        }
        if !self.has_aud {
            if let Some(aud) = defaults.audience {
                add("aud", &aud.to_value());
            }
        }
        if !self.has_sub {
            if let Some(sub) = defaults.subject {
                add("sub", &Value::from(sub));
            }
        }
        if extra.is_empty() {
            return Ok(Cow::Borrowed(self.text));
        }
        // `text` ends with the object's closing brace (checked by `scan`).
        let body = self.text[..self.text.len() - 1].trim_end_matches([' ', '\t', '\n', '\r']);
        let extra = if self.members == 0 {
            &extra[1..]
        } else {
            &extra[..]
        };
        let mut out = String::with_capacity(body.len() + extra.len() + 1);
        out.push_str(body);
        out.push_str(extra);
        out.push('}');
        Ok(Cow::Owned(out))
    }
}

/// The top-level object: records the registered claims, checks the rest for duplicates.
struct TopLevel<'t> {
    text: &'t str,
}

impl<'de, 't> Visitor<'de> for TopLevel<'t> {
    /// `None`: a duplicate member or too many members.
    type Value = Option<ScannedPayload<'t>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut out = ScannedPayload {
            text: self.text,
            members: 0,
            iat: None,
            exp: None,
            nbf: None,
            has_iss: false,
            has_aud: false,
            has_sub: false,
        };
        // One allocation for the usual payload (growing from empty cost two in the profile).
        let mut names: Vec<Cow<'de, str>> = Vec::with_capacity(16);
        while let Some(name) = access.next_key_seed(Name)? {
            if names.len() >= MAX_MEMBERS || names.contains(&name) {
                return Ok(None);
            }
            let clean = match name.as_ref() {
                "iat" => {
                    out.iat = Some(access.next_value()?);
                    true
                }
                "exp" => {
                    out.exp = Some(access.next_value()?);
                    true
                }
                "nbf" => {
                    out.nbf = Some(access.next_value()?);
                    true
                }
                other => {
                    match other {
                        "iss" => out.has_iss = true,
                        "aud" => out.has_aud = true,
                        "sub" => out.has_sub = true,
                        _ => {}
                    }
                    access.next_value_seed(NoDuplicates)?
                }
            };
            if !clean {
                return Ok(None);
            }
            names.push(name);
        }
        out.members = names.len();
        Ok(Some(out))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::payload::{complete_claims, parse_payload};
    use super::*;
    use crate::claims::{Audience, ExpirationTime};

    /// The text path and the `Map` path give the same claims in the same order.
    fn both(json: &str, defaults: &ClaimDefaults<'_>) -> (Option<Value>, Option<Value>) {
        let text = scan(json).and_then(|s| s.complete(500, defaults).ok().map(|t| t.into_owned()));
        let text = text.map(|t| serde_json::from_str::<Value>(&t).unwrap());
        let map = parse_payload(json).ok().and_then(|mut m| {
            complete_claims(&mut m, 500, defaults).ok()?;
            Some(Value::Object(m))
        });
        (text, map)
    }

    fn defaults(aud: &Audience) -> ClaimDefaults<'_> {
        ClaimDefaults {
            issuer: Some("https://i\"ss"),
            audience: Some(aud),
            expiration: &ExpirationTime::At(900),
            subject: Some("s"),
        }
    }

    #[test]
    fn text_path_matches_map_path_member_for_member() {
        let aud = Audience::Many(vec!["a".into(), "b".into()]);
        for json in [
            "{}",
            " { } ",
            r#"{"k":1}"#,
            "{\n \"k\" : [1, {\"x\": null}] \n}\n",
            r#"{"iat":100,"email":"a@b","sub":"u"}"#,
            r#"{"iat":1.5,"exp":9,"nbf":2,"iss":"p","aud":"x","sub":"y"}"#,
            r#"{"\u0069at":7}"#,
        ] {
            let (text, map) = both(json, &defaults(&aud));
            assert!(text.is_some(), "{json}");
            assert_eq!(text, map, "{json}");
            let text = scan(json).unwrap().complete(500, &defaults(&aud)).unwrap();
            let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&text)
                .unwrap()
                .keys()
                .cloned()
                .collect();
            let want: Vec<String> = parse_payload(json)
                .map(|mut m| {
                    complete_claims(&mut m, 500, &defaults(&aud)).unwrap();
                    m.keys().cloned().collect()
                })
                .unwrap();
            assert_eq!(keys, want, "{json}");
        }
    }

    #[test]
    fn payload_with_every_claim_is_signed_as_given() {
        let aud = Audience::One("x".into());
        let json = r#"{"sub":"u","iat":1,"exp":2,"iss":"i","aud":"a"}"#;
        let out = scan(json).unwrap().complete(500, &defaults(&aud)).unwrap();
        assert!(matches!(out, Cow::Borrowed(_)));
        assert_eq!(out, json);
    }

    #[test]
    fn unusual_payloads_are_left_to_the_map_path() {
        for json in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"x":1,"x":2}}"#,
            r#"{"a":[{"x":1,"x":2}]}"#,
            r#"{"a":1"#,
            "[]",
            "\"x\"",
            "{} {}",
            r#"{"a":"\ud800"}"#,
            r#"{"a":1e400}"#,
        ] {
            assert!(scan(json).is_none(), "{json}");
        }
    }

    #[test]
    fn time_claims_must_be_numbers() {
        let aud = Audience::One("x".into());
        for json in [r#"{"iat":"1"}"#, r#"{"exp":null}"#, r#"{"nbf":[1]}"#] {
            let err = scan(json)
                .unwrap()
                .complete(500, &defaults(&aud))
                .unwrap_err();
            assert_eq!(err.code(), "ERR_JWT_INVALID", "{json}");
        }
    }
}
