//! `csvault import [--from FORMAT] PATH` through the real binary (issue 16): csvault's record
//! format and `.env` files end to end, one report line per entry on stderr, the summary on
//! stdout, `--dry-run` writing nothing, a re-run creating nothing twice.

use crate::support::{TestVault, keys};
use serde_json::{Value, json};
use std::process::Output;

/// The summary on stdout and the report lines on stderr (JSON Lines: stderr is not a terminal).
fn report(out: &Output, exit: i32) -> (Value, Vec<Value>) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    let lines = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (summary, lines)
}

/// (name, status) of each report line.
fn statuses(lines: &[Value]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap_or("").to_owned(),
                l["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

#[test]
fn a_dotenv_file_becomes_one_secret_per_variable() {
    let v = TestVault::new();
    let env = v.file(
        "app.env",
        "# the app\nDATABASE_URL=postgres://u:canary-env-7Qz@db/app\nexport API_TOKEN='tok en'\n\
         9BAD=x\nFROM_VAULT=csvault://db@SYSCURRENT\nMULTI=\"one\\ntwo\"\n",
    );
    let path = env.to_str().unwrap();
    let out = v
        .cmd()
        .args(["import", "--from", "dotenv", path])
        .output()
        .unwrap();
    let (summary, lines) = report(&out, 1);
    assert_eq!(
        summary,
        json!({"lines": 5, "created": 3, "skipped_existing": 0, "failed": 2, "blank": 0,
               "renamed": 0})
    );
    assert_eq!(
        statuses(&lines),
        pairs(&[
            ("DATABASE_URL", "created"),
            ("API_TOKEN", "created"),
            ("", "failed"),
            ("", "failed"),
            ("MULTI", "created"),
        ])
    );
    assert_eq!(keys(&lines[0]), ["entry", "location", "name", "status"]);
    assert_eq!(lines[0]["location"], "line 2 (DATABASE_URL)");
    assert_eq!(lines[3]["location"], "line 5 (FROM_VAULT)");
    assert_eq!(lines[3]["error_code"], "CSMS.0002");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("canary-env"), "a value in the report");
    assert!(
        !stderr.contains("db@SYSCURRENT"),
        "a reference in the report"
    );

    let db = v.ok(&["secret", "get-value", "DATABASE_URL"]);
    assert_eq!(
        db["version"]["secret_string"],
        "postgres://u:canary-env-7Qz@db/app"
    );
    let token = v.ok(&["secret", "get-value", "API_TOKEN"]);
    assert_eq!(token["version"]["secret_string"], "tok en");
    let multi = v.ok(&["secret", "get-value", "MULTI"]);
    assert_eq!(multi["version"]["secret_string"], "one\ntwo");

    // Again: nothing is created twice.
    let out = v
        .cmd()
        .args(["import", "--from", "dotenv", path])
        .output()
        .unwrap();
    let (summary, lines) = report(&out, 1);
    assert_eq!(summary["created"], 0);
    assert_eq!(summary["skipped_existing"], 3);
    assert_eq!(lines[0]["status"], "skipped_existing");
}

#[test]
fn records_come_back_with_tags_versions_and_state() {
    let v = TestVault::new();
    let lines = [
        json!({"name": "rec", "description": "kept", "kms_key_id": "csms/default",
        "tags": [{"key": "env", "value": "prod"}, {"key": "team"}],
        "state": "DISABLED",
        "versions": [
            {"version_id": "v4", "secret_string": "old", "version_stages": ["SYSPREVIOUS"]},
            {"version_id": "v5", "secret_binary": "AAEC", "version_stages": [],
             "expire_time": 4_102_444_800_000_i64},
            {"version_id": "v6", "secret_string": "new", "version_stages": ["SYSCURRENT"]},
        ]}),
        json!({"name": "plain", "secret_string": "as before"}),
        json!({"name": "broken", "versions": [{"secret_string": "x", "version_stages": []}]}),
    ];
    let text = lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let file = v.file("records.jsonl", text);
    let path = file.to_str().unwrap();
    let out = v.cmd().args(["import", path]).output().unwrap();
    let (summary, report_lines) = report(&out, 1);
    assert_eq!(
        summary,
        json!({"lines": 3, "created": 2, "skipped_existing": 0, "failed": 1, "blank": 0,
               "renamed": 0})
    );
    assert_eq!(keys(&report_lines[0]), ["line", "name", "status"]);
    assert_eq!(
        report_lines[2]["error_msg"],
        "Invalid versions: no version carries SYSCURRENT."
    );
    assert!(
        v.err(&["secret", "show", "broken"]).msg.contains("broken"),
        "no partial secret"
    );

    let versions = v.ok(&["secret", "list-versions", "rec"]);
    let got: Vec<(Value, Value, Value)> = versions["version_metadatas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].clone(),
                m["version_stages"].clone(),
                m["expire_time"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!("v1"), json!(["SYSPREVIOUS"]), Value::Null),
            (json!("v2"), json!([]), json!(4_102_444_800_000_i64)),
            (json!("v3"), json!(["SYSCURRENT"]), Value::Null),
        ]
    );
    let tags = v.ok(&["secret", "tags", "rec"]);
    assert_eq!(
        tags["tags"],
        json!([{"key": "env", "value": "prod"}, {"key": "team", "value": ""}])
    );
    let shown = v.ok(&["secret", "show", "rec"]);
    assert_eq!(shown["secret"]["state"], "DISABLED");
    assert_eq!(shown["secret"]["description"], "kept");
    v.ok(&["secret", "enable", "rec"]);
    let v2 = v.ok(&["secret", "get-value", "rec", "--version-id", "v2"]);
    assert_eq!(v2["version"]["secret_binary"], "AAEC");
    let current = v.ok(&["secret", "get-value", "rec"]);
    assert_eq!(current["version"]["secret_string"], "new");

    // A re-run: the two made are skipped, nothing is created twice.
    let out = v.cmd().args(["import", path]).output().unwrap();
    let (summary, _) = report(&out, 1);
    assert_eq!(
        (
            summary["created"].clone(),
            summary["skipped_existing"].clone()
        ),
        (json!(0), json!(2))
    );
    let versions = v.ok(&["secret", "list-versions", "rec"]);
    assert_eq!(versions["version_metadatas"].as_array().unwrap().len(), 3);
}

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let v = TestVault::new();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "already",
        "--secret-string",
        "x",
    ]);
    let file = v.file(
        "plan.jsonl",
        concat!(
            "{\"name\":\"already\",\"secret_string\":\"y\"}\n",
            "{\"name\":\"fresh\",\"secret_string\":\"y\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}\n",
            "\n",
            "{\"name\":\"bad name\",\"secret_string\":\"y\"}\n",
        ),
    );
    let before = v.snapshot();
    let out = v
        .cmd()
        .args(["import", "--dry-run", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (summary, lines) = report(&out, 1);
    assert_eq!(
        summary,
        json!({"lines": 4, "created": 1, "skipped_existing": 1, "failed": 1, "blank": 1,
               "renamed": 0, "dry_run": true})
    );
    assert_eq!(
        statuses(&lines),
        pairs(&[
            ("already", "skipped_existing"),
            ("fresh", "created"),
            ("bad name", "failed"),
        ])
    );
    assert_eq!(v.snapshot(), before, "the vault file is untouched");
    let names = v.ok(&["secret", "list"]);
    assert_eq!(names["secrets"].as_array().unwrap().len(), 1);
}

#[test]
fn secret_import_stays_as_it_was_and_the_source_is_checked_before_unlocking() {
    let v = TestVault::new();
    // `secret import` keeps its own output: the errors alone, no `renamed`.
    let file = v.file("one.jsonl", "{\"name\":\"one\",\"secret_string\":\"1\"}\n");
    let out = v
        .cmd()
        .args(["secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (summary, lines) = report(&out, 0);
    assert_eq!(
        keys(&summary),
        ["blank", "created", "failed", "lines", "skipped_existing"]
    );
    assert!(lines.is_empty());
    // A missing source is said without asking for the passphrase.
    let out = v
        .cmd()
        .env_remove("CSVAULT_PASSPHRASE")
        .args(["import", "--from", "dotenv", "/nonexistent/.env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/.env"), "{stderr}");
}
