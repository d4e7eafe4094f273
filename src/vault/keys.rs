//! CMK operations: create (with the automatic `csms/default`), list, find, enable and disable.

use rusqlite::Connection;
use std::collections::HashMap;

use super::{Vault, VaultResult, key_of};
use crate::csms::op::CreateKeyRequest;
use crate::csms::{
    ApiError, DEFAULT_KEY_ALIAS, ErrorCode, KeyChoice, KeyInfo, KeyState, first_problem,
};
use crate::kms::Keyring;
use crate::store::StoreError;
use crate::store::keys::{self as key_rows, KeyRow};

/// Makes a CMK (material wrapped under the root key) and stores it; `now` is epoch ms.
pub(super) fn create_key_in(
    conn: &Connection,
    keyring: &Keyring,
    alias: &str,
    description: &str,
    is_default: bool,
    now: i64,
) -> VaultResult<KeyRow> {
    let key = KeyRow {
        key_id: uuid::Uuid::new_v4().to_string(),
        alias: alias.to_owned(),
        description: description.to_owned(),
        state: KeyState::Enabled,
        is_default,
        creation_date: now,
    };
    let wrapped = keyring.create_cmk(&key.key_id)?;
    key_rows::insert(conn, &key, &wrapped)?;
    Ok(key)
}

fn no_such_key(id_or_alias: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KeyUnusable,
        format!("The CMK {id_or_alias} does not exist in this vault."),
    )
}

impl Vault {
    /// Creates a CMK with a user alias. Errors: `CSMS.0002` for an alias or description that
    /// breaks the KMS rules ([`CreateKeyRequest::problems`]) or an alias in use.
    pub fn create_key(&self, alias: &str, description: &str) -> VaultResult<KeyInfo> {
        first_problem(
            &CreateKeyRequest {
                key_alias: alias.to_owned(),
                key_description: description.to_owned(),
            }
            .problems(),
        )?;
        let mut store = self.store();
        let tx = store.immediate()?;
        if key_rows::find(&tx, alias)?.is_some() {
            return Err(ApiError::invalid(format!(
                "Invalid key_alias: {alias} is already in use."
            ))
            .into());
        }
        let key = create_key_in(&tx, &self.keyring, alias, description, false, self.now_ms())?;
        tx.commit().map_err(StoreError::from)?;
        Ok(key_of(key))
    }

    /// Every CMK, oldest first.
    pub fn list_keys(&self) -> VaultResult<Vec<KeyInfo>> {
        Ok(key_rows::list(self.store().conn_ref())?
            .into_iter()
            .map(key_of)
            .collect())
    }

    /// A CMK by id or alias; `CSMS.0401` when there is none.
    pub fn find_key(&self, id_or_alias: &str) -> VaultResult<KeyInfo> {
        key_rows::find(self.store().conn_ref(), id_or_alias)?
            .map(key_of)
            .ok_or_else(|| no_such_key(id_or_alias).into())
    }

    /// Enables or disables a CMK (by id or alias). Secrets under a disabled key cannot be created
    /// and their values cannot be read. `CSMS.0401` when there is no such key.
    pub fn set_key_state(&self, id_or_alias: &str, state: KeyState) -> VaultResult<KeyInfo> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut key = key_rows::find(&tx, id_or_alias)?.ok_or_else(|| no_such_key(id_or_alias))?;
        key_rows::set_state(&tx, &key.key_id, state)?;
        tx.commit().map_err(StoreError::from)?;
        key.state = state;
        Ok(key_of(key))
    }

    /// What a new secret or an update may name: every enabled CMK, oldest first, with
    /// `csms/default` first even before it exists (then named by its alias; it is made on first
    /// use).
    pub fn key_choices(&self) -> VaultResult<Vec<KeyChoice>> {
        let keys = key_rows::list(self.store().conn_ref())?;
        let default_missing = !keys.iter().any(|k| k.is_default);
        let missing = default_missing.then(|| KeyChoice {
            reference: DEFAULT_KEY_ALIAS.to_owned(),
            alias: DEFAULT_KEY_ALIAS.to_owned(),
            default_key: true,
        });
        Ok(missing
            .into_iter()
            .chain(
                keys.into_iter()
                    .filter(|k| k.state == KeyState::Enabled)
                    .map(|k| KeyChoice {
                        reference: k.key_id,
                        alias: k.alias,
                        default_key: k.is_default,
                    }),
            )
            .collect())
    }

    /// How many secrets use each CMK, by key id.
    pub fn key_usage(&self) -> VaultResult<HashMap<String, i64>> {
        Ok(key_rows::secret_counts(self.store().conn_ref())?
            .into_iter()
            .collect())
    }
}
