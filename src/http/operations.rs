//! Runs one routed request against the vault: parses its body as the API defines it, calls the
//! same `vault` operation the command line uses, and shapes the API's response.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::reply::Reply;
use super::routes::{Route, page_query};
use crate::csms::{
    ApiError, BatchGetSecretValueRequest, CreateSecretRequest, CreateSecretVersionRequest,
    DeleteSecretForScheduleRequest, GeneratePasswordRequest, SecretBlobResponse, SecretResponse,
    StageResponse, UpdateSecretRequest, UpdateSecretStageRequest, UpdateVersionRequest,
    UploadSecretBlobRequest, VersionMetadataResponse, VersionResponse, json_object, malformed_body,
    parse_body, refusal,
};
use crate::vault::{BatchOutcome, Vault, generate_password};

/// The reply to `route` with this query string and body; every failure is a CSMS error reply.
pub fn execute(vault: &Vault, route: &Route, query: &str, body: &[u8]) -> Reply {
    run(vault, route, query, body).unwrap_or_else(|e| Reply::error(&e))
}

fn run(vault: &Vault, route: &Route, query: &str, body: &[u8]) -> Result<Reply, ApiError> {
    Ok(match route {
        Route::CreateSecret => secret(vault.create_secret(&CreateSecretRequest::from_json(body)?)?),
        Route::ListSecrets => {
            let (limit, marker) = page_query(query)?;
            Reply::ok(&vault.list_secrets(limit, marker.as_deref())?)
        }
        Route::ShowSecret { name } => secret(vault.show_secret(name)?),
        Route::UpdateSecret { name } => {
            secret(vault.update_secret(name, &parse_body::<UpdateSecretRequest>(body)?)?)
        }
        Route::DeleteSecret { name } => {
            vault.delete_secret(name)?;
            Reply::no_content()
        }
        Route::CreateSecretVersion { name } => {
            let req: CreateSecretVersionRequest = parse_body(body)?;
            Reply::ok(&VersionMetadataResponse {
                version_metadata: vault.create_version(name, &req)?,
            })
        }
        Route::ListSecretVersions { name } => {
            let (limit, marker) = page_query(query)?;
            Reply::ok(&vault.list_versions(name, limit, marker.as_deref())?)
        }
        Route::ShowSecretVersion { name, version_id } => Reply::ok(&VersionResponse {
            version: vault.get_value(name, version_id)?,
        }),
        Route::UpdateVersion { name, version_id } => {
            let req: UpdateVersionRequest = parse_body(body)?;
            Reply::ok(&VersionMetadataResponse {
                version_metadata: vault.update_version(name, version_id, &req)?,
            })
        }
        Route::ShowSecretStage { name, stage } => Reply::ok(&StageResponse {
            stage: vault.show_stage(name, stage)?,
        }),
        Route::UpdateSecretStage { name, stage } => {
            let req: UpdateSecretStageRequest = parse_body(body)?;
            Reply::ok(&StageResponse {
                stage: vault.update_stage(name, stage, &req.version_id)?,
            })
        }
        Route::DeleteSecretStage { name, stage } => {
            vault.delete_stage(name, stage)?;
            Reply::no_content()
        }
        Route::DeleteSecretForSchedule { name } => {
            let req: DeleteSecretForScheduleRequest = optional_body(body)?;
            secret(vault.schedule_delete(name, &req)?)
        }
        Route::RestoreSecret { name } => secret(vault.restore_secret(name)?),
        Route::DownloadSecretBlob { name } => Reply::ok(&SecretBlobResponse {
            secret_blob: vault.download_blob(name)?,
        }),
        Route::UploadSecretBlob => {
            let req: UploadSecretBlobRequest = parse_body(body)?;
            secret(vault.upload_blob(&req.secret_blob)?)
        }
        Route::BatchGetSecretValue => {
            let req: BatchGetSecretValueRequest = parse_body(body)?;
            Reply::ok(&vault.batch_get_value(&req.secret_name_list)?)
        }
        Route::BatchImportSecrets => batch_import(vault, body)?,
        Route::GenerateRandomPassword => {
            let req: GeneratePasswordRequest = optional_body(body)?;
            Reply::ok(&generate_password(&req)?)
        }
    })
}

fn secret(secret: crate::csms::Secret) -> Reply {
    Reply::ok(&SecretResponse { secret })
}

/// A body the operation may go without (`Content-Length: 0`): absent means every field absent.
fn optional_body<T: for<'de> Deserialize<'de> + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.trim_ascii().is_empty() {
        Ok(T::default())
    } else {
        parse_body(body)
    }
}

/// `POST …/secrets/batch-import`: `{"secrets": [create bodies]}`.
#[derive(Deserialize)]
struct BatchImportRequest<'a> {
    #[serde(borrow)]
    secrets: Vec<&'a RawValue>,
}

/// `{"total", "success", "failed", "error_list": [{"name", "error_msg"}]}`.
#[derive(Serialize)]
struct BatchImportResponse {
    total: usize,
    success: usize,
    failed: usize,
    error_list: Vec<BatchImportError>,
}

#[derive(Serialize)]
struct BatchImportError {
    name: String,
    error_msg: String,
}

/// Creates every secret of the list in one transaction, each succeeding or failing alone (an
/// existing name fails as Create Secret would); the body itself must be well-formed.
fn batch_import(vault: &Vault, body: &[u8]) -> Result<Reply, ApiError> {
    let req: BatchImportRequest<'_> =
        serde_json::from_slice(json_object(body)?).map_err(|e| malformed_body(&e))?;
    let mut errors: Vec<(usize, BatchImportError)> = Vec::new();
    let mut parsed = Vec::with_capacity(req.secrets.len());
    for (i, raw) in req.secrets.iter().enumerate() {
        match CreateSecretRequest::from_json(raw.get().as_bytes()) {
            Ok(create) => parsed.push((i, create)),
            Err(e) => errors.push((i, failure(name_of(raw), e))),
        }
    }
    let (indices, creates): (Vec<usize>, Vec<CreateSecretRequest>) = parsed.into_iter().unzip();
    let outcomes = vault.create_secrets(&creates)?;
    for ((i, create), outcome) in indices.into_iter().zip(&creates).zip(outcomes) {
        let error = match outcome {
            BatchOutcome::Created(_) => continue,
            BatchOutcome::AlreadyExists => refusal::duplicate_name(&create.name),
            BatchOutcome::Failed(e) => e,
        };
        errors.push((i, failure(create.name.clone(), error)));
    }
    errors.sort_by_key(|(i, _)| *i);
    let error_list: Vec<BatchImportError> = errors.into_iter().map(|(_, e)| e).collect();
    let total = req.secrets.len();
    Ok(Reply::ok(&BatchImportResponse {
        total,
        success: total - error_list.len(),
        failed: error_list.len(),
        error_list,
    }))
}

fn failure(name: String, e: ApiError) -> BatchImportError {
    BatchImportError {
        name,
        error_msg: e.error_msg,
    }
}

/// The `name` of an entry that did not parse as a create body, if it has a string one.
fn name_of(raw: &RawValue) -> String {
    #[derive(Deserialize)]
    struct Named {
        name: String,
    }
    serde_json::from_str::<Named>(raw.get()).map_or_else(|_| String::new(), |n| n.name)
}
