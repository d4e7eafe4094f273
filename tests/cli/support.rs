//! What the tests of this binary share: a vault in its own tempdir, driven through the real binary,
//! and the checks of its JSON output and error lines.

pub mod serve;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use tempfile::TempDir;

pub const PASSPHRASE: &str = "correct horse battery staple";
/// Generous: one unlock is ~0.2 s, but a hang (say, a prompt on a terminal) must not stall the run.
pub const TIMEOUT: Duration = Duration::from_mins(1);

/// The csvault binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_csvault")
}

/// A vault path inside a fresh tempdir. The vault file lives in a not-yet-existing subdirectory so
/// that `init` has to create it (and give it mode 0700).
pub struct TestVault {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl TestVault {
    /// A path where no vault exists yet.
    pub fn uninit() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vaultdir").join("vault.db");
        Self { dir, path }
    }

    /// A vault created with `csvault init`.
    pub fn new() -> Self {
        let v = Self::uninit();
        v.ok(&["init"]);
        v
    }

    /// `csvault --vault PATH` with the passphrase in the environment and no `CSVAULT_PATH`.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
            .env_remove("CSVAULT_PATH")
            .arg("--vault")
            .arg(&self.path)
            .timeout(TIMEOUT);
        cmd
    }

    /// Runs a command that must succeed with empty stderr; its stdout as JSON.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Value {
        ok_json(&self.cmd().args(args).output().unwrap())
    }

    /// Like [`Self::ok`] with `stdin` fed to the process.
    #[track_caller]
    pub fn ok_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Value {
        ok_json(&self.cmd().args(args).write_stdin(stdin).output().unwrap())
    }

    /// Runs a command that must fail with exit code 1 and nothing on stdout; its error body.
    #[track_caller]
    pub fn err(&self, args: &[&str]) -> ApiErr {
        api_err(&self.cmd().args(args).output().unwrap(), 1)
    }

    /// Like [`Self::err`] with `stdin` fed to the process.
    #[track_caller]
    pub fn err_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> ApiErr {
        api_err(
            &self.cmd().args(args).write_stdin(stdin).output().unwrap(),
            1,
        )
    }

    /// A file in the tempdir (outside the vault's directory) with these bytes.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// The vault file and its `-wal`, as bytes (the `-wal` only when present).
    pub fn snapshot(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        (
            std::fs::read(&self.path).unwrap(),
            std::fs::read(sidecar(&self.path, "-wal")).ok(),
        )
    }
}

/// `vault.db-wal`, `vault.db-shm`.
pub fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// stdout of a successful run, parsed; stderr must be empty.
#[track_caller]
pub fn ok_json(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "expected success, got {:?}\nstdout: {stdout}\nstderr: {stderr}",
        out.status
    );
    assert!(stderr.is_empty(), "unexpected stderr: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"))
}

/// An error body from stderr.
#[derive(Debug)]
pub struct ApiErr {
    pub code: String,
    pub msg: String,
}

/// The error of a failed run: exit code `exit`, empty stdout, exactly one JSON line
/// `{"error_code","error_msg"}` on stderr.
#[track_caller]
pub fn api_err(out: &Output, exit: i32) -> ApiErr {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "exit status\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.is_empty(), "stdout of a failure: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "one error line: {stderr}");
    error_body(stderr.trim_end())
}

/// A command line clap refused: exit code 2, nothing on stdout, clap's readable message on
/// stderr (not JSON; no colour off a terminal); the message.
#[track_caller]
pub fn usage_err(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "exit status\nstderr: {stderr}");
    assert!(stdout.is_empty(), "stdout of a usage error: {stdout}");
    assert!(stderr.starts_with("error: "), "clap's message: {stderr}");
    assert!(
        stderr.contains("For more information, try '--help'."),
        "{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour off a terminal: {stderr:?}"
    );
    stderr
}

/// Parses `{"error_code","error_msg"}` and checks it has exactly those two fields.
#[track_caller]
pub fn error_body(line: &str) -> ApiErr {
    let v: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("error is not JSON ({e}): {line}"));
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error_code", "error_msg"], "error body: {line}");
    let msg = v["error_msg"].as_str().unwrap().to_owned();
    assert!(!msg.is_empty(), "empty error_msg: {line}");
    ApiErr {
        code: v["error_code"].as_str().unwrap().to_owned(),
        msg,
    }
}

/// A lowercase hyphenated UUID v4.
#[track_caller]
pub fn assert_uuid_v4(s: &str) {
    let id = uuid::Uuid::parse_str(s).unwrap_or_else(|e| panic!("not a UUID ({e}): {s}"));
    assert_eq!(id.get_version_num(), 4, "not a v4 UUID: {s}");
    assert_eq!(id.hyphenated().to_string(), s, "not canonical: {s}");
}

/// Epoch milliseconds of about now (13 digits, within the last ten minutes).
#[track_caller]
pub fn assert_recent_ms(v: &Value) {
    let ms = v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"));
    assert_eq!(ms.to_string().len(), 13, "not 13 digits: {ms}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let now = i64::try_from(now).unwrap();
    assert!(
        ms <= now && now - ms < 600_000,
        "{ms} is not a recent time in ms"
    );
}

/// The field names of a JSON object, sorted.
#[track_caller]
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort_unstable();
    k
}
