//! The `-wal` and `-shm` files beside a vault: checked to be ours and private before anything is
//! written, created by us (0600) before SQLite opens the vault, and kept 0600 after it has.
//!
//! SQLite trusts whatever `-wal`/`-shm` it finds, and creates missing ones with the mode of the
//! database file: another local user who plants a 0666 `-wal` in a shared directory could read names
//! and descriptions, and a 0400 vault read once would leave a 0400 `-shm` that blocks the next write.

use std::fs::{self, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::{StoreError, StoreResult};

/// The files SQLite keeps beside a database in WAL mode.
const SUFFIXES: [&str; 2] = ["-wal", "-shm"];
/// Mode bits that give the group or others any access.
const GROUP_OTHER: u32 = 0o077;
/// Owner read and write: what every file of the vault gets.
const PRIVATE: u32 = 0o600;

/// `vault.db` → `vault.db-wal`, `vault.db-shm`.
pub fn sidecar_path(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes the `-wal`/`-shm` beside the database at `db` (its real path) safe to open: every one that
/// exists is checked first, then the missing ones are created 0600, and ours that lack owner
/// read/write (left by a read-only open of an older csvault) get it back.
///
/// Errors: `UnsafeSidecar` (`VAULT.0007`) for a file that is not ours, is not private, or is not a
/// regular file, before anything is written; `File` (`VAULT.0007`) when one cannot be looked at,
/// created or fixed.
pub fn prepare(db: &Path) -> StoreResult<()> {
    let euid = rustix::process::geteuid().as_raw();
    let paths = SUFFIXES.map(|suffix| sidecar_path(db, suffix));
    let mut present = [false; SUFFIXES.len()];
    for (there, path) in present.iter_mut().zip(&paths) {
        *there = check(path, euid)?;
    }
    for (there, path) in present.into_iter().zip(&paths) {
        if there {
            restore_owner_access(path)?;
        } else {
            create(path, euid)?;
        }
    }
    Ok(())
}

/// Gives our `-wal`/`-shm` beside `db` mode 0600 again once SQLite has opened them: SQLite sets
/// an empty one to the database file's mode as it opens it (0400 for a read-only vault, which
/// would block the next write; 0644 would let others read). Errors: `File` (`VAULT.0007`).
pub fn settle(db: &Path) -> StoreResult<()> {
    let euid = rustix::process::geteuid().as_raw();
    for suffix in SUFFIXES {
        let path = sidecar_path(db, suffix);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_file() && meta.uid() == euid && meta.mode() & 0o777 != PRIVATE {
            fs::set_permissions(&path, Permissions::from_mode(PRIVATE)).map_err(|source| {
                StoreError::File {
                    action: "make private",
                    path: path.clone(),
                    source,
                }
            })?;
        }
    }
    Ok(())
}

/// Whether the file at `path` exists; if it does, that it is a regular file owned by `euid` with
/// no group or other permissions. Errors: `UnsafeSidecar`, `File` (`VAULT.0007`).
fn check(path: &Path, euid: u32) -> StoreResult<bool> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(StoreError::File {
                action: "look at",
                path: path.to_owned(),
                source,
            });
        }
    };
    let problem = if meta.file_type().is_symlink() {
        Some(
            "it is a symlink, and SQLite would write the vault's log wherever it points; remove it"
                .to_owned(),
        )
    } else if !meta.is_file() {
        Some("it is not a regular file; remove it".to_owned())
    } else if meta.uid() != euid {
        Some(format!(
            "it is owned by uid {}, not by you (uid {euid}), so another user may read what the vault writes there; remove it",
            meta.uid()
        ))
    } else if meta.mode() & GROUP_OTHER != 0 {
        Some(format!(
            "its mode {:04o} lets group or others at it, and it may hold secret names and descriptions; `chmod 600` it, or remove it while no csvault runs",
            meta.mode() & 0o7777
        ))
    } else {
        None
    };
    match problem {
        Some(problem) => Err(StoreError::UnsafeSidecar {
            path: path.to_owned(),
            problem,
        }),
        None => Ok(true),
    }
}

/// Gives our own private file at `path` owner read and write if it lacks them. Errors: `File`.
fn restore_owner_access(path: &Path) -> StoreResult<()> {
    let fix = || -> io::Result<()> {
        let mode = fs::symlink_metadata(path)?.mode();
        if mode & PRIVATE != PRIVATE {
            fs::set_permissions(path, Permissions::from_mode(PRIVATE))?;
        }
        Ok(())
    };
    fix().map_err(|source| StoreError::File {
        action: "give owner read and write to",
        path: path.to_owned(),
        source,
    })
}

/// Creates `path` empty, 0600, failing if anything is there (`O_CREAT|O_EXCL`). One that appeared
/// meanwhile is checked like any other. A directory we may not write to is left to SQLite, which
/// cannot create the file there either. Errors: `UnsafeSidecar`, `File`.
fn create(path: &Path, euid: u32) -> StoreResult<()> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE)
        .open(path);
    match created {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            check(path, euid)?;
            restore_owner_access(path)
        }
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            Ok(())
        }
        Err(source) => Err(StoreError::File {
            action: "create",
            path: path.to_owned(),
            source,
        }),
    }
}
