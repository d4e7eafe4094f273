//! Event rows (the CSMS events secrets subscribe to).

use rusqlite::{Connection, OptionalExtension};

use super::StoreResult;

/// Whether an event of that name exists.
pub fn exists(conn: &Connection, name: &str) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM events WHERE name = ?1")?;
    Ok(stmt.exists([name])?)
}

/// An event as stored. `event_types` is stored comma-separated, in the order given. Times are
/// epoch ms.
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

/// The event of that name.
pub fn get(conn: &Connection, name: &str) -> StoreResult<Option<EventRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, event_id, event_types, state, target_type, target_id, target_name,
             create_time, update_time FROM events WHERE name = ?1",
    )?;
    Ok(stmt
        .query_row([name], |r| {
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
        })
        .optional()?)
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
    pub notification_status: String,
}

/// Appends a notification record.
pub fn insert_record(conn: &Connection, r: &RecordRow) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO notification_records (create_time, event_name, trigger_event_type,
             secret_name, secret_type, notification_target_name, notification_target_id,
             notification_content, notification_status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![
        r.create_time,
        r.event_name,
        r.trigger_event_type,
        r.secret_name,
        r.secret_type,
        r.notification_target_name,
        r.notification_target_id,
        r.notification_content,
        r.notification_status
    ])?;
    Ok(())
}
