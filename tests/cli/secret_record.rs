//! The whole Secret record through the binary: the newer fields on create, update and show, a
//! vault made by the previous release upgraded in place, and version ids never reused across a
//! delete and a restore.

use crate::support::{TestVault, assert_recent_ms, bin};
use assert_cmd::Command;
use serde_json::Value;

const DAY_MS: i64 = 86_400_000;

/// The Secret record's keys, in the API's order (docs/DECISIONS.md "Secret record").
const SECRET_KEYS: [&str; 17] = [
    "id",
    "name",
    "state",
    "kms_key_id",
    "description",
    "create_time",
    "update_time",
    "scheduled_delete_time",
    "secret_type",
    "auto_rotation",
    "rotation_period",
    "rotation_config",
    "rotation_time",
    "next_rotation_time",
    "event_subscriptions",
    "enterprise_project_id",
    "rotation_func_urn",
];

/// The record's keys, sorted (`serde_json`'s map is sorted; the order is checked on raw text).
fn secret_keys(v: &Value) -> Vec<String> {
    v["secret"].as_object().unwrap().keys().cloned().collect()
}

fn sorted_record_keys() -> Vec<String> {
    let mut keys: Vec<String> = SECRET_KEYS.iter().map(|k| (*k).to_owned()).collect();
    keys.sort();
    keys
}

#[test]
fn create_takes_every_field_of_the_record_and_show_returns_them_in_order() {
    let v = TestVault::new();
    let made = v.ok(&[
        "secret",
        "create",
        "--name",
        "rotating",
        "--secret-string",
        "s3cret",
        "--auto-rotation",
        "true",
        "--rotation-period",
        "30d",
        "--rotation-config",
        "{\"user\":\"app\"}",
        "--rotation-func-urn",
        "urn:fss:region:project:function:default:rotate",
        "--enterprise-project-id",
        "ep-1",
    ]);
    let s = &made["secret"];
    assert_eq!(secret_keys(&made), sorted_record_keys(), "{made}");
    assert_eq!(s["auto_rotation"], true);
    assert_eq!(s["rotation_period"], "30d");
    assert_eq!(s["rotation_config"], "{\"user\":\"app\"}");
    assert_eq!(
        s["rotation_func_urn"],
        "urn:fss:region:project:function:default:rotate"
    );
    assert_eq!(s["enterprise_project_id"], "ep-1");
    assert_eq!(s["event_subscriptions"], serde_json::json!([]));
    assert_eq!(s["rotation_time"], Value::Null, "never rotated yet");
    let next = s["next_rotation_time"].as_i64().unwrap();
    assert_eq!(
        next - s["create_time"].as_i64().unwrap(),
        30 * DAY_MS,
        "next rotation = switched on + period"
    );
    let shown = v.ok(&["secret", "show", "rotating"]);
    assert_eq!(
        shown["secret"], made["secret"],
        "show returns what create stored"
    );

    let plain = v.ok(&[
        "secret",
        "create",
        "--name",
        "plain",
        "--secret-string",
        "x",
    ]);
    let p = &plain["secret"];
    assert_eq!(secret_keys(&plain), sorted_record_keys());
    assert_eq!(p["auto_rotation"], false);
    assert_eq!(
        p["enterprise_project_id"], "0",
        "the cloud's default project"
    );
    for unset in [
        "rotation_period",
        "rotation_config",
        "next_rotation_time",
        "rotation_func_urn",
    ] {
        assert_eq!(p[unset], Value::Null, "{unset}");
    }
    let listed = v.ok(&["secret", "list"]);
    assert_eq!(
        listed["secrets"][1], shown["secret"],
        "list carries the whole record"
    );
}

#[test]
fn broken_settings_are_refused_naming_the_field_and_nothing_is_written() {
    let v = TestVault::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--auto-rotation", "true"], "auto_rotation"),
        (&["--rotation-period", "5h"], "rotation_period"),
        (&["--rotation-period", "30"], "rotation_period"),
        (&["--rotation-period", "366d"], "rotation_period"),
        (
            &["--event-subscription", "no-such-event"],
            "event_subscriptions",
        ),
        (&["--event-subscription", "a,b"], "event_subscriptions"),
        (
            &["--enterprise-project-id", &"e".repeat(37)],
            "enterprise_project_id",
        ),
        (&["--rotation-config", &"c".repeat(1025)], "rotation_config"),
    ];
    for (flags, field) in cases {
        let mut args = vec!["secret", "create", "--name", "s", "--secret-string", "x"];
        args.extend_from_slice(flags);
        let e = v.err(&args);
        assert_eq!(e.code, "CSMS.0002", "{flags:?}: {e:?}");
        assert!(e.msg.contains(field), "{flags:?}: {e:?}");
    }
    assert_eq!(v.ok(&["secret", "list"])["secrets"], serde_json::json!([]));
}

#[test]
fn update_switches_automatic_rotation_with_the_stored_period() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "x"]);
    let before = v.ok(&["secret", "show", "db"]);
    let e = v.err(&["secret", "update", "db", "--auto-rotation", "true"]);
    assert_eq!(e.code, "CSMS.0002", "{e:?}");
    assert!(e.msg.contains("rotation_period"), "{e:?}");
    assert_eq!(
        v.ok(&["secret", "show", "db"]),
        before,
        "a refused update wrote"
    );

    let set = v.ok(&["secret", "update", "db", "--rotation-period", "12h"]);
    assert_eq!(set["secret"]["rotation_period"], "12h");
    assert_eq!(
        set["secret"]["next_rotation_time"],
        Value::Null,
        "not switched on"
    );
    let on = v.ok(&["secret", "update", "db", "--auto-rotation", "true"]);
    assert_eq!(on["secret"]["auto_rotation"], true);
    let next = on["secret"]["next_rotation_time"].as_i64().unwrap();
    assert_eq!(
        next - on["secret"]["update_time"].as_i64().unwrap(),
        DAY_MS / 2
    );
    let described = v.ok(&["secret", "update", "db", "--description", "d"]);
    assert_eq!(
        described["secret"]["next_rotation_time"], on["secret"]["next_rotation_time"],
        "an unrelated change leaves the schedule"
    );
    let off = v.ok(&["secret", "update", "db", "--auto-rotation", "false"]);
    assert_eq!(off["secret"]["auto_rotation"], false);
    assert_eq!(off["secret"]["next_rotation_time"], Value::Null);
    assert_eq!(
        off["secret"]["rotation_period"], "12h",
        "the period is kept"
    );
}

#[test]
fn a_vault_made_by_the_previous_release_is_upgraded_in_place() {
    // Made by csvault b7a6352 (schema 2): `init`, a CMK `app/prod`, `db-password` with v1 and v2,
    // `api-token` under app/prod with stage BLUE on v1.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/vault-b7a6352.db"
        ),
        &path,
    )
    .unwrap();
    let run = |args: &[&str]| -> Value {
        let out = Command::new(bin())
            .env("CSVAULT_PASSPHRASE", "fixture passphrase 14")
            .env_remove("CSVAULT_PATH")
            .arg("--vault")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let shown = run(&["secret", "show", "db-password"]);
    assert_eq!(secret_keys(&shown), sorted_record_keys(), "{shown}");
    assert_eq!(shown["secret"]["description"], "made by b7a6352");
    assert_eq!(shown["secret"]["auto_rotation"], false);
    assert_eq!(shown["secret"]["enterprise_project_id"], "0");
    let value = run(&["secret", "get-value", "db-password"]);
    assert_eq!(value["version"]["secret_string"], "old-release value 2");
    assert_eq!(value["version"]["version_metadata"]["id"], "v2");
    let blue = run(&["secret", "show-stage", "api-token", "BLUE"]);
    assert_eq!(blue["stage"]["version_id"], "v1");
    let token = run(&["secret", "get-value", "api-token", "--version-id", "v1"]);
    assert_eq!(token["version"]["secret_string"], "tok-123");

    let updated = run(&[
        "secret",
        "update",
        "api-token",
        "--auto-rotation",
        "true",
        "--rotation-period",
        "30d",
    ]);
    assert_eq!(updated["secret"]["auto_rotation"], true);
    assert_recent_ms(&updated["secret"]["update_time"]);
    let v3 = run(&[
        "secret",
        "create-version",
        "db-password",
        "--secret-string",
        "new",
    ]);
    assert_eq!(v3["version_metadata"]["id"], "v3", "numbering continues");
    let db = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 4,
        "schema upgraded in place to the current version"
    );
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let broken_keys: i64 = db
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        broken_keys, 0,
        "every foreign key of the upgraded vault holds"
    );
}

#[test]
fn a_restored_secret_numbers_versions_after_every_version_it_ever_had() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "one"]);
    v.ok(&["secret", "create-version", "db", "--secret-string", "two"]);
    let blob = v.ok(&["secret", "download-blob", "db"]);
    let blob_file = v.file("db.blob", blob["secret_blob"].as_str().unwrap());
    let v3 = v.ok(&["secret", "create-version", "db", "--secret-string", "three"]);
    assert_eq!(v3["version_metadata"]["id"], "v3");
    v.cmd().args(["secret", "delete", "db"]).assert().success();
    v.ok(&[
        "secret",
        "upload-blob",
        "--secret-blob-file",
        blob_file.to_str().unwrap(),
    ]);
    let next = v.ok(&["secret", "create-version", "db", "--secret-string", "four"]);
    assert_eq!(
        next["version_metadata"]["id"], "v4",
        "v3 named another value before the delete: it is never used again"
    );
    let e = v.err(&["secret", "get-value", "db", "--version-id", "v3"]);
    assert_eq!(e.code, "CSMS.0005", "{e:?}");
}
