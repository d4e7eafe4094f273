//! CMK operations: create (with the automatic `csms/default`), list, enable and disable.

use rusqlite::Connection;

use super::{Vault, VaultResult, now_ms};
use crate::csms::{ApiError, DEFAULT_KEY_ALIAS, ErrorCode};
use crate::kms::{KeyInfo, KeyState, Keyring};
use crate::store::keys as key_rows;

const MAX_ALIAS_CHARS: usize = 255;
const MAX_KEY_DESCRIPTION_CHARS: usize = 255;

/// Why an alias is refused, if it is: the KMS rule `^[a-zA-Z0-9:/_-]{1,255}$`, and no `/default`
/// ending (those belong to the service-created default keys).
pub fn alias_problem(alias: &str) -> Option<String> {
    let chars = alias.chars().count();
    if chars == 0 || chars > MAX_ALIAS_CHARS {
        return Some("an alias has 1–255 characters".into());
    }
    if !alias
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Some("an alias has only a–z A–Z 0–9 : / _ -".into());
    }
    if alias.ends_with("/default") {
        return Some("aliases ending in /default are reserved for default keys".into());
    }
    None
}

pub(super) fn create_key_in(
    conn: &Connection,
    keyring: &mut Keyring,
    alias: &str,
    description: &str,
    default_key: bool,
    now: i64,
) -> VaultResult<KeyInfo> {
    let key = KeyInfo {
        key_id: uuid::Uuid::new_v4().to_string(),
        key_alias: alias.to_owned(),
        key_description: description.to_owned(),
        key_state: KeyState::Enabled,
        creation_date: now,
        default_key,
    };
    let wrapped = keyring.create_cmk(&key.key_id)?;
    key_rows::insert(conn, &key, &wrapped)?;
    Ok(key)
}

impl Vault {
    /// Creates a CMK with a user alias.
    pub fn create_key(&mut self, alias: &str, description: &str) -> VaultResult<KeyInfo> {
        if let Some(problem) = alias_problem(alias) {
            return Err(ApiError::invalid(format!("Invalid key_alias: {problem}.")).into());
        }
        if description.chars().count() > MAX_KEY_DESCRIPTION_CHARS {
            return Err(
                ApiError::invalid("Invalid key_description: at most 255 characters.").into(),
            );
        }
        let tx = self.store.immediate()?;
        if key_rows::find(&tx, alias)?.is_some() {
            return Err(ApiError::invalid(format!(
                "Invalid key_alias: {alias} is already in use."
            ))
            .into());
        }
        let key = create_key_in(&tx, &mut self.keyring, alias, description, false, now_ms())?;
        tx.commit().map_err(crate::store::StoreError::from)?;
        Ok(key)
    }

    /// Every CMK, oldest first.
    pub fn list_keys(&self) -> VaultResult<Vec<KeyInfo>> {
        Ok(key_rows::list(self.store.conn_ref())?)
    }

    /// A CMK by id or alias.
    pub fn find_key(&self, id_or_alias: &str) -> VaultResult<KeyInfo> {
        key_rows::find(self.store.conn_ref(), id_or_alias)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {id_or_alias} does not exist in this vault."),
            )
            .into()
        })
    }

    /// Enables or disables a CMK (by id or alias). Secrets under a disabled key cannot be created.
    pub fn set_key_state(&mut self, id_or_alias: &str, state: KeyState) -> VaultResult<KeyInfo> {
        let tx = self.store.immediate()?;
        let mut key = key_rows::find(&tx, id_or_alias)?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::KeyUnusable,
                format!("The CMK {id_or_alias} does not exist in this vault."),
            )
        })?;
        key_rows::set_state(&tx, &key.key_id, state)?;
        tx.commit().map_err(crate::store::StoreError::from)?;
        key.key_state = state;
        Ok(key)
    }

    /// How many secrets use each CMK, by key id.
    pub fn key_usage(&self) -> VaultResult<std::collections::HashMap<String, i64>> {
        Ok(key_rows::secret_counts(self.store.conn_ref())?
            .into_iter()
            .collect())
    }

    /// The alias a new secret without `kms_key_id` is sealed under (created on first use).
    pub fn default_key_alias() -> &'static str {
        DEFAULT_KEY_ALIAS
    }
}
