//! `Keyring`: the unlocked root key and CMKs of one vault; makes data keys and seals/opens values.
//!
//! Shared by every handle of an unlocked vault (`Send + Sync`): CMKs are unwrapped once, on first
//! use, into a cache behind a lock; sealing and opening only read it.

use aes_gcm_siv::Aes256GcmSiv;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use zeroize::Zeroizing;

use super::aad::{Aad, ValueContext};
use super::sealed::{NONCE_LEN, open, seal, seal_with_nonce};
use super::secret_key::KEY_LEN;
use super::{KmsError, SecretKey};

/// A value as stored: its data key wrapped by the CMK, and the value sealed by the data key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedValue {
    pub wrapped_data_key: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// What a remote's sealed SK is bound to (issue 17): every setting that decides where its
/// values go and whom it trusts. The CA roots are bound by their SHA-256.
#[derive(Clone, Copy, Debug)]
pub struct RemoteBinding<'a> {
    pub name: &'a str,
    pub access_key: &'a str,
    pub endpoint: &'a str,
    pub iam_endpoint: Option<&'a str>,
    pub project_id: Option<&'a str>,
    pub region: Option<&'a str>,
    pub ca_pem: Option<&'a str>,
}

/// An optional field: a presence byte, then the field when present (so `None` and `""` differ).
fn push_optional(aad: &mut Aad, field: Option<&[u8]>) {
    match field {
        None => {
            aad.push(&[0]);
        }
        Some(bytes) => {
            aad.push(&[1]).push(bytes);
        }
    }
}

/// The key material of an unlocked vault. `Debug` shows ids only.
pub struct Keyring {
    vault_id: String,
    /// Kept to re-wrap under a new passphrase; wiped on drop.
    root_key: SecretKey,
    root: Aes256GcmSiv,
    /// Seals backup blobs: derived from the root key, so a blob opens only in this vault.
    blob: Aes256GcmSiv,
    /// Unwrapped CMKs by key id. The ciphers wipe their key schedules when the last `Arc` drops.
    cmks: RwLock<HashMap<String, Arc<Aes256GcmSiv>>>,
    /// The key the passphrase derived at unlock, with the salt it was derived for: checks that a
    /// copy of the vault unlocks with the same passphrase without asking for it again.
    kek: Option<(Vec<u8>, SecretKey)>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("vault_id", &self.vault_id)
            .field("loaded_cmks", &self.read().keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Keyring {
    pub fn new(vault_id: &str, root: &SecretKey) -> Self {
        Self {
            vault_id: vault_id.to_owned(),
            root_key: root.clone(),
            root: root.cipher(),
            blob: root.derive(vault_id, "csvault/backup-blob/v1").cipher(),
            cmks: RwLock::new(HashMap::new()),
            kek: None,
        }
    }

    /// Keeps the KEK the passphrase derived for the header with `salt` (see
    /// [`Keyring::unlocks_copy`]); wiped on drop.
    #[must_use]
    pub fn with_kek(mut self, salt: &[u8], kek: SecretKey) -> Self {
        self.kek = Some((salt.to_vec(), kek));
        self
    }

    /// Whether the passphrase this vault was unlocked with unlocks `header` (a copy's) to this
    /// very root key: the copy's wrapped root key is opened with the KEK kept at unlock (no
    /// Argon2id run, no passphrase asked). `Ok(false)`: it cannot be told here (no KEK was kept,
    /// or the header has another salt: the passphrase was changed since this vault was
    /// unlocked).
    ///
    /// Errors: `WrongPassphrase` when the KEK does not open it or it holds another root key.
    pub fn unlocks_copy(&self, header: &super::VaultHeader) -> Result<bool, KmsError> {
        use subtle::ConstantTimeEq;
        let Some((salt, kek)) = &self.kek else {
            return Ok(false);
        };
        if *salt != header.salt || header.vault_id != self.vault_id {
            return Ok(false);
        }
        let root = header.unwrap_root(kek)?;
        if bool::from(root.as_bytes().ct_eq(self.root_key.as_bytes())) {
            Ok(true)
        } else {
            Err(KmsError::WrongPassphrase)
        }
    }

    /// Whether `wrapped` (a copy's CMK material for `key_id`) opens under this root key.
    pub fn opens_cmk(&self, key_id: &str, wrapped: &[u8]) -> bool {
        open(&self.root, wrapped, self.cmk_aad(key_id).bytes(), "a CMK").is_ok()
    }

    // A panic while the lock was held cannot leave the map half-written (inserts are single
    // calls), so a poisoned lock is still a consistent cache.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Aes256GcmSiv>>> {
        self.cmks.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, key_id: &str, cipher: Aes256GcmSiv) {
        self.cmks
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key_id.to_owned(), Arc::new(cipher));
    }

    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }

    fn cmk_aad(&self, key_id: &str) -> Aad {
        let mut aad = Aad::new("csvault/cmk/v1");
        aad.push(self.vault_id.as_bytes()).push(key_id.as_bytes());
        aad
    }

    /// The header that unlocks with `new_passphrase` instead: the same root key, a fresh salt.
    pub fn rewrap(
        &self,
        header: &super::VaultHeader,
        new_passphrase: &[u8],
    ) -> Result<super::VaultHeader, KmsError> {
        header.rewrap(&self.root_key, new_passphrase)
    }

    fn blob_aad(&self) -> Aad {
        let mut aad = Aad::new("csvault/backup-blob/v1");
        aad.push(self.vault_id.as_bytes());
        aad
    }

    /// Seals a backup blob's contents under this vault's blob key.
    pub fn seal_blob(&self, contents: &[u8]) -> Result<Vec<u8>, KmsError> {
        seal(&self.blob, contents, self.blob_aad().bytes())
    }

    /// Opens a blob made by [`Keyring::seal_blob`] in this vault; anything else (another vault's,
    /// a changed byte) is an integrity error.
    pub fn open_blob(&self, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        open(
            &self.blob,
            sealed,
            self.blob_aad().bytes(),
            "the backup blob",
        )
    }

    fn endpoint_sk_aad(&self, access_key: &str) -> Aad {
        let mut aad = Aad::new("csvault/endpoint-sk/v1");
        aad.push(self.vault_id.as_bytes())
            .push(access_key.as_bytes());
        aad
    }

    /// Seals the local endpoint's secret key under the root key, bound to its access key.
    pub fn seal_endpoint_sk(&self, access_key: &str, sk: &[u8]) -> Result<Vec<u8>, KmsError> {
        seal(&self.root, sk, self.endpoint_sk_aad(access_key).bytes())
    }

    /// Opens what [`Keyring::seal_endpoint_sk`] sealed for `access_key`; anything else is an
    /// integrity error.
    pub fn open_endpoint_sk(
        &self,
        access_key: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        open(
            &self.root,
            sealed,
            self.endpoint_sk_aad(access_key).bytes(),
            "the endpoint's secret key",
        )
    }

    fn remote_sk_aad(&self, remote: &RemoteBinding<'_>) -> Aad {
        let mut aad = Aad::new("csvault/remote-sk/v2");
        aad.push(self.vault_id.as_bytes())
            .push(remote.name.as_bytes())
            .push(remote.access_key.as_bytes())
            .push(remote.endpoint.as_bytes());
        for field in [remote.iam_endpoint, remote.project_id, remote.region] {
            push_optional(&mut aad, field.map(str::as_bytes));
        }
        let ca_digest = remote
            .ca_pem
            .map(|pem| Sha256::digest(pem.as_bytes()).to_vec());
        push_optional(&mut aad, ca_digest.as_deref());
        aad
    }

    /// Seals a CSMS remote's secret key (issue 17) under the root key, bound to every setting
    /// of the remote ([`RemoteBinding`]): moved to another remote, or with any setting changed
    /// in the vault file (such as its endpoint or CA roots), it no longer opens.
    pub fn seal_remote_sk(
        &self,
        remote: &RemoteBinding<'_>,
        sk: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        seal(&self.root, sk, self.remote_sk_aad(remote).bytes())
    }

    /// Opens what [`Keyring::seal_remote_sk`] sealed for exactly these settings; anything else
    /// (another remote's, a changed setting, a changed byte) is an integrity error.
    pub fn open_remote_sk(
        &self,
        remote: &RemoteBinding<'_>,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        open(
            &self.root,
            sealed,
            self.remote_sk_aad(remote).bytes(),
            "a remote's secret key",
        )
    }

    /// The key of the sync state's MACs (issue 17): HKDF-SHA256 of the root key (salt the vault
    /// id, info `csvault sync mac v1`), 32 bytes. The same across unlocks and passphrase changes,
    /// another in every vault; it opens nothing.
    pub fn sync_mac_key(&self) -> SecretKey {
        self.root_key.derive(&self.vault_id, "csvault sync mac v1")
    }

    /// New CMK material for `key_id`, loaded, and returned wrapped under the root key for storage.
    pub fn create_cmk(&self, key_id: &str) -> Result<Vec<u8>, KmsError> {
        let material = SecretKey::generate()?;
        let wrapped = seal(
            &self.root,
            material.as_bytes(),
            self.cmk_aad(key_id).bytes(),
        )?;
        self.insert(key_id, material.cipher());
        Ok(wrapped)
    }

    /// Unwraps a stored CMK so values under it can be sealed and opened.
    pub fn load_cmk(&self, key_id: &str, wrapped: &[u8]) -> Result<(), KmsError> {
        if self.is_loaded(key_id) {
            return Ok(());
        }
        let material = open(&self.root, wrapped, self.cmk_aad(key_id).bytes(), "a CMK")?;
        let material = SecretKey::from_slice(&material).ok_or(KmsError::Integrity("a CMK"))?;
        self.insert(key_id, material.cipher());
        Ok(())
    }

    pub fn is_loaded(&self, key_id: &str) -> bool {
        self.read().contains_key(key_id)
    }

    fn cmk(&self, key_id: &str) -> Result<Arc<Aes256GcmSiv>, KmsError> {
        self.read()
            .get(key_id)
            .cloned()
            .ok_or(KmsError::Integrity("a CMK"))
    }

    /// Seals a value under a fresh data key, itself wrapped by the context's CMK.
    pub fn seal_value(
        &self,
        ctx: &ValueContext<'_>,
        plaintext: &[u8],
    ) -> Result<SealedValue, KmsError> {
        let cmk = self.cmk(ctx.key_id)?;
        // One draw from the OS for the data key and both nonces: this is the bulk-import hot path.
        let mut random = Zeroizing::new([0u8; KEY_LEN + 2 * NONCE_LEN]);
        getrandom::fill(random.as_mut_slice()).map_err(|_| KmsError::Random)?;
        let (key_bytes, nonces) = random.split_at(KEY_LEN);
        let data_key = SecretKey::from_slice(key_bytes).ok_or(KmsError::Random)?;
        let nonce = |i: usize| -> Result<[u8; NONCE_LEN], KmsError> {
            nonces[i * NONCE_LEN..(i + 1) * NONCE_LEN]
                .try_into()
                .map_err(|_| KmsError::Random)
        };
        let ciphertext = seal_with_nonce(
            &data_key.cipher(),
            nonce(0)?,
            plaintext,
            ctx.aad("csvault/value/v1", &self.vault_id).bytes(),
        )?;
        let wrapped_data_key = seal_with_nonce(
            &cmk,
            nonce(1)?,
            data_key.as_bytes(),
            ctx.aad("csvault/data-key/v1", &self.vault_id).bytes(),
        )?;
        Ok(SealedValue {
            wrapped_data_key,
            ciphertext,
        })
    }

    /// Opens a value sealed by [`Keyring::seal_value`] in exactly the same context.
    pub fn open_value(
        &self,
        ctx: &ValueContext<'_>,
        sealed: &SealedValue,
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let cmk = self.cmk(ctx.key_id)?;
        let data_key = open(
            &cmk,
            &sealed.wrapped_data_key,
            ctx.aad("csvault/data-key/v1", &self.vault_id).bytes(),
            "a data key",
        )?;
        let data_key = SecretKey::from_slice(&data_key).ok_or(KmsError::Integrity("a data key"))?;
        open(
            &data_key.cipher(),
            &sealed.ciphertext,
            ctx.aad("csvault/value/v1", &self.vault_id).bytes(),
            "a secret value",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(vault_id: &str, root: &SecretKey) -> Keyring {
        Keyring::new(vault_id, root)
    }

    fn binding<'a>(name: &'a str, ak: &'a str) -> RemoteBinding<'a> {
        RemoteBinding {
            name,
            access_key: ak,
            endpoint: "https://csms.example.com",
            iam_endpoint: None,
            project_id: Some("p1"),
            region: None,
            ca_pem: Some("pem"),
        }
    }

    #[test]
    fn a_remote_sk_opens_only_with_every_setting_it_was_sealed_with() {
        let root = SecretKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let ring = keyring("vault-a", &root);
        let cloud = binding("cloud", "AK1");
        let sealed = ring
            .seal_remote_sk(&cloud, b"sk-bytes")
            .unwrap_or_else(|e| panic!("{e}"));
        let opened = ring.open_remote_sk(&cloud, &sealed);
        assert_eq!(
            opened.ok().as_deref().map(Vec::as_slice),
            Some(&b"sk-bytes"[..])
        );
        let altered = [
            binding("other", "AK1"),
            binding("cloud", "AK2"),
            RemoteBinding {
                endpoint: "https://evil.example.com",
                ..cloud
            },
            RemoteBinding {
                iam_endpoint: Some(""),
                ..cloud
            },
            RemoteBinding {
                project_id: None,
                ..cloud
            },
            RemoteBinding {
                region: Some("r"),
                ..cloud
            },
            RemoteBinding {
                ca_pem: Some("other pem"),
                ..cloud
            },
            RemoteBinding {
                ca_pem: None,
                ..cloud
            },
        ];
        for other in altered {
            assert!(ring.open_remote_sk(&other, &sealed).is_err(), "{other:?}");
        }
        assert!(
            ring.open_endpoint_sk("AK1", &sealed).is_err(),
            "not the endpoint's"
        );
        let mut changed = sealed.clone();
        if let Some(last) = changed.last_mut() {
            *last ^= 1;
        }
        assert!(ring.open_remote_sk(&cloud, &changed).is_err());
    }

    #[test]
    fn the_sync_mac_key_follows_the_root_key_and_the_vault() {
        let root = SecretKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let a = keyring("vault-a", &root).sync_mac_key();
        let again = keyring("vault-a", &root).sync_mac_key();
        assert_eq!(a.as_bytes(), again.as_bytes());
        assert_ne!(a.as_bytes(), root.as_bytes(), "not the root key itself");
        let other_vault = keyring("vault-b", &root).sync_mac_key();
        assert_ne!(a.as_bytes(), other_vault.as_bytes());
        let other_root = SecretKey::generate().unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(
            a.as_bytes(),
            keyring("vault-a", &other_root).sync_mac_key().as_bytes()
        );
    }
}
