//! Firing events: a secret that subscribes to an `ENABLED` event listing the type that happened
//! gets a notification record, inside the transaction of what happened (docs/DECISIONS.md "what
//! fires", "notification records").

use rusqlite::Connection;

use super::VaultResult;
use crate::csms::EventType;
use crate::store::SecretRow;
use crate::store::events::{self as event_rows, RecordRow};

/// Records what happened to `secret` at `now` (epoch ms) for each event it subscribes to that is
/// `ENABLED` and lists `event`. `version_id` names the version concerned, if one is.
pub(super) fn fire(
    conn: &Connection,
    secret: &SecretRow,
    event: EventType,
    version_id: Option<&str>,
    now: i64,
) -> VaultResult<()> {
    for name in &secret.settings.event_subscriptions {
        let Some(subscribed) = event_rows::get(conn, name)? else {
            continue;
        };
        if subscribed.state != "ENABLED"
            || !subscribed.event_types.iter().any(|t| t == event.as_str())
        {
            continue;
        }
        let content = serde_json::json!({
            "event_type": event.as_str(),
            "secret_name": secret.name,
            "secret_id": secret.id,
            "version_id": version_id,
            "time": now,
        });
        event_rows::insert_record(
            conn,
            &RecordRow {
                create_time: now,
                event_name: subscribed.name,
                trigger_event_type: event.as_str().into(),
                secret_name: secret.name.clone(),
                secret_type: secret.secret_type.clone(),
                notification_target_name: subscribed.target_name,
                notification_target_id: subscribed.target_id,
                notification_content: content.to_string(),
                notification_status: "SUCCESS".into(),
            },
        )?;
    }
    Ok(())
}
