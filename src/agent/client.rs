//! The client's side: finds the agent holding a vault (checking the socket file, the peer's uid
//! and the handshake's vault before trusting it), and runs operations through it. It opens no
//! SQLite, derives no key and starts no runtime: a command through the agent costs a connect
//! and a round trip.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::socket::{self, AtPath};
use super::wire::{self, AgentInfo, FromAgent, ToAgentRef};
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode};

/// How long a handshake may take before the agent is taken as not answering.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request may take before the agent is taken as wedged: generous, as the health
/// report on a large vault is slow.
const REQUEST_TIMEOUT: Duration = Duration::from_mins(10);

/// A connection to the agent holding a vault. One operation at a time (the connection is
/// shared behind a lock); the terminal app keeps one open.
pub struct Client {
    stream: Mutex<UnixStream>,
    info: AgentInfo,
}

/// What is at a vault's agent socket.
pub enum Probe {
    /// No socket: no agent.
    Absent,
    /// A socket nobody listens on (a killed agent's): no agent; `unlock` removes it.
    Stale(PathBuf),
    Live(Client),
}

/// Where a vault's agent listens (or would), and the vault's canonical path; `None` when the
/// vault path does not resolve (nothing there: no agent can hold it), or, unless `make` (the
/// agent's own start), when the private runtime directory does not exist (no agent listens).
///
/// Errors: the private runtime directory cannot be used (`VAULT.0007`).
pub fn locate(vault: &Path, make: bool) -> Result<Option<(PathBuf, PathBuf)>, ApiError> {
    let Ok(canonical) = std::fs::canonicalize(vault) else {
        return Ok(None);
    };
    let dir = if make {
        crate::runtime_dir::private_dir()?
    } else {
        match crate::runtime_dir::existing_private_dir()? {
            Some(dir) => dir,
            None => return Ok(None),
        }
    };
    Ok(Some((socket::socket_path(&dir, &canonical), canonical)))
}

/// [`locate`] for looking only: a private runtime directory that cannot be used (another user
/// made `/tmp/csvault-UID` first, a mode 0755 one) means no agent, said in one warning line on
/// stderr when `warn`; only `unlock` refuses it.
fn locate_to_look(vault: &Path, warn: bool) -> Option<(PathBuf, PathBuf)> {
    match locate(vault, false) {
        Ok(found) => found,
        Err(e) => {
            if warn {
                crate::cli::print_warning(&serde_json::json!({
                    "warning": format!("{} No agent is looked for.", e.error_msg),
                }));
            }
            None
        }
    }
}

/// Looks for the agent holding `vault`.
///
/// Errors (`VAULT.0007`, never trusted): something at the socket path that is not this user's
/// socket; a peer of another uid; an agent that says it holds another vault or another file at
/// this path; an agent that does not answer its handshake.
pub fn probe(vault: &Path) -> Result<Probe, ApiError> {
    probe_warning(vault, true)
}

fn probe_warning(vault: &Path, warn: bool) -> Result<Probe, ApiError> {
    let Some((path, canonical)) = locate_to_look(vault, warn) else {
        return Ok(Probe::Absent);
    };
    probe_at(&path, &canonical)
}

/// [`probe`] at a known socket path.
pub fn probe_at(path: &Path, canonical: &Path) -> Result<Probe, ApiError> {
    let own = socket::own_uid();
    if socket::look(path, own)? == AtPath::Nothing {
        return Ok(Probe::Absent);
    }
    let stream = match UnixStream::connect(path) {
        Ok(stream) => stream,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            return Ok(Probe::Stale(path.to_owned()));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Probe::Absent),
        Err(e) => return Err(socket::refused(path, &e.to_string())),
    };
    let peer = socket::peer_uid(&stream).map_err(|e| socket::refused(path, &e.to_string()))?;
    socket::peer_allowed(peer, own)?;
    let info = hello(&stream).map_err(|e| socket::refused(path, &e.to_string()))?;
    check_vault(&info, canonical).map_err(|why| socket::refused(path, &why))?;
    Ok(Probe::Live(Client {
        stream: Mutex::new(stream),
        info,
    }))
}

/// The agent holding `vault`, if one answers (a stale socket is no agent).
///
/// Errors: as [`probe`].
pub fn find(vault: &Path) -> Result<Option<Client>, ApiError> {
    Ok(match probe(vault)? {
        Probe::Live(client) => Some(client),
        Probe::Absent | Probe::Stale(_) => None,
    })
}

/// [`find`] saying nothing on stderr (completion: a shell's TAB stays quiet).
///
/// Errors: as [`probe`].
pub fn find_quietly(vault: &Path) -> Result<Option<Client>, ApiError> {
    Ok(match probe_warning(vault, false)? {
        Probe::Live(client) => Some(client),
        Probe::Absent | Probe::Stale(_) => None,
    })
}

fn hello(mut stream: &UnixStream) -> io::Result<AgentInfo> {
    stream.set_read_timeout(Some(HELLO_TIMEOUT))?;
    wire::write(&mut stream, &ToAgentRef::Hello)?;
    let answer = wire::read::<FromAgent>(&mut stream)?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    match answer {
        Some(FromAgent::Hello(info)) => Ok(info),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "it did not answer the handshake",
        )),
    }
}

/// Whether the agent holds this vault: the same canonical path, and the same file there now
/// (device and inode), so a vault replaced at the path is not served with the old one's keys.
fn check_vault(info: &AgentInfo, canonical: &Path) -> Result<(), String> {
    // As the agent wrote it (a path that is not UTF-8 is shown lossily on both sides).
    if info.vault != canonical.display().to_string() {
        return Err(format!("it holds another vault, {}", info.vault));
    }
    let meta = std::fs::metadata(canonical).map_err(|e| e.to_string())?;
    if (meta.dev(), meta.ino()) != info.file {
        return Err("it holds a vault file no longer at this path".into());
    }
    Ok(())
}

impl Client {
    /// Who holds the vault, and when it locks (as its handshake said).
    pub fn info(&self) -> &AgentInfo {
        &self.info
    }

    fn call(&self, msg: &ToAgentRef<'_>) -> Result<FromAgent, ApiError> {
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        wire::write(&mut *stream, msg).map_err(|e| lost(&e))?;
        match wire::read::<FromAgent>(&mut *stream) {
            Ok(Some(answer)) => Ok(answer),
            Ok(None) => Err(lost(&io::ErrorKind::UnexpectedEof.into())),
            Err(e) => Err(lost(&e)),
        }
    }

    /// The vault's `data_version` (changes when another process commits).
    ///
    /// Errors: `VAULT.0007` when the agent stopped answering.
    pub fn data_version(&self) -> Result<i64, ApiError> {
        match self.call(&ToAgentRef::DataVersion)? {
            FromAgent::DataVersion(v) => Ok(v),
            FromAgent::Refused(e) => Err(e),
            _ => Err(unexpected()),
        }
    }

    /// Locks the agent: it wipes its keys and ends.
    ///
    /// Errors: `VAULT.0007` when it did not confirm.
    pub fn lock(&self) -> Result<(), ApiError> {
        match self.call(&ToAgentRef::Lock)? {
            FromAgent::Locked => Ok(()),
            FromAgent::Refused(e) => Err(e),
            _ => Err(unexpected()),
        }
    }
}

impl Execute for Client {
    fn execute(&self, request: &Request) -> Result<Response, ApiError> {
        match self.call(&ToAgentRef::Execute(request))? {
            FromAgent::Answer(response) => Ok(response),
            FromAgent::Refused(e) => Err(e),
            _ => Err(unexpected()),
        }
    }
}

fn lost(e: &io::Error) -> ApiError {
    if matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ) {
        return ApiError::new(
            ErrorCode::Io,
            format!(
                "The agent holding this vault did not answer within {} minutes; it may be wedged. \
                 Run `csvault lock` (or end its process), then unlock again.",
                REQUEST_TIMEOUT.as_secs() / 60
            ),
        );
    }
    ApiError::new(
        ErrorCode::Io,
        format!(
            "The agent holding this vault stopped answering ({e}); it may have locked. Run the command again."
        ),
    )
}

fn unexpected() -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        "The agent holding this vault answered out of turn.",
    )
}
