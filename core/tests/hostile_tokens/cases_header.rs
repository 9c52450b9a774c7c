//! Table cases about the header: controls, algorithms and key confusion, embedded keys, kids.

use super::*;

impl Gen {
    pub(super) fn controls(&mut self) {
        let o = options(json!({}));
        let t = self.ed_token(claims());
        self.add("ok_eddsa_control", t, o.clone(), "ok");
        let t = self.es_token();
        self.add("ok_es256_control", t, o.clone(), "ok");
        let t = signed(&self.p521, json!({"alg":"ES512","kid":"p521"}), claims());
        self.add("ok_es512_control", t, o.clone(), "ok");
        let t = signed(&self.rsa, json!({"alg":"RS256","kid":"rsa"}), claims());
        self.add("ok_rs256_control", t, o.clone(), "ok");
        let t = signed(&self.ed, json!({"alg":"Ed25519","kid":"ed"}), claims());
        self.add("ok_fully_specified_ed25519_alg", t, o.clone(), "ok");
        let t = signed(&self.ed, json!({"alg":"EdDSA"}), claims());
        self.add(
            "ok_kidless_token_with_a_single_fitting_key",
            t,
            o.clone(),
            "ok",
        );
        let header = b"{ \"alg\" : \"EdDSA\" ,\r\n\t\"kid\" :\"ed\"  }";
        let t = signed_bytes(&self.ed, header, claims().to_string().as_bytes());
        self.add("ok_whitespace_in_header_json", t, o.clone(), "ok");
        let (input, sig) = split_sig(&self.es_token());
        let high = [&sig[..32], &sub_be(&P256_N, &sig[32..])[..]].concat();
        self.add(
            "ok_high_s_ecdsa_signature",
            resign(&input, &high),
            o.clone(),
            "ok",
        );
        let t = self.ed_token(with_claim("aud", json!(["web", "api"])));
        self.add(
            "ok_aud_array_containing_the_audience",
            t,
            options(json!({"audience": "api", "issuer": "https://auth.example.com"})),
            "ok",
        );
        let t = self.ed_token(with_claim("exp", json!(NOW - 5)));
        self.add(
            "ok_expired_within_clock_tolerance",
            t,
            options(json!({"clockTolerance": 10})),
            "ok",
        );
        let t = self.ed_token(with_claim("exp", json!(NOW as f64 + 0.5)));
        self.add("ok_non_integer_exp", t, o.clone(), "ok");
        let t = self.ed_token(with_claim("exp", json!(1e300)));
        self.add("ok_huge_float_exp", t, o.clone(), "ok");
        let t = self.ed_token(with_claim("exp", json!(u64::MAX)));
        self.add("ok_exp_beyond_i64", t, o.clone(), "ok");
        let t = signed(
            &self.ed,
            json!({"alg":"EdDSA","kid":"ed","jku":"http://127.0.0.1:9/jwks.json","x5u":"http://127.0.0.1:9/x"}),
            claims(),
        );
        self.add(
            "ok_jku_and_x5u_are_ignored_never_fetched",
            t,
            o.clone(),
            "ok",
        );
        let t = signed(
            &self.ed,
            json!({"alg":"EdDSA","kid":"ed","typ":"JWT"}),
            claims(),
        );
        self.add(
            "ok_typ_compared_as_media_type",
            t,
            options(json!({"typ": "application/jwt"})),
            "ok",
        );
    }

    pub(super) fn algorithms(&mut self) {
        let o = options(json!({}));
        let payload = b64(claims().to_string().as_bytes());
        for (name, alg) in [
            ("alg_none_lowercase", "none"),
            ("alg_none_capitalized", "None"),
            ("alg_none_uppercase", "NONE"),
            ("alg_none_mixed_case", "nOnE"),
        ] {
            let header = b64(json!({"alg": alg, "kid": "ed"}).to_string().as_bytes());
            self.add(
                name,
                format!("{header}.{payload}."),
                o.clone(),
                "ERR_JOSE_ALG_NOT_ALLOWED",
            );
        }
        let header = b64(br#"{"alg":"none"}"#);
        self.add(
            "alg_none_without_kid_with_signature",
            format!("{header}.{payload}.{}", b64(&[1; 64])),
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        use jsonwebtoken::Algorithm as H;
        let PublicJwk::Ed25519 { x } = self.ed.public_jwk().clone() else {
            panic!("not Ed25519")
        };
        let t = hmac(H::HS256, &x, json!({"alg":"HS256","kid":"ed"}), claims());
        self.add(
            "hs256_keyed_with_ed25519_public_key_bytes",
            t,
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        let pem = rsa_public_pem(&self.rsa);
        let t = hmac(
            H::HS256,
            pem.as_bytes(),
            json!({"alg":"HS256","kid":"rsa"}),
            claims(),
        );
        self.add(
            "hs256_keyed_with_rsa_public_key_pem",
            t,
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        let jwk_json = self.ec.public_jwk().to_json();
        let t = hmac(
            H::HS256,
            jwk_json.as_bytes(),
            json!({"alg":"HS256","kid":"ec"}),
            claims(),
        );
        self.add(
            "hs256_keyed_with_ec_public_jwk_json",
            t,
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        let t = hmac(H::HS384, pem.as_bytes(), json!({"alg":"HS384"}), claims());
        self.add(
            "hs384_keyed_with_rsa_pem_without_kid",
            t,
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        let t = hmac(H::HS512, &x, json!({"alg":"HS512","kid":"ed"}), claims());
        self.add(
            "hs512_keyed_with_public_key_bytes",
            t,
            o.clone(),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );

        let t = signed(&self.ec, json!({"alg":"ES256","kid":"ed"}), claims());
        self.add(
            "es256_header_pointing_at_ed25519_key",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let t = signed(&self.rsa, json!({"alg":"RS256","kid":"ec"}), claims());
        self.add(
            "rs256_header_pointing_at_ec_key",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let t = signed(&self.ed, json!({"alg":"EdDSA","kid":"rsa"}), claims());
        self.add(
            "eddsa_header_pointing_at_rsa_key",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let ps =
            SigningKey::from_private_jwk(&self.rsa.to_private_jwk().unwrap(), Algorithm::PS256)
                .unwrap();
        let t = signed(&ps, json!({"alg":"PS256","kid":"rsa"}), claims());
        self.add(
            "ps256_with_key_pinned_to_rs256",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let t = signed(&self.p521, json!({"alg":"ES512","kid":"ec"}), claims());
        self.add(
            "es512_header_pointing_at_p256_key",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let t = signed(&self.attacker_ec, json!({"alg":"ES384"}), claims());
        self.add(
            "es384_without_any_p384_key",
            t,
            o.clone(),
            "ERR_JWKS_NO_MATCHING_KEY",
        );
        let t = self.ed_token(claims());
        self.add(
            "algorithm_outside_explicit_allowlist",
            t,
            options(json!({"algorithms": ["ES256", "RS256"]})),
            "ERR_JOSE_ALG_NOT_ALLOWED",
        );
        let t = signed(&self.ec, json!({"alg":"ES256K","kid":"ec"}), claims());
        self.add("unknown_alg_es256k", t, o.clone(), "ERR_JOSE_NOT_SUPPORTED");
        let t = signed(&self.ed, json!({"alg":"eddsa","kid":"ed"}), claims());
        self.add(
            "alg_name_in_wrong_case",
            t,
            o.clone(),
            "ERR_JOSE_NOT_SUPPORTED",
        );
        let t = signed(&self.ed, json!({"kid":"ed"}), claims());
        self.add("alg_missing", t, o.clone(), "ERR_JWS_INVALID");
        let t = signed(&self.ed, json!({"alg":["EdDSA"],"kid":"ed"}), claims());
        self.add("alg_not_a_string", t, o, "ERR_JWS_INVALID");
    }

    pub(super) fn embedded_keys_and_kids(&mut self) {
        let o = options(json!({}));
        let attacker_jwk = public(&self.attacker_ed, "ed", None);
        let t = signed(
            &self.attacker_ed,
            json!({"alg":"EdDSA","kid":"ed","jwk":attacker_jwk}),
            claims(),
        );
        self.add(
            "embedded_jwk_attacker_key_with_our_kid",
            t,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let t = signed(
            &self.attacker_ed,
            json!({"alg":"EdDSA","jwk":attacker_jwk}),
            claims(),
        );
        self.add(
            "embedded_jwk_without_kid",
            t,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let t = signed(
            &self.attacker_ed,
            json!({"alg":"EdDSA","kid":"ed","jku":"https://attacker.example/jwks.json"}),
            claims(),
        );
        self.add(
            "jku_pointing_at_attacker_jwks",
            t,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let t = signed(
            &self.attacker_ec,
            json!({"alg":"ES256","kid":"ec","x5u":"https://attacker.example/cert.pem"}),
            claims(),
        );
        self.add(
            "x5u_pointing_at_attacker_certificate",
            t,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );
        let t = signed(
            &self.attacker_ec,
            json!({"alg":"ES256","kid":"ec","x5c":["MIIBszCCAVmgAwIBAgIUAttacker"]}),
            claims(),
        );
        self.add(
            "x5c_attacker_certificate_chain",
            t,
            o.clone(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        );

        for (name, kid) in [
            ("kid_path_traversal", json!("../../../../../../dev/null")),
            ("kid_sql_injection", json!("' UNION SELECT 'secret' --")),
            ("kid_with_nul_byte", json!("ed\u{0}")),
            ("kid_empty_string", json!("")),
            ("kid_different_case", json!("ED")),
            ("kid_url", json!("https://attacker.example/key")),
        ] {
            let t = signed(&self.ed, json!({"alg":"EdDSA","kid":kid}), claims());
            self.add(name, t, o.clone(), "ERR_JWKS_NO_MATCHING_KEY");
        }
        for (name, kid) in [
            ("kid_huge", json!("k".repeat(9000))),
            ("kid_number", json!(0)),
            ("kid_null", json!(null)),
            ("kid_array", json!(["ed"])),
            ("kid_object", json!({"kid":"ed"})),
            ("kid_bool", json!(true)),
        ] {
            let t = signed(&self.ed, json!({"alg":"EdDSA","kid":kid}), claims());
            self.add(name, t, o.clone(), "ERR_JWS_INVALID");
        }
    }
}
