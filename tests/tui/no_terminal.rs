//! The terminal app without a terminal: nothing on stdout (no escape sequence), one CSMS error
//! line on stderr, exit code 1. Through the real binary.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_csvault");

fn run_without_terminal(passphrase: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--vault")
        .arg(dir.path().join("vault.db"))
        .env_remove("CSVAULT_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = passphrase {
        cmd.env("CSVAULT_PASSPHRASE", p);
    }
    let out = cmd.output().unwrap();
    assert!(
        !dir.path().join("vault.db").exists(),
        "no vault made without a terminal"
    );
    out
}

#[test]
fn without_a_terminal_it_fails_with_one_clear_line_and_writes_nothing_to_stdout() {
    for passphrase in [None, Some("a passphrase, long enough")] {
        let out = run_without_terminal(passphrase);
        assert_eq!(out.status.code(), Some(1), "{passphrase:?}");
        assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains('\u{1b}'), "no escape sequence: {stderr:?}");
        let body: serde_json::Value = serde_json::from_str(&stderr).unwrap();
        assert_eq!(body["error_code"], "VAULT.0007");
        let msg = body["error_msg"].as_str().unwrap();
        assert!(msg.contains("needs a terminal"), "{msg}");
    }
}
