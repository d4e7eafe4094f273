//! CMK rows: metadata plus the material wrapped under the root key.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{StoreError, StoreResult};
use crate::csms::KeyState;

/// The key spec every CMK row records (AES-256).
const SPEC: &str = "AES_256";

/// A CMK as stored, without its wrapped material. `creation_date` is epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    pub key_id: String,
    pub alias: String,
    pub description: String,
    pub state: KeyState,
    /// The automatic `csms/default` key.
    pub is_default: bool,
    pub creation_date: i64,
}

const COLUMNS: &str = "key_id, alias, description, state, is_default, creation_date";

fn key_from_row(r: &Row<'_>) -> rusqlite::Result<KeyRow> {
    let state = r.get_ref(3)?.as_str()?;
    Ok(KeyRow {
        key_id: r.get(0)?,
        alias: r.get(1)?,
        description: r.get(2)?,
        state: KeyState::parse(state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                "key state".into(),
            )
        })?,
        is_default: r.get(4)?,
        creation_date: r.get(5)?,
    })
}

pub fn insert(conn: &Connection, key: &KeyRow, wrapped_material: &[u8]) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO cmks (key_id, alias, description, state, spec, is_default, creation_date,
             wrapped_material) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key.key_id,
            key.alias,
            key.description,
            key.state.as_str(),
            SPEC,
            key.is_default,
            key.creation_date,
            wrapped_material
        ],
    )?;
    Ok(())
}

/// All CMKs, oldest first.
pub fn list(conn: &Connection) -> StoreResult<Vec<KeyRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cmks ORDER BY creation_date, alias"
    ))?;
    let keys = stmt
        .query_map([], key_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

/// A CMK by id, or by alias when no id matches.
pub fn find(conn: &Connection, id_or_alias: &str) -> StoreResult<Option<KeyRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM cmks WHERE key_id = ?1
         UNION ALL SELECT {COLUMNS} FROM cmks WHERE alias = ?1 LIMIT 1"
    ))?;
    Ok(stmt.query_row([id_or_alias], key_from_row).optional()?)
}

pub fn find_by_id(conn: &Connection, key_id: &str) -> StoreResult<Option<KeyRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM cmks WHERE key_id = ?1"))?;
    Ok(stmt.query_row([key_id], key_from_row).optional()?)
}

pub fn wrapped_material(conn: &Connection, key_id: &str) -> StoreResult<Vec<u8>> {
    let mut stmt = conn.prepare_cached("SELECT wrapped_material FROM cmks WHERE key_id = ?1")?;
    stmt.query_row([key_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::corrupt(format!("CMK {key_id} has no material")))
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
