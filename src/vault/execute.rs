//! `Vault::execute`: the service's one entry point, a [`Request`] in and its [`Response`] out,
//! one arm per operation over the functions of `vault/<family>.rs`.

use super::{Vault, VaultResult, generate_password};
use crate::csms::EventResponse;
use crate::csms::op::cloud_refusal::{Owner, cloud_only, no_user};
use crate::csms::op::{
    AgencyResponse, BatchImportError, BatchImportSecretsRequest, BatchImportSecretsResponse,
    FunctionTemplatesResponse, ImportEntry, ImportOutcome, ListGrantsResponse, ListUsersResponse,
    Request, Response,
};
use crate::csms::{
    ApiError, KeyResponse, ListKeysResponse, SecretBlobResponse, SecretResponse, StageResponse,
    VersionMetadataResponse, VersionResponse, refusal,
};

impl crate::csms::op::Execute for Vault {
    fn execute(&self, request: &Request) -> Result<Response, ApiError> {
        Vault::execute(self, request).map_err(|e| e.to_api())
    }
}

impl Vault {
    /// Runs one operation, in one transaction of its own (or as a savepoint of [`Vault::group`]).
    ///
    /// Errors: as the operation's own function says (the CSMS codes of docs/DECISIONS.md), and
    /// `VAULT.0005` when another process keeps the vault busy.
    pub fn execute(&self, request: &Request) -> VaultResult<Response> {
        let response = self.run(request);
        if request.writes() && super::notify::delivers() {
            // What it fired is delivered once committed: now, or at its group's commit.
            super::notify::wake(&self.path());
        }
        response
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one arm per operation, each a call: the list of operations is the point"
    )]
    fn run(&self, request: &Request) -> VaultResult<Response> {
        let secret = |secret| Response::Secret(SecretResponse { secret });
        let event = |event| Response::Event(EventResponse { event });
        Ok(match request {
            Request::CreateSecret { body, keys } => secret(self.create_secret_as(body, *keys)?),
            Request::ListSecrets {
                limit,
                marker,
                event_name,
            } => Response::Secrets(self.list_secrets_subscribed(
                *limit,
                marker.as_deref(),
                event_name.as_deref(),
            )?),
            Request::ShowSecret { name } => secret(self.show_secret(name)?),
            Request::UpdateSecret { name, body, keys } => {
                secret(self.update_secret_as(name, body, *keys)?)
            }
            Request::DeleteSecret { name } => {
                self.delete_secret(name)?;
                Response::NoContent
            }
            Request::CreateSecretVersion { name, body } => {
                Response::VersionMetadata(VersionMetadataResponse {
                    version_metadata: self.create_version(name, body)?,
                })
            }
            Request::ListSecretVersions {
                name,
                limit,
                marker,
            } => Response::VersionMetadatas(self.list_versions(name, *limit, marker.as_deref())?),
            Request::ShowSecretVersion { name, version_id } => Response::Version(VersionResponse {
                version: self.get_value(name, version_id)?,
            }),
            Request::UpdateVersion {
                name,
                version_id,
                body,
            } => Response::VersionMetadata(VersionMetadataResponse {
                version_metadata: self.update_version(name, version_id, body)?,
            }),
            Request::ShowSecretStage { name, stage } => Response::Stage(StageResponse {
                stage: self.show_stage(name, stage)?,
            }),
            Request::UpdateSecretStage { name, stage, body } => Response::Stage(StageResponse {
                stage: self.update_stage(name, stage, &body.version_id)?,
            }),
            Request::DeleteSecretStage { name, stage } => {
                self.delete_stage(name, stage)?;
                Response::NoContent
            }
            Request::DeleteSecretForSchedule { name, body } => {
                secret(self.schedule_delete(name, body)?)
            }
            Request::RestoreSecret { name } => secret(self.restore_secret(name)?),
            Request::DownloadSecretBlob { name } => Response::SecretBlob(SecretBlobResponse {
                secret_blob: self.download_blob(name)?,
            }),
            Request::UploadSecretBlob(body) => secret(self.upload_blob(&body.secret_blob)?),
            Request::BatchGetSecretValue(body) => {
                Response::Values(self.batch_get_value(&body.secret_name_list)?)
            }
            Request::BatchImportSecrets(body) => Response::Imported(self.batch_import(body)?),
            Request::ImportRecords(body) => Response::RecordsImported(self.import_records(body)?),
            Request::GenerateRandomPassword(body) => Response::Password(generate_password(body)?),
            Request::SetSecretEnabled { name, enabled } => {
                secret(self.set_secret_enabled(name, *enabled)?)
            }
            Request::CreateKey(body) => Response::Key(KeyResponse {
                key_info: self.create_key(&body.key_alias, &body.key_description)?,
            }),
            Request::ListKeys => Response::Keys(ListKeysResponse::new(self.list_keys()?)),
            Request::SetKeyState { key, state } => Response::Key(KeyResponse {
                key_info: self.set_key_state(key, *state)?,
            }),
            Request::ShowSecretDetail { name } => Response::Detail(self.secret_detail(name)?),
            Request::ListAllSecrets => Response::AllSecrets(self.all_secrets()?),
            Request::ListSecretSummaries { marker, limit } => {
                Response::Summaries(self.secret_summaries(marker.as_deref(), *limit)?)
            }
            Request::SecretNameExists { name } => Response::NameTaken(self.name_exists(name)?),
            Request::KeyUsage => Response::KeyUsage(self.key_usage()?),
            Request::ListKeyChoices => Response::KeyChoices(self.key_choices()?),
            // Huawei Cloud's own operations: what a local vault has of them (nothing).
            Request::ListGrants { .. } => Response::Grants(ListGrantsResponse::default()),
            Request::CreateGrants => return Err(cloud_only("CreateGrants", Owner::Grants).into()),
            Request::UpdateGrant => return Err(cloud_only("UpdateGrant", Owner::Grants).into()),
            Request::DeleteGrant => return Err(cloud_only("DeleteGrant", Owner::Grants).into()),
            Request::ShowAgency { .. } => Response::Agency(AgencyResponse::default()),
            Request::CreateAgency => {
                return Err(cloud_only("CreateAgency", Owner::FunctionGraph).into());
            }
            Request::ListUsers(_) => Response::Users(ListUsersResponse::default()),
            Request::ShowUserDetail { .. } => return Err(no_user().into()),
            Request::UpdateUserPassword => {
                return Err(cloud_only("UpdateUserPassword", Owner::Users).into());
            }
            Request::ShowSecretFunctionTemplates(_) => {
                Response::FunctionTemplates(FunctionTemplatesResponse::default())
            }
            Request::ListProjects(query) => Response::Projects(self.list_projects(query)),
            // Rotation.
            Request::RotateSecret { name } => Response::Rotated(self.rotate_secret(name)?),
            Request::ListSecretTask(query) => Response::Tasks(self.list_tasks(query)?),
            Request::Housekeeping => Response::Housekeeping(self.housekeeping()?),
            // Events and notification records (issue 14).
            Request::CreateSecretEvent(body) => event(self.create_event(body)?),
            Request::ShowSecretEvent { name } => event(self.show_event(name)?),
            Request::UpdateSecretEvent { name, body } => event(self.update_event(name, body)?),
            Request::DeleteSecretEvent { name } => {
                self.delete_event(name)?;
                Response::NoContent
            }
            Request::ListSecretEvents { limit, marker } => {
                Response::Events(self.list_events(*limit, marker.as_deref())?)
            }
            Request::ListNotificationRecords { limit, marker } => {
                Response::Records(self.list_records(*limit, marker.as_deref())?)
            }
            Request::UnreadNotifications => Response::Unread(self.unread_records()?),
            Request::MarkNotificationsSeen => {
                self.mark_records_seen()?;
                Response::Unread(0)
            }
            // Tags (issue 14): vault/tags.rs.
            Request::CreateSecretTag { .. }
            | Request::DeleteSecretTag { .. }
            | Request::ListSecretTags { .. }
            | Request::BatchCreateOrDeleteTags { .. }
            | Request::ListProjectSecretsTags
            | Request::ListResourceInstances(_)
            | Request::ListSecretsFiltered { .. }
            | Request::ListAllTags => self.execute_tags(request)?,
            // Checks and the health report (issue 14).
            Request::ShowSecretsConfig => Response::SecretsConfig(self.secrets_config()?),
            Request::UpdateSecretsConfig(body) => {
                Response::SecretsConfig(self.update_secrets_config(body)?)
            }
            Request::CheckSecrets(body) => Response::Strength(super::check_secret(body)?),
            Request::HealthReport(windows) => {
                Response::HealthReport(Box::new(self.health_report(windows)?))
            }
            Request::UpdateReportSettings(windows) => {
                Response::ReportSettings(self.update_report_settings(windows)?)
            }
            // Backup and export (issue 16).
            Request::BackupVault(body) => Response::Backup(self.backup(body)?),
            Request::ExportSecrets {
                marker,
                limit,
                all_versions,
            } => {
                Response::ExportPage(self.export_page(marker.as_deref(), *limit, *all_versions)?)
            }
            Request::AddRemote(spec) => Response::Remote(self.add_remote(spec)?),
            Request::ListRemotes => Response::Remotes(self.list_remotes()?),
            Request::RemoveRemote { name } => {
                self.remove_remote(name)?;
                Response::NoContent
            }
            Request::OpenRemote { name } => Response::OpenedRemote(self.open_remote(name)?),
            Request::SyncView { remote, names } => {
                Response::SyncView(self.sync_view(remote, names.as_deref())?)
            }
            Request::SaveSyncState(update) => {
                self.save_sync_state(update)?;
                Response::NoContent
            }
        })
    }

    /// Batch Import Secrets: every readable entry created in one transaction, each succeeding or
    /// failing alone; a name already in the vault fails as Create Secret's duplicate does.
    /// `outcomes` tells a local edge which entries were already there.
    fn batch_import(
        &self,
        req: &BatchImportSecretsRequest,
    ) -> VaultResult<BatchImportSecretsResponse> {
        let parsed: Vec<_> = req
            .secrets
            .iter()
            .filter_map(|e| match e {
                ImportEntry::Parsed(create) => Some(&**create),
                ImportEntry::Unreadable { .. } => None,
            })
            .collect();
        let mut outcomes_of_parsed = self.create_secrets_as(&parsed, req.keys)?.into_iter();
        let mut outcomes = Vec::with_capacity(req.secrets.len());
        let mut error_list = Vec::new();
        for entry in &req.secrets {
            let (name, outcome) = match entry {
                ImportEntry::Parsed(create) => (
                    create.name.as_str(),
                    outcomes_of_parsed
                        .next()
                        .unwrap_or_else(|| ImportOutcome::Failed(lost_outcome())),
                ),
                ImportEntry::Unreadable { name, error } => {
                    (name.as_str(), ImportOutcome::Failed(error.clone()))
                }
            };
            let error = match &outcome {
                ImportOutcome::Created(_) => None,
                ImportOutcome::AlreadyExists => Some(refusal::duplicate_name(name)),
                ImportOutcome::Failed(e) => Some(e.clone()),
            };
            if let Some(e) = error {
                error_list.push(BatchImportError {
                    name: name.to_owned(),
                    error_msg: e.error_msg,
                });
            }
            outcomes.push(outcome);
        }
        let total = req.secrets.len();
        Ok(BatchImportSecretsResponse {
            total,
            success: total - error_list.len(),
            failed: error_list.len(),
            error_list,
            outcomes,
        })
    }
}

/// An entry `create_secrets` gave no outcome for; it answers one per request, so this is a bug.
fn lost_outcome() -> ApiError {
    ApiError::new(
        crate::csms::ErrorCode::Internal,
        "The batch lost an entry's outcome.",
    )
}
