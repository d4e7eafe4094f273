//! Temp-file-then-publish, the one way a new vault, a backup and an export file reach their path:
//! made 0600 under a temporary name beside it (or unnamed, `O_TMPFILE`) and moved into place only
//! once complete; and the paths nothing may be published over (the vault and its sidecars).

use rustix::fs::{AtFlags, CWD, Mode, OFlags, RenameFlags};
use rustix::io::Errno;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::{StoreError, StoreResult};

/// The files SQLite keeps beside a vault (`vault.db-wal`, …): never a backup's or export's
/// destination, like the vault itself.
pub const VAULT_SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// The store's error for an I/O failure `action` on `path` (`VAULT.0007`).
pub fn io_error(action: &'static str, path: &Path, source: io::Error) -> StoreError {
    StoreError::File {
        action,
        path: path.to_owned(),
        source,
    }
}

/// `path` + `suffix` (`vault.db` → `vault.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// `path` with its directory resolved (symlinks and `..`), the name kept as written; `None`
/// when the directory cannot be resolved.
fn resolved(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(name))
}

/// Whether `dest` is the vault at `vault` or one of its [`VAULT_SIDECARS`]: by name (its
/// directory resolved) or, for a file that exists, by device and inode (a hard link, a
/// bind-mounted path). A symlink at `dest` is judged by `lstat` only (it is refused elsewhere).
pub fn is_vault_file(dest: &Path, vault: &Path) -> bool {
    // The vault as named and, if that is a symlink, as resolved: SQLite's sidecars may sit
    // beside either.
    let vault_real = fs::canonicalize(vault).unwrap_or_else(|_| vault.to_owned());
    let dest_name = resolved(dest);
    let dest_meta = fs::symlink_metadata(dest).ok();
    [vault, vault_real.as_path()]
        .into_iter()
        .flat_map(|v| {
            std::iter::once("")
                .chain(VAULT_SIDECARS)
                .map(|s| with_suffix(v, s))
        })
        .any(|own| {
            dest_name.as_deref() == resolved(&own).as_deref()
                || dest_meta.as_ref().is_some_and(|d| {
                    fs::metadata(&own).is_ok_and(|o| o.dev() == d.dev() && o.ino() == d.ino())
                })
        })
}

/// Links `from` to the new name `to`, never replacing anything there (`AlreadyExists` then).
/// Where hard links are not supported (FAT, exFAT, some network file systems: `EPERM`,
/// `EOPNOTSUPP`) it renames with `RENAME_NOREPLACE` instead, so `from` is gone afterwards.
pub fn link_new(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Err(e) if no_links(&e) => {
            rustix::fs::renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE)
                .map_err(io::Error::from)
        }
        other => other,
    }
}

fn no_links(e: &io::Error) -> bool {
    [Errno::PERM, Errno::OPNOTSUPP, Errno::NOSYS]
        .iter()
        .any(|errno| e.raw_os_error() == Some(errno.raw_os_error()))
}

/// A file under a temporary name beside its destination (`.NAME.<purpose>-<random>`), 0600 from
/// its creation; removed (with the given sidecars) when dropped unless published.
pub struct Staged {
    tmp: PathBuf,
    sidecars: &'static [&'static str],
}

impl Staged {
    /// Creates the empty file in `dir`. Errors: `File` (`VAULT.0007`), also for a `path` with no
    /// file name.
    pub fn create(
        path: &Path,
        dir: &Path,
        purpose: &str,
        sidecars: &'static [&'static str],
    ) -> StoreResult<(Self, File)> {
        let name = path.file_name().ok_or_else(|| {
            io_error(
                "create",
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
            )
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{purpose}-{}", uuid::Uuid::new_v4().simple()));
        let tmp = dir.join(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| io_error("create a file in", dir, e))?;
        Ok((Self { tmp, sidecars }, file))
    }

    /// The temporary path.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Moves the file to `path`: with `replace` by `rename` (which replaces a file there, and a
    /// symlink itself, never its target); else by [`link_new`]. Then flushes `dir`.
    ///
    /// Errors: `File` (`VAULT.0007`); its source is `AlreadyExists` when, without `replace`,
    /// something appeared at `path` meanwhile.
    pub fn publish(self, path: &Path, dir: &Path, replace: bool) -> StoreResult<()> {
        let moved = if replace {
            fs::rename(&self.tmp, path)
        } else {
            link_new(&self.tmp, path)
        };
        moved.map_err(|e| io_error("move the file into place at", path, e))?;
        drop(self);
        super::sync_path(dir)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Best effort: after a publish by rename, none is there.
        for suffix in self.sidecars {
            let _ = fs::remove_file(with_suffix(&self.tmp, suffix));
        }
        let _ = fs::remove_file(&self.tmp);
    }
}

/// An unnamed file in `dir` (`O_TMPFILE`), 0600: if the process dies before it is published
/// (a signal, a crash), nothing is left on disk. `Ok(None)` where the file system or kernel
/// cannot make one. Errors: any other failure to create it.
pub fn unnamed(dir: &Path) -> io::Result<Option<File>> {
    match rustix::fs::openat(
        CWD,
        dir,
        OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    ) {
        Ok(fd) => Ok(Some(File::from(fd))),
        // EOPNOTSUPP: the file system has none; EISDIR/EINVAL: an older kernel.
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL | Errno::NOSYS) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Gives the unnamed `file` (from [`unnamed`], flushed) the name `path`: a new name, never
/// replacing anything there; with `replace`, a temporary name then `rename` over `path`. Then
/// flushes `dir`.
///
/// Errors: `File` (`VAULT.0007`); its source is `AlreadyExists` when, without `replace`,
/// something appeared at `path` meanwhile.
pub fn publish_unnamed(file: &File, path: &Path, dir: &Path, replace: bool) -> StoreResult<()> {
    if replace {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(path.file_name().unwrap_or_default());
        tmp_name.push(format!(".publish-{}", uuid::Uuid::new_v4().simple()));
        let tmp = dir.join(tmp_name);
        link_unnamed(file, &tmp).map_err(|e| io_error("move the file into place at", path, e))?;
        if let Err(e) = fs::rename(&tmp, path) {
            let _ = fs::remove_file(&tmp);
            return Err(io_error("move the file into place at", path, e));
        }
    } else {
        link_unnamed(file, path).map_err(|e| io_error("move the file into place at", path, e))?;
    }
    super::sync_path(dir)
}

/// `linkat(fd, "", AT_EMPTY_PATH)` where allowed, else through `/proc/self/fd`.
fn link_unnamed(file: &File, to: &Path) -> io::Result<()> {
    match rustix::fs::linkat(file.as_fd(), "", CWD, to, AtFlags::EMPTY_PATH) {
        Ok(()) => Ok(()),
        Err(Errno::NOENT | Errno::PERM | Errno::ACCESS) => {
            let fd = std::os::fd::AsRawFd::as_raw_fd(file);
            rustix::fs::linkat(
                CWD,
                format!("/proc/self/fd/{fd}"),
                CWD,
                to,
                AtFlags::SYMLINK_FOLLOW,
            )
            .map_err(io::Error::from)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_vault_and_its_sidecars_are_known_by_name_and_by_inode() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        fs::write(&vault, b"v").unwrap();
        fs::write(dir.path().join("vault.db-wal"), b"w").unwrap();
        for name in [
            "vault.db",
            "vault.db-wal",
            "vault.db-shm",
            "vault.db-journal",
        ] {
            assert!(is_vault_file(&dir.path().join(name), &vault), "{name}");
        }
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        assert!(is_vault_file(&sub.join("..").join("vault.db-shm"), &vault));
        fs::hard_link(dir.path().join("vault.db-wal"), sub.join("other")).unwrap();
        assert!(is_vault_file(&sub.join("other"), &vault));
        assert!(!is_vault_file(&dir.path().join("vault.db.bak"), &vault));
    }

    #[test]
    fn a_link_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&from, b"new").unwrap();
        fs::write(&to, b"old").unwrap();
        let e = link_new(&from, &to).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&to).unwrap(), b"old");
    }

    #[test]
    fn an_unnamed_file_has_no_name_until_published_and_then_is_private() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // tmpfs and ext4 (where the tests run) make unnamed files.
        let mut file = unnamed(dir.path()).unwrap().unwrap();
        file.write_all(b"plaintext").unwrap();
        // A process killed now leaves nothing behind: the directory is empty.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let path = dir.path().join("export.jsonl");
        publish_unnamed(&file, &path, dir.path(), false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"plaintext");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // Without replace, a file there stays; with it, it is replaced and no temporary name is left.
        let mut again = unnamed(dir.path()).unwrap().unwrap();
        again.write_all(b"newer").unwrap();
        let e = publish_unnamed(&again, &path, dir.path(), false).unwrap_err();
        assert!(
            matches!(&e, StoreError::File { source, .. } if source.kind() == io::ErrorKind::AlreadyExists)
        );
        publish_unnamed(&again, &path, dir.path(), true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"newer");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
