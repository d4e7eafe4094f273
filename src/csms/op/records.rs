//! Import Records (local, issue 16): csvault's own record format, a Create Secret body plus the
//! secret's tags, state and versions (docs/DECISIONS.md "Issue 16: import mapping"), and the
//! operation that creates a batch of records, each record whole or not at all.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use super::{ImportOutcome, KeyLookup};
use crate::csms::{
    ApiError, CreateSecretRequest, CreateSecretVersionRequest, MAX_STAGES, MAX_TAGS_PER_SECRET,
    MAX_VERSIONS, RecordVersion, STAGE_CURRENT, SecretState, TagItem, first_problem, json_object,
    malformed_body, tag_key_problem, tag_value_problem,
};

/// One line of the record format: a Create Secret body (its value absent when `versions` is
/// given), plus what a secret carries beyond its first version. A line with none of the extras
/// is a plain Create Secret body and means what it always meant.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretRecord {
    pub create: CreateSecretRequest,
    /// `[{"key", "value"}]`, issue 14's rules, at most 20, no key twice.
    pub tags: Vec<TagItem>,
    /// `ENABLED` (also when absent) or `DISABLED`, as written.
    pub state: Option<String>,
    /// Oldest first; `None`: the body's value is the one version.
    pub versions: Option<Vec<RecordVersion>>,
}

/// The record format's fields beyond the Create Secret body.
#[derive(Deserialize)]
struct Extras {
    #[serde(default)]
    tags: Option<Vec<TagItem>>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    versions: Option<Vec<RecordVersion>>,
}

/// The keys that make a line more than a Create Secret body, as they appear in its JSON text.
const EXTRA_KEYS: [&[u8]; 3] = [b"\"tags\"", b"\"state\"", b"\"versions\""];

impl SecretRecord {
    /// A plain record: the body alone.
    pub fn plain(create: CreateSecretRequest) -> Self {
        Self {
            create,
            tags: Vec::new(),
            state: None,
            versions: None,
        }
    }

    /// Parses one line of the record format (`CSMS.0004` when it is not a JSON object of its
    /// fields and types; the error says where, never what). A line that cannot hold an extra
    /// key is read once, as a Create Secret body.
    pub fn from_json(line: &[u8]) -> Result<Self, ApiError> {
        let create = CreateSecretRequest::from_json(line)?;
        if !EXTRA_KEYS
            .iter()
            .any(|key| line.windows(key.len()).any(|w| w == *key))
        {
            return Ok(Self::plain(create));
        }
        let extras: Extras =
            serde_json::from_slice(json_object(line)?).map_err(|e| malformed_body(&e))?;
        Ok(Self {
            create,
            tags: extras.tags.unwrap_or_default(),
            state: extras.state,
            versions: extras.versions,
        })
    }

    /// Whether it is a plain Create Secret body: no tags, no versions, `ENABLED`.
    pub fn is_plain(&self) -> bool {
        self.tags.is_empty()
            && self.versions.is_none()
            && self.state.as_deref().is_none_or(|s| s == "ENABLED")
    }

    /// The state it asks for. `CSMS.0002` for anything but `ENABLED` or `DISABLED`.
    pub fn wanted_state(&self) -> Result<SecretState, ApiError> {
        match self.state.as_deref() {
            None | Some("ENABLED") => Ok(SecretState::Enabled),
            Some("DISABLED") => Ok(SecretState::Disabled),
            Some(other) => {
                let shown: String = other.chars().take(32).collect();
                Err(ApiError::invalid(format!(
                    "Invalid state: {shown:?}; a record is ENABLED or DISABLED."
                )))
            }
        }
    }

    /// The Create Secret body of its first version: the body with the first version's value.
    pub fn first_create(&self) -> CreateSecretRequest {
        match self.versions.as_deref().and_then(<[_]>::first) {
            Some(first) => CreateSecretRequest {
                secret_string: first.secret_string.clone(),
                secret_binary: first.secret_binary.clone(),
                ..self.create.clone()
            },
            None => self.create.clone(),
        }
    }

    /// The first broken rule beyond the Create Secret body's own (`CSMS.0002`), checked before
    /// anything is written: the state; the tags (each key and value, no key twice, at most 20);
    /// the versions (1 to 20, no top-level value beside them, each value and stage name and
    /// expiry as Create Secret Version checks them, each stage on one version, `SYSCURRENT` on
    /// one, at most 12 stages).
    pub fn check_extras(&self) -> Result<(), ApiError> {
        self.wanted_state()?;
        self.check_tags()?;
        let Some(versions) = &self.versions else {
            return Ok(());
        };
        if self.create.secret_string.is_some() || self.create.secret_binary.is_some() {
            return Err(ApiError::invalid(
                "Invalid versions: a record with versions has no secret_string or secret_binary of its own.",
            ));
        }
        if versions.is_empty() || versions.len() > MAX_VERSIONS {
            return Err(ApiError::invalid(format!(
                "Invalid versions: a record has 1–{MAX_VERSIONS} versions; this one has {}.",
                versions.len()
            )));
        }
        let mut stages = BTreeSet::new();
        for (n, version) in versions.iter().enumerate() {
            first_problem(
                &CreateSecretVersionRequest {
                    secret_string: version.secret_string.clone(),
                    secret_binary: version.secret_binary.clone(),
                    version_stages: Some(version.version_stages.clone()),
                    expire_time: version.expire_time,
                }
                .problems(),
            )
            .map_err(|e| {
                ApiError::new(
                    e.code,
                    format!("Version {} of the record: {}", n + 1, e.error_msg),
                )
            })?;
            for stage in &version.version_stages {
                if !stages.insert(stage.as_str()) {
                    return Err(ApiError::invalid(format!(
                        "Invalid versions: the stage {stage} is on more than one version."
                    )));
                }
            }
        }
        if !stages.contains(STAGE_CURRENT) {
            return Err(ApiError::invalid(format!(
                "Invalid versions: no version carries {STAGE_CURRENT}."
            )));
        }
        if stages.len() > MAX_STAGES {
            return Err(ApiError::invalid(format!(
                "Invalid versions: {} stages; a secret has at most {MAX_STAGES}.",
                stages.len()
            )));
        }
        Ok(())
    }

    fn check_tags(&self) -> Result<(), ApiError> {
        if self.tags.len() > MAX_TAGS_PER_SECRET {
            return Err(ApiError::invalid(format!(
                "Invalid tags: {} tags; a secret carries at most {MAX_TAGS_PER_SECRET}.",
                self.tags.len()
            )));
        }
        let mut keys = HashSet::new();
        for tag in &self.tags {
            if let Some(m) = tag_key_problem(&tag.key)
                .or_else(|| tag.value.as_deref().and_then(tag_value_problem))
            {
                return Err(ApiError::invalid(format!("Invalid tags: {m}.")));
            }
            if !keys.insert(tag.key.as_str()) {
                return Err(ApiError::invalid(format!(
                    "Invalid tags: the key {} is given twice.",
                    tag.key
                )));
            }
        }
        Ok(())
    }
}

/// Creates records in one transaction: each record whole (secret, tags, versions with stages
/// and expiry, state) or not at all; a name already in the vault is `AlreadyExists`. With
/// `dry_run` everything is checked and done as it would be, then rolled back: nothing is
/// written.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportRecordsRequest {
    pub records: Vec<SecretRecord>,
    pub keys: KeyLookup,
    #[serde(default)]
    pub dry_run: bool,
}

/// Every record's outcome, in the order given.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportRecordsResponse {
    pub outcomes: Vec<ImportOutcome>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<SecretRecord, ApiError> {
        SecretRecord::from_json(line.as_bytes())
    }

    #[test]
    fn a_create_body_is_a_plain_record_and_means_what_it_meant() {
        let r = parse(r#"{"name":"a","secret_string":"the tags are \"tags\"","extra":1}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(r.is_plain());
        assert_eq!(
            r.create.secret_string.as_deref().map(String::as_str),
            Some("the tags are \"tags\"")
        );
        assert!(r.check_extras().is_ok());
    }

    #[test]
    fn tags_state_and_versions_are_read() {
        let r = parse(
            r#"{"name":"a","tags":[{"key":"k"}],"state":"DISABLED","versions":[{"version_id":"v9","secret_binary":"AAEC","version_stages":["SYSCURRENT"],"expire_time":5}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!r.is_plain());
        assert_eq!(
            r.tags,
            [TagItem {
                key: "k".into(),
                value: None
            }]
        );
        assert_eq!(r.wanted_state().ok(), Some(SecretState::Disabled));
        let first = r.first_create();
        assert_eq!(
            first.secret_binary.as_deref().map(String::as_str),
            Some("AAEC")
        );
        assert!(r.check_extras().is_ok());
        // An explicit ENABLED and no extras is still plain.
        assert!(
            parse(r#"{"name":"a","state":"ENABLED","secret_string":"x"}"#)
                .is_ok_and(|r| r.is_plain())
        );
    }

    #[test]
    fn a_broken_record_says_where_never_what() {
        let e = parse(r#"{"name":"a","versions":[{"secret_string":12345678}]}"#).err();
        let msg = e.map(|e| e.error_msg).unwrap_or_default();
        assert!(msg.contains("line 1"), "{msg}");
        assert!(!msg.contains("12345678"), "{msg}");
        let e = parse(r#"{"name":"a","tags":"canary-tag-value"}"#).err();
        assert!(e.is_some_and(|e| !e.error_msg.contains("canary")));
    }

    #[test]
    fn debug_never_shows_a_version_value() {
        let v = RecordVersion {
            secret_string: Some(zeroize::Zeroizing::new("hunter2-canary".into())),
            ..RecordVersion::default()
        };
        assert!(!format!("{v:?}").contains("hunter2"));
    }
}
