//! The JSON Lines record of one secret (issue 16's pinned format): what `csvault export` writes
//! and `csvault import --from jsonl` reads; a Create Secret body plus `tags`, `state` and
//! `versions`. And the page of records the vault answers an export with.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::SecretTag;

/// A page of records at most (the vault's answer); 100 when absent.
pub const MAX_EXPORT_PAGE: usize = 1000;
pub const DEFAULT_EXPORT_PAGE: usize = 100;

/// One secret as a line. Every field but `name` is optional; absent fields are left out of the
/// line. `Debug` never shows a value.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct SecretRecord {
    pub name: String,
    /// The CMK's alias (export writes the alias; an import also takes an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The value, without `versions`.
    #[serde(
        default,
        deserialize_with = "super::value_field::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_string: Option<Zeroizing<String>>,
    /// The value as base64, without `versions`.
    #[serde(
        default,
        deserialize_with = "super::value_field::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_binary: Option<Zeroizing<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_rotation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_func_urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_subscriptions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<SecretTag>>,
    /// `"DISABLED"`; absent means `ENABLED` (secrets pending deletion are not exported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Every version, oldest first (`--all-versions`); the top-level value is absent then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<RecordVersion>>,
}

impl fmt::Debug for SecretRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<Zeroizing<String>>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("SecretRecord")
            .field("name", &self.name)
            .field("kms_key_id", &self.kms_key_id)
            .field("secret_string", &redact(&self.secret_string))
            .field("secret_binary", &redact(&self.secret_binary))
            .field("state", &self.state)
            .field("versions", &self.versions)
            .finish_non_exhaustive()
    }
}

/// One version of a record: its value, stages and expiry (ms since the epoch, absent when none).
/// `version_id` is what the exporting vault called it; an import keeps the order and the
/// stages, not the id (the vault numbers its versions itself). Export writes it and import reads
/// it: the one type of both.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct RecordVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::value_field::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_string: Option<Zeroizing<String>>,
    #[serde(
        default,
        deserialize_with = "super::value_field::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_binary: Option<Zeroizing<String>>,
    #[serde(default)]
    pub version_stages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<i64>,
}

impl fmt::Debug for RecordVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<Zeroizing<String>>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("RecordVersion")
            .field("version_id", &self.version_id)
            .field("secret_string", &redact(&self.secret_string))
            .field("secret_binary", &redact(&self.secret_binary))
            .field("version_stages", &self.version_stages)
            .field("expire_time", &self.expire_time)
            .finish()
    }
}

/// A page of an export: the records of up to `limit` secrets after the marker, by name, read in
/// one snapshot; `next_marker` when more follow; how many secrets of the page were left out as
/// pending deletion.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ExportPage {
    pub records: Vec<SecretRecord>,
    pub next_marker: Option<String>,
    pub pending_deletion: usize,
}
