//! Where a vault's agent listens and whom it is for: the socket's path (one per vault, in the
//! private runtime directory), the checks made on the file before connecting, and the peer
//! check both sides make after (the same uid, by the kernel's `SO_PEERCRED`).

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::csms::{ApiError, ErrorCode};

/// `agent-<first 32 hex digits of SHA-256 of the canonical vault path>.sock` in `dir`.
pub fn socket_path(dir: &Path, canonical_vault: &Path) -> PathBuf {
    let digest = Sha256::digest(canonical_vault.as_os_str().as_bytes());
    let mut name = String::from("agent-");
    for byte in digest.iter().take(16) {
        let _ = write!(name, "{byte:02x}");
    }
    name.push_str(".sock");
    dir.join(name)
}

/// What is at a socket path, before connecting.
#[derive(Debug, PartialEq, Eq)]
pub enum AtPath {
    Nothing,
    /// A socket of this user's.
    OurSocket,
}

/// Looks at `path` without following a symlink.
///
/// Errors (`VAULT.0007`, never trusted): something that is not a socket, a socket of another
/// user's, or a path that cannot be looked at.
pub fn look(path: &Path, own_uid: u32) -> Result<AtPath, ApiError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(AtPath::Nothing),
        Err(e) => return Err(refused(path, &e.to_string())),
    };
    if !meta.file_type().is_socket() {
        return Err(refused(path, "it is not a socket"));
    }
    if meta.uid() != own_uid {
        return Err(refused(
            path,
            &format!("it belongs to uid {}, not to you", meta.uid()),
        ));
    }
    Ok(AtPath::OurSocket)
}

/// Whether a peer of `peer_uid` may be talked to by a process of `own_uid`: only the same uid
/// (not even root: the agent serves its own user).
///
/// Errors: `VAULT.0007` naming the uids.
pub fn peer_allowed(peer_uid: u32, own_uid: u32) -> Result<(), ApiError> {
    if peer_uid == own_uid {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Io,
            format!(
                "The other end of the agent's socket is uid {peer_uid}, not uid {own_uid}: it is refused, never trusted."
            ),
        ))
    }
}

/// The uid at the other end of a connected Unix socket, from the kernel.
pub fn peer_uid(stream: &std::os::unix::net::UnixStream) -> io::Result<u32> {
    Ok(rustix::net::sockopt::socket_peercred(stream)?.uid.as_raw())
}

/// This process's uid.
pub fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// `VAULT.0007`: what is at the agent's socket path is refused.
pub fn refused(path: &Path, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!(
            "{} is not this vault's agent ({why}); it is refused, never trusted. Remove it, or use --no-agent.",
            path.display()
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_socket_per_vault_named_by_its_path() {
        let dir = Path::new("/run/user/1000/csvault");
        let a = socket_path(dir, Path::new("/home/a/vault.db"));
        let b = socket_path(dir, Path::new("/home/a/other.db"));
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        let hex = name
            .strip_prefix("agent-")
            .and_then(|n| n.strip_suffix(".sock"));
        assert!(
            hex.is_some_and(|h| h.len() == 32 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            "{name}"
        );
        assert_eq!(a, socket_path(dir, Path::new("/home/a/vault.db")));
    }

    #[test]
    fn only_the_same_uid_is_a_peer() {
        assert!(peer_allowed(1000, 1000).is_ok());
        let e = peer_allowed(65534, 1000).unwrap_err();
        assert_eq!(e.code, ErrorCode::Io);
        assert!(e.error_msg.contains("65534"), "{}", e.error_msg);
        assert!(peer_allowed(0, 1000).is_err(), "not even root");
        assert!(peer_allowed(1000, 0).is_err());
    }

    #[test]
    fn a_file_that_is_not_a_socket_or_not_ours_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.sock");
        assert_eq!(look(&path, own_uid()).unwrap(), AtPath::Nothing);
        std::fs::write(&path, b"").unwrap();
        let e = look(&path, own_uid()).unwrap_err();
        assert!(e.error_msg.contains("not a socket"), "{}", e.error_msg);
        std::fs::remove_file(&path).unwrap();
        let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert_eq!(look(&path, own_uid()).unwrap(), AtPath::OurSocket);
        let e = look(&path, own_uid().wrapping_add(1)).unwrap_err();
        assert!(e.error_msg.contains("belongs to uid"), "{}", e.error_msg);
    }
}
