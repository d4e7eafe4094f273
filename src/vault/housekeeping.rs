//! What comes due with time, done in one place: run when a vault is opened and, while `serve` or
//! the terminal app runs, about every minute (docs/DECISIONS.md "automatic rotation", "what
//! fires").

use super::{Vault, VaultResult, notify};
use crate::csms::Housekeeping;

impl Vault {
    /// Does everything that has come due by the vault's clock: versions past their
    /// `expire_time` (`SECRET_VERSION_EXPIRED`, noticed before the purge, so a version of a
    /// secret purged now still fires), the purge of secrets whose scheduled deletion has come,
    /// the automatic rotations due (each in its own transaction), the pruning of rotation tasks
    /// and notification records older than 3 months, and deliveries that never ended. Writes
    /// nothing when nothing is due, so a read-only vault still opens.
    ///
    /// Errors: the store's (`VAULT.0005` when another process keeps the vault busy).
    pub fn housekeeping(&self) -> VaultResult<Housekeeping> {
        let expired = self.notice_expiries()?;
        let purged = self.purge_due()?;
        let rotation = self.rotate_due()?;
        self.prune_tasks()?;
        self.keep_records()?;
        if notify::delivers() {
            notify::wake(&self.path());
        }
        Ok(Housekeeping {
            expired,
            purged,
            rotated: rotation.rotated,
            rotation_failed: rotation.failed,
        })
    }
}
