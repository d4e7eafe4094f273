//! The local side of a sync, through `Execute` (the vault or its agent): its view, its current
//! values, and the writes a pull makes. Values only in wiped buffers.

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::csms::op::{
    Execute, ImportOutcome, ImportRecordsRequest, KeyLookup, Request, Response, SecretRecord,
    another_answer as unexpected,
};
use crate::csms::{
    ApiError, BatchCreateOrDeleteTagsRequest, BatchGetSecretValueRequest, CreateSecretRequest,
    CreateSecretVersionRequest, DEFAULT_KEY_ALIAS, DeleteSecretForScheduleRequest, ErrorCode,
    SecretRef, SecretTag, SecretVersion, SyncStateUpdate, SyncView, TagAction, TagItem,
    UpdateSecretRequest, ValueKind,
};
use crate::csms::{RecordVersion, UpdateSecretStageRequest, UpdateVersionRequest};
use crate::remote::Value;

use super::versions::Ver;

/// The local side of a sync with `remote` (all secrets, or `names`).
pub(super) fn view(
    local: &dyn Execute,
    remote: &str,
    names: Option<&[String]>,
) -> Result<SyncView, ApiError> {
    match local.execute(&Request::SyncView {
        remote: remote.to_owned(),
        names: names.map(<[String]>::to_vec),
    })? {
        Response::SyncView(view) => Ok(view),
        _ => Err(unexpected()),
    }
}

/// Records a piece of finished work.
pub(super) fn save(local: &dyn Execute, update: SyncStateUpdate) -> Result<(), ApiError> {
    local.execute(&Request::SaveSyncState(update)).map(|_| ())
}

/// A version's value as sync carries it (binary decoded).
fn value_of(version: &SecretVersion) -> Result<Value, ApiError> {
    Value::from_fields(
        version.secret_string.as_ref().map(|t| t.as_str()),
        version.secret_binary.as_ref().map(|b| b.as_str()),
    )
    .map_err(|why| {
        ApiError::new(
            ErrorCode::Internal,
            format!("A stored version is unusable: {why}."),
        )
    })
}

/// Each (name, version id)'s value, in order: one Batch Get Secret Value when every current
/// version is the one asked, else one Show Secret Version per secret.
pub(super) fn values(
    local: &dyn Execute,
    wanted: &[(String, String)],
) -> Vec<Result<Value, ApiError>> {
    if wanted.is_empty() {
        return Vec::new();
    }
    let batch = BatchGetSecretValueRequest {
        secret_name_list: wanted.iter().map(|(n, _)| n.clone()).collect(),
    };
    if let Ok(Response::Values(got)) = local.execute(&Request::BatchGetSecretValue(batch)) {
        let matches = got.versions.len() == wanted.len()
            && got
                .versions
                .iter()
                .zip(wanted)
                .all(|(v, (_, id))| v.version_metadata.id == *id);
        if matches {
            return got.versions.iter().map(value_of).collect();
        }
    }
    wanted
        .iter()
        .map(|(name, id)| {
            match local.execute(&Request::ShowSecretVersion {
                name: name.clone(),
                version_id: id.clone(),
            })? {
                Response::Version(v) => value_of(&v.version),
                _ => Err(unexpected()),
            }
        })
        .collect()
}

/// The value of `name`'s version `id` (one Show Secret Version).
pub(super) fn value_at(local: &dyn Execute, name: &str, id: &str) -> Result<Value, ApiError> {
    match local.execute(&Request::ShowSecretVersion {
        name: name.to_owned(),
        version_id: id.to_owned(),
    })? {
        Response::Version(v) => value_of(&v.version),
        _ => Err(unexpected()),
    }
}

/// `name`'s versions, oldest first (List Secret Versions, paged).
pub(super) fn versions(local: &dyn Execute, name: &str) -> Result<Vec<Ver>, ApiError> {
    let mut out: Vec<Ver> = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let Response::VersionMetadatas(page) = local.execute(&Request::ListSecretVersions {
            name: name.to_owned(),
            limit: Some(1000),
            marker: marker.clone(),
        })?
        else {
            return Err(unexpected());
        };
        let count = page.version_metadatas.len();
        out.extend(page.version_metadatas.into_iter().map(|v| Ver {
            id: v.id,
            stages: v.version_stages,
            expire_time: v.expire_time,
        }));
        match page.page_info.next_marker {
            Some(next) if count > 0 && !next.is_empty() && marker.as_ref() != Some(&next) => {
                marker = Some(next);
            }
            _ => return Ok(out),
        }
    }
}

/// A new version of `name` holding `value` with exactly `stages` and `expire_time`; its id.
pub(super) fn add_version(
    local: &dyn Execute,
    name: &str,
    value: &Value,
    stages: &[String],
    expire_time: Option<i64>,
) -> Result<String, ApiError> {
    let (secret_string, secret_binary) = fields(value)?;
    let request = Request::CreateSecretVersion {
        name: name.to_owned(),
        body: CreateSecretVersionRequest {
            secret_string,
            secret_binary,
            version_stages: Some(stages.to_vec()),
            expire_time,
        },
    };
    match local.execute(&request)? {
        Response::VersionMetadata(v) => Ok(v.version_metadata.id),
        _ => Err(unexpected()),
    }
}

/// Points `stage` of `name` at `version_id` (Update Secret Stage).
pub(super) fn set_stage(
    local: &dyn Execute,
    name: &str,
    stage: &str,
    version_id: &str,
) -> Result<(), ApiError> {
    local
        .execute(&Request::UpdateSecretStage {
            name: name.to_owned(),
            stage: stage.to_owned(),
            body: UpdateSecretStageRequest {
                version_id: version_id.to_owned(),
            },
        })
        .map(|_| ())
}

/// Sets the expiry of `name`'s `version_id` (Update Version; ms since the epoch).
pub(super) fn set_expiry(
    local: &dyn Execute,
    name: &str,
    version_id: &str,
    expire_time: i64,
) -> Result<(), ApiError> {
    local
        .execute(&Request::UpdateVersion {
            name: name.to_owned(),
            version_id: version_id.to_owned(),
            body: UpdateVersionRequest { expire_time },
        })
        .map(|_| ())
}

/// A secret to create locally with every version: (value, stages, expiry) oldest first.
pub(super) struct NewHistory<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub tags: &'a [SecretTag],
    pub versions: Vec<(&'a Value, &'a [String], Option<i64>)>,
}

/// Creates secrets with their versions in one Import Records batch under the default CMK; each
/// outcome in order (the new secret's id).
pub(super) fn create_with_versions(
    local: &dyn Execute,
    secrets: &[NewHistory<'_>],
) -> Result<Vec<Result<String, ApiError>>, ApiError> {
    if secrets.is_empty() {
        return Ok(Vec::new());
    }
    let mut records = Vec::with_capacity(secrets.len());
    for s in secrets {
        let mut versions = Vec::with_capacity(s.versions.len());
        for (value, stages, expire_time) in &s.versions {
            let (secret_string, secret_binary) = fields(value)?;
            versions.push(RecordVersion {
                version_id: None,
                secret_string,
                secret_binary,
                version_stages: stages.to_vec(),
                expire_time: *expire_time,
            });
        }
        records.push(SecretRecord {
            create: CreateSecretRequest {
                name: s.name.to_owned(),
                kms_key_id: Some(DEFAULT_KEY_ALIAS.to_owned()),
                description: Some(s.description.to_owned()),
                ..CreateSecretRequest::default()
            },
            tags: s
                .tags
                .iter()
                .map(|t| TagItem::new(t.key.clone(), t.value.clone()))
                .collect(),
            state: None,
            versions: Some(versions),
        });
    }
    import(local, records)
}

/// One Import Records batch; each outcome in order: the new secret's id (a name taken meanwhile
/// is an error).
fn import(
    local: &dyn Execute,
    records: Vec<SecretRecord>,
) -> Result<Vec<Result<String, ApiError>>, ApiError> {
    let request = Request::ImportRecords(ImportRecordsRequest {
        records,
        keys: KeyLookup::IdOrAlias,
        dry_run: false,
    });
    match local.execute(&request)? {
        Response::RecordsImported(done) => Ok(done
            .outcomes
            .into_iter()
            .map(|o| match o {
                ImportOutcome::Created(secret) => Ok(secret.id),
                ImportOutcome::AlreadyExists => Err(ApiError::invalid(
                    "Invalid name: a secret of that name was created locally meanwhile.",
                )),
                ImportOutcome::Failed(e) => Err(e),
            })
            .collect()),
        _ => Err(unexpected()),
    }
}

/// A request's `secret_string` and `secret_binary`.
type Fields = (Option<Zeroizing<String>>, Option<Zeroizing<String>>);

/// The request fields of a value: `secret_string` or `secret_binary` (base64).
fn fields(value: &Value) -> Result<Fields, ApiError> {
    match value.kind {
        ValueKind::Text => {
            let text = std::str::from_utf8(&value.bytes).map_err(|_| {
                ApiError::invalid("Invalid secret_string: the remote's text value is not UTF-8.")
            })?;
            Ok((Some(Zeroizing::new(text.to_owned())), None))
        }
        ValueKind::Binary => Ok((
            None,
            Some(Zeroizing::new(
                base64::engine::general_purpose::STANDARD.encode(&value.bytes[..]),
            )),
        )),
    }
}

/// A secret to create locally: its name, description, tags and current value.
pub(super) struct NewSecret<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub tags: &'a [SecretTag],
    pub value: &'a Value,
}

/// Creates secrets in one Import Records batch under the default CMK; each outcome in order:
/// the new secret's id (a name taken meanwhile is an error).
pub(super) fn create(
    local: &dyn Execute,
    secrets: &[NewSecret<'_>],
) -> Result<Vec<Result<String, ApiError>>, ApiError> {
    if secrets.is_empty() {
        return Ok(Vec::new());
    }
    let mut records = Vec::with_capacity(secrets.len());
    for s in secrets {
        let (secret_string, secret_binary) = fields(s.value)?;
        records.push(SecretRecord {
            create: CreateSecretRequest {
                name: s.name.to_owned(),
                kms_key_id: Some(DEFAULT_KEY_ALIAS.to_owned()),
                description: Some(s.description.to_owned()),
                secret_string,
                secret_binary,
                ..CreateSecretRequest::default()
            },
            tags: s
                .tags
                .iter()
                .map(|t| TagItem::new(t.key.clone(), t.value.clone()))
                .collect(),
            state: None,
            versions: None,
        });
    }
    import(local, records)
}

/// A new current version of `name` holding `value`; its id.
pub(super) fn new_version(
    local: &dyn Execute,
    name: &str,
    value: &Value,
) -> Result<String, ApiError> {
    let (secret_string, secret_binary) = fields(value)?;
    let request = Request::CreateSecretVersion {
        name: name.to_owned(),
        body: CreateSecretVersionRequest {
            secret_string,
            secret_binary,
            version_stages: None,
            expire_time: None,
        },
    };
    match local.execute(&request)? {
        Response::VersionMetadata(v) => Ok(v.version_metadata.id),
        _ => Err(unexpected()),
    }
}

/// `name`'s description and tags made `description` and `tags` (`had`: its tags now).
pub(super) fn set_metadata(
    local: &dyn Execute,
    name: &str,
    description: Option<&str>,
    (put, remove): (Vec<SecretTag>, Vec<String>),
) -> Result<(), ApiError> {
    if let Some(description) = description {
        local.execute(&Request::UpdateSecret {
            name: name.to_owned(),
            body: UpdateSecretRequest {
                description: Some(description.to_owned()),
                ..UpdateSecretRequest::default()
            },
            keys: KeyLookup::IdOrAlias,
        })?;
    }
    let secret = SecretRef::Name(name.to_owned());
    if !remove.is_empty() {
        local.execute(&Request::BatchCreateOrDeleteTags {
            secret: secret.clone(),
            body: BatchCreateOrDeleteTagsRequest::new(
                TagAction::Delete,
                remove
                    .into_iter()
                    .map(|k| TagItem {
                        key: k,
                        value: None,
                    })
                    .collect(),
            ),
        })?;
    }
    if !put.is_empty() {
        local.execute(&Request::BatchCreateOrDeleteTags {
            secret,
            body: BatchCreateOrDeleteTagsRequest::new(
                TagAction::Create,
                put.into_iter()
                    .map(|t| TagItem::new(t.key, t.value))
                    .collect(),
            ),
        })?;
    }
    Ok(())
}

/// Schedules `name`'s deletion (the default window: recoverable).
pub(super) fn schedule_delete(local: &dyn Execute, name: &str) -> Result<(), ApiError> {
    local
        .execute(&Request::DeleteSecretForSchedule {
            name: name.to_owned(),
            body: DeleteSecretForScheduleRequest::default(),
        })
        .map(|_| ())
}
