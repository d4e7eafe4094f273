//! `csvault secret …` through the real binary: the API page's example, every error path, values read
//! back byte for byte, paging.

use crate::support::{TestVault, assert_recent_ms, assert_uuid_v4, keys};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The example request of the Create Secret page, verbatim.
const API_EXAMPLE: &str = r#"{
  "name" : "demo",
  "kms_key_id" : "0d0466b0-e727-4d9c-b35d-f84bb474a37f",
  "secret_string" : "this is a demo secret string"
}"#;
const EXAMPLE_KEY: &str = "0d0466b0-e727-4d9c-b35d-f84bb474a37f";

/// Checks a `{"secret": {...}}` body has exactly the documented fields for a new secret.
fn assert_new_secret(body: &Value, name: &str, key_id: &str, description: &str) -> Value {
    assert_eq!(keys(body), ["secret"], "{body}");
    let s = &body["secret"];
    assert_eq!(
        keys(s),
        [
            "auto_rotation",
            "create_time",
            "description",
            "enterprise_project_id",
            "event_subscriptions",
            "id",
            "kms_key_id",
            "name",
            "next_rotation_time",
            "rotation_config",
            "rotation_func_urn",
            "rotation_period",
            "rotation_time",
            "scheduled_delete_time",
            "secret_type",
            "state",
            "update_time"
        ],
        "{s}"
    );
    assert_eq!(s["auto_rotation"], false);
    assert_eq!(s["enterprise_project_id"], "0");
    assert_eq!(s["event_subscriptions"], json!([]));
    assert_uuid_v4(s["id"].as_str().unwrap());
    assert_eq!(s["name"], name);
    assert_eq!(s["state"], "ENABLED");
    assert_eq!(s["kms_key_id"], key_id);
    assert_eq!(s["description"], description);
    assert_recent_ms(&s["create_time"]);
    assert_eq!(s["update_time"], s["create_time"]);
    assert_eq!(s["scheduled_delete_time"], Value::Null);
    assert_eq!(s["secret_type"], "COMMON");
    s.clone()
}

fn names(list: &Value) -> Vec<String> {
    list["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_api_example_request() {
    let v = TestVault::new();
    let file = v.file("example.json", API_EXAMPLE);

    // As written, its key is not in this vault: from a file and from stdin.
    let e = v.err(&["secret", "create", "--request", file.to_str().unwrap()]);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");
    assert!(e.msg.contains(EXAMPLE_KEY), "{e:?}");
    let e = v.err_stdin(&["secret", "create", "--request", "-"], API_EXAMPLE);
    assert_eq!(e.code, "CSMS.0401", "{e:?}");

    // With its kms_key_id replaced by a key of the vault.
    let key = v.ok(&["key", "create", "--alias", "A"]);
    let key_id = key["key_info"]["key_id"].as_str().unwrap().to_owned();
    let mut body: Value = serde_json::from_str(API_EXAMPLE).unwrap();
    body["kms_key_id"] = json!(key_id);
    let created = v.ok_stdin(&["secret", "create", "--request", "-"], body.to_string());
    assert_new_secret(&created, "demo", &key_id, "");

    // Without kms_key_id: the csms/default key is created and used.
    let mut body: Value = serde_json::from_str(API_EXAMPLE).unwrap();
    body.as_object_mut().unwrap().remove("kms_key_id");
    body["name"] = json!("demo-default");
    let file = v.file("no-key.json", body.to_string());
    let created = v.ok(&["secret", "create", "--request", file.to_str().unwrap()]);
    let default_id = created["secret"]["kms_key_id"].as_str().unwrap().to_owned();
    assert_ne!(default_id, key_id);
    assert_new_secret(&created, "demo-default", &default_id, "");
    let list = v.ok(&["key", "list"]);
    let details = list["key_details"].as_array().unwrap();
    assert_eq!(details.len(), 2, "{list}");
    let default = details
        .iter()
        .find(|k| k["key_alias"] == "csms/default")
        .unwrap_or_else(|| panic!("no csms/default key: {list}"));
    assert_eq!(default["key_id"], default_id);
    assert_eq!(default["default_key_flag"], "1");
    assert_eq!(default["key_state"], "2");
    let a = details.iter().find(|k| k["key_alias"] == "A").unwrap();
    assert_eq!(a["default_key_flag"], "0");
}

#[test]
fn every_rule_break_is_csms_0002_and_stores_nothing() {
    let v = TestVault::new();
    let name64 = "n".repeat(64);
    let name65 = "n".repeat(65);
    let desc2048 = "é".repeat(1024); // 2,048 bytes, 1,024 characters
    let desc2049 = format!("{desc2048}a");
    let value32768 = v.file("v32768", "x".repeat(32_768));
    let value32769 = v.file("v32769", "x".repeat(32_769));

    // The upper boundaries, all at once, are accepted.
    let ok = v.ok(&[
        "secret",
        "create",
        "--name",
        &name64,
        "--description",
        &desc2048,
        "--secret-string-file",
        value32768.to_str().unwrap(),
    ]);
    assert_new_secret(
        &ok,
        &name64,
        ok["secret"]["kms_key_id"].as_str().unwrap(),
        &desc2048,
    );

    let s = "--secret-string";
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("bad name", vec!["--name", "bad name!", s, "x"], "name"),
        ("65 chars", vec!["--name", &name65, s, "x"], "name"),
        (
            "both values",
            vec!["--name", "both", s, "x", "--secret-binary", "eA=="],
            "secret_binary",
        ),
        ("neither value", vec!["--name", "neither"], "secret_string"),
        (
            "bad base64",
            vec!["--name", "b64", "--secret-binary", "not base64!"],
            "base64",
        ),
        (
            "description 2049 bytes",
            vec!["--name", "desc", "--description", &desc2049, s, "x"],
            "description",
        ),
        (
            "value 32769 bytes",
            vec![
                "--name",
                "big",
                "--secret-string-file",
                value32769.to_str().unwrap(),
            ],
            "secret_string",
        ),
        (
            "duplicate name",
            vec!["--name", &name64, s, "other"],
            "exists",
        ),
    ];
    for (what, args, mentions) in &cases {
        let mut all = vec!["secret", "create"];
        all.extend(args);
        let e = v.err(&all);
        assert_eq!(e.code, "CSMS.0002", "{what}: {e:?}");
        assert!(e.msg.contains(mentions), "{what}: {e:?}");
    }
    let list = v.ok(&["secret", "list"]);
    assert_eq!(names(&list), [name64.as_str()], "{list}");
}

#[test]
fn a_malformed_body_is_csms_0004_without_echoing_the_value() {
    let v = TestVault::new();
    let canary = "canary-Zq81xW";
    let bodies = [
        // Cut off in the middle of the value.
        format!(r#"{{"name":"leak","secret_string":"{canary}"#),
        // Valid JSON, but not a request object: the value pasted on its own.
        format!(r#""{canary}""#),
    ];
    for body in bodies {
        let e = v.err_stdin(&["secret", "create", "--request", "-"], body.clone());
        assert_eq!(e.code, "CSMS.0004", "{body}: {e:?}");
        assert!(!e.msg.contains(canary), "the error echoes the value: {e:?}");
    }
}

#[test]
fn values_read_back_byte_for_byte() {
    let v = TestVault::new();
    let text = "héllo wörld ✓ 🔑\n\tsecond line with \"quotes\" and \\ \n";
    let created = v.ok_stdin(
        &[
            "secret",
            "create",
            "--name",
            "text",
            "--secret-string-file",
            "-",
        ],
        text,
    );
    let key_id = created["secret"]["kms_key_id"].as_str().unwrap();

    let latest = v.ok(&["secret", "get-value", "text", "--version-id", "latest"]);
    let v1 = v.ok(&["secret", "get-value", "text", "--version-id", "v1"]);
    assert_eq!(latest, v1);
    let version = &latest["version"];
    assert_eq!(
        keys(version),
        ["secret_string", "version_metadata"],
        "{version}"
    );
    assert_eq!(version["secret_string"].as_str().unwrap(), text);
    let meta = &version["version_metadata"];
    assert_eq!(meta["id"], "v1");
    assert_eq!(meta["secret_name"], "text");
    assert_eq!(meta["kms_key_id"], key_id);
    assert_eq!(meta["version_stages"], json!(["SYSCURRENT"]));
    assert_recent_ms(&meta["create_time"]);

    let mut bytes: Vec<u8> = vec![0, 0, b'\n', 0xff, 0xfe, 0];
    bytes.extend(0..=255u8);
    bytes.push(0);
    let file = v.file("binary.bin", &bytes);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "binary",
        "--secret-binary-file",
        file.to_str().unwrap(),
    ]);
    let got = v.ok(&["secret", "get-value", "binary"]);
    assert_eq!(
        keys(&got["version"]),
        ["secret_binary", "version_metadata"],
        "{got}"
    );
    let decoded = STANDARD
        .decode(got["version"]["secret_binary"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, bytes);

    // Not found: an unknown name (0106), an unknown version (0005).
    let e = v.err(&["secret", "show", "nope"]);
    assert_eq!(e.code, "CSMS.0106", "{e:?}");
    let e = v.err(&["secret", "get-value", "nope"]);
    assert_eq!(e.code, "CSMS.0106", "{e:?}");
    let e = v.err(&["secret", "get-value", "text", "--version-id", "v9"]);
    assert_eq!(e.code, "CSMS.0005", "{e:?}");
}

#[test]
fn list_pages_by_name() {
    let v = TestVault::new();
    // Five secrets, created out of order (one import: each create would cost an unlock).
    let lines: String =
        ["delta", "alpha", "echo", "charlie", "bravo"]
            .iter()
            .fold(String::new(), |mut out, n| {
                out.push_str(&json!({"name": n, "secret_string": n}).to_string());
                out.push('\n');
                out
            });
    let summary = v.ok_stdin(&["secret", "import", "-"], lines);
    assert_eq!(summary["created"], 5, "{summary}");
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut args = vec!["secret", "list", "--limit", "2"];
        if let Some(m) = &marker {
            args.extend(["--marker", m.as_str()]);
        }
        let page = v.ok(&args);
        assert_eq!(keys(&page), ["page_info", "secrets"], "{page}");
        let info = &page["page_info"];
        let got = names(&page);
        assert_eq!(info["current_count"], got.len(), "{page}");
        seen.extend(got);
        pages.push(page.clone());
        if let Some(next) = info["next_marker"].as_str() {
            marker = Some(next.to_owned());
        } else {
            assert_eq!(info["next_marker"], Value::Null, "{page}");
            break;
        }
        assert!(pages.len() < 5, "paging does not end: {page}");
    }
    assert_eq!(seen, ["alpha", "bravo", "charlie", "delta", "echo"]);
    assert_eq!(pages.len(), 3);
    assert_eq!(pages[0]["page_info"]["next_marker"], "bravo");
    assert_eq!(pages[1]["page_info"]["next_marker"], "delta");
    assert_eq!(pages[2]["page_info"]["current_count"], 1);
    // From the last page, previous_marker leads back to the page before it.
    assert_eq!(pages[2]["page_info"]["previous_marker"], "bravo");
    assert_eq!(pages[0]["page_info"]["previous_marker"], Value::Null);

    for limit in ["0", "1001"] {
        let e = v.err(&["secret", "list", "--limit", limit]);
        assert_eq!(e.code, "CSMS.0002", "limit {limit}: {e:?}");
        assert!(e.msg.contains("limit"), "{e:?}");
    }
}
