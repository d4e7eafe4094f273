//! `VaultError`: what a vault operation can fail with, turned into the CSMS error shape at the edge.

use crate::csms::{ApiError, ErrorCode};
use crate::kms::KmsError;
use crate::store::StoreError;

/// A vault failure, keeping its cause: a broken rule (already in the CSMS shape), or the store's or
/// the key manager's error with its source. The edges map it once, with [`VaultError::to_api`].
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Kms(#[from] KmsError),
}

impl VaultError {
    /// The CSMS error body this failure answers with.
    pub fn to_api(&self) -> ApiError {
        match self {
            Self::Api(e) => e.clone(),
            Self::Kms(e) => {
                let code = match e {
                    KmsError::WrongPassphrase => ErrorCode::WrongPassphrase,
                    KmsError::WeakPassphrase(_) => ErrorCode::NoPassphrase,
                    KmsError::BadHeader(_) => ErrorCode::VaultCorrupt,
                    KmsError::Integrity(_) => ErrorCode::KeyUnusable,
                    KmsError::Random => ErrorCode::Internal,
                };
                ApiError::new(code, sentence(&e.to_string()))
            }
            Self::Store(e) => {
                let code = match e {
                    StoreError::NoVault(_) => ErrorCode::NoVault,
                    StoreError::Exists(_) | StoreError::Occupied { .. } => ErrorCode::VaultExists,
                    StoreError::Busy(_) => ErrorCode::VaultBusy,
                    StoreError::Corrupt { .. } | StoreError::Foreign { .. } => {
                        ErrorCode::VaultCorrupt
                    }
                    // Something at the vault path that is not a file, cannot be looked at, or a
                    // `-wal`/`-shm` beside it that is not ours: all VAULT.0007.
                    StoreError::File { .. }
                    | StoreError::Unavailable { .. }
                    | StoreError::NotAFile { .. }
                    | StoreError::Unreachable { .. }
                    | StoreError::UnsafeSidecar { .. }
                    | StoreError::GroupAborted => ErrorCode::Io,
                    StoreError::Sqlite(_) => ErrorCode::Internal,
                };
                let msg = match e {
                    StoreError::NoVault(p) => format!(
                        "No vault at {}: run `csvault init` to create one.",
                        p.display()
                    ),
                    // These begin with the path, whose first letter is not ours to capitalise.
                    StoreError::Occupied { .. }
                    | StoreError::Foreign { .. }
                    | StoreError::NotAFile { .. } => with_full_stop(e.to_string()),
                    other => sentence(&other.to_string()),
                };
                ApiError::new(code, msg)
            }
        }
    }
}

impl From<VaultError> for ApiError {
    fn from(e: VaultError) -> Self {
        e.to_api()
    }
}

/// A message that begins with a path, ended with a full stop.
fn with_full_stop(mut text: String) -> String {
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// A library message as a sentence: capital first letter, full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}
