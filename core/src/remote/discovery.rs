//! Key sets from an issuer: OpenID Connect Discovery 1.0 (`{issuer}/.well-known/openid-configuration`)
//! and, when that answers 404, RFC 8414 (`{origin}/.well-known/oauth-authorization-server{path}`).
//!
//! The metadata is fetched under the JWKS fetch's transport rules (https except loopback, the
//! timeout, the size cap, same-origin redirects, credentials never shown); its `issuer` must equal
//! the one given exactly (OIDC Discovery §4.3, RFC 8414 §3.3), and its `jwks_uri` becomes the key
//! set. A wrong document is `ERR_JWKS_INVALID`; an unreachable one `ERR_JWKS_UNAVAILABLE` or
//! `ERR_JWKS_TIMEOUT`, as for the key set itself.

use std::sync::Arc;

use serde_json::Value;

use super::{check_fetch_url, http_client, transport_error, RemoteJwks, RemoteJwksOptions};
use crate::config::redact_url;
use crate::error::{Error, Result};
use crate::events::EventSink;

/// What one metadata request came to.
enum Metadata {
    Found(Value),
    NotFound,
}

impl RemoteJwks {
    /// The key set named by `issuer`'s discovery document (see the module text).
    pub async fn discover(
        issuer: &str,
        options: RemoteJwksOptions,
        events: Option<Arc<dyn EventSink>>,
    ) -> Result<RemoteJwks> {
        let jwks_uri = discover_jwks_uri(issuer, &options).await?;
        RemoteJwks::new_with_events(&jwks_uri, options, events)
    }
}

/// The `jwks_uri` of `issuer`'s discovery document, checked as [`RemoteJwks::new`] checks a URL
/// (hosts that build their key set per process keep this instead of the key set).
pub async fn discover_jwks_uri(issuer: &str, options: &RemoteJwksOptions) -> Result<String> {
    {
        let issuer_url = check_fetch_url(issuer, "issuer URL", options.allow_http)?;
        if issuer_url.query().is_some() || issuer_url.fragment().is_some() {
            return Err(Error::InvalidConfig(
                "the issuer URL must not have a query or fragment".into(),
            ));
        }
        if options.timeout_duration.is_zero() || options.max_response_size == 0 {
            return Err(Error::InvalidConfig(
                "timeoutDuration and the response size cap must be more than zero".into(),
            ));
        }
        let shown_issuer = redact_url(issuer);
        let client = http_client(&issuer_url, options)?;

        let mut document = None;
        for url in metadata_urls(&issuer_url) {
            let limit = options.timeout_duration;
            let shown = redact_url(url.as_str());
            let answer = tokio::time::timeout(limit, fetch_metadata(&client, url, &shown, options))
                .await
                .map_err(|_| {
                    Error::JwksTimeout(format!(
                        "no complete answer from {shown} within {} ms",
                        limit.as_millis()
                    ))
                })??;
            if let Metadata::Found(value) = answer {
                document = Some((value, shown));
                break;
            }
        }
        let Some((document, shown_url)) = document else {
            return Err(Error::JwksUnavailable {
                message: format!(
                    "no discovery document for {shown_issuer} (openid-configuration and \
                     oauth-authorization-server both answered 404)"
                ),
                status: Some(404),
            });
        };
        let declared = document
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::JwksInvalid(format!(
                    "the discovery document at {shown_url} has no \"issuer\""
                ))
            })?;
        if declared != issuer {
            return Err(Error::JwksInvalid(format!(
                "the discovery document at {shown_url} names issuer {:?}, not {shown_issuer:?}",
                redact_url(declared)
            )));
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::JwksInvalid(format!(
                    "the discovery document at {shown_url} has no \"jwks_uri\""
                ))
            })?;
        match check_fetch_url(jwks_uri, "JWKS URL", options.allow_http) {
            Ok(_) => Ok(jwks_uri.to_owned()),
            // The URL came from the document, so a bad one is the document's fault.
            Err(Error::InvalidConfig(why)) => Err(Error::JwksInvalid(format!(
                "the jwks_uri of the discovery document at {shown_url} is refused: {why}"
            ))),
            Err(other) => Err(other),
        }
    }
}

/// The OIDC location first, then RFC 8414's (the issuer's path after the well-known segment).
fn metadata_urls(issuer: &reqwest::Url) -> [reqwest::Url; 2] {
    let path = issuer.path().trim_end_matches('/');
    let mut oidc = issuer.clone();
    oidc.set_path(&format!("{path}/.well-known/openid-configuration"));
    let mut oauth = issuer.clone();
    oauth.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    [oidc, oauth]
}

async fn fetch_metadata(
    client: &reqwest::Client,
    url: reqwest::Url,
    shown: &str,
    options: &RemoteJwksOptions,
) -> Result<Metadata> {
    let max = options.max_response_size;
    let mut response = client
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| transport_error(shown, &e))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(Metadata::NotFound);
    }
    if status != reqwest::StatusCode::OK {
        return Err(Error::JwksUnavailable {
            message: format!("expected 200 OK from {shown}, got {status}"),
            status: Some(status.as_u16()),
        });
    }
    let too_big = || {
        Error::JwksInvalid(format!(
            "the document from {shown} is larger than the {max}-byte cap"
        ))
    };
    if response
        .content_length()
        .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
    {
        return Err(too_big());
    }
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(shown, &e))?
    {
        if body.len().saturating_add(chunk.len()) > max {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(value @ Value::Object(_)) => Ok(Metadata::Found(value)),
        _ => Err(Error::JwksInvalid(format!(
            "the discovery document from {shown} is not a JSON object"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(issuer: &str) -> Vec<String> {
        let parsed = reqwest::Url::parse(issuer).unwrap_or_else(|_| unreachable!());
        metadata_urls(&parsed)
            .iter()
            .map(|u| u.to_string())
            .collect()
    }

    #[test]
    fn metadata_locations_follow_oidc_then_rfc_8414() {
        assert_eq!(
            urls("https://idp.example"),
            [
                "https://idp.example/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server"
            ]
        );
        assert_eq!(
            urls("https://idp.example/realms/main/"),
            [
                "https://idp.example/realms/main/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server/realms/main"
            ]
        );
    }
}
