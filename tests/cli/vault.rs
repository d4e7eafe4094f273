//! The vault file through the real binary: `init`, file modes, the path from `CSVAULT_PATH`, a missing
//! vault, passphrase errors, usage errors.

use crate::support::{PASSPHRASE, TIMEOUT, TestVault, api_err, bin, ok_json, sidecar, usage_err};
use assert_cmd::Command;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_a_private_vault_and_refuses_to_overwrite_it() {
    let v = TestVault::uninit();
    let out = v.ok(&["init"]);
    assert_eq!(out["vault"], v.path.display().to_string(), "{out}");
    assert!(out["vault_id"].as_str().is_some_and(|s| !s.is_empty()));
    let dir = v.path.parent().unwrap();
    assert_eq!(mode(dir), 0o700, "vault directory mode");
    assert_eq!(mode(&v.path), 0o600, "vault file mode");

    let before = v.snapshot();
    let e = v.err(&["init"]);
    assert_eq!(e.code, "VAULT.0006", "{e:?}");
    assert!(e.msg.contains(&v.path.display().to_string()), "{e:?}");
    assert_eq!(v.snapshot(), before, "a refused init changed the vault");

    // While a command holds the vault open (an import waiting on stdin), its -wal and -shm exist:
    // they must be as private as the vault.
    let mut child = std::process::Command::new(bin())
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(&v.path)
        .args(["secret", "import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (wal, shm) = (sidecar(&v.path, "-wal"), sidecar(&v.path, "-shm"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(wal.exists() && shm.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen = (wal.exists(), shm.exists());
    let modes = (seen == (true, true)).then(|| (mode(&wal), mode(&shm)));
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"name\":\"while-open\",\"secret_string\":\"v\"}\n")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(seen, (true, true), "-wal/-shm never appeared");
    assert_eq!(modes, Some((0o600, 0o600)), "-wal/-shm modes");

    // After a create, whatever is left in the directory is private too.
    v.ok(&[
        "secret",
        "create",
        "--name",
        "after",
        "--secret-string",
        "x",
    ]);
    assert_eq!(mode(dir), 0o700);
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn a_missing_vault_says_to_run_init_and_creates_nothing() {
    let v = TestVault::uninit();
    for args in [&["secret", "list"][..], &["key", "create", "--alias", "A"]] {
        let e = v.err(args);
        assert_eq!(e.code, "VAULT.0001", "{args:?}: {e:?}");
        assert!(e.msg.contains("csvault init"), "{e:?}");
        assert!(e.msg.contains(&v.path.display().to_string()), "{e:?}");
    }
    assert!(
        !v.path.parent().unwrap().exists(),
        "a directory was created"
    );
}

#[test]
fn the_vault_path_can_come_from_csvault_path() {
    let v = TestVault::uninit();
    let out = Command::new(bin())
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env("CSVAULT_PATH", &v.path)
        .arg("init")
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    let out = ok_json(&out);
    assert_eq!(out["vault"], v.path.display().to_string());
    assert!(v.path.is_file());
    // The vault is where the environment said: --vault PATH opens it.
    let created = v.ok(&["secret", "create", "--name", "x", "--secret-string", "y"]);
    assert_eq!(created["secret"]["name"], "x");
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let v = TestVault::new();
    v.ok(&["secret", "create", "--name", "kept", "--secret-string", "x"]);
    let before = v.snapshot();
    let wrong = "not the passphrase";
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", wrong)
        .args([
            "secret",
            "create",
            "--name",
            "other",
            "--secret-string",
            "y",
        ])
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0002", "{e:?}");
    assert!(!e.msg.contains(wrong), "the message echoes the passphrase");
    assert_eq!(v.snapshot(), before, "a refused unlock changed the vault");
}

/// `csvault ARGS` in a new session (no controlling terminal, so no prompt is possible), with no
/// passphrase in the environment and stdin a pipe.
fn without_terminal(v: &TestVault, args: &[&str]) -> Command {
    let setsid = ["/usr/bin/setsid", "/bin/setsid"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let mut c = match setsid {
        Some(s) => {
            let mut c = Command::new(s);
            c.arg("-w").arg(bin());
            c
        }
        None => Command::new(bin()),
    };
    c.env_remove("CSVAULT_PASSPHRASE")
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(&v.path)
        .args(args)
        .write_stdin("")
        .timeout(TIMEOUT);
    c
}

#[test]
fn no_passphrase_source_and_no_terminal_is_a_clear_error() {
    let v = TestVault::new();
    let e = api_err(&without_terminal(&v, &["key", "list"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0004", "{e:?}");
    assert!(e.msg.contains("CSVAULT_PASSPHRASE"), "{e:?}");

    let fresh = TestVault::uninit();
    let e = api_err(&without_terminal(&fresh, &["init"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0004", "{e:?}");
    assert!(
        !fresh.path.exists(),
        "init without a passphrase created a file"
    );

    // --passphrase-file is such a source; one trailing newline is not part of the passphrase.
    let file = v.file("pass.txt", format!("{PASSPHRASE}\n"));
    let out = without_terminal(&v, &["key", "list"])
        .arg("--passphrase-file")
        .arg(&file)
        .output()
        .unwrap();
    let list = ok_json(&out);
    assert_eq!(list["key_details"], serde_json::json!([]));
}

#[test]
fn usage_errors_are_clap_s_own_message_on_stderr_with_exit_2() {
    let v = TestVault::uninit();
    let out = v
        .cmd()
        .args(["secret", "create", "--name", "x", "--bogus-flag"])
        .output()
        .unwrap();
    let msg = usage_err(&out);
    assert!(
        msg.starts_with("error: unexpected argument '--bogus-flag' found"),
        "{msg}"
    );

    let out = v
        .cmd()
        .args(["secret", "list", "--limit", "ten"])
        .output()
        .unwrap();
    let msg = usage_err(&out);
    assert!(
        msg.contains("invalid value 'ten' for '--limit <LIMIT>'"),
        "{msg}"
    );
    assert!(!v.path.exists());
}

/// Explicit beats ambient: `--passphrase-file` wins over `CSVAULT_PASSPHRASE`, and one line on
/// stderr says both were given.
#[test]
fn the_passphrase_file_wins_over_the_environment() {
    let v = TestVault::new();
    let file = v.file("pass.txt", format!("{PASSPHRASE}\n"));
    let out = v
        .cmd()
        .env("CSVAULT_PASSPHRASE", "a wrong passphrase")
        .args(["key", "list", "--passphrase-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("CSVAULT_PASSPHRASE") && stderr.contains("--passphrase-file"),
        "{stderr}"
    );
    assert!(stderr.contains("the file was used"), "{stderr}");
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["key_details"], serde_json::json!([]));

    // A wrong file is not rescued by a right variable.
    let wrong = v.file("wrong.txt", "not the passphrase\n");
    let out = v
        .cmd()
        .args(["key", "list", "--passphrase-file"])
        .arg(&wrong)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
}

/// The default vault follows `XDG_DATA_HOME`, and `--help` says so.
#[test]
fn the_default_vault_follows_xdg_data_home() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("CSVAULT_PATH")
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .arg("init")
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    let made = ok_json(&out);
    let expected = dir.path().join("csvault").join("vault.db");
    assert_eq!(made["vault"], expected.display().to_string());
    assert!(expected.exists());

    let help = Command::new(bin()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("$XDG_DATA_HOME/csvault/vault.db"), "{help}");
}
