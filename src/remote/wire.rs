//! The JSON the client reads and writes, lenient as the real cloud needs: every field defaulted,
//! unknown ones ignored. Values are read straight into wiped memory and bodies holding values are
//! rendered into wiped buffers.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{RemoteVersion, Value};
use crate::csms::{ApiError, ErrorCode, SecretTag, ValueKind};

/// A page's `page_info`.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PageInfo {
    pub next_marker: Option<String>,
}

/// A `Secret` object, the fields sync reads.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Secret {
    pub id: String,
    pub name: String,
    pub state: String,
    pub description: Option<String>,
    pub update_time: i64,
}

/// `ListSecrets`' answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SecretsPage {
    pub secrets: Vec<Secret>,
    pub page_info: PageInfo,
}

/// `ShowSecret`'s and `CreateSecret`'s answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct SecretReply {
    pub secret: Secret,
}

/// A tag as the API carries it.
#[derive(Default, Deserialize, Serialize, Clone)]
#[serde(default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl From<Tag> for SecretTag {
    fn from(t: Tag) -> Self {
        SecretTag {
            key: t.key,
            value: t.value,
        }
    }
}

/// `ListSecretTags`' answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct TagsReply {
    pub tags: Vec<Tag>,
}

/// One `ListResourceInstances` resource: its name and tags.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Resource {
    pub resource_name: String,
    pub tags: Vec<Tag>,
}

/// `ListResourceInstances`' answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ResourcesPage {
    pub resources: Vec<Resource>,
    pub total_count: usize,
}

/// A stage, as `ShowSecretStage` answers.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Stage {
    pub version_id: String,
}

/// `ShowSecretStage`'s answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StageReply {
    pub stage: Stage,
}

/// A version's metadata.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionMetadata {
    pub id: String,
    pub create_time: i64,
    pub expire_time: Option<i64>,
    pub version_stages: Vec<String>,
}

impl From<VersionMetadata> for RemoteVersion {
    fn from(v: VersionMetadata) -> Self {
        RemoteVersion {
            id: v.id,
            create_time: v.create_time,
            expire_time: v.expire_time,
            stages: v.version_stages,
        }
    }
}

/// `ListSecretVersions`' answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionsPage {
    pub version_metadatas: Vec<VersionMetadata>,
    pub page_info: PageInfo,
}

/// `CreateSecretVersion`'s answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionMetadataReply {
    pub version_metadata: VersionMetadata,
}

/// A version with its value, in wiped memory.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionValue {
    #[serde(deserialize_with = "crate::csms::value_field::deserialize")]
    pub secret_string: Option<Zeroizing<String>>,
    #[serde(deserialize_with = "crate::csms::value_field::deserialize")]
    pub secret_binary: Option<Zeroizing<String>>,
}

/// `ShowSecretVersion`'s answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct VersionReply {
    pub version: VersionValue,
}

/// `GET /v3/projects`' answer.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ProjectsReply {
    pub projects: Vec<Project>,
}

/// One IAM project.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Project {
    pub id: String,
}

/// Parses an answer.
///
/// Errors: `SYNC.0002` naming the call when the answer is not the JSON it should be.
pub fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], call: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::RemoteRefused,
            format!(
                "The remote's answer to {call} is not the JSON of the API (at line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}

/// The value of a `ShowSecretVersion` answer: text, or binary decoded from base64.
///
/// Errors: `SYNC.0002` for neither field, or binary that is not base64.
pub fn value_of(version: &VersionValue) -> Result<Value, ApiError> {
    Value::from_fields(
        version.secret_string.as_deref().map(String::as_str),
        version.secret_binary.as_deref().map(String::as_str),
    )
    .map_err(|why| {
        ApiError::new(
            ErrorCode::RemoteRefused,
            format!("The remote's version answer is unusable: {why}."),
        )
    })
}

/// A value as the API sends it: `("secret_string", text)` or `("secret_binary", base64)`.
///
/// Errors: `CSMS.0002` for text that is not UTF-8, or a value over 32 KB (`csms::validate`).
pub fn value_field(value: &Value) -> Result<(&'static str, Zeroizing<String>), ApiError> {
    let invalid = |why: String| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("The value cannot be sent: {why}."),
        )
    };
    match value.kind {
        ValueKind::Text => {
            let text = std::str::from_utf8(&value.bytes)
                .map_err(|_| invalid("text that is not UTF-8".to_owned()))?;
            let mut owned = Zeroizing::new(String::with_capacity(text.len()));
            owned.push_str(text);
            if let Some(problem) = crate::csms::validate_value(Some(&owned), None) {
                return Err(invalid(problem));
            }
            Ok(("secret_string", owned))
        }
        ValueKind::Binary => {
            let mut b64 = Zeroizing::new(String::with_capacity(value.bytes.len().div_ceil(3) * 4));
            STANDARD.encode_string(&*value.bytes, &mut b64);
            if let Some(problem) = crate::csms::validate_value(None, Some(&b64)) {
                return Err(invalid(problem));
            }
            Ok(("secret_binary", b64))
        }
    }
}

/// A JSON object holding `value` under `field`, with `rest` beside it, rendered into wiped memory.
/// The value is written by hand (escaped as JSON) so no unwiped `serde_json::Value` holds it.
///
/// Errors: as [`render`].
pub fn render_with_value(
    field: &str,
    value: &Zeroizing<String>,
    rest: &serde_json::Map<String, serde_json::Value>,
) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    crate::wiped::render_exact(|out| {
        out.write_all(b"{")?;
        serde_json::to_writer(&mut *out, field).map_err(std::io::Error::from)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, value.as_str()).map_err(std::io::Error::from)?;
        for (k, v) in rest {
            out.write_all(b",")?;
            serde_json::to_writer(&mut *out, k).map_err(std::io::Error::from)?;
            out.write_all(b":")?;
            serde_json::to_writer(&mut *out, v).map_err(std::io::Error::from)?;
        }
        out.write_all(b"}")
    })
    .map_err(|e| super::refusal::internal(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_a_value_is_the_json_the_api_takes() {
        let value = Value {
            kind: ValueKind::Text,
            bytes: Zeroizing::new(b"p\"w\nd".to_vec()),
        };
        let (field, text) = value_field(&value).unwrap_or_else(|e| panic!("{e:?}"));
        let mut rest = serde_json::Map::new();
        rest.insert("name".into(), "db".into());
        let body = render_with_value(field, &text, &rest).unwrap_or_else(|e| panic!("{e:?}"));
        let back: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(
            back,
            serde_json::json!({"secret_string": "p\"w\nd", "name": "db"})
        );
        let big = Value {
            kind: ValueKind::Binary,
            bytes: Zeroizing::new(vec![0; 24 * 1024 + 1]),
        };
        assert_eq!(
            value_field(&big).err().map(|e| e.code),
            Some(ErrorCode::InvalidParameter),
            "over 32 KB of base64 is refused before sending"
        );
    }

    #[test]
    fn answers_are_read_leniently_and_binary_is_decoded() {
        let reply: VersionReply = parse(
            br#"{"version":{"version_metadata":{"id":"v1"},"secret_binary":"AAEC","extra":1}}"#,
            "ShowSecretVersion",
        )
        .unwrap_or_default();
        let value = value_of(&reply.version).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (value.kind, value.bytes.as_slice()),
            (ValueKind::Binary, &[0u8, 1, 2][..])
        );
        let page: SecretsPage =
            parse(br#"{"secrets":[{"name":"a"}]}"#, "ListSecrets").unwrap_or_default();
        assert_eq!(page.secrets.len(), 1);
        assert!(page.page_info.next_marker.is_none());
    }
}
