//! Whether a secret carries at least 256 bits of entropy, told from its shape alone.
//!
//! Only `authjwt-v2` asks: a secret of full entropy gets HKDF (a guess costs an attacker as much as
//! a guess of a 256-bit key), any other secret PBKDF2 at 600,000 iterations (each guess of a
//! human-chosen secret made 600,000 times dearer). A wrong "yes" would hand a guessable secret
//! the cheap KDF, a wrong "no" only costs one slow derivation per key, so every doubt is a "no".
//!
//! "Yes" only for the shape of random bytes in a standard encoding, at least 32 of them:
//! - hex (`openssl rand -hex 32`, Better Auth's CLI): 64+ hex digits, 4 bits each (case ignored);
//! - base64 or base64url (`openssl rand -base64 32`): 43+ data characters from one alphabet
//!   (optional `=` padding), counted as the bytes they decode to;
//!
//! and then only when the text also looks like a random draw rather than something typed: upper
//! case, lower case and digits all present in base64, each letter case at least 15% of it and
//! two upper-case letters side by side at least twice (camel-case words have next to none); in
//! both encodings letters and digits mixed, no run of 6 equal or consecutive characters
//! (`aaaaaa`, `123456`, `fedcba`), no 6 characters repeated (a phrase typed twice). Random
//! 32-byte secrets pass all of this 99.98% of the time in hex, ~98% in base64 (`tests.rs` draws
//! thousands; the others just get PBKDF2); a passphrase, a word list, a UUID, punctuation or
//! non-ASCII text never counts, whatever its length. What no shape can show is a hash or encoding of something guessable (the hex SHA-256
//! of a password): such secrets belong in `authjwt-v1`, which always runs PBKDF2.
//!
//! Nothing here is logged or kept beyond the answer, and the answer itself is never shown.

/// The entropy a secret needs for `authjwt-v2` to seal with HKDF.
pub(super) const FULL_ENTROPY_BITS: usize = 256;

/// Whether `secret` looks like at least [`FULL_ENTROPY_BITS`] random bits (see the module docs).
pub(super) fn has_full_entropy(secret: &str) -> bool {
    // Surrounding whitespace (a newline left by `openssl rand` in a file) adds nothing either way.
    let text = secret
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .as_bytes();
    let bits = if text.iter().all(u8::is_ascii_hexdigit) {
        hex_bits(text)
    } else {
        base64_bits(text)
    };
    bits >= FULL_ENTROPY_BITS && looks_drawn(text)
}

/// 4 bits per digit when letters and digits are mixed, else 0.
fn hex_bits(text: &[u8]) -> usize {
    let letters = text.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters == text.len() {
        return 0;
    }
    4 * text.len()
}

/// The decoded length in bits of a base64 or base64url text whose letter cases and digits look
/// drawn at random, else 0.
fn base64_bits(text: &[u8]) -> usize {
    let data = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    let standard = data.iter().any(|b| matches!(b, b'+' | b'/'));
    let url = data.iter().any(|b| matches!(b, b'-' | b'_'));
    let in_alphabet = |b: &u8| {
        b.is_ascii_alphanumeric()
            || (standard && matches!(b, b'+' | b'/'))
            || (url && matches!(b, b'-' | b'_'))
    };
    if (standard && url) || !data.iter().all(in_alphabet) {
        return 0;
    }
    let count = |f: fn(&u8) -> bool| data.iter().filter(|b| f(b)).count();
    let (upper, lower, digits) = (
        count(u8::is_ascii_uppercase),
        count(u8::is_ascii_lowercase),
        count(u8::is_ascii_digit),
    );
    // Each case is ~40% of a random draw; below 15% it is words, or one case with a few capitals.
    let share_ok = |n: usize| n * 100 >= data.len() * 15;
    let upper_pairs = data
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase())
        .count();
    if digits == 0 || !share_ok(upper) || !share_ok(lower) || upper_pairs < 2 {
        return 0;
    }
    8 * (data.len() * 6 / 8)
}

/// No run of 6 equal or consecutive characters, and no 6 characters that occur twice.
fn looks_drawn(text: &[u8]) -> bool {
    const RUN: usize = 6;
    let monotone = text.windows(RUN).any(|w| {
        [0i16, 1, -1].iter().any(|step| {
            w.windows(2)
                .all(|p| i16::from(p[1]) - i16::from(p[0]) == *step)
        })
    });
    if monotone {
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(text.len());
    text.windows(RUN).all(|w| seen.insert(w))
}
