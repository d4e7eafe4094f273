//! Secret rows: insert (with a first version), look up by name, page by name, count.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;
use super::versions::{INSERT_VERSION, NewVersion, SET_STAGE};
use crate::csms::SecretState;

/// A secret as stored. Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretRow {
    /// The internal row id versions and stages refer to (0 before insertion).
    pub row_id: i64,
    /// The API's secret id (UUID v4).
    pub id: String,
    pub name: String,
    pub state: SecretState,
    pub kms_key_id: String,
    /// `None` when the request had none (the API shows `""`).
    pub description: Option<String>,
    pub secret_type: String,
    pub create_time: i64,
    pub update_time: i64,
    pub scheduled_delete_time: Option<i64>,
}

const SECRET_COLUMNS: &str = "id, name, state, kms_key_id, description, secret_type, create_time,
    update_time, scheduled_delete_time, row_id";

fn secret_from_row(r: &Row<'_>) -> rusqlite::Result<SecretRow> {
    // Borrowed, not allocated: this runs once per secret when the app loads a large vault.
    let state = r.get_ref(2)?.as_str()?;
    Ok(SecretRow {
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
        description: r.get(4)?,
        secret_type: r.get(5)?,
        create_time: r.get(6)?,
        update_time: r.get(7)?,
        scheduled_delete_time: r.get(8)?,
        row_id: r.get(9)?,
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
            version: conn.prepare(INSERT_VERSION)?,
            stage: conn.prepare(SET_STAGE)?,
        })
    }

    /// Inserts a secret with its first version and that version's stages.
    pub fn insert(&mut self, s: &SecretRow, first: &NewVersion<'_>) -> StoreResult<()> {
        self.secret.execute(params![
            s.id,
            s.name,
            s.state.as_str(),
            s.kms_key_id,
            s.description,
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
            v.kind.as_str(),
            v.wrapped_data_key,
            v.ciphertext,
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
pub fn all(conn: &Connection) -> StoreResult<Vec<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets ORDER BY name"
    ))?;
    let rows = stmt
        .query_map([], secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Writes a secret's mutable fields (description, CMK, state, times) back by row id.
pub fn save(conn: &Connection, s: &SecretRow) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE secrets SET description = ?2, kms_key_id = ?3, state = ?4, update_time = ?5,
             scheduled_delete_time = ?6 WHERE row_id = ?1",
    )?
    .execute(params![
        s.row_id,
        s.description,
        s.kms_key_id,
        s.state.as_str(),
        s.update_time,
        s.scheduled_delete_time
    ])?;
    Ok(())
}

/// Deletes a secret with every version and stage: its stages first, then the secret (its versions
/// go with it by the foreign key's cascade).
pub fn delete(conn: &Connection, row_id: i64) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM stages WHERE secret_row = ?1")?
        .execute([row_id])?;
    conn.prepare_cached("DELETE FROM secrets WHERE row_id = ?1")?
        .execute([row_id])?;
    Ok(())
}

/// The row ids of the secrets pending deletion whose date is `now` (epoch ms) or earlier.
pub fn due_for_purge(conn: &Connection, now: i64) -> StoreResult<Vec<i64>> {
    let due = conn
        .prepare_cached(
            "SELECT row_id FROM secrets
             WHERE state = 'PENDING_DELETE' AND scheduled_delete_time <= ?1",
        )?
        .query_map([now], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(due)
}
