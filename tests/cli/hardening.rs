//! Issue 7 §7, §8 and §9 through the real binary: an honest command line. Output that cannot be
//! written fails; values are taken as given and never echoed; inputs from files and the
//! environment are bounded; request bodies are objects; new passphrases have 8 characters.

use crate::support::{PASSPHRASE, TestVault, api_err, ok_json};
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let v = TestVault::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = std::process::Command::new(crate::support::bin())
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .arg("--vault")
        .arg(&v.path)
        .args(["secret", "list"])
        .stdout(full)
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0007", "{}", e.msg);
    assert!(e.msg.contains("Cannot write the output"), "{}", e.msg);
}

#[test]
fn values_may_start_with_a_dash_and_are_never_echoed() {
    let v = TestVault::new();
    v.ok(&[
        "secret",
        "create",
        "--name",
        "dash",
        "--secret-string",
        "-Hunter2",
    ]);
    let got = v.ok(&["secret", "get-value", "dash"]);
    assert_eq!(got["version"]["secret_string"], "-Hunter2");
    // A usage error about a value flag says nothing of the value.
    let attempts: [&[&str]; 2] = [
        &[
            "secret",
            "create",
            "--name",
            "x",
            "--secret-string=-Hunter2",
            "--secret-string",
            "-Hunter2",
        ],
        &[
            "secret",
            "create",
            "--name",
            "x",
            "--secret-string",
            "-Hunter2",
            "--bogus",
            "-Hunter2",
        ],
    ];
    for args in attempts {
        let out = v.cmd().args(args).output().unwrap();
        let msg = crate::support::usage_err(&out);
        assert!(!msg.contains("Hunter2") && !msg.contains("'-H'"), "{msg}");
    }
}

#[test]
fn a_passphrase_that_is_not_utf8_is_named_as_such() {
    let v = TestVault::new();
    let out = v
        .cmd()
        .env(
            "CSVAULT_PASSPHRASE",
            std::ffi::OsStr::from_bytes(b"caf\xe9 latte 123"),
        )
        .args(["secret", "list"])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0004");
    assert!(e.msg.contains("not UTF-8"), "{}", e.msg);
}

#[test]
fn passphrase_files_are_bounded_and_never_hang() {
    let v = TestVault::new();
    let fifo = v.dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for (file, code, says) in [
        ("/dev/zero".as_ref(), "VAULT.0004", "longer than"),
        (fifo.as_path(), "VAULT.0004", "is empty"),
    ] {
        let started = Instant::now();
        let out = v
            .cmd()
            .env_remove("CSVAULT_PASSPHRASE")
            .arg("--passphrase-file")
            .arg(file)
            .args(["secret", "list"])
            .output()
            .unwrap();
        let e = api_err(&out, 1);
        assert_eq!(e.code, code, "{file:?}: {}", e.msg);
        assert!(e.msg.contains(says), "{}", e.msg);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{file:?} took too long"
        );
    }
}

#[test]
fn request_bodies_are_objects_and_may_open_with_a_bom() {
    let v = TestVault::new();
    let array = v.file("array.json", r#"["by-position", null, "d", "v"]"#);
    let e = v.err(&["secret", "create", "--request", array.to_str().unwrap()]);
    assert_eq!(e.code, "CSMS.0004", "{}", e.msg);
    assert_eq!(v.err(&["secret", "show", "by-position"]).code, "CSMS.0106");
    let bom = v.file(
        "bom.json",
        "\u{feff}{\"name\":\"bom\",\"secret_string\":\"x\"}",
    );
    v.ok(&["secret", "create", "--request", bom.to_str().unwrap()]);
    let typed = v.file(
        "typed.json",
        r#"{"name":"typed","secret_string":"x","secret_type":"RDS-FG"}"#,
    );
    let e = v.err(&["secret", "create", "--request", typed.to_str().unwrap()]);
    assert_eq!(e.code, "CSMS.0002");
    assert!(e.msg.contains("secret_type"), "{}", e.msg);
    let common = v.file(
        "common.json",
        r#"{"name":"common","secret_string":"x","secret_type":"COMMON"}"#,
    );
    v.ok(&["secret", "create", "--request", common.to_str().unwrap()]);
}

#[test]
fn text_that_could_fool_a_terminal_is_escaped_in_json() {
    let v = TestVault::new();
    let description = "abc\u{202e}gnp.exe\u{200b}\u{85}";
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "bidi", "--secret-string", "x"])
        .args(["--description", description])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(stdout.contains(r"abc\u202egnp.exe\u200b\u0085"), "{stdout}");
    assert!(!stdout.contains('\u{202e}'));
    assert_eq!(ok_json(&out)["secret"]["description"], description);
}

#[test]
fn new_passphrases_have_at_least_eight_characters() {
    let v = TestVault::uninit();
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "short12")
        .arg("init")
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0004");
    assert!(e.msg.contains("at least 8"), "{}", e.msg);
    assert!(!v.path.exists(), "nothing was created");
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "eight ch")
        .arg("init")
        .output()
        .unwrap();
    ok_json(&out);
    assert!(PASSPHRASE.chars().count() >= 8);
}

#[test]
fn help_describes_every_argument_and_shows_defaults() {
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["secret", "create"],
        &["secret", "list"],
        &["secret", "show"],
        &["secret", "get-value"],
        &["secret", "import"],
        &["key", "create"],
        &["key", "list"],
        &["key", "enable"],
        &["key", "disable"],
    ];
    for command in commands {
        let out = std::process::Command::new(crate::support::bin())
            .args(*command)
            .arg("-h")
            .output()
            .unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        // Every argument line (`  --flag <V>  text` or `  <NAME>  text`) has a description.
        for line in help.lines() {
            let t = line.trim_start();
            let is_arg = (t.starts_with("--") || t.starts_with('<') || t.starts_with("-h"))
                && line.starts_with("  ");
            if is_arg {
                let described = t
                    .split_once("  ")
                    .is_some_and(|(_, d)| !d.trim().is_empty());
                assert!(described, "{command:?}: undescribed argument: {line}");
            }
        }
        let usage = help.lines().find(|l| l.starts_with("Usage:")).unwrap_or("");
        assert!(
            !usage.contains("--vault"),
            "{command:?}: --vault shown as required: {usage}"
        );
    }
    let list = std::process::Command::new(crate::support::bin())
        .args(["secret", "list", "-h"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("[default: 50]"));
}

#[test]
fn empty_passphrases_are_named_as_such() {
    let v = TestVault::new();
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "")
        .args(["secret", "list"])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0004");
    assert!(e.msg.contains("empty"), "{}", e.msg);
}

#[test]
fn a_value_typed_without_its_flag_is_not_echoed() {
    let v = TestVault::new();
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "x", "S3CRET-value"])
        .output()
        .unwrap();
    let msg = crate::support::usage_err(&out);
    assert!(!msg.contains("S3CRET"), "{msg}");
    assert!(
        msg.contains("unexpected argument '<redacted>' found"),
        "{msg}"
    );
}

#[test]
fn help_that_cannot_be_written_fails_and_devices_are_not_imported() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = std::process::Command::new(crate::support::bin())
        .arg("--help")
        .stdout(full)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let v = TestVault::new();
    let started = Instant::now();
    let e = v.err(&["secret", "import", "/dev/zero"]);
    assert_eq!(e.code, "VAULT.0007");
    assert!(e.msg.contains("device"), "{}", e.msg);
    assert!(started.elapsed() < Duration::from_secs(20));
}
