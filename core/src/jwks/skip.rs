//! Why a key of a JWKS is left out of the set, and how that is reported.

use crate::error::Error;

/// Why a key of a JWKS document was left out of the [`super::KeySet`] (jose skips such keys too).
/// Each has a stable [`SkipReason::code`] that hosts see in the `jwks.key_skipped` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// The key carries private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`): the
    /// document leaks a private or symmetric key. That key is compromised whatever we do.
    PrivateKeyPublished,
    /// `use` is not `"sig"` (an `"enc"` key, RFC 7517 §4.2).
    NotForSignatures,
    /// `key_ops` is present without `"verify"` (RFC 7517 §4.3).
    KeyOpsWithoutVerify,
    /// `alg` is a key-management or content-encryption algorithm (`RSA-OAEP`, `ECDH-ES`, `A*KW`...).
    EncryptionAlgorithm,
    /// `alg` is a signature algorithm authjwt does not verify (`ES256K`, `HS256`...).
    UnsupportedAlgorithm,
    /// `kty` or `crv` authjwt does not verify with (`oct`, `X25519`, `Ed448`, `secp256k1`...).
    UnsupportedKeyType,
    /// `alg` names an algorithm of another key type or curve (`ES384` on a P-256 key).
    AlgorithmMismatch,
    /// Well-formed but weak: RSA under 2048 bits or with a bad exponent, a ROCA modulus, a
    /// small-order or non-canonical Ed25519 point, an EC point off its curve.
    WeakKey,
    /// A member is missing, of the wrong JSON type, not strict base64url, or of the wrong length.
    MalformedKey,
}

impl SkipReason {
    /// The stable code: `private_key_published`, `use_not_sig`, `key_ops_without_verify`,
    /// `encryption_alg`, `unsupported_alg`, `unsupported_key_type`, `alg_mismatch`, `weak_key` or
    /// `malformed_key`.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::PrivateKeyPublished => "private_key_published",
            SkipReason::NotForSignatures => "use_not_sig",
            SkipReason::KeyOpsWithoutVerify => "key_ops_without_verify",
            SkipReason::EncryptionAlgorithm => "encryption_alg",
            SkipReason::UnsupportedAlgorithm => "unsupported_alg",
            SkipReason::UnsupportedKeyType => "unsupported_key_type",
            SkipReason::AlgorithmMismatch => "alg_mismatch",
            SkipReason::WeakKey => "weak_key",
            SkipReason::MalformedKey => "malformed_key",
        }
    }

    /// One sentence for logs: what was wrong and what to do. Never names key material.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::PrivateKeyPublished => {
                "SECURITY: the JWKS publishes private key material for this key; it is \
                 compromised: remove it from the published set and rotate it now"
            }
            SkipReason::NotForSignatures => "key skipped: its \"use\" is not \"sig\"",
            SkipReason::KeyOpsWithoutVerify => "key skipped: its \"key_ops\" lack \"verify\"",
            SkipReason::EncryptionAlgorithm => {
                "key skipped: its \"alg\" is an encryption algorithm"
            }
            SkipReason::UnsupportedAlgorithm => {
                "key skipped: its \"alg\" is not a signature algorithm authjwt verifies"
            }
            SkipReason::UnsupportedKeyType => {
                "key skipped: its key type or curve is not one authjwt verifies with"
            }
            SkipReason::AlgorithmMismatch => {
                "key skipped: its \"alg\" does not fit its key type or curve"
            }
            SkipReason::WeakKey => {
                "key skipped: weak or invalid key material (RSA under 2048 bits, bad exponent, \
                 ROCA modulus, small-order or off-curve point)"
            }
            SkipReason::MalformedKey => "key skipped: a member is missing or malformed",
        }
    }

    /// The reason for a key whose parsing failed with `e`.
    pub(super) fn of_error(e: &Error) -> SkipReason {
        match e {
            Error::NotSupported(_) => SkipReason::UnsupportedKeyType,
            Error::WeakKey(_) => SkipReason::WeakKey,
            _ => SkipReason::MalformedKey,
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A key left out of a set: where it was and why (never its material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    /// Its position in the document's `keys` array.
    pub index: usize,
    /// Its kid, when it has a string one, cut to [`MAX_REPORTED_KID_CHARS`] characters.
    pub kid: Option<String>,
    /// Why it was left out.
    pub reason: SkipReason,
}

/// Longest kid carried in a skip report: a document from the network decides the kid's length.
pub const MAX_REPORTED_KID_CHARS: usize = 128;

/// `kid` cut to [`MAX_REPORTED_KID_CHARS`] characters.
pub(super) fn reported_kid(kid: &str) -> String {
    kid.chars().take(MAX_REPORTED_KID_CHARS).collect()
}

/// Whether `alg` is a JWE key-management or content-encryption algorithm (RFC 7518 §4, §5), by
/// family, so that newer members (`RSA-OAEP-384`, `ECDH-ES+A192KW`) are recognized too.
pub(super) fn is_encryption_alg(alg: &str) -> bool {
    const PREFIXES: [&str; 5] = ["RSA-OAEP", "RSA1_5", "ECDH-", "PBES2-", "dir"];
    if PREFIXES.iter().any(|p| alg.starts_with(p)) {
        return true;
    }
    // A128KW, A256GCMKW, A128GCM, A128CBC-HS256...
    let Some(rest) = alg.strip_prefix('A') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let tail = &rest[digits..];
    digits > 0 && (matches!(tail, "KW" | "GCMKW" | "GCM") || tail.starts_with("CBC-HS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_algorithms_are_recognized_by_family() {
        for alg in [
            "RSA-OAEP",
            "RSA-OAEP-256",
            "RSA-OAEP-512",
            "RSA1_5",
            "ECDH-ES",
            "ECDH-ES+A256KW",
            "A128KW",
            "A256GCMKW",
            "A128GCM",
            "A256CBC-HS512",
            "dir",
            "PBES2-HS256+A128KW",
        ] {
            assert!(is_encryption_alg(alg), "{alg}");
        }
        for alg in [
            "ES256",
            "RS256",
            "EdDSA",
            "ES256K",
            "HS256",
            "A",
            "AKW",
            "ACBC-HS256",
            "Ed448",
        ] {
            assert!(!is_encryption_alg(alg), "{alg}");
        }
    }

    #[test]
    fn reported_kids_are_bounded() {
        assert_eq!(reported_kid("abc"), "abc");
        assert_eq!(reported_kid(&"é".repeat(500)).chars().count(), 128);
    }
}
