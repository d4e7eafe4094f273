//! Reads: show, list (paged by name), every secret for browsing, a version's value, a secret's versions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::{Vault, VaultResult};
use crate::csms::{
    ApiError, ErrorCode, ListSecretsResponse, PageInfo, STAGE_CURRENT, Secret, SecretState,
    SecretVersion, VersionMetadata, validate_name,
};
use crate::kms::{KeyState, SealedValue, ValueContext};
use crate::store::keys as key_rows;
use crate::store::secrets as secret_rows;

pub const DEFAULT_PAGE_LIMIT: usize = 50;
pub const MAX_PAGE_LIMIT: usize = 1000;
/// The version id that means "the version holding SYSCURRENT".
pub const LATEST: &str = "latest";

/// A secret with every version's metadata: what the detail pane shows.
#[derive(Clone, Debug)]
pub struct SecretDetail {
    pub secret: Secret,
    pub key_alias: String,
    pub versions: Vec<VersionMetadata>,
}

fn not_found(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SecretNotFound,
        format!("The secret {name} does not exist."),
    )
}

impl Vault {
    /// Show Secret.
    pub fn show_secret(&self, name: &str) -> VaultResult<Secret> {
        Ok(secret_rows::by_name(self.store.conn_ref(), name)?
            .ok_or_else(|| not_found(name))?
            .secret)
    }

    /// Whether a secret of that name exists: the form's duplicate-name check.
    pub fn name_exists(&self, name: &str) -> VaultResult<bool> {
        Ok(secret_rows::name_exists(self.store.conn_ref(), name)?)
    }

    /// List Secrets: sorted by name, `marker` exclusive, `limit` 1–1000 (default 50).
    pub fn list_secrets(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> VaultResult<ListSecretsResponse> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_LIMIT);
        if !(1..=MAX_PAGE_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(format!(
                "Invalid limit: {limit}; it must be 1–{MAX_PAGE_LIMIT}."
            ))
            .into());
        }
        if let Some(problem) = marker.and_then(validate_name) {
            return Err(ApiError::invalid(format!("Invalid marker: {problem}.")).into());
        }
        let conn = self.store.conn_ref();
        let mut rows = secret_rows::page(conn, marker, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let secrets: Vec<Secret> = rows.into_iter().map(|r| r.secret).collect();
        let next_marker = more
            .then(|| secrets.last().map(|s| s.name.clone()))
            .flatten();
        let previous_marker = match secrets.first() {
            Some(first) => secret_rows::previous_marker(conn, &first.name, limit)?,
            None => None,
        };
        Ok(ListSecretsResponse {
            page_info: PageInfo {
                next_marker,
                previous_marker,
                current_count: secrets.len(),
            },
            secrets,
        })
    }

    /// Every secret, by name.
    pub fn all_secrets(&self) -> VaultResult<Vec<Secret>> {
        Ok(secret_rows::all(self.store.conn_ref())?)
    }

    /// A secret with its versions and stages.
    pub fn secret_detail(&self, name: &str) -> VaultResult<SecretDetail> {
        let conn = self.store.conn_ref();
        let row = secret_rows::by_name(conn, name)?.ok_or_else(|| not_found(name))?;
        let secret = row.secret.clone();
        let key_alias = key_rows::find_by_id(conn, &secret.kms_key_id)?
            .map(|k| k.key_alias)
            .unwrap_or_default();
        let versions = secret_rows::versions_with_stages(conn, &row)?
            .into_iter()
            .map(|v| VersionMetadata {
                id: v.version_id,
                create_time: v.create_time,
                expire_time: None,
                kms_key_id: v.kms_key_id,
                secret_name: secret.name.clone(),
                version_stages: v.stages,
            })
            .collect();
        Ok(SecretDetail {
            secret,
            key_alias,
            versions,
        })
    }

    /// Show Secret Version: a version's metadata and its value (`latest` means SYSCURRENT).
    pub fn get_value(&mut self, name: &str, version_id: &str) -> VaultResult<SecretVersion> {
        let conn = self.store.conn_ref();
        let secret_row = secret_rows::by_name(conn, name)?.ok_or_else(|| not_found(name))?;
        let secret = &secret_row.secret;
        if secret.state != SecretState::Enabled {
            return Err(ApiError::new(
                ErrorCode::SecretNotEnabled,
                format!(
                    "The secret {name} is {}; its value cannot be read.",
                    secret.state.as_str()
                ),
            )
            .into());
        }
        let version_not_found = || {
            ApiError::new(
                ErrorCode::VersionNotFound,
                format!("The secret {name} has no version {version_id}."),
            )
        };
        let resolved = if version_id == LATEST {
            secret_rows::version_of_stage(conn, &secret_row, STAGE_CURRENT)?
                .ok_or_else(version_not_found)?
        } else {
            version_id.to_owned()
        };
        let row =
            secret_rows::version(conn, &secret_row, &resolved)?.ok_or_else(version_not_found)?;
        let key = key_rows::find_by_id(conn, &row.kms_key_id)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {} is missing.", row.kms_key_id),
            )
        })?;
        if key.key_state != KeyState::Enabled {
            return Err(ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {} ({}) is disabled.", key.key_id, key.key_alias),
            )
            .into());
        }
        let version_stages = secret_rows::versions_with_stages(conn, &secret_row)?
            .into_iter()
            .find(|v| v.version_id == row.version_id)
            .map(|v| v.stages)
            .unwrap_or_default();
        self.load_key(&row.kms_key_id)?;
        let plaintext = self.open_version(
            &row.secret_id,
            &row.version_id,
            &row.kms_key_id,
            &row.value_kind,
            &row.sealed,
        )?;
        let (secret_string, secret_binary) = if row.value_kind == "binary" {
            (None, Some(Zeroizing::new(STANDARD.encode(&*plaintext))))
        } else {
            let text = String::from_utf8(plaintext.to_vec()).map_err(|e| {
                // The bytes authenticated, so this cannot happen short of a bug; wipe them anyway.
                drop(Zeroizing::new(e.into_bytes()));
                ApiError::new(ErrorCode::Internal, "A stored text value is not UTF-8.")
            })?;
            (Some(Zeroizing::new(text)), None)
        };
        Ok(SecretVersion {
            version_metadata: VersionMetadata {
                id: row.version_id,
                create_time: row.create_time,
                expire_time: row.expire_time,
                kms_key_id: row.kms_key_id,
                secret_name: secret.name.clone(),
                version_stages,
            },
            secret_string,
            secret_binary,
        })
    }

    fn open_version(
        &self,
        secret_id: &str,
        version_id: &str,
        key_id: &str,
        kind: &str,
        sealed: &SealedValue,
    ) -> VaultResult<Zeroizing<Vec<u8>>> {
        let ctx = ValueContext {
            secret_id,
            version_id,
            key_id,
            kind,
        };
        Ok(self.keyring.open_value(&ctx, sealed)?)
    }
}
