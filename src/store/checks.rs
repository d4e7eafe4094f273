//! Rows for the checks and the health report: the vault's settings (name → text, the `settings`
//! table) and what the report reads (each `ENABLED` secret's current version with its sealed
//! value, and the staged versions with an expiry).

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreResult;
use super::versions::VersionRow;
use crate::csms::{STAGE_CURRENT, ValueKind};

/// The setting `name`'s stored text, if it was ever set.
pub fn setting(conn: &Connection, name: &str) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT value FROM settings WHERE name = ?1")?;
    Ok(stmt.query_row([name], |r| r.get(0)).optional()?)
}

/// Sets the setting `name` to `value`, replacing what was there.
pub fn set_setting(conn: &Connection, name: &str, value: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO settings (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, value])?;
    Ok(())
}

/// An `ENABLED` secret's current version (the one `SYSCURRENT` names), sealed.
#[derive(Clone, Debug)]
pub struct CurrentVersion {
    pub name: String,
    /// The API's secret id (part of the value's associated data).
    pub secret_id: String,
    pub version: VersionRow,
}

/// Every `ENABLED` secret's current version, by name.
pub fn current_versions(conn: &Connection) -> StoreResult<Vec<CurrentVersion>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.name, s.id, v.version_id, v.kms_key_id, v.value_kind, v.wrapped_data_key,
                v.ciphertext, v.create_time, v.expire_time
         FROM secrets s
         JOIN stages st ON st.secret_row = s.row_id AND st.stage = ?1
         JOIN versions v ON v.secret_row = s.row_id AND v.version_id = st.version_id
         WHERE s.state = 'ENABLED'
         ORDER BY s.name",
    )?;
    let rows = stmt
        .query_map([STAGE_CURRENT], |r| {
            let kind = r.get_ref(4)?.as_str()?;
            Ok(CurrentVersion {
                name: r.get(0)?,
                secret_id: r.get(1)?,
                version: VersionRow {
                    version_id: r.get(2)?,
                    kms_key_id: r.get(3)?,
                    kind: ValueKind::parse(kind).ok_or_else(|| {
                        rusqlite::Error::FromSqlConversionFailure(
                            4,
                            rusqlite::types::Type::Text,
                            "value kind".into(),
                        )
                    })?,
                    wrapped_data_key: r.get(5)?,
                    ciphertext: r.get(6)?,
                    create_time: r.get(7)?,
                    expire_time: r.get(8)?,
                },
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A version with an expiry: its secret's name, its id, its `expire_time` (epoch ms).
pub type Expiry = (String, String, i64);

/// The versions of `ENABLED` secrets that carry a stage and expire at `until` (epoch ms) or
/// before, soonest first (then by name and version).
pub fn staged_expiring(conn: &Connection, until: i64) -> StoreResult<Vec<Expiry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.name, v.version_id, v.expire_time
         FROM versions v JOIN secrets s ON s.row_id = v.secret_row
         WHERE s.state = 'ENABLED' AND v.expire_time IS NOT NULL AND v.expire_time <= ?1
           AND EXISTS (SELECT 1 FROM stages st
                       WHERE st.secret_row = v.secret_row AND st.version_id = v.version_id)
         ORDER BY v.expire_time, s.name, v.seq",
    )?;
    let rows = stmt
        .query_map([until], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_absent_until_set_and_then_replaced() {
        let conn = super::super::schema::in_memory().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(setting(&conn, "x").unwrap_or_default(), None);
        set_setting(&conn, "x", "1").unwrap_or_else(|e| panic!("{e}"));
        set_setting(&conn, "x", "2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            setting(&conn, "x").unwrap_or_default().as_deref(),
            Some("2")
        );
    }
}
