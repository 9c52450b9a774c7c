//! Signing with a host callback (a KMS), as Better Auth's `jwt.sign` with `jwks.remoteUrl`: the
//! issuer builds header and claims, the host signs `BASE64URL(header).BASE64URL(payload)`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::events::Event;

use super::{payload, ExternalSignerConfig, Inner, SignOverrides};

impl Inner {
    /// Better Auth's `jwt.sign`: the host signs `BASE64URL(header).BASE64URL(payload)`.
    pub(super) async fn sign_external(
        &self,
        ext: &ExternalSignerConfig,
        mut payload: Map<String, Value>,
        overrides: &SignOverrides,
    ) -> Result<String> {
        if let Some(alg) = overrides.signing_algorithm {
            if alg != ext.alg {
                return Err(Error::InvalidConfig(format!(
                    "signingAlgorithm {alg} differs from the external signer's {}",
                    ext.alg
                )));
            }
        }
        if let Some(kid) = &overrides.signing_key_id {
            if kid != &ext.kid {
                return Err(Error::InvalidConfig(format!(
                    "signingKeyId {kid} differs from the external signer's kid {}",
                    ext.kid
                )));
            }
        }
        payload::complete_claims(
            &mut payload,
            self.clock.now_s(),
            &self.claim_defaults(overrides),
        )?;
        let mut header = Map::new();
        header.insert("alg".to_owned(), Value::from(ext.alg.name()));
        header.insert("kid".to_owned(), Value::from(ext.kid.as_str()));
        if let Some(typ) = &overrides.typ {
            header.insert("typ".to_owned(), Value::from(typ.as_str()));
        }
        let encode = |m: &Map<String, Value>| {
            serde_json::to_vec(m)
                .map(|v| URL_SAFE_NO_PAD.encode(v))
                .map_err(|_| Error::JwtInvalid("the payload cannot be serialized".to_owned()))
        };
        let signing_input = format!("{}.{}", encode(&header)?, encode(&payload)?);
        let signature = self
            .io
            .bounded("sign", ext.signer.sign(signing_input.as_bytes().to_vec()))
            .await?;
        self.events.emit_token_event(|| Event::TokenIssued {
            kid: ext.kid.clone(),
            alg: ext.alg.name(),
        });
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}
