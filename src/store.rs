//! SQLite storage: one file, schema and migrations, pragmas, permissions; rows in, rows out.
//!
//! The store only ever sees metadata and ciphertext.

mod file;
pub mod keys;
mod schema;
pub mod secrets;

pub use file::Store;
pub use secrets::{NewVersion, SecretRow, SecretWriter, VersionRow};

use std::path::PathBuf;

/// What can go wrong below the vault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no vault at {0}")]
    NoVault(PathBuf),
    #[error("a vault already exists at {0}")]
    Exists(PathBuf),
    #[error("the vault is busy: another csvault process holds it")]
    Busy,
    #[error("the vault file is damaged or not a csvault vault: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Busy,
            Some(C::NotADatabase | C::DatabaseCorrupt) => Self::Corrupt(e.to_string()),
            Some(
                C::CannotOpen
                | C::ReadOnly
                | C::DiskFull
                | C::SystemIoFailure
                | C::PermissionDenied,
            ) => Self::Io(e.to_string()),
            _ => Self::Sqlite(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
