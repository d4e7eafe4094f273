//! Reads: show, list (paged by name), every secret for browsing, a version's value, a secret's versions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Connection;
use zeroize::Zeroizing;

use super::{Vault, VaultResult, secret_of};
use crate::csms::{
    ApiError, DetailVersion, ErrorCode, KeyState, LATEST, ListSecretsResponse, PageInfo,
    STAGE_CURRENT, Secret, SecretDetail, SecretState, SecretVersion, SummaryPage, ValueKind,
    VersionMetadata, page_limit, summary_page_limit,
};
use crate::kms::ValueContext;
use crate::store::keys as key_rows;
use crate::store::secrets::{self as secret_rows, SecretRow};
use crate::store::versions::{self as version_rows, VersionSummary};

fn not_found(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::SecretNotFound,
        format!("The secret {name} does not exist."),
    )
}

/// The secret of that name, or `CSMS.0106`.
pub(super) fn secret_row(conn: &Connection, name: &str) -> VaultResult<SecretRow> {
    Ok(secret_rows::by_name(conn, name)?.ok_or_else(|| not_found(name))?)
}

pub(super) fn metadata(v: VersionSummary, secret_name: &str) -> VersionMetadata {
    VersionMetadata {
        id: v.version_id,
        create_time: v.create_time,
        expire_time: v.expire_time,
        kms_key_id: v.kms_key_id,
        secret_name: secret_name.to_owned(),
        version_stages: v.stages,
    }
}

impl Vault {
    /// Show Secret. `CSMS.0106` when there is no such secret.
    pub fn show_secret(&self, name: &str) -> VaultResult<Secret> {
        Ok(secret_of(secret_row(self.store().conn_ref(), name)?))
    }

    /// Whether a secret of that name exists: the form's duplicate-name check.
    pub fn name_exists(&self, name: &str) -> VaultResult<bool> {
        Ok(secret_rows::name_exists(self.store().conn_ref(), name)?)
    }

    /// List Secrets: sorted by name, `marker` exclusive, `limit` 1–1000 (default 50); the paging
    /// rules of docs/DECISIONS.md "lists". `CSMS.0002` for a bad limit or marker.
    pub fn list_secrets(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> VaultResult<ListSecretsResponse> {
        self.list_secrets_subscribed(limit, marker, None)
    }

    /// [`Vault::list_secrets`] of the secrets subscribed to `event_name` only (when given),
    /// filtered before paging: none if no such event (docs/DECISIONS.md "`ListSecrets` filters").
    pub fn list_secrets_subscribed(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
        event_name: Option<&str>,
    ) -> VaultResult<ListSecretsResponse> {
        let limit = page_limit(limit)?;
        let marker = super::rules::name_marker(marker)?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let mut rows = secret_rows::page(conn, marker, event_name, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let secrets: Vec<Secret> = rows.into_iter().map(secret_of).collect();
        let next_marker = more
            .then(|| secrets.last().map(|s| s.name.clone()))
            .flatten();
        let previous_marker = match secrets.first() {
            Some(first) => secret_rows::previous_marker(conn, &first.name, event_name, limit)?,
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
        Ok(secret_rows::all(self.store().conn_ref())?
            .into_iter()
            .map(secret_of)
            .collect())
    }

    /// A page of the terminal app's list: up to `limit` secrets (1–5,000, 2,000 when absent)
    /// after `marker` (exclusive, `""` for the first page), by name, with their tags, read in one
    /// snapshot; `next_marker` when more follow. `CSMS.0002` for a bad limit or marker.
    pub fn secret_summaries(
        &self,
        marker: Option<&str>,
        limit: Option<usize>,
    ) -> VaultResult<SummaryPage> {
        let limit = summary_page_limit(limit)?;
        let marker = super::rules::name_marker(marker)?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let mut summaries = secret_rows::summaries(&snapshot, marker, limit + 1)?;
        let more = summaries.len() > limit;
        summaries.truncate(limit);
        let next_marker = more
            .then(|| summaries.last().map(|s| s.name.clone()))
            .flatten();
        Ok(SummaryPage {
            summaries,
            next_marker,
        })
    }

    /// A secret with its versions and stages. `CSMS.0106` when there is no such secret.
    pub fn secret_detail(&self, name: &str) -> VaultResult<SecretDetail> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let row = secret_row(conn, name)?;
        let key_alias = key_rows::find_by_id(conn, &row.kms_key_id)?
            .map(|k| k.alias)
            .unwrap_or_default();
        let versions = version_rows::with_stages(conn, row.row_id)?
            .into_iter()
            .map(|v| DetailVersion {
                kind: v.kind,
                value_bytes: crate::kms::plaintext_len(v.sealed_bytes),
                metadata: metadata(v, &row.name),
            })
            .collect();
        let tags = crate::store::tags::of_secret(conn, row.row_id)?
            .into_iter()
            .map(|(key, value)| crate::csms::SecretTag { key, value })
            .collect();
        Ok(SecretDetail {
            secret: secret_of(row),
            key_alias,
            versions,
            tags,
        })
    }

    /// Show Secret Version: a version's metadata and its value (`latest` means SYSCURRENT).
    /// Errors: `CSMS.0106` no such secret, `CSMS.0109` not ENABLED, `CSMS.0005` no such version,
    /// `CSMS.0401` its CMK missing or disabled or its ciphertext altered.
    pub fn get_value(&self, name: &str, version_id: &str) -> VaultResult<SecretVersion> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let secret = secret_row(conn, name)?;
        self.read_version(conn, secret, version_id)
    }

    /// A version of `secret` with its value, as [`Vault::get_value`] answers.
    pub(super) fn read_version(
        &self,
        conn: &Connection,
        secret: SecretRow,
        version_id: &str,
    ) -> VaultResult<SecretVersion> {
        let name = secret.name.as_str();
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
            version_rows::version_of_stage(conn, secret.row_id, STAGE_CURRENT)?
                .ok_or_else(version_not_found)?
        } else {
            version_id.to_owned()
        };
        let row =
            version_rows::version(conn, secret.row_id, &resolved)?.ok_or_else(version_not_found)?;
        let key = key_rows::find_by_id(conn, &row.kms_key_id)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {} is missing.", row.kms_key_id),
            )
        })?;
        if key.state != KeyState::Enabled {
            return Err(ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {} ({}) is disabled.", key.key_id, key.alias),
            )
            .into());
        }
        let version_stages = version_rows::with_stages(conn, secret.row_id)?
            .into_iter()
            .find(|v| v.version_id == row.version_id)
            .map(|v| v.stages)
            .unwrap_or_default();
        let (secret_string, secret_binary) = self.open_version(conn, &secret.id, &row)?;
        Ok(SecretVersion {
            version_metadata: VersionMetadata {
                id: row.version_id,
                create_time: row.create_time,
                expire_time: row.expire_time,
                kms_key_id: row.kms_key_id,
                secret_name: secret.name,
                version_stages,
            },
            secret_string,
            secret_binary,
        })
    }

    /// The value of a stored version of the secret with id `secret_id`: `(secret_string, None)`
    /// for text, `(None, secret_binary)` (base64) for bytes. Errors: `CSMS.0401` its CMK
    /// missing or its ciphertext altered.
    pub(super) fn open_version(
        &self,
        conn: &Connection,
        secret_id: &str,
        row: &crate::store::VersionRow,
    ) -> VaultResult<OpenedValue> {
        self.load_key(conn, &row.kms_key_id)?;
        let ctx = ValueContext {
            secret_id,
            version_id: &row.version_id,
            key_id: &row.kms_key_id,
            kind: row.kind,
        };
        let sealed = crate::kms::SealedValue {
            wrapped_data_key: row.wrapped_data_key.clone(),
            ciphertext: row.ciphertext.clone(),
        };
        let plaintext = self.keyring.open_value(&ctx, &sealed)?;
        Ok(match row.kind {
            ValueKind::Binary => (None, Some(Zeroizing::new(STANDARD.encode(&*plaintext)))),
            ValueKind::Text => {
                let text = String::from_utf8(plaintext.to_vec()).map_err(|e| {
                    // The bytes authenticated, so this cannot happen short of a bug; wipe them.
                    drop(Zeroizing::new(e.into_bytes()));
                    ApiError::new(ErrorCode::Internal, "A stored text value is not UTF-8.")
                })?;
                (Some(Zeroizing::new(text)), None)
            }
        })
    }
}

/// A version's value: `(secret_string, secret_binary)`, exactly one of them set.
pub(super) type OpenedValue = (Option<Zeroizing<String>>, Option<Zeroizing<String>>);
