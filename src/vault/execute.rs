//! `Vault::execute`: the service's one entry point, a [`Request`] in and its [`Response`] out,
//! one arm per operation over the functions of `vault/<family>.rs`.

use super::{BatchOutcome, Vault, VaultResult, generate_password};
use crate::csms::op::{
    BatchImportError, BatchImportSecretsRequest, BatchImportSecretsResponse, ImportEntry,
    ImportOutcome, Request, Response,
};
use crate::csms::{
    ApiError, KeyResponse, ListKeysResponse, SecretBlobResponse, SecretResponse, StageResponse,
    VersionMetadataResponse, VersionResponse, refusal,
};

impl Vault {
    /// Runs one operation, in one transaction of its own (or as a savepoint of [`Vault::group`]).
    ///
    /// Errors: as the operation's own function says (the CSMS codes of docs/DECISIONS.md), and
    /// `VAULT.0005` when another process keeps the vault busy.
    pub fn execute(&self, request: &Request) -> VaultResult<Response> {
        let secret = |secret| Response::Secret(SecretResponse { secret });
        Ok(match request {
            Request::CreateSecret { body, keys } => secret(self.create_secret_as(body, *keys)?),
            Request::ListSecrets { limit, marker } => {
                Response::Secrets(self.list_secrets(*limit, marker.as_deref())?)
            }
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
            Request::SecretNameExists { name } => Response::NameTaken(self.name_exists(name)?),
            Request::KeyUsage => Response::KeyUsage(self.key_usage()?),
            Request::ListKeyChoices => Response::KeyChoices(self.key_choices()?),
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
                ImportEntry::Parsed(create) => Some(create),
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
                        .unwrap_or_else(|| BatchOutcome::Failed(lost_outcome())),
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

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::csms::op::KeyLookup;
    use crate::csms::{
        CreateSecretRequest, DEFAULT_KEY_ALIAS, ErrorCode, KeyState, UpdateSecretRequest,
    };

    fn vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let vault = Vault::init(&dir.path().join("v.db"), b"correct horse battery staple")
            .unwrap_or_else(|e| panic!("{e}"));
        (dir, vault)
    }

    fn create(name: &str, key: Option<&str>, keys: KeyLookup) -> Request {
        Request::CreateSecret {
            body: CreateSecretRequest {
                name: name.into(),
                kms_key_id: key.map(str::to_owned),
                secret_string: Some(Zeroizing::new("v".into())),
                ..CreateSecretRequest::default()
            },
            keys,
        }
    }

    fn code(result: VaultResult<Response>) -> Option<ErrorCode> {
        result.err().map(|e| e.to_api().code)
    }

    fn secret_key(response: VaultResult<Response>) -> String {
        match response {
            Ok(Response::Secret(s)) => s.secret.kms_key_id,
            other => panic!("not a secret: {other:?}"),
        }
    }

    #[test]
    fn the_command_line_names_a_key_by_alias_and_the_api_by_id_only() {
        let (_dir, vault) = vault();
        let key = vault
            .create_key("app/db", "")
            .unwrap_or_else(|e| panic!("{e}"));
        let by_alias = vault.execute(&create("a", Some("app/db"), KeyLookup::IdOrAlias));
        assert_eq!(secret_key(by_alias), key.key_id);
        let refused = vault.execute(&create("b", Some("app/db"), KeyLookup::Id));
        assert_eq!(code(refused), Some(ErrorCode::InvalidParameter));
        let by_id = vault.execute(&create("c", Some(&key.key_id), KeyLookup::Id));
        assert_eq!(secret_key(by_id), key.key_id);
        let unknown = vault.execute(&create("d", Some("app/none"), KeyLookup::IdOrAlias));
        assert_eq!(code(unknown), Some(ErrorCode::KeyUnusable));
    }

    #[test]
    fn csms_default_is_made_inside_the_update_that_names_it_and_not_when_it_fails() {
        let (_dir, vault) = vault();
        let key = vault
            .create_key("app/db", "")
            .unwrap_or_else(|e| panic!("{e}"));
        vault
            .execute(&create("a", Some(&key.key_id), KeyLookup::Id))
            .unwrap_or_else(|e| panic!("{e}"));
        let update = |name: &str| Request::UpdateSecret {
            name: name.into(),
            body: UpdateSecretRequest {
                kms_key_id: Some(DEFAULT_KEY_ALIAS.into()),
                description: None,
            },
            keys: KeyLookup::IdOrAlias,
        };
        assert_eq!(
            code(vault.execute(&update("missing"))),
            Some(ErrorCode::SecretNotFound)
        );
        let aliases = |v: &Vault| -> Vec<String> {
            v.list_keys()
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|k| k.key_alias)
                .collect()
        };
        assert_eq!(aliases(&vault), ["app/db"], "a failed update makes no key");
        let moved = secret_key(vault.execute(&update("a")));
        assert_eq!(aliases(&vault), ["app/db", DEFAULT_KEY_ALIAS]);
        assert_eq!(
            vault.find_key(DEFAULT_KEY_ALIAS).map(|k| k.key_id).ok(),
            Some(moved)
        );
    }

    #[test]
    fn an_unusable_key_is_reported_before_a_broken_description_or_value() {
        let (_dir, vault) = vault();
        let key = vault
            .create_key("app/db", "")
            .unwrap_or_else(|e| panic!("{e}"));
        vault
            .set_key_state(&key.key_id, KeyState::Disabled)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut broken = create("a", Some("app/db"), KeyLookup::IdOrAlias);
        if let Request::CreateSecret { body, .. } = &mut broken {
            body.description = Some("d".repeat(3000));
            body.secret_string = None;
        }
        assert_eq!(broken.problems().len(), 2, "description and value");
        assert_eq!(code(vault.execute(&broken)), Some(ErrorCode::KeyUnusable));
        let mut bad_name = broken.clone();
        if let Request::CreateSecret { body, .. } = &mut bad_name {
            body.name = "bad name".into();
        }
        assert_eq!(
            code(vault.execute(&bad_name)),
            Some(ErrorCode::InvalidParameter),
            "the name comes first"
        );
        let update = Request::UpdateSecret {
            name: "missing".into(),
            body: UpdateSecretRequest {
                kms_key_id: Some("00000000-0000-0000-0000-000000000000".into()),
                description: Some("d".repeat(3000)),
            },
            keys: KeyLookup::Id,
        };
        assert_eq!(code(vault.execute(&update)), Some(ErrorCode::KeyUnusable));
    }

    #[test]
    fn the_pickers_offer_the_default_key_before_it_exists_and_no_disabled_key() {
        let (_dir, vault) = vault();
        let off = vault
            .create_key("off", "")
            .unwrap_or_else(|e| panic!("{e}"));
        vault
            .set_key_state(&off.key_id, KeyState::Disabled)
            .unwrap_or_else(|e| panic!("{e}"));
        let on = vault.create_key("on", "").unwrap_or_else(|e| panic!("{e}"));
        let Ok(Response::KeyChoices(choices)) = vault.execute(&Request::ListKeyChoices) else {
            panic!("no choices");
        };
        let refs: Vec<&str> = choices.iter().map(|c| c.reference.as_str()).collect();
        assert_eq!(refs, [DEFAULT_KEY_ALIAS, on.key_id.as_str()]);
        // Naming it makes it; from then on it is offered by id.
        vault
            .execute(&create("a", Some(DEFAULT_KEY_ALIAS), KeyLookup::IdOrAlias))
            .unwrap_or_else(|e| panic!("{e}"));
        let Ok(Response::KeyChoices(choices)) = vault.execute(&Request::ListKeyChoices) else {
            panic!("no choices");
        };
        assert_eq!(choices.len(), 2);
        assert!(choices.iter().all(|c| c.reference != DEFAULT_KEY_ALIAS));
    }

    #[test]
    fn a_batch_import_answers_every_entry_in_input_order() {
        let (_dir, vault) = vault();
        vault
            .execute(&create("old", None, KeyLookup::Id))
            .unwrap_or_else(|e| panic!("{e}"));
        let body = br#"{"secrets": [{"name": "new", "secret_string": "v"}, 5,
            {"name": "old", "secret_string": "v"}, {"name": "bad name", "secret_string": "v"}]}"#;
        let request = BatchImportSecretsRequest::from_json(body).unwrap_or_else(|e| panic!("{e}"));
        let Ok(Response::Imported(answer)) = vault.execute(&Request::BatchImportSecrets(request))
        else {
            panic!("not an import answer");
        };
        assert_eq!((answer.total, answer.success, answer.failed), (4, 1, 3));
        let names: Vec<&str> = answer.error_list.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["", "old", "bad name"]);
        assert!(matches!(answer.outcomes[2], ImportOutcome::AlreadyExists));
        assert!(answer.error_list[1].error_msg.contains("already exists"));
    }
}
