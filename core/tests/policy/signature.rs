//! Policy step 4. Signature: tampering, ECDSA length and range, high-S, strict Ed25519.

use super::*;

#[test]
fn rejects_tampered_signature_or_payload() {
    let token = ed_token(good_claims());
    let s = segments(&token);
    let mut sig = URL_SAFE_NO_PAD.decode(&s[2]).unwrap();
    sig[10] ^= 1;
    assert_eq!(
        verify(&format!("{}.{}.{}", s[0], s[1], b64(&sig)), &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    let mut claims = good_claims();
    claims["sub"] = "admin".into();
    let forged = format!("{}.{}.{}", s[0], b64(claims.to_string().as_bytes()), s[2]);
    assert_eq!(
        verify(&forged, &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
    assert_eq!(
        verify(&format!("{}.{}.", s[0], s[1]), &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}

const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn es_token_parts() -> (String, Vec<u8>) {
    let token = sign(&keys().ec, json!({"alg":"ES256","kid":"ec"}), good_claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    (input.to_owned(), URL_SAFE_NO_PAD.decode(sig).unwrap())
}

fn with_sig(input: &str, sig: &[u8]) -> String {
    format!("{input}.{}", b64(sig))
}

/// Big-endian a - b for equal-length numbers with a >= b.
fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b).rev() {
        let d = i16::from(x) - i16::from(y) - borrow;
        *o = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    out
}

fn der_integer(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.first().is_none_or(|&b| b & 0x80 != 0) {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

#[test]
fn rejects_ecdsa_signatures_of_the_wrong_length() {
    let (input, sig) = es_token_parts();
    assert_eq!(verify(&with_sig(&input, &sig), &opts()), "ok");
    let mut der = der_integer(&sig[..32]);
    der.extend(der_integer(&sig[32..]));
    let mut seq = vec![0x30, der.len() as u8];
    seq.extend(der);
    let mut long = sig.clone();
    long.push(0);
    let mut padded = vec![0];
    padded.extend(&sig);
    for bad in [seq, long, padded, sig[..63].to_vec(), Vec::new()] {
        assert_eq!(
            verify(&with_sig(&input, &bad), &opts()),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            "{} bytes",
            bad.len()
        );
    }
}

#[test]
fn rejects_ecdsa_r_or_s_of_zero_or_n() {
    let (input, sig) = es_token_parts();
    let zero = [0u8; 32];
    for (r, s) in [
        (&zero[..], &sig[32..]),
        (&sig[..32], &zero[..]),
        (&P256_N[..], &sig[32..]),
        (&sig[..32], &P256_N[..]),
        (&zero[..], &zero[..]),
    ] {
        let bad = [r, s].concat();
        assert_eq!(
            verify(&with_sig(&input, &bad), &opts()),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
    }
}

#[test]
fn accepts_high_s_ecdsa_signatures() {
    // (r, n - s) is the other valid signature of the same message (ECDSA is malleable; RFC 7518
    // does not require low-S, and jose accepts both).
    let (input, sig) = es_token_parts();
    let high = [&sig[..32], &sub_be(&P256_N, &sig[32..])[..]].concat();
    assert_ne!(high, sig);
    assert_eq!(verify(&with_sig(&input, &high), &opts()), "ok");
}

#[test]
fn rejects_non_canonical_ed25519_s() {
    // S + L verifies under a lax "cofactorless, unreduced S" check; strict verification refuses it.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let token = ed_token(good_claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    let mut carry = 0u16;
    for (s, &l) in sig[32..].iter_mut().zip(&L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert_eq!(
        verify(&with_sig(input, &sig), &opts()),
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
    );
}
