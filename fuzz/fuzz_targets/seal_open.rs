//! Opening a stored `private_key` column in every format (authjwt-v1 and -v2, better-auth hex and `$ba$`
//! envelope, plain JWK): hostile columns give typed errors, never a panic or an unbounded KDF.
#![no_main]

use std::sync::OnceLock;

use authjwt_core::jwk::PublicJwk;
use authjwt_core::seal::{PrivateKeyFormat, Sealer, Secret};
use libfuzzer_sys::fuzz_target;

fn secret(version: Option<&str>, value: &str) -> Secret {
    Secret { version: version.map(str::to_owned), value: value.to_owned().into() }
}

struct Fixture {
    sealers: Vec<Sealer>,
    public: PublicJwk,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // A typed secret and one of full entropy (HKDF rows), each version-labelled.
        let secrets: Vec<Secret> = vec![
            secret(Some("2"), "fuzz-secret-two"),
            secret(Some("3"), "5d0e8b3f1a7c4e92b6d1f08a3c5e7b9d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e"),
            secret(Some("1"), "fuzz-secret-one"),
        ];
        let sealers = [
            Sealer::new(secrets.clone(), PrivateKeyFormat::AuthJwtV2, true),
            Sealer::new(secrets.clone(), PrivateKeyFormat::AuthJwtV1, true),
            Sealer::new(secrets, PrivateKeyFormat::BetterAuth, true),
            Sealer::new(Vec::new(), PrivateKeyFormat::AuthJwtV1, false),
        ]
        .into_iter()
        .map(|s| s.unwrap_or_else(|e| panic!("fixture sealer: {e}")))
        .collect();
        let public = PublicJwk::from_json(
            r#"{"crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kty":"OKP"}"#,
        )
        .unwrap_or_else(|e| panic!("fixture key: {e}"));
        Fixture { sealers, public }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(column) = std::str::from_utf8(data) else { return };
    let f = fixture();
    for sealer in &f.sealers {
        if let Ok(key) = sealer.open("fuzz-kid", column, &f.public) {
            assert_eq!(key.public(), &f.public, "an opened key must match the row's public key");
        }
    }
});
