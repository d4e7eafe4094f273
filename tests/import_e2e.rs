//! `csvault import --from FORMAT PATH` end to end (issue 16): sources made by the real tools
//! (`pass insert`, `keepassxc-cli`) and the checked-in Bitwarden and 1Password fixtures, imported
//! by the real binary; every field's destination is asserted in the vault through `secret
//! get-value`, `secret tags` and `secret list`, with the report lines, the summary, `--dry-run`,
//! a re-run, the source's password and malformed files.
//!
//! A missing tool skips a test with a note, unless `CI` is set: then it fails (tests/tools).

mod tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;
use tools::{DB_PASSWORD, GnupgHome, keepassxc, make_cli_database, make_store, tools};

const PASSPHRASE: &str = "correct horse battery staple";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A vault in a tempdir of its own, driven through the real binary without the agent.
struct Vault {
    /// Holds the vault's directory until the test ends.
    _dir: TempDir,
    path: PathBuf,
}

impl Vault {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("vault.db");
        let v = Self { _dir: dir, path };
        v.ok(&["init"]);
        v
    }

    /// `csvault --vault PATH --no-agent` with the passphrase in the environment, and none of
    /// the caller's import settings.
    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_csvault"));
        cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
            .env_remove("CSVAULT_PATH")
            .env_remove("CSVAULT_IMPORT_PASSWORD")
            .arg("--vault")
            .arg(&self.path)
            .arg("--no-agent")
            .stdin(Stdio::null());
        cmd
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Value {
        let out = self
            .cmd()
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            out.status.success(),
            "{args:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// The vault file and its `-wal` (when there is one), as bytes.
    fn snapshot(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        (
            fs::read(&self.path).unwrap_or_else(|e| panic!("{e}")),
            fs::read(wal).ok(),
        )
    }

    /// The text value of `name`'s current version: parsed when it is a JSON object.
    #[track_caller]
    fn value(&self, name: &str) -> Value {
        let got = self.ok(&["secret", "get-value", name]);
        let text = got["version"]["secret_string"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} holds no text: {got}"));
        if text.starts_with('{') {
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"))
        } else {
            Value::String(text.to_owned())
        }
    }

    /// The raw bytes of `name`'s binary value.
    #[track_caller]
    fn binary(&self, name: &str) -> Vec<u8> {
        let out = self
            .cmd()
            .args(["secret", "get-value", name, "--raw"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{name}: {}", out.status);
        let shown = self.ok(&["secret", "get-value", name]);
        assert!(
            shown["version"]["secret_binary"].is_string(),
            "{name} is a binary secret: {shown}"
        );
        out.stdout
    }

    /// `name`'s tags as (key, value).
    #[track_caller]
    fn tags(&self, name: &str) -> Vec<(String, String)> {
        let got = self.ok(&["secret", "tags", name]);
        got["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{got}"))
            .iter()
            .map(|t| {
                (
                    t["key"].as_str().unwrap_or_default().to_owned(),
                    t["value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// Every secret's name, sorted.
    #[track_caller]
    fn names(&self) -> Vec<String> {
        let got = self.ok(&["secret", "list", "--limit", "1000"]);
        got["secrets"]
            .as_array()
            .unwrap_or_else(|| panic!("{got}"))
            .iter()
            .map(|s| s["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// `csvault import ARGS` with `prepare` applied to the command: its exit code, the summary
    /// on stdout and the report lines on stderr (JSON Lines: stderr is not a terminal).
    #[track_caller]
    fn import(&self, args: &[&str], prepare: impl FnOnce(&mut Command)) -> Import {
        let mut cmd = self.cmd();
        cmd.arg("import").args(args);
        prepare(&mut cmd);
        let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
        Import::from(&out)
    }
}

/// What one `csvault import` printed.
struct Import {
    code: Option<i32>,
    summary: Value,
    lines: Vec<Value>,
    stderr: String,
}

impl Import {
    #[track_caller]
    fn from(out: &Output) -> Self {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let summary = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        let lines = if summary.is_null() {
            Vec::new()
        } else {
            stderr
                .lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .collect()
        };
        Self {
            code: out.status.code(),
            summary,
            lines,
            stderr,
        }
    }

    /// (name, status) of each report line.
    fn statuses(&self) -> Vec<(String, String)> {
        self.lines
            .iter()
            .map(|l| {
                (
                    l["name"].as_str().unwrap_or_default().to_owned(),
                    l["status"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn no_values_in(stderr: &str, values: &[&str]) {
    for value in values {
        assert!(!stderr.contains(value), "a value in the report: {value}");
    }
}

/// A dry run says what the real run does and leaves the vault file as it was; the real run
/// does it; a re-run creates nothing twice. Returns the real run.
#[track_caller]
fn dry_then_real_then_again(v: &Vault, args: &[&str], prepare: impl Fn(&mut Command)) -> Import {
    let names_before = v.names();
    let before = v.snapshot();
    let dry = v.import(&[&["--dry-run"], args].concat(), &prepare);
    assert_eq!(dry.summary["dry_run"], true, "{}", dry.stderr);
    assert_eq!(
        v.snapshot(),
        before,
        "a dry run leaves the vault file and its -wal as they were"
    );
    assert_eq!(v.names(), names_before, "a dry run creates nothing");

    let real = v.import(args, &prepare);
    assert_eq!(real.statuses(), dry.statuses(), "the plan is what is done");
    let mut summary = dry.summary.clone();
    if let Some(map) = summary.as_object_mut() {
        map.remove("dry_run");
    }
    assert_eq!(real.summary, summary);

    let again = v.import(args, &prepare);
    assert_eq!(again.summary["created"], 0, "{}", again.stderr);
    assert_eq!(again.summary["renamed"], 0);
    let made = real.summary["created"].as_u64().unwrap_or(0);
    assert_eq!(again.summary["skipped_existing"], made);
    for (first, second) in real.lines.iter().zip(&again.lines) {
        if first["status"] == "failed" {
            assert_eq!(second["status"], "failed", "{second}");
        } else {
            assert_eq!(second["status"], "skipped_existing", "{second}");
            assert_eq!(second["name"], first["name"]);
        }
    }
    real
}

#[test]
fn a_pass_store_made_with_pass_insert_lands_field_by_field() {
    if !tools(&["gpg", "pass", "gpgconf"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, store) = make_store(dir.path());
    let home: &GnupgHome = &home;
    let v = Vault::new();
    let store_arg = store.display().to_string();
    let gnupg = |cmd: &mut Command| {
        cmd.env("GNUPGHOME", &home.0);
    };
    let real = dry_then_real_then_again(&v, &["--from", "pass", &store_arg], gnupg);
    assert_eq!(real.code, Some(1), "two entries fail: {}", real.stderr);
    assert_eq!(
        real.summary,
        json!({"lines": 7, "created": 5, "skipped_existing": 0, "failed": 2, "blank": 0,
               "renamed": 0})
    );
    assert_eq!(
        real.statuses(),
        pairs(&[
            ("Work.bank", "created"),
            ("a.b.c.deep", "created"),
            ("alias", "created"),
            ("", "failed"),
            ("", "failed"),
            ("simple", "created"),
            ("n-code.caf", "created"),
        ])
    );
    assert!(
        real.lines[3]["location"]
            .as_str()
            .is_some_and(|l| l.ends_with("broken.gpg")),
        "{}",
        real.lines[3]
    );
    assert!(
        real.lines[4]["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("out of the store")),
        "{}",
        real.lines[4]
    );
    no_values_in(&real.stderr, &["s3cr3t", "hunter2", "1234", "alice"]);

    assert_eq!(
        v.value("Work.bank"),
        json!({"username": "alice", "password": "s3cr3t",
               "urls": ["https://bank.example", "https://m.bank.example"],
               "notes": "Call the branch first.",
               "totp": "otpauth://totp/bank?secret=JBSWY3DPEHPK3PXP",
               "fields": {"pin": "1234"}})
    );
    assert_eq!(v.tags("Work.bank"), pairs(&[("folder", "Work")]));
    assert_eq!(
        v.value("a.b.c.deep"),
        json!({"username": "bob", "password": "deep-pw"})
    );
    assert_eq!(v.tags("a.b.c.deep"), pairs(&[("folder", "a/b/c")]));
    assert_eq!(v.value("simple"), "hunter2", "a password alone is text");
    assert!(v.tags("simple").is_empty(), "no folder, no tag");
    assert_eq!(
        v.value("alias"),
        "hunter2",
        "a link in the store is followed"
    );
    assert_eq!(v.value("n-code.caf"), "crème brûlée");
    assert_eq!(v.tags("n-code.caf"), pairs(&[("folder", "Ünïcode")]));
    assert_eq!(
        v.names(),
        ["Work.bank", "a.b.c.deep", "alias", "n-code.caf", "simple"],
        "what failed left nothing"
    );
}

/// `csvault import --from keepassxc DB` with the password from `CSVAULT_IMPORT_PASSWORD`.
fn with_password(password: &str) -> impl Fn(&mut Command) + '_ {
    move |cmd: &mut Command| {
        cmd.env("CSVAULT_IMPORT_PASSWORD", password);
    }
}

#[test]
fn a_kdbx_made_with_keepassxc_cli_lands_field_by_field() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = make_cli_database(dir.path());
    let db_arg = db.display().to_string();
    let v = Vault::new();

    // A wrong password: a clear message, exit 1, nothing written.
    let before = v.snapshot();
    let wrong = v.import(&["--from", "keepassxc", &db_arg], with_password("not it"));
    assert_eq!(wrong.code, Some(1));
    assert!(wrong.summary.is_null(), "no summary: {}", wrong.stderr);
    assert!(
        wrong.stderr.contains("wrong") && wrong.stderr.contains(&db_arg),
        "{}",
        wrong.stderr
    );
    assert!(
        !wrong.stderr.contains("not it"),
        "the password is never said"
    );
    // No password at all and no terminal to ask on: said, nothing written.
    let none = v.import(&["--from", "keepassxc", &db_arg], |_| {});
    assert_eq!(none.code, Some(1));
    assert!(
        none.stderr.contains("--password-file") && none.stderr.contains("CSVAULT_IMPORT_PASSWORD"),
        "{}",
        none.stderr
    );
    assert_eq!(v.snapshot(), before, "nothing written");
    assert!(v.names().is_empty());

    let real = dry_then_real_then_again(
        &v,
        &["--from", "keepassxc", &db_arg],
        with_password(DB_PASSWORD),
    );
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    assert_eq!(
        real.summary,
        json!({"lines": 3, "created": 3, "skipped_existing": 0, "failed": 0, "blank": 0,
               "renamed": 0})
    );
    assert_eq!(
        real.statuses(),
        pairs(&[
            ("top", "created"),
            ("Work.Deep.bank", "created"),
            ("Work.Deep.bank.key.pem", "created"),
        ])
    );
    assert_eq!(real.lines[2]["attachment"], "key.pem");
    assert_eq!(real.lines[1]["location"], real.lines[2]["location"]);
    no_values_in(&real.stderr, &["entry-pw", "top-pw", "MIIB"]);

    assert_eq!(v.value("top"), "top-pw");
    assert!(v.tags("top").is_empty(), "the root group is no folder");
    assert_eq!(
        v.value("Work.Deep.bank"),
        json!({"username": "bob", "password": "entry-pw", "urls": ["https://bank.example"],
               "notes": "line one\nline two"})
    );
    assert_eq!(v.tags("Work.Deep.bank"), pairs(&[("folder", "Work/Deep")]));
    assert_eq!(
        v.binary("Work.Deep.bank.key.pem"),
        b"-----BEGIN KEY-----\nMIIB\n"
    );
    assert_eq!(
        v.tags("Work.Deep.bank.key.pem"),
        pairs(&[("attachment_of", "Work.Deep.bank"), ("folder", "Work/Deep")])
    );
    assert_eq!(
        v.names(),
        ["Work.Deep.bank", "Work.Deep.bank.key.pem", "top"]
    );
}

#[test]
fn the_kdbx_password_comes_from_a_file_and_a_damaged_kdbx_writes_nothing() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = make_cli_database(dir.path());
    let db_arg = db.display().to_string();

    // --password-file: one trailing newline is dropped; it wins over the environment.
    let v = Vault::new();
    let file = dir.path().join("pw.txt");
    fs::write(&file, format!("{DB_PASSWORD}\n")).unwrap_or_else(|e| panic!("{e}"));
    let file_arg = file.display().to_string();
    let by_file = v.import(
        &["--from", "keepassxc", "--password-file", &file_arg, &db_arg],
        with_password("not it"),
    );
    assert_eq!(by_file.code, Some(0), "{}", by_file.stderr);
    assert_eq!(by_file.summary["created"], 3);
    assert_eq!(v.value("top"), "top-pw");
    // A file holding a wrong password: refused like the environment's.
    fs::write(&file, "not it\n").unwrap_or_else(|e| panic!("{e}"));
    let v = Vault::new();
    let wrong = v.import(
        &["--from", "keepassxc", "--password-file", &file_arg, &db_arg],
        with_password(DB_PASSWORD),
    );
    assert_eq!(wrong.code, Some(1));
    assert!(wrong.stderr.contains("wrong"), "{}", wrong.stderr);
    assert!(v.names().is_empty());

    // A damaged database and a cut one: one error, exit 1, not a secret written.
    let bytes = fs::read(&db).unwrap_or_else(|e| panic!("{e}"));
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    for (name, content) in [
        ("damaged.kdbx", damaged.as_slice()),
        ("cut.kdbx", &bytes[..bytes.len() / 3]),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
        let out = v.import(
            &["--from", "keepassxc", &path.display().to_string()],
            with_password(DB_PASSWORD),
        );
        assert_eq!(out.code, Some(1), "{name}: {}", out.stderr);
        assert!(out.summary.is_null(), "{name}: {}", out.stderr);
        assert!(out.stderr.contains(name), "{name}: {}", out.stderr);
        assert!(v.names().is_empty(), "{name}: nothing written");
    }
}

#[test]
fn keepassxcs_csv_export_lands_field_by_field_and_a_bad_record_fails_alone() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = make_cli_database(dir.path());
    let export = keepassxc(
        dir.path(),
        &["export", "-q", "--format", "csv", &db.display().to_string()],
        &format!("{DB_PASSWORD}\n"),
    );
    let csv = dir.path().join("export.csv");
    fs::write(&csv, &export.stdout).unwrap_or_else(|e| panic!("{e}"));
    let csv_arg = csv.display().to_string();

    let v = Vault::new();
    // A CSV needs no password: none is asked for.
    let real = dry_then_real_then_again(&v, &["--from", "keepassxc", &csv_arg], |_| {});
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    assert_eq!(
        real.statuses(),
        pairs(&[("top", "created"), ("Work.Deep.bank", "created")])
    );
    assert_eq!(v.value("top"), "top-pw");
    assert_eq!(
        v.value("Work.Deep.bank"),
        json!({"username": "bob", "password": "entry-pw", "urls": ["https://bank.example"],
               "notes": "line one\nline two"}),
        "the icon and the times are left out"
    );
    assert_eq!(v.tags("Work.Deep.bank"), pairs(&[("folder", "Work/Deep")]));

    // Malformed records fail alone; the ones after them are created.
    let mut broken = export.stdout.clone();
    broken.extend_from_slice(b"\"Root\",\"too few columns\"\n");
    broken.extend_from_slice(
        b"\"Root\",\"latin1 \xe9\",\"\",\"pw\",\"\",\"\",\"\",\"0\",\"\",\"\"\n",
    );
    broken.extend_from_slice(
        b"\"Root/After\",\"after\",\"\",\"after-pw\",\"\",\"\",\"\",\"0\",\"\",\"\"\n",
    );
    fs::write(&csv, &broken).unwrap_or_else(|e| panic!("{e}"));
    let w = Vault::new();
    let out = w.import(&["--from", "keepassxc", &csv_arg], |_| {});
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.statuses(),
        pairs(&[
            ("top", "created"),
            ("Work.Deep.bank", "created"),
            ("", "failed"),
            ("", "failed"),
            ("After.after", "created"),
        ])
    );
    assert!(
        out.lines[2]["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("columns")),
        "{}",
        out.lines[2]
    );
    assert_eq!(w.value("After.after"), "after-pw");
    assert_eq!(w.names(), ["After.after", "Work.Deep.bank", "top"]);
}

#[test]
fn a_bitwarden_export_lands_field_by_field() {
    let v = Vault::new();
    let path = fixture("bitwarden.json").display().to_string();
    let real = dry_then_real_then_again(&v, &["--from", "bitwarden", &path], |_| {});
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    assert_eq!(
        real.statuses(),
        pairs(&[
            ("Work.Servers.db01-root", "created"),
            ("wifi-notes", "created"),
            ("Work.Company-Visa", "created"),
            ("Alice", "created"),
            ("Work.Servers.deploy-key", "created"),
        ])
    );
    no_values_in(&real.stderr, &["s3cr", "4111111111111111", "old-pw-1"]);

    assert_eq!(
        v.value("Work.Servers.db01-root"),
        json!({"type": "login", "username": "root", "password": "s3cr\"et\\pw",
               "urls": ["https://db01.example.com", "ssh://db01.example.com"],
               "notes": "rotated\nquarterly",
               "totp": "otpauth://totp/db01?secret=JBSWY3DPEHPK3PXP",
               "fields": {"region": "eu-west-0", "pin": "4321", "sudo": "true",
                          "login name": "linked:username", "password_history_1": "old-pw-1"}})
    );
    assert_eq!(
        v.tags("Work.Servers.db01-root"),
        pairs(&[("folder", "Work/Servers"), ("type", "login")])
    );
    assert_eq!(
        v.value("wifi-notes"),
        json!({"type": "secure_note", "notes": "guest network: café-guest"})
    );
    assert_eq!(v.tags("wifi-notes"), pairs(&[("type", "secure_note")]));
    assert_eq!(
        v.value("Work.Company-Visa"),
        json!({"type": "card", "fields": {"cardholder_name": "Alice Example", "brand": "Visa",
               "number": "4111111111111111", "exp_month": "7", "exp_year": "2029",
               "code": "123"}})
    );
    assert_eq!(
        v.tags("Work.Company-Visa"),
        pairs(&[("folder", "Work"), ("type", "card")])
    );
    assert_eq!(
        v.value("Alice"),
        json!({"type": "identity", "fields": {"title": "Ms", "first_name": "Alice",
               "middle_name": "B", "last_name": "Example", "address1": "1 Main St",
               "address2": "Flat 2", "city": "Springfield", "state": "ST",
               "postal_code": "12345", "country": "US", "company": "Example Inc",
               "email": "alice@example.com", "phone": "+1 555 0100", "ssn": "078-05-1120",
               "username": "alice", "passport_number": "X1234567",
               "license_number": "D7654321"}})
    );
    assert_eq!(v.tags("Alice"), pairs(&[("type", "identity")]));
    assert_eq!(
        v.value("Work.Servers.deploy-key"),
        json!({"type": "ssh_key", "fields": {
            "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
            "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample deploy",
            "key_fingerprint": "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}})
    );
    assert_eq!(
        v.tags("Work.Servers.deploy-key"),
        pairs(&[("folder", "Work/Servers"), ("type", "ssh_key")])
    );
    assert_eq!(v.names().len(), 5);
}

#[test]
fn a_1pux_export_lands_field_by_field_with_its_files() {
    let v = Vault::new();
    let path = fixture("1password.1pux").display().to_string();
    let real = dry_then_real_then_again(&v, &["--from", "1password", &path], |_| {});
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    assert_eq!(
        real.statuses(),
        pairs(&[
            ("Personal.GitHub", "created"),
            ("Personal.deploy-key-file", "created"),
            ("Personal.deploy-key-file.id_ed25519", "created"),
            ("Shared-Ops.router-admin", "created"),
            ("Shared-Ops.Ops-Visa", "created"),
            ("Shared-Ops.Ops-Visa.receipt.txt", "created"),
        ])
    );
    assert_eq!(real.lines[2]["attachment"], "id_ed25519");
    assert_eq!(real.lines[5]["attachment"], "receipt.txt");
    no_values_in(&real.stderr, &["gh-päss", "router-pw", "total: 42"]);

    assert_eq!(
        v.value("Personal.GitHub"),
        json!({"type": "login", "username": "alice", "password": "gh-päss",
               "urls": ["https://github.com/login", "https://gist.github.com"],
               "notes": "work account",
               "totp": "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP",
               "fields": {"remember": "on", "Recovery.codes": "1111-2222\n3333-4444",
                          "Recovery.email": "alice@example.com",
                          "Recovery.since": "2020-01-01", "password_history_1": "gh-old"}})
    );
    assert_eq!(
        v.tags("Personal.GitHub"),
        pairs(&[
            ("dev", ""),
            ("folder", "Personal"),
            ("type", "login"),
            ("work", "")
        ])
    );
    assert_eq!(
        v.value("Personal.deploy-key-file"),
        "",
        "a document holds its file alone"
    );
    assert_eq!(
        v.tags("Personal.deploy-key-file"),
        pairs(&[("folder", "Personal"), ("type", "document")])
    );
    assert_eq!(
        v.binary("Personal.deploy-key-file.id_ed25519"),
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH-----\n"
    );
    assert_eq!(
        v.tags("Personal.deploy-key-file.id_ed25519"),
        pairs(&[
            ("attachment_of", "Personal.deploy-key-file"),
            ("folder", "Personal"),
            ("type", "document")
        ])
    );
    assert_eq!(v.value("Shared-Ops.router-admin"), "router-pw");
    assert_eq!(
        v.tags("Shared-Ops.router-admin"),
        pairs(&[
            ("archived", ""),
            ("folder", "Shared Ops"),
            ("type", "password")
        ])
    );
    assert_eq!(
        v.value("Shared-Ops.Ops-Visa"),
        json!({"type": "credit_card", "fields": {"cardholder name": "Alice Example",
               "type": "visa", "number": "4111111111111111", "verification number": "123",
               "expiry date": "2029-07", "billing.street": "1 Main St",
               "billing.city": "Springfield", "billing.state": "ST", "billing.zip": "12345",
               "billing.country": "us"}})
    );
    assert_eq!(
        v.tags("Shared-Ops.Ops-Visa"),
        pairs(&[
            ("finance", ""),
            ("folder", "Shared Ops"),
            ("type", "credit_card")
        ])
    );
    assert_eq!(
        v.binary("Shared-Ops.Ops-Visa.receipt.txt"),
        b"total: 42.00 EUR\n"
    );
    assert_eq!(
        v.tags("Shared-Ops.Ops-Visa.receipt.txt"),
        pairs(&[
            ("attachment_of", "Shared-Ops.Ops-Visa"),
            ("finance", ""),
            ("folder", "Shared Ops"),
            ("type", "credit_card")
        ])
    );
    assert_eq!(v.names().len(), 6);
}

#[test]
fn a_1password_csv_export_lands_field_by_field() {
    let v = Vault::new();
    let path = fixture("1password.csv").display().to_string();
    let real = dry_then_real_then_again(&v, &["--from", "1password", &path], |_| {});
    assert_eq!(real.code, Some(0), "{}", real.stderr);
    assert_eq!(
        real.statuses(),
        pairs(&[
            ("GitHub", "created"),
            ("router-admin", "created"),
            ("Bank", "created")
        ])
    );
    assert_eq!(
        v.value("GitHub"),
        json!({"username": "alice", "password": "pa,ss\"word",
               "urls": ["https://github.com/login"], "notes": "two\nlines",
               "totp": "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP"})
    );
    assert_eq!(v.tags("GitHub"), pairs(&[("dev", ""), ("work", "")]));
    assert_eq!(
        v.value("router-admin"),
        json!({"password": "router-pw", "fields": {"PIN": "0000"}})
    );
    assert_eq!(v.tags("router-admin"), pairs(&[("archived", "")]));
    assert_eq!(
        v.value("Bank"),
        json!({"username": "bob", "password": "bank-pw", "urls": ["https://bank.example"],
               "fields": {"PIN": "9876"}})
    );
    assert!(v.tags("Bank").is_empty());
}

/// Imports `path` as `format` into a new vault: the statuses, and the vault's names after.
fn import_malformed(format: &str, path: &Path) -> (Import, Vec<String>) {
    let v = Vault::new();
    let out = v.import(&["--from", format, &path.display().to_string()], |_| {});
    let names = v.names();
    (out, names)
}

#[test]
fn malformed_bitwarden_and_1password_csv_files_fail_entry_by_entry_and_leave_no_partial_secret() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let text = fs::read_to_string(fixture("bitwarden.json")).unwrap_or_else(|e| panic!("{e}"));
    let mut export: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    export["items"][1]["name"] = json!(5);
    export["items"][2]["card"] = json!("not an object");
    let bad = dir.path().join("bad.json");
    fs::write(&bad, export.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let (out, names) = import_malformed("bitwarden", &bad);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.statuses(),
        pairs(&[
            ("Work.Servers.db01-root", "created"),
            ("", "failed"),
            ("", "failed"),
            ("Alice", "created"),
            ("Work.Servers.deploy-key", "created"),
        ])
    );
    assert_eq!(out.lines[1]["error_code"], "CSMS.0002");
    assert_eq!(
        names,
        ["Alice", "Work.Servers.db01-root", "Work.Servers.deploy-key"]
    );

    // Cut in the middle of an item: the items before it are created, the rest is one error.
    let cut = dir.path().join("cut.json");
    let at = text.find("\"Company Visa\"").unwrap_or(text.len() / 2);
    fs::write(&cut, &text[..at]).unwrap_or_else(|e| panic!("{e}"));
    let (out, names) = import_malformed("bitwarden", &cut);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.statuses(),
        pairs(&[
            ("Work.Servers.db01-root", "created"),
            ("wifi-notes", "created"),
            ("", "failed"),
        ])
    );
    assert!(
        out.lines[2]["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("truncated")),
        "{}",
        out.lines[2]
    );
    assert_eq!(names, ["Work.Servers.db01-root", "wifi-notes"]);

    // 1Password's CSV: a short row and an unterminated quote fail alone.
    let csv = dir.path().join("bad.csv");
    fs::write(
        &csv,
        "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n\
         ok,,u,p,,false,false,,\nshort,,u\n\"unterminated,,u,p,,false,false,,\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (out, names) = import_malformed("1password", &csv);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.statuses(),
        pairs(&[("ok", "created"), ("", "failed"), ("", "failed")])
    );
    assert!(
        out.lines[1]["error_msg"]
            .as_str()
            .is_some_and(|m| m.contains("columns")),
        "{}",
        out.lines[1]
    );
    assert_eq!(names, ["ok"]);
}

#[test]
fn a_malformed_1pux_fails_item_by_item_and_a_cut_one_writes_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Damaged items: each fails alone, with its file; the others are created.
    let src = fixture("1password-src");
    let data = fs::read_to_string(src.join("export.data")).unwrap_or_else(|e| panic!("{e}"));
    let mut data: Value = serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}"));
    data["accounts"][0]["vaults"][0]["items"][0]["overview"] = json!("not an object");
    data["accounts"][0]["vaults"][1]["items"][1]["details"] = json!(42);
    let pux = dir.path().join("bad.1pux");
    write_1pux(&pux, &src, &data.to_string());
    let (out, names) = import_malformed("1password", &pux);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert_eq!(
        out.statuses(),
        pairs(&[
            ("", "failed"),
            ("Personal.deploy-key-file", "created"),
            ("Personal.deploy-key-file.id_ed25519", "created"),
            ("Shared-Ops.router-admin", "created"),
            ("", "failed"),
        ]),
        "{}",
        out.stderr
    );
    assert_eq!(
        names,
        [
            "Personal.deploy-key-file",
            "Personal.deploy-key-file.id_ed25519",
            "Shared-Ops.router-admin"
        ],
        "a failed item's file is not created either"
    );
    // A cut archive: one error for the file, not a secret written.
    let whole = fs::read(fixture("1password.1pux")).unwrap_or_else(|e| panic!("{e}"));
    let cut = dir.path().join("cut.1pux");
    fs::write(&cut, &whole[..whole.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let (out, names) = import_malformed("1password", &cut);
    assert_eq!(out.code, Some(1));
    assert!(out.summary.is_null(), "{}", out.stderr);
    assert!(out.stderr.contains("cut.1pux"), "{}", out.stderr);
    assert!(names.is_empty());
}

/// A 1PUX archive of `src`'s files, with `data` as its `export.data`.
fn write_1pux(path: &Path, src: &Path, data: &str) {
    let file = fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut add = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        std::io::Write::write_all(&mut zip, bytes).unwrap_or_else(|e| panic!("{e}"));
    };
    let attributes = fs::read(src.join("export.attributes")).unwrap_or_else(|e| panic!("{e}"));
    add("export.attributes", &attributes);
    add("export.data", data.as_bytes());
    let mut files: Vec<_> = fs::read_dir(src.join("files"))
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).file_name())
        .collect();
    files.sort();
    for name in files {
        let bytes = fs::read(src.join("files").join(&name)).unwrap_or_else(|e| panic!("{e}"));
        add(&format!("files/{}", name.to_string_lossy()), &bytes);
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}"));
}
