//! What comes due with time, done in one place: run when a vault is opened and, while `serve` or
//! the terminal app runs, about every minute (docs/DECISIONS.md "automatic rotation", "what
//! fires").

use super::{Vault, VaultResult};
use crate::csms::Housekeeping;

impl Vault {
    /// Does everything that has come due by the vault's clock: the purge of secrets whose
    /// scheduled deletion has come, then the automatic rotations due (each in its own
    /// transaction) and the pruning of rotation tasks older than 3 months. Writes nothing when
    /// nothing is due, so a read-only vault still opens.
    ///
    /// Errors: the store's (`VAULT.0005` when another process keeps the vault busy).
    pub fn housekeeping(&self) -> VaultResult<Housekeeping> {
        let purged = self.purge_due()?;
        let rotation = self.rotate_due()?;
        self.prune_tasks()?;
        Ok(Housekeeping {
            purged,
            rotated: rotation.rotated,
            rotation_failed: rotation.failed,
        })
    }
}
