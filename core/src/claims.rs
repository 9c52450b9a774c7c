//! Registered claims, the expiration-time grammar (Better Auth's), NumericDate rules.
//!
//! Better Auth hands `expirationTime` strings to jose's `setExpirationTime`, whose grammar is
//! `^[+-]? ?(\d+|\d+\.\d+) ?(unit)( ago| from now)?$` (case-insensitive). DESIGN.md adds months:
//! `mo`/`month`/`months` are 30 days. Years are 365.25 days and the result is rounded half up to
//! whole seconds, as jose's `Math.round`.

use serde_json::{Map, Value};
use smallvec::{smallvec, SmallVec};

use crate::error::{ClaimReason, Error, Result};

/// An `aud` value: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`.
    One(String),
    /// `"aud": ["x", "y"]`.
    Many(Vec<String>),
}

impl Audience {
    /// The audience as a JSON value (a string, or an array of strings).
    pub fn to_value(&self) -> Value {
        match self {
            Audience::One(a) => Value::String(a.clone()),
            Audience::Many(list) => Value::Array(list.iter().cloned().map(Value::String).collect()),
        }
    }
}

/// When a token expires: an absolute NumericDate or a span from its `iat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpirationTime {
    /// Seconds since the epoch (a number, or a converted date).
    At(i64),
    /// A span in seconds from now, parsed from the grammar (`"15m"`, `"2 hours"`, `"-1d"`, ...).
    Span(i64),
}

impl Default for ExpirationTime {
    /// 15 minutes, as Better Auth.
    fn default() -> Self {
        ExpirationTime::Span(15 * 60)
    }
}

impl ExpirationTime {
    /// Parses a span string (`^[+-]? ?(\d+|\d+\.\d+) ?(unit)( ago| from now)?$`, case-insensitive);
    /// a malformed span is [`crate::Error::InvalidConfig`].
    pub fn parse_span(span: &str) -> Result<ExpirationTime> {
        parse_timespan(span).map(ExpirationTime::Span)
    }

    /// The NumericDate this resolves to at `now_s` (saturating).
    pub fn resolve(&self, now_s: i64) -> i64 {
        match *self {
            ExpirationTime::At(at) => at,
            ExpirationTime::Span(span) => now_s.saturating_add(span),
        }
    }
}

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;
const MONTH: f64 = 30.0 * DAY;
const YEAR: f64 = 365.25 * DAY;

/// Parses a span string into signed seconds (see [`ExpirationTime::parse_span`]).
///
/// `-` or ` ago` make it negative; a sign together with ` ago`/` from now` is an error (as jose).
/// Huge values saturate at `i64::MAX` seconds.
pub fn parse_timespan(span: &str) -> Result<i64> {
    let bad = || {
        Error::InvalidConfig(
            "invalid time span: expected e.g. \"15m\", \"2 hours\", \"-1d\", \"3 days ago\" \
             (units s, m, h, d, w, mo, y)"
                .to_owned(),
        )
    };
    let mut rest = span;
    let sign = match rest.as_bytes().first() {
        Some(b'+') => Some(1.0),
        Some(b'-') => Some(-1.0),
        _ => None,
    };
    if sign.is_some() {
        rest = &rest[1..];
    }
    rest = rest.strip_prefix(' ').unwrap_or(rest);

    let int_len = digits_len(rest);
    if int_len == 0 {
        return Err(bad());
    }
    let mut number_len = int_len;
    if rest.as_bytes().get(int_len) == Some(&b'.') {
        let frac_len = digits_len(&rest[int_len + 1..]);
        if frac_len == 0 {
            return Err(bad());
        }
        number_len = int_len + 1 + frac_len;
    }
    let value: f64 = rest[..number_len].parse().map_err(|_| bad())?;
    rest = &rest[number_len..];
    rest = rest.strip_prefix(' ').unwrap_or(rest);

    let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    let unit = rest[..unit_len].to_ascii_lowercase();
    let suffix = rest[unit_len..].to_ascii_lowercase();
    let seconds_per_unit = match unit.as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" => DAY,
        "w" | "week" | "weeks" => WEEK,
        "mo" | "month" | "months" => MONTH,
        "y" | "yr" | "yrs" | "year" | "years" => YEAR,
        _ => return Err(bad()),
    };
    let ago = match suffix.as_str() {
        "" => false,
        " ago" => true,
        " from now" => false,
        _ => return Err(bad()),
    };
    if sign.is_some() && !suffix.is_empty() {
        return Err(bad());
    }
    // Math.round of a non-negative number is floor(x + 0.5); `as` saturates at i64::MAX.
    let magnitude = (value * seconds_per_unit + 0.5).floor() as i64;
    if ago || sign == Some(-1.0) {
        Ok(-magnitude)
    } else {
        Ok(magnitude)
    }
}

fn digits_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// Reads an optional NumericDate claim (RFC 7519 §2: a JSON number, possibly non-integer).
///
/// Absent is `Ok(None)`; any other JSON type is `ERR_JWT_CLAIM_VALIDATION_FAILED` with reason
/// `invalid` (never "missing").
pub fn numeric_date(payload: &Map<String, Value>, claim: &str) -> Result<Option<f64>> {
    numeric_date_value(claim, payload.get(claim))
}

/// Reads an optional string claim; any other JSON type is a claim failure with reason `invalid`.
pub fn string_claim<'p>(payload: &'p Map<String, Value>, claim: &str) -> Result<Option<&'p str>> {
    string_value(claim, payload.get(claim))
}

/// Reads an optional `aud` (a string or an array of strings); other shapes fail with `invalid`.
pub fn audience_claim(payload: &Map<String, Value>) -> Result<Option<Vec<&str>>> {
    Ok(audience_value(payload.get("aud"))?.map(SmallVec::into_vec))
}

/// [`numeric_date`] for a claim's value (`None` = absent).
pub(crate) fn numeric_date_value(claim: &str, value: Option<&Value>) -> Result<Option<f64>> {
    match value {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(wrong_type(claim, "a NumericDate")),
        },
        Some(_) => Err(wrong_type(claim, "a number (NumericDate)")),
    }
}

/// A NumericDate that a payload to be signed carries, floored to whole seconds (RFC 7519 §2 allows
/// fractions; the issuer computes `exp` from whole seconds). Not a finite number is
/// `ERR_JWT_INVALID`: the caller's payload is wrong, not a token's claim.
pub(crate) fn floor_numeric_date(claim: &str, v: &Value) -> Result<i64> {
    if let Some(n) = v.as_i64() {
        return Ok(n);
    }
    match v.as_f64() {
        // Saturating float-to-int conversion; NumericDate may carry fractions (RFC 7519 §2).
        Some(f) if f.is_finite() => Ok(f.floor() as i64),
        _ => Err(Error::JwtInvalid(format!(
            "the payload's \"{claim}\" claim must be a NumericDate (a JSON number)"
        ))),
    }
}

/// [`string_claim`] for a claim's value (`None` = absent).
pub(crate) fn string_value<'p>(claim: &str, value: Option<&'p Value>) -> Result<Option<&'p str>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type(claim, "a string")),
    }
}

/// [`audience_claim`] for the `aud` value (`None` = absent); inline up to four audiences, as the
/// verifier reads it on every token.
pub(crate) fn audience_value(value: Option<&Value>) -> Result<Option<SmallVec<[&str; 4]>>> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(smallvec![s.as_str()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| wrong_type("aud", "an array of strings"))
            })
            .collect::<Result<SmallVec<_>>>()
            .map(Some),
        Some(_) => Err(wrong_type("aud", "a string or an array of strings")),
    }
}

fn wrong_type(claim: &str, expected: &str) -> Error {
    Error::claim_failed(claim, ClaimReason::Invalid, format!("must be {expected}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn secs(s: &str) -> i64 {
        parse_timespan(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_every_unit_spelling() {
        for (s, want) in [
            ("1s", 1),
            ("1 sec", 1),
            ("2secs", 2),
            ("1second", 1),
            ("3 seconds", 3),
            ("15m", 900),
            ("1min", 60),
            ("2mins", 120),
            ("1 minute", 60),
            ("2minutes", 120),
            ("1h", 3600),
            ("1hr", 3600),
            ("2hrs", 7200),
            ("1hour", 3600),
            ("2 hours", 7200),
            ("1d", 86_400),
            ("1day", 86_400),
            ("2 days", 172_800),
            ("1w", 604_800),
            ("1week", 604_800),
            ("2weeks", 1_209_600),
            ("1mo", 2_592_000),
            ("1 month", 2_592_000),
            ("2months", 5_184_000),
            ("1y", 31_557_600),
            ("1yr", 31_557_600),
            ("2yrs", 63_115_200),
            ("1year", 31_557_600),
            ("1 years", 31_557_600),
        ] {
            assert_eq!(secs(s), want, "{s}");
        }
    }

    #[test]
    fn is_case_insensitive_and_rounds_like_math_round() {
        assert_eq!(secs("15M"), 900);
        assert_eq!(secs("2 HOURS AGO"), -7200);
        assert_eq!(secs("1.5h"), 5400);
        assert_eq!(secs("0.5s"), 1);
        assert_eq!(secs("0.4s"), 0);
        assert_eq!(secs("2.5s"), 3);
        assert_eq!(secs("1.5 s ago"), -2);
    }

    #[test]
    fn sign_and_suffix_rules() {
        assert_eq!(secs("-1d"), -86_400);
        assert_eq!(secs("- 1d"), -86_400);
        assert_eq!(secs("+1d"), 86_400);
        assert_eq!(secs("1 day ago"), -86_400);
        assert_eq!(secs("1 day from now"), 86_400);
        assert!(parse_timespan("-1 day ago").is_err());
        assert!(parse_timespan("+1 day from now").is_err());
    }

    #[test]
    fn rejects_malformed_spans() {
        for s in [
            "",
            "m",
            "15",
            "15 ",
            "1.m",
            ".5m",
            "1..5m",
            "15 m ",
            "15  m",
            "15mm",
            "15 m  ago",
            "15 m later",
            "1 fortnight",
            "--1m",
            "15m ago ",
            "1e3s",
            "١m",
            "15 minutesago",
        ] {
            let err = parse_timespan(s).err().map(|e| e.code());
            assert_eq!(err, Some("ERR_INVALID_CONFIG"), "{s:?}");
        }
    }

    #[test]
    fn huge_spans_saturate() {
        assert_eq!(secs("99999999999999999999999y"), i64::MAX);
        assert_eq!(secs("99999999999999999999999y ago"), -i64::MAX);
        let far = ExpirationTime::parse_span("99999999999999999999y").unwrap();
        assert_eq!(far.resolve(1_700_000_000), i64::MAX);
        assert_eq!(ExpirationTime::Span(-5).resolve(i64::MIN), i64::MIN);
        assert_eq!(ExpirationTime::At(42).resolve(1_700_000_000), 42);
        assert_eq!(ExpirationTime::default().resolve(100), 1000);
    }

    #[test]
    fn claim_readers_distinguish_wrong_type_from_absent() {
        let p: Map<String, Value> = serde_json::from_str(
            r#"{"exp":"123","nbf":1.5,"iss":7,"sub":"s","aud":["a",1],"big":1e300}"#,
        )
        .unwrap();
        let e = numeric_date(&p, "exp").unwrap_err();
        assert_eq!(e.reason(), Some(ClaimReason::Invalid));
        assert_eq!(e.claim(), Some("exp"));
        assert_eq!(numeric_date(&p, "nbf").unwrap(), Some(1.5));
        assert_eq!(numeric_date(&p, "big").unwrap(), Some(1e300));
        assert_eq!(numeric_date(&p, "iat").unwrap(), None);
        assert_eq!(
            string_claim(&p, "iss").unwrap_err().reason(),
            Some(ClaimReason::Invalid)
        );
        assert_eq!(string_claim(&p, "sub").unwrap(), Some("s"));
        assert_eq!(
            audience_claim(&p).unwrap_err().reason(),
            Some(ClaimReason::Invalid)
        );
    }
}
