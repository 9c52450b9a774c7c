//! Strict JSON for JOSE: a JSON object whose members have unique names, at every depth.
//!
//! `serde_json`'s own `Map` keeps the last of two duplicate members silently; RFC 7515 §5.2 lets a
//! parser reject them, and we do, because two parsers that disagree on which duplicate wins are a
//! classic signature-bypass lever. Depth stays bounded by `serde_json`'s recursion limit (128),
//! which reports an error rather than overflowing the stack; UTF-8 is validated by `serde_json`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use smallvec::SmallVec;

/// Parses `bytes` as one JSON object with no duplicate member names at any depth.
///
/// The error is a short description without any part of the input.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(describe)?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err("not a JSON object".to_owned()),
    }
}

/// Parses `bytes` as any JSON value with no duplicate member names at any depth.
pub fn parse_value(bytes: &[u8]) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    StrictValue
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(describe)
}

/// A message that names the kind of failure and its position, never the offending text.
fn describe(e: serde_json::Error) -> String {
    let msg = e.to_string();
    let kind = if msg.starts_with("duplicate member") {
        "duplicate member name"
    } else if msg.starts_with("recursion limit") {
        "nesting too deep"
    } else if e.is_eof() {
        "unexpected end of JSON"
    } else {
        "invalid JSON"
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// Deserializes a [`Value`], refusing duplicate member names.
pub(crate) struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        // JSON text cannot spell NaN or infinity; serde_json refuses out-of-range numbers itself.
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            if map.contains_key(&name) {
                return Err(A::Error::custom("duplicate member name"));
            }
            let value = access.next_value_seed(StrictValue)?;
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }
}

/// Objects with more members than this are left to the `Map` parsers by the scanners below (their
/// duplicate check is a linear scan).
pub(crate) const MAX_MEMBERS: usize = 64;

/// The registered claims (RFC 7519 §4.1) a verifier reads.
pub(crate) const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// The header parameters whose values the header rules read (`crit` and `b64` only by presence).
pub(crate) const READ_HEADER_PARAMS: [&str; 3] = ["alg", "kid", "typ"];

/// A JSON object read from its text without building a `Map` (the verify hot path): its member
/// names and the values of the `N` members in `wanted`.
pub(crate) struct ScannedObject<'t, const N: usize> {
    names: SmallVec<[Cow<'t, str>; 16]>,
    wanted: &'static [&'static str; N],
    values: [Option<Value>; N],
}

impl<const N: usize> ScannedObject<'_, N> {
    /// Whether the object has a member `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The value of a wanted member (`None` when absent or not wanted).
    pub(crate) fn wanted(&self, name: &str) -> Option<&Value> {
        let i = self.wanted.iter().position(|w| *w == name)?;
        self.values[i].as_ref()
    }
}

/// Scans `bytes` as a JSON object, keeping the values of the members in `wanted`; `None` when it is
/// anything [`parse_object`] would refuse or anything unusual (more than [`MAX_MEMBERS`] members):
/// the caller then uses [`parse_object`], which reports the error.
pub(crate) fn scan_object<'t, const N: usize>(
    bytes: &'t [u8],
    wanted: &'static [&'static str; N],
) -> Option<ScannedObject<'t, N>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let scanned = de.deserialize_map(ObjectVisitor { wanted }).ok()?;
    de.end().ok()?;
    scanned
}

struct ObjectVisitor<const N: usize> {
    wanted: &'static [&'static str; N],
}

impl<'de, const N: usize> Visitor<'de> for ObjectVisitor<N> {
    type Value = Option<ScannedObject<'de, N>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut out = ScannedObject {
            names: SmallVec::new(),
            wanted: self.wanted,
            values: std::array::from_fn(|_| None),
        };
        while let Some(name) = access.next_key_seed(Name)? {
            if out.names.len() >= MAX_MEMBERS || out.names.contains(&name) {
                return Ok(None);
            }
            match self.wanted.iter().position(|w| *w == name) {
                Some(i) => out.values[i] = Some(access.next_value_seed(StrictValue)?),
                None => {
                    if !access.next_value_seed(NoDuplicates)? {
                        return Ok(None);
                    }
                }
            }
            out.names.push(name);
        }
        Ok(Some(out))
    }
}

/// A member name, borrowed from the text when it has no escapes.
pub(crate) struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl<'de> Visitor<'de> for NameVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Any JSON value; `false` when an object inside it repeats a member name (or is huge).
pub(crate) struct NoDuplicates;

impl<'de> DeserializeSeed<'de> for NoDuplicates {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(NoDuplicates)
    }
}

impl<'de> Visitor<'de> for NoDuplicates {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut clean = true;
        while let Some(ok) = seq.next_element_seed(NoDuplicates)? {
            clean &= ok;
        }
        Ok(clean)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<bool, A::Error> {
        let mut names: SmallVec<[Cow<'de, str>; 16]> = SmallVec::new();
        let mut clean = true;
        while let Some(name) = access.next_key_seed(Name)? {
            if names.len() >= MAX_MEMBERS || names.contains(&name) {
                clean = false;
            }
            clean &= access.next_value_seed(NoDuplicates)?;
            if clean {
                names.push(name);
            }
        }
        Ok(clean)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects_in_member_order() {
        let map = parse_object(br#" {"b":1,"a":[true,null,"x",1.5,-2]} "#).unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(map["a"][3], 1.5);
    }

    #[test]
    fn rejects_duplicate_members_at_top_level_and_nested() {
        let top = parse_object(br#"{"alg":"ES256","alg":"none"}"#).unwrap_err();
        assert!(top.starts_with("duplicate member name"), "{top}");
        let nested = parse_object(br#"{"a":{"x":1,"x":2}}"#).unwrap_err();
        assert!(nested.starts_with("duplicate member name"), "{nested}");
        let in_array = parse_object(br#"{"a":[{"x":1,"x":2}]}"#).unwrap_err();
        assert!(in_array.starts_with("duplicate member name"), "{in_array}");
    }

    #[test]
    fn rejects_non_objects_trailing_data_and_bad_utf8() {
        assert!(parse_object(b"[]").is_err());
        assert!(parse_object(b"\"x\"").is_err());
        assert!(parse_object(b"{} {}").is_err());
        assert!(parse_object(b"{\"a\":\"\xff\"}").is_err());
        assert!(parse_object(b"{\"a\":\"\\ud800\"}").is_err());
        assert!(parse_object(b"").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let depth = 100_000;
        let mut text = String::from("{\"a\":");
        text.push_str(&"[".repeat(depth));
        text.push_str(&"]".repeat(depth));
        text.push('}');
        let err = parse_object(text.as_bytes()).unwrap_err();
        assert!(err.starts_with("nesting too deep"), "{err}");
    }

    #[test]
    fn scanned_objects_keep_names_and_wanted_values() {
        let c = scan_object(
            br#" {"sub":"u","x":{"y":[1,{"z":2}]},"aud":["a","b"],"exp":1.5} "#,
            &REGISTERED_CLAIMS,
        )
        .unwrap();
        assert!(c.has("x") && c.has("sub") && !c.has("y"));
        assert_eq!(c.wanted("aud"), Some(&serde_json::json!(["a", "b"])));
        assert_eq!(c.wanted("exp"), Some(&serde_json::json!(1.5)));
        assert_eq!(c.wanted("iat"), None);
        assert_eq!(c.wanted("x"), None);
    }

    #[test]
    fn scan_leaves_what_parse_object_refuses_to_parse_object() {
        for text in [
            &br#"{"a":1,"a":2}"#[..],
            br#"{"a":{"x":1,"x":2}}"#,
            br#"{"aud":[{"x":1,"x":2}]}"#,
            br#"{"sub":"\ud800"}"#,
            b"[]",
            b"{} {}",
            b"{\"a\":\"\xff\"}",
        ] {
            assert!(
                scan_object(text, &REGISTERED_CLAIMS).is_none()
                    && scan_object(text, &READ_HEADER_PARAMS).is_none(),
                "{}",
                String::from_utf8_lossy(text)
            );
            assert!(
                parse_object(text).is_err(),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn errors_never_quote_the_input() {
        let err = parse_object(br#"{"secret-value-123": tru}"#).unwrap_err();
        assert!(!err.contains("secret-value-123"), "{err}");
    }
}
