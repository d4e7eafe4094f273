//! Events and notification records through the binary: `event …` and `notifications` in the API's
//! shapes, the records what happened fires, their delivery to `CSVAULT_NOTIFY_COMMAND`, and the
//! same over `csvault serve`.

use crate::support::{TestVault, assert_recent_ms, assert_uuid_v4, keys};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An executable shell script `name` in the test's tempdir.
fn script(v: &TestVault, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = v.file(name, format!("#!/bin/sh\n{body}\n"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    path
}

fn statuses(records: &Value) -> Vec<&str> {
    records["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["notification_status"].as_str().unwrap())
        .collect()
}

fn triggers(records: &Value) -> Vec<(&str, &str)> {
    records["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["trigger_event_type"].as_str().unwrap(),
                r["secret_name"].as_str().unwrap(),
            )
        })
        .collect()
}

#[test]
fn event_commands_answer_in_the_api_shapes() {
    let v = TestVault::new();
    let made = v.ok(&[
        "event",
        "create",
        "rotations",
        "--types",
        "SECRET_ROTATED,SECRET_ROTATED_FAILED",
        "--target-type",
        "SMN",
        "--target-id",
        "urn:smn:cn-north-4:0a1b:topic",
        "--target-name",
        "topic",
    ]);
    let e = &made["event"];
    assert_eq!(
        keys(e),
        [
            "create_time",
            "event_id",
            "event_types",
            "name",
            "notification",
            "state",
            "update_time"
        ]
    );
    assert_uuid_v4(e["event_id"].as_str().unwrap());
    assert_recent_ms(&e["create_time"]);
    assert_eq!(
        e["event_types"],
        json!(["SECRET_ROTATED", "SECRET_ROTATED_FAILED"])
    );
    assert_eq!(e["state"], "ENABLED");
    assert_eq!(
        e["notification"],
        json!({"target_type": "SMN", "target_id": "urn:smn:cn-north-4:0a1b:topic",
               "target_name": "topic"})
    );
    assert_eq!(v.ok(&["event", "show", "rotations"]), made);

    let updated = v.ok(&["event", "update", "rotations", "--state", "DISABLED"]);
    assert_eq!(updated["event"]["state"], "DISABLED");
    assert_eq!(updated["event"]["event_types"], e["event_types"]);

    let body = v.file(
        "event.json",
        r#"{"name": "expiry", "event_types": ["SECRET_VERSION_EXPIRED"], "state": "ENABLED",
            "notification": {"target_type": "SMN", "target_id": "t", "target_name": "n"}}"#,
    );
    let from_file = v.ok(&["event", "create", "--request", body.to_str().unwrap()]);
    assert_eq!(from_file["event"]["name"], "expiry");
    let plain = v.ok(&["event", "create", "plain", "--types", "SECRET_DELETED"]);
    assert_eq!(plain["event"]["notification"], Value::Null, "none given");

    let listed = v.ok(&["event", "list", "--limit", "2"]);
    let names: Vec<&str> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["expiry", "plain"]);
    assert_eq!(listed["page_info"]["next_marker"], "plain");
    assert_eq!(listed["page_info"]["current_count"], 2);
    let rest = v.ok(&["event", "list", "--marker", "plain"]);
    assert_eq!(rest["events"][0], updated["event"]);

    let out = v.cmd().args(["event", "delete", "plain"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty(), "a delete prints nothing");
    assert_eq!(v.err(&["event", "show", "plain"]).code, "CSMS.0005");
}

#[test]
fn broken_events_are_refused_and_the_targets_go_together() {
    let v = TestVault::new();
    let e = v.err(&["event", "create", "ev", "--types", "SECRET_DELETED,NOPE"]);
    assert_eq!(e.code, "CSMS.0002");
    assert!(e.msg.starts_with("Invalid event_types"), "{}", e.msg);
    let e = v.err(&[
        "event",
        "create",
        "ev",
        "--types",
        "SECRET_DELETED",
        "--state",
        "ON",
    ]);
    assert!(e.msg.starts_with("Invalid state"), "{}", e.msg);
    v.ok(&["event", "create", "ev", "--types", "SECRET_DELETED"]);
    let e = v.err(&["event", "create", "ev", "--types", "SECRET_DELETED"]);
    assert_eq!(
        (e.code.as_str(), e.msg.as_str()),
        ("CSMS.0002", "Invalid name: the event ev already exists.")
    );
    let alone = v
        .cmd()
        .args([
            "event",
            "create",
            "other",
            "--types",
            "SECRET_DELETED",
            "--target-type",
            "SMN",
        ])
        .output()
        .unwrap();
    assert_eq!(alone.status.code(), Some(2), "a target needs all three");
    assert_eq!(
        v.err(&["event", "update", "nope", "--state", "ENABLED"])
            .code,
        "CSMS.0005"
    );
    assert_eq!(v.ok(&["event", "list"])["page_info"]["current_count"], 1);
}

#[test]
fn a_subscribed_event_is_not_deleted_and_says_by_whom() {
    let v = TestVault::new();
    v.ok(&["event", "create", "ev", "--types", "SECRET_DELETED"]);
    for name in ["db", "api"] {
        v.ok(&[
            "secret",
            "create",
            "--name",
            name,
            "--secret-string",
            "x",
            "--event-subscription",
            "ev",
        ]);
    }
    let e = v.err(&["event", "delete", "ev"]);
    assert_eq!(e.code, "CSMS.0002");
    assert!(e.msg.contains("api, db"), "{}", e.msg);
    assert_eq!(
        v.ok(&["event", "show", "ev"])["event"]["name"],
        "ev",
        "still there"
    );
}

#[test]
fn notifications_list_what_fired_newest_first() {
    let v = TestVault::new();
    v.ok(&[
        "event",
        "create",
        "ev",
        "--types",
        "SECRET_VERSION_CREATED,SECRET_DELETED",
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "db",
        "--secret-string",
        "hunter2",
        "--event-subscription",
        "ev",
    ]);
    v.ok(&[
        "secret",
        "create-version",
        "db",
        "--secret-string",
        "hunter3",
    ]);
    assert!(
        v.cmd()
            .args(["secret", "delete", "db"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let all = v.ok(&["notifications"]);
    assert_eq!(
        triggers(&all),
        [
            ("SECRET_DELETED", "db"),
            ("SECRET_VERSION_CREATED", "db"),
            ("SECRET_VERSION_CREATED", "db")
        ]
    );
    assert_eq!(
        statuses(&all),
        ["SUCCESS"; 3],
        "no command: SUCCESS at once"
    );
    let first = &all["records"][0];
    assert_eq!(
        keys(first),
        [
            "create_time",
            "event_name",
            "notification_content",
            "notification_status",
            "notification_target_id",
            "notification_target_name",
            "secret_name",
            "secret_type",
            "trigger_event_type"
        ]
    );
    assert_eq!(first["event_name"], "ev");
    assert!(!all.to_string().contains("hunter"), "never a value: {all}");
    let page = v.ok(&["notifications", "--limit", "1"]);
    let marker = page["page_info"]["next_marker"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = v.ok(&["notifications", "--limit", "2", "--marker", &marker]);
    assert_eq!(next["page_info"]["current_count"], 2);
    assert_eq!(next["records"][0], all["records"][1]);
    assert_eq!(
        v.err(&["notifications", "--marker", "yesterday"]).code,
        "CSMS.0002"
    );
    assert_eq!(
        v.err(&["notifications", "--limit", "1001"]).code,
        "CSMS.0002"
    );
}

/// A vault with an event on new versions and a secret `db` subscribed, created with `command` as
/// `CSVAULT_NOTIFY_COMMAND`.
fn fire_with(v: &TestVault, command: &Path) -> std::process::Output {
    v.ok(&["event", "create", "ev", "--types", "SECRET_VERSION_CREATED"]);
    v.cmd()
        .env("CSVAULT_NOTIFY_COMMAND", command)
        .args([
            "secret",
            "create",
            "--name",
            "db",
            "--secret-string",
            "hunter2",
            "--event-subscription",
            "ev",
        ])
        .output()
        .unwrap()
}

#[test]
fn a_notify_command_gets_the_record_on_stdin_before_the_command_line_exits() {
    let v = TestVault::new();
    let got = v.dir.path().join("got");
    let env = v.dir.path().join("env");
    let command = script(
        &v,
        "deliver.sh",
        &format!(
            "cat > '{}'\necho \"[$CSVAULT_PASSPHRASE]\" > '{}'",
            got.display(),
            env.display()
        ),
    );
    let out = fire_with(&v, &command);
    assert!(out.status.success(), "{out:?}");
    let delivered: Value = serde_json::from_slice(&std::fs::read(&got).unwrap()).unwrap();
    assert_eq!(delivered["event_name"], "ev");
    assert_eq!(delivered["secret_name"], "db");
    assert_eq!(delivered["trigger_event_type"], "SECRET_VERSION_CREATED");
    let content: Value =
        serde_json::from_str(delivered["notification_content"].as_str().unwrap()).unwrap();
    assert_eq!(content["version_id"], "v1");
    assert!(!delivered.to_string().contains("hunter2"), "never a value");
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "[]\n",
        "the command never sees the passphrase"
    );
    assert_eq!(statuses(&v.ok(&["notifications"])), ["SUCCESS"]);
}

#[test]
fn a_hanging_notify_command_holds_the_command_line_at_most_thirty_seconds() {
    let v = TestVault::new();
    v.ok(&["event", "create", "ev", "--types", "SECRET_VERSION_CREATED"]);
    // 40 records, 8 delivered at once, each killed after 10 s: 50 s of deliveries.
    let mut lines = String::new();
    for i in 0..40 {
        lines.push_str(
            &json!({"name": format!("s{i}"), "secret_string": "x", "event_subscriptions": ["ev"]})
                .to_string(),
        );
        lines.push('\n');
    }
    let command = script(&v, "hangs.sh", "sleep 60");
    let started = Instant::now();
    let out = v
        .cmd()
        .env("CSVAULT_NOTIFY_COMMAND", &command)
        .args(["secret", "import", "-"])
        .write_stdin(lines)
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(out.status.success(), "{out:?}");
    assert!(
        took < Duration::from_secs(45),
        "the command line waited {took:?} for its deliveries"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("PENDING"), "the user is told: {stderr}");
    let records = v.ok(&["notifications"]);
    let left = statuses(&records)
        .iter()
        .filter(|s| **s == "PENDING")
        .count();
    assert!(
        left > 0,
        "undelivered records stay PENDING, not lost: {records}"
    );
}

#[test]
fn a_failing_or_missing_notify_command_leaves_a_fail_record() {
    let v = TestVault::new();
    let command = script(&v, "fails.sh", "cat > /dev/null\nexit 7");
    let out = fire_with(&v, &command);
    assert!(out.status.success(), "the operation itself succeeded");
    assert_eq!(statuses(&v.ok(&["notifications"])), ["FAIL"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("1 notification record(s) could not be delivered"),
        "the user is told: {said}"
    );

    let w = TestVault::new();
    let out = fire_with(&w, &w.dir.path().join("no-such-program"));
    assert!(out.status.success());
    assert_eq!(statuses(&w.ok(&["notifications"])), ["FAIL"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be delivered"));
}

#[test]
fn serve_answers_the_event_operations_and_delivers_off_the_request() {
    let v = TestVault::new();
    let got = v.dir.path().join("got");
    let command = script(&v, "deliver.sh", &format!("cat >> '{}'", got.display()));
    let server = crate::support::serve::Server::start(v.command(
        &["--listen", "127.0.0.1:0"],
        &[
            ("CSVAULT_SERVE_AK", crate::support::serve::AK),
            ("CSVAULT_SERVE_SK", crate::support::serve::SK),
            ("CSVAULT_NOTIFY_COMMAND", command.to_str().unwrap()),
        ],
    ));
    let c = server.client();
    let made = c
        .post(
            "csms/events",
            &json!({"name": "ev", "event_types": ["SECRET_DELETED"], "state": "ENABLED",
                    "notification": {"target_type": "SMN", "target_id": "urn:smn:x",
                                     "target_name": "topic"}}),
        )
        .ok();
    assert_eq!(made["event"]["name"], "ev");
    assert_eq!(c.get("csms/events/ev").ok(), made);
    let listed = c.get("csms/events?limit=10").ok();
    assert_eq!(listed["events"][0], made["event"]);
    assert_eq!(listed["page_info"]["current_count"], 1);
    let put = c.put(
        "csms/events/ev",
        &json!({"event_types": ["SECRET_DELETED", "SECRET_ROTATED"]}),
    );
    assert_eq!(
        put.ok()["event"]["event_types"],
        json!(["SECRET_DELETED", "SECRET_ROTATED"])
    );
    c.post(
        "csms/events",
        &json!({"name": "ev", "event_types": ["SECRET_DELETED"]}),
    )
    .refused(400, "CSMS.0002");
    c.get("csms/events/nope").refused(400, "CSMS.0005");

    c.post(
        "secrets",
        &json!({"name": "db", "secret_string": "hunter2", "event_subscriptions": ["ev"]}),
    )
    .ok();
    c.call("DELETE", "csms/events/ev", "")
        .refused(400, "CSMS.0002");
    let deleted = c.call("DELETE", "secrets/db", "");
    assert_eq!(deleted.status, 204);

    // Delivered after the commit, off the request: wait for the record to say so.
    let started = Instant::now();
    let record = loop {
        let records = c.get("csms/notification-records").ok();
        let status = records["records"][0]["notification_status"].clone();
        if status == "SUCCESS" || started.elapsed() > Duration::from_secs(30) {
            break records["records"][0].clone();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(record["notification_status"], "SUCCESS", "{record}");
    assert_eq!(record["trigger_event_type"], "SECRET_DELETED");
    assert_eq!(record["notification_target_name"], "topic");
    let delivered: Value = serde_json::from_slice(&std::fs::read(&got).unwrap()).unwrap();
    assert_eq!(delivered["secret_name"], "db");
    c.get("csms/notification-records?marker=bad")
        .refused(400, "CSMS.0002");
    let gone = c.call("DELETE", "csms/events/ev", "");
    assert_eq!(gone.status, 204, "nothing subscribes any more");
}
