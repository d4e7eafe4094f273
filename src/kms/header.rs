//! The vault header: Argon2id parameters, salt and the wrapped root key, all authenticated together.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::aad::Aad;
use super::sealed::{open, seal};
use super::{KmsError, SecretKey};

const HEADER_FORMAT: u32 = 1;
const SALT_LEN: usize = 16;

/// New passphrases have at least this many characters (issue 7: short ones are refused).
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Why a new passphrase is refused, if it is: fewer than [`MIN_PASSPHRASE_CHARS`] characters.
/// The text completes "The passphrase …".
pub fn new_passphrase_problem(passphrase: &str) -> Option<String> {
    let chars = passphrase.chars().count();
    match chars {
        0 => Some("is empty".into()),
        1 => Some(format!(
            "has 1 character; use at least {MIN_PASSPHRASE_CHARS}"
        )),
        n if n < MIN_PASSPHRASE_CHARS => Some(format!(
            "has {n} characters; use at least {MIN_PASSPHRASE_CHARS}"
        )),
        _ => None,
    }
}

/// Argon2id cost. The defaults are also the floor: a header asking for less is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    pub const FLOOR: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// The most any header may ask for: 16× the default memory, far more time than a vault
    /// csvault writes would use. A header above it is refused before any memory is allocated.
    pub const CEILING: Self = Self {
        memory_kib: 1024 * 1024,
        iterations: 64,
        parallelism: 16,
    };

    fn within_ceiling(&self) -> bool {
        self.memory_kib <= Self::CEILING.memory_kib
            && self.iterations <= Self::CEILING.iterations
            && self.parallelism <= Self::CEILING.parallelism
    }

    /// Argon2id at its smallest, for the crate's own tests that need many vaults but not the cost
    /// of unlocking one. It exists only in `cfg(test)` builds of the library (not in the binary,
    /// nor in the library the integration tests link), so no vault a user can make or open uses it.
    #[cfg(test)]
    pub(crate) const CHEAP: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    fn meets_floor(&self) -> bool {
        #[cfg(test)]
        if *self == Self::CHEAP {
            return true;
        }
        self.memory_kib >= Self::FLOOR.memory_kib
            && self.iterations >= Self::FLOOR.iterations
            && self.parallelism >= Self::FLOOR.parallelism
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::FLOOR
    }
}

/// What the store keeps to unlock a vault. Tampering with any field makes unlocking fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VaultHeader {
    pub format: u32,
    pub vault_id: String,
    pub kdf: KdfParams,
    pub salt: Vec<u8>,
    pub wrapped_root_key: Vec<u8>,
}

impl VaultHeader {
    /// A new vault: fresh id, salt and root key, the root key wrapped under the passphrase.
    pub fn create(passphrase: &[u8], kdf: KdfParams) -> Result<(Self, SecretKey), KmsError> {
        Self::create_keeping_kek(passphrase, kdf).map(|(header, root, _)| (header, root))
    }

    /// [`Self::create`], also giving the key that wraps the root key (the KEK), so a copy of the
    /// vault can later be checked to unlock without asking for the passphrase again.
    pub fn create_keeping_kek(
        passphrase: &[u8],
        kdf: KdfParams,
    ) -> Result<(Self, SecretKey, SecretKey), KmsError> {
        if !kdf.meets_floor() {
            return Err(KmsError::BadHeader(
                "Argon2id parameters below the floor".into(),
            ));
        }
        let mut salt = vec![0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|_| KmsError::Random)?;
        let mut header = Self {
            format: HEADER_FORMAT,
            vault_id: uuid::Uuid::new_v4().to_string(),
            kdf,
            salt,
            wrapped_root_key: Vec::new(),
        };
        let root = SecretKey::generate()?;
        let kek = header.derive_kek(passphrase)?;
        header.wrapped_root_key = seal(&kek.cipher(), root.as_bytes(), header.aad().bytes())?;
        Ok((header, root, kek))
    }

    /// The root key, if `passphrase` is right and no header field was changed.
    pub fn unlock(&self, passphrase: &[u8]) -> Result<SecretKey, KmsError> {
        self.unlock_keeping_kek(passphrase).map(|(root, _)| root)
    }

    /// [`Self::unlock`], also giving the KEK the passphrase derived (for [`Self::unwrap_root`]).
    pub fn unlock_keeping_kek(
        &self,
        passphrase: &[u8],
    ) -> Result<(SecretKey, SecretKey), KmsError> {
        if self.format != HEADER_FORMAT {
            return Err(KmsError::BadHeader(format!(
                "unknown header format {}",
                self.format
            )));
        }
        if !self.kdf.meets_floor() {
            return Err(KmsError::BadHeader(
                "Argon2id parameters below the floor".into(),
            ));
        }
        if !self.kdf.within_ceiling() {
            return Err(KmsError::BadHeader(
                "Argon2id parameters above anything csvault writes".into(),
            ));
        }
        if self.salt.len() != SALT_LEN {
            return Err(KmsError::BadHeader("salt of the wrong length".into()));
        }
        let kek = self.derive_kek(passphrase)?;
        let root = self.unwrap_root(&kek)?;
        Ok((root, kek))
    }

    /// The root key this header wraps, opened with a KEK already derived from the passphrase
    /// for this header's salt and parameters (no Argon2id run). Errors: `WrongPassphrase` when
    /// the KEK does not open it or a header field was changed.
    pub fn unwrap_root(&self, kek: &SecretKey) -> Result<SecretKey, KmsError> {
        let root = open(
            &kek.cipher(),
            &self.wrapped_root_key,
            self.aad().bytes(),
            "the root key",
        )
        .map_err(|_| KmsError::WrongPassphrase)?;
        SecretKey::from_slice(&root).ok_or(KmsError::WrongPassphrase)
    }

    /// Re-wraps the root key under a new passphrase with a fresh salt.
    pub fn rewrap(&self, root: &SecretKey, new_passphrase: &[u8]) -> Result<Self, KmsError> {
        let mut next = self.clone();
        getrandom::fill(&mut next.salt).map_err(|_| KmsError::Random)?;
        let kek = next.derive_kek(new_passphrase)?;
        next.wrapped_root_key = seal(&kek.cipher(), root.as_bytes(), next.aad().bytes())?;
        Ok(next)
    }

    fn derive_kek(&self, passphrase: &[u8]) -> Result<SecretKey, KmsError> {
        let params = Params::new(
            self.kdf.memory_kib,
            self.kdf.iterations,
            self.kdf.parallelism,
            Some(32),
        )
        .map_err(|e| KmsError::BadHeader(format!("Argon2id parameters: {e}")))?;
        let mut kek = SecretKey::zeroed();
        let passphrase = Zeroizing::new(passphrase.to_vec());
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(&passphrase, &self.salt, kek.as_mut_bytes())
            .map_err(|e| KmsError::BadHeader(format!("Argon2id: {e}")))?;
        Ok(kek)
    }

    fn aad(&self) -> Aad {
        let mut aad = Aad::new("csvault/root-key/v1");
        aad.push(&self.format.to_be_bytes())
            .push(self.vault_id.as_bytes())
            .push(&self.kdf.memory_kib.to_be_bytes())
            .push(&self.kdf.iterations.to_be_bytes())
            .push(&self.kdf.parallelism.to_be_bytes())
            .push(&self.salt);
        aad
    }
}
