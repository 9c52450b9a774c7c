#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const RFC7638: &str = include_str!("../../tests/data/rfc7638_thumbprint.json");
const RFC8037: &str = include_str!("../../tests/data/rfc8037_a4_ed25519.json");

fn vector(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn code(r: Result<impl std::fmt::Debug>) -> &'static str {
    r.err().map(|e| e.code()).unwrap_or("ok")
}

#[test]
fn rfc7638_thumbprint_of_the_rfc_rsa_key() {
    let v = vector(RFC7638);
    let jwk = PublicJwk::from_map(v["jwk"].as_object().unwrap()).unwrap();
    assert_eq!(
        jwk.thumbprint(),
        v["expected_thumbprint_b64u"].as_str().unwrap()
    );
    assert_eq!(jwk.rsa_bits(), 2048);
}

#[test]
fn rfc8037_thumbprint_of_the_rfc_ed25519_key() {
    let v = vector(RFC8037);
    let jwk = PublicJwk::from_map(v["A.2_public_jwk"].as_object().unwrap()).unwrap();
    assert_eq!(
        jwk.thumbprint(),
        v["A.3_thumbprint_sha256_b64u"].as_str().unwrap()
    );
}

#[test]
fn public_jwk_exports_in_better_auth_member_order() {
    let okp = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}"#;
    assert_eq!(
        PublicJwk::from_json(okp).unwrap().to_json(),
        r#"{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#
    );
    let ec = r#"{"crv":"P-256","kty":"EC","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"}"#;
    assert_eq!(
        PublicJwk::from_json(ec).unwrap().to_json(),
        r#"{"kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","crv":"P-256"}"#
    );
    let v = vector(RFC7638);
    let rsa = PublicJwk::from_map(v["jwk"].as_object().unwrap()).unwrap();
    let json = rsa.to_json();
    assert!(json.starts_with(r#"{"kty":"RSA","n":"0vx7"#), "{json}");
    assert!(json.ends_with(r#"","e":"AQAB"}"#), "{json}");
    assert_eq!(PublicJwk::from_json(&json).unwrap(), rsa);
}

#[test]
fn private_jwk_round_trips_in_jose_member_order() {
    let v = vector(RFC8037);
    let text = v["A.1_private_jwk"].to_string();
    let jwk = PrivateJwk::from_json(&text).unwrap();
    let out = jwk.to_json();
    assert_eq!(
        out.as_str(),
        r#"{"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#
    );
    let ec = r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#;
    let out = PrivateJwk::from_json(ec).unwrap().to_json();
    assert_eq!(
        out.as_str(),
        r#"{"kty":"EC","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","crv":"P-256","d":"870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE"}"#
    );
    assert_eq!(PrivateJwk::from_json(&out).unwrap().to_json(), out);
}

#[test]
fn private_rsa_jwk_round_trips_in_jose_member_order() {
    let v = vector(include_str!("../../tests/data/crypto_rfc7515_keys.json"));
    let jwk = PrivateJwk::from_map(v["cases"][0]["key_jwk"].as_object().unwrap()).unwrap();
    let out = jwk.to_json();
    let names: Vec<String> = serde_json::from_str::<Map<String, Value>>(&out)
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(names, ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"]);
    assert_eq!(PrivateJwk::from_json(&out).unwrap().to_json(), out);
}

#[test]
fn debug_of_private_jwk_is_redacted() {
    let v = vector(RFC8037);
    let jwk = PrivateJwk::from_json(&v["A.1_private_jwk"].to_string()).unwrap();
    let shown = format!("{jwk:?} {:?}", jwk.secret());
    assert!(!shown.contains("nWGx"), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn rejects_members_that_are_not_strict_base64url() {
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    for bad in [
        format!("{x}="),     // padding
        x.replace('_', "/"), // standard alphabet
        x.replace('o', "p"), // non-zero trailing bits
        format!(" {x}"),     // whitespace
        x[..42].to_owned(),  // 31 bytes
    ] {
        let json = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{bad}"}}"#);
        assert_eq!(
            code(PublicJwk::from_json(&json)),
            "ERR_JWKS_INVALID",
            "{bad}"
        );
    }
}

#[test]
fn rejects_malformed_jwks_as_invalid() {
    for json in [
        "[]",
        "not json",
        r#"{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        r#"{"kty":1}"#,
        r#"{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4"}"#,
        r#"{"kty":"EC","crv":"P-384","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}"#,
    ] {
        assert_eq!(
            code(PublicJwk::from_json(json)),
            "ERR_JWKS_INVALID",
            "{json}"
        );
    }
}

#[test]
fn unsupported_key_types_and_curves_are_not_supported() {
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    for json in [
        format!(r#"{{"kty":"OKP","crv":"Ed448","x":"{x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"X25519","x":"{x}"}}"#),
        format!(r#"{{"kty":"EC","crv":"secp256k1","x":"{x}","y":"{x}"}}"#),
        r#"{"kty":"oct","k":"AAAA"}"#.to_owned(),
    ] {
        assert_eq!(
            code(PublicJwk::from_json(&json)),
            "ERR_JOSE_NOT_SUPPORTED",
            "{json}"
        );
    }
}

#[test]
fn rejects_weak_rsa_keys() {
    let v = vector(RFC7638);
    let n = v["jwk"]["n"].as_str().unwrap();
    let short = b64(&[0xc3; 128]); // 1024 bits
    for (n, e) in [
        (short.as_str(), "AQAB"),
        (n, "AQ"),
        (n, "AAE"),
        (n, "AQAA"),
        (n, ""),
    ] {
        let json = format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}"}}"#);
        assert_eq!(code(PublicJwk::from_json(&json)), "ERR_WEAK_KEY", "{e}");
    }
    let huge = b64(&[0xc3; 1025]);
    let json = format!(r#"{{"kty":"RSA","n":"{huge}","e":"AQAB"}}"#);
    assert_eq!(code(PublicJwk::from_json(&json)), "ERR_WEAK_KEY");
}

#[test]
fn rsa_modulus_with_leading_zero_is_normalized() {
    let v = vector(RFC7638);
    let jwk = PublicJwk::from_map(v["jwk"].as_object().unwrap()).unwrap();
    let PublicJwk::Rsa { n, .. } = &jwk else {
        unreachable!()
    };
    let padded = [&[0u8][..], n].concat();
    let json = format!(r#"{{"kty":"RSA","n":"{}","e":"AAEAAQ"}}"#, b64(&padded));
    assert_eq!(PublicJwk::from_json(&json).unwrap(), jwk);
}

#[test]
fn rejects_small_order_ed25519_public_keys_in_every_encoding() {
    let mut count = 0;
    for y in [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ] {
        for sign in [0u8, 0x80] {
            let mut x = hex(y);
            x[31] |= sign;
            let json = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&x));
            assert_eq!(code(PublicJwk::from_json(&json)), "ERR_WEAK_KEY", "{y}");
            count += 1;
        }
    }
    assert_eq!(count, 14);
}

#[test]
fn accepts_ordinary_ed25519_keys_and_rejects_non_canonical_ones() {
    let v = vector(RFC8037);
    assert!(PublicJwk::from_map(v["A.2_public_jwk"].as_object().unwrap()).is_ok());
    // y = p + 2: not small order, but not the canonical encoding of y = 2.
    let mut x = crate::crypto::ed25519_p_plus(2);
    assert!(ed25519_encoding_is_weak(&x));
    x[0] = 0xec; // p - 1 is small order (y = -1)
    assert!(ed25519_encoding_is_weak(&x));
    x[0] = 0xeb; // p - 2: canonical, not small order
    assert!(!ed25519_encoding_is_weak(&x));
}

/// The hard-coded list agrees with curve25519-dalek: every torsion point's encoding is refused.
#[cfg(feature = "rust-crypto")]
#[test]
fn small_order_list_matches_dalek_torsion_points() {
    use ed25519_dalek::VerifyingKey;
    for y in 0u8..=255 {
        let mut bytes = [0u8; 32];
        bytes[0] = y;
        if let Ok(key) = VerifyingKey::from_bytes(&bytes) {
            assert_eq!(key.is_weak(), ed25519_encoding_is_weak(&bytes), "{y}");
        }
    }
    let order8 = hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
    let key = VerifyingKey::from_bytes(order8.as_slice().try_into().unwrap()).unwrap();
    assert!(key.is_weak());
}

fn hex(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}
