//! The checks and the health report through the binary (issue 14): `check config`, the weak-value
//! warning on stderr (only with checking on, never the value), `check strength` without a vault,
//! and `report`'s JSON, which names secrets and never holds a value.

use crate::support::{TestVault, api_err, bin, keys, ok_json};
use assert_cmd::Command;
use serde_json::{Value, json};

const DAY_MS: i64 = 86_400_000;
const WEAK: &str = "password1";
const STRONG: &str = "q7#Vf!2pLx@9Rz$wK3m&Tb8^Yh";

/// A run that must succeed: its stdout as JSON and its stderr as text.
fn run(v: &TestVault, args: &[&str]) -> (Value, String) {
    let out = v.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args:?}: {stdout}\n{stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(now.as_millis()).unwrap()
}

#[test]
fn a_weak_value_is_warned_about_on_stderr_only_while_checking_is_on() {
    let v = TestVault::new();
    let weak_file = v.file("weak.txt", WEAK);
    let weak_path = weak_file.to_str().unwrap();
    assert_eq!(
        v.ok(&["check", "config"]),
        json!({"checking_secret_strength": false})
    );
    // Off: stored without a word.
    v.ok(&[
        "secret",
        "create",
        "--name",
        "quiet",
        "--secret-string-file",
        weak_path,
    ]);

    assert_eq!(
        v.ok(&["check", "config", "--checking-secret-strength", "true"]),
        json!({"checking_secret_strength": true})
    );
    let (made, stderr) = run(
        &v,
        &[
            "secret",
            "create",
            "--name",
            "db",
            "--secret-string-file",
            weak_path,
        ],
    );
    assert_eq!(made["secret"]["name"], "db", "stored all the same");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let warning: Value = serde_json::from_str(stderr.trim_end()).unwrap();
    assert_eq!(
        keys(&warning),
        ["score", "secret_name", "strength", "warning", "warnings"]
    );
    assert_eq!(warning["secret_name"], "db");
    assert_eq!(warning["strength"], "WEAK");
    assert!(warning["score"].as_u64().unwrap() <= 2);
    assert!(
        warning["warning"]
            .as_str()
            .unwrap()
            .starts_with("The text value stored in db is weak (score ")
    );
    assert!(!stderr.contains(WEAK) && !made.to_string().contains(WEAK));

    // A new weak version is warned about too; a strong value and a binary one are not.
    let (version, stderr) = run(
        &v,
        &[
            "secret",
            "create-version",
            "db",
            "--secret-string-file",
            weak_path,
        ],
    );
    assert_eq!(version["version_metadata"]["id"], "v2");
    let warning: Value = serde_json::from_str(stderr.trim_end()).unwrap();
    assert_eq!(warning["secret_name"], "db");
    let strong = v.file("strong.txt", STRONG);
    v.ok(&[
        "secret",
        "create-version",
        "db",
        "--secret-string-file",
        strong.to_str().unwrap(),
    ]);
    v.ok(&[
        "secret",
        "create",
        "--name",
        "bin",
        "--secret-binary-file",
        weak_path,
    ]);

    v.ok(&["check", "config", "--checking-secret-strength", "false"]);
    v.ok(&[
        "secret",
        "create-version",
        "db",
        "--secret-string-file",
        weak_path,
    ]);
}

#[test]
fn check_strength_needs_no_vault_and_prints_the_api_answer_only() {
    let out = Command::new(bin())
        .env_remove("CSVAULT_PASSPHRASE")
        .env("CSVAULT_PATH", "/nonexistent/csvault/vault.db")
        .args(["check", "strength", "--secret-string-file", "-"])
        .write_stdin(WEAK)
        .output()
        .unwrap();
    let answer = ok_json(&out);
    assert_eq!(answer["type"], "strength");
    assert_eq!(answer["data"]["strength"], "WEAK");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(WEAK));
    let strong = Command::new(bin())
        .args(["check", "strength", "--secret-string", STRONG])
        .output()
        .unwrap();
    assert_eq!(
        ok_json(&strong),
        json!({"type": "strength", "data": {"strength": "STRONG", "score": 4, "warnings": []}})
    );
}

#[test]
fn the_report_names_what_needs_attention_and_never_a_value() {
    let v = TestVault::new();
    let values = [
        ("api", STRONG),
        ("api-copy", STRONG),
        ("legacy", WEAK),
        ("off", "hunter2-off-7"),
        ("tls", "Zr4!mQ8@vN2#kT6$wB9^pL3&hX"),
    ];
    for (name, value) in values {
        let file = v.file(&format!("{name}.txt"), value);
        v.ok(&[
            "secret",
            "create",
            "--name",
            name,
            "--secret-string-file",
            file.to_str().unwrap(),
        ]);
    }
    v.ok(&["secret", "disable", "off"]);
    let soon = (now_ms() + 5 * DAY_MS).to_string();
    v.ok(&[
        "secret",
        "update-version",
        "tls",
        "--version-id",
        "v1",
        "--expire-time",
        &soon,
    ]);

    let out = v.cmd().arg("report").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        keys(&report),
        [
            "checked",
            "expired",
            "expiring",
            "report_time",
            "reused",
            "rotation_overdue",
            "settings",
            "skipped",
            "unchanged",
            "weak"
        ]
    );
    assert_eq!(report["weak"], json!(["legacy"]));
    assert_eq!(report["reused"], json!([["api", "api-copy"]]));
    assert_eq!(report["expired"], json!([]));
    assert_eq!(report["expiring"][0]["name"], "tls");
    assert_eq!(report["expiring"][0]["version_id"], "v1");
    assert_eq!(report["rotation_overdue"], json!([]));
    assert_eq!(report["unchanged"], json!([]));
    assert_eq!(
        report["skipped"],
        json!({"not_enabled": ["off"], "unreadable": []})
    );
    assert_eq!(report["checked"], 4);
    assert_eq!(
        report["settings"],
        json!({"expiring_days": 30, "unchanged_days": 365})
    );
    for (_, value) in values {
        assert!(
            !stdout.contains(value) && !stderr.contains(value),
            "{value}"
        );
    }

    // A narrower window for this run, then a stored one.
    let (narrow, _) = run(&v, &["report", "--expiring-days", "3"]);
    assert_eq!(narrow["expiring"], json!([]));
    assert_eq!(
        v.ok(&[
            "check",
            "report-settings",
            "--expiring-days",
            "3",
            "--unchanged-days",
            "90"
        ]),
        json!({"expiring_days": 3, "unchanged_days": 90})
    );
    assert_eq!(v.ok(&["report"])["settings"]["expiring_days"], 3);
    let refused = api_err(
        &v.cmd()
            .args(["report", "--unchanged-days", "0"])
            .output()
            .unwrap(),
        1,
    );
    assert_eq!(refused.code, "CSMS.0002");
    assert_eq!(refused.msg, "Invalid unchanged_days: it must be 1–3650.");
}

#[test]
fn serve_answers_the_checker_paths_as_the_api_does_and_never_logs_a_value() {
    let v = TestVault::new();
    let server = v.serve();
    let c = server.client();
    assert_eq!(
        c.get("secrets/checker/config").ok(),
        json!({"checking_secret_strength": false})
    );
    assert_eq!(
        c.post(
            "secrets/checker/config",
            &json!({"checking_secret_strength": true})
        )
        .ok(),
        json!({"checking_secret_strength": true})
    );
    assert_eq!(
        c.get("secrets/checker/config").ok(),
        json!({"checking_secret_strength": true})
    );
    let checked = c
        .post(
            "secrets/checker/check",
            &json!({"type": "strength", "data": {"secret_string": WEAK}}),
        )
        .ok();
    assert_eq!(checked["type"], "strength");
    assert_eq!(checked["data"]["strength"], "WEAK");
    assert_eq!(keys(&checked["data"]), ["score", "strength", "warnings"]);
    assert_eq!(
        c.post(
            "secrets/checker/check",
            &json!({"type": "strength", "data": {"secret_string": STRONG}}),
        )
        .ok(),
        json!({"type": "strength", "data": {"strength": "STRONG", "score": 4, "warnings": []}})
    );
    let other = c.post(
        "secrets/checker/check",
        &json!({"type": "leak", "data": {"secret_string": WEAK}}),
    );
    other.refused(400, "CSMS.0002");
    assert_eq!(
        other.body["error_msg"],
        "Invalid type: the only check type is strength."
    );
    c.post(
        "secrets/checker/check",
        &json!({"type": "strength", "data": {}}),
    )
    .refused(400, "CSMS.0002");
    c.call("POST", "secrets/checker/check", "[]")
        .refused(400, "CSMS.0004");
    // A secret named `checker` is still a secret.
    c.post(
        "secrets",
        &json!({"name": "checker", "secret_string": STRONG}),
    )
    .ok();
    assert_eq!(c.get("secrets/checker").ok()["secret"]["name"], "checker");
    let (_, log) = server.stop();
    assert!(!log.contains(WEAK) && !log.contains(STRONG), "{log}");
}
