//! Rotation at the vault layer, with the injected clock: Rotate Secret and its refusals, automatic
//! rotation when due (on open and in housekeeping, once however many periods passed), failures
//! recorded and the schedule moved on, List Secret Task's filters and pages, the tasks' 3-month
//! retention, and the events a rotation fires.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use base64::Engine;

use super::{PASSPHRASE, T0, TempVault, binary_request, code, text_request, vault};
use crate::csms::{
    CreateSecretRequest, DAY_MS, DeleteSecretForScheduleRequest, KeyState, LATEST,
    ListSecretTaskQuery, PasswordClass, SecretTask, TASK_RETENTION_MS, UpdateSecretRequest,
};
use crate::vault::{ManualClock, Vault};

const HOUR_MS: i64 = 3_600_000;

/// A text secret rotating automatically every `period`.
fn rotating(name: &str, period: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        auto_rotation: Some(true),
        rotation_period: Some(period.into()),
        ..text_request(name, "first")
    }
}

fn tasks(v: &Vault, query: &ListSecretTaskQuery) -> Vec<SecretTask> {
    v.list_tasks(query).unwrap().tasks
}

fn all_tasks(v: &Vault) -> Vec<SecretTask> {
    tasks(
        v,
        &ListSecretTaskQuery {
            limit: Some(1000),
            ..ListSecretTaskQuery::default()
        },
    )
}

fn of_secret(name: &str) -> ListSecretTaskQuery {
    ListSecretTaskQuery {
        secret_name: Some(name.into()),
        ..ListSecretTaskQuery::default()
    }
}

fn version_ids(v: &Vault, name: &str) -> Vec<String> {
    v.secret_detail(name)
        .unwrap()
        .versions
        .into_iter()
        .map(|d| d.metadata.id)
        .collect()
}

fn current_text(v: &Vault, name: &str) -> String {
    v.get_value(name, LATEST)
        .unwrap()
        .secret_string
        .map(|s| s.to_string())
        .unwrap()
}

#[test]
fn rotate_secret_makes_a_current_version_with_a_generated_value_and_records_a_task() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("db", "first")).unwrap();
    clock.advance(1000);
    let rotated = v.rotate_secret("db").unwrap();
    assert_eq!(rotated.secret_name, "db");
    assert_eq!(rotated.version_id, "v2");
    let stages = v.show_stage("db", "SYSCURRENT").unwrap();
    assert_eq!(stages.version_id, "v2");
    assert_eq!(v.show_stage("db", "SYSPREVIOUS").unwrap().version_id, "v1");
    let value = current_text(&v, "db");
    assert_eq!(value.chars().count(), 32);
    for class in [
        PasswordClass::Lowercase,
        PasswordClass::Uppercase,
        PasswordClass::Numbers,
        PasswordClass::Punctuation,
    ] {
        assert!(
            value.chars().any(|c| class.chars().contains(c)),
            "{class:?} missing"
        );
    }
    assert!(!value.contains(' '), "no space unless asked for");
    let secret = v.show_secret("db").unwrap();
    assert_eq!(secret.settings.rotation_time, Some(T0 + 1000));
    assert_eq!(secret.settings.next_rotation_time, None, "not automatic");
    assert_eq!(secret.update_time, T0 + 1000);

    let listed = all_tasks(&v);
    assert_eq!(listed.len(), 1);
    let task = &listed[0];
    assert_eq!(task.task_id, rotated.rotation_task_id);
    assert_eq!(task.secret_name, "db");
    assert_eq!(task.operate_type, "MANUAL_ROTATION");
    assert_eq!(task.task_status, "SUCCESS");
    assert_eq!(task.task_time, T0 + 1000);
    assert_eq!(task.attempt_nums, 1);
    assert_eq!(task.task_error_code, None);
    assert_eq!(task.task_error_msg, None);

    let again = v.rotate_secret("db").unwrap();
    assert_eq!(again.version_id, "v3");
    assert_ne!(current_text(&v, "db"), value, "a fresh value each time");
    assert_ne!(again.rotation_task_id, rotated.rotation_task_id);
}

#[test]
fn a_binary_secret_rotates_to_32_random_bytes() {
    let (_tv, v, _) = vault();
    v.create_secret(&binary_request("cert", &[1, 2, 3]))
        .unwrap();
    v.rotate_secret("cert").unwrap();
    let version = v.get_value("cert", LATEST).unwrap();
    assert_eq!(version.secret_string, None);
    let b64 = version.secret_binary.unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .unwrap();
    assert_eq!(bytes.len(), 32);
    assert_ne!(bytes, [0; 32]);
}

#[test]
fn a_manual_rotation_moves_the_schedule_of_an_automatic_one() {
    let (_tv, v, clock) = vault();
    v.create_secret(&rotating("db", "30d")).unwrap();
    assert_eq!(
        v.show_secret("db").unwrap().settings.next_rotation_time,
        Some(T0 + 30 * DAY_MS)
    );
    clock.advance(DAY_MS);
    v.rotate_secret("db").unwrap();
    let s = v.show_secret("db").unwrap().settings;
    assert_eq!(s.rotation_time, Some(T0 + DAY_MS));
    assert_eq!(s.next_rotation_time, Some(T0 + 31 * DAY_MS));
}

#[test]
fn a_refused_rotation_writes_nothing_and_records_no_task() {
    let (_tv, v, _) = vault();
    assert_eq!(code(v.rotate_secret("nope")), "CSMS.0106");
    v.create_secret(&text_request("off", "x")).unwrap();
    v.set_secret_enabled("off", false).unwrap();
    assert_eq!(code(v.rotate_secret("off")), "CSMS.0109");
    v.create_secret(&text_request("going", "x")).unwrap();
    v.schedule_delete("going", &DeleteSecretForScheduleRequest::default())
        .unwrap();
    assert_eq!(code(v.rotate_secret("going")), "CSMS.0109");
    v.create_secret(&text_request("locked", "x")).unwrap();
    v.set_key_state("csms/default", KeyState::Disabled).unwrap();
    let before = v.show_secret("locked").unwrap();
    assert_eq!(code(v.rotate_secret("locked")), "CSMS.0401");
    assert_eq!(v.show_secret("locked").unwrap(), before);
    for name in ["off", "going", "locked"] {
        assert_eq!(version_ids(&v, name), ["v1"], "{name}");
    }
    assert!(all_tasks(&v).is_empty());
}

#[test]
fn a_due_rotation_happens_when_the_vault_is_opened() {
    let (tv, v, _) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    v.create_secret(&text_request("plain", "x")).unwrap();
    drop(v);
    let open_at =
        |ms| Vault::open_with_clock(&tv.path, PASSPHRASE, Arc::new(ManualClock::at(ms))).unwrap();
    let early = open_at(T0 + 6 * HOUR_MS - 1);
    assert_eq!(version_ids(&early, "db"), ["v1"]);
    assert!(all_tasks(&early).is_empty());
    drop(early);
    let due = T0 + 6 * HOUR_MS;
    let on_time = open_at(due);
    assert_eq!(version_ids(&on_time, "db"), ["v1", "v2"]);
    assert_eq!(version_ids(&on_time, "plain"), ["v1"]);
    let s = on_time.show_secret("db").unwrap().settings;
    assert_eq!(s.rotation_time, Some(due));
    assert_eq!(s.next_rotation_time, Some(due + 6 * HOUR_MS));
    let listed = all_tasks(&on_time);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].operate_type, "AUTO_ROTATION");
    assert_eq!(listed[0].task_status, "SUCCESS");
    assert_eq!(listed[0].task_time, due);
}

#[test]
fn many_missed_periods_rotate_once() {
    let (_tv, v, clock) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    clock.advance(10 * 6 * HOUR_MS + 5);
    let done = v.housekeeping().unwrap();
    assert_eq!((done.rotated, done.rotation_failed), (1, 0));
    assert_eq!(version_ids(&v, "db"), ["v1", "v2"]);
    assert_eq!(
        v.show_secret("db").unwrap().settings.next_rotation_time,
        Some(clock_now(&v) + 6 * HOUR_MS),
        "the next one a period after this rotation"
    );
    let again = v.housekeeping().unwrap();
    assert_eq!((again.rotated, again.rotation_failed), (0, 0));
    assert_eq!(all_tasks(&v).len(), 1);
}

fn clock_now(v: &Vault) -> i64 {
    v.now_ms()
}

#[test]
fn a_failed_rotation_is_recorded_fires_and_moves_the_schedule_by_a_period() {
    let (_tv, v, clock) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    v.create_secret(&rotating("off", "6h")).unwrap();
    v.set_secret_enabled("off", false).unwrap();
    clock.advance(6 * HOUR_MS);
    v.set_key_state("csms/default", KeyState::Disabled).unwrap();
    let done = v.housekeeping().unwrap();
    assert_eq!((done.rotated, done.rotation_failed), (0, 2));
    for (name, code) in [("db", "CSMS.0401"), ("off", "CSMS.0109")] {
        assert_eq!(version_ids(&v, name), ["v1"], "{name}: no version");
        let listed = tasks(&v, &of_secret(name));
        assert_eq!(listed.len(), 1, "{name}");
        let t = &listed[0];
        assert_eq!(t.task_status, "FAILED");
        assert_eq!(t.operate_type, "AUTO_ROTATION");
        assert_eq!(t.task_error_code.as_deref(), Some(code), "{name}");
        assert!(t.task_error_msg.as_deref().is_some_and(|m| !m.is_empty()));
        let s = v.show_secret(name).unwrap().settings;
        assert_eq!(s.rotation_time, None, "{name}: never rotated");
        assert_eq!(s.next_rotation_time, Some(T0 + 12 * HOUR_MS), "{name}");
    }
    assert!(
        tasks(&v, &of_secret("db"))[0]
            .task_error_msg
            .as_deref()
            .is_some_and(|m| m.contains("disabled"))
    );
    clock.advance(HOUR_MS);
    let later = v.housekeeping().unwrap();
    assert_eq!(
        (later.rotated, later.rotation_failed),
        (0, 0),
        "a failure is not repeated every minute"
    );
    v.set_key_state("csms/default", KeyState::Enabled).unwrap();
    clock.advance(5 * HOUR_MS);
    let recovered = v.housekeeping().unwrap();
    assert_eq!((recovered.rotated, recovered.rotation_failed), (1, 1));
    assert_eq!(version_ids(&v, "db"), ["v1", "v2"]);
}

#[test]
fn one_failed_rotation_leaves_the_others_done() {
    let (_tv, v, clock) = vault();
    v.create_secret(&rotating("a-ok", "6h")).unwrap();
    v.create_secret(&rotating("b-off", "6h")).unwrap();
    v.create_secret(&rotating("c-ok", "6h")).unwrap();
    v.set_secret_enabled("b-off", false).unwrap();
    clock.advance(6 * HOUR_MS);
    let done = v.housekeeping().unwrap();
    assert_eq!((done.rotated, done.rotation_failed), (2, 1));
    assert_eq!(version_ids(&v, "a-ok"), ["v1", "v2"]);
    assert_eq!(version_ids(&v, "b-off"), ["v1"]);
    assert_eq!(version_ids(&v, "c-ok"), ["v1", "v2"]);
}

#[test]
fn switching_automatic_rotation_off_stops_it() {
    let (_tv, v, clock) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    v.update_secret(
        "db",
        &UpdateSecretRequest {
            auto_rotation: Some(false),
            ..UpdateSecretRequest::default()
        },
    )
    .unwrap();
    clock.advance(7 * HOUR_MS);
    assert_eq!(v.housekeeping().unwrap().rotated, 0);
    assert_eq!(version_ids(&v, "db"), ["v1"]);
}

#[test]
fn tasks_list_newest_first_by_filter_and_page() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("a", "x")).unwrap();
    v.create_secret(&text_request("b", "x")).unwrap();
    let mut ids = Vec::new();
    for name in ["a", "b", "a", "a"] {
        clock.advance(1);
        ids.push(v.rotate_secret(name).unwrap().rotation_task_id);
    }
    v.create_secret(&rotating("c", "6h")).unwrap();
    v.set_secret_enabled("c", false).unwrap();
    clock.advance(6 * HOUR_MS);
    v.housekeeping().unwrap();
    let failed_id = all_tasks(&v)[0].task_id.clone();

    let page = v
        .list_tasks(&ListSecretTaskQuery {
            secret_name: Some("a".into()),
            limit: Some(2),
            ..ListSecretTaskQuery::default()
        })
        .unwrap();
    let got: Vec<&str> = page.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(got, [ids[3].as_str(), ids[2].as_str()]);
    assert_eq!(page.total, 3);
    assert_eq!(page.next_marker.as_deref(), Some(ids[2].as_str()));
    let rest = v
        .list_tasks(&ListSecretTaskQuery {
            secret_name: Some("a".into()),
            limit: Some(2),
            marker: page.next_marker,
            ..ListSecretTaskQuery::default()
        })
        .unwrap();
    let got: Vec<&str> = rest.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(got, [ids[0].as_str()]);
    assert_eq!(rest.total, 3);
    assert_eq!(rest.next_marker, None);

    let failed = tasks(
        &v,
        &ListSecretTaskQuery {
            status: Some("FAILED".into()),
            ..ListSecretTaskQuery::default()
        },
    );
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].task_id, failed_id);
    assert_eq!(failed[0].secret_name, "c");
    let one = tasks(
        &v,
        &ListSecretTaskQuery {
            task_id: Some(ids[1].clone()),
            ..ListSecretTaskQuery::default()
        },
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].secret_name, "b");
    assert_eq!(all_tasks(&v).len(), 5);
    let default_page = v.list_tasks(&ListSecretTaskQuery::default()).unwrap();
    assert_eq!(default_page.tasks.len(), 5, "50 by default");
    assert!(tasks(&v, &of_secret("nobody")).is_empty());
}

#[test]
fn task_queries_break_rules_with_csms_0002() {
    let (_tv, v, _) = vault();
    v.create_secret(&text_request("a", "x")).unwrap();
    let id = v.rotate_secret("a").unwrap().rotation_task_id;
    let bad = [
        ListSecretTaskQuery {
            task_id: Some(id.clone()),
            secret_name: Some("a".into()),
            ..ListSecretTaskQuery::default()
        },
        ListSecretTaskQuery {
            status: Some("DONE".into()),
            ..ListSecretTaskQuery::default()
        },
        ListSecretTaskQuery {
            limit: Some(0),
            ..ListSecretTaskQuery::default()
        },
        ListSecretTaskQuery {
            limit: Some(1001),
            ..ListSecretTaskQuery::default()
        },
        ListSecretTaskQuery {
            marker: Some("00000000-0000-4000-8000-000000000000".into()),
            ..ListSecretTaskQuery::default()
        },
        ListSecretTaskQuery {
            task_id: Some("not-a-task".into()),
            ..ListSecretTaskQuery::default()
        },
    ];
    for query in bad {
        assert_eq!(code(v.list_tasks(&query)), "CSMS.0002", "{query:?}");
    }
    let e = v
        .list_tasks(&ListSecretTaskQuery {
            task_id: Some(id),
            status: Some("SUCCESS".into()),
            ..ListSecretTaskQuery::default()
        })
        .unwrap_err()
        .to_api();
    assert_eq!(
        e.error_msg,
        "Invalid task_id: it cannot be combined with secret_name or status."
    );
}

#[test]
fn tasks_are_kept_three_months() {
    let (_tv, v, clock) = vault();
    v.create_secret(&text_request("a", "x")).unwrap();
    let old = v.rotate_secret("a").unwrap().rotation_task_id;
    clock.advance(DAY_MS);
    let newer = v.rotate_secret("a").unwrap().rotation_task_id;
    clock.set(T0 + TASK_RETENTION_MS);
    v.housekeeping().unwrap();
    assert_eq!(all_tasks(&v).len(), 2, "exactly 3 months old: kept");
    clock.advance(1);
    v.housekeeping().unwrap();
    let kept: Vec<String> = all_tasks(&v).into_iter().map(|t| t.task_id).collect();
    assert_eq!(kept, std::slice::from_ref(&newer));
    assert!(!kept.contains(&old));
    assert_eq!(TASK_RETENTION_MS, 90 * DAY_MS);
    clock.set(T0 + DAY_MS + TASK_RETENTION_MS + 1);
    v.housekeeping().unwrap();
    assert!(all_tasks(&v).is_empty());
}

#[test]
fn housekeeping_writes_nothing_when_nothing_is_due() {
    let (tv, v, _) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    v.rotate_secret("db").unwrap();
    let watcher = tv.sql();
    let commits = || -> i64 {
        watcher
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .unwrap()
    };
    let before = commits();
    let done = v.housekeeping().unwrap();
    assert!(!done.changed_secrets());
    assert_eq!(commits(), before, "housekeeping committed with nothing due");
}

/// An event subscribed by `db` listing every type, written as the event operations store one.
fn subscribe_everything(tv: &TempVault, v: &Vault) {
    tv.sql()
        .execute(
            "INSERT INTO events (name, event_id, event_types, state, create_time, update_time)
             VALUES ('ev', 'e1', 'SECRET_VERSION_CREATED,SECRET_ROTATED,SECRET_ROTATED_FAILED',
                     'ENABLED', 0, 0)",
            [],
        )
        .unwrap();
    v.update_secret(
        "db",
        &UpdateSecretRequest {
            event_subscriptions: Some(vec!["ev".into()]),
            ..UpdateSecretRequest::default()
        },
    )
    .unwrap();
}

fn fired(tv: &TempVault) -> Vec<String> {
    let conn = tv.sql();
    let mut stmt = conn
        .prepare("SELECT trigger_event_type FROM notification_records ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_rotation_fires_version_created_and_rotated_and_a_failure_rotated_failed() {
    let (tv, v, clock) = vault();
    v.create_secret(&rotating("db", "6h")).unwrap();
    subscribe_everything(&tv, &v);
    v.rotate_secret("db").unwrap();
    assert_eq!(fired(&tv), ["SECRET_VERSION_CREATED", "SECRET_ROTATED"]);
    v.set_key_state("csms/default", KeyState::Disabled).unwrap();
    clock.advance(6 * HOUR_MS);
    v.housekeeping().unwrap();
    assert_eq!(
        fired(&tv),
        [
            "SECRET_VERSION_CREATED",
            "SECRET_ROTATED",
            "SECRET_ROTATED_FAILED"
        ]
    );
    assert_eq!(code(v.rotate_secret("db")), "CSMS.0401");
    assert_eq!(
        fired(&tv).len(),
        3,
        "a refused manual rotation fires nothing"
    );
}
