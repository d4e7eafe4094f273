//! `SecretKey`: 256 bits of key material, zeroized on drop, never printed.

use aes_gcm_siv::{Aes256GcmSiv, KeyInit};
use std::fmt;
use zeroize::Zeroizing;

use super::KmsError;

pub const KEY_LEN: usize = 32;

/// A 256-bit key. `Debug` shows nothing of it; the bytes are wiped when it drops.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, KmsError> {
        let mut key = Self(Zeroizing::new([0u8; KEY_LEN]));
        getrandom::fill(key.0.as_mut_slice()).map_err(|_| KmsError::Random)?;
        Ok(key)
    }

    /// Takes key bytes out of an opened wrapping; `None` when the length is wrong.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut key = Self(Zeroizing::new([0u8; KEY_LEN]));
        if bytes.len() != KEY_LEN {
            return None;
        }
        key.0.copy_from_slice(bytes);
        Some(key)
    }

    pub(crate) fn zeroed() -> Self {
        Self(Zeroizing::new([0u8; KEY_LEN]))
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8] {
        self.0.as_mut_slice()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_slice()
    }

    /// A key derived from this one for one purpose (HKDF-SHA256, salt `salt`, info `purpose`).
    pub(crate) fn derive(&self, salt: &str, purpose: &str) -> Self {
        let mut out = Self::zeroed();
        let hkdf = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt.as_bytes()), self.as_bytes());
        // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so this cannot fail.
        let _ = hkdf.expand(purpose.as_bytes(), out.as_mut_bytes());
        out
    }

    pub(crate) fn cipher(&self) -> Aes256GcmSiv {
        // Borrowed, not copied: no stray copy of the key is left behind.
        let key: &aes_gcm_siv::Key<Aes256GcmSiv> = (&*self.0).into();
        Aes256GcmSiv::new(key)
    }
}
