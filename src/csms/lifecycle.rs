//! The operations beyond create: Update Secret, versions (create, list, update), stages (show,
//! update, delete), scheduled deletion, batch reads and backup blobs. Request and response shapes
//! and their rules (docs/DECISIONS.md "Versions, stages, states").

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{
    ApiError, ErrorCode, Field, FieldError, KeyLookup, PageInfo, SecretVersion, SettingsChange,
    VersionMetadata, first_problem, json_object, malformed_body, validate_description,
    validate_key_ref, validate_value,
};

/// At most this many versions per secret; a 21st removes the oldest version without a stage.
pub const MAX_VERSIONS: usize = 20;
/// At most this many distinct stages per secret, `SYSCURRENT` and `SYSPREVIOUS` included.
pub const MAX_STAGES: usize = 12;
/// At most this many characters in a stage name (`^[a-zA-Z0-9_-]{1,64}$`).
pub const MAX_STAGE_CHARS: usize = 64;
/// The largest `expire_time` the API takes (epoch ms, 13 digits).
pub const MAX_EXPIRE_TIME: i64 = 9_999_999_999_999;
/// Scheduled deletion windows, in days (`DeleteSecretForSchedule`); 30 when the request has none.
pub const RECOVERY_WINDOW_DAYS: std::ops::RangeInclusive<u32> = 7..=30;
pub const DEFAULT_RECOVERY_WINDOW_DAYS: u32 = 30;
/// One day in ms.
pub const DAY_MS: i64 = 86_400_000;

/// Parses a JSON request body of any operation: an object (after an optional BOM), `CSMS.0004`
/// otherwise; the error never quotes the body.
pub fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(json_object(body)?).map_err(|e| malformed_body(&e))
}

/// Why a stage name is refused, if it is: `^[a-zA-Z0-9_-]{1,64}$`.
pub fn stage_problem(stage: &str) -> Option<String> {
    let chars = stage.chars().count();
    if chars == 0 || chars > MAX_STAGE_CHARS {
        return Some("a stage name has 1–64 characters".into());
    }
    if !stage
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return Some("a stage name has only a–z A–Z 0–9 _ -".into());
    }
    None
}

/// A version id as the API writes them: `v` and 1–10 digits; its number.
pub fn version_number(version_id: &str) -> Option<i64> {
    let digits = version_id.strip_prefix('v')?;
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Why an `expire_time` (epoch ms) is refused, if it is: outside 0–[`MAX_EXPIRE_TIME`].
pub fn expire_problem(expire_time: i64) -> Option<FieldError> {
    (!(0..=MAX_EXPIRE_TIME).contains(&expire_time)).then(|| {
        FieldError::new(
            Field::ExpireTime,
            format!("it must be 0–{MAX_EXPIRE_TIME} (epoch ms)"),
        )
    })
}

/// A stage named in a path: its problem, if it has one.
pub fn stage_name_problems(stage: &str) -> Vec<FieldError> {
    stage_problem(stage)
        .map(|m| FieldError::new(Field::StageName, m))
        .into_iter()
        .collect()
}

/// `PUT /v1/{project_id}/secrets/{secret_name}`. Absent fields stay as they are; `""` clears the
/// description.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct UpdateSecretRequest {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub auto_rotation: Option<bool>,
    #[serde(default)]
    pub rotation_period: Option<String>,
    #[serde(default)]
    pub rotation_func_urn: Option<String>,
    #[serde(default)]
    pub event_subscriptions: Option<Vec<String>>,
}

impl UpdateSecretRequest {
    /// The newer Secret fields `UpdateSecret` carries (docs/DECISIONS.md "new Secret fields").
    pub fn settings(&self) -> SettingsChange {
        SettingsChange {
            auto_rotation: self.auto_rotation,
            rotation_period: self.rotation_period.clone(),
            rotation_func_urn: self.rotation_func_urn.clone(),
            event_subscriptions: self.event_subscriptions.clone(),
            ..SettingsChange::default()
        }
    }

    /// Whether the request changes nothing.
    pub fn is_empty(&self) -> bool {
        self.description.is_none() && self.kms_key_id.is_none() && self.settings().is_empty()
    }

    /// Every broken rule, in field order (`kms_key_id`, then `description`); key references read
    /// as `lookup` says.
    pub fn problems(&self, lookup: KeyLookup) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = self
            .kms_key_id
            .as_deref()
            .and_then(|k| validate_key_ref(k, lookup))
        {
            out.push(FieldError::new(Field::KmsKeyId, m));
        }
        if let Some(m) = self.description.as_deref().and_then(validate_description) {
            out.push(FieldError::new(Field::Description, m));
        }
        out.extend(self.settings().problems());
        out
    }
}

/// `POST /v1/{project_id}/secrets/{secret_name}/versions`.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct CreateSecretVersionRequest {
    #[serde(default, deserialize_with = "super::value_field::deserialize")]
    pub secret_string: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "super::value_field::deserialize")]
    pub secret_binary: Option<Zeroizing<String>>,
    /// Without it, the new version takes `SYSCURRENT` (and the old current `SYSPREVIOUS`).
    #[serde(default)]
    pub version_stages: Option<Vec<String>>,
    /// Epoch ms.
    #[serde(default)]
    pub expire_time: Option<i64>,
}

impl fmt::Debug for CreateSecretVersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<Zeroizing<String>>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("CreateSecretVersionRequest")
            .field("secret_string", &redact(&self.secret_string))
            .field("secret_binary", &redact(&self.secret_binary))
            .field("version_stages", &self.version_stages)
            .field("expire_time", &self.expire_time)
            .finish()
    }
}

impl CreateSecretVersionRequest {
    /// Every broken rule: the value as for create, each stage name, the expiry.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = validate_value(self.secret_string.as_ref(), self.secret_binary.as_ref()) {
            out.push(FieldError::new(Field::Value, m));
        }
        if let Some(m) = self
            .version_stages
            .iter()
            .flatten()
            .find_map(|stage| stage_problem(stage))
        {
            out.push(FieldError::new(Field::VersionStages, m));
        }
        out.extend(self.expire_time.and_then(expire_problem));
        out
    }
}

/// `PUT /v1/{project_id}/secrets/{secret_name}/versions/{version_id}`.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
pub struct UpdateVersionRequest {
    /// Epoch ms.
    pub expire_time: i64,
}

impl UpdateVersionRequest {
    /// The expiry's problem, if it has one.
    pub fn problems(&self) -> Vec<FieldError> {
        expire_problem(self.expire_time).into_iter().collect()
    }
}

/// `{"version_metadata": {...}}`: Create Secret Version and Update Version.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VersionMetadataResponse {
    pub version_metadata: VersionMetadata,
}

/// `{"version_metadatas": [...], "page_info": {...}}`: List Secret Versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ListSecretVersionsResponse {
    pub version_metadatas: Vec<VersionMetadata>,
    pub page_info: PageInfo,
}

/// A stage: which version it names, since when (epoch ms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    pub secret_name: String,
    pub update_time: i64,
    pub version_id: String,
}

/// `{"stage": {...}}`: Show and Update Secret Stage.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StageResponse {
    pub stage: Stage,
}

/// `PUT /v1/{project_id}/secrets/{secret_name}/stages/{stage_name}`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct UpdateSecretStageRequest {
    pub version_id: String,
}

/// `POST …/scheduled-deleted-tasks/create`: the window in days, 7–30 (30 when absent).
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize)]
pub struct DeleteSecretForScheduleRequest {
    #[serde(default)]
    pub recovery_window_in_days: Option<i64>,
}

impl DeleteSecretForScheduleRequest {
    /// The window asked for, in days (30 when absent).
    pub fn days(&self) -> i64 {
        self.recovery_window_in_days
            .unwrap_or(i64::from(DEFAULT_RECOVERY_WINDOW_DAYS))
    }

    /// The window's problem, if it is outside 7–30 days.
    pub fn problems(&self) -> Vec<FieldError> {
        let days = self.days();
        let range =
            i64::from(*RECOVERY_WINDOW_DAYS.start())..=i64::from(*RECOVERY_WINDOW_DAYS.end());
        if range.contains(&days) {
            Vec::new()
        } else {
            vec![FieldError::new(
                Field::RecoveryWindow,
                format!("{days}; it must be 7–30"),
            )]
        }
    }

    /// The window in ms; `CSMS.0002` outside 7–30 days.
    pub fn window_ms(&self) -> Result<i64, ApiError> {
        first_problem(&self.problems())?;
        Ok(self.days() * DAY_MS)
    }
}

/// `POST /v1/{project_id}/secrets/batch-get-secret-value`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BatchGetSecretValueRequest {
    pub secret_name_list: Vec<String>,
}

/// `{"versions": [...], "total_count": N}`: each secret's `SYSCURRENT` version with its value.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchGetSecretValueResponse {
    pub versions: Vec<SecretVersion>,
    pub total_count: usize,
}

/// `{"secret_blob": "..."}`: Download Secret Blob.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretBlobResponse {
    pub secret_blob: String,
}

/// `POST /v1/{project_id}/secrets/restore`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct UploadSecretBlobRequest {
    pub secret_blob: String,
}

/// The codes of the lifecycle's refusals, with their messages (docs/DECISIONS.md "Errors").
pub mod refusal {
    use super::{ApiError, ErrorCode};
    use crate::csms::SecretState;

    /// 400 `CSMS.0002`: a secret of that name exists, in whatever state (docs/DECISIONS.md
    /// "duplicate name").
    pub fn duplicate_name(name: &str) -> ApiError {
        ApiError::invalid(format!(
            "Invalid name: a secret named {name} already exists."
        ))
    }

    /// 400 `CSMS.0103`: an update or stage change on a secret pending deletion.
    pub fn pending(name: &str) -> ApiError {
        ApiError::new(
            ErrorCode::SecretPendingDelete,
            format!("The secret {name} is pending deletion; restore it first."),
        )
    }

    /// 403 `CSMS.0109`: a value read, new version or version update on a secret not ENABLED.
    pub fn not_enabled(name: &str, state: SecretState, what: &str) -> ApiError {
        ApiError::new(
            ErrorCode::SecretNotEnabled,
            format!("The secret {name} is {}; {what}.", state.as_str()),
        )
    }

    /// 400 `CSMS.0005`: no such version.
    pub fn no_version(name: &str, version_id: &str) -> ApiError {
        ApiError::new(
            ErrorCode::VersionNotFound,
            format!("The secret {name} has no version {version_id}."),
        )
    }

    /// 400 `CSMS.0005`: no such stage.
    pub fn no_stage(name: &str, stage: &str) -> ApiError {
        ApiError::new(
            ErrorCode::VersionNotFound,
            format!("The secret {name} has no stage {stage}."),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_and_version_ids() {
        assert_eq!(stage_problem("SYSCURRENT"), None);
        assert_eq!(stage_problem("blue_green-2"), None);
        assert!(stage_problem("").is_some());
        assert!(stage_problem("a.b").is_some());
        assert!(stage_problem(&"s".repeat(65)).is_some());
        assert_eq!(version_number("v1"), Some(1));
        assert_eq!(version_number("v0012"), Some(12));
        assert_eq!(version_number("v"), None);
        assert_eq!(version_number("1"), None);
        assert_eq!(version_number("v-1"), None);
        assert_eq!(version_number("v12345678901"), None);
    }

    #[test]
    fn recovery_windows() {
        let req = |d| DeleteSecretForScheduleRequest {
            recovery_window_in_days: d,
        };
        assert_eq!(req(None).window_ms().ok(), Some(30 * DAY_MS));
        assert_eq!(req(Some(7)).window_ms().ok(), Some(7 * DAY_MS));
        assert!(req(Some(6)).window_ms().is_err());
        assert!(req(Some(31)).window_ms().is_err());
    }

    #[test]
    fn bodies_are_objects() {
        let parsed: Result<UpdateVersionRequest, _> = parse_body(b"[5]");
        assert_eq!(parsed.err().map(|e| e.code), Some(ErrorCode::MalformedBody));
        let parsed: Result<UpdateVersionRequest, _> = parse_body(b"{\"expire_time\": 5}");
        assert_eq!(parsed.ok().map(|r| r.expire_time), Some(5));
    }
}
