//! `ExportSecrets`: a page of the whole-vault export, every secret as issue 16's JSON Lines
//! record (CMK alias, tags, settings, state, the value or every version), read in one snapshot.
//!
//! A DISABLED secret's value is exported too (it is the owner's whole-vault export, unlocked
//! with the passphrase); secrets pending deletion are left out and counted.

use std::collections::HashMap;

use super::{Vault, VaultResult};
use crate::csms::{
    ApiError, DEFAULT_EXPORT_PAGE, ExportPage, MAX_EXPORT_PAGE, RecordVersion, SecretRecord,
    SecretState, SecretTag, refusal,
};
use crate::store::versions as version_rows;
use crate::store::{SecretRow, keys as key_rows, secrets as secret_rows, tags as tag_rows};

const STAGE_CURRENT: &str = "SYSCURRENT";

impl Vault {
    /// Up to `limit` secrets (1–1,000, 100 when absent) after `marker` (a name, exclusive;
    /// `""` or none for the first page), by name, as export records with their values: the
    /// `SYSCURRENT` value, or with `all_versions` every version oldest first with its stages and
    /// expiry. `next_marker` when more follow.
    ///
    /// Errors: `CSMS.0002` a bad limit or marker; `CSMS.0401` a value whose CMK is missing or
    /// whose ciphertext was altered.
    pub fn export_page(
        &self,
        marker: Option<&str>,
        limit: Option<usize>,
        all_versions: bool,
    ) -> VaultResult<ExportPage> {
        let limit = limit.unwrap_or(DEFAULT_EXPORT_PAGE);
        if !(1..=MAX_EXPORT_PAGE).contains(&limit) {
            return Err(ApiError::invalid(format!(
                "Invalid limit: {limit}; it must be 1–{MAX_EXPORT_PAGE}."
            ))
            .into());
        }
        let marker = super::rules::name_marker(marker)?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let mut rows = secret_rows::page(conn, marker, None, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_marker = more.then(|| rows.last().map(|r| r.name.clone())).flatten();
        let mut aliases: HashMap<String, String> = HashMap::new();
        let mut page = ExportPage {
            records: Vec::with_capacity(rows.len()),
            next_marker,
            pending_deletion: 0,
        };
        for row in rows {
            if matches!(row.state, SecretState::PendingDelete | SecretState::Frozen) {
                page.pending_deletion += 1;
                continue;
            }
            if !aliases.contains_key(&row.kms_key_id) {
                let alias = key_rows::find_by_id(conn, &row.kms_key_id)?
                    .map_or_else(|| row.kms_key_id.clone(), |k| k.alias);
                aliases.insert(row.kms_key_id.clone(), alias);
            }
            let alias = aliases.get(&row.kms_key_id).cloned();
            page.records
                .push(self.record_of(conn, &row, alias, all_versions)?);
        }
        Ok(page)
    }

    /// One secret's record.
    fn record_of(
        &self,
        conn: &rusqlite::Connection,
        row: &SecretRow,
        alias: Option<String>,
        all_versions: bool,
    ) -> VaultResult<SecretRecord> {
        let tags: Vec<SecretTag> = tag_rows::of_secret(conn, row.row_id)?
            .into_iter()
            .map(|(key, value)| SecretTag { key, value })
            .collect();
        let settings = &row.settings;
        let mut record = SecretRecord {
            name: row.name.clone(),
            kms_key_id: alias,
            description: row.description.clone().filter(|d| !d.is_empty()),
            secret_type: Some(row.secret_type.clone()),
            auto_rotation: Some(settings.auto_rotation),
            rotation_period: settings.rotation_period.clone(),
            rotation_config: settings.rotation_config.clone(),
            rotation_func_urn: settings.rotation_func_urn.clone(),
            enterprise_project_id: Some(settings.enterprise_project_id.clone()),
            event_subscriptions: (!settings.event_subscriptions.is_empty())
                .then(|| settings.event_subscriptions.clone()),
            tags: (!tags.is_empty()).then_some(tags),
            state: (row.state == SecretState::Disabled).then(|| "DISABLED".to_owned()),
            ..SecretRecord::default()
        };
        if all_versions {
            let stages: HashMap<String, Vec<String>> = version_rows::with_stages(conn, row.row_id)?
                .into_iter()
                .map(|v| (v.version_id, v.stages))
                .collect();
            let mut versions = Vec::new();
            for (_, version) in version_rows::all(conn, row.row_id)? {
                let (secret_string, secret_binary) = self.open_version(conn, &row.id, &version)?;
                versions.push(RecordVersion {
                    version_stages: stages.get(&version.version_id).cloned().unwrap_or_default(),
                    version_id: Some(version.version_id),
                    secret_string,
                    secret_binary,
                    expire_time: version.expire_time,
                });
            }
            record.versions = Some(versions);
        } else {
            let current = version_rows::version_of_stage(conn, row.row_id, STAGE_CURRENT)?
                .ok_or_else(|| refusal::no_stage(&row.name, STAGE_CURRENT))?;
            let version = version_rows::version(conn, row.row_id, &current)?
                .ok_or_else(|| refusal::no_stage(&row.name, STAGE_CURRENT))?;
            let (secret_string, secret_binary) = self.open_version(conn, &row.id, &version)?;
            record.secret_string = secret_string;
            record.secret_binary = secret_binary;
        }
        Ok(record)
    }
}
