//! The lifecycle commands through the real binary: each command's output shape and each error
//! code path (issue 8).
#![allow(
    clippy::too_many_lines,
    reason = "each test is one scenario, read top to bottom"
)]

use crate::support::{PASSPHRASE, TestVault, api_err, keys, ok_json};
use serde_json::Value;

fn stages_of(v: &TestVault, name: &str) -> Vec<(String, Value)> {
    let list = v.ok(&["secret", "list-versions", name]);
    list["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["version_stages"].clone(),
            )
        })
        .collect()
}

#[test]
fn versions_and_stages_through_the_command_line() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "one"]);
    let v2 = v.ok(&["secret", "create-version", "db", "--secret-string", "-two"]);
    assert_eq!(keys(&v2), ["version_metadata"]);
    assert_eq!(v2["version_metadata"]["id"], "v2");
    assert_eq!(v2["version_metadata"]["version_stages"][0], "SYSCURRENT");
    let file = v.file("three.bin", b"\x00three\x00");
    let v3 = v.ok(&[
        "secret",
        "create-version",
        "db",
        "--secret-binary-file",
        file.to_str().unwrap(),
        "--version-stage",
        "blue",
        "--version-stage",
        "green",
        "--expire-time",
        "4102444800000",
    ]);
    assert_eq!(v3["version_metadata"]["expire_time"], 4_102_444_800_000_i64);
    let body = v.file(
        "v4.json",
        r#"{"secret_string":"four","version_stages":["x"]}"#,
    );
    v.ok(&[
        "secret",
        "create-version",
        "db",
        "--request",
        body.to_str().unwrap(),
    ]);
    let listed = stages_of(&v, "db");
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].1, serde_json::json!(["SYSPREVIOUS"]));
    assert_eq!(listed[2].1, serde_json::json!(["blue", "green"]));
    let page = v.ok(&[
        "secret",
        "list-versions",
        "db",
        "--limit",
        "1",
        "--marker",
        "v1",
    ]);
    assert_eq!(keys(&page), ["page_info", "version_metadatas"]);
    assert_eq!(page["page_info"]["next_marker"], "v2");
    assert_eq!(page["version_metadatas"][0]["id"], "v2");

    // --raw: the value alone, bytes as they are, no newline.
    let raw = v
        .cmd()
        .args(["secret", "get-value", "db", "--raw"])
        .output()
        .unwrap();
    assert_eq!(raw.stdout, b"-two");
    let raw = v
        .cmd()
        .args(["secret", "get-value", "db", "--version-id", "v3", "--raw"])
        .output()
        .unwrap();
    assert_eq!(raw.stdout, b"\x00three\x00");

    let updated = v.ok(&[
        "secret",
        "update-version",
        "db",
        "--version-id",
        "v1",
        "--expire-time",
        "4102444800005",
    ]);
    assert_eq!(
        updated["version_metadata"]["expire_time"],
        4_102_444_800_005_i64
    );
    let stage = v.ok(&[
        "secret",
        "update-stage",
        "db",
        "SYSCURRENT",
        "--version-id",
        "v4",
    ]);
    assert_eq!(
        keys(&stage["stage"]),
        ["name", "secret_name", "update_time", "version_id"]
    );
    assert_eq!(
        v.ok(&["secret", "show-stage", "db", "SYSPREVIOUS"])["stage"]["version_id"],
        "v2"
    );
    let out = v
        .cmd()
        .args(["secret", "delete-stage", "db", "blue"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stdout.is_empty() && out.stderr.is_empty());

    assert_eq!(
        v.err(&["secret", "delete-stage", "db", "SYSCURRENT"]).code,
        "CSMS.0105"
    );
    assert_eq!(
        v.err(&["secret", "delete-stage", "db", "blue"]).code,
        "CSMS.0005"
    );
    assert_eq!(
        v.err(&["secret", "show-stage", "db", "blue"]).code,
        "CSMS.0005"
    );
    assert_eq!(
        v.err(&["secret", "update-stage", "db", "x", "--version-id", "v9"])
            .code,
        "CSMS.0005"
    );
    assert_eq!(
        v.err(&["secret", "get-value", "db", "--version-id", "v9"])
            .code,
        "CSMS.0005"
    );
    assert_eq!(
        v.err(&[
            "secret",
            "update-version",
            "db",
            "--version-id",
            "v1",
            "--expire-time",
            "-1"
        ])
        .code,
        "CSMS.0002"
    );
    assert_eq!(
        v.err(&["secret", "list-versions", "db", "--marker", "nope"])
            .code,
        "CSMS.0002"
    );
    assert_eq!(
        v.err(&["secret", "list-versions", "nope"]).code,
        "CSMS.0106"
    );
    assert_eq!(v.err(&["secret", "create-version", "db"]).code, "CSMS.0002");
    // SYSCURRENT, SYSPREVIOUS, green and x so far: eight more make twelve.
    for i in 0..8 {
        v.ok(&[
            "secret",
            "update-stage",
            "db",
            &format!("s{i}"),
            "--version-id",
            "v1",
        ]);
    }
    assert_eq!(
        v.err(&["secret", "update-stage", "db", "s8", "--version-id", "v1"])
            .code,
        "CSMS.0203"
    );
}

#[test]
fn update_enable_disable_delete_and_restore() {
    let v = TestVault::new();
    v.ok(&["key", "create", "--alias", "app/db"]);
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "one"]);
    let upd = v.ok(&[
        "secret",
        "update",
        "db",
        "--description",
        "prod",
        "--kms-key-id",
        "app/db",
    ]);
    assert_eq!(upd["secret"]["description"], "prod");
    let key_id = v.ok(&["key", "list"])["key_details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_alias"] == "app/db")
        .unwrap()["key_id"]
        .clone();
    assert_eq!(upd["secret"]["kms_key_id"], key_id);
    let body = v.file("upd.json", r#"{"description":""}"#);
    assert_eq!(
        v.ok(&[
            "secret",
            "update",
            "db",
            "--request",
            body.to_str().unwrap()
        ])["secret"]["description"],
        ""
    );
    assert_eq!(
        v.err(&["secret", "update", "db", "--kms-key-id", "no/such"])
            .code,
        "CSMS.0401"
    );

    assert_eq!(
        v.ok(&["secret", "disable", "db"])["secret"]["state"],
        "DISABLED"
    );
    assert_eq!(v.err(&["secret", "get-value", "db"]).code, "CSMS.0109");
    assert_eq!(
        v.err(&["secret", "create-version", "db", "--secret-string", "x"])
            .code,
        "CSMS.0109"
    );
    assert_eq!(
        v.ok(&["secret", "enable", "db"])["secret"]["state"],
        "ENABLED"
    );

    let pending = v.ok(&[
        "secret",
        "schedule-delete",
        "db",
        "--recovery-window-in-days",
        "7",
    ]);
    assert_eq!(pending["secret"]["state"], "PENDING_DELETE");
    let window = pending["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - pending["secret"]["update_time"].as_i64().unwrap();
    assert_eq!(window, 7 * 86_400_000);
    assert_eq!(
        v.err(&["secret", "schedule-delete", "db"]).code,
        "CSMS.0107"
    );
    assert_eq!(
        v.err(&["secret", "update", "db", "--description", "x"])
            .code,
        "CSMS.0103"
    );
    assert_eq!(v.err(&["secret", "enable", "db"]).code, "CSMS.0103");
    assert_eq!(
        v.ok(&["secret", "restore", "db"])["secret"]["state"],
        "ENABLED"
    );
    assert_eq!(v.err(&["secret", "restore", "db"]).code, "CSMS.0108");
    assert_eq!(
        v.err(&[
            "secret",
            "schedule-delete",
            "db",
            "--recovery-window-in-days",
            "31"
        ])
        .code,
        "CSMS.0002"
    );
    let default = v.ok(&["secret", "schedule-delete", "db"]);
    let window = default["secret"]["scheduled_delete_time"].as_i64().unwrap()
        - default["secret"]["update_time"].as_i64().unwrap();
    assert_eq!(window, 30 * 86_400_000);

    let out = v.cmd().args(["secret", "delete", "db"]).output().unwrap();
    assert!(out.status.success() && out.stdout.is_empty(), "{out:?}");
    assert_eq!(v.err(&["secret", "show", "db"]).code, "CSMS.0106");
    assert_eq!(v.err(&["secret", "delete", "db"]).code, "CSMS.0106");
}

#[test]
fn blobs_batch_reads_and_passwords() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "a", "--secret-string", "A"]);
    v.ok(&["secret", "create", "--name", "b", "--secret-binary", "AAEC"]);
    v.ok(&[
        "secret",
        "create-version",
        "a",
        "--secret-string",
        "canary-9x7Q",
        "--version-stage",
        "blue",
    ]);
    let blob = v.ok(&["secret", "download-blob", "a"]);
    assert_eq!(keys(&blob), ["secret_blob"]);
    let blob = blob["secret_blob"].as_str().unwrap().to_owned();
    assert!(!blob.contains("canary"));
    assert_eq!(
        v.err(&["secret", "upload-blob", "--secret-blob", &blob])
            .code,
        "CSMS.0002"
    );
    let before = v.ok(&["secret", "show", "a"]);
    assert!(
        v.cmd()
            .args(["secret", "delete", "a"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let file = v.file("a.blob", format!("{blob}\n"));
    let restored = v.ok(&[
        "secret",
        "upload-blob",
        "--secret-blob-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(restored, before);
    assert_eq!(
        v.ok(&["secret", "show-stage", "a", "blue"])["stage"]["version_id"],
        "v2"
    );
    let mut flipped = blob.clone();
    flipped.replace_range(20..21, if &blob[20..21] == "A" { "B" } else { "A" });
    assert!(
        v.cmd()
            .args(["secret", "delete", "a"])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(
        v.err(&["secret", "upload-blob", "--secret-blob", &flipped])
            .code,
        "CSMS.0004"
    );
    assert_eq!(v.err(&["secret", "show", "a"]).code, "CSMS.0106");
    let other = TestVault::new();
    assert_eq!(
        other
            .err(&["secret", "upload-blob", "--secret-blob", &blob])
            .code,
        "CSMS.0004"
    );
    let stdin_restore = v.ok_stdin(&["secret", "upload-blob", "--secret-blob-file", "-"], blob);
    assert_eq!(stdin_restore["secret"]["name"], "a");

    let batch = v.ok(&["secret", "batch-get-value", "a", "b"]);
    assert_eq!(keys(&batch), ["total_count", "versions"]);
    assert_eq!(batch["total_count"], 2);
    assert_eq!(batch["versions"][0]["secret_string"], "A");
    assert_eq!(batch["versions"][1]["secret_binary"], "AAEC");
    assert_eq!(
        v.err(&["secret", "batch-get-value", "a", "nope"]).code,
        "CSMS.0106"
    );

    // Needs no vault at all.
    let nowhere = TestVault::uninit();
    let out = nowhere
        .cmd()
        .env_remove("CSVAULT_PASSPHRASE")
        .args([
            "generate-password",
            "--length",
            "40",
            "--exclude-punctuation",
            "--require-each-included-type",
        ])
        .output()
        .unwrap();
    let pw = ok_json(&out)["password"].as_str().unwrap().to_owned();
    assert_eq!(pw.len(), 40);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(!nowhere.path.exists());
    let e = api_err(
        &nowhere
            .cmd()
            .args(["generate-password", "--length", "0"])
            .output()
            .unwrap(),
        1,
    );
    assert_eq!(e.code, "CSMS.0002");
}

/// `generate-password` refuses a password of spaces only, whichever choices leave only the space.
#[test]
fn generate_password_refuses_spaces_only() {
    let nowhere = TestVault::uninit();
    let letters_digits_punct: String = (33u8..127).map(char::from).collect();
    let cases: [&[&str]; 2] = [
        &[
            "--include-space",
            "--exclude-lowercase",
            "--exclude-uppercase",
            "--exclude-numbers",
            "--exclude-punctuation",
        ],
        &[
            "--include-space",
            "--exclude-characters",
            &letters_digits_punct,
        ],
    ];
    for flags in cases {
        let out = nowhere
            .cmd()
            .arg("generate-password")
            .args(flags)
            .output()
            .unwrap();
        let e = api_err(&out, 1);
        assert_eq!(e.code, "CSMS.0002", "{flags:?}: {e:?}");
        assert!(e.msg.contains("only of spaces"), "{flags:?}: {e:?}");
        assert!(out.stdout.is_empty(), "no password printed");
    }
}

/// `--expire-time` takes the terminal app's date forms (local time: `TZ` here) besides epoch
/// ms, and refuses a time already past, naming it.
#[test]
fn expire_time_takes_dates_and_refuses_the_past() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "one"]);
    let at = |args: &[&str]| v.cmd().env("TZ", "UTC").args(args).output().unwrap();
    let out = at(&[
        "secret",
        "update-version",
        "db",
        "--version-id",
        "v1",
        "--expire-time",
        "2100-01-01 12:30",
    ]);
    assert_eq!(
        ok_json(&out)["version_metadata"]["expire_time"],
        4_102_489_800_000_i64
    );
    let out = at(&[
        "secret",
        "create-version",
        "db",
        "--secret-string",
        "two",
        "--expire-time",
        "2100-01-01",
    ]);
    assert_eq!(
        ok_json(&out)["version_metadata"]["expire_time"],
        4_102_444_800_000_i64
    );

    // Past: refused, the time named, nothing changed.
    for args in [
        &[
            "secret",
            "update-version",
            "db",
            "--version-id",
            "v1",
            "--expire-time",
            "2020-01-01",
        ][..],
        &[
            "secret",
            "create-version",
            "db",
            "--secret-string",
            "x",
            "--expire-time",
            "5",
        ][..],
    ] {
        let e = api_err(&at(args), 1);
        assert_eq!(e.code, "CSMS.0002", "{e:?}");
        assert!(e.msg.contains("in the past"), "{e:?}");
    }
    let e = api_err(
        &at(&[
            "secret",
            "update-version",
            "db",
            "--version-id",
            "v1",
            "--expire-time",
            "2020-01-01",
        ]),
        1,
    );
    assert!(e.msg.contains("2020-01-01 00:00:00 UTC"), "{e:?}");
    let versions = v.ok(&["secret", "list-versions", "db"]);
    assert_eq!(versions["version_metadatas"].as_array().unwrap().len(), 2);

    // Neither form: clap's usage error names the forms taken.
    let out = at(&[
        "secret",
        "update-version",
        "db",
        "--version-id",
        "v1",
        "--expire-time",
        "soon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
}

#[test]
fn the_passphrase_changes_and_the_old_one_stops_working() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "db", "--secret-string", "pw"]);
    let changed = ok_json(
        &v.cmd()
            .env("CSVAULT_NEW_PASSPHRASE", "the new passphrase")
            .arg("change-passphrase")
            .output()
            .unwrap(),
    );
    assert_eq!(keys(&changed), ["vault", "vault_id"]);
    assert_eq!(v.err(&["secret", "list"]).code, "VAULT.0002");
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "the new passphrase")
        .args(["secret", "get-value", "db", "--raw"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"pw");
    let file = v.file("new.txt", "third passphrase\n");
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "the new passphrase")
        .args([
            "change-passphrase",
            "--new-passphrase-file",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    ok_json(&out);
    let short = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "third passphrase")
        .env("CSVAULT_NEW_PASSPHRASE", "short")
        .arg("change-passphrase")
        .output()
        .unwrap();
    assert_eq!(api_err(&short, 1).code, "VAULT.0004");
    assert_ne!(PASSPHRASE, "third passphrase");
}
