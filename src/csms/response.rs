//! The response shapes: `Secret`, `VersionMetadata`, the version with its value, lists and pages.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{SecretSettings, ValueKind};

/// A secret's lifecycle state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SecretState {
    #[default]
    Enabled,
    Disabled,
    PendingDelete,
    Frozen,
}

impl SecretState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Disabled => "DISABLED",
            Self::PendingDelete => "PENDING_DELETE",
            Self::Frozen => "FROZEN",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Enabled,
            Self::Disabled,
            Self::PendingDelete,
            Self::Frozen,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// The `Secret` object, every field of the API's (docs/DECISIONS.md "Secret record"). Times are
/// epoch milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub id: String,
    pub name: String,
    pub state: SecretState,
    pub kms_key_id: String,
    pub description: String,
    pub create_time: i64,
    pub update_time: i64,
    pub scheduled_delete_time: Option<i64>,
    pub secret_type: String,
    /// `auto_rotation` … `rotation_func_urn`, in the API's order.
    /// Boxed: a `Secret` travels in many answers; most never look at these.
    #[serde(flatten)]
    pub settings: Box<SecretSettings>,
}

/// `{"secret": {...}}`: the body of Create/Show/Update Secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretResponse {
    pub secret: Secret,
}

/// `page_info` of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    pub next_marker: Option<String>,
    pub previous_marker: Option<String>,
    pub current_count: usize,
}

/// `{"secrets": [...], "page_info": {...}}`: the body of List Secrets.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListSecretsResponse {
    pub secrets: Vec<Secret>,
    pub page_info: PageInfo,
}

/// `version_metadata` of a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionMetadata {
    pub id: String,
    pub create_time: i64,
    pub expire_time: Option<i64>,
    pub kms_key_id: String,
    pub secret_name: String,
    pub version_stages: Vec<String>,
}

/// A version with its value in plaintext, exactly one of the two value fields set.
#[derive(Clone, Serialize, Deserialize)]
pub struct SecretVersion {
    pub version_metadata: VersionMetadata,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::value_field::deserialize"
    )]
    pub secret_string: Option<Zeroizing<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::value_field::deserialize"
    )]
    pub secret_binary: Option<Zeroizing<String>>,
}

impl fmt::Debug for SecretVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<Zeroizing<String>>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("SecretVersion")
            .field("version_metadata", &self.version_metadata)
            .field("secret_string", &redact(&self.secret_string))
            .field("secret_binary", &redact(&self.secret_binary))
            .finish()
    }
}

/// `{"version": {...}}`: the body of Show Secret Version.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VersionResponse {
    pub version: SecretVersion,
}

/// A secret with every version's metadata: what the terminal app's detail screen shows (a local
/// read; no CSMS operation answers it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretDetail {
    pub secret: Secret,
    /// The alias of the secret's CMK (`""` if the key is gone).
    pub key_alias: String,
    /// Oldest first.
    pub versions: Vec<DetailVersion>,
    /// Its tags, by key (issue 14).
    pub tags: Vec<super::SecretTag>,
}

/// One version as the detail screen shows it: its metadata, and what its value is without opening
/// it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DetailVersion {
    pub metadata: VersionMetadata,
    pub kind: ValueKind,
    /// The value's size in bytes (decoded bytes for binary), known from the ciphertext's length.
    pub value_bytes: usize,
}
