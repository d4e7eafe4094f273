//! Arguments of the lifecycle commands that take more than a name: `secret update`,
//! `secret create-version`, `secret upload-blob`; each builds the API's request body.

use clap::Args;
use std::path::PathBuf;

use super::input::{read_bounded, read_text_bounded};
use super::values::ValueArgs;
use crate::csms::{
    ApiError, CreateSecretVersionRequest, UpdateSecretRequest, UploadSecretBlobRequest, parse_body,
};
use crate::vault::MAX_BLOB_CHARS;

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The secret's name
    pub name: String,
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "description", "kms_key_id", "auto_rotation", "rotation_period", "rotation_func_urn",
        "event_subscription"
    ])]
    pub request: Option<PathBuf>,
    /// A new description, at most 2,048 bytes ("" clears it)
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
    /// A new CMK, by id or alias: versions created from now on use it
    #[arg(long, value_name = "ID|ALIAS")]
    pub kms_key_id: Option<String>,
    #[command(flatten)]
    pub rotation: RotationArgs,
}

/// The Secret settings both `secret create` and `secret update` take (the API's UpdateSecret
/// carries these four; docs/DECISIONS.md "new Secret fields").
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct RotationArgs {
    /// Rotate automatically when the period has passed (needs a rotation period)
    #[arg(long, value_name = "true|false")]
    pub auto_rotation: Option<bool>,
    /// How often to rotate: a number and d, h, m or s, from 6h to 365d (e.g. 30d)
    #[arg(long, value_name = "PERIOD")]
    pub rotation_period: Option<String>,
    /// A FunctionGraph URN, stored and returned (nothing runs it locally)
    #[arg(long, value_name = "URN")]
    pub rotation_func_urn: Option<String>,
    /// Subscribe to this event ("" unsubscribes)
    #[arg(long, value_name = "EVENT")]
    pub event_subscription: Option<String>,
}

impl RotationArgs {
    /// `event_subscriptions` as the API takes it: `[]` for "", one name otherwise.
    pub fn event_subscriptions(&self) -> Option<Vec<String>> {
        self.event_subscription.as_ref().map(|e| {
            if e.is_empty() {
                Vec::new()
            } else {
                vec![e.clone()]
            }
        })
    }
}

impl UpdateArgs {
    /// The request body; `kms_key_id` as given (an id, an alias or `csms/default`: the vault
    /// resolves it).
    pub fn request(self) -> Result<UpdateSecretRequest, ApiError> {
        if let Some(path) = &self.request {
            return parse_body(&read_bounded(path)?);
        }
        let event_subscriptions = self.rotation.event_subscriptions();
        Ok(UpdateSecretRequest {
            description: self.description,
            kms_key_id: self.kms_key_id,
            auto_rotation: self.rotation.auto_rotation,
            rotation_period: self.rotation.rotation_period,
            rotation_func_urn: self.rotation.rotation_func_urn,
            event_subscriptions,
        })
    }
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CreateVersionArgs {
    /// The secret's name
    pub name: String,
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "secret_string", "secret_string_file", "secret_binary", "secret_binary_file", "edit",
        "version_stage", "expire_time"
    ])]
    pub request: Option<PathBuf>,
    #[command(flatten)]
    pub value: ValueArgs,
    /// A stage for the new version (repeat for several) [default: SYSCURRENT, and the current
    /// version becomes SYSPREVIOUS]
    #[arg(long, value_name = "STAGE")]
    pub version_stage: Vec<String>,
    /// Expiry: epoch milliseconds, YYYY-MM-DD or "YYYY-MM-DD HH:MM" (local time); not in the
    /// past
    #[arg(
        long,
        value_name = "TIME",
        allow_negative_numbers = true,
        value_parser = super::expiry::parse
    )]
    pub expire_time: Option<i64>,
}

impl CreateVersionArgs {
    pub fn request(self) -> Result<CreateSecretVersionRequest, ApiError> {
        if let Some(path) = &self.request {
            return parse_body(&read_bounded(path)?);
        }
        let (secret_string, secret_binary) = self.value.read()?;
        Ok(CreateSecretVersionRequest {
            secret_string,
            secret_binary,
            version_stages: (!self.version_stage.is_empty()).then_some(self.version_stage),
            expire_time: self.expire_time.map(super::expiry::not_past).transpose()?,
        })
    }
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct UploadBlobArgs {
    /// The blob as printed by download-blob
    #[arg(long, value_name = "BLOB")]
    pub secret_blob: Option<String>,
    /// Read the blob from FILE, or - for stdin
    #[arg(long, value_name = "FILE")]
    pub secret_blob_file: Option<PathBuf>,
}

impl UploadBlobArgs {
    /// The blob, read from its file if need be (at most the API's 5 MiB).
    pub fn request(self) -> Result<UploadSecretBlobRequest, ApiError> {
        let secret_blob = match (self.secret_blob, self.secret_blob_file) {
            (Some(blob), _) => blob,
            (None, Some(path)) => read_text_bounded(&path, MAX_BLOB_CHARS as u64 + 2)?
                .trim()
                .to_owned(),
            (None, None) => String::new(),
        };
        Ok(UploadSecretBlobRequest { secret_blob })
    }
}
