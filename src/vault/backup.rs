//! `BackupVault`: a whole-vault copy made while others write (SQLite's online backup API), checked
//! (integrity, the passphrase unlocks it to this vault's root key, every CMK opens) before it is
//! moved into place (docs/DECISIONS.md "Issue 16: backup").

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Vault, VaultResult};
use crate::csms::{ApiError, BackupReport, BackupRequest, ErrorCode};
use crate::store::publish::{Staged, io_error, is_vault_file};
use crate::store::{CopyPace, Store, StoreError};

/// Pages per backup step (4 MiB of 4 KiB pages) and the pause between steps.
const PACE: CopyPace = CopyPace {
    pages_per_step: 1024,
    pause: Duration::from_millis(5),
};

fn refused(msg: String) -> ApiError {
    ApiError::new(ErrorCode::Io, msg)
}

impl Vault {
    /// Backs the vault up into `req.path`: the copy is made in a temporary file (0600 from its
    /// creation) beside it, by SQLite's online backup API from one snapshot (other handles and
    /// processes keep writing; the copy is the vault as of one commit), flushed, then checked:
    /// `PRAGMA integrity_check` on its main file alone (so it needs no `-wal`), the vault id, the
    /// passphrase this vault was unlocked with unwrapping its root key (no passphrase asked
    /// again), every CMK opening under that root key. Only then is it moved to `req.path`.
    ///
    /// Errors: `CSMS.0002` a relative path or one naming the vault itself or its `-wal`, `-shm`
    /// or `-journal` (by name or by inode); `VAULT.0006` a file
    /// at the path without `force`; `VAULT.0007` a symlink, directory or anything but a file at
    /// the path (never followed, even with `force`), a missing directory, an I/O error, a
    /// passphrase changed since this vault was unlocked (unlock again); `VAULT.0003` a copy that
    /// fails its checks. A failure leaves nothing at `req.path` and no temporary file.
    pub fn backup(&self, req: &BackupRequest) -> VaultResult<BackupReport> {
        let path = &req.path;
        if !path.is_absolute() {
            return Err(ApiError::invalid(format!(
                "Invalid path: {} is not absolute.",
                path.display()
            ))
            .into());
        }
        if is_vault_file(path, &self.path()) {
            return Err(ApiError::invalid(format!(
                "Invalid path: {} is the vault itself or its -wal, -shm or -journal file.",
                path.display()
            ))
            .into());
        }
        Self::check_destination(path, req.force)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("/"),
        };
        if !dir.is_dir() {
            return Err(refused(format!("The directory {} does not exist.", dir.display())).into());
        }
        // `.NAME.backup-<random>`, removed with any `-journal` SQLite left unless published.
        let (staged, file) = Staged::create(path, &dir, "backup", &["-journal"])?;
        drop(file);
        let time = self.now_ms();
        // Its own connection: this handle stays free for others meanwhile.
        let source = self.handle()?;
        source.store().copy_into(staged.path(), PACE, |_, _| {})?;
        drop(source);
        let facts = Store::inspect_copy(staged.path())?;
        if facts.header.vault_id != self.vault_id() {
            return Err(StoreError::corrupt("the copy holds another vault").into());
        }
        let header = super::header_of(facts.header);
        if !self.keyring.unlocks_copy(&header)? {
            return Err(refused(
                "The passphrase was changed since this vault was unlocked, so the copy cannot be \
                 checked against it: unlock again (csvault lock, then unlock) and back up again."
                    .to_owned(),
            )
            .into());
        }
        if let Some((key_id, _)) = facts
            .keys
            .iter()
            .find(|(id, wrapped)| !self.keyring.opens_cmk(id, wrapped))
        {
            return Err(
                StoreError::corrupt(format!("the copy's CMK {key_id} does not open")).into(),
            );
        }
        let bytes = fs::metadata(staged.path())
            .map(|m| m.len())
            .map_err(|e| io_error("look at", staged.path(), e))?;
        if let Err(e) = staged.publish(path, &dir, req.force) {
            if let StoreError::File { source, .. } = &e
                && source.kind() == io::ErrorKind::AlreadyExists
            {
                return Err(ApiError::new(
                    ErrorCode::VaultExists,
                    format!(
                        "{} appeared meanwhile; nothing was replaced.",
                        path.display()
                    ),
                )
                .into());
            }
            return Err(e.into());
        }
        Ok(BackupReport {
            path: path.display().to_string(),
            bytes,
            secrets: facts.secrets,
            time,
        })
    }

    /// What is at the destination now: nothing, or (with `force`) a regular file. A symlink is
    /// never followed.
    fn check_destination(path: &Path, force: bool) -> VaultResult<()> {
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error("look at", path, e).into()),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Err(refused(format!(
                "{} is a symbolic link; a backup never follows or replaces one.",
                path.display()
            ))
            .into());
        }
        if !kind.is_file() {
            return Err(refused(format!("{} is not a regular file.", path.display())).into());
        }
        if !force {
            return Err(ApiError::new(
                ErrorCode::VaultExists,
                format!(
                    "{} already exists; give --force to replace it.",
                    path.display()
                ),
            )
            .into());
        }
        Ok(())
    }
}
