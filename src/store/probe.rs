//! Telling a csvault vault from anything else at the vault path: read-only, without SQLite, before
//! any write.
//!
//! A vault is an SQLite file whose 100-byte header carries csvault's `application_id`. Anything else
//! is refused as it is found, so a file that is not ours is never opened by SQLite (which would switch
//! it to WAL, write our tables into it, or leave `-wal`/`-shm` files beside it).

use std::fs::{self, File, Metadata};
use std::io::{self, BufReader, Read};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use super::schema::APPLICATION_ID;
use super::sidecar::sidecar_path;
use super::{StoreError, StoreResult};

/// Length in bytes of the SQLite database header.
const HEADER_LEN: usize = 100;
/// The first 16 bytes of every SQLite 3 database.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Byte offset of the big-endian `application_id` in the database header (and in page 1).
const APP_ID_OFFSET: usize = 68;
/// Header bytes 18 and 19 (read and write format versions) are 2 for a database in WAL mode.
const WAL_FORMAT: u8 = 2;
/// Length in bytes of the WAL file header and of each WAL frame header.
const WAL_HEADER_LEN: usize = 32;
const FRAME_HEADER_LEN: usize = 24;
/// The WAL magic number, without its byte-order bit.
const WAL_MAGIC: u32 = 0x377f_0682;

/// What is at a vault path, as far as can be told without writing.
#[derive(Debug)]
pub enum Found {
    /// Nothing (or a parent is a file, so nothing can be).
    Missing,
    /// A csvault vault, at this real path (symlinks resolved): where SQLite and the `-wal`/`-shm`
    /// files live.
    Vault(PathBuf),
    /// A file that is not a vault: what it is, to follow "it is …".
    Foreign(String),
}

/// Looks at `path` without changing anything (reading the header may update its access time).
///
/// Errors: `NotAFile` for a directory, a symlink to a missing file, a pipe, socket or device;
/// `Unreachable` when the path cannot be looked at; `File` when the file cannot be read (all
/// `VAULT.0007`).
pub fn look(path: &Path) -> StoreResult<Found> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if is_absent(&e) => return Ok(Found::Missing),
        Err(e) => return Err(unreachable(path, e)),
    };
    let meta = if meta.file_type().is_symlink() {
        follow(path)?
    } else {
        meta
    };
    if !meta.is_file() {
        return Err(StoreError::NotAFile {
            path: path.to_owned(),
            what: kind_of(&meta).to_owned(),
        });
    }
    let real = fs::canonicalize(path).map_err(|e| unreachable(path, e))?;
    let header = read_header(&real)?;
    Ok(match identify(&header, meta.len()) {
        Identity::Vault => Found::Vault(real),
        Identity::Other(_) if in_wal_is_vault(&header, &real) => Found::Vault(real),
        Identity::Other(what) => Found::Foreign(what),
    })
}

/// Nothing there: the path, or one of its directories, does not exist (or is a file).
fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// The metadata of what the symlink at `path` points to. Errors: `NotAFile` when it points to
/// nothing, `Unreachable` when it cannot be followed (a loop, an unsearchable directory).
fn follow(path: &Path) -> StoreResult<Metadata> {
    match fs::metadata(path) {
        Ok(meta) => Ok(meta),
        Err(e) if is_absent(&e) => {
            let target = fs::read_link(path).unwrap_or_default();
            Err(StoreError::NotAFile {
                path: path.to_owned(),
                what: format!(
                    "a symlink to a missing file ({}); remove the link or make it point to a vault",
                    target.display()
                ),
            })
        }
        Err(e) => Err(unreachable(path, e)),
    }
}

/// "cannot look at …", in plain words for the usual causes.
fn unreachable(path: &Path, source: io::Error) -> StoreError {
    let reason = if source.kind() == io::ErrorKind::PermissionDenied {
        "permission denied".to_owned()
    } else if rustix::io::Errno::from_io_error(&source) == Some(rustix::io::Errno::LOOP) {
        "too many levels of symbolic links".to_owned()
    } else {
        source.to_string()
    };
    StoreError::Unreachable {
        path: path.to_owned(),
        reason,
        source,
    }
}

/// What a path that is not a regular file is, to follow "… is".
fn kind_of(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        "a directory, not a vault file"
    } else if kind.is_fifo() {
        "a named pipe, not a vault file"
    } else if kind.is_socket() {
        "a socket, not a vault file"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device, not a vault file"
    } else {
        "not a regular file"
    }
}

/// Up to the first [`HEADER_LEN`] bytes of the file. Errors: `File` (`VAULT.0007`).
fn read_header(real: &Path) -> StoreResult<Vec<u8>> {
    let read_start = || -> io::Result<Vec<u8>> {
        let mut header = Vec::with_capacity(HEADER_LEN);
        File::open(real)?
            .take(HEADER_LEN as u64)
            .read_to_end(&mut header)?;
        Ok(header)
    };
    read_start().map_err(|source| StoreError::File {
        action: "read",
        path: real.to_owned(),
        source,
    })
}

/// What the database header says.
enum Identity {
    Vault,
    /// Not a vault: what it is.
    Other(String),
}

/// Identifies a file from its first bytes (`header`) and its size in bytes (`len`).
fn identify(header: &[u8], len: u64) -> Identity {
    if len == 0 {
        return Identity::Other("an empty file (0 bytes)".to_owned());
    }
    if header.len() < HEADER_LEN || !header.starts_with(MAGIC) {
        let size = if len == 1 {
            "1 byte".to_owned()
        } else {
            format!("{len} bytes")
        };
        return Identity::Other(format!("not an SQLite database ({size})"));
    }
    match be32(header, APP_ID_OFFSET) {
        Some(id) if id == app_id() => Identity::Vault,
        id => Identity::Other(format!(
            "an SQLite database of another application (application_id {:#010x}; csvault's is {:#010x})",
            id.unwrap_or_default(),
            app_id()
        )),
    }
}

/// csvault's `application_id` as the header stores it.
fn app_id() -> u32 {
    APPLICATION_ID.cast_unsigned()
}

/// The big-endian `u32` at `at` in `bytes`, if there are four bytes there.
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let four: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(four))
}

/// Whether a WAL-mode database whose main file does not carry our id yet carries it in its
/// `-wal`: a vault another process still has open, or one that crashed, before its first
/// checkpoint (vaults made before `init` checkpointed). SQLite checks the id again after opening.
fn in_wal_is_vault(header: &[u8], real: &Path) -> bool {
    let wal_mode = header.get(18..20) == Some(&[WAL_FORMAT, WAL_FORMAT][..]);
    wal_mode && committed_app_id(&sidecar_path(real, "-wal")) == Some(app_id())
}

/// The `application_id` in the last committed copy of page 1 in the WAL file at `wal`, if any.
/// Frames are read up to the first that belongs to an older generation of the log (other salts).
fn committed_app_id(wal: &Path) -> Option<u32> {
    let mut reader = BufReader::new(File::open(wal).ok()?);
    let mut head = [0u8; WAL_HEADER_LEN];
    reader.read_exact(&mut head).ok()?;
    if be32(&head, 0)? & !1 != WAL_MAGIC {
        return None;
    }
    let page_size = be32(&head, 8)?;
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return None;
    }
    let mut committed = None;
    let mut pending = None;
    let mut frame = [0u8; FRAME_HEADER_LEN];
    while reader.read_exact(&mut frame).is_ok() && frame[8..16] == head[16..24] {
        let rest = if be32(&frame, 0)? == 1 {
            let mut start = [0u8; APP_ID_OFFSET + 4];
            let Ok(()) = reader.read_exact(&mut start) else {
                break;
            };
            pending = be32(&start, APP_ID_OFFSET);
            i64::from(page_size) - i64::try_from(start.len()).ok()?
        } else {
            i64::from(page_size)
        };
        if reader.seek_relative(rest).is_err() {
            break;
        }
        if be32(&frame, 4)? != 0 {
            committed = pending.take().or(committed);
        }
    }
    committed
}
