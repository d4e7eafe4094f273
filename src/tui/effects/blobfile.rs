//! Backup blob files: written 0600 without ever following a symbolic link (created new, or an
//! existing regular file with no other hard link truncated and rewritten), and read back bounded.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::OFlags;

use crate::tui::screens::form::expand_path;
use crate::tui::text::lifecycle as t;
use crate::vault::MAX_BLOB_CHARS;

/// A backup blob written to a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Saved {
    /// The path as written to (after `~/` expansion).
    pub path: String,
    pub bytes: usize,
    /// Whether a file was there and was replaced (else it was created).
    pub replaced: bool,
}

/// The path as typed, `~/` expanded.
fn resolve(typed: &str) -> Result<PathBuf, String> {
    expand_path(typed.trim(), dirs::home_dir().as_deref()).ok_or_else(|| t::FILE_NO_HOME.to_owned())
}

fn reason(e: &std::io::Error) -> String {
    // ELOOP: O_NOFOLLOW met a symbolic link.
    if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return t::FILE_SYMLINK.to_owned();
    }
    // ENXIO: a FIFO with no reader, opened without blocking.
    if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) {
        return t::FILE_NOT_REGULAR.to_owned();
    }
    match e.kind() {
        ErrorKind::NotFound => t::FILE_NOT_FOUND.to_owned(),
        ErrorKind::PermissionDenied => t::FILE_DENIED.to_owned(),
        ErrorKind::IsADirectory => t::FILE_IS_DIR.to_owned(),
        _ => e.to_string(),
    }
}

/// Why the directory `path` is to be written in is not there, if it is not: it does not exist,
/// or it is not a directory.
fn missing_directory(path: &Path) -> Option<String> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty())?;
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some(format!("{} {} {}", t::DIR, dir.display(), t::DIR_NOT_DIR)),
        Err(e)
            if e.kind() == ErrorKind::NotFound
                || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) =>
        {
            Some(format!("{} {} {}", t::DIR, dir.display(), t::DIR_MISSING))
        }
        Err(_) => None,
    }
}

/// Never through a symbolic link, never blocking on a FIFO.
fn flags() -> i32 {
    i32::try_from((OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC).bits()).unwrap_or(0)
}

/// Opens `path` for writing: a new file (0600), or the regular file already there, whether it
/// was there.
fn open_for_writing(path: &Path) -> Result<(File, bool), String> {
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(flags())
        .open(path);
    match created {
        Ok(file) => return Ok((file, false)),
        Err(e) if e.kind() != ErrorKind::AlreadyExists => {
            return Err(missing_directory(path).unwrap_or_else(|| reason(&e)));
        }
        Err(_) => {}
    }
    // Something is there (a symbolic link too: create_new refuses those): open it as it is.
    let file = OpenOptions::new()
        .write(true)
        .custom_flags(flags())
        .open(path)
        .map_err(|e| reason(&e))?;
    let meta = file.metadata().map_err(|e| reason(&e))?;
    if !meta.is_file() {
        return Err(t::FILE_NOT_REGULAR.to_owned());
    }
    if meta.nlink() > 1 {
        return Err(t::FILE_LINKED.to_owned());
    }
    Ok((file, true))
}

/// Writes `blob` (and a line break) to the file at `typed`, readable by its owner only.
pub fn save(typed: &str, blob: &str) -> Result<Saved, String> {
    let path = resolve(typed)?;
    let (mut file, replaced) = open_for_writing(&path)?;
    let io = |e: std::io::Error| reason(&e);
    // Before anything is written: an existing file may have been readable by others.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    file.set_len(0).map_err(io)?;
    let text = format!("{blob}\n");
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(Saved {
        path: path.display().to_string(),
        bytes: text.len(),
        replaced,
    })
}

/// Reads a blob back from the file at `typed` (surrounding whitespace dropped).
pub fn load(typed: &str) -> Result<String, String> {
    let path = resolve(typed)?;
    if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
        return Err(t::FILE_IS_DIR.to_owned());
    }
    let limit = u64::try_from(MAX_BLOB_CHARS).unwrap_or(u64::MAX) + 2;
    let bytes = crate::input::read_bounded(&path, limit).map_err(|e| match e {
        crate::input::ReadError::Io(e) => reason(&e),
        too_large @ crate::input::ReadError::TooLarge(_) => too_large.to_string(),
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| t::FILE_NOT_TEXT.to_owned())?;
    let blob = text.trim();
    if blob.is_empty() {
        return Err(t::FILE_EMPTY.to_owned());
    }
    Ok(blob.to_owned())
}
