//! The local endpoint's AK/SK pair: made once, kept sealed in the vault, opened after unlocking.

use zeroize::Zeroizing;

use super::{Vault, VaultResult};
use crate::csms::PasswordClass;
use crate::kms::{KmsError, generate_password};
use crate::store::{StoreError, credentials};

/// Access keys look like the cloud's: 20 characters of `A-Z 0-9`.
const ACCESS_KEY_LEN: usize = 20;
/// Secret keys look like the cloud's: 40 characters of `A-Z a-z 0-9` (about 238 bits).
const SECRET_KEY_LEN: usize = 40;

/// The characters of `classes`, for the generator.
fn pool(classes: &[PasswordClass]) -> Vec<Vec<char>> {
    classes
        .iter()
        .map(|c| c.chars().chars().collect())
        .collect()
}

/// The AK/SK pair requests to `csvault serve` are signed with. `Debug` hides the SK.
pub struct EndpointCredentials {
    pub access_key: String,
    pub secret_key: Zeroizing<String>,
}

impl std::fmt::Debug for EndpointCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointCredentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// The endpoint's stored AK/SK pair, made and sealed under the root key (bound to the AK) on
    /// first use; `true` with it when it was made by this call.
    ///
    /// Errors: `VAULT.0003` when the stored SK does not open (altered); `VAULT.0005` busy.
    pub fn endpoint_credentials(&self) -> VaultResult<(EndpointCredentials, bool)> {
        // Read without the write lock: showing the pair must not wait for a busy writer.
        let stored = {
            let mut store = self.store();
            let read = store.snapshot()?;
            credentials::load(&read)?
        };
        if let Some((access_key, sealed)) = stored {
            return Ok((self.open_credentials(access_key, &sealed)?, false));
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        // Another process may have made the pair since the read above.
        if let Some((access_key, sealed)) = credentials::load(&tx)? {
            return Ok((self.open_credentials(access_key, &sealed)?, false));
        }
        let ak_pool = pool(&[PasswordClass::Uppercase, PasswordClass::Numbers]);
        let sk_pool = pool(&[
            PasswordClass::Uppercase,
            PasswordClass::Lowercase,
            PasswordClass::Numbers,
        ]);
        let access_key = generate_password(ACCESS_KEY_LEN, &slices(&ak_pool), false)?.to_string();
        let secret_key = generate_password(SECRET_KEY_LEN, &slices(&sk_pool), false)?;
        let sealed = self
            .keyring
            .seal_endpoint_sk(&access_key, secret_key.as_bytes())?;
        credentials::insert(&tx, &access_key, &sealed, self.now_ms())?;
        tx.commit().map_err(StoreError::from)?;
        Ok((
            EndpointCredentials {
                access_key,
                secret_key,
            },
            true,
        ))
    }

    fn open_credentials(
        &self,
        access_key: String,
        sealed: &[u8],
    ) -> VaultResult<EndpointCredentials> {
        let sk = self.keyring.open_endpoint_sk(&access_key, sealed)?;
        let secret_key = Zeroizing::new(
            std::str::from_utf8(&sk)
                .map_err(|_| KmsError::Integrity("the endpoint's secret key"))?
                .to_owned(),
        );
        Ok(EndpointCredentials {
            access_key,
            secret_key,
        })
    }
}

fn slices(pool: &[Vec<char>]) -> Vec<&[char]> {
    pool.iter().map(Vec::as_slice).collect()
}
