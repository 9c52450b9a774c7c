//! Policy step 1. Parse: size cap, two dots, strict base64url, strict JSON objects.

use super::*;

#[test]
fn accepts_a_well_formed_token_the_control_for_every_rule() {
    assert_eq!(verify(&ed_token(good_claims()), &opts()), "ok");
}

#[test]
fn rejects_token_larger_than_max_token_size() {
    let mut claims = good_claims();
    claims["pad"] = "x".repeat(13_000).into();
    let token = ed_token(claims);
    assert!(token.len() > 16 * 1024);
    assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID");
    let relaxed = VerifyOptions {
        max_token_size: 64 * 1024,
        ..opts()
    };
    assert_eq!(verify(&token, &relaxed), "ok");
}

#[test]
fn rejects_token_without_exactly_two_dots() {
    let token = ed_token(good_claims());
    assert_eq!(verify(&format!("{token}."), &opts()), "ERR_JWS_INVALID");
    assert_eq!(verify(&format!("{token}.e30"), &opts()), "ERR_JWS_INVALID");
    let s = segments(&token);
    assert_eq!(
        verify(&format!("{}.{}", s[0], s[1]), &opts()),
        "ERR_JWS_INVALID"
    );
}

#[test]
fn rejects_padded_base64url() {
    // A 64-byte signature encodes to 86 characters; "==" would complete it to a multiple of 4.
    let token = ed_token(good_claims());
    assert_eq!(verify(&format!("{token}=="), &opts()), "ERR_JWS_INVALID");
}

#[test]
fn rejects_standard_alphabet_base64() {
    // Find a signature with a URL-safe character and spell it with the standard alphabet.
    let token = (0..200)
        .map(|i| {
            let mut c = good_claims();
            c["n"] = i.into();
            ed_token(c)
        })
        .find(|t| t.rsplit('.').next().unwrap().contains(['-', '_']))
        .unwrap();
    let (input, sig) = token.rsplit_once('.').unwrap();
    let std_sig = sig.replace('-', "+").replace('_', "/");
    assert_eq!(verify(&token, &opts()), "ok");
    assert_eq!(
        verify(&format!("{input}.{std_sig}"), &opts()),
        "ERR_JWS_INVALID"
    );
}

#[test]
fn rejects_non_canonical_trailing_bits() {
    let token = ed_token(good_claims());
    let (input, sig) = token.rsplit_once('.').unwrap();
    // 64 bytes leave 4 unused bits in the last character; set them.
    let last = sig.as_bytes()[sig.len() - 1];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let pos = alphabet.iter().position(|&c| c == last).unwrap();
    let tweaked = alphabet[pos | 0b0011] as char;
    assert_ne!(tweaked as u8, last);
    let bad = format!("{input}.{}{tweaked}", &sig[..sig.len() - 1]);
    assert_eq!(verify(&bad, &opts()), "ERR_JWS_INVALID");
}

#[test]
fn rejects_header_that_is_not_a_json_object() {
    let k = &keys().ed;
    for header in [r#"["EdDSA"]"#, r#""EdDSA""#, "null", "{"] {
        let token = sign_raw(k, header, good_claims().to_string().as_bytes());
        assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID", "{header}");
    }
}

#[test]
fn rejects_duplicate_header_members() {
    // Last-wins parsing would read alg EdDSA and accept.
    let header = r#"{"alg":"none","alg":"EdDSA","kid":"ed"}"#;
    let token = sign_raw(&keys().ed, header, good_claims().to_string().as_bytes());
    assert_eq!(verify(&token, &opts()), "ERR_JWS_INVALID");
}

#[test]
fn rejects_duplicate_claims() {
    let payload = format!(r#"{{"exp":{},"exp":{}}}"#, NOW - 100, NOW + 100);
    let token = sign_raw(
        &keys().ed,
        r#"{"alg":"EdDSA","kid":"ed"}"#,
        payload.as_bytes(),
    );
    assert_eq!(verify(&token, &opts()), "ERR_JWT_INVALID");
}

#[test]
fn rejects_invalid_utf8() {
    let mut payload = format!(r#"{{"exp":{},"name":""#, NOW + 100).into_bytes();
    payload.extend_from_slice(b"\xc3\x28\"}");
    let token = sign_raw(&keys().ed, r#"{"alg":"EdDSA","kid":"ed"}"#, &payload);
    assert_eq!(verify(&token, &opts()), "ERR_JWT_INVALID");
    let header = b"{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"x\":\"\xff\"}";
    let input = format!(
        "{}.{}",
        b64(header),
        b64(good_claims().to_string().as_bytes())
    );
    let sig = keys().ed.sign(input.as_bytes()).unwrap();
    assert_eq!(
        verify(&format!("{input}.{}", b64(&sig)), &opts()),
        "ERR_JWS_INVALID"
    );
}

#[test]
fn rejects_deeply_nested_json_without_overflowing_the_stack() {
    let depth = 5000;
    let payload = format!(
        r#"{{"exp":{},"x":{}{}}}"#,
        NOW + 100,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let token = sign_raw(
        &keys().ed,
        r#"{"alg":"EdDSA","kid":"ed"}"#,
        payload.as_bytes(),
    );
    let relaxed = VerifyOptions {
        max_token_size: 64 * 1024,
        ..opts()
    };
    assert_eq!(verify(&token, &relaxed), "ERR_JWT_INVALID");
}
