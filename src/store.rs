//! SQLite storage: one file, schema and migrations, pragmas, permissions; rows in, rows out.
//!
//! The store only ever sees metadata and ciphertext, in its own row types; the vault turns them
//! into the contract's shapes.

mod file;
pub mod keys;
mod schema;
pub mod secrets;
pub mod versions;

pub use file::Store;
pub use keys::KeyRow;
pub use secrets::{SecretRow, SecretWriter};
pub use versions::{NewVersion, VersionRow, VersionSummary};

use std::path::PathBuf;

/// What can go wrong below the vault. Each variant keeps its cause (the SQLite or I/O error) and,
/// where a file is involved, its path. Messages never hold a secret value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no vault at {}", .0.display())]
    NoVault(PathBuf),
    #[error("a vault already exists at {}", .0.display())]
    Exists(PathBuf),
    #[error("the vault is busy: another csvault process holds it")]
    Busy(#[source] rusqlite::Error),
    /// The file is not a vault of ours, or a vault damaged beyond use.
    #[error("the vault file is damaged or not a csvault vault: {reason}")]
    Corrupt {
        reason: String,
        #[source]
        source: Option<rusqlite::Error>,
    },
    /// A file or directory could not be created, read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not read or write the file (cannot open, read-only, disk full, I/O error);
    /// `path` is known where the file was being opened.
    #[error("{source}")]
    Unavailable {
        path: Option<PathBuf>,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
}

impl StoreError {
    /// Names the file an error came from, where it does not say already.
    #[must_use]
    pub fn at(self, file: &std::path::Path) -> Self {
        match self {
            Self::Unavailable { path: None, source } => Self::Unavailable {
                path: Some(file.to_owned()),
                source,
            },
            other => other,
        }
    }

    /// A damaged or foreign file, with no SQLite error behind it.
    pub fn corrupt(reason: impl Into<String>) -> Self {
        Self::Corrupt {
            reason: reason.into(),
            source: None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Busy(e),
            Some(C::NotADatabase | C::DatabaseCorrupt) => Self::Corrupt {
                reason: e.to_string(),
                source: Some(e),
            },
            Some(
                C::CannotOpen
                | C::ReadOnly
                | C::DiskFull
                | C::SystemIoFailure
                | C::PermissionDenied,
            ) => Self::Unavailable {
                path: None,
                source: e,
            },
            _ => Self::Sqlite(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
