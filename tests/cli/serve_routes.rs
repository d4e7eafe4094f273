//! `csvault serve` through HTTP: every operation of the API with its success shape, and each
//! documented error, signed as the SDK signs.

use crate::support::TestVault;
use crate::support::serve::create_body;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The `name` of each object of a JSON array.
fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap())
        .collect()
}

#[test]
fn create_show_list_update_and_delete_answer_as_the_api_does() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();

    let created = c.post(
        "secrets",
        &json!({"name": "db-pass", "secret_string": "pw1", "description": "prod"}),
    );
    assert_eq!(
        created.content_type.as_deref(),
        Some("application/json;charset=utf-8")
    );
    let created = created.ok();
    assert_eq!(created["secret"]["name"], "db-pass");
    assert_eq!(created["secret"]["state"], "ENABLED");
    assert_eq!(created["secret"]["secret_type"], "COMMON");
    assert_eq!(created["secret"]["description"], "prod");

    let shown = c.get("secrets/db-pass").ok();
    assert_eq!(shown["secret"], created["secret"]);

    let updated = c
        .put("secrets/db-pass", &json!({"description": "staging"}))
        .ok();
    assert_eq!(updated["secret"]["description"], "staging");

    for name in ["b", "c", "a"] {
        c.post("secrets", &create_body(name, "x")).ok();
    }
    let page = c.get("secrets?limit=2").ok();
    assert_eq!(names(&page["secrets"]), ["a", "b"]);
    assert_eq!(page["page_info"]["next_marker"], "b");
    let rest = c.get("secrets?limit=2&marker=b").ok();
    assert_eq!(names(&rest["secrets"]), ["c", "db-pass"]);

    let deleted = c.call("DELETE", "secrets/db-pass", "");
    assert_eq!((deleted.status, &deleted.body), (204, &Value::Null));
    c.get("secrets/db-pass").refused(400, "CSMS.0106");
}

#[test]
fn versions_and_stages_move_as_the_lifecycle_rules_say() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("api", "one")).ok();

    let v2 = c
        .post("secrets/api/versions", &json!({"secret_string": "two"}))
        .ok();
    assert_eq!(v2["version_metadata"]["id"], "v2");
    assert_eq!(
        v2["version_metadata"]["version_stages"],
        json!(["SYSCURRENT"])
    );

    let latest = c.get("secrets/api/versions/latest").ok();
    assert_eq!(latest["version"]["secret_string"], "two");
    let v1 = c.get("secrets/api/versions/v1").ok();
    assert_eq!(v1["version"]["secret_string"], "one");
    assert_eq!(
        v1["version"]["version_metadata"]["version_stages"],
        json!(["SYSPREVIOUS"])
    );

    let listed = c.get("secrets/api/versions?limit=1").ok();
    assert_eq!(listed["version_metadatas"].as_array().unwrap().len(), 1);
    assert_eq!(listed["page_info"]["next_marker"], "v1");

    let expiring = c
        .put(
            "secrets/api/versions/v1",
            &json!({"expire_time": 4_102_444_800_000_i64}),
        )
        .ok();
    assert_eq!(
        expiring["version_metadata"]["expire_time"],
        4_102_444_800_000_i64
    );

    let stage = c
        .put("secrets/api/stages/blue", &json!({"version_id": "v1"}))
        .ok();
    assert_eq!(stage["stage"]["name"], "blue");
    assert_eq!(stage["stage"]["version_id"], "v1");
    assert_eq!(
        c.get("secrets/api/stages/blue").ok()["stage"]["version_id"],
        "v1"
    );
    let removed = c.call("DELETE", "secrets/api/stages/blue", "");
    assert_eq!(removed.status, 204);
    c.get("secrets/api/stages/blue").refused(400, "CSMS.0005");
    c.call("DELETE", "secrets/api/stages/SYSCURRENT", "")
        .refused(400, "CSMS.0105");
    c.get("secrets/api/versions/v9").refused(400, "CSMS.0005");
    c.post(
        "secrets/api/versions",
        &json!({"secret_string": "x", "secret_binary": "eA=="}),
    )
    .refused(400, "CSMS.0002");
    for i in 0..10 {
        c.put(
            &format!("secrets/api/stages/s{i}"),
            &json!({"version_id": "v1"}),
        )
        .ok();
    }
    c.put("secrets/api/stages/s10", &json!({"version_id": "v1"}))
        .refused(400, "CSMS.0203");
}

#[test]
fn scheduled_deletion_restore_and_the_states_refusals() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("old", "v")).ok();

    // Content-Length: 0, as the SDK sends a POST without a body: the 30-day default.
    let pending = c
        .call("POST", "secrets/old/scheduled-deleted-tasks/create", "")
        .ok();
    assert_eq!(pending["secret"]["state"], "PENDING_DELETE");
    let window = pending["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - pending["secret"]["update_time"].as_i64().unwrap();
    assert!(
        (30 * 86_400_000 - 60_000..=30 * 86_400_000 + 60_000).contains(&window),
        "{window}"
    );

    c.post(
        "secrets/old/scheduled-deleted-tasks/create",
        &json!({"recovery_window_in_days": 7}),
    )
    .refused(400, "CSMS.0107");
    c.get("secrets/old/versions/latest")
        .refused(403, "CSMS.0109");
    c.put("secrets/old", &json!({"description": "x"}))
        .refused(400, "CSMS.0103");
    c.post("secrets/old/versions", &json!({"secret_string": "x"}))
        .refused(403, "CSMS.0109");

    let restored = c
        .call("POST", "secrets/old/scheduled-deleted-tasks/cancel", "")
        .ok();
    assert_eq!(restored["secret"]["state"], "ENABLED");
    assert_eq!(restored["secret"]["scheduled_delete_time"], Value::Null);
    c.call("POST", "secrets/old/scheduled-deleted-tasks/cancel", "")
        .refused(400, "CSMS.0108");
    c.post(
        "secrets/old/scheduled-deleted-tasks/create",
        &json!({"recovery_window_in_days": 6}),
    )
    .refused(400, "CSMS.0002");
}

#[test]
fn backup_blobs_restore_exactly_and_batch_operations_work() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    let binary = STANDARD.encode(b"\x00bin\x00ary\xff");
    c.post("secrets", &json!({"name": "bin", "secret_binary": binary}))
        .ok();
    c.post(
        "secrets/bin/versions",
        &json!({"secret_binary": STANDARD.encode(b"v2")}),
    )
    .ok();

    let blob = c.call("POST", "secrets/bin/backup", "").ok();
    let blob = blob["secret_blob"].as_str().unwrap().to_owned();
    assert!(!blob.contains(&binary));
    assert_eq!(c.call("DELETE", "secrets/bin", "").status, 204);
    let back = c
        .post("secrets/restore", &json!({"secret_blob": blob}))
        .ok();
    assert_eq!(back["secret"]["name"], "bin");
    let v1 = c.get("secrets/bin/versions/v1").ok();
    assert_eq!(v1["version"]["secret_binary"], binary);
    c.post("secrets/restore", &json!({"secret_blob": blob}))
        .refused(400, "CSMS.0002");
    let mut altered = blob.clone();
    altered.replace_range(40..41, if &blob[40..41] == "A" { "B" } else { "A" });
    c.post("secrets/restore", &json!({"secret_blob": altered}))
        .refused(400, "CSMS.0004");

    c.post("secrets", &create_body("t", "text-value")).ok();
    let batch = c
        .post(
            "secrets/batch-get-secret-value",
            &json!({"secret_name_list": ["t", "bin"]}),
        )
        .ok();
    assert_eq!(batch["total_count"], 2);
    assert_eq!(batch["versions"][0]["secret_string"], "text-value");
    assert_eq!(
        batch["versions"][1]["secret_binary"],
        STANDARD.encode(b"v2")
    );
    c.post(
        "secrets/batch-get-secret-value",
        &json!({"secret_name_list": ["t", "nope"]}),
    )
    .refused(400, "CSMS.0106");

    let imported = c
        .post(
            "secrets/batch-import",
            &json!({"secrets": [
                {"name": "i1", "secret_string": "a"},
                {"name": "t", "secret_string": "exists"},
                {"name": "bad name", "secret_string": "a"},
                "not an object",
                {"name": "i2", "secret_binary": STANDARD.encode(b"\x00")},
            ]}),
        )
        .ok();
    assert_eq!(imported["total"], 5);
    assert_eq!(imported["success"], 2);
    assert_eq!(imported["failed"], 3);
    assert_eq!(names(&imported["error_list"]), ["t", "bad name", ""]);
    assert_eq!(
        c.get("secrets/i1/versions/latest").ok()["version"]["secret_string"],
        "a"
    );
    assert_eq!(
        c.get("secrets/t/versions/latest").ok()["version"]["secret_string"],
        "text-value"
    );

    let password = c
        .post("csms/generate-password", &json!({"length": 40}))
        .ok();
    assert_eq!(password["password"].as_str().unwrap().chars().count(), 40);
    let default = c.call("POST", "csms/generate-password", "").ok();
    assert_eq!(default["password"].as_str().unwrap().chars().count(), 32);
    c.post("csms/generate-password", &json!({"length": 0}))
        .refused(400, "CSMS.0002");
}

#[test]
fn documented_errors_come_with_their_status_and_code_and_change_nothing() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("bad name", "x"))
        .refused(400, "CSMS.0002");
    c.post("secrets", &create_body("dup", "x")).ok();
    c.post("secrets", &create_body("dup", "y"))
        .refused(400, "CSMS.0002");
    c.call("POST", "secrets", "{not json")
        .refused(400, "CSMS.0004");
    c.call("POST", "secrets", "[1]").refused(400, "CSMS.0004");
    c.call("GET", "nothing-here", "").refused(400, "CSMS.0003");
    c.call("PATCH", "secrets", "").refused(400, "CSMS.0003");
    c.get("secrets/missing").refused(400, "CSMS.0106");
    c.get("secrets?limit=0").refused(400, "CSMS.0002");
    c.get("secrets?limit=1001").refused(400, "CSMS.0002");
    c.post(
        "secrets",
        &json!({"name": "k", "secret_string": "x", "kms_key_id": "0b8a4e1f-3f0c-4c56-9a38-2c5b1f0e9d11"}),
    )
    .refused(400, "CSMS.0401");
    c.post("secrets", &create_body("big", &"x".repeat(32_769)))
        .refused(400, "CSMS.0002");
    c.post("secrets", &create_body("fits", &"é".repeat(16_384)))
        .ok();

    let huge = format!(
        r#"{{"name": "huge", "secret_string": "{}"}}"#,
        "x".repeat(1 << 20)
    );
    c.call("POST", "secrets", &huge).refused(400, "CSMS.0004");

    assert_eq!(
        names(&c.get("secrets").ok()["secrets"]),
        ["dup", "fits"],
        "nothing refused was written"
    );
    assert_eq!(
        c.get("secrets/dup/versions/latest").ok()["version"]["secret_string"],
        "x"
    );
}

#[test]
fn a_list_query_giving_limit_or_marker_twice_is_refused_naming_it() {
    let vault = TestVault::new();
    let server = vault.serve();
    let c = server.client();
    c.post("secrets", &create_body("api", "one")).ok();
    for (query, named) in [
        ("secrets?limit=1&limit=2", "limit"),
        ("secrets?marker=a&limit=5&marker=b", "marker"),
        ("secrets/api/versions?limit=1&limit=1", "limit"),
        ("secrets/api/versions?marker=v1&marker=v2", "marker"),
    ] {
        let refused = c.get(query);
        refused.refused(400, "CSMS.0002");
        assert_eq!(
            refused.body["error_msg"],
            format!("Invalid {named}: it is given more than once."),
            "{query}"
        );
    }
}
