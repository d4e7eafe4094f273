//! The sync state (issue 17), per remote and secret: the records last seen in step, the version
//! links of `--all-versions`, and the local secrets as a sync compares them (metadata only: never
//! a value). Each read is one statement whatever the number of secrets.

use rusqlite::{Connection, params};

use super::{StoreError, StoreResult};
use crate::csms::{LocalSecret, SecretState, SecretTag, SyncRecord, VersionLink};

/// `names` as one JSON array for `json_each` (a list of any length is one bound parameter).
fn name_list(names: &[String]) -> StoreResult<String> {
    serde_json::to_string(names)
        .map_err(|e| StoreError::corrupt(format!("the names asked could not be listed: {e}")))
}

/// Every secret (`names` `None`) or those of `names` that exist (any repeats once), by name:
/// description, state, `SYSCURRENT` version id, tags by key, update time. One statement.
pub fn local_secrets(conn: &Connection, names: Option<&[String]>) -> StoreResult<Vec<LocalSecret>> {
    const SELECT: &str = "SELECT s.name, s.description, s.state, st.version_id, s.update_time,
             t.key, t.value, s.row_id, s.id";
    const JOINS: &str =
        "LEFT JOIN stages st ON st.secret_row = s.row_id AND st.stage = 'SYSCURRENT'
         LEFT JOIN secret_tags t ON t.secret_row = s.row_id";
    // Two forms, so each is served by its index: the whole table along the name index, or the
    // names asked looked up one by one.
    let (sql, list) = match names {
        None => (
            format!("{SELECT} FROM secrets s {JOINS} ORDER BY s.name, t.key"),
            None,
        ),
        Some(names) => (
            format!(
                "{SELECT} FROM (SELECT DISTINCT value AS name FROM json_each(?1)) AS asked
                 JOIN secrets s ON s.name = asked.name {JOINS} ORDER BY s.name, t.key"
            ),
            Some(name_list(names)?),
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = match &list {
        None => stmt.query([])?,
        Some(list) => stmt.query([list])?,
    };
    let mut out: Vec<LocalSecret> = Vec::new();
    let mut current_row = None;
    while let Some(r) = rows.next()? {
        let row_id: i64 = r.get(7)?;
        if current_row != Some(row_id) {
            current_row = Some(row_id);
            let state = r
                .get_ref(2)?
                .as_str()
                .ok()
                .and_then(SecretState::parse)
                .ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        2,
                        rusqlite::types::Type::Text,
                        "secret state".into(),
                    )
                })?;
            out.push(LocalSecret {
                id: r.get(8)?,
                name: r.get(0)?,
                description: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                state,
                current_version: r.get(3)?,
                tags: Vec::new(),
                update_time: r.get(4)?,
            });
        }
        if let (Some(key), Some(secret)) = (r.get::<_, Option<String>>(5)?, out.last_mut()) {
            secret.tags.push(SecretTag {
                key,
                value: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// The remote's records, all or those of `names`, by name. One statement.
pub fn records(
    conn: &Connection,
    remote: &str,
    names: Option<&[String]>,
) -> StoreResult<Vec<SyncRecord>> {
    const SELECT: &str = "SELECT name, local_version, remote_version, value_mac, meta_mac,
             synced_at, local_id, remote_id FROM sync_state";
    let of_row = |r: &rusqlite::Row<'_>| {
        Ok(SyncRecord {
            name: r.get(0)?,
            local_id: r.get(6)?,
            remote_id: r.get(7)?,
            local_version: r.get(1)?,
            remote_version: r.get(2)?,
            value_mac: r.get(3)?,
            meta_mac: r.get(4)?,
            synced_at: r.get(5)?,
        })
    };
    let rows = match names {
        None => conn
            .prepare_cached(&format!("{SELECT} WHERE remote = ?1 ORDER BY name"))?
            .query_map([remote], of_row)?
            .collect::<Result<_, _>>()?,
        Some(names) => conn
            .prepare_cached(&format!(
                "{SELECT} WHERE remote = ?1 AND name IN (SELECT value FROM json_each(?2))
                 ORDER BY name"
            ))?
            .query_map(params![remote, name_list(names)?], of_row)?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

/// The remote's version links, all or those of `names`, by name and local version. One
/// statement.
pub fn links(
    conn: &Connection,
    remote: &str,
    names: Option<&[String]>,
) -> StoreResult<Vec<VersionLink>> {
    const SELECT: &str = "SELECT name, local_version, remote_version FROM sync_links";
    let of_row = |r: &rusqlite::Row<'_>| {
        Ok(VersionLink {
            name: r.get(0)?,
            local_version: r.get(1)?,
            remote_version: r.get(2)?,
        })
    };
    let rows = match names {
        None => conn
            .prepare_cached(&format!(
                "{SELECT} WHERE remote = ?1 ORDER BY name, local_version"
            ))?
            .query_map([remote], of_row)?
            .collect::<Result<_, _>>()?,
        Some(names) => conn
            .prepare_cached(&format!(
                "{SELECT} WHERE remote = ?1 AND name IN (SELECT value FROM json_each(?2))
                 ORDER BY name, local_version"
            ))?
            .query_map(params![remote, name_list(names)?], of_row)?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

/// Writes or replaces the remote's record of `record.name`. A record replacing one of other
/// secret ids (a secret deleted and created again on a side) drops the name's version links:
/// they were about the secrets that are gone.
pub fn upsert_record(conn: &Connection, remote: &str, record: &SyncRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "DELETE FROM sync_links WHERE remote = ?1 AND name = ?2 AND EXISTS (
             SELECT 1 FROM sync_state WHERE remote = ?1 AND name = ?2
                 AND (local_id IS NOT ?3 OR remote_id IS NOT ?4))",
    )?
    .execute(params![
        remote,
        record.name,
        record.local_id,
        record.remote_id
    ])?;
    conn.prepare_cached(
        "INSERT INTO sync_state (remote, name, local_version, remote_version, value_mac,
             meta_mac, synced_at, local_id, remote_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (remote, name) DO UPDATE SET local_version = excluded.local_version,
             remote_version = excluded.remote_version, value_mac = excluded.value_mac,
             meta_mac = excluded.meta_mac, synced_at = excluded.synced_at,
             local_id = excluded.local_id, remote_id = excluded.remote_id",
    )?
    .execute(params![
        remote,
        record.name,
        record.local_version,
        record.remote_version,
        record.value_mac,
        record.meta_mac,
        record.synced_at,
        record.local_id,
        record.remote_id
    ])?;
    Ok(())
}

/// Drops the remote's record and version links of `name` (a secret gone on both sides).
pub fn forget(conn: &Connection, remote: &str, name: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM sync_state WHERE remote = ?1 AND name = ?2")?
        .execute([remote, name])?;
    conn.prepare_cached("DELETE FROM sync_links WHERE remote = ?1 AND name = ?2")?
        .execute([remote, name])?;
    Ok(())
}

/// Adds a version link; one already there for that local version is kept as it is.
pub fn insert_link(conn: &Connection, remote: &str, link: &VersionLink) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO sync_links (remote, name, local_version, remote_version)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (remote, name, local_version) DO NOTHING",
    )?
    .execute(params![
        remote,
        link.name,
        link.local_version,
        link.remote_version
    ])?;
    Ok(())
}
