//! Registered claims, the expiration-time grammar (Better Auth's), NumericDate rules.

use crate::error::Result;

/// An `aud` value: one audience or several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// `"aud": "x"`.
    One(String),
    /// `"aud": ["x", "y"]`.
    Many(Vec<String>),
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
        todo!("{span}")
    }

    /// The NumericDate this resolves to at `now_s` (saturating).
    pub fn resolve(&self, now_s: i64) -> i64 {
        todo!("{self:?} {now_s}")
    }
}

/// Parses a span string into signed seconds (see [`ExpirationTime::parse_span`]).
pub fn parse_timespan(span: &str) -> Result<i64> {
    todo!("{span}")
}
