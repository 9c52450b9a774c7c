#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::*;
use crate::alg::EcCurve;
use crate::crypto::fill_random;
use crate::jwk::PrivateParts;

const SECRET: &str = "current-secret-for-seal-tests-0123456789";
const OLD_SECRET: &str = "previous-secret-for-seal-tests-abcdefghij";
/// 32 random bytes in hex, as `openssl rand -hex 32` or Better Auth's CLI print them.
const RANDOM_HEX_SECRET: &str = "9c1f4e7a2b8d03f6e5a1c7b94d2e8f60a3b5c9d1e7f2a4b6c8d0e2f4a6b8c1d3";

const ALL_FORMATS: [PrivateKeyFormat; 3] = [
    PrivateKeyFormat::AuthJwtV2,
    PrivateKeyFormat::AuthJwtV1,
    PrivateKeyFormat::BetterAuth,
];

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    fill_random(&mut v).unwrap();
    v
}

fn z(n: usize) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(random(n))
}

/// Random JWK-shaped keys of every kind. Sealing never looks inside a key beyond its JSON and
/// its public members, so random bytes exercise it as well as real keys.
fn random_keys() -> Vec<PrivateJwk> {
    let mut keys = Vec::new();
    for _ in 0..3 {
        let x: [u8; 32] = random(32).try_into().unwrap();
        keys.push(PrivateJwk::from_parts(
            PublicJwk::Ed25519 { x },
            PrivateParts::Ed25519 { d: z(32) },
        ));
    }
    for crv in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let len = crv.field_len();
        keys.push(PrivateJwk::from_parts(
            PublicJwk::Ec {
                crv,
                x: random(len),
                y: random(len),
            },
            PrivateParts::Ec { d: z(len) },
        ));
    }
    let mut n = random(256);
    n[0] |= 0x80;
    n[255] |= 1;
    keys.push(PrivateJwk::from_parts(
        PublicJwk::Rsa {
            n,
            e: vec![1, 0, 1],
        },
        PrivateParts::Rsa {
            d: z(256),
            p: z(128),
            q: z(128),
            dp: z(128),
            dq: z(128),
            qi: z(128),
        },
    ));
    keys
}

fn ed25519_key() -> PrivateJwk {
    random_keys().swap_remove(0)
}

fn sealer(format: PrivateKeyFormat, secrets: &[Secret]) -> Sealer {
    Sealer::new(secrets.to_vec(), format, true).unwrap()
}

fn decryption_failure(result: Result<PrivateJwk>) -> (String, String) {
    match result {
        Err(Error::KeyDecryptionFailed { kid, message }) => (kid, message),
        Err(other) => panic!("expected KeyDecryptionFailed, got {other:?}"),
        Ok(_) => panic!("expected KeyDecryptionFailed, got a key"),
    }
}

fn assert_same_key(a: &PrivateJwk, b: &PrivateJwk) {
    assert_eq!(a.to_json().as_str(), b.to_json().as_str());
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn v1_column(column: &str) -> serde_json::Map<String, Value> {
    match serde_json::from_str(column).unwrap() {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn better_auth_round_trips_random_keys_of_every_kind() {
    let s = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)]);
    for _ in 0..5 {
        for key in random_keys() {
            let column = s.seal(&key).unwrap();
            let hex: String = serde_json::from_str(&column).unwrap();
            assert!(hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            assert_eq!(hex.len(), 2 * (24 + key.to_json().len() + 16));
            assert_same_key(&s.open("kid1", &column, key.public()).unwrap(), &key);
        }
    }
}

#[test]
fn better_auth_versioned_secret_writes_ba_envelope_and_opens_after_rotation() {
    let v2 = sealer(
        PrivateKeyFormat::BetterAuth,
        &[Secret::versioned("2", SECRET)],
    );
    let key = ed25519_key();
    let column = v2.seal(&key).unwrap();
    assert!(column.starts_with("\"$ba$2$"), "{column}");
    let rotated = sealer(
        PrivateKeyFormat::BetterAuth,
        &[
            Secret::versioned("3", "newest"),
            Secret::versioned("2", SECRET),
        ],
    );
    assert_same_key(&rotated.open("k", &column, key.public()).unwrap(), &key);
    // The new current secret writes its own version.
    assert!(rotated.seal(&key).unwrap().starts_with("\"$ba$3$"));
}

#[test]
fn better_auth_opens_rows_sealed_by_the_better_auth_package() {
    // Sealed by better-auth 1.7.24's symmetricEncrypt (jwt plugin: JSON.stringify of the result).
    let public =
        r#"{"crv":"Ed25519","x":"LxztAsiHJ9p4rANJWlmBuRBxeygyoAmFJ9FeHGyEkRE","kty":"OKP"}"#;
    let private = r#"{"crv":"Ed25519","d":"ipsTDd63GvfJQvny0Alg_H4Cu0jz2ktcwGAY9GY4fqY","x":"LxztAsiHJ9p4rANJWlmBuRBxeygyoAmFJ9FeHGyEkRE","kty":"OKP"}"#;
    let bare = concat!(
        "\"e3235cfe692d126df893b5c616e843e676c474426e2e77c0d1287e0f2e729d4596906c15e3a2f9c56c9415f",
        "c54f24604d063e1d435981320710273bf3db0941118ab21282f1a87967b45b7315c9f9c877a33f889b20cf53f",
        "7c6e3198b4bbc30f044a4b4fb1fe99c6163d612e7143d9633c1425559221e51e0070f342321c226029fe033b2",
        "5533e616f185ea43bd7a451a4489fb236b813bd76756c30a6ab3f4fe0fc29f53781c550f8\""
    );
    let versioned = concat!(
        "\"$ba$7$ef5911bb77cd0f6ce49427cc77df9e9771845edf69de89e8501e09a3d79269f4f9ce821563df4e7fc",
        "d61f71b783e02d32814237459fd8d1ecbeb5cc56836840e32c1c2e8a836df34e5c254ab44976e17845b6ab3f7",
        "80c10d72bf01fec4bfb1629adc2ebfe7e75656f422d207da30d938a49564dcc2b9f61129f5091bb10142126b0",
        "3548bba37884a7f1f9b3cf3d3017ee1e90472bda6bd067cd5f6aff2a2e0faf39cde5045ba3f5e2a\""
    );
    let public = PublicJwk::from_json(public).unwrap();
    let s = sealer(
        PrivateKeyFormat::AuthJwtV1,
        &[
            Secret::versioned("8", "some-newer-secret"),
            Secret::versioned("7", "versioned-known-answer-secret-abcdefghij"),
            Secret::new("better-auth-known-answer-secret-0123456789"),
        ],
    );
    for column in [bare, versioned] {
        let opened = s.open("ba", column, &public).unwrap();
        assert_eq!(opened.to_json().as_str(), private);
    }
}

#[test]
fn authjwt_v1_round_trips_keys_and_writes_the_documented_members() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let keys = random_keys();
    // One key of each kind (Ed25519, P-256, RSA): PBKDF2 at 600k is costly in debug builds.
    for key in [&keys[0], &keys[3], &keys[6]] {
        let column = s.seal(key).unwrap();
        let m = v1_column(&column);
        let names: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(names, ["v", "alg", "kdf", "iter", "salt", "iv", "ct"]);
        assert_eq!(m["v"], json!(1));
        assert_eq!(m["alg"], json!("A256GCM"));
        assert_eq!(m["kdf"], json!("PBKDF2-SHA256"));
        assert_eq!(m["iter"], json!(PBKDF2_ITERATIONS));
        let b64 = |name: &str| URL_SAFE_NO_PAD.decode(m[name].as_str().unwrap()).unwrap();
        assert_eq!(b64("salt").len(), 16);
        assert_eq!(b64("iv").len(), 12);
        assert_eq!(b64("ct").len(), key.to_json().len() + 16);
        assert_same_key(&s.open("kid1", &column, key.public()).unwrap(), key);
    }
}

#[test]
fn authjwt_v1_salts_and_ivs_are_fresh_per_row() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let (a, b) = (
        v1_column(&s.seal(&key).unwrap()),
        v1_column(&s.seal(&key).unwrap()),
    );
    assert_ne!(a["salt"], b["salt"]);
    assert_ne!(a["iv"], b["iv"]);
    assert_ne!(a["ct"], b["ct"]);
}

#[test]
fn authjwt_v1_versioned_secret_writes_sv_and_old_version_still_opens() {
    let key = ed25519_key();
    let column = sealer(
        PrivateKeyFormat::AuthJwtV1,
        &[Secret::versioned("1", OLD_SECRET)],
    )
    .seal(&key)
    .unwrap();
    assert_eq!(v1_column(&column)["sv"], json!(1));
    let rotated = sealer(
        PrivateKeyFormat::AuthJwtV1,
        &[
            Secret::versioned("2", SECRET),
            Secret::versioned("1", OLD_SECRET),
        ],
    );
    assert_same_key(&rotated.open("k", &column, key.public()).unwrap(), &key);
}

#[test]
fn old_secret_second_in_the_list_still_opens_both_formats() {
    let key = ed25519_key();
    let rotated = [Secret::new(SECRET), Secret::new(OLD_SECRET)];
    for format in ALL_FORMATS {
        let column = sealer(format, &[Secret::new(OLD_SECRET)])
            .seal(&key)
            .unwrap();
        let s = sealer(format, &rotated);
        assert_same_key(&s.open("k", &column, key.public()).unwrap(), &key);
    }
}

#[test]
fn wrong_secret_is_key_decryption_failed_naming_the_kid() {
    let key = ed25519_key();
    for format in ALL_FORMATS {
        let column = sealer(format, &[Secret::new(OLD_SECRET)])
            .seal(&key)
            .unwrap();
        let result = sealer(format, &[Secret::new(SECRET)]).open("kid-42", &column, key.public());
        let err = result.as_ref().err().map(|e| e.code());
        assert_eq!(err, Some("ERR_KEY_DECRYPTION_FAILED"));
        let (kid, message) = decryption_failure(result);
        assert_eq!(kid, "kid-42");
        assert!(message.contains("secrets"), "{message}");
        assert!(message.contains(format.as_str()), "{message}");
    }
}

#[test]
fn authjwt_v1_row_does_not_open_under_another_rows_public_key() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let (key, other) = (ed25519_key(), ed25519_key());
    let column = s.seal(&key).unwrap();
    let (kid, message) = decryption_failure(s.open("moved", &column, other.public()));
    assert_eq!(kid, "moved");
    assert!(
        message.contains("none of the 1 configured secret"),
        "{message}"
    );
}

#[test]
fn better_auth_row_under_another_public_key_is_never_used() {
    let s = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)]);
    let (key, other) = (ed25519_key(), ed25519_key());
    let column = s.seal(&key).unwrap();
    let (_, message) = decryption_failure(s.open("moved", &column, other.public()));
    assert!(
        message.contains("does not belong to the row's public key"),
        "{message}"
    );
}

#[test]
fn plain_private_jwk_round_trips_when_encryption_is_disabled() {
    let s = Sealer::new(vec![], PrivateKeyFormat::AuthJwtV1, false).unwrap();
    for key in random_keys() {
        let column = s.seal(&key).unwrap();
        assert_eq!(column, key.to_json().as_str());
        assert_same_key(&s.open("k", &column, key.public()).unwrap(), &key);
    }
    let other = ed25519_key();
    let column = s.seal(&other).unwrap();
    assert!(s.open("k", &column, ed25519_key().public()).is_err());
}

#[test]
fn plain_row_is_refused_when_encryption_is_on() {
    let key = ed25519_key();
    let column = key.to_json();
    let s = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)]);
    let (_, message) = decryption_failure(s.open("k", &column, key.public()));
    assert!(message.contains("disablePrivateKeyEncryption"), "{message}");
}

#[test]
fn sealed_rows_open_with_encryption_off_only_when_a_secret_is_configured() {
    let key = ed25519_key();
    let column = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)])
        .seal(&key)
        .unwrap();
    let with_secret = Sealer::new(
        vec![Secret::new(SECRET)],
        PrivateKeyFormat::BetterAuth,
        false,
    )
    .unwrap();
    assert_same_key(&with_secret.open("k", &column, key.public()).unwrap(), &key);
    let without = Sealer::new(vec![], PrivateKeyFormat::BetterAuth, false).unwrap();
    let (_, message) = decryption_failure(without.open("k", &column, key.public()));
    assert!(message.contains("no secret is configured"), "{message}");
}

#[test]
fn tampered_authjwt_v1_ct_iv_salt_and_iter_are_rejected() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let column = s.seal(&key).unwrap();
    for member in ["ct", "iv", "salt"] {
        let mut m = v1_column(&column);
        let mut bytes = URL_SAFE_NO_PAD.decode(m[member].as_str().unwrap()).unwrap();
        bytes[0] ^= 0x01;
        m.insert(member.into(), json!(URL_SAFE_NO_PAD.encode(bytes)));
        let tampered = Value::Object(m).to_string();
        decryption_failure(s.open("k", &tampered, key.public()));
    }
    let mut m = v1_column(&column);
    m.insert("iter".into(), json!(PBKDF2_ITERATIONS + 1));
    decryption_failure(s.open("k", &Value::Object(m).to_string(), key.public()));
}

#[test]
fn tampered_better_auth_payload_is_rejected() {
    let s = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let hex: String = serde_json::from_str(&s.seal(&key).unwrap()).unwrap();
    // Positions in the nonce, the ciphertext and the tag.
    for pos in [0, 47, 48, 100, hex.len() - 1] {
        let mut bytes = hex.clone().into_bytes();
        bytes[pos] = if bytes[pos] == b'0' { b'1' } else { b'0' };
        let tampered = serde_json::to_string(&String::from_utf8(bytes).unwrap()).unwrap();
        decryption_failure(s.open("k", &tampered, key.public()));
    }
    // The same payload under another envelope version still authenticates the data itself.
    let versioned = serde_json::to_string(&format!("$ba$9${hex}")).unwrap();
    assert_same_key(&s.open("k", &versioned, key.public()).unwrap(), &key);
}

#[test]
fn hostile_iteration_counts_are_refused_before_any_derivation() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let row = |iter: Value| {
        json!({"v": 1, "alg": "A256GCM", "kdf": "PBKDF2-SHA256", "iter": iter,
               "salt": "AAAAAAAAAAAAAAAAAAAAAA", "iv": "AAAAAAAAAAAAAAAA",
               "ct": URL_SAFE_NO_PAD.encode([0u8; 64])})
        .to_string()
    };
    for iter in [
        json!(0),
        json!(1),
        json!(99_999),
        json!(10_000_001),
        json!(u32::MAX),
        json!(1_000_000_000_000u64),
        json!(-1),
        json!(600000.5),
        json!("600000"),
        Value::Null,
    ] {
        let (_, message) = decryption_failure(s.open("k", &row(iter.clone()), key.public()));
        assert!(
            !message.contains("none of"),
            "{iter} reached a derivation: {message}"
        );
    }
}

#[test]
fn malformed_columns_are_key_decryption_failed_never_a_panic() {
    let s = sealer(PrivateKeyFormat::AuthJwtV1, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let ok_ct = URL_SAFE_NO_PAD.encode([0u8; 64]);
    let v1 = |extra: Value| {
        let mut m = v1_column(
            &json!({"v": 1, "alg": "A256GCM", "kdf": "PBKDF2-SHA256", "iter": 600000,
                    "salt": "AAAAAAAAAAAAAAAAAAAAAA", "iv": "AAAAAAAAAAAAAAAA", "ct": ok_ct})
            .to_string(),
        );
        if let Value::Object(extra) = extra {
            for (k, v) in extra {
                if v.is_null() {
                    m.remove(&k);
                } else {
                    m.insert(k, v);
                }
            }
        }
        Value::Object(m).to_string()
    };
    let long_hex = serde_json::to_string(&"00".repeat(200_000)).unwrap();
    let columns = [
        String::new(),
        "   ".into(),
        "null".into(),
        "42".into(),
        "true".into(),
        "[]".into(),
        "{}".into(),
        "{".into(),
        r#"{"foo":1}"#.into(),
        r#""""#.into(),
        r#""zz""#.into(),
        r#""abc""#.into(),
        r#""00112233""#.into(),
        r#""$ba$""#.into(),
        r#""$ba$1""#.into(),
        r#""$ba$x$00""#.into(),
        r#""$ba$-1$00""#.into(),
        r#""$ba$99999999999999999999999$00""#.into(),
        r#""\ud800""#.into(),
        "deadbeef".into(),
        long_hex,
        v1(json!({"v": 2})),
        v1(json!({"v": "1"})),
        v1(json!({"alg": "A128GCM"})),
        v1(json!({"kdf": "scrypt"})),
        v1(json!({"extra": true})),
        v1(json!({"salt": null})),
        v1(json!({"salt": "AAAA"})),
        v1(json!({"salt": "AAAAAAAAAAAAAAAAAAAAAA=="})),
        v1(json!({"iv": "AAAAAAAAAAAAAA"})),
        v1(json!({"iv": "not base64!"})),
        v1(json!({"ct": "AAAA"})),
        v1(json!({"ct": URL_SAFE_NO_PAD.encode(vec![0u8; 100_000])})),
        v1(json!({"sv": "one"})),
        r#"{"v":1,"v":1}"#.into(),
        r#"{"kty":"OKP"}"#.into(),
    ];
    for column in &columns {
        let (kid, _) = decryption_failure(s.open("bad-row", column, key.public()));
        assert_eq!(kid, "bad-row", "{column:.80}");
    }
    // Plain rows are refused before parsing when encryption is on; with it off, a broken JWK is
    // still the same typed error.
    let plain = Sealer::new(vec![], PrivateKeyFormat::AuthJwtV1, false).unwrap();
    decryption_failure(plain.open("k", r#"{"kty":"OKP"}"#, key.public()));
    decryption_failure(plain.open("k", r#"{"kty":"oct","k":"AAAA"}"#, key.public()));
}

#[test]
fn new_refuses_missing_empty_or_malformed_secrets() {
    let invalid = |secrets: Vec<Secret>, encrypt: bool| {
        let err = Sealer::new(secrets, PrivateKeyFormat::BetterAuth, encrypt).unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_CONFIG", "{err}");
    };
    invalid(vec![], true);
    invalid(vec![Secret::new("")], true);
    invalid(vec![Secret::new(SECRET), Secret::new("")], true);
    invalid(vec![Secret::new("")], false);
    for bad in ["", "01", "-1", "abc", "1.5", " 1", "99999999999999999999"] {
        invalid(vec![Secret::versioned(bad, SECRET)], true);
    }
    invalid(
        vec![
            Secret::versioned("1", SECRET),
            Secret::versioned("1", OLD_SECRET),
        ],
        true,
    );
    assert!(Sealer::new(vec![], PrivateKeyFormat::AuthJwtV1, false).is_ok());
    let mixed = vec![Secret::versioned("0", SECRET), Secret::new(OLD_SECRET)];
    assert!(Sealer::new(mixed, PrivateKeyFormat::BetterAuth, true).is_ok());
}

#[test]
fn errors_and_debug_output_never_contain_secrets_or_key_material() {
    let key = ed25519_key();
    let d = match key.secret() {
        PrivateParts::Ed25519 { d } => URL_SAFE_NO_PAD.encode(d.as_slice()),
        _ => unreachable!(),
    };
    let s = sealer(
        PrivateKeyFormat::BetterAuth,
        &[Secret::versioned("2", SECRET), Secret::new(OLD_SECRET)],
    );
    let wrong = sealer(
        PrivateKeyFormat::BetterAuth,
        &[Secret::new("unrelated-secret-xyz")],
    );
    let column = s.seal(&key).unwrap();
    let plain = key.to_json();
    let errors = [
        wrong.open("k", &column, key.public()).unwrap_err(),
        s.open("k", &plain, key.public()).unwrap_err(),
        s.open("k", &column, ed25519_key().public()).unwrap_err(),
        Sealer::new(
            vec![Secret::versioned("01", SECRET)],
            PrivateKeyFormat::BetterAuth,
            true,
        )
        .unwrap_err(),
    ];
    let mut texts: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}")])
        .collect();
    texts.push(format!("{s:?}"));
    texts.push(format!("{:?}", Secret::new(SECRET)));
    texts.push(format!("{key:?}"));
    for text in &texts {
        for needle in [SECRET, OLD_SECRET, "unrelated-secret-xyz", d.as_str()] {
            assert!(!text.contains(needle), "leaked in: {text}");
        }
    }
    assert!(
        texts[0].contains("cannot open the private key of kid k"),
        "{}",
        texts[0]
    );
}

#[test]
fn private_key_format_parses_its_configuration_names() {
    for format in ALL_FORMATS {
        assert_eq!(format.as_str().parse::<PrivateKeyFormat>().unwrap(), format);
    }
    assert_eq!(
        "aes".parse::<PrivateKeyFormat>().unwrap_err().code(),
        "ERR_INVALID_CONFIG"
    );
    assert_eq!(PrivateKeyFormat::default(), PrivateKeyFormat::AuthJwtV2);
}

#[test]
fn better_auth_payload_hex_is_accepted_in_either_case() {
    let s = sealer(PrivateKeyFormat::BetterAuth, &[Secret::new(SECRET)]);
    let key = ed25519_key();
    let hex: String = serde_json::from_str(&s.seal(&key).unwrap()).unwrap();
    let upper = serde_json::to_string(&hex.to_uppercase()).unwrap();
    assert_same_key(&s.open("k", &upper, key.public()).unwrap(), &key);
    assert_eq!(unhex(&hex), unhex(&hex.to_uppercase()));
}

#[test]
fn generated_keys_of_every_kind_round_trip_and_import_after_opening() {
    use crate::alg::{Algorithm, KeyPairConfig};
    use crate::crypto::SigningKey;
    let ba = sealer(
        PrivateKeyFormat::BetterAuth,
        &[Secret::versioned("1", SECRET)],
    );
    let plain = Sealer::new(vec![], PrivateKeyFormat::BetterAuth, false).unwrap();
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
    ] {
        let config = KeyPairConfig::new(alg.name(), None, None).unwrap();
        let key = SigningKey::generate(&config)
            .unwrap()
            .to_private_jwk()
            .unwrap();
        for s in [&ba, &plain] {
            let column = s.seal(&key).unwrap();
            let opened = s.open("k", &column, key.public()).unwrap();
            let signer = SigningKey::from_private_jwk(&opened, alg).unwrap();
            assert_eq!(signer.public_jwk(), key.public(), "{alg}");
        }
    }
}

// --- authjwt-v2 -----------------------------------------------------------------------------

/// The private key of the known-answer rows below.
const KNOWN_PUBLIC: &str =
    r#"{"crv":"Ed25519","x":"LxztAsiHJ9p4rANJWlmBuRBxeygyoAmFJ9FeHGyEkRE","kty":"OKP"}"#;
const KNOWN_PRIVATE: &str = r#"{"crv":"Ed25519","d":"ipsTDd63GvfJQvny0Alg_H4Cu0jz2ktcwGAY9GY4fqY","x":"LxztAsiHJ9p4rANJWlmBuRBxeygyoAmFJ9FeHGyEkRE","kty":"OKP"}"#;

#[test]
fn authjwt_v2_opens_known_answer_rows_of_each_kdf() {
    // Sealed by Node's crypto (OpenSSL): hkdfSync / pbkdf2Sync and aes-256-gcm with the
    // thumbprint as AAD, fixed salts and ivs; not by this crate.
    let hkdf_secret = "6f3c1a9e2b7d4e8f0a5c3b1d9e7f2a4c6b8d0e1f3a5c7b9d2e4f6a8c0b1d3e5f";
    let hkdf_row = concat!(
        r#"{"v":2,"alg":"A256GCM","kdf":"HKDF-SHA256","salt":"AAECAwQFBgcICQoLDA0ODw","#,
        r#""iv":"oKGio6Slpqeoqaqr","ct":"K4MmjpDfB9iXnSJ0aZLIEYZJTjHx5DskAG5JJuLjR7pj5WJMdlsjd"#,
        r#"3R7-0_6qXcejQl0e3pjqsRiprMTerqivwdyroV46WKFLiBhfwvprcOmOMoD4xuMUjrd1sJJWA3YKPcqiyZgo"#,
        r#"QoY2DNWrjfdaxCwiurj7PbsAvpG4H900QiWh_JidnpeIkrx3A6N7Ry9uA"}"#
    );
    let pbkdf2_secret = "correct horse battery staple, twice over";
    let pbkdf2_row = concat!(
        r#"{"v":2,"alg":"A256GCM","kdf":"PBKDF2-SHA256","iter":600000,"#,
        r#""salt":"EBESExQVFhcYGRobHB0eHw","iv":"sLGys7S1tre4ubq7","ct":"NYglO3AdKd705bHuNOwBUE"#,
        r#"sebGq5OZvmTFsXlAmyiJOz7Le0pAVgeQamiAU3byVFKRKJZO9usDuE2TNvTvcCBk9wm3c1HBYaotpOVxE7pIY"#,
        r#"BxnS30aoP8sYDM2TK3sb_sdMYpP1lgLazfixbAnGmf0Od1igof19AXqxwl7HKrjiVuFGHgOIQ1HzJe9NGnaCvA"#,
        r#"A","sv":3}"#
    );
    let public = PublicJwk::from_json(KNOWN_PUBLIC).unwrap();
    let s = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[
            Secret::versioned("4", "a-newer-secret-that-opens-neither-row"),
            Secret::versioned("3", pbkdf2_secret),
            Secret::new(hkdf_secret),
        ],
    );
    for row in [hkdf_row, pbkdf2_row] {
        assert_eq!(
            s.open("kat", row, &public).unwrap().to_json().as_str(),
            KNOWN_PRIVATE
        );
    }
    // Each row's KDF is the one it names: the other KDF under the same secret does not open it.
    let swapped = hkdf_row.replace(
        r#""kdf":"HKDF-SHA256""#,
        r#""kdf":"PBKDF2-SHA256","iter":600000"#,
    );
    let only_hkdf_secret = sealer(PrivateKeyFormat::AuthJwtV2, &[Secret::new(hkdf_secret)]);
    assert!(only_hkdf_secret.open("kat", hkdf_row, &public).is_ok());
    decryption_failure(only_hkdf_secret.open("kat", &swapped, &public));
}

#[test]
fn authjwt_v2_seals_with_hkdf_for_a_random_secret_and_pbkdf2_otherwise() {
    let keys = random_keys();
    let strong = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::new(RANDOM_HEX_SECRET)],
    );
    for key in &keys {
        let column = strong.seal(key).unwrap();
        let m = v1_column(&column);
        let names: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(names, ["v", "alg", "kdf", "salt", "iv", "ct"]);
        assert_eq!(m["v"], json!(2));
        assert_eq!(m["alg"], json!("A256GCM"));
        assert_eq!(m["kdf"], json!("HKDF-SHA256"));
        let b64 = |name: &str| URL_SAFE_NO_PAD.decode(m[name].as_str().unwrap()).unwrap();
        assert_eq!(b64("salt").len(), 16);
        assert_eq!(b64("iv").len(), 12);
        assert_eq!(b64("ct").len(), key.to_json().len() + 16);
        assert_same_key(&strong.open("kid1", &column, key.public()).unwrap(), key);
    }
    // SECRET is 40 typed characters: long enough to seal with, not 256 bits.
    let typed = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::versioned("5", SECRET)],
    );
    let column = typed.seal(&keys[0]).unwrap();
    let m = v1_column(&column);
    let names: Vec<&str> = m.keys().map(String::as_str).collect();
    assert_eq!(names, ["v", "alg", "kdf", "iter", "salt", "iv", "ct", "sv"]);
    assert_eq!(m["v"], json!(2));
    assert_eq!(m["kdf"], json!("PBKDF2-SHA256"));
    assert_eq!(m["iter"], json!(PBKDF2_ITERATIONS));
    assert_eq!(m["sv"], json!(5));
    assert_same_key(
        &typed.open("kid1", &column, keys[0].public()).unwrap(),
        &keys[0],
    );
    // Only the sealing (first) secret decides; an older strong secret behind it does not.
    let rotated = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::new(SECRET), Secret::new(RANDOM_HEX_SECRET)],
    );
    assert_eq!(
        v1_column(&rotated.seal(&keys[0]).unwrap())["kdf"],
        json!("PBKDF2-SHA256")
    );
}

#[test]
fn authjwt_v1_still_writes_pbkdf2_for_a_random_secret() {
    let s = sealer(
        PrivateKeyFormat::AuthJwtV1,
        &[Secret::new(RANDOM_HEX_SECRET)],
    );
    let m = v1_column(&s.seal(&ed25519_key()).unwrap());
    assert_eq!(m["v"], json!(1));
    assert_eq!(m["kdf"], json!("PBKDF2-SHA256"));
}

#[test]
fn every_format_opens_under_a_sealer_of_any_other_format() {
    let key = ed25519_key();
    let secrets = [Secret::new(RANDOM_HEX_SECRET)];
    for written in ALL_FORMATS {
        let column = sealer(written, &secrets).seal(&key).unwrap();
        for reading in ALL_FORMATS {
            let opened = sealer(reading, &secrets).open("k", &column, key.public());
            assert_same_key(&opened.unwrap(), &key);
        }
    }
}

#[test]
fn tampered_or_inconsistent_authjwt_v2_rows_are_refused() {
    let s = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::new(RANDOM_HEX_SECRET)],
    );
    let key = ed25519_key();
    let column = s.seal(&key).unwrap();
    for member in ["ct", "iv", "salt"] {
        let mut m = v1_column(&column);
        let mut bytes = URL_SAFE_NO_PAD.decode(m[member].as_str().unwrap()).unwrap();
        bytes[0] ^= 0x01;
        m.insert(member.into(), json!(URL_SAFE_NO_PAD.encode(bytes)));
        decryption_failure(s.open("k", &Value::Object(m).to_string(), key.public()));
    }
    let edited = |edit: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let mut m = v1_column(&column);
        edit(&mut m);
        Value::Object(m).to_string()
    };
    let refused_before_derivation = [
        // HKDF has no iteration count; PBKDF2 needs one.
        edited(&|m| {
            m.insert("iter".into(), json!(600_000));
        }),
        edited(&|m| {
            m.insert("kdf".into(), json!("PBKDF2-SHA256"));
        }),
        // Version 1 knows no HKDF; no version 3 exists.
        edited(&|m| {
            m.insert("v".into(), json!(1));
        }),
        edited(&|m| {
            m.insert("v".into(), json!(3));
        }),
        edited(&|m| {
            m.insert("kdf".into(), json!("hkdf-sha256"));
        }),
        edited(&|m| {
            m.insert("kdf".into(), json!("HKDF-SHA512"));
        }),
        edited(&|m| {
            m.insert("alg".into(), json!("A128GCM"));
        }),
        edited(&|m| {
            m.insert("kdf".into(), Value::Null);
        }),
        edited(&|m| {
            m.remove("kdf");
        }),
    ];
    for row in &refused_before_derivation {
        let (kid, message) = decryption_failure(s.open("bad", row, key.public()));
        assert_eq!(kid, "bad");
        assert!(
            !message.contains("none of"),
            "{row} reached a derivation: {message}"
        );
    }
    // A PBKDF2 version 2 row with a hostile count is refused as version 1 is.
    let pbkdf2 = sealer(PrivateKeyFormat::AuthJwtV2, &[Secret::new(SECRET)]);
    let column = pbkdf2.seal(&key).unwrap();
    for iter in [
        json!(1),
        json!(99_999),
        json!(10_000_001),
        json!(-1),
        json!("600000"),
    ] {
        let mut m = v1_column(&column);
        m.insert("iter".into(), iter.clone());
        let (_, message) =
            decryption_failure(pbkdf2.open("k", &Value::Object(m).to_string(), key.public()));
        assert!(!message.contains("none of"), "{iter}: {message}");
    }
}

#[test]
fn authjwt_v2_wrong_secret_names_the_format_and_kid() {
    let key = ed25519_key();
    let column = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::new(RANDOM_HEX_SECRET)],
    )
    .seal(&key)
    .unwrap();
    let other = "0b7e9d2c4a6f8e1d3c5b7a9f0e2d4c6b8a1f3e5d7c9b0a2f4e6d8c1b3a5f7e9d";
    let (kid, message) = decryption_failure(
        sealer(PrivateKeyFormat::AuthJwtV2, &[Secret::new(other)]).open(
            "kid-7",
            &column,
            key.public(),
        ),
    );
    assert_eq!(kid, "kid-7");
    assert!(message.contains("authjwt-v2"), "{message}");
    assert!(!message.contains(RANDOM_HEX_SECRET) && !message.contains(other));
}

#[test]
fn the_secrets_measure_never_shows_in_debug_output() {
    // Same version, one secret of full entropy and one not: the Debug texts must be identical.
    let strong = sealer(
        PrivateKeyFormat::AuthJwtV2,
        &[Secret::new(RANDOM_HEX_SECRET)],
    );
    let typed = sealer(PrivateKeyFormat::AuthJwtV2, &[Secret::new(SECRET)]);
    assert_eq!(format!("{strong:?}"), format!("{typed:?}"));
    assert!(!format!("{strong:?}").contains(RANDOM_HEX_SECRET));
}

// --- the entropy rule -----------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn random_32_byte_secrets_in_hex_and_base64_almost_always_have_full_entropy() {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};
    const DRAWS: usize = 2000;
    type Encoding = fn(&[u8]) -> String;
    let encodings: [(&str, Encoding); 5] = [
        ("hex", |b| hex(b)),
        ("HEX", |b| hex(b).to_uppercase()),
        ("base64", |b| STANDARD.encode(b)),
        ("base64url", |b| URL_SAFE.encode(b)),
        ("base64url-nopad", |b| URL_SAFE_NO_PAD.encode(b)),
    ];
    for (name, encode) in encodings {
        for len in [32, 48, 64] {
            let strong = (0..DRAWS)
                .filter(|_| strength::has_full_entropy(&encode(&random(len))))
                .count();
            // ~98% expected for base64 of 32 bytes (the case and digit checks), ~99.98% for hex.
            assert!(
                strong * 100 >= DRAWS * 96,
                "{name} of {len} bytes: {strong}/{DRAWS}"
            );
        }
    }
    // With the newline `openssl rand` prints.
    assert!(strength::has_full_entropy(&format!(
        "{RANDOM_HEX_SECRET}\n"
    )));
}

#[test]
fn random_secrets_short_of_256_bits_never_count() {
    use base64::engine::general_purpose::STANDARD;
    for _ in 0..500 {
        for len in [16, 24, 31] {
            let bytes = random(len);
            assert!(!strength::has_full_entropy(&hex(&bytes)), "hex {len}");
            assert!(
                !strength::has_full_entropy(&STANDARD.encode(&bytes)),
                "b64 {len}"
            );
        }
    }
}

#[test]
fn typed_secrets_never_count_however_long() {
    let typed = [
        SECRET,
        OLD_SECRET,
        "better-auth-known-answer-secret-0123456789",
        // Passphrases: words, spaces, punctuation, camel case, digits.
        "correct horse battery staple correct horse battery staple",
        "correcthorsebatterystaplecorrecthorsebatterystaplewithmorewords",
        "CorrectHorseBatteryStapleTroubadourElephantMarmalade2024Xylophone",
        "MyDogIsNamedRexAndHeLovesToPlayFetchInTheParkEveryDay2019",
        "ThisIsMyVeryLongAndVerySecretPassphraseForProduction1234",
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789!!",
        "Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-xyzzy",
        "p@ssw0rd-p@ssw0rd-p@ssw0rd-p@ssw0rd-p@ssw0rd-p@ssw0rd",
        "ünïcödé-sécret-phrase-that-is-long-enough-to-pass-the-minimum",
        // Random-looking but structured: one case of base36, a UUID pair, patterns.
        "k3j5h6g7f8d9s0a1q2w3e4r5t6y7u8i9o0p1l2k3j4h5g6f7d8s9",
        "550e8400-e29b-41d4-a716-446655440000-6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "1111111111111111111111111111111111111111111111111111111111111111",
        "abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcd",
        "9c1f4e7a2b8d03f6e5a1c7b94d2e8f60a3b5c9d1e7f2a4b6c8d0e2f4a6b8c1d",
        "QWERTYUIOPASDFGHJKLZXCVBNMqwertyuiopasdfghjklzxcvbnm1234567890",
        "secret",
        "",
    ];
    for secret in typed {
        assert!(
            !strength::has_full_entropy(secret),
            "{secret:?} counted as random"
        );
    }
    // Half of a random secret repeated to reach the length is caught by the repeat check.
    let half = &RANDOM_HEX_SECRET[..32];
    assert!(!strength::has_full_entropy(&format!("{half}{half}")));
    assert!(strength::has_full_entropy(RANDOM_HEX_SECRET));
}
