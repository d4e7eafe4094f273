//! Rotation through the binary: `secret rotate`, `tasks` with its filters and pages, refusals,
//! and a rotation that came due while no process had the vault open, done when a command opens
//! it.

use crate::support::serve::create_body;
use crate::support::{TestVault, assert_recent_ms, assert_uuid_v4, keys};
use serde_json::Value;

fn task_ids(list: &Value) -> Vec<String> {
    list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["task_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn secret_rotate_prints_the_apis_answer_and_tasks_lists_it() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "one"]);
    let rotated = v.ok(&["secret", "rotate", "db"]);
    assert_eq!(
        keys(&rotated),
        ["rotation_task_id", "secret_name", "version_id"]
    );
    assert_uuid_v4(rotated["rotation_task_id"].as_str().unwrap());
    assert_eq!(rotated["secret_name"], "db");
    assert_eq!(rotated["version_id"], "v2");
    let current = v.ok(&["secret", "get-value", "db"]);
    let value = current["version"]["secret_string"].as_str().unwrap();
    assert_eq!(value.chars().count(), 32);
    assert_eq!(current["version"]["version_metadata"]["id"], "v2");
    let shown = v.ok(&["secret", "show", "db"]);
    assert_recent_ms(&shown["secret"]["rotation_time"]);

    let listed = v.ok(&["tasks"]);
    assert_eq!(keys(&listed), ["next_marker", "tasks", "total"]);
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["next_marker"], Value::Null);
    let task = &listed["tasks"][0];
    assert_eq!(
        keys(task),
        [
            "attempt_nums",
            "operate_type",
            "rotation_func_urn",
            "secret_name",
            "task_error_code",
            "task_error_msg",
            "task_id",
            "task_status",
            "task_time"
        ]
    );
    assert_eq!(task["task_id"], rotated["rotation_task_id"]);
    assert_eq!(task["secret_name"], "db");
    assert_eq!(task["operate_type"], "MANUAL_ROTATION");
    assert_eq!(task["task_status"], "SUCCESS");
    assert_eq!(task["attempt_nums"], 1);
    assert_eq!(task["task_error_code"], Value::Null);
    assert_recent_ms(&task["task_time"]);
}

#[test]
fn tasks_filter_and_page_newest_first() {
    let v = TestVault::new();
    for name in ["a", "b"] {
        v.ok(&["secret", "create", "--name", name, "--secret-string", "x"]);
    }
    let mut ids = Vec::new();
    for name in ["a", "b", "a"] {
        let r = v.ok(&["secret", "rotate", name]);
        ids.push(r["rotation_task_id"].as_str().unwrap().to_owned());
    }
    let all = v.ok(&["tasks"]);
    assert_eq!(
        task_ids(&all),
        [ids[2].clone(), ids[1].clone(), ids[0].clone()]
    );
    let of_a = v.ok(&["tasks", "--secret", "a", "--limit", "1"]);
    assert_eq!(task_ids(&of_a), [ids[2].clone()]);
    assert_eq!(of_a["total"], 2);
    let marker = of_a["next_marker"].as_str().unwrap();
    let rest = v.ok(&["tasks", "--secret", "a", "--limit", "1", "--marker", marker]);
    assert_eq!(task_ids(&rest), [ids[0].clone()]);
    assert_eq!(rest["next_marker"], Value::Null);
    let one = v.ok(&["tasks", "--task-id", &ids[1]]);
    assert_eq!(task_ids(&one), [ids[1].clone()]);
    assert_eq!(
        v.ok(&["tasks", "--status", "FAILED"])["tasks"],
        serde_json::json!([])
    );
    assert_eq!(v.ok(&["tasks", "--status", "SUCCESS"])["total"], 3);
}

#[test]
fn refusals_name_the_rule_and_record_no_task() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "x"]);
    let e = v.err(&["secret", "rotate", "nope"]);
    assert_eq!(e.code, "CSMS.0106", "{e:?}");
    v.ok(&["secret", "disable", "db"]);
    let e = v.err(&["secret", "rotate", "db"]);
    assert_eq!(e.code, "CSMS.0109", "{e:?}");
    assert_eq!(v.ok(&["tasks"])["total"], 0);
    for (args, field) in [
        (
            &[
                "tasks",
                "--task-id",
                "a71a4b47-6cac-4f11-92c1-21a165bb6401",
                "--secret",
                "db",
            ][..],
            "task_id",
        ),
        (&["tasks", "--status", "DONE"][..], "status"),
        (&["tasks", "--limit", "0"][..], "limit"),
        (&["tasks", "--marker", "not-a-task"][..], "marker"),
    ] {
        let e = v.err(args);
        assert_eq!(e.code, "CSMS.0002", "{args:?}: {e:?}");
        assert!(e.msg.starts_with(&format!("Invalid {field}")), "{e:?}");
    }
}

#[test]
fn a_rotation_that_came_due_while_the_vault_was_closed_happens_when_a_command_opens_it() {
    let v = TestVault::new();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "db",
        "--secret-string",
        "x",
        "--auto-rotation",
        "true",
        "--rotation-period",
        "6h",
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "plain",
        "--secret-string",
        "y",
    ]);
    // Six hours pass: the schedule is set back instead of waiting.
    let out = std::process::Command::new("sqlite3")
        .arg(&v.path)
        .arg("UPDATE secrets SET next_rotation_time = next_rotation_time - 21600000 WHERE name = 'db';")
        .output()
        .expect("sqlite3 is on every machine (the brief)");
    assert!(out.status.success(), "{out:?}");
    let listed = v.ok(&["tasks"]);
    assert_eq!(listed["total"], 1, "{listed}");
    let task = &listed["tasks"][0];
    assert_eq!(task["operate_type"], "AUTO_ROTATION");
    assert_eq!(task["task_status"], "SUCCESS");
    assert_eq!(task["secret_name"], "db");
    let shown = v.ok(&["secret", "show", "db"]);
    let s = &shown["secret"];
    assert_eq!(
        s["next_rotation_time"].as_i64().unwrap() - s["rotation_time"].as_i64().unwrap(),
        21_600_000,
        "the next rotation is a period after this one"
    );
    let versions = v.ok(&["secret", "list-versions", "db"]);
    assert_eq!(versions["version_metadatas"].as_array().unwrap().len(), 2);
    let plain = v.ok(&["secret", "list-versions", "plain"]);
    assert_eq!(plain["version_metadatas"].as_array().unwrap().len(), 1);
    assert_eq!(v.ok(&["tasks"])["total"], 1, "rotated once");
}

#[test]
fn serve_rotates_and_lists_tasks_as_the_api_does() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("db", "one")).ok();
    let rotated = c.call("POST", "secrets/db/rotate", "").ok();
    assert_eq!(
        keys(&rotated),
        ["rotation_task_id", "secret_name", "version_id"]
    );
    assert_eq!(rotated["version_id"], "v2");
    let latest = c.get("secrets/db/versions/latest").ok();
    assert_eq!(latest["version"]["version_metadata"]["id"], "v2");
    let listed = c
        .get("csms/tasks?secret_name=db&status=SUCCESS&limit=10")
        .ok();
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["tasks"][0]["task_id"], rotated["rotation_task_id"]);
    let id = rotated["rotation_task_id"].as_str().unwrap();
    let one = c.get(&format!("csms/tasks?task_id={id}")).ok();
    assert_eq!(one["tasks"][0]["operate_type"], "MANUAL_ROTATION");
    c.get(&format!("csms/tasks?task_id={id}&status=FAILED"))
        .refused(400, "CSMS.0002");
    c.call("POST", "secrets/db/scheduled-deleted-tasks/create", "")
        .ok();
    c.call("POST", "secrets/db/rotate", "")
        .refused(403, "CSMS.0109");
    c.call("POST", "secrets/nope/rotate", "")
        .refused(400, "CSMS.0106");
    assert_eq!(c.get("csms/tasks").ok()["total"], 1);
}
