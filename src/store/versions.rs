//! Version and stage rows: insert a version (numbered from its secret's counter), read one, list
//! them with their stages, and point a stage at a version (which moves it).

use rusqlite::{Connection, OptionalExtension, params};

use super::{StoreError, StoreResult};
use crate::csms::ValueKind;

/// Inserts a version: secret row, version id, seq, CMK id, kind, wrapped data key, ciphertext,
/// create time, expire time.
pub(super) const INSERT_VERSION: &str = "INSERT INTO versions (secret_row, version_id, seq,
    kms_key_id, value_kind, wrapped_data_key, ciphertext, create_time, expire_time)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// Points a stage at a version (secret row, stage, version id, update time), moving it if set.
pub(super) const SET_STAGE: &str = "INSERT INTO stages (secret_row, stage, version_id, update_time)
    VALUES (?1, ?2, ?3, ?4) ON CONFLICT (secret_row, stage)
    DO UPDATE SET version_id = excluded.version_id, update_time = excluded.update_time";

/// A version as stored: metadata and the sealed value (the data key wrapped by the CMK, the value
/// sealed by the data key). Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRow {
    pub version_id: String,
    pub kms_key_id: String,
    pub kind: ValueKind,
    pub wrapped_data_key: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub create_time: i64,
    pub expire_time: Option<i64>,
}

/// A version's metadata and stages, without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSummary {
    pub version_id: String,
    pub create_time: i64,
    pub expire_time: Option<i64>,
    pub kms_key_id: String,
    /// Sorted by name.
    pub stages: Vec<String>,
    pub kind: ValueKind,
    /// Bytes of ciphertext (the value's size plus the seal's fixed overhead).
    pub sealed_bytes: usize,
}

/// A version to insert, with its sequence number (`v{seq}`) and the stages it takes.
pub struct NewVersion<'a> {
    pub row: &'a VersionRow,
    pub seq: i64,
    pub stages: &'a [&'a str],
}

/// The sequence number the secret's next version gets: 1 + the highest ever given, so numbers
/// are never reused, even after versions are removed.
pub fn next_seq(conn: &Connection, secret_row: i64) -> StoreResult<i64> {
    let mut stmt = conn.prepare_cached("SELECT next_version FROM secrets WHERE row_id = ?1")?;
    stmt.query_row([secret_row], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::corrupt(format!("secret row {secret_row} is missing")))
}

/// Inserts a version of an existing secret with the stages it takes (moved from whichever versions
/// held them, as [`set_stage`] does) and moves the secret's counter past `seq`.
pub fn insert(conn: &Connection, secret_row: i64, new: &NewVersion<'_>) -> StoreResult<()> {
    let v = new.row;
    conn.prepare_cached(INSERT_VERSION)?.execute(params![
        secret_row,
        v.version_id,
        new.seq,
        v.kms_key_id,
        v.kind.as_str(),
        v.wrapped_data_key,
        v.ciphertext,
        v.create_time,
        v.expire_time
    ])?;
    conn.prepare_cached(
        "UPDATE secrets SET next_version = MAX(next_version, ?2 + 1) WHERE row_id = ?1",
    )?
    .execute(params![secret_row, new.seq])?;
    for stage in new.stages {
        set_stage(conn, secret_row, stage, &v.version_id, v.create_time)?;
    }
    Ok(())
}

/// Points `stage` at `version_id`, taking it from whichever version held it. `now` is epoch ms.
pub fn set_stage(
    conn: &Connection,
    secret_row: i64,
    stage: &str,
    version_id: &str,
    now: i64,
) -> StoreResult<()> {
    conn.prepare_cached(SET_STAGE)?
        .execute(params![secret_row, stage, version_id, now])?;
    Ok(())
}

/// The version a stage points to.
pub fn version_of_stage(
    conn: &Connection,
    secret_row: i64,
    stage: &str,
) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT version_id FROM stages WHERE secret_row = ?1 AND stage = ?2")?;
    Ok(stmt
        .query_row(params![secret_row, stage], |r| r.get(0))
        .optional()?)
}

fn value_kind(text: &str, column: usize) -> rusqlite::Result<ValueKind> {
    ValueKind::parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            "value kind".into(),
        )
    })
}

/// One version with its sealed value.
pub fn version(
    conn: &Connection,
    secret_row: i64,
    version_id: &str,
) -> StoreResult<Option<VersionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version_id, kms_key_id, value_kind, wrapped_data_key, ciphertext,
                create_time, expire_time
         FROM versions WHERE secret_row = ?1 AND version_id = ?2",
    )?;
    Ok(stmt
        .query_row(params![secret_row, version_id], |r| {
            Ok(VersionRow {
                version_id: r.get(0)?,
                kms_key_id: r.get(1)?,
                kind: value_kind(r.get_ref(2)?.as_str()?, 2)?,
                wrapped_data_key: r.get(3)?,
                ciphertext: r.get(4)?,
                create_time: r.get(5)?,
                expire_time: r.get(6)?,
            })
        })
        .optional()?)
}

/// Every version of a secret, oldest first, with its stages.
pub fn with_stages(conn: &Connection, secret_row: i64) -> StoreResult<Vec<VersionSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.version_id, v.create_time, v.expire_time, v.kms_key_id,
                (SELECT group_concat(stage, ',') FROM
                    (SELECT stage FROM stages s
                     WHERE s.secret_row = v.secret_row AND s.version_id = v.version_id ORDER BY stage)),
                v.value_kind, length(v.ciphertext)
         FROM versions v WHERE v.secret_row = ?1 ORDER BY v.seq",
    )?;
    let rows = stmt
        .query_map([secret_row], |r| {
            let stages: Option<String> = r.get(4)?;
            let stages = stages
                .map(|s| s.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            Ok(VersionSummary {
                version_id: r.get(0)?,
                create_time: r.get(1)?,
                expire_time: r.get(2)?,
                kms_key_id: r.get(3)?,
                stages,
                kind: value_kind(r.get_ref(5)?.as_str()?, 5)?,
                sealed_bytes: usize::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// A stage as stored: the version it names and when it was last set (epoch ms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageRow {
    pub stage: String,
    pub version_id: String,
    pub update_time: i64,
}

/// One stage of a secret.
pub fn stage(conn: &Connection, secret_row: i64, stage: &str) -> StoreResult<Option<StageRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT stage, version_id, update_time FROM stages WHERE secret_row = ?1 AND stage = ?2",
    )?;
    Ok(stmt
        .query_row(params![secret_row, stage], stage_from_row)
        .optional()?)
}

/// Every stage of a secret, by name.
pub fn stages(conn: &Connection, secret_row: i64) -> StoreResult<Vec<StageRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT stage, version_id, update_time FROM stages WHERE secret_row = ?1 ORDER BY stage",
    )?;
    let rows = stmt
        .query_map([secret_row], stage_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn stage_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StageRow> {
    Ok(StageRow {
        stage: r.get(0)?,
        version_id: r.get(1)?,
        update_time: r.get(2)?,
    })
}

/// Removes a stage; whether it was there.
pub fn remove_stage(conn: &Connection, secret_row: i64, stage: &str) -> StoreResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM stages WHERE secret_row = ?1 AND stage = ?2")?
        .execute(params![secret_row, stage])?;
    Ok(n > 0)
}

/// How many versions a secret has.
pub fn count(conn: &Connection, secret_row: i64) -> StoreResult<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM versions WHERE secret_row = ?1")?
        .query_row([secret_row], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The oldest version that carries no stage, if any: the one a full secret gives up.
pub fn oldest_unstaged(conn: &Connection, secret_row: i64) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.version_id FROM versions v WHERE v.secret_row = ?1
           AND NOT EXISTS (SELECT 1 FROM stages s
                           WHERE s.secret_row = v.secret_row AND s.version_id = v.version_id)
         ORDER BY v.seq LIMIT 1",
    )?;
    Ok(stmt.query_row([secret_row], |r| r.get(0)).optional()?)
}

/// Deletes one version (its stages go with it).
pub fn delete(conn: &Connection, secret_row: i64, version_id: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM versions WHERE secret_row = ?1 AND version_id = ?2")?
        .execute(params![secret_row, version_id])?;
    Ok(())
}

/// Sets a version's `expire_time` (epoch ms); whether the version exists.
pub fn set_expire_time(
    conn: &Connection,
    secret_row: i64,
    version_id: &str,
    expire_time: i64,
) -> StoreResult<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE versions SET expire_time = ?3 WHERE secret_row = ?1 AND version_id = ?2",
        )?
        .execute(params![secret_row, version_id, expire_time])?;
    Ok(n > 0)
}

/// Up to `limit` versions after sequence number `after` (exclusive), oldest first, with stages.
pub fn page(
    conn: &Connection,
    secret_row: i64,
    after: Option<i64>,
    limit: usize,
) -> StoreResult<Vec<VersionSummary>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let after = after.unwrap_or(0);
    Ok(with_stages(conn, secret_row)?
        .into_iter()
        .filter(|v| crate::csms::version_number(&v.version_id).is_some_and(|n| n > after))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect())
}

/// The version id `limit` rows before sequence number `first`: the marker of the previous page
/// (`None` when that page is the first).
pub fn previous_marker(
    conn: &Connection,
    secret_row: i64,
    first: i64,
    limit: usize,
) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version_id FROM versions WHERE secret_row = ?1 AND seq < ?2
         ORDER BY seq DESC LIMIT 1 OFFSET ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(stmt
        .query_row(params![secret_row, first, limit], |r| r.get(0))
        .optional()?)
}

/// Every version of a secret with its sealed value and sequence number, oldest first.
pub fn all(conn: &Connection, secret_row: i64) -> StoreResult<Vec<(i64, VersionRow)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version_id, kms_key_id, value_kind, wrapped_data_key, ciphertext,
                create_time, expire_time, seq
         FROM versions WHERE secret_row = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([secret_row], |r| {
            Ok((
                r.get(7)?,
                VersionRow {
                    version_id: r.get(0)?,
                    kms_key_id: r.get(1)?,
                    kind: value_kind(r.get_ref(2)?.as_str()?, 2)?,
                    wrapped_data_key: r.get(3)?,
                    ciphertext: r.get(4)?,
                    create_time: r.get(5)?,
                    expire_time: r.get(6)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Sets the sequence number the secret's next version gets (a restored backup keeps its own).
pub fn set_next_seq(conn: &Connection, secret_row: i64, next: i64) -> StoreResult<()> {
    conn.prepare_cached("UPDATE secrets SET next_version = ?2 WHERE row_id = ?1")?
        .execute(params![secret_row, next])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::SecretState;
    use crate::store::secrets::{SecretRow, SecretWriter, by_name};

    fn row_at(id: &str, at: i64) -> VersionRow {
        VersionRow {
            version_id: id.into(),
            kms_key_id: "k1".into(),
            kind: ValueKind::Text,
            wrapped_data_key: vec![1, 2, 3],
            ciphertext: vec![4, 5, 6],
            create_time: at,
            expire_time: None,
        }
    }

    /// A store in memory with one CMK row and one secret `s` at `v1`/SYSCURRENT; its row id.
    fn store_with_secret() -> (Connection, i64) {
        let conn = crate::store::schema::in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute(
            "INSERT INTO cmks VALUES ('k1', 'a', '', 'ENABLED', 'AES_256', 0, 0, x'00')",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let secret = SecretRow {
            row_id: 0,
            id: "id-1".into(),
            name: "s".into(),
            state: SecretState::Enabled,
            kms_key_id: "k1".into(),
            description: None,
            secret_type: "COMMON".into(),
            create_time: 1,
            update_time: 1,
            scheduled_delete_time: None,
            ..SecretRow::default()
        };
        let v1 = row_at("v1", 1);
        let mut writer = SecretWriter::new(&conn).unwrap_or_else(|e| panic!("{e}"));
        writer
            .insert(
                &secret,
                &NewVersion {
                    row: &v1,
                    seq: 1,
                    stages: &["SYSCURRENT"],
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        drop(writer);
        let row = by_name(&conn, "s")
            .ok()
            .flatten()
            .map_or(0, |r: SecretRow| r.row_id);
        (conn, row)
    }

    fn stages(conn: &Connection, row: i64) -> Vec<(String, Vec<String>)> {
        with_stages(conn, row)
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.version_id, v.stages))
            .collect()
    }

    #[test]
    fn versions_are_numbered_from_the_secret_counter_and_never_reused() {
        let (conn, row) = store_with_secret();
        assert_eq!(next_seq(&conn, row).ok(), Some(2));
        let v2 = row_at("v2", 2);
        let new = NewVersion {
            row: &v2,
            seq: 2,
            stages: &[],
        };
        insert(&conn, row, &new).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(next_seq(&conn, row).ok(), Some(3));
        conn.execute("DELETE FROM versions WHERE version_id = 'v2'", [])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            next_seq(&conn, row).ok(),
            Some(3),
            "a removed number stays used"
        );
        assert!(next_seq(&conn, row + 1).is_err(), "no such secret");
    }

    #[test]
    fn a_version_reads_back_as_written() {
        let (conn, row) = store_with_secret();
        let mut v2 = row_at("v2", 5);
        v2.kind = ValueKind::Binary;
        v2.expire_time = Some(99);
        insert(
            &conn,
            row,
            &NewVersion {
                row: &v2,
                seq: 2,
                stages: &["custom"],
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(version(&conn, row, "v2").ok().flatten(), Some(v2));
        assert_eq!(version(&conn, row, "v9").ok().flatten(), None);
        assert_eq!(
            stages(&conn, row),
            [
                ("v1".into(), vec!["SYSCURRENT".into()]),
                ("v2".into(), vec!["custom".into()])
            ]
        );
    }

    #[test]
    fn setting_a_stage_moves_it() {
        let (conn, row) = store_with_secret();
        let v2 = row_at("v2", 2);
        insert(
            &conn,
            row,
            &NewVersion {
                row: &v2,
                seq: 2,
                stages: &[],
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        set_stage(&conn, row, "SYSCURRENT", "v2", 3).unwrap_or_else(|e| panic!("{e}"));
        set_stage(&conn, row, "SYSPREVIOUS", "v1", 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            version_of_stage(&conn, row, "SYSCURRENT").ok().flatten(),
            Some("v2".into())
        );
        assert_eq!(
            stages(&conn, row),
            [
                ("v1".into(), vec!["SYSPREVIOUS".into()]),
                ("v2".into(), vec!["SYSCURRENT".into()])
            ]
        );
        assert!(
            set_stage(&conn, row, "x", "v7", 4).is_err(),
            "a stage cannot point at a version that does not exist"
        );
    }
}
