//! Event rows (the CSMS events secrets subscribe to), notification records (one per firing, with
//! their delivery), and the versions whose expiry is still to be noticed.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;

/// Whether an event of that name exists.
pub fn exists(conn: &Connection, name: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM events WHERE name = ?1")?;
    Ok(stmt.exists([name])?)
}

/// An event as stored. `event_types` is stored comma-separated, in the order given. Times are
/// epoch ms. The three targets are all set or all `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub name: String,
    pub event_id: String,
    pub event_types: Vec<String>,
    pub state: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    pub create_time: i64,
    pub update_time: i64,
}

const EVENT_COLUMNS: &str = "name, event_id, event_types, state, target_type, target_id,
    target_name, create_time, update_time";

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        name: r.get(0)?,
        event_id: r.get(1)?,
        event_types: r
            .get::<_, String>(2)?
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        state: r.get(3)?,
        target_type: r.get(4)?,
        target_id: r.get(5)?,
        target_name: r.get(6)?,
        create_time: r.get(7)?,
        update_time: r.get(8)?,
    })
}

/// The event of that name.
pub fn get(conn: &Connection, name: &str) -> StoreResult<Option<EventRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE name = ?1"
    ))?;
    Ok(stmt.query_row([name], event_from_row).optional()?)
}

/// How many events there are.
pub fn count(conn: &Connection) -> StoreResult<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM events")?
        .query_row([], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Inserts a new event.
pub fn insert(conn: &Connection, e: &EventRow) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?
    .execute(params![
        e.name,
        e.event_id,
        e.event_types.join(","),
        e.state,
        e.target_type,
        e.target_id,
        e.target_name,
        e.create_time,
        e.update_time
    ])?;
    Ok(())
}

/// Writes an event's types, state, targets and update time back, by name.
pub fn save(conn: &Connection, e: &EventRow) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE events SET event_types = ?2, state = ?3, target_type = ?4, target_id = ?5,
             target_name = ?6, update_time = ?7 WHERE name = ?1",
    )?
    .execute(params![
        e.name,
        e.event_types.join(","),
        e.state,
        e.target_type,
        e.target_id,
        e.target_name,
        e.update_time
    ])?;
    Ok(())
}

/// Deletes the event of that name; whether there was one.
pub fn delete(conn: &Connection, name: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM events WHERE name = ?1")?
        .execute([name])?
        > 0)
}

/// Up to `limit` events after `marker` (exclusive), by name.
pub fn page(conn: &Connection, marker: Option<&str>, limit: usize) -> StoreResult<Vec<EventRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE (?1 IS NULL OR name > ?1) ORDER BY name LIMIT ?2"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![marker, limit], event_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The name `limit` rows before `first`: the marker of the previous page (`None` when that page
/// is the first).
pub fn previous_marker(
    conn: &Connection,
    first: &str,
    limit: usize,
) -> StoreResult<Option<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM events WHERE name < ?1 ORDER BY name DESC LIMIT 1 OFFSET ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(stmt
        .query_row(params![first, limit], |r| r.get(0))
        .optional()?)
}

/// The names of up to `limit` secrets subscribed to the event, by name, and how many there are.
pub fn subscribers(
    conn: &Connection,
    event: &str,
    limit: usize,
) -> StoreResult<(Vec<String>, usize)> {
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM secrets WHERE event_subscription = ?1")?
        .query_row([event], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM secrets WHERE event_subscription = ?1 ORDER BY name LIMIT ?2",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let names = stmt
        .query_map(params![event, limit], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok((names, usize::try_from(total).unwrap_or(usize::MAX)))
}

/// A notification record as stored (docs/DECISIONS.md "notification records"). Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub create_time: i64,
    pub event_name: String,
    pub trigger_event_type: String,
    pub secret_name: String,
    pub secret_type: String,
    pub notification_target_name: Option<String>,
    pub notification_target_id: Option<String>,
    /// JSON text of what happened; never a value.
    pub notification_content: String,
    /// `SUCCESS`, `FAIL`, or `PENDING` until its delivery ends.
    pub notification_status: String,
    /// The process delivering a `PENDING` record (its random token).
    pub delivery_owner: Option<String>,
}

/// The status of a record whose delivery has not ended yet.
pub const PENDING: &str = "PENDING";

/// Appends a notification record.
pub fn insert_record(conn: &Connection, r: &RecordRow) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO notification_records (create_time, event_name, trigger_event_type,
             secret_name, secret_type, notification_target_name, notification_target_id,
             notification_content, notification_status, delivery_owner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        r.create_time,
        r.event_name,
        r.trigger_event_type,
        r.secret_name,
        r.secret_type,
        r.notification_target_name,
        r.notification_target_id,
        r.notification_content,
        r.notification_status,
        r.delivery_owner
    ])?;
    Ok(())
}

const RECORD_COLUMNS: &str = "seq, create_time, event_name, trigger_event_type, secret_name,
    secret_type, notification_target_name, notification_target_id, notification_content,
    notification_status, delivery_owner";

/// A stored record and its place (`seq`, which orders records of one time and event).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub seq: i64,
    pub record: RecordRow,
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<StoredRecord> {
    Ok(StoredRecord {
        seq: r.get(0)?,
        record: RecordRow {
            create_time: r.get(1)?,
            event_name: r.get(2)?,
            trigger_event_type: r.get(3)?,
            secret_name: r.get(4)?,
            secret_type: r.get(5)?,
            notification_target_name: r.get(6)?,
            notification_target_id: r.get(7)?,
            notification_content: r.get(8)?,
            notification_status: r.get(9)?,
            delivery_owner: r.get(10)?,
        },
    })
}

/// A record's place in the newest-first order: time, event name, then `seq`, all descending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordKey {
    pub create_time: i64,
    pub event_name: String,
    /// `None`: past every record of that time and event.
    pub seq: Option<i64>,
}

/// Up to `limit` records after `after` (exclusive), newest first.
pub fn records_page(
    conn: &Connection,
    after: Option<&RecordKey>,
    limit: usize,
) -> StoreResult<Vec<StoredRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = match after {
        None => conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM notification_records
                 ORDER BY create_time DESC, event_name DESC, seq DESC LIMIT ?1"
            ))?
            .query_map([limit], record_from_row)?
            .collect::<Result<_, _>>()?,
        Some(k) => conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM notification_records
                 WHERE (create_time, event_name, seq) < (?1, ?2, ?3)
                 ORDER BY create_time DESC, event_name DESC, seq DESC LIMIT ?4"
            ))?
            // Without a seq, past every record of that time and event: below the smallest seq.
            .query_map(
                params![
                    k.create_time,
                    k.event_name,
                    k.seq.unwrap_or(i64::MIN),
                    limit
                ],
                record_from_row,
            )?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

/// The record `limit` places before `first` in the newest-first order (the one the previous
/// page's marker names), or `None` when the previous page is the first.
pub fn record_before(
    conn: &Connection,
    first: &StoredRecord,
    limit: usize,
) -> StoreResult<Option<StoredRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let r = &first.record;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM notification_records
             WHERE (create_time, event_name, seq) > (?1, ?2, ?3)
             ORDER BY create_time, event_name, seq LIMIT 1 OFFSET ?4"
        ))?
        .query_row(
            params![r.create_time, r.event_name, first.seq, limit],
            record_from_row,
        )
        .optional()?)
}

/// Whether a record of the same time and event follows `record` in the newest-first order (so
/// a marker at `record` must name its `seq`).
pub fn has_twin_after(conn: &Connection, record: &StoredRecord) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM notification_records
             WHERE create_time = ?1 AND event_name = ?2 AND seq < ?3",
        )?
        .exists(params![
            record.record.create_time,
            record.record.event_name,
            record.seq
        ])?)
}

/// Up to `limit` of the records `owner` is to deliver, oldest first.
pub fn pending_of(conn: &Connection, owner: &str, limit: usize) -> StoreResult<Vec<StoredRecord>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {RECORD_COLUMNS} FROM notification_records
             WHERE notification_status = 'PENDING' AND delivery_owner = ?1 ORDER BY seq LIMIT ?2"
        ))?
        .query_map(params![owner, limit], record_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The end of a delivery: the record's status, if it is still `owner`'s pending record.
pub fn finish_delivery(conn: &Connection, seq: i64, owner: &str, status: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE notification_records SET notification_status = ?3, delivery_owner = NULL
         WHERE seq = ?1 AND delivery_owner = ?2 AND notification_status = 'PENDING'",
    )?
    .execute(params![seq, owner, status])?;
    Ok(())
}

/// Whether any record fired before `before` (epoch ms) is still pending.
pub fn any_stale(conn: &Connection, before: i64) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM notification_records
             WHERE notification_status = 'PENDING' AND create_time < ?1",
        )?
        .exists([before])?)
}

/// Gives every record fired before `before` and still pending the status `status`; how many.
pub fn settle_stale(conn: &Connection, before: i64, status: &str) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE notification_records SET notification_status = ?2, delivery_owner = NULL
             WHERE notification_status = 'PENDING' AND create_time < ?1",
        )?
        .execute(params![before, status])?)
}

/// How many records are unseen.
pub fn unseen(conn: &Connection) -> StoreResult<usize> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM notification_records WHERE seen = 0")?
        .query_row([], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Marks every record seen; how many were not.
pub fn mark_seen(conn: &Connection) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached("UPDATE notification_records SET seen = 1 WHERE seen = 0")?
        .execute([])?)
}

/// Whether any record is older than `before` (epoch ms).
pub fn any_before(conn: &Connection, before: i64) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM notification_records WHERE create_time < ?1")?
        .exists([before])?)
}

/// Deletes the records older than `before` (epoch ms); how many.
pub fn delete_before(conn: &Connection, before: i64) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM notification_records WHERE create_time < ?1")?
        .execute([before])?)
}

/// A version whose `expire_time` has passed and not been noticed at that time yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    pub secret_row: i64,
    pub version_id: String,
    pub expire_time: i64,
}

/// Up to `limit` versions whose `expire_time` is at or before `now` and has not been noticed
/// (an `expire_time` changed since it was noticed is noticed again), soonest first.
pub fn expired_unnoticed(conn: &Connection, now: i64, limit: usize) -> StoreResult<Vec<Expired>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // The terms of the partial index `versions_expiring`, so that it is the one read.
    let rows = conn
        .prepare_cached(
            "SELECT secret_row, version_id, expire_time FROM versions
             WHERE expire_time IS NOT NULL AND expiry_noticed IS NOT expire_time
                 AND expire_time <= ?1
             ORDER BY expire_time LIMIT ?2",
        )?
        .query_map(params![now, limit], |r| {
            Ok(Expired {
                secret_row: r.get(0)?,
                version_id: r.get(1)?,
                expire_time: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Records that the version's expiry at `expire_time` was noticed.
pub fn mark_expiry_noticed(conn: &Connection, e: &Expired) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE versions SET expiry_noticed = ?3 WHERE secret_row = ?1 AND version_id = ?2",
    )?
    .execute(params![e.secret_row, e.version_id, e.expire_time])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::in_memory;

    fn record(time: i64, event: &str, secret: &str) -> RecordRow {
        RecordRow {
            create_time: time,
            event_name: event.into(),
            trigger_event_type: "SECRET_DELETED".into(),
            secret_name: secret.into(),
            secret_type: "COMMON".into(),
            notification_target_name: None,
            notification_target_id: None,
            notification_content: "{}".into(),
            notification_status: "SUCCESS".into(),
            delivery_owner: None,
        }
    }

    #[test]
    fn the_queries_read_their_indexes() {
        let conn = in_memory().unwrap_or_else(|e| panic!("{e}"));
        let plan = |sql: &str| -> String {
            let mut stmt = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap_or_else(|e| panic!("{e}"));
            let rows: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap_or_else(|e| panic!("{e}"))
                .map(Result::unwrap_or_default)
                .collect();
            rows.join("; ")
        };
        assert!(
            plan(
                "SELECT secret_row FROM versions WHERE expire_time IS NOT NULL
                 AND expiry_noticed IS NOT expire_time AND expire_time <= 5"
            )
            .contains("versions_expiring"),
            "expiry is found without reading every version"
        );
        assert!(
            plan("SELECT count(*) FROM notification_records WHERE seen = 0")
                .contains("records_unseen")
        );
        assert!(
            plan(
                "SELECT seq FROM notification_records WHERE (create_time, event_name, seq)
                 < (1, 'e', 2) ORDER BY create_time DESC, event_name DESC, seq DESC LIMIT 3"
            )
            .contains("records_by_time")
        );
    }

    #[test]
    fn records_page_newest_first_and_a_marker_splits_one_instant() {
        let conn = in_memory().unwrap_or_else(|e| panic!("{e}"));
        for (t, e, s) in [
            (1, "a", "s1"),
            (2, "a", "s2"),
            (2, "a", "s3"),
            (2, "b", "s4"),
        ] {
            insert_record(&conn, &record(t, e, s)).unwrap_or_else(|e| panic!("{e}"));
        }
        let names = |rows: Vec<StoredRecord>| -> Vec<String> {
            rows.into_iter().map(|r| r.record.secret_name).collect()
        };
        let all = records_page(&conn, None, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(all.clone()), ["s4", "s3", "s2", "s1"]);
        let past_instant = RecordKey {
            create_time: 2,
            event_name: "a".into(),
            seq: None,
        };
        let rest = records_page(&conn, Some(&past_instant), 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(rest), ["s1"], "TIME:NAME skips that whole instant");
        let after_s3 = RecordKey {
            seq: Some(all[1].seq),
            ..past_instant
        };
        let rest = records_page(&conn, Some(&after_s3), 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(rest), ["s2", "s1"], "TIME:NAME:SEQ splits it");
        assert!(has_twin_after(&conn, &all[1]).unwrap_or_else(|e| panic!("{e}")));
        assert!(!has_twin_after(&conn, &all[2]).unwrap_or_else(|e| panic!("{e}")));
        let before = record_before(&conn, &all[3], 2).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(before.map(|r| r.record.secret_name).as_deref(), Some("s4"));
    }
}
