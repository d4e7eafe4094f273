//! The agent's side: holds one unlocked vault, listens on its socket, answers connections of
//! the same uid (a thread each, many operations per connection), runs the vault's housekeeping
//! about every minute, and locks (wipes the keys, removes its socket, ends) when idle, at its
//! maximum lifetime, on `csvault lock`, on SIGTERM/SIGINT/SIGHUP, or when its socket or its
//! vault file is no longer where it was.

use std::ffi::OsString;
use std::io;
use std::ops::RangeInclusive;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::socket;
use super::wire::{self, AgentInfo, FromAgent, Started, ToAgent};
use crate::csms::op::{Execute, Request};
use crate::csms::{ApiError, ErrorCode};
use crate::vault::Vault;

/// `CSVAULT_AGENT_IDLE_SECS`: the agent locks this long after the last request (default 900).
pub const IDLE_ENV: &str = "CSVAULT_AGENT_IDLE_SECS";
/// `CSVAULT_AGENT_MAX_SECS`: the agent locks this long after unlocking, whatever comes (default
/// 28,800: 8 h).
pub const MAX_ENV: &str = "CSVAULT_AGENT_MAX_SECS";
pub const DEFAULT_IDLE_SECS: u64 = 900;
pub const DEFAULT_MAX_SECS: u64 = 28_800;
/// What `CSVAULT_AGENT_IDLE_SECS` may be: 1 s to 1 day.
pub const IDLE_SECS: RangeInclusive<u64> = 1..=86_400;
/// What `CSVAULT_AGENT_MAX_SECS` may be: 1 s to 7 days.
pub const MAX_SECS: RangeInclusive<u64> = 1..=604_800;
/// The most connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 64;
/// How often the agent looks at its clocks, signals, socket and vault file.
const TICK: Duration = Duration::from_millis(200);
/// How many ticks running the vault file may be unreadable as a vault (a copy over it under
/// way) before the agent locks.
const UNREADABLE_TICKS: u32 = 10;
/// How often the vault does what has come due, as `serve` does.
const HOUSEKEEPING_EVERY: Duration = Duration::from_mins(1);

/// When the agent locks: after `idle` without a request, and at `max` after unlocking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub idle: Duration,
    pub max: Duration,
}

impl Limits {
    /// The limits from `CSVAULT_AGENT_IDLE_SECS` and `CSVAULT_AGENT_MAX_SECS`.
    ///
    /// Errors: `VAULT.0008` for a value that is not a whole number of seconds in range.
    pub fn from_env() -> Result<Self, ApiError> {
        Ok(Self {
            idle: secs(
                IDLE_ENV,
                std::env::var_os(IDLE_ENV),
                DEFAULT_IDLE_SECS,
                IDLE_SECS,
            )?,
            max: secs(
                MAX_ENV,
                std::env::var_os(MAX_ENV),
                DEFAULT_MAX_SECS,
                MAX_SECS,
            )?,
        })
    }
}

/// A number of seconds from the environment: `default` when unset.
fn secs(
    name: &str,
    value: Option<OsString>,
    default: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ApiError> {
    let Some(value) = value else {
        return Ok(Duration::from_secs(default));
    };
    let parsed = value
        .to_str()
        .filter(|v| !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|v| range.contains(v));
    parsed.map(Duration::from_secs).ok_or_else(|| {
        ApiError::new(
            ErrorCode::Usage,
            format!(
                "{name} must be a whole number of seconds from {} to {}.",
                range.start(),
                range.end()
            ),
        )
    })
}

/// Now, in ms since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

struct Shared {
    /// `None` once locked: the keys are wiped when the vault drops.
    vault: Mutex<Option<Vault>>,
    info: AgentInfo,
    idle_ms: i64,
    last_request: AtomicI64,
    /// The vault file's canonical path as the OS has it (`info.vault` is only its display).
    canonical: PathBuf,
    socket: PathBuf,
    socket_file: (u64, u64),
    connections: AtomicUsize,
}

impl Shared {
    fn info(&self) -> AgentInfo {
        AgentInfo {
            idle_locks_at: self
                .last_request
                .load(Ordering::Relaxed)
                .saturating_add(self.idle_ms)
                .min(self.info.locks_at),
            ..self.info.clone()
        }
    }

    /// Wipes the keys (waiting for an operation in flight), removes the socket if it is still
    /// ours, and ends the process.
    fn lock_and_exit(&self) -> ! {
        let vault = self
            .vault
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(vault);
        if file_id(&self.socket).ok() == Some(self.socket_file) {
            let _ = std::fs::remove_file(&self.socket);
        }
        std::process::exit(0)
    }
}

fn file_id(path: &Path) -> io::Result<(u64, u64)> {
    let meta = std::fs::symlink_metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// Serves `vault` (already unlocked, at `canonical`) on `socket_path` until it locks; never
/// returns once ready. `report` is told once: ready (with who holds what, until when) or why
/// not.
///
/// Errors (also reported): the socket cannot be bound (another agent took the path first) or
/// looked at; the vault file cannot be looked at.
pub fn run(
    vault: Vault,
    canonical: &Path,
    socket_path: &Path,
    limits: Limits,
    report: impl FnOnce(&Started),
) -> Result<(), ApiError> {
    let bound = bind(&vault, canonical, socket_path, limits);
    let (listener, shared) = match bound {
        Ok(bound) => bound,
        Err(e) => {
            report(&Started::Failed(e.clone()));
            return Err(e);
        }
    };
    let shared = Arc::new(shared);
    *shared.vault.lock().unwrap_or_else(PoisonError::into_inner) = Some(vault);
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| ApiError::new(ErrorCode::Io, format!("Signals: {e}")))?;
    }
    report(&Started::Ready(shared.info()));
    let watcher = Arc::clone(&shared);
    std::thread::spawn(move || watch(&watcher, &stop));
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            std::thread::sleep(TICK);
            continue;
        };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let conn_shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            serve_connection(stream, &conn_shared);
            conn_shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    shared.lock_and_exit()
}

fn bind(
    vault: &Vault,
    canonical: &Path,
    socket_path: &Path,
    limits: Limits,
) -> Result<(UnixListener, Shared), ApiError> {
    let io_error = |what: &str, e: &io::Error| ApiError::new(ErrorCode::Io, format!("{what}: {e}"));
    let vault_file =
        std::fs::metadata(canonical).map_err(|e| io_error(&canonical.display().to_string(), &e))?;
    let listener = UnixListener::bind(socket_path).map_err(|e| {
        if e.kind() == io::ErrorKind::AddrInUse {
            socket::refused(socket_path, "another agent took this path first")
        } else {
            io_error(&socket_path.display().to_string(), &e)
        }
    })?;
    std::fs::set_permissions(socket_path, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| io_error(&socket_path.display().to_string(), &e))?;
    let socket_file =
        file_id(socket_path).map_err(|e| io_error(&socket_path.display().to_string(), &e))?;
    let now = now_ms();
    let info = AgentInfo {
        vault: canonical.display().to_string(),
        vault_id: vault.vault_id().to_owned(),
        pid: std::process::id(),
        unlocked_at: now,
        idle_locks_at: now.saturating_add(ms(limits.idle)),
        locks_at: now.saturating_add(ms(limits.max)),
        file: (vault_file.dev(), vault_file.ino()),
    };
    Ok((
        listener,
        Shared {
            vault: Mutex::new(None),
            info,
            idle_ms: ms(limits.idle),
            last_request: AtomicI64::new(now),
            canonical: canonical.to_owned(),
            socket: socket_path.to_owned(),
            socket_file,
            connections: AtomicUsize::new(0),
        },
    ))
}

/// The agent's clock: locks on a signal, when idle, at the maximum lifetime, or when its socket
/// or vault file is gone or replaced; runs the housekeeping about every minute.
fn watch(shared: &Shared, stop: &AtomicBool) {
    let mut housekept = std::time::Instant::now();
    let mut unreadable = 0_u32;
    loop {
        std::thread::sleep(TICK);
        let now = now_ms();
        let info = shared.info();
        let socket_gone = file_id(&shared.socket).ok() != Some(shared.socket_file);
        let vault_gone = std::fs::metadata(&shared.canonical)
            .map(|m| (m.dev(), m.ino()))
            .ok()
            != Some(info.file);
        // Another vault's bytes copied over the file in place keep its inode, not its id; a
        // file that cannot be read a few ticks running (not a vault any more) locks too.
        unreadable = match Vault::id_in_file(&shared.canonical) {
            Some(id) if id == info.vault_id => 0,
            Some(_) => UNREADABLE_TICKS,
            None => unreadable.saturating_add(1),
        };
        if stop.load(Ordering::SeqCst)
            || now >= info.idle_locks_at
            || now >= info.locks_at
            || socket_gone
            || vault_gone
            || unreadable >= UNREADABLE_TICKS
        {
            shared.lock_and_exit();
        }
        if housekept.elapsed() >= HOUSEKEEPING_EVERY {
            housekept = std::time::Instant::now();
            let guard = shared.vault.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(vault) = guard.as_ref() {
                let _ = Execute::execute(vault, &Request::Housekeeping);
            }
        }
    }
}

fn serve_connection(mut stream: UnixStream, shared: &Shared) {
    let own = socket::own_uid();
    let allowed = socket::peer_uid(&stream)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("peer credentials: {e}")))
        .and_then(|peer| socket::peer_allowed(peer, own));
    if let Err(e) = allowed {
        let _ = wire::write(&mut stream, &FromAgent::Refused(e));
        return;
    }
    loop {
        let msg = match wire::read::<ToAgent>(&mut stream) {
            Ok(Some(msg)) => msg,
            Ok(None) => return,
            Err(e) => {
                let refusal = ApiError::new(ErrorCode::Io, format!("The agent refused: {e}."));
                let _ = wire::write(&mut stream, &FromAgent::Refused(refusal));
                return;
            }
        };
        let answer = match msg {
            ToAgent::Hello => FromAgent::Hello(shared.info()),
            ToAgent::Execute(request) => {
                // The housekeeping the terminal app asks for is no one's request.
                if !matches!(*request, Request::Housekeeping) {
                    shared.last_request.store(now_ms(), Ordering::Relaxed);
                }
                let guard = shared.vault.lock().unwrap_or_else(PoisonError::into_inner);
                match guard.as_ref().map(|v| Execute::execute(v, &request)) {
                    Some(Ok(response)) => FromAgent::Answer(response),
                    Some(Err(e)) => FromAgent::Refused(e),
                    None => FromAgent::Refused(locked()),
                }
            }
            ToAgent::DataVersion => {
                let guard = shared.vault.lock().unwrap_or_else(PoisonError::into_inner);
                match guard.as_ref().map(Vault::data_version) {
                    Some(Ok(v)) => FromAgent::DataVersion(v),
                    Some(Err(e)) => FromAgent::Refused(e.to_api()),
                    None => FromAgent::Refused(locked()),
                }
            }
            ToAgent::Lock => {
                let _ = wire::write(&mut stream, &FromAgent::Locked);
                shared.lock_and_exit();
            }
        };
        if wire::write(&mut stream, &answer).is_err() {
            return;
        }
    }
}

fn locked() -> ApiError {
    ApiError::new(ErrorCode::Io, "The agent has locked the vault.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_whole_seconds_in_range() {
        let get = |v: Option<&str>| secs(IDLE_ENV, v.map(OsString::from), 900, IDLE_SECS);
        assert_eq!(get(None), Ok(Duration::from_mins(15)));
        assert_eq!(get(Some("1")), Ok(Duration::from_secs(1)));
        assert_eq!(get(Some("86400")), Ok(Duration::from_hours(24)));
        for bad in [
            "0",
            "86401",
            "",
            "-5",
            "1.5",
            " 10",
            "ten",
            "99999999999999999999999",
        ] {
            let e = get(Some(bad)).err().map(|e| (e.code, e.error_msg));
            assert_eq!(
                e,
                Some((
                    ErrorCode::Usage,
                    "CSVAULT_AGENT_IDLE_SECS must be a whole number of seconds from 1 to 86400."
                        .to_owned()
                )),
                "{bad:?}"
            );
        }
    }
}
