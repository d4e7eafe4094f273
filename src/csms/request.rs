//! `CreateSecretRequest`: the Create Secret request body, parsed without echoing values in errors.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{ApiError, ErrorCode, SettingsChange};

/// The Create Secret request body (`POST /v1/{project_id}/secrets`). Unknown fields are ignored.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct CreateSecretRequest {
    pub name: String,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "super::value_field::deserialize")]
    pub secret_string: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "super::value_field::deserialize")]
    pub secret_binary: Option<Zeroizing<String>>,
    /// Only `COMMON` is stored; absent means `COMMON`. Anything else is refused (`CSMS.0002`).
    #[serde(default)]
    pub secret_type: Option<String>,
    #[serde(default)]
    pub auto_rotation: Option<bool>,
    #[serde(default)]
    pub rotation_period: Option<String>,
    #[serde(default)]
    pub rotation_config: Option<String>,
    #[serde(default)]
    pub rotation_func_urn: Option<String>,
    #[serde(default)]
    pub enterprise_project_id: Option<String>,
    #[serde(default)]
    pub event_subscriptions: Option<Vec<String>>,
}

impl fmt::Debug for CreateSecretRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<Zeroizing<String>>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("CreateSecretRequest")
            .field("name", &self.name)
            .field("kms_key_id", &self.kms_key_id)
            .field("description", &self.description)
            .field("secret_string", &redact(&self.secret_string))
            .field("secret_binary", &redact(&self.secret_binary))
            .field("secret_type", &self.secret_type)
            .field("auto_rotation", &self.auto_rotation)
            .field("rotation_period", &self.rotation_period)
            .field("rotation_config", &self.rotation_config)
            .field("rotation_func_urn", &self.rotation_func_urn)
            .field("enterprise_project_id", &self.enterprise_project_id)
            .field("event_subscriptions", &self.event_subscriptions)
            .finish()
    }
}

impl CreateSecretRequest {
    /// The newer Secret fields this request sets (docs/DECISIONS.md "new Secret fields").
    pub fn settings(&self) -> SettingsChange {
        SettingsChange {
            auto_rotation: self.auto_rotation,
            rotation_period: self.rotation_period.clone(),
            rotation_config: self.rotation_config.clone(),
            rotation_func_urn: self.rotation_func_urn.clone(),
            enterprise_project_id: self.enterprise_project_id.clone(),
            event_subscriptions: self.event_subscriptions.clone(),
        }
    }

    /// Parses a JSON body: an object (`CSMS.0004` for anything else, an array included), after
    /// an optional UTF-8 byte-order mark. The error says where the JSON broke, never what it held.
    pub fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        let body = json_object(body)?;
        serde_json::from_slice(body).map_err(|e| malformed_body(&e))
    }
}

/// `body` without a leading UTF-8 byte-order mark, if it is a JSON object (its first character
/// after white space is `{`); `CSMS.0004` otherwise. Serde would read an array field by position.
pub fn json_object(body: &[u8]) -> Result<&[u8], ApiError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(body),
        Some(_) => Err(ApiError::new(
            ErrorCode::MalformedBody,
            "The request body must be a JSON object.",
        )),
        None => Err(ApiError::new(
            ErrorCode::MalformedBody,
            "The request body is empty.",
        )),
    }
}

/// A `CSMS.0004` for a body serde could not read: position and category only, since serde's own
/// message may quote the offending value.
pub fn malformed_body(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => "is not valid JSON",
        Category::Data => "does not have the fields and types of the request",
    };
    ApiError::new(
        ErrorCode::MalformedBody,
        format!(
            "The request body {what} (line {}, column {}).",
            e.line(),
            e.column()
        ),
    )
}
