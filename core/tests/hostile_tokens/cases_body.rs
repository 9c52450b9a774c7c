//! Table cases about signatures, encoding, JSON and claims.

use super::*;

impl Gen {
    pub(super) fn signatures(&mut self) {
        let o = options(json!({}));
        let (input, sig) = split_sig(&self.es_token());
        let zero = [0u8; 32];
        for (name, r, s) in [
            ("ecdsa_r_zero", &zero[..], &sig[32..]),
            ("ecdsa_s_zero", &sig[..32], &zero[..]),
            ("ecdsa_r_and_s_zero_psychic_signature", &zero[..], &zero[..]),
            ("ecdsa_r_equals_n", &P256_N[..], &sig[32..]),
            ("ecdsa_s_equals_n", &sig[..32], &P256_N[..]),
            ("ecdsa_r_and_s_equal_n", &P256_N[..], &P256_N[..]),
        ] {
            let bad = [r, s].concat();
            self.add(
                name,
                resign(&input, &bad),
                o.clone(),
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            );
        }
        let seq = der(0x30, &[der_uint(&sig[..32]), der_uint(&sig[32..])].concat());
        self.add(
            "ecdsa_der_encoded_signature",
            resign(&input, &seq),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        self.add(
            "ecdsa_truncated_signature",
            resign(&input, &sig[..63]),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let long = [&sig[..], &[0]].concat();
        self.add(
            "ecdsa_signature_with_trailing_zero",
            resign(&input, &long),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let padded = [&[0][..], &sig[..32], &[0], &sig[32..]].concat();
        self.add(
            "ecdsa_r_and_s_zero_padded_to_33_bytes",
            resign(&input, &padded),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        self.add(
            "ecdsa_empty_signature",
            format!("{input}."),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );

        let (input, sig) = split_sig(&self.ed_token(claims()));
        let mut s_plus_l = sig.clone();
        let mut carry = 0u16;
        for (s, &l) in s_plus_l[32..].iter_mut().zip(&ED25519_L) {
            let sum = u16::from(*s) + u16::from(l) + carry;
            *s = sum as u8;
            carry = sum >> 8;
        }
        self.add(
            "ed25519_s_plus_l_non_canonical",
            resign(&input, &s_plus_l),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        self.add(
            "ed25519_all_zero_signature",
            resign(&input, &[0; 64]),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        self.add(
            "ed25519_truncated_signature",
            resign(&input, &sig[..63]),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let mut flipped = sig.clone();
        flipped[5] ^= 0x40;
        self.add(
            "ed25519_bit_flipped_signature",
            resign(&input, &flipped),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let other = signed(
            &self.attacker_ed,
            json!({"alg":"EdDSA","kid":"ed"}),
            claims(),
        );
        self.add(
            "signature_by_another_key",
            other,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let token = self.ed_token(claims());
        let parts: Vec<&str> = token.split('.').collect();
        let forged = b64(with_claim("sub", json!("admin")).to_string().as_bytes());
        self.add(
            "payload_swapped_after_signing",
            format!("{}.{forged}.{}", parts[0], parts[2]),
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );

        // A small-order Ed25519 public key (the identity point) with the signature (R = identity,
        // S = 0), which a cofactorless non-strict verifier accepts for every message. The key set
        // itself is refused.
        let identity = {
            let mut p = [0u8; 32];
            p[0] = 1;
            p
        };
        let small =
            json!({"keys":[{"kty":"OKP","crv":"Ed25519","x":b64(&identity),"kid":"small"}]});
        let header = json!({"alg":"EdDSA","kid":"small"}).to_string();
        let sig = [&identity[..], &[0u8; 32]].concat();
        let t = raw(header.as_bytes(), claims().to_string().as_bytes(), &sig);
        // The weak key is skipped from the set (reported as jwks.key_skipped), so no key has the kid.
        self.add(
            "ed25519_small_order_public_key",
            t,
            o,
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        self.cases.last_mut().unwrap()["keys"] = small;
    }

    pub(super) fn encoding(&mut self) {
        let o = options(json!({}));
        let token = self.ed_token(claims());
        let parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let (h, p, s) = (&parts[0], &parts[1], &parts[2]);
        for (name, t) in [
            ("empty_string", String::new()),
            ("only_dots", "..".to_owned()),
            ("one_segment", h.clone()),
            ("two_segments", format!("{h}.{p}")),
            ("four_segments", format!("{h}.{p}.{s}.{s}")),
            ("five_segments_jwe_shape", format!("{h}.{p}.{s}.{p}.{s}")),
            ("trailing_dot", format!("{token}.")),
            ("leading_dot", format!(".{token}")),
            ("padding_in_signature", format!("{token}==")),
            ("padding_in_header", format!("{h}=.{p}.{s}")),
            (
                "standard_alphabet_in_header",
                format!("{}.{p}.{s}", h.replacen('J', "+", 1)),
            ),
            (
                "space_inside_token",
                format!("{h}.{} {}.{s}", &p[..10], &p[10..]),
            ),
            ("newline_after_token", format!("{token}\n")),
            (
                "asterisk_in_signature",
                format!("{h}.{p}.{}*", &s[..s.len() - 1]),
            ),
            ("percent_encoded_dot", format!("{h}%2E{p}.{s}")),
        ] {
            self.add(name, t, o.clone(), "ERR_JWS_INVALID");
        }
        // 64 signature bytes leave 4 unused bits in the last base64 character; set them.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let last = s.as_bytes()[s.len() - 1];
        let pos = alphabet.iter().position(|&c| c == last).unwrap();
        let tweaked = alphabet[pos | 0b11] as char;
        self.add(
            "non_canonical_trailing_bits_in_signature",
            format!("{h}.{p}.{}{tweaked}", &s[..s.len() - 1]),
            o.clone(),
            "ERR_JWS_INVALID",
        );
        // A payload whose standard base64 has '+' or '/'.
        let payload = with_claim("name", json!("ÿþ?>")).to_string();
        let std = STANDARD.encode(&payload).trim_end_matches('=').to_owned();
        assert!(std.contains(['+', '/']));
        self.add(
            "standard_alphabet_in_payload",
            format!("{h}.{std}.{s}"),
            o,
            "ERR_JWS_INVALID",
        );
    }

    pub(super) fn json(&mut self) {
        let o = options(json!({}));
        let c = claims().to_string();
        let header_cases: [(&str, &[u8]); 8] = [
            (
                "duplicate_alg_in_header",
                br#"{"alg":"none","alg":"EdDSA","kid":"ed"}"#,
            ),
            (
                "duplicate_kid_in_header",
                br#"{"alg":"EdDSA","kid":"x","kid":"ed"}"#,
            ),
            ("header_is_an_array", br#"["EdDSA","ed"]"#),
            ("header_is_a_string", br#""EdDSA""#),
            ("header_is_null", b"null"),
            ("header_is_truncated_json", br#"{"alg":"EdDSA","kid":"ed""#),
            (
                "invalid_utf8_in_header",
                b"{\"alg\":\"EdDSA\",\"kid\":\"ed\",\"x\":\"\xc3\x28\"}",
            ),
            (
                "header_with_trailing_data",
                br#"{"alg":"EdDSA","kid":"ed"}{}"#,
            ),
        ];
        for (name, header) in header_cases {
            let t = signed_bytes(&self.ed, header, c.as_bytes());
            self.add(name, t, o.clone(), "ERR_JWS_INVALID");
        }
        let deep_header = format!(
            r#"{{"alg":"EdDSA","kid":"ed","x":{}{}}}"#,
            "[".repeat(1000),
            "]".repeat(1000)
        );
        let t = signed_bytes(&self.ed, deep_header.as_bytes(), c.as_bytes());
        self.add("deeply_nested_header", t, o.clone(), "ERR_JWS_INVALID");

        let exp = NOW + 600;
        let deep_payload = format!(
            r#"{{"exp":{exp},"x":{}{}}}"#,
            "[".repeat(1000),
            "]".repeat(1000)
        );
        let payload_cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "duplicate_exp_in_payload",
                format!(r#"{{"exp":{},"exp":{exp}}}"#, NOW - 600).into_bytes(),
            ),
            (
                "duplicate_member_nested_in_payload",
                format!(r#"{{"exp":{exp},"o":{{"a":1,"a":2}}}}"#).into_bytes(),
            ),
            (
                "payload_is_an_array",
                format!("[{{\"exp\":{exp}}}]").into_bytes(),
            ),
            ("payload_is_a_string", b"\"hello\"".to_vec()),
            ("payload_is_a_number", exp.to_string().into_bytes()),
            ("payload_is_empty", Vec::new()),
            (
                "invalid_utf8_in_payload",
                [format!(r#"{{"exp":{exp},"n":""#).as_bytes(), b"\xc3\x28\"}"].concat(),
            ),
            (
                "lone_surrogate_escape_in_payload",
                format!(r#"{{"exp":{exp},"n":"\ud800"}}"#).into_bytes(),
            ),
            ("deeply_nested_payload", deep_payload.into_bytes()),
            (
                "payload_with_trailing_data",
                format!(r#"{{"exp":{exp}}},{{}}"#).into_bytes(),
            ),
            (
                "number_out_of_range_in_payload",
                format!(r#"{{"exp":{exp},"n":1e400}}"#).into_bytes(),
            ),
        ];
        for (name, payload) in payload_cases {
            let t = signed_bytes(&self.ed, br#"{"alg":"EdDSA","kid":"ed"}"#, &payload);
            self.add(name, t, o.clone(), "ERR_JWT_INVALID");
        }

        let mut big = claims();
        big["pad"] = "x".repeat(17_000).into();
        let t = self.ed_token(big);
        self.add("oversize_token", t, o.clone(), "ERR_JWS_INVALID");

        for (name, header) in [
            (
                "crit_with_exp",
                json!({"alg":"EdDSA","kid":"ed","crit":["exp"],"exp":1}),
            ),
            (
                "crit_empty_array",
                json!({"alg":"EdDSA","kid":"ed","crit":[]}),
            ),
            (
                "b64_false_with_crit",
                json!({"alg":"EdDSA","kid":"ed","b64":false,"crit":["b64"]}),
            ),
            (
                "b64_true_without_crit",
                json!({"alg":"EdDSA","kid":"ed","b64":true}),
            ),
        ] {
            let t = signed(&self.ed, header, claims());
            self.add(name, t, o.clone(), "ERR_JOSE_NOT_SUPPORTED");
        }
    }

    pub(super) fn claims_edges(&mut self) {
        let o = options(json!({}));
        let typ_jwt = signed(
            &self.ed,
            json!({"alg":"EdDSA","kid":"ed","typ":"JWT"}),
            claims(),
        );
        self.add_claim(
            "typ_mismatch",
            typ_jwt,
            options(json!({"typ":"at+jwt"})),
            "typ",
            "check_failed",
        );
        let t = self.ed_token(claims());
        self.add_claim(
            "typ_missing_when_expected",
            t,
            options(json!({"typ":"JWT"})),
            "typ",
            "check_failed",
        );

        let t = self.ed_token(with_claim("exp", json!(NOW)));
        self.add("exp_equal_to_now", t, o.clone(), "ERR_JWT_EXPIRED");
        let t = self.ed_token(with_claim("exp", json!(NOW - 1)));
        self.add("exp_one_second_ago", t, o.clone(), "ERR_JWT_EXPIRED");
        let t = self.ed_token(with_claim("exp", json!(NOW - 11)));
        self.add(
            "exp_beyond_clock_tolerance",
            t,
            options(json!({"clockTolerance": 10})),
            "ERR_JWT_EXPIRED",
        );
        let t = self.ed_token(with_claim("exp", json!(-1e300)));
        self.add("exp_huge_negative", t, o.clone(), "ERR_JWT_EXPIRED");
        let t = self.ed_token(with_claim("exp", json!(NOW as f64 - 0.5)));
        self.add("exp_fraction_in_the_past", t, o.clone(), "ERR_JWT_EXPIRED");
        for (name, value) in [
            ("exp_as_string", json!((NOW + 600).to_string())),
            ("exp_as_bool", json!(true)),
            ("exp_as_null", json!(null)),
            ("exp_as_array", json!([NOW + 600])),
        ] {
            let t = self.ed_token(with_claim("exp", value));
            self.add_claim(name, t, o.clone(), "exp", "invalid");
        }
        let t = self.ed_token(without_claim("exp"));
        self.add_claim("exp_missing", t, o.clone(), "exp", "missing");
        let t = self.ed_token(with_claim("nbf", json!(NOW + 1)));
        self.add_claim("nbf_in_the_future", t, o.clone(), "nbf", "check_failed");
        let t = self.ed_token(with_claim("nbf", json!("0")));
        self.add_claim("nbf_as_string", t, o.clone(), "nbf", "invalid");
        let t = self.ed_token(with_claim("iat", json!(NOW + 60)));
        self.add_claim("iat_in_the_future", t, o.clone(), "iat", "check_failed");
        let t = self.ed_token(with_claim("iat", json!(1e300)));
        self.add_claim("iat_huge", t, o.clone(), "iat", "check_failed");
        let t = self.ed_token(with_claim("iat", json!(false)));
        self.add_claim("iat_as_bool", t, o.clone(), "iat", "invalid");
        let t = self.ed_token(with_claim("iat", json!(NOW - 3600)));
        self.add(
            "older_than_max_token_age",
            t,
            options(json!({"maxTokenAge": 60})),
            "ERR_JWT_EXPIRED",
        );
        let t = self.ed_token(without_claim("iat"));
        self.add_claim(
            "max_token_age_without_iat",
            t,
            options(json!({"maxTokenAge": 60})),
            "iat",
            "missing",
        );

        let aud = options(json!({"audience": "api"}));
        for (name, value, reason) in [
            ("aud_empty_array", json!([]), "check_failed"),
            ("aud_superstring", json!("api-internal"), "check_failed"),
            ("aud_prefix", json!("ap"), "check_failed"),
            ("aud_other_case", json!("API"), "check_failed"),
            (
                "aud_array_without_the_audience",
                json!(["web", "apis"]),
                "check_failed",
            ),
            ("aud_number", json!(1), "invalid"),
            ("aud_array_with_a_number", json!(["api", 1]), "invalid"),
            ("aud_object", json!({"aud": "api"}), "invalid"),
        ] {
            let t = self.ed_token(with_claim("aud", value));
            self.add_claim(name, t, aud.clone(), "aud", reason);
        }
        let t = self.ed_token(without_claim("aud"));
        self.add_claim("aud_missing_when_expected", t, aud, "aud", "missing");

        let iss = options(json!({"issuer": "https://auth.example.com"}));
        for (name, value, reason) in [
            (
                "iss_prefix_of_attacker_domain",
                json!("https://auth.example.com.attacker.example"),
                "check_failed",
            ),
            (
                "iss_with_trailing_slash",
                json!("https://auth.example.com/"),
                "check_failed",
            ),
            (
                "iss_other_case",
                json!("https://AUTH.example.com"),
                "check_failed",
            ),
            (
                "iss_as_array",
                json!(["https://auth.example.com"]),
                "invalid",
            ),
        ] {
            let t = self.ed_token(with_claim("iss", value));
            self.add_claim(name, t, iss.clone(), "iss", reason);
        }
        let t = self.ed_token(with_claim("sub", json!("admin")));
        self.add_claim(
            "sub_mismatch",
            t,
            options(json!({"subject": "user-1"})),
            "sub",
            "check_failed",
        );
        let t = self.ed_token(with_claim("sub", json!(1)));
        self.add_claim("sub_as_number", t, o.clone(), "sub", "invalid");
        let t = self.ed_token(claims());
        self.add_claim(
            "required_claim_missing",
            t,
            options(json!({"requiredClaims": ["email"]})),
            "email",
            "missing",
        );
    }

    /// Options that would switch a check off are configuration errors (never "not checked"), and
    /// an expired token is expired whatever else is wrong with its claims.
    pub(super) fn option_rules(&mut self) {
        for (name, extra) in [
            ("option_issuer_empty_list", json!({"issuer": []})),
            ("option_audience_empty_list", json!({"audience": []})),
            (
                "option_audience_empty_string_entry",
                json!({"audience": [""]}),
            ),
            ("option_algorithms_empty_list", json!({"algorithms": []})),
            (
                "option_required_claims_empty_list",
                json!({"requiredClaims": []}),
            ),
            ("option_typ_empty_string", json!({"typ": ""})),
            ("option_subject_empty_string", json!({"subject": ""})),
            (
                "option_clock_tolerance_negative",
                json!({"clockTolerance": -1}),
            ),
            (
                "option_clock_tolerance_most_negative",
                json!({"clockTolerance": i64::MIN}),
            ),
            ("option_max_token_age_negative", json!({"maxTokenAge": -1})),
        ] {
            let t = self.ed_token(claims());
            self.add(name, t, options(extra), "ERR_INVALID_CONFIG");
        }
        let expired = NOW - 60;
        for (name, claim, value, extra) in [
            (
                "expired_with_wrong_audience",
                "aud",
                json!("elsewhere"),
                json!({"audience": "api"}),
            ),
            (
                "expired_with_wrong_issuer",
                "iss",
                json!("https://evil.example"),
                json!({"issuer": "https://auth.example.com"}),
            ),
        ] {
            let mut c = with_claim(claim, value);
            c["exp"] = json!(expired);
            let t = self.ed_token(c);
            self.add(name, t, options(extra), "ERR_JWT_EXPIRED");
            let last = self.cases.last_mut().unwrap();
            last["claim"] = "exp".into();
            last["reason"] = "check_failed".into();
        }
    }
}
