//! CMK rows: metadata plus the material wrapped under the root key.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, StoreResult};
use crate::kms::{KeyInfo, KeyState};

const COLUMNS: &str = "key_id, alias, description, state, is_default, creation_date";

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<KeyInfo> {
    let state: String = r.get(3)?;
    Ok(KeyInfo {
        key_id: r.get(0)?,
        key_alias: r.get(1)?,
        key_description: r.get(2)?,
        key_state: KeyState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                "key state".into(),
            )
        })?,
        default_key: r.get(4)?,
        creation_date: r.get(5)?,
    })
}

pub fn insert(conn: &Connection, key: &KeyInfo, wrapped_material: &[u8]) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO cmks (key_id, alias, description, state, spec, is_default, creation_date,
             wrapped_material) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key.key_id,
            key.key_alias,
            key.key_description,
            key.key_state.as_str(),
            KeyInfo::SPEC,
            key.default_key,
            key.creation_date,
            wrapped_material
        ],
    )?;
    Ok(())
}

/// All CMKs, oldest first.
pub fn list(conn: &Connection) -> StoreResult<Vec<KeyInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cmks ORDER BY creation_date, alias"
    ))?;
    let keys = stmt
        .query_map([], key_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

/// A CMK by id, or by alias when no id matches.
pub fn find(conn: &Connection, id_or_alias: &str) -> StoreResult<Option<KeyInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cmks WHERE key_id = ?1
         UNION ALL SELECT {COLUMNS} FROM cmks WHERE alias = ?1 LIMIT 1"
    ))?;
    Ok(stmt.query_row([id_or_alias], key_from_row).optional()?)
}

pub fn find_by_id(conn: &Connection, key_id: &str) -> StoreResult<Option<KeyInfo>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM cmks WHERE key_id = ?1"))?;
    Ok(stmt.query_row([key_id], key_from_row).optional()?)
}

pub fn wrapped_material(conn: &Connection, key_id: &str) -> StoreResult<Vec<u8>> {
    let mut stmt = conn.prepare_cached("SELECT wrapped_material FROM cmks WHERE key_id = ?1")?;
    stmt.query_row([key_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::Corrupt(format!("CMK {key_id} has no material")))
}

pub fn set_state(conn: &Connection, key_id: &str, state: KeyState) -> StoreResult<()> {
    conn.execute(
        "UPDATE cmks SET state = ?2 WHERE key_id = ?1",
        params![key_id, state.as_str()],
    )?;
    Ok(())
}

/// How many secrets each CMK protects, by key id.
pub fn secret_counts(conn: &Connection) -> StoreResult<Vec<(String, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT kms_key_id, COUNT(*) FROM secrets GROUP BY kms_key_id")?;
    let counts = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(counts)
}
