//! The vault service: every CSMS operation, one SQLite transaction each; the only place keys meet storage.

mod create;
mod error;
mod keys;
mod read;

pub use create::BatchOutcome;
pub use error::VaultError;
pub use read::SecretDetail;

use std::path::Path;

use crate::kms::{KdfParams, Keyring, VaultHeader};
use crate::store::{Store, keys as key_rows};

/// An unlocked vault. Holds no UI state: the terminal app, the command line (and later a local
/// endpoint) are edges over the same service.
#[derive(Debug)]
pub struct Vault {
    store: Store,
    keyring: Keyring,
}

pub type VaultResult<T> = Result<T, VaultError>;

impl Vault {
    /// Creates a vault file protected by `passphrase`; refuses to overwrite one.
    pub fn init(path: &Path, passphrase: &[u8]) -> VaultResult<Self> {
        if path.exists() {
            return Err(crate::store::StoreError::Exists(path.to_owned()).into());
        }
        let (header, root) = VaultHeader::create(passphrase, KdfParams::default())?;
        let store = Store::create(path, &header)?;
        Ok(Self {
            keyring: Keyring::new(&header.vault_id, &root),
            store,
        })
    }

    /// Opens and unlocks an existing vault. A wrong passphrase changes nothing.
    pub fn open(path: &Path, passphrase: &[u8]) -> VaultResult<Self> {
        let store = Store::open(path)?;
        let header = store.load_header()?;
        let root = header.unlock(passphrase)?;
        Ok(Self {
            keyring: Keyring::new(&header.vault_id, &root),
            store,
        })
    }

    /// Whether a vault file is at `path`.
    pub fn exists(path: &Path) -> bool {
        path.exists()
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn vault_id(&self) -> &str {
        self.keyring.vault_id()
    }

    /// Makes sure the CMK's material is unwrapped and ready.
    fn load_key(&mut self, key_id: &str) -> VaultResult<()> {
        if !self.keyring.is_loaded(key_id) {
            let wrapped = key_rows::wrapped_material(self.store.conn_ref(), key_id)?;
            self.keyring.load_cmk(key_id, &wrapped)?;
        }
        Ok(())
    }
}

/// Milliseconds since the epoch: the unit of every CSMS time.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
