//! The local endpoint's AK/SK pair: made once, kept sealed in the vault, opened after unlocking.

use zeroize::Zeroizing;

use super::{Vault, VaultResult};
use crate::kms::{KmsError, generate_password};
use crate::store::{StoreError, credentials};

/// Access keys look like the cloud's: 20 characters of `A-Z 0-9`.
const ACCESS_KEY_LEN: usize = 20;
/// Secret keys look like the cloud's: 40 characters of `A-Z a-z 0-9` (about 238 bits).
const SECRET_KEY_LEN: usize = 40;

const UPPER: &[char] = &[
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S',
    'T', 'U', 'V', 'W', 'X', 'Y', 'Z',
];
const LOWER: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's',
    't', 'u', 'v', 'w', 'x', 'y', 'z',
];
const DIGITS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

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
        let mut store = self.store();
        let tx = store.immediate()?;
        if let Some((access_key, sealed)) = credentials::load(&tx)? {
            let sk = self.keyring.open_endpoint_sk(&access_key, &sealed)?;
            let secret_key = String::from_utf8(sk.to_vec())
                .map_err(|_| KmsError::Integrity("the endpoint's secret key"))?;
            return Ok((
                EndpointCredentials {
                    access_key,
                    secret_key: Zeroizing::new(secret_key),
                },
                false,
            ));
        }
        let access_key = generate_password(ACCESS_KEY_LEN, &[UPPER, DIGITS], false)?.to_string();
        let secret_key = generate_password(SECRET_KEY_LEN, &[UPPER, LOWER, DIGITS], false)?;
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
}
