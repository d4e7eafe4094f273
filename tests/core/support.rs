//! What the core tests share: a temporary unlocked vault and requests to fill it.

use csvault::csms::CreateSecretRequest;
use csvault::vault::Vault;
use std::path::PathBuf;
use zeroize::Zeroizing;

pub const PASSPHRASE: &[u8] = b"correct horse battery staple";

pub struct TempVault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempVault {
    pub fn new() -> (Self, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        let vault = Vault::init(&path, PASSPHRASE).unwrap();
        (Self { dir, path }, vault)
    }

    pub fn reopen(&self) -> Vault {
        Vault::open(&self.path, PASSPHRASE).unwrap()
    }

    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

pub fn text_request(name: &str, value: &str) -> CreateSecretRequest {
    CreateSecretRequest {
        name: name.into(),
        secret_string: Some(Zeroizing::new(value.into())),
        ..Default::default()
    }
}

pub fn binary_request(name: &str, bytes: &[u8]) -> CreateSecretRequest {
    use base64::Engine;
    CreateSecretRequest {
        name: name.into(),
        secret_binary: Some(Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(bytes),
        )),
        ..Default::default()
    }
}
