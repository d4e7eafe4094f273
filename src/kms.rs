//! The key manager: passphrase unlock, the root key, CMKs, per-version data keys, sealing values.
//!
//! Hierarchy: passphrase ─Argon2id→ KEK ─wraps→ root key ─wraps→ CMK material ─wraps→ data key
//! ─seals→ value. Every ciphertext carries associated data naming where it belongs.

mod aad;
mod header;
mod keyring;
mod password;
mod sealed;
mod secret_key;

pub use aad::ValueContext;
pub use header::{KdfParams, MIN_PASSPHRASE_CHARS, VaultHeader, new_passphrase_problem};
pub use keyring::{Keyring, RemoteBinding, SealedValue};
pub use password::{generate as generate_password, random_bytes};
pub use sealed::plaintext_len;
pub use secret_key::SecretKey;

/// What can go wrong in the key manager. No variant carries key material or plaintext.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KmsError {
    #[error("the passphrase does not unlock this vault (or its header was altered)")]
    WrongPassphrase,
    #[error("{0} failed its integrity check: it was altered or does not belong here")]
    Integrity(&'static str),
    #[error("the vault header is damaged: {0}")]
    BadHeader(String),
    #[error("the system random source failed")]
    Random,
    /// A new passphrase breaks the rule of [`new_passphrase_problem`]; the text says how.
    #[error("the passphrase {0}")]
    WeakPassphrase(String),
}
