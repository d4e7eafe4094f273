//! Changing the passphrase: the root key is re-wrapped under the new one, in one transaction;
//! nothing else changes, so it takes the same time for any number of secrets.

use super::{Vault, VaultResult, new_passphrase_problem};
use crate::csms::{ApiError, ErrorCode};
use crate::kms::KmsError;
use crate::store::{Store, StoreError};

impl Vault {
    /// Re-wraps the root key under `new_passphrase` (fresh salt, same Argon2id parameters).
    /// Atomic: until it commits, the old passphrase opens the vault; afterwards only the new one.
    /// Errors: `VAULT.0004` a new passphrase shorter than 8 characters, `VAULT.0005` busy.
    pub fn change_passphrase(&self, new_passphrase: &[u8]) -> VaultResult<()> {
        let text = std::str::from_utf8(new_passphrase)
            .map_err(|_| KmsError::WeakPassphrase("is not UTF-8 text".into()))?;
        if let Some(problem) = new_passphrase_problem(text) {
            return Err(KmsError::WeakPassphrase(problem).into());
        }
        let mut store = self.store();
        let header = super::header_of(store.load_header()?);
        let next = self.keyring.rewrap(&header, new_passphrase)?;
        let tx = store.immediate()?;
        if !Store::save_header(&tx, &header.salt, &super::header_row(&next))? {
            return Err(ApiError::new(
                ErrorCode::VaultBusy,
                "The passphrase was changed by another process meanwhile; nothing was changed.",
            )
            .into());
        }
        tx.commit().map_err(StoreError::from)?;
        // The old header leaves the log (and, with secure_delete, the file) at once.
        store.checkpoint();
        Ok(())
    }
}
