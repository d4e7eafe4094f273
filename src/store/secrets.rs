//! Secret, version and stage rows.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;
use crate::csms::{Secret, SecretState};
use crate::kms::SealedValue;

/// A secret as stored: the API record plus the next version number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
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

/// A version to insert, with the stages it takes.
pub struct NewVersion<'a> {
    pub row: &'a VersionRow,
    pub seq: i64,
    pub stages: &'a [&'a str],
}

const SECRET_COLUMNS: &str = "id, name, state, kms_key_id, description, secret_type, create_time,
    update_time, scheduled_delete_time";

fn secret_from_row(r: &Row<'_>) -> rusqlite::Result<SecretRow> {
    let state: String = r.get(2)?;
    let description: Option<String> = r.get(4)?;
    Ok(SecretRow {
        secret: Secret {
            id: r.get(0)?,
            name: r.get(1)?,
            state: SecretState::parse(&state).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    "secret state".into(),
                )
            })?,
            kms_key_id: r.get(3)?,
            description: description.clone().unwrap_or_default(),
            secret_type: r.get(5)?,
            create_time: r.get(6)?,
            update_time: r.get(7)?,
            scheduled_delete_time: r.get(8)?,
        },
        description,
    })
}

/// Inserts a secret with its first version and stages.
pub fn insert_secret(
    conn: &Connection,
    row: &SecretRow,
    first: &NewVersion<'_>,
) -> StoreResult<()> {
    let s = &row.secret;
    conn.prepare_cached(
        "INSERT INTO secrets (id, name, state, kms_key_id, description, secret_type, create_time,
             update_time, scheduled_delete_time, next_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
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
    insert_version(conn, first)
}

fn insert_version(conn: &Connection, new: &NewVersion<'_>) -> StoreResult<()> {
    let v = new.row;
    conn.prepare_cached(
        "INSERT INTO versions (secret_id, version_id, seq, kms_key_id, value_kind,
             wrapped_data_key, ciphertext, create_time, expire_time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        v.secret_id,
        v.version_id,
        new.seq,
        v.kms_key_id,
        v.value_kind,
        v.sealed.wrapped_data_key,
        v.sealed.ciphertext,
        v.create_time,
        v.expire_time
    ])?;
    let mut stage_stmt = conn.prepare_cached(
        "INSERT INTO stages (secret_id, stage, version_id, update_time) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for stage in new.stages {
        stage_stmt.execute(params![v.secret_id, stage, v.version_id, v.create_time])?;
    }
    Ok(())
}

pub fn by_name(conn: &Connection, name: &str) -> StoreResult<Option<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets WHERE name = ?1"
    ))?;
    Ok(stmt.query_row([name], secret_from_row).optional()?)
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
        .query_map([], |r| secret_from_row(r).map(|row| row.secret))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The version a stage points to.
pub fn version_of_stage(
    conn: &Connection,
    secret_id: &str,
    stage: &str,
) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT version_id FROM stages WHERE secret_id = ?1 AND stage = ?2")?;
    Ok(stmt
        .query_row([secret_id, stage], |r| r.get(0))
        .optional()?)
}

pub fn version(
    conn: &Connection,
    secret_id: &str,
    version_id: &str,
) -> StoreResult<Option<VersionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT secret_id, version_id, kms_key_id, value_kind, wrapped_data_key, ciphertext,
                create_time, expire_time
         FROM versions WHERE secret_id = ?1 AND version_id = ?2",
    )?;
    Ok(stmt
        .query_row([secret_id, version_id], |r| {
            Ok(VersionRow {
                secret_id: r.get(0)?,
                version_id: r.get(1)?,
                kms_key_id: r.get(2)?,
                value_kind: r.get(3)?,
                sealed: SealedValue {
                    wrapped_data_key: r.get(4)?,
                    ciphertext: r.get(5)?,
                },
                create_time: r.get(6)?,
                expire_time: r.get(7)?,
            })
        })
        .optional()?)
}

/// Every version id of a secret, oldest first, with its stages.
pub fn versions_with_stages(
    conn: &Connection,
    secret_id: &str,
) -> StoreResult<Vec<(String, i64, String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.version_id, v.create_time, v.kms_key_id,
                (SELECT group_concat(stage, ',') FROM
                    (SELECT stage FROM stages s
                     WHERE s.secret_id = v.secret_id AND s.version_id = v.version_id ORDER BY stage))
         FROM versions v WHERE v.secret_id = ?1 ORDER BY v.seq",
    )?;
    let rows = stmt
        .query_map([secret_id], |r| {
            let stages: Option<String> = r.get(3)?;
            let stages = stages
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, stages))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn count(conn: &Connection) -> StoreResult<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM secrets", [], |r| r.get(0))?)
}
