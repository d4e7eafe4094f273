//! The Secret record's newer fields on create and update: a subscribed event must exist, and
//! `next_rotation_time` follows `auto_rotation` and `rotation_period` (docs/DECISIONS.md "new
//! Secret fields", "automatic rotation").

use rusqlite::Connection;

use super::VaultResult;
use crate::csms::{Field, FieldError, SecretSettings, SettingsChange, next_rotation};
use crate::store::SecretRow;
use crate::store::events as event_rows;

/// The first event `change` subscribes to that does not exist, as a field problem.
pub(super) fn missing_event(
    conn: &Connection,
    change: &SettingsChange,
) -> VaultResult<Option<FieldError>> {
    for name in change.event_subscriptions.iter().flatten() {
        if !event_rows::exists(conn, name)? {
            return Ok(Some(FieldError::new(
                Field::EventSubscriptions,
                format!("the event {name} does not exist in this vault"),
            )));
        }
    }
    Ok(None)
}

/// The settings of a new secret made at `now` (epoch ms), and when its automatic rotation was
/// switched on.
pub(super) fn new_settings(change: &SettingsChange, now: i64) -> (SecretSettings, Option<i64>) {
    let mut secret = SecretRow::default();
    apply(&mut secret, change, now);
    (secret.settings, secret.auto_rotation_since)
}

/// Applies a valid change at `now` (epoch ms). Switching automatic rotation on or changing the
/// period (to another one) sets `next_rotation_time` = (the last rotation, else the time it was
/// switched on) + the period; switching it off clears it. Anything else, the same values sent
/// again included, leaves it where it is (a failed rotation's move included).
pub(super) fn apply(secret: &mut SecretRow, change: &SettingsChange, now: i64) {
    let s = &mut secret.settings;
    let was = (s.auto_rotation, s.rotation_period.clone());
    if let Some(period) = &change.rotation_period {
        s.rotation_period = Some(period.clone());
    }
    if let Some(config) = &change.rotation_config {
        s.rotation_config = Some(config.clone());
    }
    if let Some(urn) = &change.rotation_func_urn {
        s.rotation_func_urn = Some(urn.clone());
    }
    if let Some(project) = &change.enterprise_project_id {
        s.enterprise_project_id.clone_from(project);
    }
    if let Some(events) = &change.event_subscriptions {
        s.event_subscriptions.clone_from(events);
    }
    match change.auto_rotation {
        Some(true) if !s.auto_rotation => {
            s.auto_rotation = true;
            secret.auto_rotation_since = Some(now);
        }
        Some(false) => {
            s.auto_rotation = false;
            secret.auto_rotation_since = None;
        }
        _ => {}
    }
    // A client re-sending the record as it is (read, modify, write) moves nothing.
    if (s.auto_rotation, s.rotation_period.clone()) != was {
        s.next_rotation_time = match (&s.rotation_period, s.auto_rotation) {
            (Some(period), true) => {
                let base = s
                    .rotation_time
                    .or(secret.auto_rotation_since)
                    .unwrap_or(now);
                next_rotation(base, period)
            }
            _ => None,
        };
    }
}
