//! Versions: Create Secret Version (with the `SYSCURRENT`/`SYSPREVIOUS` moves, the stage quota and
//! the 20-version cap), List Secret Versions, Update Version (docs/DECISIONS.md "Versions, stages").

use super::notify::fire;
use crate::csms::EventType;
use rusqlite::Connection;
use std::collections::BTreeSet;

use super::create::{find_key_ref, make_ready};
use super::read::{metadata, secret_row};
use super::rules::require_enabled;
use super::seal::{RequestValue, VersionPlace, seal_version};
use super::{Vault, VaultResult};
use crate::csms::op::KeyLookup;
use crate::csms::{
    ApiError, CreateSecretVersionRequest, ErrorCode, ListSecretVersionsResponse, MAX_STAGES,
    MAX_VERSIONS, PageInfo, STAGE_CURRENT, STAGE_PREVIOUS, UpdateVersionRequest, VersionMetadata,
    first_problem, page_limit, refusal, version_number,
};
use crate::store::secrets as secret_rows;
use crate::store::versions as version_rows;
use crate::store::{NewVersion, SecretRow, StoreError};

impl Vault {
    /// Create Secret Version. Without `version_stages` the new version takes `SYSCURRENT` and the
    /// version that had it takes `SYSPREVIOUS`; with them it carries exactly those (a listed
    /// `SYSCURRENT` moves `SYSPREVIOUS` the same way). A 21st version removes the oldest version
    /// without a stage. Errors: `CSMS.0002` a broken rule or 20 versions all staged, `CSMS.0106`,
    /// `CSMS.0109` not ENABLED, `CSMS.0203` a 13th stage, `CSMS.0401` the secret's CMK unusable.
    pub fn create_version(
        &self,
        name: &str,
        req: &CreateSecretVersionRequest,
    ) -> VaultResult<VersionMetadata> {
        first_problem(&req.problems())?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        require_enabled(&secret, "it cannot take a new version")?;
        let meta = self.add_version(
            &tx,
            &mut secret,
            &NewValue {
                value: RequestValue {
                    secret_string: req.secret_string.as_ref(),
                    secret_binary: req.secret_binary.as_ref(),
                },
                stages: new_stages(req),
                expire_time: req.expire_time,
            },
            self.now_ms(),
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(meta)
    }

    /// A new version of `secret` (already checked: it exists and is `ENABLED`) in the open
    /// transaction `conn`, at `now` (epoch ms): sealed under the secret's CMK, carrying
    /// `new.stages` (a `SYSCURRENT` among them moves `SYSPREVIOUS` to the version that had it),
    /// the 21st version removing the oldest without a stage; `update_time` moves and
    /// `SECRET_VERSION_CREATED` fires. What Create Secret Version and a rotation share. `secret`
    /// is saved as it is (with whatever else the caller changed). Errors: `CSMS.0002` 20
    /// versions all staged, `CSMS.0203` a 13th stage, `CSMS.0401` the CMK unusable.
    pub(super) fn add_version(
        &self,
        conn: &Connection,
        secret: &mut SecretRow,
        new: &NewValue<'_>,
        now: i64,
    ) -> VaultResult<VersionMetadata> {
        let found = find_key_ref(conn, Some(&secret.kms_key_id), KeyLookup::Id)?;
        let key = make_ready(conn, &self.keyring, found, now)?;
        let seq = version_rows::next_seq(conn, secret.row_id)?;
        let version_id = format!("v{seq}");
        let previous_to = moved_previous(conn, secret, &new.stages)?;
        check_quota(conn, secret, &new.stages, previous_to.is_some())?;
        let row = seal_version(
            &self.keyring,
            &VersionPlace {
                secret_id: &secret.id,
                version_id: &version_id,
                key_id: &key.key_id,
                create_time: now,
                expire_time: new.expire_time,
            },
            new.value,
        )?;
        let stage_refs: Vec<&str> = new.stages.iter().map(String::as_str).collect();
        version_rows::insert(
            conn,
            secret.row_id,
            &NewVersion {
                row: &row,
                seq,
                stages: &stage_refs,
            },
        )?;
        if let Some(old_current) = previous_to {
            version_rows::set_stage(conn, secret.row_id, STAGE_PREVIOUS, &old_current, now)?;
        }
        prune(conn, secret)?;
        secret.update_time = now;
        secret_rows::save(conn, secret)?;
        fire(
            conn,
            secret,
            EventType::SecretVersionCreated,
            Some(&version_id),
            now,
        )?;
        version_metadata(conn, secret, &version_id)
    }

    /// List Secret Versions: oldest first, paged by version id like List Secrets by name
    /// (`marker` exclusive, `""` the first page, `limit` 1–1000, default 50). Errors: `CSMS.0002`
    /// a bad limit or marker, `CSMS.0106`.
    pub fn list_versions(
        &self,
        name: &str,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> VaultResult<ListSecretVersionsResponse> {
        let limit = page_limit(limit)?;
        let after = match marker.filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => Some(version_number(m).ok_or_else(|| {
                ApiError::invalid(format!(
                    "Invalid marker: {m:?} is not a version id (v1, v2, …)."
                ))
            })?),
        };
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let secret = secret_row(conn, name)?;
        let mut rows = version_rows::page(conn, secret.row_id, after, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let first_seq = rows.first().and_then(|v| version_number(&v.version_id));
        let version_metadatas: Vec<VersionMetadata> = rows
            .into_iter()
            .map(|v| metadata(v, &secret.name))
            .collect();
        let next_marker = more
            .then(|| version_metadatas.last().map(|v| v.id.clone()))
            .flatten();
        let previous_marker = match first_seq {
            Some(first) => version_rows::previous_marker(conn, secret.row_id, first, limit)?,
            None => None,
        };
        Ok(ListSecretVersionsResponse {
            page_info: PageInfo {
                next_marker,
                previous_marker,
                current_count: version_metadatas.len(),
            },
            version_metadatas,
        })
    }

    /// Update Version: sets a version's `expire_time` (epoch ms; informational, an expired version
    /// stays readable). Errors: `CSMS.0002`, `CSMS.0106`, `CSMS.0109` not ENABLED, `CSMS.0005`.
    pub fn update_version(
        &self,
        name: &str,
        version_id: &str,
        req: &UpdateVersionRequest,
    ) -> VaultResult<VersionMetadata> {
        first_problem(&req.problems())?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let secret = secret_row(&tx, name)?;
        require_enabled(&secret, "its versions cannot be updated")?;
        if !version_rows::set_expire_time(&tx, secret.row_id, version_id, req.expire_time)? {
            return Err(refusal::no_version(name, version_id).into());
        }
        let meta = version_metadata(&tx, &secret, version_id)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(meta)
    }
}

/// A new version's value, stages (each once) and expiry (epoch ms), for
/// [`Vault::add_version`].
pub(super) struct NewValue<'a> {
    pub value: RequestValue<'a>,
    pub stages: Vec<String>,
    pub expire_time: Option<i64>,
}

/// The stages a new version takes, each once, in the order given (`SYSCURRENT` by default).
fn new_stages(req: &CreateSecretVersionRequest) -> Vec<String> {
    match &req.version_stages {
        None => vec![STAGE_CURRENT.to_owned()],
        Some(list) => {
            let mut seen = BTreeSet::new();
            list.iter()
                .filter(|s| seen.insert(s.as_str()))
                .cloned()
                .collect()
        }
    }
}

/// Where `SYSPREVIOUS` goes when `stages` take `SYSCURRENT` from another version: that version
/// (unless `SYSPREVIOUS` is itself among `stages`).
pub(super) fn moved_previous(
    conn: &Connection,
    secret: &SecretRow,
    stages: &[String],
) -> VaultResult<Option<String>> {
    let takes = |s: &str| stages.iter().any(|t| t == s);
    if !takes(STAGE_CURRENT) || takes(STAGE_PREVIOUS) {
        return Ok(None);
    }
    Ok(version_rows::version_of_stage(
        conn,
        secret.row_id,
        STAGE_CURRENT,
    )?)
}

/// `CSMS.0203` when `stages` (and `SYSPREVIOUS`, if it moves) would give the secret more than 12
/// distinct stages. Moving a stage that exists is no add.
pub(super) fn check_quota(
    conn: &Connection,
    secret: &SecretRow,
    stages: &[String],
    previous_moves: bool,
) -> VaultResult<()> {
    let mut all: BTreeSet<String> = version_rows::stages(conn, secret.row_id)?
        .into_iter()
        .map(|s| s.stage)
        .collect();
    all.extend(stages.iter().cloned());
    if previous_moves {
        all.insert(STAGE_PREVIOUS.to_owned());
    }
    if all.len() > MAX_STAGES {
        return Err(ApiError::new(
            ErrorCode::StageQuota,
            format!(
                "The secret {} would have {} stages; at most {MAX_STAGES} are allowed.",
                secret.name,
                all.len()
            ),
        )
        .into());
    }
    Ok(())
}

/// Removes the oldest version without a stage while the secret has more than 20; `CSMS.0002`
/// when every version carries a stage.
fn prune(conn: &Connection, secret: &SecretRow) -> VaultResult<()> {
    while version_rows::count(conn, secret.row_id)? > MAX_VERSIONS {
        let Some(oldest) = version_rows::oldest_unstaged(conn, secret.row_id)? else {
            return Err(ApiError::invalid(format!(
                "The secret {} has {MAX_VERSIONS} versions, each with a stage; remove a stage first.",
                secret.name
            ))
            .into());
        };
        version_rows::delete(conn, secret.row_id, &oldest)?;
    }
    Ok(())
}

/// One version's metadata with its stages; `CSMS.0005` when there is no such version.
pub(super) fn version_metadata(
    conn: &Connection,
    secret: &SecretRow,
    version_id: &str,
) -> VaultResult<VersionMetadata> {
    version_rows::with_stages(conn, secret.row_id)?
        .into_iter()
        .find(|v| v.version_id == version_id)
        .map(|v| metadata(v, &secret.name))
        .ok_or_else(|| refusal::no_version(&secret.name, version_id).into())
}
