//! Changing the passphrase: the root key is re-wrapped under the new one, in one transaction;
//! nothing else changes, so it takes the same time for any number of secrets.

use super::{Vault, VaultResult, new_passphrase_problem};
use crate::kms::KmsError;
use crate::store::{Store, StoreError};

impl Vault {
    /// Re-wraps the root key under `new_passphrase` (fresh salt, same Argon2id parameters).
    /// Atomic: until it commits, the old passphrase opens the vault; afterwards only the new one.
    /// Errors: `VAULT.0004` a new passphrase shorter than 8 characters, `VAULT.0005` busy.
    pub fn change_passphrase(&self, new_passphrase: &[u8]) -> VaultResult<()> {
        if let Some(problem) = std::str::from_utf8(new_passphrase)
            .ok()
            .and_then(new_passphrase_problem)
        {
            return Err(KmsError::WeakPassphrase(problem).into());
        }
        let mut store = self.store();
        let header = super::header_of(store.load_header()?);
        let next = self.keyring.rewrap(&header, new_passphrase)?;
        let tx = store.immediate()?;
        Store::save_header(&tx, &super::header_row(&next))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }
}
