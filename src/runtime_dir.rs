//! The per-user private runtime directory: `$XDG_RUNTIME_DIR/csvault`, else `/tmp/csvault-UID`,
//! mode 0700 and owned by this user, checked on every use. The agent's sockets and `--edit`'s
//! files live here (issue 15); a directory that is not private is refused, never used.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::csms::{ApiError, ErrorCode};

/// `XDG_RUNTIME_DIR`: the per-user runtime directory of the XDG Base Directory spec.
pub const XDG_RUNTIME_DIR_ENV: &str = "XDG_RUNTIME_DIR";

/// The private directory, made if missing (0700).
///
/// Errors: `VAULT.0007` when it cannot be made, or when what is there is not a directory of this
/// user's with no access for group or others (a symlink, another user's directory, mode 0755):
/// such a path is never trusted.
pub fn private_dir() -> Result<PathBuf, ApiError> {
    let dir = location(std::env::var_os(XDG_RUNTIME_DIR_ENV).map(PathBuf::from));
    ensure_private(&dir)?;
    Ok(dir)
}

/// The private directory if it exists, without making it (looking for an agent makes nothing).
///
/// Errors: as [`private_dir`] for what is there but not private.
pub fn existing_private_dir() -> Result<Option<PathBuf>, ApiError> {
    let dir = location(std::env::var_os(XDG_RUNTIME_DIR_ENV).map(PathBuf::from));
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        _ => {
            ensure_private(&dir)?;
            Ok(Some(dir))
        }
    }
}

/// Where the directory is: under an absolute `XDG_RUNTIME_DIR` (a relative one is ignored, as
/// the spec says), else in `/tmp` by uid.
fn location(xdg_runtime_dir: Option<PathBuf>) -> PathBuf {
    match xdg_runtime_dir.filter(|d| d.is_absolute()) {
        Some(base) => base.join("csvault"),
        None => {
            std::env::temp_dir().join(format!("csvault-{}", rustix::process::getuid().as_raw()))
        }
    }
}

/// Makes `dir` (0700) if missing, then checks what is there without following a symlink.
fn ensure_private(dir: &Path) -> Result<(), ApiError> {
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(unusable(dir, &e.to_string())),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| unusable(dir, &e.to_string()))?;
    if !meta.file_type().is_dir() {
        return Err(unusable(dir, "it is not a directory"));
    }
    if meta.uid() != rustix::process::getuid().as_raw() {
        return Err(unusable(dir, "it belongs to another user"));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(unusable(
            dir,
            &format!(
                "its mode is {:o}, not 700 (others could reach what is in it)",
                meta.mode() & 0o777
            ),
        ));
    }
    Ok(())
}

fn unusable(dir: &Path, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!(
            "The private runtime directory {} cannot be used: {why}.",
            dir.display()
        ),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn it_lives_under_an_absolute_xdg_runtime_dir_else_in_tmp_by_uid() {
        assert_eq!(
            location(Some(PathBuf::from("/run/user/1000"))),
            PathBuf::from("/run/user/1000/csvault")
        );
        let uid = rustix::process::getuid().as_raw();
        let fallback = std::env::temp_dir().join(format!("csvault-{uid}"));
        assert_eq!(location(Some(PathBuf::from("relative/dir"))), fallback);
        assert_eq!(location(None), fallback);
    }

    #[test]
    fn a_missing_directory_is_made_0700() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("csvault");
        ensure_private(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        // A second use finds it as it left it.
        ensure_private(&dir).unwrap();
    }

    #[test]
    fn a_directory_others_can_reach_or_a_symlink_is_refused() {
        let base = tempfile::tempdir().unwrap();
        let open = base.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        let e = ensure_private(&open).unwrap_err();
        assert!(e.error_msg.contains("755"), "{}", e.error_msg);

        let private = base.path().join("private");
        std::fs::create_dir(&private).unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&private, &link).unwrap();
        let e = ensure_private(&link).unwrap_err();
        assert!(e.error_msg.contains("not a directory"), "{}", e.error_msg);

        let file = base.path().join("file");
        std::fs::write(&file, b"").unwrap();
        assert!(ensure_private(&file).is_err());
    }
}
