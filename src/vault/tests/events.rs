//! Events and notification records at the vault layer, with an injected clock: every rule of the
//! event operations, each trigger (version created, expired once, deleted and purged), disabled
//! events firing nothing, the records' paging, retention and unread count, and delivery through
//! a command (docs/DECISIONS.md "events", "what fires", "notification records").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{T0, TempVault, code, text_request, vault};
use crate::csms::{
    CreateSecretEventRequest, CreateSecretVersionRequest, DAY_MS, DeleteSecretForScheduleRequest,
    MAX_EVENTS, Notification, NotificationRecord, UpdateSecretEventRequest, UpdateSecretRequest,
    UpdateVersionRequest,
};
use crate::store::Store;
use crate::store::events::{self as event_rows, RecordRow};
use crate::vault::Vault;
use crate::vault::notify::{FAIL, STALE_PENDING_MS, SUCCESS, deliver_pending};
use zeroize::Zeroizing;

const HOUR_MS: i64 = 3_600_000;

fn types(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| (*t).to_owned()).collect()
}

fn event(name: &str, list: &[&str]) -> CreateSecretEventRequest {
    CreateSecretEventRequest {
        name: name.into(),
        event_types: types(list),
        state: None,
        notification: None,
    }
}

fn smn() -> Notification {
    Notification {
        target_type: "SMN".into(),
        target_id: "urn:smn:cn-north-4:0a1b:topic".into(),
        target_name: "topic".into(),
    }
}

/// A secret subscribed to `event`, with the value `value`.
fn subscribed(v: &Vault, name: &str, value: &str, event: &str) {
    let mut req = text_request(name, value);
    req.event_subscriptions = Some(vec![event.into()]);
    v.create_secret(&req).unwrap();
}

fn records(v: &Vault) -> Vec<NotificationRecord> {
    v.list_records(None, None).unwrap().records
}

/// (trigger, secret) of every record, newest first.
fn fired(v: &Vault) -> Vec<(String, String)> {
    records(v)
        .into_iter()
        .map(|r| (r.trigger_event_type, r.secret_name))
        .collect()
}

fn pair(trigger: &str, secret: &str) -> (String, String) {
    (trigger.to_owned(), secret.to_owned())
}

fn message<T: std::fmt::Debug>(r: crate::vault::VaultResult<T>) -> String {
    r.err().map(|e| e.to_api().error_msg).unwrap_or_default()
}

#[test]
fn create_show_update_and_delete_an_event() {
    let (_tv, v, clock) = vault();
    let mut req = event("rotations", &["SECRET_ROTATED", "SECRET_ROTATED_FAILED"]);
    req.notification = Some(smn());
    let made = v.create_event(&req).unwrap();
    assert!(uuid::Uuid::parse_str(&made.event_id).is_ok(), "{made:?}");
    assert_eq!(made.state, "ENABLED", "state absent: ENABLED");
    assert_eq!(
        made.event_types,
        ["SECRET_ROTATED", "SECRET_ROTATED_FAILED"]
    );
    assert_eq!(made.notification, Some(smn()));
    assert_eq!((made.create_time, made.update_time), (T0, T0));
    assert_eq!(v.show_event("rotations").unwrap(), made);

    clock.advance(5000);
    let updated = v
        .update_event(
            "rotations",
            &UpdateSecretEventRequest {
                state: Some("DISABLED".into()),
                ..UpdateSecretEventRequest::default()
            },
        )
        .unwrap();
    assert_eq!(updated.state, "DISABLED");
    assert_eq!(updated.event_types, made.event_types, "absent fields stay");
    assert_eq!(updated.notification, made.notification);
    assert_eq!((updated.create_time, updated.update_time), (T0, T0 + 5000));
    let retyped = v
        .update_event(
            "rotations",
            &UpdateSecretEventRequest {
                event_types: Some(types(&["SECRET_DELETED"])),
                notification: Some(Notification {
                    target_name: "other".into(),
                    ..smn()
                }),
                ..UpdateSecretEventRequest::default()
            },
        )
        .unwrap();
    assert_eq!(retyped.event_types, ["SECRET_DELETED"]);
    assert_eq!(
        retyped
            .notification
            .as_ref()
            .map(|n| n.target_name.as_str()),
        Some("other")
    );
    assert_eq!(retyped.event_id, made.event_id);
    clock.advance(5000);
    let unchanged = v
        .update_event("rotations", &UpdateSecretEventRequest::default())
        .unwrap();
    assert_eq!(unchanged, retyped, "nothing to change: as it is");

    v.delete_event("rotations").unwrap();
    assert_eq!(code(v.show_event("rotations")), "CSMS.0005");
    assert_eq!(v.list_events(None, None).unwrap().events.len(), 0);
}

#[test]
fn broken_events_are_refused_naming_the_field_and_nothing_is_written() {
    let (_tv, v, _) = vault();
    let cases: Vec<(CreateSecretEventRequest, &str)> = vec![
        (event("", &["SECRET_DELETED"]), "Invalid name"),
        (event("has.dot", &["SECRET_DELETED"]), "Invalid name"),
        (event(&"e".repeat(65), &["SECRET_DELETED"]), "Invalid name"),
        (event("e", &[]), "Invalid event_types"),
        (
            event("e", &["SECRET_DELETED", "SECRET_DELETED"]),
            "Invalid event_types",
        ),
        (
            event("e", &["SECRET_VERSION_NEAR_EXPIRY"]),
            "Invalid event_types",
        ),
        (
            CreateSecretEventRequest {
                state: Some("enabled".into()),
                ..event("e", &["SECRET_DELETED"])
            },
            "Invalid state",
        ),
        (
            CreateSecretEventRequest {
                notification: Some(Notification {
                    target_id: String::new(),
                    ..smn()
                }),
                ..event("e", &["SECRET_DELETED"])
            },
            "Invalid notification.target_id",
        ),
        (
            CreateSecretEventRequest {
                notification: Some(Notification {
                    target_name: "has space".into(),
                    ..smn()
                }),
                ..event("e", &["SECRET_DELETED"])
            },
            "Invalid notification.target_name",
        ),
    ];
    for (req, start) in cases {
        let got = v.create_event(&req);
        let msg = message(v.create_event(&req));
        assert_eq!(code(got), "CSMS.0002", "{req:?}");
        assert!(msg.starts_with(start), "{req:?}: {msg}");
    }
    assert_eq!(
        v.list_events(None, None).unwrap().page_info.current_count,
        0
    );
}

#[test]
fn a_taken_name_is_refused_before_the_other_fields() {
    let (_tv, v, _) = vault();
    v.create_event(&event("ev", &["SECRET_DELETED"])).unwrap();
    let again = event("ev", &[]);
    let msg = message(v.create_event(&again));
    assert_eq!(msg, "Invalid name: the event ev already exists.");
    assert_eq!(
        v.show_event("ev").unwrap().event_types,
        ["SECRET_DELETED"],
        "the first one stays as it was"
    );
}

#[test]
fn a_vault_holds_at_most_its_events() {
    let (_tv, v, _) = vault();
    for i in 0..MAX_EVENTS {
        v.create_event(&event(&format!("ev{i:03}"), &["SECRET_DELETED"]))
            .unwrap();
    }
    assert_eq!(
        code(v.create_event(&event("one-more", &["SECRET_DELETED"]))),
        "CSMS.0203"
    );
    v.delete_event("ev000").unwrap();
    v.create_event(&event("one-more", &["SECRET_DELETED"]))
        .unwrap();
}

#[test]
fn unknown_events_answer_0005_after_the_body_is_checked() {
    let (_tv, v, _) = vault();
    assert_eq!(code(v.show_event("nope")), "CSMS.0005");
    assert_eq!(code(v.delete_event("nope")), "CSMS.0005");
    assert_eq!(
        code(v.update_event("nope", &UpdateSecretEventRequest::default())),
        "CSMS.0005"
    );
    let broken = UpdateSecretEventRequest {
        event_types: Some(Vec::new()),
        ..UpdateSecretEventRequest::default()
    };
    assert_eq!(code(v.update_event("nope", &broken)), "CSMS.0002");
}

#[test]
fn an_event_a_secret_subscribes_to_cannot_be_deleted() {
    let (_tv, v, _) = vault();
    v.create_event(&event("ev", &["SECRET_DELETED"])).unwrap();
    subscribed(&v, "db", "x", "ev");
    subscribed(&v, "api", "y", "ev");
    let refused = v.delete_event("ev");
    let msg = message(v.delete_event("ev"));
    assert_eq!(code(refused), "CSMS.0002");
    assert!(msg.contains("api, db"), "{msg}");
    assert!(v.show_event("ev").is_ok(), "nothing deleted");
    for name in ["db", "api"] {
        v.update_secret(
            name,
            &UpdateSecretRequest {
                event_subscriptions: Some(Vec::new()),
                ..UpdateSecretRequest::default()
            },
        )
        .unwrap();
    }
    v.delete_event("ev").unwrap();
}

#[test]
fn events_page_by_name() {
    let (_tv, v, _) = vault();
    for name in ["c", "a", "b"] {
        v.create_event(&event(name, &["SECRET_DELETED"])).unwrap();
    }
    let first = v.list_events(Some(2), None).unwrap();
    let names: Vec<&str> = first.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(first.page_info.next_marker.as_deref(), Some("b"));
    assert_eq!(first.page_info.current_count, 2);
    let second = v.list_events(Some(2), Some("b")).unwrap();
    assert_eq!(second.events[0].name, "c");
    assert_eq!(second.page_info.next_marker, None, "the last page");
    assert_eq!(v.list_events(None, Some("")).unwrap().events.len(), 3);
    assert_eq!(code(v.list_events(Some(0), None)), "CSMS.0002");
    assert_eq!(code(v.list_events(None, Some("a b"))), "CSMS.0002");
}

#[test]
fn a_new_version_fires_for_a_subscribed_secret_only() {
    let (_tv, v, _) = vault();
    v.create_event(&event("created", &["SECRET_VERSION_CREATED"]))
        .unwrap();
    subscribed(&v, "db", "one", "created");
    v.create_secret(&text_request("plain", "x")).unwrap();
    v.create_version(
        "db",
        &CreateSecretVersionRequest {
            secret_string: Some(Zeroizing::new("two".into())),
            ..CreateSecretVersionRequest::default()
        },
    )
    .unwrap();
    v.create_version(
        "plain",
        &CreateSecretVersionRequest {
            secret_string: Some(Zeroizing::new("y".into())),
            ..CreateSecretVersionRequest::default()
        },
    )
    .unwrap();
    assert_eq!(
        fired(&v),
        [
            pair("SECRET_VERSION_CREATED", "db"),
            pair("SECRET_VERSION_CREATED", "db")
        ]
    );
    let contents: Vec<serde_json::Value> = records(&v)
        .iter()
        .map(|r| serde_json::from_str(&r.notification_content).unwrap())
        .collect();
    let versions: Vec<&str> = contents
        .iter()
        .map(|c| c["version_id"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["v2", "v1"], "newest first");
    for r in records(&v) {
        assert!(!r.notification_content.contains("one"), "never a value");
        assert!(!r.notification_content.contains("two"), "never a value");
        assert_eq!(r.event_name, "created");
        assert_eq!(r.secret_type, "COMMON");
        assert_eq!(r.notification_status, SUCCESS, "no command: SUCCESS");
    }
}

#[test]
fn a_disabled_event_or_one_without_the_type_fires_nothing() {
    let (_tv, v, _) = vault();
    v.create_event(&CreateSecretEventRequest {
        state: Some("DISABLED".into()),
        ..event("off", &["SECRET_VERSION_CREATED", "SECRET_DELETED"])
    })
    .unwrap();
    v.create_event(&event("other", &["SECRET_ROTATED"]))
        .unwrap();
    subscribed(&v, "a", "x", "off");
    subscribed(&v, "b", "x", "other");
    v.delete_secret("a").unwrap();
    v.delete_secret("b").unwrap();
    assert!(fired(&v).is_empty());
    // Enabled again, it fires.
    v.update_event(
        "off",
        &UpdateSecretEventRequest {
            state: Some("ENABLED".into()),
            ..UpdateSecretEventRequest::default()
        },
    )
    .unwrap();
    subscribed(&v, "c", "x", "off");
    assert_eq!(fired(&v), [pair("SECRET_VERSION_CREATED", "c")]);
}

#[test]
fn deleting_and_purging_fire_secret_deleted() {
    let (tv, v, clock) = vault();
    v.create_event(&event("gone", &["SECRET_DELETED"])).unwrap();
    subscribed(&v, "now", "x", "gone");
    subscribed(&v, "later", "x", "gone");
    v.delete_secret("now").unwrap();
    v.schedule_delete(
        "later",
        &DeleteSecretForScheduleRequest {
            recovery_window_in_days: Some(7),
        },
    )
    .unwrap();
    v.housekeeping().unwrap();
    assert_eq!(fired(&v), [pair("SECRET_DELETED", "now")], "not due yet");
    clock.advance(7 * DAY_MS);
    v.housekeeping().unwrap();
    assert_eq!(
        fired(&v),
        [
            pair("SECRET_DELETED", "later"),
            pair("SECRET_DELETED", "now")
        ]
    );
    assert_eq!(records(&v)[0].create_time, T0 + 7 * DAY_MS);
    assert!(v.show_secret("later").is_err(), "purged");
    drop(tv);
}

#[test]
fn an_expiry_fires_once_whatever_the_state_and_again_when_moved() {
    let (_tv, v, clock) = vault();
    v.create_event(&event("exp", &["SECRET_VERSION_EXPIRED"]))
        .unwrap();
    subscribed(&v, "db", "x", "exp");
    let expire = |at: i64| {
        v.update_version("db", "v1", &UpdateVersionRequest { expire_time: at })
            .unwrap();
    };
    expire(T0 + HOUR_MS);
    v.set_secret_enabled("db", false).unwrap();
    v.housekeeping().unwrap();
    assert!(fired(&v).is_empty(), "not expired yet");
    clock.advance(2 * HOUR_MS);
    v.housekeeping().unwrap();
    v.housekeeping().unwrap();
    assert_eq!(
        fired(&v),
        [pair("SECRET_VERSION_EXPIRED", "db")],
        "once, though the secret is disabled"
    );
    let content: serde_json::Value =
        serde_json::from_str(&records(&v)[0].notification_content).unwrap();
    assert_eq!(content["version_id"], "v1");
    // Moved into the past, long before the last check: noticed once more.
    v.set_secret_enabled("db", true).unwrap();
    expire(T0 - DAY_MS);
    v.housekeeping().unwrap();
    v.housekeeping().unwrap();
    assert_eq!(fired(&v).len(), 2);
    // A new version made already expired is noticed too.
    v.create_version(
        "db",
        &CreateSecretVersionRequest {
            secret_string: Some(Zeroizing::new("y".into())),
            expire_time: Some(T0),
            ..CreateSecretVersionRequest::default()
        },
    )
    .unwrap();
    v.housekeeping().unwrap();
    assert_eq!(fired(&v).len(), 3);
}

#[test]
fn an_expired_version_of_a_secret_purged_now_still_fires() {
    let (_tv, v, clock) = vault();
    v.create_event(&event(
        "both",
        &["SECRET_VERSION_EXPIRED", "SECRET_DELETED"],
    ))
    .unwrap();
    subscribed(&v, "db", "x", "both");
    v.update_version(
        "db",
        "v1",
        &UpdateVersionRequest {
            expire_time: T0 + DAY_MS,
        },
    )
    .unwrap();
    v.schedule_delete("db", &DeleteSecretForScheduleRequest::default())
        .unwrap();
    clock.advance(31 * DAY_MS);
    v.housekeeping().unwrap();
    let mut got = fired(&v);
    got.sort();
    assert_eq!(
        got,
        [
            pair("SECRET_DELETED", "db"),
            pair("SECRET_VERSION_EXPIRED", "db")
        ]
    );
}

#[test]
fn records_are_kept_three_months() {
    let (_tv, v, clock) = vault();
    v.create_event(&event("gone", &["SECRET_DELETED"])).unwrap();
    subscribed(&v, "old", "x", "gone");
    v.delete_secret("old").unwrap();
    clock.advance(60 * DAY_MS);
    subscribed(&v, "new", "x", "gone");
    v.delete_secret("new").unwrap();
    clock.advance(30 * DAY_MS);
    v.housekeeping().unwrap();
    assert_eq!(fired(&v).len(), 2, "90 days old: still kept");
    clock.advance(1);
    v.housekeeping().unwrap();
    assert_eq!(fired(&v), [pair("SECRET_DELETED", "new")]);
}

#[test]
fn records_page_newest_first_with_markers_inside_one_instant() {
    let (_tv, v, clock) = vault();
    v.create_event(&event("gone", &["SECRET_DELETED"])).unwrap();
    for name in ["a", "b", "c"] {
        subscribed(&v, name, "x", "gone");
    }
    // One instant, three records of one event.
    for name in ["a", "b", "c"] {
        v.delete_secret(name).unwrap();
    }
    clock.advance(1000);
    subscribed(&v, "d", "x", "gone");
    v.delete_secret("d").unwrap();

    let page = v.list_records(Some(2), None).unwrap();
    let names: Vec<&str> = page
        .records
        .iter()
        .map(|r| r.secret_name.as_str())
        .collect();
    assert_eq!(names, ["d", "c"]);
    let next = page.page_info.next_marker.clone().unwrap();
    assert!(
        next.starts_with(&format!("{T0}:gone:")),
        "a marker inside an instant names its place: {next}"
    );
    let rest = v.list_records(Some(2), Some(&next)).unwrap();
    let names: Vec<&str> = rest
        .records
        .iter()
        .map(|r| r.secret_name.as_str())
        .collect();
    assert_eq!(names, ["b", "a"], "nothing skipped, nothing twice");
    assert_eq!(rest.page_info.next_marker, None);
    assert_eq!(
        rest.page_info.previous_marker, None,
        "back to the first page"
    );
    let past_instant = v
        .list_records(None, Some(&format!("{}:gone", T0 + 1000)))
        .unwrap();
    assert_eq!(past_instant.records.len(), 3, "TIME:NAME is exclusive");
    let last = v.list_records(Some(1), Some(&next)).unwrap();
    assert_eq!(last.records[0].secret_name, "b");
    assert_eq!(
        v.list_records(Some(1), Some(&last.page_info.next_marker.unwrap()))
            .unwrap()
            .page_info
            .previous_marker,
        Some(next),
        "the previous page's marker"
    );
    for (limit, marker) in [(Some(0), None), (Some(1001), None), (None, Some("x:gone"))] {
        assert_eq!(code(v.list_records(limit, marker)), "CSMS.0002");
    }
    assert_eq!(v.list_records(None, None).unwrap().records.len(), 4);
}

#[test]
fn the_unread_count_goes_to_zero_once_seen() {
    let (_tv, v, _) = vault();
    v.create_event(&event("gone", &["SECRET_DELETED"])).unwrap();
    assert_eq!(v.unread_records().unwrap(), 0);
    for name in ["a", "b"] {
        subscribed(&v, name, "x", "gone");
        v.delete_secret(name).unwrap();
    }
    assert_eq!(v.unread_records().unwrap(), 2);
    assert_eq!(v.mark_records_seen().unwrap(), 2);
    assert_eq!(v.unread_records().unwrap(), 0);
    subscribed(&v, "c", "x", "gone");
    v.delete_secret("c").unwrap();
    assert_eq!(v.unread_records().unwrap(), 1);
}

fn pending(time: i64, secret: &str, owner: &str) -> RecordRow {
    RecordRow {
        create_time: time,
        event_name: "ev".into(),
        trigger_event_type: "SECRET_DELETED".into(),
        secret_name: secret.into(),
        secret_type: "COMMON".into(),
        notification_target_name: None,
        notification_target_id: None,
        notification_content: "{}".into(),
        notification_status: "PENDING".into(),
        delivery_owner: Some(owner.into()),
    }
}

fn insert(tv: &TempVault, r: &RecordRow) {
    event_rows::insert_record(&tv.sql(), r).unwrap();
}

#[test]
fn a_delivery_that_never_ended_is_settled_fail_an_hour_later() {
    let (tv, v, clock) = vault();
    insert(&tv, &pending(T0, "db", "a-process-that-crashed"));
    clock.advance(STALE_PENDING_MS - 1);
    v.housekeeping().unwrap();
    assert_eq!(records(&v)[0].notification_status, "PENDING");
    clock.advance(2);
    v.housekeeping().unwrap();
    assert_eq!(records(&v)[0].notification_status, FAIL);
}

/// An executable script in `dir` with `body` after the shebang.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path
}

fn statuses(v: &Vault) -> Vec<(String, String)> {
    records(v)
        .into_iter()
        .map(|r| (r.secret_name, r.notification_status))
        .collect()
}

#[test]
fn a_command_gets_each_record_on_stdin_and_its_exit_decides_the_status() {
    let (tv, v, _) = vault();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ok = script(dir.path(), "ok.sh", &format!("cat >> '{}'", out.display()));
    insert(&tv, &pending(T0, "mine", "me"));
    insert(&tv, &pending(T0, "theirs", "another-process"));
    let mut store = Store::open(&tv.path).unwrap();
    let scrub = vec!["CSVAULT_PASSPHRASE".to_owned()];
    deliver_pending(&mut store, "me", &ok, &scrub, Duration::from_secs(10)).unwrap();
    let mut got = statuses(&v);
    got.sort();
    assert_eq!(
        got,
        [
            ("mine".to_owned(), SUCCESS.to_owned()),
            ("theirs".to_owned(), "PENDING".to_owned())
        ],
        "only this process's records"
    );
    let written = std::fs::read_to_string(&out).unwrap();
    let first = written.lines().next().unwrap();
    let json: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(json["secret_name"], "mine");
    assert_eq!(json["event_name"], "ev");
    assert_eq!(json["trigger_event_type"], "SECRET_DELETED");
    assert_eq!(json["create_time"], T0);
    assert!(json.get("notification_status").is_none(), "{json}");

    let fails = script(dir.path(), "fails.sh", "cat > /dev/null; exit 3");
    insert(&tv, &pending(T0, "failing", "me"));
    deliver_pending(&mut store, "me", &fails, &scrub, Duration::from_secs(10)).unwrap();
    let missing = dir.path().join("no-such-program");
    insert(&tv, &pending(T0, "missing", "me"));
    deliver_pending(&mut store, "me", &missing, &scrub, Duration::from_secs(10)).unwrap();
    let got: Vec<(String, String)> = statuses(&v)
        .into_iter()
        .filter(|(s, _)| s == "failing" || s == "missing")
        .collect();
    assert_eq!(
        got,
        [
            ("missing".to_owned(), FAIL.to_owned()),
            ("failing".to_owned(), FAIL.to_owned())
        ]
    );
}

#[test]
fn a_command_past_its_time_is_killed_and_the_record_fails() {
    let (tv, v, _) = vault();
    let dir = tempfile::tempdir().unwrap();
    let slow = script(dir.path(), "slow.sh", "exec sleep 30");
    insert(&tv, &pending(T0, "slow", "me"));
    let mut store = Store::open(&tv.path).unwrap();
    let started = Instant::now();
    deliver_pending(&mut store, "me", &slow, &[], Duration::from_millis(200)).unwrap();
    assert_eq!(statuses(&v), [("slow".to_owned(), FAIL.to_owned())]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "killed, not waited for"
    );
}
