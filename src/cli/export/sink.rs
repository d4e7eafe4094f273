//! Where an export goes: stdout, or a file made 0600 under a temporary name beside it and moved
//! into place only once complete (removed on any failure: nothing half-written is left).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::csms::{ApiError, ErrorCode};

fn io_error(what: &str, path: &Path, e: &io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot {what} {}: {e}", path.display()),
    )
}

/// The export file, checked before anything is read from the vault.
pub struct Target {
    path: PathBuf,
    dir: PathBuf,
    force: bool,
}

impl Target {
    /// Errors: `VAULT.0006` a file there without `force`; `VAULT.0007` a symlink or anything but
    /// a regular file there, or a directory that does not exist.
    pub fn check(path: &Path, force: bool) -> Result<Self, ApiError> {
        match fs::symlink_metadata(path) {
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
            Err(e) => return Err(io_error("look at", path, &e)),
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

/// An open export.
pub enum Sink {
    Stdout(io::StdoutLock<'static>),
    /// Written unbuffered: each record comes in one wiped buffer, and no buffer of ours keeps
    /// a copy.
    File {
        out: File,
        staged: Staged,
        target: Target,
    },
}

impl Sink {
    pub fn stdout() -> Self {
        Self::Stdout(io::stdout().lock())
    }

    /// The temporary file beside `target`, 0600 from its creation.
    pub fn file(target: &Target) -> Result<Self, ApiError> {
        let name = target.path.file_name().ok_or_else(|| {
            ApiError::invalid(format!(
                "Invalid file: {} names no file.",
                target.path.display()
            ))
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".export-{}", uuid::Uuid::new_v4().simple()));
        let tmp = target.dir.join(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| io_error("create a file in", &target.dir, &e))?;
        Ok(Self::File {
            out: file,
            staged: Staged(tmp),
            target: Target {
                path: target.path.clone(),
                dir: target.dir.clone(),
                force: target.force,
            },
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        match self {
            Self::Stdout(out) => out
                .write_all(bytes)
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("Cannot write stdout: {e}"))),
            Self::File { out, staged, .. } => out
                .write_all(bytes)
                .map_err(|e| io_error("write", &staged.0, &e)),
        }
    }

    /// Flushes; a file is flushed to disk and moved into place (by a link that fails if a file
    /// appeared meanwhile, or by rename with `--force`).
    pub fn finish(self) -> Result<(), ApiError> {
        match self {
            Self::Stdout(mut out) => out
                .flush()
                .map_err(|e| ApiError::new(ErrorCode::Io, format!("Cannot write stdout: {e}"))),
            Self::File {
                out,
                staged,
                target,
            } => {
                let file = out;
                file.sync_all()
                    .map_err(|e| io_error("flush to disk", &staged.0, &e))?;
                drop(file);
                if target.force {
                    fs::rename(&staged.0, &target.path)
                        .map_err(|e| io_error("move the export to", &target.path, &e))?;
                } else {
                    fs::hard_link(&staged.0, &target.path).map_err(|e| {
                        if e.kind() == io::ErrorKind::AlreadyExists {
                            ApiError::new(
                                ErrorCode::VaultExists,
                                format!(
                                    "{} appeared meanwhile; nothing was replaced.",
                                    target.path.display()
                                ),
                            )
                        } else {
                            io_error("move the export to", &target.path, &e)
                        }
                    })?;
                }
                drop(staged);
                if let Ok(dir) = File::open(&target.dir) {
                    let _ = dir.sync_all();
                }
                Ok(())
            }
        }
    }
}

/// The temporary file, removed when dropped (after a publish by rename it is gone already).
pub struct Staged(PathBuf);

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}
