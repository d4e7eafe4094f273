//! `csvault secret import` through the real binary: counts, per-line errors with their line numbers,
//! re-runs that skip what exists, stdin, values read back.

use crate::support::{TestVault, error_body, keys};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::process::Output;

/// The summary on stdout and the per-line errors on stderr as (line, code, message).
fn import_result(out: &Output, exit: i32) -> (Value, Vec<(u64, String, String)>) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        keys(&summary),
        ["blank", "created", "failed", "lines", "skipped_existing"],
        "{summary}"
    );
    let errors = stderr
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            assert_eq!(keys(&v), ["error_code", "error_msg", "line"], "{l}");
            // Without `line`, it is a CSMS error body.
            let mut body = v.clone();
            body.as_object_mut().unwrap().remove("line");
            let err = error_body(&body.to_string());
            (v["line"].as_u64().unwrap(), err.code, err.msg)
        })
        .collect();
    (summary, errors)
}

/// The summary; every line is counted in exactly one of the four totals after `lines`.
fn counts(lines: u64, created: u64, skipped_existing: u64, failed: u64, blank: u64) -> Value {
    assert_eq!(lines, created + skipped_existing + failed + blank);
    json!({"lines": lines, "created": created, "skipped_existing": skipped_existing,
           "failed": failed, "blank": blank})
}

#[test]
fn import_reports_each_line_and_skips_what_exists_on_a_rerun() {
    let v = TestVault::new();
    let canary = "canary-imp-4Kq";
    let lines = [
        r#"{"name":"imp-a","secret_string":"alpha value\n"}"#.to_owned(),
        r#"{"name":"imp-b","secret_binary":"AAEC/wA="}"#.to_owned(),
        format!(r#"{{"name":"imp-c","secret_string":"{canary}"#),
        String::new(),
        r#"{"name":"bad name","secret_string":"x"}"#.to_owned(),
        r#"{"name":"imp-d","description":"dé","secret_string":"ü ✓ 🔑","extra":1}"#.to_owned(),
        r#"{"name":"imp-e","secret_string":"x","secret_binary":"eA=="}"#.to_owned(),
        // The last line has no newline after it.
        r#"{"name":"imp-f","kms_key_id":"0d0466b0-e727-4d9c-b35d-f84bb474a37f","secret_string":"x"}"#
            .to_owned(),
    ];
    let file = v.file("in.jsonl", lines.join("\n"));
    let path = file.to_str().unwrap();
    let expected_errors = [
        (3, "CSMS.0004"),
        (5, "CSMS.0002"),
        (7, "CSMS.0002"),
        (8, "CSMS.0401"),
    ];
    let check_errors = |errors: &[(u64, String, String)]| {
        let got: Vec<(u64, &str)> = errors.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
        assert_eq!(got, expected_errors);
        for (_, _, msg) in errors {
            assert!(!msg.contains(canary), "the error echoes a value: {msg}");
        }
    };

    let out = v.cmd().args(["secret", "import", path]).output().unwrap();
    let (summary, errors) = import_result(&out, 1);
    assert_eq!(summary, counts(8, 3, 0, 4, 1));
    check_errors(&errors);

    // Again: the three created are skipped, the bad lines fail again.
    let out = v.cmd().args(["secret", "import", path]).output().unwrap();
    let (summary, errors) = import_result(&out, 1);
    assert_eq!(summary, counts(8, 0, 3, 4, 1));
    check_errors(&errors);

    // From stdin, all good: exit 0, nothing on stderr.
    let stdin = concat!(
        "{\"name\":\"imp-s1\",\"secret_string\":\"from stdin\"}\n",
        "{\"name\":\"imp-a\",\"secret_string\":\"a different value\"}\n",
        "{\"name\":\"imp-s2\",\"secret_binary\":\"\"}\n",
    );
    let out = v
        .cmd()
        .args(["secret", "import", "-"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    let (summary, errors) = import_result(&out, 0);
    assert_eq!(summary, counts(3, 2, 1, 0, 0));
    assert!(errors.is_empty());

    // The values read back byte for byte; a skipped name keeps its first value.
    let a = v.ok(&["secret", "get-value", "imp-a"]);
    assert_eq!(a["version"]["secret_string"], "alpha value\n");
    let b = v.ok(&["secret", "get-value", "imp-b"]);
    assert_eq!(b["version"]["secret_binary"], "AAEC/wA=");
    let d = v.ok(&["secret", "get-value", "imp-d"]);
    assert_eq!(d["version"]["secret_string"], "ü ✓ 🔑");
    let list = v.ok(&["secret", "list"]);
    let names: Vec<&str> = list["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["imp-a", "imp-b", "imp-d", "imp-s1", "imp-s2"]);
    let d_meta = &list["secrets"][2];
    assert_eq!(d_meta["description"], "dé");
}

/// A line over the 1 MiB limit is one failed line: the lines after it keep their numbers.
#[test]
fn an_overlong_line_counts_as_one_line() {
    let v = TestVault::new();
    let long = format!(
        r#"{{"name":"long","secret_string":"{}"}}"#,
        "x".repeat(1_600_000)
    );
    let text = format!("{long}\n{{\"name\":\"after\",\"secret_string\":\"ok\"}}\n{{bad\n");
    let file = v.file("long.jsonl", text);
    let out = v
        .cmd()
        .args(["secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (summary, errors) = import_result(&out, 1);
    let got: Vec<(u64, &str)> = errors.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    assert_eq!(got, [(1, "CSMS.0002"), (3, "CSMS.0004")], "{errors:?}");
    assert_eq!(summary, counts(3, 1, 0, 2, 0));
}

/// A name repeated later in the same file is a failed line (its value would otherwise be lost
/// silently), also when the repeat falls in a later batch; only names from earlier runs are skipped.
#[test]
fn a_name_repeated_within_one_import_fails_that_line() {
    let v = TestVault::new();
    let batch = csvault::cli::import::BATCH_SIZE;
    let mut lines: Vec<String> = (0..batch + 5)
        .map(|i| format!(r#"{{"name":"rep-{i}","secret_string":"v{i}"}}"#))
        .collect();
    lines.insert(
        3,
        r#"{"name":"rep-0","secret_string":"second value, same batch"}"#.into(),
    );
    lines.push(r#"{"name":"rep-1","secret_string":"second value, later batch"}"#.into());
    let file = v.file("repeats.jsonl", lines.join("\n") + "\n");
    let out = v
        .cmd()
        .args(["secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (summary, errors) = import_result(&out, 1);
    let total = lines.len() as u64;
    assert_eq!(summary, counts(total, total - 2, 0, 2, 0));
    let got: Vec<(u64, &str)> = errors.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    assert_eq!(got, [(4, "CSMS.0002"), (total, "CSMS.0002")]);
    assert!(errors.iter().all(|(_, _, m)| m.contains("already exists")));
    let first = v.ok(&["secret", "get-value", "rep-1"]);
    assert_eq!(first["version"]["secret_string"], "v1");
}

/// Errors come out in line order, whether the line broke as JSON (found while reading) or in the
/// vault (found when its batch is written); a byte-order mark opens the file; a JSON array is no
/// request body.
#[test]
fn errors_come_in_line_order_and_only_objects_are_requests() {
    let v = TestVault::new();
    let text = concat!(
        "\u{feff}{\"name\":\"bad name\",\"secret_string\":\"x\"}\n",
        "{bad\n",
        "  \n",
        "[\"by-position\",null,\"d\",\"v\"]\n",
        "{\"name\":\"typed\",\"secret_string\":\"x\",\"secret_type\":\"OTHER\"}\n",
        "{\"name\":\"ok\",\"secret_string\":\"x\"}\n",
    );
    let file = v.file("order.jsonl", text);
    let out = v
        .cmd()
        .args(["secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let (summary, errors) = import_result(&out, 1);
    assert_eq!(summary, counts(6, 1, 0, 4, 1));
    let got: Vec<(u64, &str)> = errors.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, "CSMS.0002"),
            (2, "CSMS.0004"),
            (4, "CSMS.0004"),
            (5, "CSMS.0002")
        ]
    );
    assert!(errors[3].2.contains("secret_type"), "{:?}", errors[3]);
    assert!(v.err(&["secret", "show", "by-position"]).code == "CSMS.0106");
}

/// Two imports of the same file at once: every name is created by one of them and skipped by the
/// other; neither reports the other's secrets as failures.
#[test]
fn two_imports_of_one_file_at_once_split_the_names_without_failures() {
    let v = TestVault::new();
    let n = 3 * csvault::cli::import::BATCH_SIZE as u64;
    let text = (0..n).fold(String::new(), |mut text, i| {
        let _ = writeln!(text, "{{\"name\":\"both-{i}\",\"secret_string\":\"v{i}\"}}");
        text
    });
    let file = v.file("both.jsonl", text);
    let path = file.to_str().unwrap().to_owned();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(crate::support::bin())
                .env("CSVAULT_PASSPHRASE", crate::support::PASSPHRASE)
                .arg("--vault")
                .arg(&v.path)
                .args(["secret", "import", &path])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut created = 0;
    let mut skipped = 0;
    for run in runs {
        let out = run.wait_with_output().unwrap();
        let (summary, errors) = import_result(&out, 0);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(summary["failed"], 0, "{summary}");
        created += summary["created"].as_u64().unwrap();
        skipped += summary["skipped_existing"].as_u64().unwrap();
    }
    assert_eq!((created, skipped), (n, n));
}

#[test]
fn import_names_keys_as_the_rest_of_the_command_line_does() {
    let v = TestVault::new();
    let key = v.ok(&["key", "create", "--alias", "app/db"]);
    let lines = [
        r#"{"name":"by-alias","kms_key_id":"app/db","secret_string":"x"}"#,
        r#"{"name":"by-default","kms_key_id":"csms/default","secret_string":"x"}"#,
        r#"{"name":"by-nothing","kms_key_id":"app/none","secret_string":"x"}"#,
    ]
    .join("\n");
    let out = v
        .cmd()
        .args(["secret", "import", "-"])
        .write_stdin(lines)
        .output()
        .unwrap();
    let (summary, errors) = import_result(&out, 1);
    assert_eq!(summary, counts(3, 2, 0, 1, 0));
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1.as_str()), (3, "CSMS.0401"));
    let shown = v.ok(&["secret", "show", "by-alias"]);
    assert_eq!(shown["secret"]["kms_key_id"], key["key_info"]["key_id"]);
    let default = v.ok(&["secret", "show", "by-default"]);
    let keys = v.ok(&["key", "list"]);
    let default_id = keys["key_details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_alias"] == "csms/default")
        .map(|k| k["key_id"].clone());
    assert_eq!(Some(default["secret"]["kms_key_id"].clone()), default_id);
}
