//! What comes due with time, done in one place: run when a vault is opened and, while `serve` or
//! the terminal app runs, about every minute (docs/DECISIONS.md "automatic rotation", "what
//! fires").

use super::{Vault, VaultResult, notify};

impl Vault {
    /// Does everything that has come due by the vault's clock: the purge of secrets whose
    /// scheduled deletion has come; versions past their `expire_time` (`SECRET_VERSION_EXPIRED`,
    /// noticed before the purge, so a version of a secret purged now still fires), notification
    /// records past 3 months, deliveries that never ended. Writes nothing when nothing is due,
    /// so a read-only vault still opens.
    ///
    /// Errors: the store's (`VAULT.0005` when another process keeps the vault busy).
    pub fn housekeeping(&self) -> VaultResult<()> {
        // Events and notification records (issue 14).
        self.notice_expiries()?;
        self.purge_due()?;
        // Events and notification records (issue 14).
        self.keep_records()?;
        if notify::delivers() {
            notify::wake(&self.path());
        }
        Ok(())
    }
}
