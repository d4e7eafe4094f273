//! What the sync tests share (issue 17; `tests/sync_e2e.rs`, `tests/sync_faults.rs`): vaults in
//! tempdirs driven through the real binary, `csvault serve` over TLS with a self-signed certificate
//! made by `openssl`, a remote added with `--ca-file`, the push/pull/sync JSON Lines, the records
//! `export` writes (to compare two vaults' secrets, values and versions), and a flaky loopback
//! HTTP proxy answering 503.
//!
//! A missing tool (`openssl`, `faketime`) skips a test with a note, unless `CI` is set: then it
//! fails.
#![allow(dead_code, reason = "each test binary uses part of it")]

pub mod proxy;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

pub const PASSPHRASE: &str = "sync e2e passphrase 0123";
/// How long one command may take before the test gives up on it (a push of 1,000 secrets in a
/// debug build included).
pub const TIMEOUT: Duration = Duration::from_mins(5);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_csvault")
}

/// `true` when `tool` runs; a missing one fails the test under `CI`, else skips it.
pub fn have(tool: &str, why: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if found {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but `{tool}` cannot be run ({why}): .ci/run installs it"
    );
    eprintln!("NOTE: SKIPPED: `{tool}` not installed ({why}); this test did NOT run.");
    false
}

/// Runs `cmd` to the end within [`TIMEOUT`] (killed after it), stdout and stderr read whole.
pub fn output(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin()));
    let out = child.stdout.take().unwrap();
    let err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || read_all(out));
    let err = std::thread::spawn(move || read_all(err));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} took longer than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn read_all(mut r: impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = r.read_to_end(&mut buf);
    buf
}

/// A vault in a tempdir of its own (with its own HOME), driven without an agent.
pub struct Vault {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl Vault {
    /// A new vault (`csvault init`).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        let path = dir.path().join("vault.db");
        let v = Self { dir, path };
        v.ok(&["init"]);
        v
    }

    /// `csvault --vault PATH --no-agent` with the passphrase in the environment, none of the
    /// caller's csvault settings, and a HOME of its own.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(bin());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("CSVAULT_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
            .env("HOME", self.dir.path().join("home"))
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_RUNTIME_DIR")
            .arg("--vault")
            .arg(&self.path)
            .arg("--no-agent");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        output(self.cmd().args(args))
    }

    /// A command that must succeed; its stdout as JSON (`null` when empty).
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}\nstdout: {}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            return Value::Null;
        }
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// A file beside the vault with these bytes.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Imports these records (`csvault import --from jsonl`, the records of README "Moving in");
    /// every one must be created.
    #[track_caller]
    pub fn import(&self, records: &[Value]) {
        let mut text = String::new();
        for r in records {
            writeln!(text, "{r}").unwrap();
        }
        let file = self.file("records.jsonl", text);
        let summary = self.ok(&["import", "--from", "jsonl", file.to_str().unwrap()]);
        assert_eq!(summary["created"], records.len(), "import: {summary}");
        std::fs::remove_file(file).unwrap();
    }

    /// The vault file and its `-wal` (when there is one), as bytes.
    pub fn snapshot(&self) -> (Vec<u8>, Option<Vec<u8>>) {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        (std::fs::read(&self.path).unwrap(), std::fs::read(wal).ok())
    }

    /// Every secret not pending deletion as `export` writes it (`--all-versions`: with every
    /// version), by name, made comparable across vaults: the vault's own version ids left out.
    #[track_caller]
    pub fn records(&self, all_versions: bool) -> BTreeMap<String, Value> {
        let mut args = vec!["export"];
        if all_versions {
            args.push("--all-versions");
        }
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "export: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut by_name = BTreeMap::new();
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let mut record: Value = serde_json::from_str(line).unwrap();
            if let Some(versions) = record["versions"].as_array_mut() {
                for v in versions {
                    v.as_object_mut().unwrap().remove("version_id");
                }
            }
            let name = record["name"].as_str().unwrap().to_owned();
            assert!(
                by_name.insert(name.clone(), record).is_none(),
                "{name} exported twice"
            );
        }
        by_name
    }

    /// Every secret's name in list order, paging through `secret list` (pending deletion
    /// included).
    #[track_caller]
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut args = vec!["secret", "list", "--limit", "1000"];
            if let Some(m) = &marker {
                args.extend(["--marker", m.as_str()]);
            }
            let page = self.ok(&args);
            for s in page["secrets"].as_array().unwrap() {
                names.push(s["name"].as_str().unwrap().to_owned());
            }
            match page["page_info"]["next_marker"].as_str() {
                Some(next) => marker = Some(next.to_owned()),
                None => return names,
            }
        }
    }

    /// `secret show NAME`'s record.
    #[track_caller]
    pub fn show(&self, name: &str) -> Value {
        self.ok(&["secret", "show", name])["secret"].clone()
    }

    /// The current value as `secret get-value` prints it: `secret_string` or `secret_binary`.
    #[track_caller]
    pub fn value(&self, name: &str) -> Value {
        let v = self.ok(&["secret", "get-value", name])["version"].clone();
        if v["secret_string"].is_string() {
            json!({"secret_string": v["secret_string"]})
        } else {
            json!({"secret_binary": v["secret_binary"]})
        }
    }

    /// `secret list-versions NAME`: (stages, `expire_time`) of each version, oldest first.
    #[track_caller]
    pub fn versions(&self, name: &str) -> Vec<(Vec<String>, Value)> {
        let got = self.ok(&["secret", "list-versions", name, "--limit", "1000"]);
        got["version_metadatas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let mut stages: Vec<String> = v["version_stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect();
                stages.sort();
                (stages, v["expire_time"].clone())
            })
            .collect()
    }

    /// `secret tags NAME` as (key, value), by key.
    #[track_caller]
    pub fn tags(&self, name: &str) -> Vec<(String, String)> {
        let got = self.ok(&["secret", "tags", name]);
        let mut tags: Vec<(String, String)> = got["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["key"].as_str().unwrap().to_owned(),
                    t["value"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        tags.sort();
        tags
    }

    /// `csvault remote add NAME --endpoint URL --project-id ID --access-key AK [--ca-file PEM]`
    /// with the SK in `CSVAULT_REMOTE_SK`.
    pub fn remote_add(&self, name: &str, remote: &Remote, sk: &str) -> Output {
        let mut cmd = self.cmd();
        cmd.args(["remote", "add", name, "--endpoint", &remote.endpoint])
            .args(["--project-id", &remote.project_id])
            .args(["--access-key", &remote.access_key])
            .env("CSVAULT_REMOTE_SK", sk);
        if let Some(ca) = &remote.ca_file {
            cmd.arg("--ca-file").arg(ca);
        }
        output(&mut cmd)
    }

    /// Adds `remote` as `name` with its right SK; the `RemoteInfo` printed.
    #[track_caller]
    pub fn add(&self, name: &str, remote: &Remote) -> Value {
        let out = self.remote_add(name, remote, &remote.secret_key);
        assert!(
            out.status.success(),
            "remote add: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// `csvault VERB REMOTE ARGS…` (`push`, `pull`, `sync`), its lines parsed.
    #[track_caller]
    pub fn sync(&self, verb: &str, remote: &str, args: &[&str]) -> Run {
        let out = output(self.cmd().arg(verb).arg(remote).args(args));
        Run::from(verb, &out)
    }

    /// The same, started and not waited for.
    pub fn spawn_sync(&self, verb: &str, remote: &str, args: &[&str]) -> Child {
        self.cmd()
            .arg(verb)
            .arg(remote)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// What a push, pull or sync printed.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    /// stdout's JSON Lines, one per secret.
    pub lines: Vec<Value>,
    pub stdout: String,
    pub stderr: String,
}

/// The keys of one line, exactly (docs: the command-line contract of issue 17).
const LINE_KEYS: [&str; 7] = ["action", "error", "name", "on", "reason", "status", "to"];
const ACTIONS: [&str; 8] = [
    "create",
    "new_version",
    "update_metadata",
    "up_to_date",
    "conflict",
    "skipped",
    "deleted",
    "delete",
];

impl Run {
    #[track_caller]
    pub fn from(verb: &str, out: &Output) -> Self {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{verb}: a stdout line is not JSON ({e}): {l}"))
            })
            .collect();
        for line in &lines {
            check_line(line);
        }
        let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
        assert!(
            names.windows(2).all(|w| w[0] < w[1]),
            "{verb}: lines not in name order, or a name twice"
        );
        Self {
            code: out.status.code(),
            lines,
            stdout,
            stderr,
        }
    }

    /// A clean run: exit 0, a line per secret, one summary line on stderr.
    #[track_caller]
    pub fn clean(self) -> Self {
        assert_eq!(self.code, Some(0), "not a clean run:\n{}", self.describe());
        self.summary_line();
        self
    }

    /// The one-line summary on stderr (not a JSON error).
    #[track_caller]
    pub fn summary_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "one summary line on stderr: {}",
            self.stderr
        );
        lines[0]
    }

    /// The fatal error: exit 1, `{"error_code","error_msg"}` on stderr; its code.
    #[track_caller]
    pub fn fatal(&self) -> String {
        assert_eq!(self.code, Some(1), "{}", self.describe());
        let errors: Vec<Value> = self
            .stderr
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v.get("error_code").is_some())
            .collect();
        assert_eq!(errors.len(), 1, "one error on stderr: {}", self.describe());
        let keys: Vec<&String> = errors[0].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error_code", "error_msg"], "{}", errors[0]);
        assert!(
            !errors[0]["error_msg"].as_str().unwrap().is_empty(),
            "{}",
            errors[0]
        );
        assert!(
            !self.lines.iter().any(|l| l["status"] == "done"),
            "a fatal run did something: {}",
            self.describe()
        );
        errors[0]["error_code"].as_str().unwrap().to_owned()
    }

    /// The line of `name`.
    #[track_caller]
    pub fn line(&self, name: &str) -> &Value {
        self.lines
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("no line for {name}: {}", self.describe()))
    }

    /// (action, to, on, status) of `name`'s line, `-` for null.
    #[track_caller]
    pub fn of(&self, name: &str) -> (String, String, String, String) {
        let l = self.line(name);
        let s = |k: &str| l[k].as_str().unwrap_or("-").to_owned();
        (s("action"), s("to"), s("on"), s("status"))
    }

    /// How many lines have this action and status.
    pub fn count(&self, action: &str, status: &str) -> usize {
        self.lines
            .iter()
            .filter(|l| l["action"] == action && l["status"] == status)
            .count()
    }

    /// Every line has this action and status.
    #[track_caller]
    pub fn all(&self, action: &str, status: &str) {
        for l in &self.lines {
            assert!(
                l["action"] == action && l["status"] == status,
                "expected every line {action}/{status}, got {l}"
            );
        }
    }

    pub fn describe(&self) -> String {
        let mut head: String = self.stdout.lines().take(20).collect::<Vec<_>>().join("\n");
        if self.lines.len() > 20 {
            write!(head, "\n… ({} lines)", self.lines.len()).unwrap();
        }
        format!(
            "exit {:?}\nstdout:\n{head}\nstderr:\n{}",
            self.code, self.stderr
        )
    }
}

/// One stdout line of a push, pull or sync against the contract: exactly its keys, `to` set for
/// `create`/`new_version`/`update_metadata`, `on` for `deleted`/`delete`, `error` exactly when failed.
#[track_caller]
pub fn check_line(line: &Value) {
    let obj = line
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {line}"));
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, LINE_KEYS, "line keys: {line}");
    let action = line["action"].as_str().unwrap_or_default();
    assert!(ACTIONS.contains(&action), "action: {line}");
    let side = |v: &Value| v.is_null() || v == "local" || v == "remote";
    assert!(side(&line["to"]) && side(&line["on"]), "to/on: {line}");
    assert_eq!(
        !line["to"].is_null(),
        matches!(action, "create" | "new_version" | "update_metadata"),
        "`to` is set for create/new_version/update_metadata only: {line}"
    );
    assert_eq!(
        !line["on"].is_null(),
        matches!(action, "deleted" | "delete"),
        "`on` is set for deleted/delete only: {line}"
    );
    let status = line["status"].as_str().unwrap_or_default();
    assert!(
        ["planned", "done", "failed"].contains(&status),
        "status: {line}"
    );
    assert!(
        line["reason"].is_null() || line["reason"].is_string(),
        "{line}"
    );
    if matches!(action, "conflict" | "skipped" | "deleted") {
        assert!(line["reason"].is_string(), "a {action} says why: {line}");
    }
    if status == "failed" {
        let e = &line["error"];
        assert!(
            e["error_code"].is_string() && e["error_msg"].is_string(),
            "a failed line carries its error: {line}"
        );
    } else {
        assert!(line["error"].is_null(), "{line}");
    }
}

/// A self-signed certificate for 127.0.0.1 (`cert.pem`, `key.pem` in `dir`), made by the README's
/// recipe for `serve --tls-cert` (as tests/sdk makes it); `None` (skipped) without `openssl`.
/// OpenSSL 3 marks such a certificate `CA:TRUE`: `remote add --ca-file` with the server's own
/// certificate must work with it all the same, as the README's `remote add desk` example has it.
pub fn certificate(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if !have("openssl", "the TLS certificate of `serve`") {
        return None;
    }
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((cert, key))
}

/// How to reach a served vault: what `remote add` needs.
#[derive(Clone, Debug)]
pub struct Remote {
    pub endpoint: String,
    pub project_id: String,
    pub access_key: String,
    pub secret_key: String,
    pub ca_file: Option<PathBuf>,
}

/// A running `csvault serve` on a vault; killed when dropped.
pub struct Served {
    pub child: Child,
    /// `https://127.0.0.1:PORT` (or `http://…` without TLS).
    pub listening: String,
    pub port: u16,
    /// Everything it wrote on stderr so far (its request log).
    log: Arc<Mutex<String>>,
}

/// How to start `serve`: TLS files, a fixed port, a command to run it under (`faketime …`).
#[derive(Default)]
pub struct ServeOptions<'a> {
    pub tls: Option<(&'a Path, &'a Path)>,
    /// 0: any free port.
    pub port: u16,
    pub wrapper: &'a [&'a str],
    pub env: &'a [(&'a str, &'a str)],
}

impl Served {
    /// `csvault --vault V serve --listen 127.0.0.1:PORT [--tls-cert --tls-key]`, with the pair
    /// kept in the vault; waits for its first line. A fixed port that is still taken (just freed
    /// by a killed server) is tried again for a few seconds.
    #[track_caller]
    pub fn start(vault: &Vault, opts: &ServeOptions<'_>) -> Self {
        let started = Instant::now();
        loop {
            match Self::try_start(vault, opts) {
                Ok(served) => return served,
                Err(why) if opts.port != 0 && started.elapsed() < Duration::from_secs(20) => {
                    eprintln!("serve did not start yet ({why}); again");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(why) => panic!("serve did not start: {why}"),
            }
        }
    }

    fn try_start(vault: &Vault, opts: &ServeOptions<'_>) -> Result<Self, String> {
        let mut cmd = match opts.wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(bin());
                c
            }
            None => Command::new(bin()),
        };
        let inner = vault.cmd();
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd.args(inner.get_args())
            .arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", opts.port));
        if let Some((cert, key)) = opts.tls {
            cmd.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
        }
        for (k, v) in opts.env {
            cmd.env(k, v);
        }
        // A group of its own: a wrapper (`faketime`) runs the server as its child, and both go
        // when the group is killed.
        let mut child = cmd
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .map_err(|e| e.to_string())?;
        let hello: Value = match serde_json::from_str(&first) {
            Ok(v) => v,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                return Err(format!(
                    "first line {first:?} ({e}); stderr: {}",
                    log.lock().unwrap()
                ));
            }
        };
        let listening = hello["listening"].as_str().unwrap().to_owned();
        let port = listening.rsplit(':').next().unwrap().parse().unwrap();
        Ok(Self {
            child,
            listening,
            port,
            log,
        })
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// How many log lines are successful requests of `method` on a path ending in `suffix`
    /// (`POST` `/secrets`: `CreateSecret`; `POST` `/versions`: `CreateSecretVersion`).
    pub fn logged(&self, method: &str, suffix: &str) -> usize {
        self.log()
            .lines()
            .filter(|l| {
                let mut words = l.split(' ').skip(1);
                words.next() == Some(method)
                    && words
                        .next()
                        .is_some_and(|p| p.trim_end_matches('/').ends_with(suffix))
                    && words.next() == Some("200")
            })
            .count()
    }

    /// SIGKILL to it and its wrapper (its process group), and wait for it.
    pub fn kill(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, and its exit code.
    pub fn stop(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        None
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The pair and project `serve --show-credentials` prints for `vault` (made on first use).
#[track_caller]
pub fn credentials(vault: &Vault) -> (String, String, String) {
    let c = vault.ok(&["serve", "--show-credentials"]);
    let s = |k: &str| c[k].as_str().unwrap().to_owned();
    (s("access_key"), s("secret_key"), s("project_id"))
}

/// `vault` served over TLS on a free loopback port (or `port`), and how to reach it.
#[track_caller]
pub fn serve_tls(vault: &Vault, cert: &Path, key: &Path, port: u16) -> (Served, Remote) {
    let (access_key, secret_key, project_id) = credentials(vault);
    let served = Served::start(
        vault,
        &ServeOptions {
            tls: Some((cert, key)),
            port,
            ..ServeOptions::default()
        },
    );
    assert!(
        served.listening.starts_with("https://127.0.0.1:"),
        "{}",
        served.listening
    );
    let remote = Remote {
        endpoint: served.listening.clone(),
        project_id,
        access_key,
        secret_key,
        ca_file: Some(cert.to_owned()),
    };
    (served, remote)
}

/// Two vaults, B served over TLS with a self-signed certificate and added to A as remote `b`
/// with `--ca-file`; `None` (skipped) without `openssl`.
pub struct Pair {
    pub a: Vault,
    pub b: Vault,
    pub served: Served,
    pub remote: Remote,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Pair {
    #[track_caller]
    pub fn new() -> Option<Self> {
        let a = Vault::new();
        let b = Vault::new();
        let (cert, key) = certificate(b.dir.path())?;
        let (served, remote) = serve_tls(&b, &cert, &key, 0);
        let info = a.add("b", &remote);
        assert_eq!(info["name"], "b", "{info}");
        Some(Self {
            a,
            b,
            served,
            remote,
            cert,
            key,
        })
    }
}

/// `n` Create Secret records `PREFIX-0000`…: text values (some unicode), every 7th binary, a
/// description on every other, a tag or two.
pub fn records(prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let name = format!("{prefix}-{i:04}");
            let mut r = json!({"name": name});
            if i % 7 == 3 {
                let bytes: Vec<u8> = (0..64)
                    .map(|j| u8::try_from((i * 31 + j * 7) % 256).unwrap())
                    .collect();
                r["secret_binary"] = Value::String(b64(&bytes));
            } else if i % 11 == 5 {
                r["secret_string"] = Value::String(format!("密码 {i} 🔑 ünïcödé"));
            } else {
                r["secret_string"] = Value::String(format!("value-{i}-{}", i * 7919 % 10007));
            }
            if i % 2 == 0 {
                r["description"] = Value::String(format!("description of {name}"));
            }
            let mut tags =
                vec![json!({"key": "env", "value": if i % 3 == 0 { "prod" } else { "dev" }})];
            if i % 5 == 0 {
                tags.push(json!({"key": "team", "value": format!("t{}", i % 4)}));
            }
            r["tags"] = Value::Array(tags);
            r
        })
        .collect()
}

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Waits until `ready()` or `limit` passes; whether it became ready.
pub fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ready()
}

/// `got` holds exactly `want`'s secrets, records equal.
#[track_caller]
pub fn assert_same(what: &str, got: &BTreeMap<String, Value>, want: &BTreeMap<String, Value>) {
    let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{what}: missing {} (first {:?}), extra {} (first {:?})",
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
    let differ: Vec<&String> = want.keys().filter(|k| got[*k] != want[*k]).collect();
    if let Some(first) = differ.first() {
        panic!(
            "{what}: {} secrets differ; the first, {first}:\n  got  {}\n  want {}",
            differ.len(),
            got[*first],
            want[*first]
        );
    }
}
