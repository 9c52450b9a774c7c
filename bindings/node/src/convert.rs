//! JS option objects (as JSON) to core types, and rows to and from the JS wire shape. The value
//! rules (secrets, spans, expiration, audience, key-pair configs) are `authjwt_core::config`'s;
//! this file only picks the JS option names.

use std::time::Duration;

use authjwt_core::alg::Algorithm;
use authjwt_core::config::{
    audience_from_json, expiration_from_json, invalid as bad, key_pair_config_from_json,
    lifecycle_seconds_from_json, secrets_from_json, timespan_from_json,
};
use authjwt_core::issuer::{IssuerOptions, SignOverrides};
use authjwt_core::seal::PrivateKeyFormat;
use authjwt_core::store::JwkRow;
use authjwt_core::verify::{VerifiedJwt, VerifyOptions};
use authjwt_core::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A row as it crosses to JS: Better Auth's camelCase columns, dates as epoch milliseconds.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireRow {
    id: String,
    public_key: String,
    private_key: String,
    created_at: i64,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crv: Option<String>,
}

impl From<WireRow> for JwkRow {
    fn from(w: WireRow) -> Self {
        JwkRow {
            id: w.id,
            public_key: w.public_key,
            private_key: w.private_key,
            created_at: w.created_at,
            expires_at: w.expires_at,
            alg: w.alg,
            crv: w.crv,
        }
    }
}

impl From<JwkRow> for WireRow {
    fn from(r: JwkRow) -> Self {
        WireRow {
            id: r.id,
            public_key: r.public_key,
            private_key: r.private_key,
            created_at: r.created_at,
            expires_at: r.expires_at,
            alg: r.alg,
            crv: r.crv,
        }
    }
}

/// One row as wire JSON.
pub fn row_json(row: JwkRow) -> Result<String> {
    serde_json::to_string(&WireRow::from(row)).map_err(|e| Error::JwtInvalid(e.to_string()))
}

/// Rows as a wire JSON array.
pub fn rows_json(rows: Vec<JwkRow>) -> Result<String> {
    let wire: Vec<WireRow> = rows.into_iter().map(WireRow::from).collect();
    serde_json::to_string(&wire).map_err(|e| Error::JwtInvalid(e.to_string()))
}

/// A verified token as `{"payload":..., "protectedHeader":...}` JSON (parsed once in JS).
pub fn verified_json(v: &VerifiedJwt) -> Result<String> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        payload: &'a Map<String, Value>,
        protected_header: &'a Map<String, Value>,
    }
    serde_json::to_string(&Out {
        payload: &v.payload,
        protected_header: &v.protected_header,
    })
    .map_err(|e| Error::JwtInvalid(e.to_string()))
}

/// Parses an options document (`undefined` from JS arrives as `None`).
pub fn parse_object(json: Option<&str>, what: &str) -> Result<Map<String, Value>> {
    match json {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(Value::Null) => Ok(Map::new()),
            _ => Err(Error::InvalidConfig(format!("{what} must be an object"))),
        },
    }
}

fn opt_str(o: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(name, "a string")),
    }
}

fn opt_bool(o: &Map<String, Value>, name: &str) -> Result<Option<bool>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(name, "a boolean")),
    }
}

/// [`opt_seconds`] for `rotationInterval`, `rotationLead` and `gracePeriod` (no fractions).
fn opt_lifecycle_seconds(o: &Map<String, Value>, name: &str) -> Result<Option<i64>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => lifecycle_seconds_from_json(v, name).map(Some),
    }
}

fn opt_seconds(o: &Map<String, Value>, name: &str) -> Result<Option<i64>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => timespan_from_json(v, name).map(Some),
    }
}

/// [`opt_strings`] keeping "not given" apart from `[]`, which the core refuses for list options.
fn opt_list(o: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => opt_strings(o, name).map(Some),
    }
}

fn opt_strings(o: &Map<String, Value>, name: &str) -> Result<Vec<String>> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(name, "a string or an array of strings"))
            })
            .collect(),
        Some(_) => Err(bad(name, "a string or an array of strings")),
    }
}

/// The issuer options that are plain values (callbacks and handles are added by the caller).
pub fn issuer_options(json: &str) -> Result<IssuerOptions> {
    let o = parse_object(Some(json), "Issuer options")?;
    let mut out = IssuerOptions::default();
    if let Some(v) = o.get("keyPairConfig").filter(|v| !v.is_null()) {
        out.key_pair_config = key_pair_config_from_json(v)?;
    }
    if let Some(Value::Array(list)) = o.get("keyPairConfigs") {
        out.key_pair_configs = list
            .iter()
            .map(key_pair_config_from_json)
            .collect::<Result<_>>()?;
    }
    if let Some(b) = opt_bool(&o, "disablePrivateKeyEncryption")? {
        out.disable_private_key_encryption = b;
    }
    if let Some(b) = opt_bool(&o, "allowWeakSecret")? {
        out.allow_weak_secret = b;
    }
    if let Some(v) = o.get("secret") {
        out.secrets = secrets_from_json(v)?;
    }
    if let Some(f) = opt_str(&o, "privateKeyFormat")? {
        out.private_key_format = f.parse::<PrivateKeyFormat>()?;
    }
    out.rotation_interval = opt_lifecycle_seconds(&o, "rotationInterval")?;
    out.rotation_lead = opt_lifecycle_seconds(&o, "rotationLead")?;
    if let Some(s) = opt_lifecycle_seconds(&o, "gracePeriod")? {
        out.grace_period = s;
    }
    out.issuer = opt_str(&o, "issuer")?;
    if let Some(v) = o.get("audience") {
        out.audience = audience_from_json(v)?;
    }
    if let Some(v) = o.get("expirationTime").filter(|v| !v.is_null()) {
        out.expiration_time = expiration_from_json(v)?;
    }
    if let Some(s) = opt_seconds(&o, "keyCacheTtl")? {
        out.key_cache_ttl = s;
    }
    if let Some(v) = o.get("storeTimeout").filter(|v| !v.is_null()) {
        let secs = v
            .as_f64()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| bad("storeTimeout", "a positive number of seconds"))?;
        out.store_timeout = Duration::from_secs_f64(secs);
    }
    out.remote_url = opt_str(&o, "remoteUrl")?;
    Ok(out)
}

/// Per-call `sign` overrides (`undefined` = none).
pub fn sign_overrides(json: Option<&str>) -> Result<SignOverrides> {
    let o = parse_object(json, "sign options")?;
    let mut out = SignOverrides::default();
    if let Some(v) = o.get("expirationTime").filter(|v| !v.is_null()) {
        out.expiration_time = Some(expiration_from_json(v)?);
    }
    out.issuer = opt_str(&o, "issuer")?;
    if let Some(v) = o.get("audience") {
        out.audience = audience_from_json(v)?;
    }
    out.subject = opt_str(&o, "subject")?;
    out.typ = opt_str(&o, "typ")?;
    out.signing_key_id = opt_str(&o, "signingKeyId")?;
    if let Some(a) = opt_str(&o, "signingAlgorithm")? {
        out.signing_algorithm = Some(a.parse::<Algorithm>()?);
    }
    Ok(out)
}

/// jose-named verification options (`undefined` = defaults). `currentDate` is seconds (the JS
/// layer turns a `Date` into seconds).
pub fn verify_options(json: Option<&str>) -> Result<VerifyOptions> {
    let o = parse_object(json, "verify options")?;
    let mut out = VerifyOptions::default();
    if o.get("algorithms").is_some_and(|v| !v.is_null()) {
        let names = opt_strings(&o, "algorithms")?;
        out.algorithms = Some(
            names
                .iter()
                .map(|n| {
                    Algorithm::from_name(n).ok_or_else(|| {
                        Error::NotSupported(format!("algorithm {n:?} in `algorithms`"))
                    })
                })
                .collect::<Result<_>>()?,
        );
    }
    out.issuer = opt_list(&o, "issuer")?;
    out.audience = opt_list(&o, "audience")?;
    out.subject = opt_str(&o, "subject")?;
    out.typ = opt_str(&o, "typ")?;
    if let Some(s) = opt_seconds(&o, "clockTolerance")? {
        out.clock_tolerance = s;
    }
    out.max_token_age = opt_seconds(&o, "maxTokenAge")?;
    out.required_claims = opt_list(&o, "requiredClaims")?;
    if let Some(b) = opt_bool(&o, "requireExp")? {
        out.require_exp = b;
    }
    out.current_date = opt_seconds(&o, "currentDate")?;
    if let Some(v) = o.get("maxTokenSize").filter(|v| !v.is_null()) {
        out.max_token_size = v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| bad("maxTokenSize", "a number of bytes"))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wire_rows_use_better_auth_column_names() {
        let w: WireRow = serde_json::from_value(json!({
            "id": "k", "publicKey": "{}", "privateKey": "\"ab\"", "createdAt": 5
        }))
        .unwrap_or_else(|e| unreachable!("{e}"));
        let row = JwkRow::from(w);
        assert_eq!(row.created_at, 5);
        assert_eq!(row.expires_at, None);
    }
}
