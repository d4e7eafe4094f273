//! Secret rows: insert (with a first version), look up by name, page by name (also as the
//! terminal app's summaries, with their tags), count.

use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashSet;

use super::versions::{INSERT_VERSION, NewVersion};
use super::{StoreError, StoreResult};
use crate::csms::{SecretSettings, SecretState, SecretSummary, SecretTag};

/// A secret as stored. Times are epoch ms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// The rotation, subscription and project fields, as the API returns them.
    pub settings: SecretSettings,
    /// When automatic rotation was last switched on (epoch ms): the base of the first
    /// `next_rotation_time` before any rotation.
    pub auto_rotation_since: Option<i64>,
}

pub(super) const SECRET_COLUMNS: &str =
    "id, name, state, kms_key_id, description, secret_type, create_time,
    update_time, scheduled_delete_time, row_id, auto_rotation, rotation_period, rotation_config,
    rotation_time, next_rotation_time, event_subscription, enterprise_project_id,
    rotation_func_urn, auto_rotation_since";

pub(super) fn secret_from_row(r: &Row<'_>) -> rusqlite::Result<SecretRow> {
    Ok(SecretRow {
        id: r.get(0)?,
        name: r.get(1)?,
        state: state_at(r, 2)?,
        kms_key_id: r.get(3)?,
        description: r.get(4)?,
        secret_type: r.get(5)?,
        create_time: r.get(6)?,
        update_time: r.get(7)?,
        scheduled_delete_time: r.get(8)?,
        row_id: r.get(9)?,
        settings: SecretSettings {
            auto_rotation: r.get(10)?,
            rotation_period: r.get(11)?,
            rotation_config: r.get(12)?,
            rotation_time: r.get(13)?,
            next_rotation_time: r.get(14)?,
            event_subscriptions: r.get::<_, Option<String>>(15)?.into_iter().collect(),
            enterprise_project_id: r.get(16)?,
            rotation_func_urn: r.get(17)?,
        },
        auto_rotation_since: r.get(18)?,
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
                     create_time, update_time, scheduled_delete_time, next_version, auto_rotation,
                     rotation_period, rotation_config, rotation_time, next_rotation_time,
                     event_subscription, enterprise_project_id, rotation_func_urn,
                     auto_rotation_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19)",
            )?,
            version: conn.prepare(INSERT_VERSION)?,
            // A new secret has no stage yet: a plain insert, not `SET_STAGE`'s upsert.
            stage: conn.prepare(
                "INSERT INTO stages (secret_row, stage, version_id, update_time)
                 VALUES (?1, ?2, ?3, ?4)",
            )?,
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
            first.seq + 1,
            s.settings.auto_rotation,
            s.settings.rotation_period,
            s.settings.rotation_config,
            s.settings.rotation_time,
            s.settings.next_rotation_time,
            s.settings.event_subscriptions.first(),
            s.settings.enterprise_project_id,
            s.settings.rotation_func_urn,
            s.auto_rotation_since
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

/// The secret of that row id (events fired for a version, which knows its secret by row).
pub fn by_row_id(conn: &Connection, row_id: i64) -> StoreResult<Option<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets WHERE row_id = ?1"
    ))?;
    Ok(stmt.query_row([row_id], secret_from_row).optional()?)
}

pub fn name_exists(conn: &Connection, name: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM secrets WHERE name = ?1")?;
    Ok(stmt.exists([name])?)
}

/// Which of `names` are secrets' names, in one statement (an import batch asks once, not once
/// per name). Names may repeat; each taken one is returned once.
pub fn taken_names(conn: &Connection, names: &[&str]) -> StoreResult<HashSet<String>> {
    if names.is_empty() {
        return Ok(HashSet::new());
    }
    // The names travel as one JSON array, read back by `json_each`; every one is looked up by
    // the name index.
    let list = serde_json::to_string(names).map_err(|e| {
        StoreError::corrupt(format!("the names of a batch could not be listed: {e}"))
    })?;
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT j.value FROM json_each(?1) AS j
         WHERE EXISTS (SELECT 1 FROM secrets WHERE name = j.value)",
    )?;
    let taken = stmt
        .query_map([list], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(taken)
}

/// Up to `limit` secrets after `marker` (exclusive), by name; only those subscribed to `event`
/// when given.
pub fn page(
    conn: &Connection,
    marker: Option<&str>,
    event: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets
         WHERE (?1 IS NULL OR name > ?1) AND (?3 IS NULL OR event_subscription = ?3)
         ORDER BY name LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![marker, limit, event], secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The name just before `name`, `limit` rows back: the marker of the previous page.
pub fn previous_marker(
    conn: &Connection,
    first: &str,
    event: Option<&str>,
    limit: usize,
) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM secrets WHERE name < ?1 AND (?3 IS NULL OR event_subscription = ?3)
         ORDER BY name DESC LIMIT 1 OFFSET ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(stmt
        .query_row(params![first, limit, event], |r| r.get(0))
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

/// Up to `limit` secrets after `marker` (exclusive) by name, as the terminal app's list shows
/// them, each with its tags by key: one query, the page chosen (along the name index) before the
/// tags are joined.
pub fn summaries(
    conn: &Connection,
    marker: Option<&str>,
    limit: usize,
) -> StoreResult<Vec<SecretSummary>> {
    let mut stmt = conn.prepare_cached(
        "WITH page AS (
             SELECT row_id, name, description, state, kms_key_id, create_time, update_time,
                 scheduled_delete_time
             FROM secrets WHERE name > ?1 ORDER BY name LIMIT ?2)
         SELECT page.name, page.description, page.state, page.kms_key_id, page.create_time,
             page.update_time, page.scheduled_delete_time, t.key, t.value, page.row_id
         FROM page LEFT JOIN secret_tags t ON t.secret_row = page.row_id
         ORDER BY page.name, t.key",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // `name > ''` for the first page (a name is never empty): one form of the query, so the
    // name index serves every page (`?1 IS NULL OR …` would scan the table each time).
    let marker = marker.unwrap_or("");
    let mut out: Vec<SecretSummary> = Vec::new();
    let mut current_row = None;
    let mut rows = stmt.query(params![marker, limit])?;
    while let Some(r) = rows.next()? {
        let row_id: i64 = r.get(9)?;
        if current_row != Some(row_id) {
            current_row = Some(row_id);
            out.push(SecretSummary {
                name: r.get(0)?,
                description: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                state: state_at(r, 2)?,
                kms_key_id: r.get(3)?,
                create_time: r.get(4)?,
                update_time: r.get(5)?,
                scheduled_delete_time: r.get(6)?,
                tags: Vec::new(),
            });
        }
        if let (Some(key), Some(summary)) = (r.get::<_, Option<String>>(7)?, out.last_mut()) {
            summary.tags.push(SecretTag {
                key,
                value: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// Writes a secret's mutable fields (description, CMK, state, times, settings) back by row id.
pub fn save(conn: &Connection, s: &SecretRow) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE secrets SET description = ?2, kms_key_id = ?3, state = ?4, update_time = ?5,
             scheduled_delete_time = ?6, auto_rotation = ?7, rotation_period = ?8,
             rotation_config = ?9, rotation_time = ?10, next_rotation_time = ?11,
             event_subscription = ?12, enterprise_project_id = ?13, rotation_func_urn = ?14,
             auto_rotation_since = ?15
         WHERE row_id = ?1",
    )?
    .execute(params![
        s.row_id,
        s.description,
        s.kms_key_id,
        s.state.as_str(),
        s.update_time,
        s.scheduled_delete_time,
        s.settings.auto_rotation,
        s.settings.rotation_period,
        s.settings.rotation_config,
        s.settings.rotation_time,
        s.settings.next_rotation_time,
        s.settings.event_subscriptions.first(),
        s.settings.enterprise_project_id,
        s.settings.rotation_func_urn,
        s.auto_rotation_since
    ])?;
    Ok(())
}

/// Deletes a secret with every version, stage and tag: its stages first, then the secret (its
/// versions and tags go with it by the foreign keys' cascade). Its id and version counter are
/// kept (`retired_secrets`), so a restored backup of it numbers new versions after every
/// version it ever had: no version id is used twice (docs/DECISIONS.md "Secret record (issue
/// 14)").
pub fn delete(conn: &Connection, row_id: i64) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO retired_secrets (id, next_version)
             SELECT id, next_version FROM secrets WHERE row_id = ?1
         ON CONFLICT (id) DO UPDATE SET next_version = MAX(next_version, excluded.next_version)",
    )?
    .execute([row_id])?;
    conn.prepare_cached("DELETE FROM stages WHERE secret_row = ?1")?
        .execute([row_id])?;
    conn.prepare_cached("DELETE FROM secrets WHERE row_id = ?1")?
        .execute([row_id])?;
    Ok(())
}

/// The secrets pending deletion whose date is `now` (epoch ms) or earlier.
pub fn due_for_purge(conn: &Connection, now: i64) -> StoreResult<Vec<SecretRow>> {
    let due = conn
        .prepare_cached(&format!(
            "SELECT {SECRET_COLUMNS} FROM secrets
             WHERE state = 'PENDING_DELETE' AND scheduled_delete_time <= ?1"
        ))?
        .query_map([now], secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(due)
}

/// The version counter a deleted secret of this id had reached, if one was deleted.
pub fn retired_next_version(conn: &Connection, id: &str) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT next_version FROM retired_secrets WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| r.get(0)).optional()?)
}

/// A secret's state in column `i`, read borrowed (no allocation: this runs once per secret when
/// the app loads a large vault); a value not the API's is a conversion error.
fn state_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<SecretState> {
    let state = r.get_ref(i)?.as_str()?;
    SecretState::parse(state).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            "secret state".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewVersion, VersionRow};

    #[test]
    fn a_batch_learns_which_of_its_names_are_taken_in_one_look_up() {
        let conn = crate::store::schema::in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute(
            "INSERT INTO cmks VALUES ('k1', 'a', '', 'ENABLED', 'AES_256', 0, 0, x'00')",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut writer = SecretWriter::new(&conn).unwrap_or_else(|e| panic!("{e}"));
        for (at, name) in ["db", "api.key", "ünïcode-like"].into_iter().enumerate() {
            let secret = SecretRow {
                id: format!("id-{at}"),
                name: name.into(),
                kms_key_id: "k1".into(),
                secret_type: "COMMON".into(),
                ..SecretRow::default()
            };
            let v1 = VersionRow {
                version_id: "v1".into(),
                kms_key_id: "k1".into(),
                kind: crate::csms::ValueKind::Text,
                wrapped_data_key: vec![1],
                ciphertext: vec![2],
                create_time: 1,
                expire_time: None,
            };
            let first = NewVersion {
                row: &v1,
                seq: 1,
                stages: &["SYSCURRENT"],
            };
            writer
                .insert(&secret, &first)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        drop(writer);
        let asked = ["new", "db", "DB", "db", "ünïcode-like", "a\"quote", ""];
        let taken = taken_names(&conn, &asked).unwrap_or_else(|e| panic!("{e}"));
        let mut taken: Vec<String> = taken.into_iter().collect();
        taken.sort();
        assert_eq!(taken, ["db", "ünïcode-like"]);
        assert!(
            taken_names(&conn, &[])
                .unwrap_or_else(|e| panic!("{e}"))
                .is_empty()
        );
    }
}
