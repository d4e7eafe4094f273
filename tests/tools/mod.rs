//! The real tools the import tests drive (issue 16): `gpg` + `pass` and `keepassxc-cli`, each
//! with a home of its own; a missing tool fails a test under `CI` and skips it otherwise.
//! Included by `tests/import_tools.rs` and `tests/import_e2e.rs` (`mod tools;`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `true` when every tool runs; a missing one fails the test under `CI`, else skips it.
pub fn tools(names: &[&str]) -> bool {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| {
            Command::new(name)
                .arg("--version")
                .env("QT_QPA_PLATFORM", "offscreen")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {missing:?} cannot be run: .ci/run installs pass, gnupg and keepassxc"
    );
    eprintln!("NOTE: SKIPPED: {missing:?} not installed; the real tools were NOT tested.");
    false
}

/// Runs `program args` with `envs` and `stdin`, and insists it succeeds.
pub fn run(program: &str, args: &[&str], envs: &[(&str, &Path)], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .env("QT_QPA_PLATFORM", "offscreen")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin)
            .unwrap_or_else(|e| panic!("{program} stdin: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A `GNUPGHOME` of its own, whose agent is stopped when the test ends.
pub struct GnupgHome(pub PathBuf);

impl Drop for GnupgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", &self.0)
            .status();
    }
}

/// A store made with `gpg` and `pass` in `dir`: entries with and without fields, nested
/// folders, a non-ASCII name, plus what the walk passes over and what fails alone.
pub fn make_store(dir: &Path) -> (GnupgHome, PathBuf) {
    let home = GnupgHome(dir.join("gnupg"));
    fs::create_dir(&home.0).unwrap_or_else(|e| panic!("{e}"));
    let store = dir.join("store");
    let envs = [
        ("GNUPGHOME", home.0.as_path()),
        ("PASSWORD_STORE_DIR", store.as_path()),
        ("HOME", dir),
    ];
    run(
        "gpg",
        &[
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "csvault test <pk@example.invalid>",
            "default",
            "default",
            "never",
        ],
        &envs,
        b"",
    );
    run("pass", &["init", "pk@example.invalid"], &envs, b"");
    let insert = |name: &str, content: &str| {
        run("pass", &["insert", "-m", name], &envs, content.as_bytes());
    };
    insert("simple", "hunter2\n");
    insert(
        "Work/bank",
        "s3cr3t\nlogin: alice\nurl: https://bank.example\nURL: https://m.bank.example\n\
         otpauth://totp/bank?secret=JBSWY3DPEHPK3PXP\npin: 1234\nCall the branch first.\n",
    );
    insert("a/b/c/deep", "deep-pw\nusername: bob\n");
    insert("Ünïcode/café", "crème brûlée\n");
    // What the walk passes over: dot-directories, files that are not `.gpg`.
    fs::create_dir(store.join(".hidden")).unwrap_or_else(|e| panic!("{e}"));
    fs::copy(store.join("simple.gpg"), store.join(".hidden/x.gpg"))
        .unwrap_or_else(|e| panic!("{e}"));
    fs::write(store.join("README"), "not an entry").unwrap_or_else(|e| panic!("{e}"));
    // What is an entry's error: a file gpg cannot decrypt, a link out of the store.
    fs::write(store.join("broken.gpg"), "not an OpenPGP message").unwrap_or_else(|e| panic!("{e}"));
    fs::create_dir(dir.join("outside")).unwrap_or_else(|e| panic!("{e}"));
    fs::copy(store.join("simple.gpg"), dir.join("outside/other.gpg"))
        .unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(dir.join("outside/other.gpg"), store.join("escape.gpg"))
        .unwrap_or_else(|e| panic!("{e}"));
    // A link inside the store is followed.
    std::os::unix::fs::symlink("simple.gpg", store.join("alias.gpg"))
        .unwrap_or_else(|e| panic!("{e}"));
    (home, store)
}

/// `keepassxc-cli` with a home of its own (it keeps a config file there).
pub fn keepassxc(home: &Path, args: &[&str], stdin: &str) -> Output {
    run("keepassxc-cli", args, &[("HOME", home)], stdin.as_bytes())
}

pub const DB_PASSWORD: &str = "correct horse ✓";

/// A database made with `keepassxc-cli` in `dir` (also its home): groups, an entry with a
/// username, URL, notes and an attachment, and a password-only entry at the top.
pub fn make_cli_database(dir: &Path) -> PathBuf {
    let home = dir;
    let db = dir.join("db.kdbx");
    let db_arg = db.display().to_string();
    let pw = format!("{DB_PASSWORD}\n");
    keepassxc(
        home,
        &["db-create", "-q", "--set-password", &db_arg],
        &format!("{pw}{pw}"),
    );
    keepassxc(home, &["mkdir", "-q", &db_arg, "Work"], &pw);
    keepassxc(home, &["mkdir", "-q", &db_arg, "Work/Deep"], &pw);
    keepassxc(
        home,
        &[
            "add",
            "-q",
            "-u",
            "bob",
            "--url",
            "https://bank.example",
            "--notes",
            "line one\nline two",
            "-p",
            &db_arg,
            "Work/Deep/bank",
        ],
        &format!("{pw}entry-pw\n"),
    );
    keepassxc(
        home,
        &["add", "-q", "-p", &db_arg, "top"],
        &format!("{pw}top-pw\n"),
    );
    let attachment = dir.join("key.pem");
    fs::write(&attachment, "-----BEGIN KEY-----\nMIIB\n").unwrap_or_else(|e| panic!("{e}"));
    keepassxc(
        home,
        &[
            "attachment-import",
            "-q",
            &db_arg,
            "Work/Deep/bank",
            "key.pem",
            &attachment.display().to_string(),
        ],
        &pw,
    );
    db
}
