//! The vault service: every CSMS operation, one SQLite transaction each; the only place keys meet
//! storage. `Send + Sync`, every operation `&self`; [`Vault::handle`] gives another thread its own
//! connection over the same unlocked keys.

mod backup;
mod batch;
mod blob;
mod checks;
mod clock;
mod cloud;
mod create;
mod credentials;
mod deletion;
mod error;
mod events;
mod execute;
mod export;
mod housekeeping;
mod import;
mod keys;
mod notify;
mod passphrase;
mod read;
mod remote_rules;
mod remotes;
mod report;
mod rotation;
mod rules;
mod seal;
mod settings;
mod stages;
mod sync_state;
mod tags;
mod update;
mod versions;

pub use crate::csms::op::ImportOutcome;
pub use crate::csms::{DetailVersion, SecretDetail};
/// The rule for new passphrases, shared by every edge that asks for one.
pub use crate::kms::{MIN_PASSPHRASE_CHARS, new_passphrase_problem};
pub use blob::MAX_BLOB_CHARS;
pub use checks::check_secret;
pub use clock::{Clock, ManualClock, SystemClock};
pub use credentials::EndpointCredentials;
pub use error::VaultError;
pub use notify::{
    DELIVERY_TIMEOUT, Deliveries, NOTIFY_COMMAND_ENV, STALE_PENDING_MS, await_deliveries,
    configure_delivery,
};
pub use remote_rules::{
    MAX_ACCESS_KEY_BYTES, MAX_CA_PEM_BYTES, MAX_SECRET_KEY_BYTES, check_remote_endpoints,
    check_remote_name, check_remote_spec,
};
pub use rotation::RotationPass;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::csms::{KeyInfo, Secret};
use crate::kms::{KdfParams, Keyring, KmsError, VaultHeader};
use crate::store::{HeaderRow, KeyRow, SecretRow, Store, StoreError, keys as key_rows};

/// An unlocked vault. Holds no UI state: the terminal app, the command line and the local
/// endpoint are edges over the same service.
///
/// Each `Vault` owns one SQLite connection (behind a mutex, so it can be shared too); threads that
/// work at the same time should each take a [`Vault::handle`].
#[derive(Debug)]
pub struct Vault {
    store: Mutex<Store>,
    keyring: Arc<Keyring>,
    clock: Arc<dyn Clock>,
}

pub type VaultResult<T> = Result<T, VaultError>;

impl Vault {
    /// Creates a vault file protected by `passphrase`, atomically: afterwards a whole vault is at
    /// `path`, or nothing is. Never overwrites anything.
    ///
    /// Errors: as [`Vault::ensure_absent`]; `VAULT.0004` for a passphrase shorter than
    /// [`MIN_PASSPHRASE_CHARS`]; `VAULT.0007` when the directory or file cannot be made.
    pub fn init(path: &Path, passphrase: &[u8]) -> VaultResult<Self> {
        Self::ensure_absent(path)?;
        // Every edge passes UTF-8; raw bytes from a library caller are taken as they are.
        if let Some(problem) = std::str::from_utf8(passphrase)
            .ok()
            .and_then(new_passphrase_problem)
        {
            return Err(KmsError::WeakPassphrase(problem).into());
        }
        let (header, root, kek) =
            VaultHeader::create_keeping_kek(passphrase, KdfParams::default())?;
        let store = Store::create(path, &header_row(&header))?;
        let keyring = Keyring::new(&header.vault_id, &root).with_kek(&header.salt, kek);
        Ok(Self::over(store, keyring))
    }

    /// Opens and unlocks an existing vault. A wrong passphrase changes nothing; a file that is not
    /// a vault is refused unchanged.
    ///
    /// Errors: as [`Vault::probe`], plus `VAULT.0001` (nothing there), `VAULT.0002` (wrong
    /// passphrase), `VAULT.0007` (a `-wal`/`-shm` beside it that is not ours or not private).
    pub fn open(path: &Path, passphrase: &[u8]) -> VaultResult<Self> {
        Self::open_with_clock(path, passphrase, Arc::new(SystemClock))
    }

    /// [`Vault::open`] reading time from `clock`; what has come due by that clock is done
    /// ([`Vault::housekeeping`]: the purge of docs/DECISIONS.md "states", …).
    pub fn open_with_clock(
        path: &Path,
        passphrase: &[u8],
        clock: Arc<dyn Clock>,
    ) -> VaultResult<Self> {
        let store = Store::open(path)?;
        let header = header_of(store.load_header()?);
        let (root, kek) = header.unlock_keeping_kek(passphrase)?;
        let keyring = Keyring::new(&header.vault_id, &root).with_kek(&header.salt, kek);
        let vault = Self::over(store, keyring).with_clock(clock);
        vault.housekeeping()?;
        Ok(vault)
    }

    fn over(store: Store, keyring: Keyring) -> Self {
        Self {
            store: Mutex::new(store),
            keyring: Arc::new(keyring),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same vault read by another clock (tests, and the handles made from this one).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Another handle on this unlocked vault: its own SQLite connection, the same keys and clock.
    /// Errors: the file cannot be opened again (moved, removed, permissions changed), or the file
    /// at the path is now another vault (`VAULT.0003`: its keys are not ours to use there).
    pub fn handle(&self) -> VaultResult<Self> {
        let path = self.path();
        let store = Store::open(&path)?;
        if store.load_header()?.vault_id != self.keyring.vault_id() {
            return Err(StoreError::corrupt(format!(
                "{} is now another vault than the one unlocked",
                path.display()
            ))
            .into());
        }
        Ok(Self {
            store: Mutex::new(store),
            keyring: Arc::clone(&self.keyring),
            clock: Arc::clone(&self.clock),
        })
    }

    /// Whether something is at `path` for [`Vault::open`] to look at: a vault, but also anything
    /// (a directory, a file that is not a vault, a path that cannot be looked at) that `open` then
    /// names exactly. `false` only when nothing is there, so `init` is the way on.
    pub fn exists(path: &Path) -> bool {
        !matches!(Store::probe(path), Ok(false))
    }

    /// Looks at `path` without writing anything: `Ok(true)` a csvault vault is there, `Ok(false)`
    /// nothing is.
    ///
    /// Errors: `VAULT.0003` for a file that is not a vault (empty, not SQLite, another
    /// application's database); `VAULT.0007` for a directory, a symlink to a missing file, a
    /// path that cannot be looked at or a file that cannot be read.
    pub fn probe(path: &Path) -> VaultResult<bool> {
        Ok(Store::probe(path)?)
    }

    /// Checks that `init` may create a vault at `path`, before a passphrase is asked for.
    ///
    /// Errors: `VAULT.0006` when a vault or any other file is there; `VAULT.0007` for a directory,
    /// a symlink to a missing file or a path that cannot be looked at.
    pub fn ensure_absent(path: &Path) -> VaultResult<()> {
        Ok(Store::ensure_free(path)?)
    }

    /// The error for "no vault at `path`" (`VAULT.0001`), said before asking for a passphrase.
    pub fn missing(path: &Path) -> VaultError {
        StoreError::NoVault(path.to_owned()).into()
    }

    pub fn path(&self) -> PathBuf {
        self.store().path().to_owned()
    }

    pub fn vault_id(&self) -> &str {
        self.keyring.vault_id()
    }

    /// The vault id the file at `path` says it holds now, read cheaply and without locks (a file
    /// copied over a vault in place keeps its inode, not its id); `None` when it cannot be read
    /// now (a copy under way, a file that is not a vault).
    pub fn id_in_file(path: &Path) -> Option<String> {
        Store::vault_id_in_file(path).ok()
    }

    /// A number that changes whenever another connection (another handle or process) commits to
    /// the vault: cheap to poll, so an open view can notice and reload (`PRAGMA data_version`).
    pub fn data_version(&self) -> VaultResult<i64> {
        Ok(self.store().data_version()?)
    }

    /// Now, in ms since the epoch, by this vault's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs `ops` (any operations on this handle) as one group commit: they join one write
    /// transaction as savepoints, so each still succeeds or fails alone, and a single commit, one
    /// `fsync`, makes all that succeeded durable. Nothing `ops` returns may be reported as done
    /// before this returns `Ok`; on `Err` nothing of the group is in the vault.
    ///
    /// Errors: `VAULT.0005` when another connection keeps the write lock past the busy timeout
    /// (before `ops` runs); `VAULT.0007` when SQLite rolled the group back itself (an I/O error,
    /// a full disk); the commit's own failure (`VAULT.0007` or `CSMS.0500`).
    pub fn group<T>(&self, ops: impl FnOnce(&Self) -> T) -> VaultResult<T> {
        self.store().begin_group()?;
        let guard = GroupGuard(self);
        let out = ops(self);
        std::mem::forget(guard);
        self.store().commit_group()?;
        // What the group fired is delivered now that it is committed.
        if notify::delivers() {
            notify::wake(&self.path());
        }
        Ok(out)
    }

    /// This handle's connection. A panic in another caller cannot leave it mid-transaction (a
    /// dropped transaction rolls back), so a poisoned lock is still usable.
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes sure the CMK's material is unwrapped and ready.
    fn load_key(&self, conn: &rusqlite::Connection, key_id: &str) -> VaultResult<()> {
        if !self.keyring.is_loaded(key_id) {
            let wrapped = key_rows::wrapped_material(conn, key_id)?;
            self.keyring.load_cmk(key_id, &wrapped)?;
        }
        Ok(())
    }
}

/// Rolls back a group whose operations panicked, so the handle is usable again.
struct GroupGuard<'v>(&'v Vault);

impl Drop for GroupGuard<'_> {
    fn drop(&mut self) {
        self.0.store().abort_group();
    }
}

/// The API record of a stored secret.
fn secret_of(row: SecretRow) -> Secret {
    Secret {
        id: row.id,
        name: row.name,
        state: row.state,
        kms_key_id: row.kms_key_id,
        description: row.description.unwrap_or_default(),
        create_time: row.create_time,
        update_time: row.update_time,
        scheduled_delete_time: row.scheduled_delete_time,
        secret_type: row.secret_type,
        settings: Box::new(row.settings),
    }
}

/// The header row that stores a key manager's header.
fn header_row(h: &VaultHeader) -> HeaderRow {
    HeaderRow {
        format: h.format,
        vault_id: h.vault_id.clone(),
        kdf_memory_kib: h.kdf.memory_kib,
        kdf_iterations: h.kdf.iterations,
        kdf_parallelism: h.kdf.parallelism,
        salt: h.salt.clone(),
        wrapped_root_key: h.wrapped_root_key.clone(),
    }
}

/// The key manager's header of a stored row.
fn header_of(row: HeaderRow) -> VaultHeader {
    VaultHeader {
        format: row.format,
        vault_id: row.vault_id,
        kdf: KdfParams {
            memory_kib: row.kdf_memory_kib,
            iterations: row.kdf_iterations,
            parallelism: row.kdf_parallelism,
        },
        salt: row.salt,
        wrapped_root_key: row.wrapped_root_key,
    }
}

/// The KMS record of a stored CMK.
fn key_of(row: KeyRow) -> KeyInfo {
    KeyInfo {
        key_id: row.key_id,
        key_alias: row.alias,
        key_description: row.description,
        key_state: row.state,
        creation_date: row.creation_date,
        default_key: row.is_default,
    }
}

/// Generate Random Password: needs no vault. Errors: `CSMS.0002` for a length outside 1–255, no
/// characters left to draw from, or fewer characters than required types.
pub fn generate_password(
    req: &crate::csms::GeneratePasswordRequest,
) -> VaultResult<crate::csms::PasswordResponse> {
    let length = req.length()?;
    let classes = req.classes()?;
    let pools: Vec<&[char]> = classes.iter().map(|(_, chars)| chars.as_slice()).collect();
    let password = crate::kms::generate_password(length, &pools, req.require_each_included_type)?;
    Ok(crate::csms::PasswordResponse { password })
}

#[cfg(test)]
mod tests;
