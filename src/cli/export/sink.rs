//! Where an export goes: stdout (fd 1 itself, no buffer of std's keeping a copy), or a file made
//! 0600 and moved into place only once complete: unnamed (`O_TMPFILE`) where the file system
//! allows, so nothing is left if the process dies or is interrupted; else under a temporary name
//! beside it, removed on any failure.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use crate::csms::{ApiError, ErrorCode};
use crate::store::StoreError;
use crate::store::publish::{self, Staged, io_error};

fn api(e: StoreError) -> ApiError {
    crate::vault::VaultError::from(e).into()
}

/// The export file, checked before anything is read from the vault.
pub struct Target {
    path: PathBuf,
    dir: PathBuf,
    force: bool,
}

impl Target {
    /// Errors: `CSMS.0002` the vault at `vault` or its `-wal`, `-shm` or `-journal` (by name or
    /// inode), even with `force`; `VAULT.0006` a file there without `force`; `VAULT.0007` a
    /// symlink or anything but a regular file there, or a directory that does not exist.
    pub fn check(path: &Path, force: bool, vault: &Path) -> Result<Self, ApiError> {
        if publish::is_vault_file(path, vault) {
            return Err(ApiError::invalid(format!(
                "Invalid file: {} is the vault itself or its -wal, -shm or -journal file.",
                path.display()
            )));
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(ApiError::new(
                    ErrorCode::Io,
                    format!(
                        "{} is a symbolic link; export never follows or replaces one.",
                        path.display()
                    ),
                ));
            }
            Ok(meta) if !meta.is_file() => {
                return Err(ApiError::new(
                    ErrorCode::Io,
                    format!("{} is not a regular file.", path.display()),
                ));
            }
            Ok(_) if !force => {
                return Err(ApiError::new(
                    ErrorCode::VaultExists,
                    format!(
                        "{} already exists; give --force to replace it.",
                        path.display()
                    ),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(api(io_error("look at", path, e))),
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(ApiError::new(
                ErrorCode::Io,
                format!("The directory {} does not exist.", dir.display()),
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            dir,
            force,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// An open export. Written unbuffered: each record comes in one wiped buffer, and no buffer of
/// ours or std's keeps a copy.
pub enum Sink {
    /// A duplicate of fd 1, written directly (std's `Stdout` would line-buffer a copy in a
    /// static buffer that is never wiped).
    Stdout(File),
    /// `O_TMPFILE`: no name until published.
    Unnamed { out: File, target: Target },
    /// `.NAME.export-<random>`, removed unless published.
    Named {
        out: File,
        staged: Staged,
        target: Target,
    },
}

fn stdout_error(e: &io::Error) -> ApiError {
    ApiError::new(ErrorCode::Io, format!("Cannot write stdout: {e}"))
}

fn appeared(target: &Target) -> ApiError {
    ApiError::new(
        ErrorCode::VaultExists,
        format!(
            "{} appeared meanwhile; nothing was replaced.",
            target.path.display()
        ),
    )
}

impl Sink {
    pub fn stdout() -> Result<Self, ApiError> {
        let fd = io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| stdout_error(&e))?;
        Ok(Self::Stdout(File::from(fd)))
    }

    /// The file for `target`, 0600 from its creation.
    pub fn file(target: &Target) -> Result<Self, ApiError> {
        let target = Target {
            path: target.path.clone(),
            dir: target.dir.clone(),
            force: target.force,
        };
        if let Some(out) = publish::unnamed(&target.dir)
            .map_err(|e| api(io_error("create a file in", &target.dir, e)))?
        {
            return Ok(Self::Unnamed { out, target });
        }
        let (staged, out) =
            Staged::create(&target.path, &target.dir, "export", &[]).map_err(api)?;
        Ok(Self::Named {
            out,
            staged,
            target,
        })
    }

    /// Whether the file has a (temporary) name until published: only then can an interrupted
    /// export leave it behind.
    pub fn is_named(&self) -> bool {
        matches!(self, Self::Named { .. })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        match self {
            Self::Stdout(out) => out.write_all(bytes).map_err(|e| stdout_error(&e)),
            Self::Unnamed { out, target } => out
                .write_all(bytes)
                .map_err(|e| api(io_error("write", &target.path, e))),
            Self::Named { out, staged, .. } => out
                .write_all(bytes)
                .map_err(|e| api(io_error("write", staged.path(), e))),
        }
    }

    /// Flushes; a file is flushed to disk and moved into place (by a link that fails if a file
    /// appeared meanwhile, or by rename with `--force`).
    pub fn finish(self) -> Result<(), ApiError> {
        let (published, target) = match self {
            Self::Stdout(mut out) => return out.flush().map_err(|e| stdout_error(&e)),
            Self::Unnamed { out, target } => {
                out.sync_all()
                    .map_err(|e| api(io_error("flush to disk", &target.path, e)))?;
                let published =
                    publish::publish_unnamed(&out, &target.path, &target.dir, target.force);
                (published, target)
            }
            Self::Named {
                out,
                staged,
                target,
            } => {
                out.sync_all()
                    .map_err(|e| api(io_error("flush to disk", staged.path(), e)))?;
                drop(out);
                (
                    staged.publish(&target.path, &target.dir, target.force),
                    target,
                )
            }
        };
        match published {
            Err(StoreError::File { source, .. })
                if source.kind() == io::ErrorKind::AlreadyExists =>
            {
                Err(appeared(&target))
            }
            other => other.map_err(api),
        }
    }
}
