//! The agent's commands: `unlock` (starts the agent process, the passphrase on a pipe),
//! `lock`, `agent status`, and the hidden `__agent` that the agent process runs.

use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use super::passphrase::{
    MAX_PASSPHRASE_BYTES, NEW_PASSPHRASE_ENV, PASSPHRASE_ENV, PassphraseSource,
};
use super::serve::SECRET_KEY_ENV;
use crate::agent::{self, AgentInfo, Limits, Probe, Started};
use crate::cli;
use crate::csms::{ApiError, ErrorCode};
use crate::input::read_bounded;
use crate::vault::Vault;

/// The most the agent process may say on its way up (one JSON line).
const MAX_STARTED_BYTES: u64 = 64 * 1024;
/// How long `unlock` waits for the agent process to say it holds the vault (or why not).
const STARTED_TIMEOUT: Duration = Duration::from_mins(2);

/// `csvault unlock`: starts an agent holding the vault at `path`, or says one already does.
///
/// Errors: a bad `CSVAULT_AGENT_IDLE_SECS`/`CSVAULT_AGENT_MAX_SECS` (`VAULT.0008`); no vault
/// there; no passphrase; what the agent process answered (a wrong passphrase: `VAULT.0002`,
/// and nothing keeps running); something foreign at the socket path (`VAULT.0007`).
pub fn unlock(path: &Path, source: &PassphraseSource) -> Result<ExitCode, ApiError> {
    let limits = Limits::from_env()?;
    if !Vault::probe(path)? {
        return Err(Vault::missing(path).to_api());
    }
    let Some((socket, canonical)) = agent::locate(path, true)? else {
        return Err(Vault::missing(path).to_api());
    };
    match agent::probe_at(&socket, &canonical)? {
        Probe::Live(client) => {
            cli::print_warning(
                &json!({"warning": "An agent already holds this vault; none was started."}),
            );
            print_unlocked(client.info())?;
            return Ok(ExitCode::SUCCESS);
        }
        Probe::Stale(stale) => remove_stale(&stale)?,
        Probe::Absent => {}
    }
    // A wrong passphrase ends the agent process at once; asked, it may be typed again.
    let info = source.unlock(|passphrase| start_agent(&canonical, limits, passphrase))?;
    print_unlocked(&info)?;
    Ok(ExitCode::SUCCESS)
}

/// Starts the agent process on `canonical` with `passphrase` on its stdin, and waits for it to
/// say it holds the vault (its record) or why not (a wrong passphrase: `VAULT.0002`, and it has
/// ended).
fn start_agent(canonical: &Path, limits: Limits, passphrase: &[u8]) -> Result<AgentInfo, ApiError> {
    let exe = std::env::current_exe()
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("This program's path: {e}")))?;
    let mut child = Command::new(exe)
        .arg("--vault")
        .arg(canonical)
        .arg("__agent")
        .arg("--idle-secs")
        .arg(limits.idle.as_secs().to_string())
        .arg("--max-secs")
        .arg(limits.max.as_secs().to_string())
        // The agent reads the passphrase on its stdin; it keeps no copy in its environment.
        .env_remove(PASSPHRASE_ENV)
        .env_remove(NEW_PASSPHRASE_ENV)
        .env_remove(SECRET_KEY_ENV)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("The agent could not start: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // An agent that ended early closed its end: what it says next explains why.
        let _ = stdin.write_all(passphrase);
    }
    let started = child
        .stdout
        .take()
        .ok_or_else(|| not_started("no pipe"))
        .and_then(read_started);
    match started {
        Ok(Started::Ready(info)) => Ok(info),
        Ok(Started::Failed(e)) => {
            let _ = child.wait();
            Err(e)
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(e)
        }
    }
}

/// What the agent process says on its way up, waited for at most [`STARTED_TIMEOUT`] (the key
/// derivation takes seconds; an agent silent past that is taken as stuck, and killed).
fn read_started(stdout: std::process::ChildStdout) -> Result<Started, ApiError> {
    read_started_within(stdout, STARTED_TIMEOUT)
}

fn read_started_within(
    stdout: impl Read + Send + 'static,
    within: Duration,
) -> Result<Started, ApiError> {
    let (tx, rx) = std::sync::mpsc::channel();
    // The reader ends when the pipe does: once the process is killed, if not before.
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout.take(MAX_STARTED_BYTES))
            .read_line(&mut line)
            .map(|_| line);
        let _ = tx.send(read);
    });
    let line = match rx.recv_timeout(within) {
        Ok(read) => read.map_err(|e| not_started(&e.to_string()))?,
        Err(_) => {
            return Err(not_started(&format!(
                "it said nothing within {} s",
                within.as_secs()
            )));
        }
    };
    serde_json::from_str(&line).map_err(|_| not_started("it ended without saying why"))
}

fn not_started(why: &str) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("The agent did not start: {why}."))
}

fn remove_stale(socket: &Path) -> Result<(), ApiError> {
    match std::fs::remove_file(socket) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ApiError::new(
            ErrorCode::Io,
            format!("The stale agent socket {}: {e}", socket.display()),
        )),
    }
}

fn print_unlocked(info: &AgentInfo) -> Result<(), ApiError> {
    cli::print_json(&json!({
        "unlocked": true,
        "vault": info.vault,
        "vault_id": info.vault_id,
        "pid": info.pid,
        "idle_locks_at": info.idle_locks_at,
        "locks_at": info.locks_at,
    }))
}

/// The path an answer names: the canonical one when it resolves.
fn shown(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}

/// `csvault lock`: `{"locked": true|false, "vault"}`.
///
/// Errors: something foreign at the socket path; an agent that did not confirm.
pub fn lock(path: &Path) -> Result<ExitCode, ApiError> {
    let locked = match agent::probe(path)? {
        Probe::Live(client) => {
            client.lock()?;
            true
        }
        Probe::Stale(stale) => {
            remove_stale(&stale)?;
            false
        }
        Probe::Absent => false,
    };
    cli::print_json(&json!({"locked": locked, "vault": shown(path)}))?;
    Ok(ExitCode::SUCCESS)
}

/// `csvault agent status`.
///
/// Errors: something foreign at the socket path.
pub fn status(path: &Path) -> Result<ExitCode, ApiError> {
    let body = match agent::probe(path)? {
        Probe::Live(client) => {
            let info = client.info();
            json!({
                "running": true,
                "vault": info.vault,
                "vault_id": info.vault_id,
                "pid": info.pid,
                "unlocked_at": info.unlocked_at,
                "idle_locks_at": info.idle_locks_at,
                "locks_at": info.locks_at,
            })
        }
        Probe::Stale(_) | Probe::Absent => json!({"running": false, "vault": shown(path)}),
    };
    cli::print_json(&body)?;
    Ok(ExitCode::SUCCESS)
}

/// The agent process (`csvault __agent`, started by `unlock`): a session of its own, the
/// passphrase from stdin, one unlock, then it serves until it locks. What became of the unlock
/// goes to stdout as one [`Started`] line; then stdin and stdout point at /dev/null (stderr
/// already does).
pub fn agent_process(path: &Path, idle_secs: u64, max_secs: u64) -> ExitCode {
    // Not a group leader (unlock does not make one), so this cannot fail but for an odd parent.
    let _ = rustix::process::setsid();
    let reported = std::cell::Cell::new(false);
    let report = |started: &Started| {
        reported.set(true);
        if let Ok(mut line) = serde_json::to_string(started) {
            line.push('\n');
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(line.as_bytes());
            let _ = out.flush();
        }
        detach_stdio();
    };
    match start(path, idle_secs, max_secs, &report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !reported.get() {
                report(&Started::Failed(e));
            }
            ExitCode::FAILURE
        }
    }
}

fn start(
    path: &Path,
    idle_secs: u64,
    max_secs: u64,
    report: &dyn Fn(&Started),
) -> Result<(), ApiError> {
    if !agent::IDLE_SECS.contains(&idle_secs) || !agent::MAX_SECS.contains(&max_secs) {
        return Err(ApiError::new(
            ErrorCode::Usage,
            "The agent's limits are out of range.",
        ));
    }
    let limits = Limits {
        idle: Duration::from_secs(idle_secs),
        max: Duration::from_secs(max_secs),
    };
    let passphrase = read_bounded(Path::new("-"), MAX_PASSPHRASE_BYTES).map_err(|_| {
        ApiError::new(
            ErrorCode::NoPassphrase,
            "The agent read no passphrase on its stdin.",
        )
    })?;
    let (socket, canonical): (PathBuf, PathBuf) =
        agent::locate(path, true)?.ok_or_else(|| Vault::missing(path).to_api())?;
    let vault = Vault::open(&canonical, &passphrase)?;
    drop(passphrase);
    agent::run(vault, &canonical, &socket, limits, |s| report(s))
}

/// Points stdin and stdout at /dev/null: the pipes `unlock` read end with it.
fn detach_stdio() {
    if let Ok(null) = std::fs::File::open("/dev/null") {
        let _ = rustix::stdio::dup2_stdin(&null);
    }
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}
