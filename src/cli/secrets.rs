//! `csvault secret …`: every secret operation, each printing the API's response body.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::SecretCommand;
use super::input::read_bounded;
use super::output::{print_bytes, print_json, print_sensitive_json};
use super::values::{ValueArgs, key_id};
use crate::csms::{
    ApiError, CreateSecretRequest, DeleteSecretForScheduleRequest, ErrorCode, Secret,
    SecretBlobResponse, SecretResponse, SecretVersion, StageResponse, UpdateVersionRequest,
    VersionMetadataResponse, VersionResponse,
};
use crate::vault::Vault;

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "name", "kms_key_id", "description", "secret_string", "secret_string_file",
        "secret_binary", "secret_binary_file"
    ])]
    pub request: Option<PathBuf>,
    /// Secret name: 1–64 of a–z A–Z 0–9 . _ -
    #[arg(long, required_unless_present = "request")]
    pub name: Option<String>,
    /// CMK id or alias [default: csms/default]
    #[arg(long, value_name = "ID|ALIAS")]
    pub kms_key_id: Option<String>,
    /// At most 2,048 bytes
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
    #[command(flatten)]
    pub value: ValueArgs,
}

pub fn run(vault: &Vault, cmd: SecretCommand) -> Result<ExitCode, ApiError> {
    match cmd {
        SecretCommand::Create(args) => {
            let req = build_request(vault, args)?;
            print_secret(vault.create_secret(&req)?)?;
        }
        SecretCommand::List { limit, marker } => {
            print_json(&vault.list_secrets(Some(limit), marker.as_deref())?)?;
        }
        SecretCommand::Show { name } => print_secret(vault.show_secret(&name)?)?,
        SecretCommand::GetValue {
            name,
            version_id,
            raw,
        } => print_version(vault.get_value(&name, &version_id)?, raw)?,
        SecretCommand::Update(args) => {
            let name = args.name.clone();
            let req = args.request(vault)?;
            print_secret(vault.update_secret(&name, &req)?)?;
        }
        SecretCommand::CreateVersion(args) => {
            let name = args.name.clone();
            let req = args.request()?;
            let version_metadata = vault.create_version(&name, &req)?;
            print_json(&VersionMetadataResponse { version_metadata })?;
        }
        SecretCommand::ListVersions {
            name,
            limit,
            marker,
        } => print_json(&vault.list_versions(&name, Some(limit), marker.as_deref())?)?,
        SecretCommand::UpdateVersion {
            name,
            version_id,
            expire_time,
        } => {
            let req = UpdateVersionRequest { expire_time };
            let version_metadata = vault.update_version(&name, &version_id, &req)?;
            print_json(&VersionMetadataResponse { version_metadata })?;
        }
        SecretCommand::ShowStage { name, stage } => print_json(&StageResponse {
            stage: vault.show_stage(&name, &stage)?,
        })?,
        SecretCommand::UpdateStage {
            name,
            stage,
            version_id,
        } => print_json(&StageResponse {
            stage: vault.update_stage(&name, &stage, &version_id)?,
        })?,
        SecretCommand::DeleteStage { name, stage } => vault.delete_stage(&name, &stage)?,
        SecretCommand::ScheduleDelete {
            name,
            recovery_window_in_days,
        } => {
            let req = DeleteSecretForScheduleRequest {
                recovery_window_in_days: Some(i64::from(recovery_window_in_days)),
            };
            print_secret(vault.schedule_delete(&name, &req)?)?;
        }
        SecretCommand::Restore { name } => print_secret(vault.restore_secret(&name)?)?,
        SecretCommand::Delete { name } => vault.delete_secret(&name)?,
        SecretCommand::Enable { name } => print_secret(vault.set_secret_enabled(&name, true)?)?,
        SecretCommand::Disable { name } => print_secret(vault.set_secret_enabled(&name, false)?)?,
        SecretCommand::DownloadBlob { name } => print_json(&SecretBlobResponse {
            secret_blob: vault.download_blob(&name)?,
        })?,
        SecretCommand::UploadBlob(args) => {
            print_secret(vault.upload_blob(&args.request()?.secret_blob)?)?;
        }
        SecretCommand::BatchGetValue { names } => {
            print_sensitive_json(&vault.batch_get_value(&names)?)?;
        }
        SecretCommand::Import { file } => return super::import::run(vault, &file),
    }
    Ok(ExitCode::SUCCESS)
}

fn print_secret(secret: Secret) -> Result<(), ApiError> {
    print_json(&SecretResponse { secret })
}

/// `{"version": ...}`, or with `raw` the value alone: text as UTF-8, binary decoded, no newline.
fn print_version(version: SecretVersion, raw: bool) -> Result<(), ApiError> {
    if !raw {
        return print_sensitive_json(&VersionResponse { version });
    }
    if let Some(text) = &version.secret_string {
        return print_bytes(text.as_bytes());
    }
    let b64 = version.secret_binary.as_deref().map_or("", String::as_str);
    let bytes =
        Zeroizing::new(STANDARD.decode(b64).map_err(|_| {
            ApiError::new(ErrorCode::Internal, "A stored binary value is not base64.")
        })?);
    print_bytes(&bytes)
}

fn build_request(vault: &Vault, args: CreateArgs) -> Result<CreateSecretRequest, ApiError> {
    if let Some(path) = &args.request {
        return CreateSecretRequest::from_json(&read_bounded(path)?);
    }
    let (secret_string, secret_binary) = args.value.read()?;
    Ok(CreateSecretRequest {
        name: args.name.unwrap_or_default(),
        kms_key_id: key_id(vault, args.kms_key_id)?,
        description: args.description,
        secret_string,
        secret_binary,
        ..CreateSecretRequest::default()
    })
}
