//! The vault service's tests, on temporary vault files: what they share (a vault on the cheap KDF,
//! requests, the error code of a result), and one child per subject.

mod checks;
mod cloud;
mod events;
mod execute;
mod export;
mod lifecycle;
mod ops;
mod records;
mod remotes;
mod rotation;
mod service;
mod tags;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::{ManualClock, Vault, VaultResult, header_row};
use crate::csms::CreateSecretRequest;
use crate::kms::{KdfParams, Keyring, VaultHeader};
use crate::store::Store;

const PASSPHRASE: &[u8] = b"correct horse battery staple";
/// 2026-01-01T00:00:00Z in ms.
const T0: i64 = 1_767_225_600_000;

impl Vault {
    /// [`Vault::init`] on [`KdfParams::CHEAP`] (and without the passphrase rule): a vault in
    /// microseconds. [`Vault::open`] accepts it in test builds only.
    fn init_for_tests(path: &Path, passphrase: &[u8]) -> VaultResult<Self> {
        Self::ensure_absent(path)?;
        let (header, root, kek) = VaultHeader::create_keeping_kek(passphrase, KdfParams::CHEAP)?;
        let store = Store::create(path, &header_row(&header))?;
        let keyring = Keyring::new(&header.vault_id, &root).with_kek(&header.salt, kek);
        Ok(Self::over(store, keyring))
    }
}

/// A vault file in its own tempdir, kept while this lives.
struct TempVault {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl TempVault {
    /// A new vault on the cheap KDF, unlocked.
    fn new() -> (Self, Vault) {
        Self::made_by(Vault::init_for_tests)
    }

    /// A new vault as [`Vault::init`] makes it, on the real Argon2id cost: for the tests of what
    /// unlocks it.
    fn real() -> (Self, Vault) {
        Self::made_by(Vault::init)
    }

    fn made_by(init: fn(&Path, &[u8]) -> VaultResult<Vault>) -> (Self, Vault) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("vault.db");
        let vault = init(&path, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
        (Self { _dir: dir, path }, vault)
    }

    fn reopen(&self) -> Vault {
        Vault::open(&self.path, PASSPHRASE).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A plain SQLite connection to the file, beside the vault's own.
    fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// A new cheap vault reading time from a manual clock at [`T0`].
fn vault() -> (TempVault, Vault, Arc<ManualClock>) {
    let (tv, v) = TempVault::new();
    let clock = Arc::new(ManualClock::at(T0));
    (tv, v.with_clock(clock.clone()), clock)
}

fn text_request(name: &str, value: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new(value.into())),
        ..CreateSecretRequest::default()
    }
}

fn binary_request(name: &str, bytes: &[u8]) -> CreateSecretRequest {
    use base64::Engine;
    CreateSecretRequest {
        name: name.into(),
        secret_binary: Some(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        )),
        ..CreateSecretRequest::default()
    }
}

/// The CSMS error code of a result that must be an error.
fn code<T: std::fmt::Debug>(r: VaultResult<T>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_api().error_code(),
    }
}
