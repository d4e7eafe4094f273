//! `--edit`: a secret value written in the user's editor, in a 0600 file of a fresh 0700
//! directory inside the private runtime directory (`crate::runtime_dir`), overwritten with
//! zeros, synced and removed with its directory on every path ([`Scratch`]'s `Drop`).

use rustix::fs::OFlags;
use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use zeroize::Zeroizing;

use super::prompt::SignalFlags;
use crate::csms::{ApiError, ErrorCode, MAX_VALUE_BYTES};

/// The editor: `$VISUAL`, else `$EDITOR`, else `vi`; split on whitespace (`code -w`).
pub fn editor_command() -> Vec<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .find(|words| !words.is_empty())
        .unwrap_or_else(|| vec!["vi".to_owned()])
}

/// A scratch directory and the file in it, wiped and removed when dropped.
struct Scratch {
    dir: PathBuf,
    file: PathBuf,
}

impl Scratch {
    /// A fresh 0700 directory under the private runtime directory, holding an empty 0600 file
    /// made with `create_new`.
    fn new() -> Result<Self, ApiError> {
        let base = crate::runtime_dir::private_dir()?;
        let dir = base.join(format!("edit-{}", uuid::Uuid::new_v4().simple()));
        DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(|e| io_error(&dir, &e))?;
        let file = dir.join("value.txt");
        let scratch = Self { dir, file };
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&scratch.file)
            .map_err(|e| io_error(&scratch.file, &e))?;
        Ok(scratch)
    }
}

/// Overwrites a regular file with zeros, syncs it and removes it. A symlink is never followed
/// (the editor may have put one in the file's place: its target, outside, is left untouched)
/// and nothing but a regular file is written to; either is only removed.
fn wipe(path: &Path) {
    // O_NOFOLLOW: a symlink in the last component fails the open; O_NONBLOCK: a FIFO put there
    // does not block it. The type is checked on the opened file, so nothing swapped in between
    // is written to.
    let flags = i32::try_from((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits()).unwrap_or(0);
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    if regular
        && flags != 0
        && let Ok(mut file) = OpenOptions::new()
            .write(true)
            .custom_flags(flags)
            .open(path)
        && let Ok(meta) = file.metadata()
        && meta.is_file()
    {
        let zeros = [0u8; 4096];
        let mut left = meta.len();
        let _ = file.rewind();
        while left > 0 {
            let n = usize::try_from(left.min(4096)).unwrap_or(4096);
            if file.write_all(&zeros[..n]).is_err() {
                break;
            }
            left -= n as u64;
        }
        let _ = file.sync_all();
    }
    let _ = std::fs::remove_file(path);
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The value file, and whatever the editor left beside it (a backup, a swap file).
        wipe(&self.file);
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    wipe(&entry.path());
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Io,
        format!("Cannot prepare {} for the editor: {e}", path.display()),
    )
}

/// Opens the editor on a new private file and returns what was written in it, one trailing
/// newline (`\n` or `\r\n`) removed. Nothing is left on disk afterwards, whatever happens.
///
/// Errors: `VAULT.0007` when the editor cannot be started, exits non-zero or is interrupted;
/// `CSMS.0002` for an empty value, more than the API's 32 KB, or bytes that are not UTF-8.
pub fn value_from_editor() -> Result<Zeroizing<String>, ApiError> {
    // Ctrl+C (or a hangup, a TERM) while the editor runs goes to the editor; this process only
    // notes it, so it lives to wipe the file and create nothing. Only until then: `signals` is
    // dropped after `scratch` (wiped), and these signals end the command as usual again (the
    // KDF, the create).
    let signals = SignalFlags::new(&[
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ]);
    let scratch = Scratch::new()?;
    let words = editor_command();
    let Some((program, args)) = words.split_first() else {
        return Err(ApiError::new(ErrorCode::Io, "No editor is set."));
    };
    let status = Command::new(program).args(args).arg(&scratch.file).status();
    let status = status.map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("Cannot start the editor {program}: {e}; nothing was created."),
        )
    })?;
    if signals.flag().load(Ordering::Relaxed) {
        return Err(ApiError::new(
            ErrorCode::Io,
            "Interrupted while editing; nothing was created.",
        ));
    }
    if !status.success() {
        return Err(ApiError::new(
            ErrorCode::Io,
            format!("The editor {program} failed ({status}); nothing was created."),
        ));
    }
    read_value(&scratch.file)
}

/// The file's text, at most [`MAX_VALUE_BYTES`] plus a newline, one trailing newline removed.
fn read_value(path: &Path) -> Result<Zeroizing<String>, ApiError> {
    let limit = MAX_VALUE_BYTES as u64 + 2;
    // Room for all that is read, up front: a growing Vec would leave unwiped copies behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(MAX_VALUE_BYTES + 3));
    File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Io,
                format!("Cannot read what the editor wrote: {e}; nothing was created."),
            )
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        ApiError::invalid("Invalid secret_string: what was written is not UTF-8 text.")
    })?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if text.is_empty() {
        return Err(ApiError::invalid(
            "Invalid secret_string: the value is empty; nothing was created.",
        ));
    }
    if text.len() > MAX_VALUE_BYTES {
        return Err(ApiError::invalid(format!(
            "Invalid secret_string: more than {MAX_VALUE_BYTES} bytes were written; nothing \
             was created."
        )));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_trailing_newline_is_removed() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let path = dir.path().join("v");
        for (written, read) in [
            ("s3cret\n", Some("s3cret")),
            ("s3cret\r\n", Some("s3cret")),
            ("two\n\n", Some("two\n")),
            ("\n", None),
            ("", None),
        ] {
            assert!(std::fs::write(&path, written).is_ok());
            let got = read_value(&path).ok().map(|v| v.to_string());
            assert_eq!(got.as_deref(), read, "{written:?}");
        }
        assert!(std::fs::write(&path, "x".repeat(MAX_VALUE_BYTES + 1)).is_ok());
        assert!(read_value(&path).is_err(), "over the limit");
    }
}
