//! Keys and signatures cross between the crypto backends, for every algorithm, and the import rules
//! hold on every backend: a key generated in one backend, exported to a JWK and imported into the
//! other signs signatures that verify there (both directions); round trips of private JWKs; tampered
//! messages and signatures are rejected; off-curve points, mismatched public members and broken
//! signatures are refused the same way everywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use authjwt_core::alg::{Algorithm, EcCurve, KeyPairConfig, ALL_ALGORITHMS};
use authjwt_core::crypto::{fill_random, Backend, SigningKey, VerifyingKey};
use authjwt_core::jwk::{PrivateJwk, PrivateParts, PublicJwk};
use zeroize::Zeroizing;

fn config(alg: Algorithm) -> KeyPairConfig {
    KeyPairConfig {
        alg,
        ..KeyPairConfig::default()
    }
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    fill_random(&mut out).unwrap();
    out
}

fn random_index(len: usize) -> usize {
    let mut b = [0u8; 4];
    fill_random(&mut b).unwrap();
    u32::from_le_bytes(b) as usize % len
}

fn code<T>(r: authjwt_core::Result<T>) -> &'static str {
    r.err().map(|e| e.code()).unwrap_or("ok")
}

/// Checks that `signer`'s signatures verify with `verifier` and that tampering is rejected.
fn assert_sign_verify(signer: &SigningKey, verifier: &VerifyingKey, what: &str) {
    for len in [0usize, 1, 57, 200, 1000] {
        let msg = random_bytes(len);
        let sig = signer.sign(&msg).unwrap();
        assert!(verifier.verify(&msg, &sig).is_ok(), "{what}: len {len}");
        if len > 0 {
            let mut tampered = msg.clone();
            tampered[random_index(len)] ^= 1 << random_index(8);
            assert_eq!(
                code(verifier.verify(&tampered, &sig)),
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
                "{what}"
            );
        }
        let mut bad = sig.clone();
        bad[random_index(sig.len())] ^= 1 << random_index(8);
        assert!(
            verifier.verify(&msg, &bad).is_err(),
            "{what}: flipped signature bit"
        );
        assert!(
            verifier.verify(&msg, &sig[..sig.len() - 1]).is_err(),
            "{what}: truncated"
        );
        let longer = [&sig[..], &[0u8]].concat();
        assert!(verifier.verify(&msg, &longer).is_err(), "{what}: extended");
    }
}

#[test]
fn keys_and_signatures_cross_between_backends_for_every_algorithm() {
    let mut pairs = 0;
    for alg in ALL_ALGORITHMS {
        for &from in Backend::all() {
            let original = SigningKey::generate_with(from, &config(alg)).unwrap();
            assert_eq!(original.algorithm(), alg);
            let exported = original.to_private_jwk().unwrap().to_json();
            for &to in Backend::all() {
                let what = format!("{alg} {} -> {}", from.name(), to.name());
                let imported = SigningKey::from_private_jwk_with(
                    to,
                    &PrivateJwk::from_json(&exported).unwrap(),
                    alg,
                )
                .unwrap();
                assert_eq!(imported.public_jwk(), original.public_jwk(), "{what}");
                assert_eq!(
                    imported.to_private_jwk().unwrap().to_json(),
                    exported,
                    "{what}"
                );
                let verifier_to =
                    VerifyingKey::from_public_jwk_with(to, original.public_jwk(), alg).unwrap();
                let verifier_from =
                    VerifyingKey::from_public_jwk_with(from, original.public_jwk(), alg).unwrap();
                assert_sign_verify(&original, &verifier_to, &what);
                assert_sign_verify(&imported, &verifier_from, &what);
                pairs += 1;
            }
        }
    }
    println!("{pairs} algorithm/backend pairs crossed");
    assert_eq!(pairs, ALL_ALGORITHMS.len() * Backend::all().len().pow(2));
}

#[test]
fn public_jwk_json_round_trips_through_every_backend() {
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
    ] {
        for &backend in Backend::all() {
            for _ in 0..8 {
                let key = SigningKey::generate_with(backend, &config(alg)).unwrap();
                let json = key.public_jwk().to_json();
                let parsed = PublicJwk::from_json(&json).unwrap();
                assert_eq!(&parsed, key.public_jwk());
                assert_eq!(parsed.to_json(), json);
                let private = key.to_private_jwk().unwrap();
                let again = PrivateJwk::from_json(&private.to_json()).unwrap();
                assert_eq!(again.to_json(), private.to_json());
            }
        }
    }
}

#[test]
fn rsa_keys_of_3072_bits_are_generated_and_cross() {
    let cfg = KeyPairConfig::new("PS384", None, Some(3072)).unwrap();
    for &from in Backend::all() {
        let key = SigningKey::generate_with(from, &cfg).unwrap();
        assert_eq!(key.public_jwk().rsa_bits(), 3072);
        for &to in Backend::all() {
            let v = VerifyingKey::from_public_jwk_with(to, key.public_jwk(), cfg.alg).unwrap();
            let sig = key.sign(b"input").unwrap();
            assert_eq!(sig.len(), 384);
            assert!(v.verify(b"input", &sig).is_ok());
        }
    }
}

#[test]
fn unsupported_rsa_sizes_are_not_generated() {
    for &backend in Backend::all() {
        let cfg = KeyPairConfig {
            alg: Algorithm::RS256,
            modulus_length: 1024,
        };
        assert_eq!(
            code(SigningKey::generate_with(backend, &cfg)),
            "ERR_INVALID_CONFIG"
        );
    }
}

/// Replaces the public members of a private JWK with another key's.
fn with_public(private: &PrivateJwk, public: &PublicJwk) -> PrivateJwk {
    PrivateJwk::from_parts(public.clone(), private.secret().clone())
}

#[test]
fn private_jwk_whose_public_members_do_not_match_is_refused() {
    for alg in [
        Algorithm::EdDSA,
        Algorithm::ES256,
        Algorithm::ES512,
        Algorithm::RS256,
    ] {
        let a = SigningKey::generate(&config(alg))
            .unwrap()
            .to_private_jwk()
            .unwrap();
        let b = SigningKey::generate(&config(alg)).unwrap();
        let forged = with_public(&a, b.public_jwk());
        for &backend in Backend::all() {
            let err = SigningKey::from_private_jwk_with(backend, &forged, alg)
                .err()
                .unwrap();
            assert_eq!(err.code(), "ERR_WEAK_KEY", "{alg} {}", backend.name());
            if alg != Algorithm::RS256 {
                assert!(err.to_string().contains("derived"), "{err}");
            }
        }
    }
}

#[test]
fn rsa_private_jwk_with_inconsistent_crt_values_is_refused_everywhere() {
    let key = SigningKey::generate(&config(Algorithm::RS256)).unwrap();
    let private = key.to_private_jwk().unwrap();
    let PrivateParts::Rsa {
        d,
        p,
        q,
        dp,
        dq,
        qi,
    } = private.secret().clone()
    else {
        unreachable!()
    };
    let mut wrong = (*dp).clone();
    let last = wrong.len() - 1;
    wrong[last] ^= 2;
    let broken = PrivateJwk::from_parts(
        private.public().clone(),
        PrivateParts::Rsa {
            d,
            p,
            q,
            dp: Zeroizing::new(wrong),
            dq,
            qi,
        },
    );
    for &backend in Backend::all() {
        assert_eq!(
            code(SigningKey::from_private_jwk_with(
                backend,
                &broken,
                Algorithm::RS256
            )),
            "ERR_WEAK_KEY",
            "{}",
            backend.name()
        );
    }
}

#[test]
fn ec_private_scalar_out_of_range_is_refused() {
    let key = SigningKey::generate(&config(Algorithm::ES256)).unwrap();
    let public = key.public_jwk().clone();
    for d in [vec![0u8; 32], vec![0xff; 32]] {
        let jwk = PrivateJwk::from_parts(
            public.clone(),
            PrivateParts::Ec {
                d: Zeroizing::new(d),
            },
        );
        for &backend in Backend::all() {
            assert_eq!(
                code(SigningKey::from_private_jwk_with(
                    backend,
                    &jwk,
                    Algorithm::ES256
                )),
                "ERR_WEAK_KEY"
            );
        }
    }
}

fn ec_jwk(crv: EcCurve, x: &[u8], y: &[u8]) -> PublicJwk {
    PublicJwk::Ec {
        crv,
        x: x.to_vec(),
        y: y.to_vec(),
    }
}

#[test]
fn off_curve_and_identity_points_are_refused_by_every_backend() {
    for (alg, crv) in [
        (Algorithm::ES256, EcCurve::P256),
        (Algorithm::ES384, EcCurve::P384),
        (Algorithm::ES512, EcCurve::P521),
    ] {
        let key = SigningKey::generate(&config(alg)).unwrap();
        let PublicJwk::Ec { x, y, .. } = key.public_jwk().clone() else {
            unreachable!()
        };
        let len = crv.field_len();
        let mut y_plus_one = y.clone();
        y_plus_one[len - 1] = y_plus_one[len - 1].wrapping_add(1);
        let zero = vec![0u8; len];
        let ones = vec![0xffu8; len]; // >= p: not a field element
        for (what, bad) in [
            ("off curve", ec_jwk(crv, &x, &y_plus_one)),
            ("identity (0, 0)", ec_jwk(crv, &zero, &zero)),
            ("x >= p", ec_jwk(crv, &ones, &y)),
        ] {
            for &backend in Backend::all() {
                assert_eq!(
                    code(VerifyingKey::from_public_jwk_with(backend, &bad, alg)),
                    "ERR_WEAK_KEY",
                    "{alg} {what} {}",
                    backend.name()
                );
            }
        }
    }
}

#[test]
fn key_of_another_type_than_the_algorithm_needs_is_refused() {
    let ed = SigningKey::generate(&config(Algorithm::EdDSA)).unwrap();
    let p256 = SigningKey::generate(&config(Algorithm::ES256)).unwrap();
    for &backend in Backend::all() {
        for (jwk, alg) in [
            (ed.public_jwk(), Algorithm::ES256),
            (p256.public_jwk(), Algorithm::ES384),
            (p256.public_jwk(), Algorithm::RS256),
        ] {
            assert_eq!(
                code(VerifyingKey::from_public_jwk_with(backend, jwk, alg)),
                "ERR_JWKS_INVALID"
            );
        }
    }
}

/// n - s for big-endian equal-length numbers (s < n).
fn sub(n: &[u8], s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; n.len()];
    let mut borrow = 0i16;
    for i in (0..n.len()).rev() {
        let mut v = n[i] as i16 - s[i] as i16 - borrow;
        borrow = (v < 0) as i16;
        if v < 0 {
            v += 256;
        }
        out[i] = v as u8;
    }
    out
}

fn order(crv: EcCurve) -> Vec<u8> {
    let hex = match crv {
        EcCurve::P256 => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        EcCurve::P384 => "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        EcCurve::P521 => "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    };
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn ecdsa_high_s_is_accepted_and_out_of_range_r_s_rejected() {
    for (alg, crv) in [
        (Algorithm::ES256, EcCurve::P256),
        (Algorithm::ES384, EcCurve::P384),
        (Algorithm::ES512, EcCurve::P521),
    ] {
        let key = SigningKey::generate(&config(alg)).unwrap();
        let sig = key.sign(b"msg").unwrap();
        let len = crv.field_len();
        let n = order(crv);
        let (r, s) = sig.split_at(len);
        let flipped = [r, &sub(&n, s)].concat(); // (r, n - s) is valid too: ECDSA is malleable
        let zero = vec![0u8; len];
        let r_plus_n: Vec<u8> = [&n[..], s].concat();
        for &backend in Backend::all() {
            let v = VerifyingKey::from_public_jwk_with(backend, key.public_jwk(), alg).unwrap();
            assert!(v.verify(b"msg", &sig).is_ok());
            assert!(v.verify(b"msg", &flipped).is_ok(), "{alg} high/low S");
            for (what, bad) in [
                ("r = 0", [&zero[..], s].concat()),
                ("s = 0", [r, &zero[..]].concat()),
                ("r = n", r_plus_n.clone()),
                ("s = n", [r, &n[..]].concat()),
                ("r = s = 0", [&zero[..], &zero[..]].concat()),
                ("DER-sized", [&[0x30u8][..], &sig[..]].concat()),
            ] {
                assert!(
                    v.verify(b"msg", &bad).is_err(),
                    "{alg} {what} {}",
                    backend.name()
                );
            }
        }
    }
}

#[test]
fn ed25519_malleated_s_plus_l_is_rejected() {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let key = SigningKey::generate(&config(Algorithm::EdDSA)).unwrap();
    let mut sig = key.sign(b"msg").unwrap();
    let mut carry = 0u16;
    for i in 0..32 {
        let v = sig[32 + i] as u16 + L[i] as u16 + carry;
        sig[32 + i] = v as u8;
        carry = v >> 8;
    }
    for &backend in Backend::all() {
        let v = VerifyingKey::from_public_jwk_with(backend, key.public_jwk(), Algorithm::EdDSA)
            .unwrap();
        assert!(v.verify(b"msg", &sig).is_err(), "{}", backend.name());
    }
}

#[test]
fn debug_of_signing_key_shows_no_secret() {
    for alg in [Algorithm::EdDSA, Algorithm::ES256] {
        let key = SigningKey::generate(&config(alg)).unwrap();
        let private = key.to_private_jwk().unwrap();
        let d = match private.secret() {
            PrivateParts::Ed25519 { d } | PrivateParts::Ec { d } => d.clone(),
            PrivateParts::Rsa { .. } => unreachable!(),
        };
        let shown = format!("{key:?} {private:?}");
        let d_b64 = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &*d);
        assert!(!shown.contains(&d_b64), "{shown}");
        assert!(!shown.contains(&format!("{:?}", &d[..4])), "{shown}");
        assert!(shown.contains("redacted"));
    }
}

#[test]
fn ed25519_encodings_off_the_curve_are_refused_alike_by_every_backend() {
    let (mut on, mut off) = (0, 0);
    for k in 2u8..64 {
        let mut x = [0u8; 32];
        x[0] = k;
        let jwk = PublicJwk::Ed25519 { x };
        let codes: Vec<&str> = Backend::all()
            .iter()
            .map(|&b| {
                code(VerifyingKey::from_public_jwk_with(
                    b,
                    &jwk,
                    Algorithm::EdDSA,
                ))
            })
            .collect();
        assert!(codes.windows(2).all(|w| w[0] == w[1]), "y = {k}: {codes:?}");
        match codes[0] {
            "ok" => on += 1,
            "ERR_WEAK_KEY" => off += 1,
            other => panic!("y = {k}: {other}"),
        }
    }
    assert!(on > 0 && off > 0, "{on} on the curve, {off} off");
}
