//! Secret, version and stage rows.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;
use crate::csms::{Secret, SecretState};
use crate::kms::SealedValue;

/// A secret as stored: the API record plus the next version number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    /// The internal row id versions and stages refer to (0 before insertion).
    pub row_id: i64,
    pub secret: Secret,
    /// Description as stored: `None` when the request had none.
    pub description: Option<String>,
}

/// A version as stored: metadata and the sealed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    pub secret_id: String,
    pub version_id: String,
    pub kms_key_id: String,
    pub value_kind: String,
    pub sealed: SealedValue,
    pub create_time: i64,
    pub expire_time: Option<i64>,
}

/// A version's metadata and stages, without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSummary {
    pub version_id: String,
    pub create_time: i64,
    pub kms_key_id: String,
    pub stages: Vec<String>,
}

/// A version to insert, with the stages it takes.
pub struct NewVersion<'a> {
    pub row: &'a VersionRow,
    pub seq: i64,
    pub stages: &'a [&'a str],
}

const SECRET_COLUMNS: &str = "id, name, state, kms_key_id, description, secret_type, create_time,
    update_time, scheduled_delete_time, row_id";

fn secret_from_row(r: &Row<'_>) -> rusqlite::Result<SecretRow> {
    let description: Option<String> = r.get(4)?;
    Ok(SecretRow {
        row_id: r.get(9)?,
        secret: secret_with_description(r, description.clone().unwrap_or_default())?,
        description,
    })
}

/// The API record of a row; `description` is `""` when none was stored.
fn secret_with_description(r: &Row<'_>, description: String) -> rusqlite::Result<Secret> {
    // Borrowed, not allocated: this runs once per secret when the app loads a large vault.
    let state = r.get_ref(2)?.as_str()?;
    Ok(Secret {
        id: r.get(0)?,
        name: r.get(1)?,
        state: SecretState::parse(state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                "secret state".into(),
            )
        })?,
        kms_key_id: r.get(3)?,
        description,
        secret_type: r.get(5)?,
        create_time: r.get(6)?,
        update_time: r.get(7)?,
        scheduled_delete_time: r.get(8)?,
    })
}

/// Inserts new secrets with their first versions and stages; the statements are prepared once, for
/// bulk imports.
pub struct SecretWriter<'c> {
    conn: &'c Connection,
    secret: rusqlite::Statement<'c>,
    version: rusqlite::Statement<'c>,
    stage: rusqlite::Statement<'c>,
}

impl<'c> SecretWriter<'c> {
    pub fn new(conn: &'c Connection) -> StoreResult<Self> {
        Ok(Self {
            conn,
            secret: conn.prepare(
                "INSERT INTO secrets (id, name, state, kms_key_id, description, secret_type,
                     create_time, update_time, scheduled_delete_time, next_version)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            version: conn.prepare(
                "INSERT INTO versions (secret_row, version_id, seq, kms_key_id, value_kind,
                     wrapped_data_key, ciphertext, create_time, expire_time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            stage: conn.prepare(
                "INSERT INTO stages (secret_row, stage, version_id, update_time)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
        })
    }

    /// Inserts a secret with its first version and that version's stages.
    pub fn insert(&mut self, row: &SecretRow, first: &NewVersion<'_>) -> StoreResult<()> {
        let s = &row.secret;
        self.secret.execute(params![
            s.id,
            s.name,
            s.state.as_str(),
            s.kms_key_id,
            row.description,
            s.secret_type,
            s.create_time,
            s.update_time,
            s.scheduled_delete_time,
            first.seq + 1
        ])?;
        let secret_row = self.conn.last_insert_rowid();
        let v = first.row;
        self.version.execute(params![
            secret_row,
            v.version_id,
            first.seq,
            v.kms_key_id,
            v.value_kind,
            v.sealed.wrapped_data_key,
            v.sealed.ciphertext,
            v.create_time,
            v.expire_time
        ])?;
        for stage in first.stages {
            self.stage
                .execute(params![secret_row, stage, v.version_id, v.create_time])?;
        }
        Ok(())
    }
}

pub fn by_name(conn: &Connection, name: &str) -> StoreResult<Option<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets WHERE name = ?1"
    ))?;
    Ok(stmt.query_row([name], secret_from_row).optional()?)
}

/// When the secret of that name was created, if there is one.
pub fn created_at(conn: &Connection, name: &str) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT create_time FROM secrets WHERE name = ?1")?;
    Ok(stmt.query_row([name], |r| r.get(0)).optional()?)
}

pub fn name_exists(conn: &Connection, name: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM secrets WHERE name = ?1")?;
    Ok(stmt.exists([name])?)
}

/// Up to `limit` secrets after `marker` (exclusive), by name.
pub fn page(conn: &Connection, marker: Option<&str>, limit: usize) -> StoreResult<Vec<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets WHERE ?1 IS NULL OR name > ?1 ORDER BY name LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![marker, limit], secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The name just before `name`, `limit` rows back: the marker of the previous page.
pub fn previous_marker(
    conn: &Connection,
    first: &str,
    limit: usize,
) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM secrets WHERE name < ?1 ORDER BY name DESC LIMIT 1 OFFSET ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(stmt
        .query_row(params![first, limit], |r| r.get(0))
        .optional()?)
}

/// Every secret, by name: what the terminal app browses.
pub fn all(conn: &Connection) -> StoreResult<Vec<Secret>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets ORDER BY name"
    ))?;
    let rows = stmt
        .query_map([], |r| {
            let description: Option<String> = r.get(4)?;
            secret_with_description(r, description.unwrap_or_default())
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The version a stage points to.
pub fn version_of_stage(
    conn: &Connection,
    secret: &SecretRow,
    stage: &str,
) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT version_id FROM stages WHERE secret_row = ?1 AND stage = ?2")?;
    Ok(stmt
        .query_row(params![secret.row_id, stage], |r| r.get(0))
        .optional()?)
}

pub fn version(
    conn: &Connection,
    secret: &SecretRow,
    version_id: &str,
) -> StoreResult<Option<VersionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version_id, kms_key_id, value_kind, wrapped_data_key, ciphertext,
                create_time, expire_time
         FROM versions WHERE secret_row = ?1 AND version_id = ?2",
    )?;
    Ok(stmt
        .query_row(params![secret.row_id, version_id], |r| {
            Ok(VersionRow {
                secret_id: secret.secret.id.clone(),
                version_id: r.get(0)?,
                kms_key_id: r.get(1)?,
                value_kind: r.get(2)?,
                sealed: SealedValue {
                    wrapped_data_key: r.get(3)?,
                    ciphertext: r.get(4)?,
                },
                create_time: r.get(5)?,
                expire_time: r.get(6)?,
            })
        })
        .optional()?)
}

/// Every version id of a secret, oldest first, with its stages.
pub fn versions_with_stages(
    conn: &Connection,
    secret: &SecretRow,
) -> StoreResult<Vec<VersionSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.version_id, v.create_time, v.kms_key_id,
                (SELECT group_concat(stage, ',') FROM
                    (SELECT stage FROM stages s
                     WHERE s.secret_row = v.secret_row AND s.version_id = v.version_id ORDER BY stage))
         FROM versions v WHERE v.secret_row = ?1 ORDER BY v.seq",
    )?;
    let rows = stmt
        .query_map([secret.row_id], |r| {
            let stages: Option<String> = r.get(3)?;
            let stages = stages
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            Ok(VersionSummary {
                version_id: r.get(0)?,
                create_time: r.get(1)?,
                kms_key_id: r.get(2)?,
                stages,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn count(conn: &Connection) -> StoreResult<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM secrets", [], |r| r.get(0))?)
}
