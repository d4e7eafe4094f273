//! Events and notification records: Create/Show/Update/Delete/List Secret Events, List
//! Notification Records, the terminal app's unread count, and what housekeeping does for them
//! (an expiry noticed once, records kept 3 months, a delivery that never ended settled)
//! (docs/DECISIONS.md "events", "what fires", "notification records").

use super::notify::{FAIL, STALE_PENDING_MS, fire};
use super::{Vault, VaultResult};
use crate::csms::{
    ApiError, CreateSecretEventRequest, DEFAULT_RECORDS_LIMIT, EVENT_ENABLED, ErrorCode, Event,
    EventType, Field, ListEventsResponse, ListNotificationRecordsResponse, MAX_EVENTS,
    Notification, NotificationRecord, PageInfo, RECORD_RETENTION_MS, RecordMarker,
    UpdateSecretEventRequest, first_problem, page_limit,
};
use crate::store::StoreError;
use crate::store::events::{self as event_rows, EventRow, RecordKey, StoredRecord};
use crate::store::secrets as secret_rows;

/// How many subscribers a refused delete names before "and N more".
const NAMED_SUBSCRIBERS: usize = 10;
/// Versions whose expiry is noticed per statement.
const EXPIRY_BATCH: usize = 1000;

fn not_found(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::VersionNotFound,
        format!("The event {name} does not exist."),
    )
}

/// The API record of a stored event.
fn event_of(row: EventRow) -> Event {
    let notification = match (row.target_type, row.target_id, row.target_name) {
        (Some(target_type), Some(target_id), Some(target_name)) => Some(Notification {
            target_type,
            target_id,
            target_name,
        }),
        _ => None,
    };
    Event {
        name: row.name,
        event_id: row.event_id,
        event_types: row.event_types,
        state: row.state,
        notification,
        create_time: row.create_time,
        update_time: row.update_time,
    }
}

fn set_notification(row: &mut EventRow, n: Option<Notification>) {
    let (t, i, name) = match n {
        Some(n) => (Some(n.target_type), Some(n.target_id), Some(n.target_name)),
        None => (None, None, None),
    };
    row.target_type = t;
    row.target_id = i;
    row.target_name = name;
}

fn record_of(stored: StoredRecord) -> NotificationRecord {
    let r = stored.record;
    NotificationRecord {
        create_time: r.create_time,
        event_name: r.event_name,
        trigger_event_type: r.trigger_event_type,
        secret_name: r.secret_name,
        secret_type: r.secret_type,
        notification_target_name: r.notification_target_name,
        notification_target_id: r.notification_target_id,
        notification_content: r.notification_content,
        notification_status: r.notification_status,
    }
}

impl Vault {
    /// Create Secret Event. Errors, in order: `CSMS.0002` for the name's form, then a name
    /// already taken, then the other fields' rules (event types, state, notification); `CSMS.0203`
    /// when the vault holds [`MAX_EVENTS`] events already.
    pub fn create_event(&self, req: &CreateSecretEventRequest) -> VaultResult<Event> {
        let problems = req.problems();
        if problems
            .first()
            .is_some_and(|p| p.field == Field::EventName)
        {
            first_problem(&problems)?;
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        if event_rows::exists(&tx, &req.name)? {
            return Err(ApiError::invalid(format!(
                "Invalid name: the event {} already exists.",
                req.name
            ))
            .into());
        }
        first_problem(&problems)?;
        if event_rows::count(&tx)? >= MAX_EVENTS {
            return Err(ApiError::new(
                ErrorCode::StageQuota,
                format!("This vault holds {MAX_EVENTS} events, the most it may; delete one first."),
            )
            .into());
        }
        let now = self.now_ms();
        let mut row = EventRow {
            name: req.name.clone(),
            event_id: uuid::Uuid::new_v4().to_string(),
            event_types: req.event_types.clone(),
            state: req.state.clone().unwrap_or_else(|| EVENT_ENABLED.into()),
            target_type: None,
            target_id: None,
            target_name: None,
            create_time: now,
            update_time: now,
        };
        set_notification(&mut row, req.notification.clone());
        event_rows::insert(&tx, &row)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(event_of(row))
    }

    /// Show Secret Event. Errors: `CSMS.0005` when there is no such event.
    pub fn show_event(&self, name: &str) -> VaultResult<Event> {
        let row = event_rows::get(self.store().conn_ref(), name)?;
        Ok(event_of(row.ok_or_else(|| not_found(name))?))
    }

    /// Update Secret Event: the types, state and notification the request has replace the
    /// event's; `update_time` moves. A request with none of them returns the event as it is,
    /// unwritten (as Update Secret does). Errors: `CSMS.0002` for the body's rules (before the
    /// event is looked for), `CSMS.0005` when there is no such event.
    pub fn update_event(&self, name: &str, req: &UpdateSecretEventRequest) -> VaultResult<Event> {
        first_problem(&req.problems())?;
        if *req == UpdateSecretEventRequest::default() {
            return self.show_event(name);
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut row = event_rows::get(&tx, name)?.ok_or_else(|| not_found(name))?;
        if let Some(types) = &req.event_types {
            row.event_types.clone_from(types);
        }
        if let Some(state) = &req.state {
            row.state.clone_from(state);
        }
        if req.notification.is_some() {
            set_notification(&mut row, req.notification.clone());
        }
        row.update_time = self.now_ms();
        event_rows::save(&tx, &row)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(event_of(row))
    }

    /// Delete Secret Event, at once. Errors: `CSMS.0005` when there is no such event;
    /// `CSMS.0002` naming the secrets (the first ten, by name) while any subscribes to it.
    pub fn delete_event(&self, name: &str) -> VaultResult<()> {
        let mut store = self.store();
        let tx = store.immediate()?;
        if !event_rows::exists(&tx, name)? {
            return Err(not_found(name).into());
        }
        let (names, total) = event_rows::subscribers(&tx, name, NAMED_SUBSCRIBERS)?;
        if total > 0 {
            let more = if total > names.len() {
                format!(" and {} more", total - names.len())
            } else {
                String::new()
            };
            return Err(ApiError::invalid(format!(
                "Invalid name: the event {name} is subscribed to by {}{more}; unsubscribe them \
                 first.",
                names.join(", ")
            ))
            .into());
        }
        event_rows::delete(&tx, name)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// List Secret Events: by name, `marker` exclusive (`""`: the first page), `limit` 1–1000
    /// (default 50); the paging rules of docs/DECISIONS.md "lists". Errors: `CSMS.0002` for a bad
    /// limit or marker.
    pub fn list_events(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> VaultResult<ListEventsResponse> {
        let limit = page_limit(limit)?;
        let marker = super::rules::name_marker(marker)?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let mut rows = event_rows::page(&snapshot, marker, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let events: Vec<Event> = rows.into_iter().map(event_of).collect();
        let next_marker = more
            .then(|| events.last().map(|e| e.name.clone()))
            .flatten();
        let previous_marker = match events.first() {
            Some(first) => event_rows::previous_marker(&snapshot, &first.name, limit)?,
            None => None,
        };
        Ok(ListEventsResponse {
            page_info: PageInfo {
                next_marker,
                previous_marker,
                current_count: events.len(),
            },
            events,
        })
    }

    /// List Notification Records: newest first (time, then event name, then the order they were
    /// fired), `limit` 1–1000 (default 1000), `marker` `TIME:NAME` exclusive (`TIME:NAME:SEQ` when
    /// a page ends inside one instant's records of one event). Errors: `CSMS.0002` for a bad
    /// limit or marker.
    pub fn list_records(
        &self,
        limit: Option<usize>,
        marker: Option<&str>,
    ) -> VaultResult<ListNotificationRecordsResponse> {
        let limit = page_limit(Some(limit.unwrap_or(DEFAULT_RECORDS_LIMIT)))?;
        let after = match marker.filter(|m| !m.is_empty()) {
            Some(m) => {
                let m = RecordMarker::parse(m)?;
                Some(RecordKey {
                    create_time: m.create_time,
                    event_name: m.event_name,
                    seq: m.seq,
                })
            }
            None => None,
        };
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let mut rows = event_rows::records_page(conn, after.as_ref(), limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let marker_at = |r: &StoredRecord| -> VaultResult<String> {
            let seq = event_rows::has_twin_after(conn, r)?.then_some(r.seq);
            Ok(RecordMarker {
                create_time: r.record.create_time,
                event_name: r.record.event_name.clone(),
                seq,
            }
            .to_string())
        };
        let next_marker = match rows.last() {
            Some(last) if more => Some(marker_at(last)?),
            _ => None,
        };
        let previous_marker = match rows.first() {
            Some(first) => match event_rows::record_before(conn, first, limit)? {
                Some(before) => Some(marker_at(&before)?),
                None => None,
            },
            None => None,
        };
        let records: Vec<NotificationRecord> = rows.into_iter().map(record_of).collect();
        Ok(ListNotificationRecordsResponse {
            page_info: PageInfo {
                next_marker,
                previous_marker,
                current_count: records.len(),
            },
            records,
        })
    }

    /// How many notification records the terminal app has not shown.
    pub fn unread_records(&self) -> VaultResult<usize> {
        Ok(event_rows::unseen(self.store().conn_ref())?)
    }

    /// Marks every notification record seen (the terminal app showed them); how many were not.
    /// Writes nothing when every record is seen already.
    pub fn mark_records_seen(&self) -> VaultResult<usize> {
        if event_rows::unseen(self.store().conn_ref())? == 0 {
            return Ok(0);
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let n = event_rows::mark_seen(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(n)
    }

    /// Fires `SECRET_VERSION_EXPIRED` for every version whose `expire_time` has passed since it
    /// was last noticed, whatever its secret's state: once per version and expiry time (an
    /// `expire_time` moved, even into the past, is noticed again). Writes nothing when nothing
    /// is due. How many versions were noticed.
    pub(super) fn notice_expiries(&self) -> VaultResult<usize> {
        let now = self.now_ms();
        if event_rows::expired_unnoticed(self.store().conn_ref(), now, 1)?.is_empty() {
            return Ok(0);
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut noticed = 0;
        loop {
            let due = event_rows::expired_unnoticed(&tx, now, EXPIRY_BATCH)?;
            for version in &due {
                if let Some(secret) = secret_rows::by_row_id(&tx, version.secret_row)? {
                    fire(
                        &tx,
                        &secret,
                        EventType::SecretVersionExpired,
                        Some(&version.version_id),
                        now,
                    )?;
                }
                event_rows::mark_expiry_noticed(&tx, version)?;
            }
            noticed += due.len();
            if due.len() < EXPIRY_BATCH {
                break;
            }
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(noticed)
    }

    /// Deletes the records older than 3 months, and settles `FAIL` the records whose delivery
    /// never ended (pending for an hour: their process ended first). Writes nothing when there
    /// is nothing to do.
    pub(super) fn keep_records(&self) -> VaultResult<()> {
        let now = self.now_ms();
        let old = now.saturating_sub(RECORD_RETENTION_MS);
        let stale = now.saturating_sub(STALE_PENDING_MS);
        {
            let store = self.store();
            let conn = store.conn_ref();
            if !event_rows::any_before(conn, old)? && !event_rows::any_stale(conn, stale)? {
                return Ok(());
            }
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        event_rows::delete_before(&tx, old)?;
        event_rows::settle_stale(&tx, stale, FAIL)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }
}
