//! The agent (issue 15): `unlock` once, then commands with no passphrase anywhere; `lock`;
//! `agent status`; `--no-agent`; the idle lock; a killed agent; what is refused at the socket
//! path; the same output through the agent as without it.

use assert_cmd::Command;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

use super::support::{PASSPHRASE, TIMEOUT, TestVault, api_err, bin, keys, ok_json};

/// A vault with its own private runtime directory (so tests never meet each other's agents),
/// whose agent is locked, and killed, when the test ends, even on failure.
struct AgentVault {
    v: TestVault,
    runtime: TempDir,
    pid: Option<u32>,
}

impl AgentVault {
    fn new() -> Self {
        let v = TestVault::new();
        let runtime = tempfile::tempdir().unwrap();
        std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        Self {
            v,
            runtime,
            pid: None,
        }
    }

    /// `csvault --vault PATH` with this test's runtime directory and no passphrase anywhere.
    fn bare(&self) -> Command {
        let mut cmd = Command::new(bin());
        cmd.env_remove("CSVAULT_PASSPHRASE")
            .env_remove("CSVAULT_PATH")
            .env_remove("CSVAULT_AGENT_IDLE_SECS")
            .env_remove("CSVAULT_AGENT_MAX_SECS")
            .env("XDG_RUNTIME_DIR", self.runtime.path())
            .arg("--vault")
            .arg(&self.v.path)
            .timeout(TIMEOUT);
        cmd
    }

    /// [`Self::bare`] with the passphrase in the environment.
    fn with_passphrase(&self) -> Command {
        let mut cmd = self.bare();
        cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE);
        cmd
    }

    #[track_caller]
    fn ok(&self, args: &[&str]) -> Value {
        ok_json(&self.bare().args(args).output().unwrap())
    }

    /// Runs a command that must succeed with empty stderr (some print nothing).
    #[track_caller]
    fn done(&self, args: &[&str]) {
        let out = self.bare().args(args).output().unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `unlock` with the passphrase in the environment (and `env` besides); its record.
    #[track_caller]
    fn unlock_with(&mut self, env: &[(&str, &str)]) -> Value {
        let mut cmd = self.with_passphrase();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let record = ok_json(&cmd.arg("unlock").output().unwrap());
        self.pid = record["pid"].as_u64().map(|p| u32::try_from(p).unwrap());
        record
    }

    #[track_caller]
    fn unlock(&mut self) -> Value {
        self.unlock_with(&[])
    }

    fn socket_dir(&self) -> PathBuf {
        self.runtime.path().join("csvault")
    }

    /// The agent's socket file, if there is one.
    fn sockets(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.socket_dir())
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    fn status(&self) -> Value {
        self.ok(&["agent", "status"])
    }
}

impl Drop for AgentVault {
    fn drop(&mut self) {
        let _ = self.bare().arg("lock").output();
        if let Some(pid) = self.pid {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .output();
        }
    }
}

fn alive(pid: u32) -> bool {
    // A zombie is not alive: its keys are gone with its memory.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

#[track_caller]
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Twenty commands, none with a passphrase anywhere in its environment.
fn twenty_commands(a: &AgentVault) {
    let created = a.ok(&[
        "secret",
        "create",
        "--name",
        "db",
        "--secret-string",
        "s3cret-1",
    ]);
    assert_eq!(created["secret"]["name"], "db");
    a.done(&[
        "secret",
        "create-version",
        "db",
        "--secret-string",
        "s3cret-2",
    ]);
    a.done(&["secret", "create", "--name", "api", "--secret-string", "k"]);
    assert_eq!(
        a.ok(&["secret", "list"])["secrets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(a.ok(&["secret", "show", "db"])["secret"]["name"], "db");
    assert_eq!(
        a.ok(&["secret", "get-value", "db"])["version"]["secret_string"],
        "s3cret-2"
    );
    let raw = a
        .bare()
        .args(["secret", "get-value", "db", "--raw"])
        .output()
        .unwrap();
    assert_eq!(raw.stdout, b"s3cret-2");
    a.done(&["secret", "list-versions", "db"]);
    a.done(&["secret", "show-stage", "db", "SYSCURRENT"]);
    a.done(&["secret", "batch-get-value", "db", "api"]);
    a.done(&["secret", "tag", "db", "team=core"]);
    a.done(&["secret", "tags", "db"]);
    a.done(&["tags"]);
    a.done(&["key", "list"]);
    a.done(&["tasks"]);
    a.done(&["notifications"]);
    a.done(&["secret", "disable", "api"]);
    a.done(&["secret", "enable", "api"]);
    a.done(&["report"]);
    let out = a.bare().args(["secret", "delete", "api"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unlock_once_then_twenty_commands_without_a_passphrase_then_lock() {
    let mut a = AgentVault::new();
    assert_eq!(
        a.status(),
        serde_json::json!({"running": false, "vault": canonical(&a.v.path)})
    );
    let record = a.unlock();
    assert_eq!(
        keys(&record),
        [
            "idle_locks_at",
            "locks_at",
            "pid",
            "unlocked",
            "vault",
            "vault_id"
        ]
    );
    assert_eq!(record["unlocked"], true);
    assert_eq!(record["vault"], canonical(&a.v.path));
    let pid = a.pid.unwrap();
    assert!(alive(pid));
    let idle = record["idle_locks_at"].as_i64().unwrap();
    let max = record["locks_at"].as_i64().unwrap();
    assert!(max - idle > 27_000_000, "8 h lifetime, 15 min idle");

    // A second unlock says so and starts nothing.
    let again = a.with_passphrase().arg("unlock").output().unwrap();
    assert!(again.status.success());
    let second: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(second["pid"], record["pid"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));

    let status = a.status();
    assert_eq!(
        keys(&status),
        [
            "idle_locks_at",
            "locks_at",
            "pid",
            "running",
            "unlocked_at",
            "vault",
            "vault_id"
        ]
    );
    assert_eq!(status["running"], true);
    assert_eq!(status["vault_id"], record["vault_id"]);

    twenty_commands(&a);

    let locked = a.ok(&["lock"]);
    assert_eq!(
        locked,
        serde_json::json!({"locked": true, "vault": canonical(&a.v.path)})
    );
    wait_until("the agent ends", || !alive(pid));
    assert!(a.sockets().is_empty(), "the socket is removed");
    let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0004", "{}", e.msg);
    assert_eq!(
        a.ok(&["lock"]),
        serde_json::json!({"locked": false, "vault": canonical(&a.v.path)})
    );
}

#[test]
fn no_agent_bypasses_the_agent_and_init_change_passphrase_stay_local() {
    let mut a = AgentVault::new();
    a.unlock();
    let e = api_err(
        &a.bare()
            .args(["--no-agent", "secret", "list"])
            .output()
            .unwrap(),
        1,
    );
    assert_eq!(e.code, "VAULT.0004", "--no-agent asks for the passphrase");
    let out = a
        .with_passphrase()
        .args(["--no-agent", "secret", "list"])
        .output()
        .unwrap();
    ok_json(&out);
    // A write by another process (no agent) is seen through the agent.
    ok_json(
        &a.with_passphrase()
            .args([
                "--no-agent",
                "secret",
                "create",
                "--name",
                "side",
                "--secret-string",
                "v",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(
        a.ok(&["secret", "get-value", "side"])["version"]["secret_string"],
        "v"
    );
    let e = api_err(
        &a.bare()
            .env("CSVAULT_NEW_PASSPHRASE", "another long passphrase here")
            .arg("change-passphrase")
            .output()
            .unwrap(),
        1,
    );
    assert_eq!(e.code, "VAULT.0004", "change-passphrase unlocks here");
}

/// Writes of every kind through the agent.
fn write_every_kind(a: &AgentVault) {
    a.done(&[
        "secret",
        "create",
        "--name",
        "db",
        "--secret-string",
        "line1\n\"q\" ü 🔑",
    ]);
    a.done(&[
        "secret",
        "create",
        "--name",
        "bin",
        "--secret-binary",
        "AAEC/wA=",
    ]);
    a.done(&["secret", "create-version", "db", "--secret-string", "v2"]);
    a.done(&["secret", "update", "db", "--description", "the database"]);
    a.done(&["secret", "update-stage", "db", "blue", "--version-id", "v1"]);
    a.done(&["secret", "tag", "db", "team=core", "env=prod"]);
    a.done(&["key", "create", "--alias", "team/k"]);
    a.done(&[
        "event",
        "create",
        "ev",
        "--types",
        "SECRET_VERSION_CREATED",
        "--target-type",
        "SMN",
        "--target-id",
        "t",
        "--target-name",
        "n",
    ]);
    a.done(&["secret", "rotate", "bin"]);
}

/// Output with the report's own clock reading (the one field that is "now") masked.
fn steady(out: &[u8]) -> String {
    let text = String::from_utf8_lossy(out);
    regex::Regex::new(r#""report_time": \d+"#)
        .unwrap()
        .replace_all(&text, r#""report_time": <now>"#)
        .into_owned()
}

#[test]
fn the_same_output_through_the_agent_as_without_it() {
    let mut a = AgentVault::new();
    a.unlock();
    write_every_kind(&a);
    let file = a.v.file(
        "in.jsonl",
        "{\"name\":\"i1\",\"secret_string\":\"x\"}\n{\"name\":\"bad name\"}\n",
    );
    let import = a
        .bare()
        .args(["secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let local_import = a
        .with_passphrase()
        .args(["--no-agent", "secret", "import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(import.status.code(), local_import.status.code());
    // Reads and refusals: byte for byte, stdout, stderr and exit code.
    let commands: &[&[&str]] = &[
        &["secret", "list"],
        &["secret", "list", "--tag", "team=core"],
        &["secret", "show", "db"],
        &["secret", "get-value", "db"],
        &["secret", "get-value", "db", "--raw"],
        &["secret", "get-value", "bin", "--raw"],
        &["secret", "get-value", "db", "--version-id", "v1"],
        &["secret", "list-versions", "db"],
        &["secret", "show-stage", "db", "blue"],
        &["secret", "batch-get-value", "db", "bin"],
        &["secret", "tags", "db"],
        &["tags"],
        &["key", "list"],
        &["event", "list"],
        &["event", "show", "ev"],
        &["notifications"],
        &["tasks"],
        &["check", "config"],
        &["report"],
        &["secret", "show", "missing"],
        &["secret", "get-value", "db", "--version-id", "v9"],
        &["secret", "create", "--name", "db", "--secret-string", "dup"],
        &["secret", "list", "--marker", "nope"],
    ];
    for args in commands {
        let through = a.bare().args(*args).output().unwrap();
        let local = a
            .with_passphrase()
            .arg("--no-agent")
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(through.status.code(), local.status.code(), "{args:?}");
        assert_eq!(steady(&through.stdout), steady(&local.stdout), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&through.stderr),
            String::from_utf8_lossy(&local.stderr),
            "{args:?}"
        );
    }
    // A backup blob is encrypted afresh each time: through the agent, out and back in.
    let blob = a.ok(&["secret", "download-blob", "db"])["secret_blob"]
        .as_str()
        .unwrap()
        .to_owned();
    a.done(&["secret", "delete", "db"]);
    a.done(&["secret", "upload-blob", "--secret-blob", &blob]);
    let value = a.ok(&["secret", "get-value", "db"]);
    assert_eq!(value["version"]["secret_string"], "v2");
}

#[test]
fn the_agent_locks_itself_when_idle() {
    let mut a = AgentVault::new();
    a.unlock_with(&[("CSVAULT_AGENT_IDLE_SECS", "1")]);
    let pid = a.pid.unwrap();
    wait_until("the idle lock", || !alive(pid));
    assert!(a.sockets().is_empty(), "the socket is removed");
    assert_eq!(a.status()["running"], false);
    let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0004");
}

#[test]
fn bad_limits_and_a_wrong_passphrase_start_nothing() {
    let a = AgentVault::new();
    for (name, value) in [
        ("CSVAULT_AGENT_IDLE_SECS", "0"),
        ("CSVAULT_AGENT_IDLE_SECS", "soon"),
        ("CSVAULT_AGENT_MAX_SECS", "999999999"),
    ] {
        let out = a
            .with_passphrase()
            .env(name, value)
            .arg("unlock")
            .output()
            .unwrap();
        let e = api_err(&out, 1);
        assert_eq!(e.code, "VAULT.0008", "{name}={value}");
        assert!(e.msg.contains(name), "{}", e.msg);
    }
    let out = a
        .bare()
        .env("CSVAULT_PASSPHRASE", "not the passphrase at all")
        .arg("unlock")
        .output()
        .unwrap();
    let e = api_err(&out, 1);
    assert_eq!(e.code, "VAULT.0002", "{}", e.msg);
    assert!(a.sockets().is_empty(), "no socket");
    assert_eq!(a.status()["running"], false);
}

#[test]
fn a_killed_agent_leaves_nothing_usable() {
    let mut a = AgentVault::new();
    a.unlock();
    let pid = a.pid.unwrap();
    std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .output()
        .unwrap();
    wait_until("the agent dies", || !alive(pid));
    assert_eq!(a.sockets().len(), 1, "the stale socket stays behind");
    assert_eq!(a.status()["running"], false);
    let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
    assert_eq!(
        e.code, "VAULT.0004",
        "the next command asks for the passphrase"
    );
    let record = a.unlock();
    assert_ne!(record["pid"].as_u64(), Some(u64::from(pid)));
    a.done(&["secret", "list"]);
}

#[test]
fn a_file_or_a_foreign_socket_at_the_path_is_refused() {
    let mut a = AgentVault::new();
    a.unlock();
    let socket = a.sockets().pop().unwrap();
    a.done(&["lock"]);
    wait_until("the socket goes", || !socket.exists());
    std::fs::write(&socket, b"not a socket").unwrap();
    let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0007");
    assert!(e.msg.contains("not a socket"), "{}", e.msg);
    let e = api_err(&a.with_passphrase().arg("unlock").output().unwrap(), 1);
    assert_eq!(
        e.code, "VAULT.0007",
        "unlock never replaces what it did not make"
    );
    std::fs::remove_file(&socket).unwrap();
    if rustix::process::geteuid().is_root() {
        // A socket of another user's at the path: refused before connecting.
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        std::os::unix::fs::chown(&socket, Some(65534), Some(65534)).unwrap();
        let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
        assert_eq!(e.code, "VAULT.0007");
        assert!(e.msg.contains("uid 65534"), "{}", e.msg);
        drop(listener);
    }
}

#[test]
fn the_agent_refuses_a_connection_from_another_uid() {
    // Needs root (to act as uid 65534) and python3 (a raw client that skips our client's own
    // checks, so that the agent's check is the one that answers).
    let python = std::process::Command::new("python3").arg("-V").output();
    if !rustix::process::geteuid().is_root() || python.is_err() {
        return;
    }
    let mut a = AgentVault::new();
    a.unlock();
    let socket = a.sockets().pop().unwrap();
    // The same socket, reachable by uid 65534: a hard link in an open directory, mode 0666.
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let link = open.path().join("agent.sock");
    std::fs::hard_link(&socket, &link).unwrap();
    std::fs::set_permissions(&link, std::fs::Permissions::from_mode(0o666)).unwrap();
    let client = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
hello = b'"Hello"'
try:
    s.sendall(struct.pack('>I', len(hello)) + hello)
except (BrokenPipeError, ConnectionResetError):
    pass  # the agent may refuse (and close) before reading anything
head = s.recv(4, socket.MSG_WAITALL)
n = struct.unpack('>I', head)[0]
sys.stdout.write(s.recv(n, socket.MSG_WAITALL).decode())
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", client])
        .arg(&link)
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(answer["Refused"]["error_code"], "VAULT.0007", "{answer}");
    let msg = answer["Refused"]["error_msg"].as_str().unwrap();
    assert!(msg.contains("uid 65534"), "{msg}");
    assert!(
        answer.get("Hello").is_none(),
        "nothing about the vault is said"
    );
    // The agent still serves its own user.
    a.done(&["secret", "list"]);
}

#[test]
fn an_agent_on_a_vault_path_that_is_not_utf8_keeps_serving() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"va\xffult"))
        .join("vault.db");
    let runtime = tempfile::tempdir().unwrap();
    std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let mut a = AgentVault {
        v: TestVault { dir, path },
        runtime,
        pid: None,
    };
    let init = a.with_passphrase().arg("init").output().unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    a.unlock();
    let pid = a.pid.unwrap();
    // It used to stat the lossy display string, find nothing and lock within 200 ms.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(alive(pid), "the agent still holds the vault");
    a.ok(&["secret", "list"]);
}

#[test]
fn a_vault_overwritten_in_place_locks_the_agent() {
    let mut a = AgentVault::new();
    let other = TestVault::new();
    a.unlock();
    let pid = a.pid.unwrap();
    let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&a.v.path).unwrap());
    // `cp other.db vault.db`: the same inode, another vault's bytes.
    std::fs::write(&a.v.path, std::fs::read(&other.path).unwrap()).unwrap();
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&a.v.path).unwrap()),
        ino
    );
    wait_until("the agent locks", || !alive(pid));
    let e = api_err(&a.bare().args(["secret", "list"]).output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0004", "it asks for the passphrase");
}

#[test]
fn an_unusable_runtime_dir_means_no_agent_with_a_warning_and_unlock_refuses() {
    let a = AgentVault::new();
    std::fs::create_dir(a.socket_dir()).unwrap();
    std::fs::set_permissions(a.socket_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    for args in [&["secret", "list"][..], &["agent", "status"], &["lock"]] {
        let out = a.with_passphrase().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("755"), "{args:?}: {stderr}");
    }
    let e = api_err(&a.with_passphrase().arg("unlock").output().unwrap(), 1);
    assert_eq!(e.code, "VAULT.0007");
}

#[test]
fn an_import_of_records_goes_through_the_agent() {
    let mut a = AgentVault::new();
    a.unlock();
    let file = a.v.file(
        "records.jsonl",
        concat!(
            "{\"name\":\"via-agent\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}],\"state\":\"DISABLED\",",
            "\"versions\":[{\"secret_string\":\"a\",\"version_stages\":[]},",
            "{\"secret_string\":\"b\",\"version_stages\":[\"SYSCURRENT\"],\"expire_time\":7}]}\n",
            "{\"name\":\"plain-via-agent\",\"secret_string\":\"p\"}\n",
        ),
    );
    // No passphrase anywhere: only the agent can have done it.
    let out = a
        .bare()
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["created"], 2);
    let shown = a.ok(&["secret", "show", "via-agent"]);
    assert_eq!(shown["secret"]["state"], "DISABLED");
    let versions = a.ok(&["secret", "list-versions", "via-agent"]);
    assert_eq!(versions["version_metadatas"][1]["expire_time"], 7);
    assert_eq!(
        a.ok(&["secret", "tags", "via-agent"])["tags"][0]["value"],
        "v"
    );
}
