//! Update Secret (description, CMK) and the local enable/disable.

use super::create::resolve_key;
use super::read::secret_row;
use super::rules::require_not_pending;
use super::{Vault, VaultResult, secret_of};
use crate::csms::{ApiError, ErrorCode, Secret, SecretState, UpdateSecretRequest};
use crate::store::StoreError;
use crate::store::secrets as secret_rows;

impl Vault {
    /// Update Secret: a new description (`""` clears it) and/or CMK (an enabled key's id; it
    /// applies to versions created afterwards). Nothing to update returns the record unchanged;
    /// otherwise `update_time` moves. Errors: `CSMS.0002` a broken rule, `CSMS.0106` no such
    /// secret, `CSMS.0103` pending deletion, `CSMS.0401` the CMK missing or disabled.
    pub fn update_secret(&self, name: &str, req: &UpdateSecretRequest) -> VaultResult<Secret> {
        req.validate()?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        require_not_pending(&secret)?;
        if req.description.is_none() && req.kms_key_id.is_none() {
            return Ok(secret_of(secret));
        }
        if let Some(key_id) = &req.kms_key_id {
            secret.kms_key_id =
                resolve_key(&tx, &self.keyring, Some(key_id), self.now_ms())?.key_id;
        }
        if let Some(description) = &req.description {
            secret.description = Some(description.clone());
        }
        secret.update_time = self.now_ms();
        secret_rows::save(&tx, &secret)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(secret_of(secret))
    }

    /// Enables or disables a secret (local operations; a disabled secret's values cannot be
    /// read). Errors: `CSMS.0106` no such secret, `CSMS.0103` pending deletion (restore it).
    pub fn set_secret_enabled(&self, name: &str, enabled: bool) -> VaultResult<Secret> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        require_not_pending(&secret)?;
        let state = if enabled {
            SecretState::Enabled
        } else {
            SecretState::Disabled
        };
        if secret.state == SecretState::Frozen {
            return Err(ApiError::new(
                ErrorCode::SecretNotEnabled,
                format!("The secret {name} is FROZEN."),
            )
            .into());
        }
        if secret.state != state {
            secret.state = state;
            secret.update_time = self.now_ms();
            secret_rows::save(&tx, &secret)?;
            tx.commit().map_err(StoreError::from)?;
        }
        Ok(secret_of(secret))
    }
}
