//! Update Secret (description, CMK) and the local enable/disable.

use super::create::{find_key_ref, make_ready};
use super::read::secret_row;
use super::rules::require_not_pending;
use super::settings::{apply, missing_event};
use super::{Vault, VaultResult, secret_of};
use crate::csms::op::KeyLookup;
use crate::csms::{
    ApiError, ErrorCode, Field, Secret, SecretState, UpdateSecretRequest, first_problem,
};
use crate::store::StoreError;
use crate::store::secrets as secret_rows;

impl Vault {
    /// Update Secret with `kms_key_id` an id, as the API takes it; see [`Vault::update_secret_as`].
    pub fn update_secret(&self, name: &str, req: &UpdateSecretRequest) -> VaultResult<Secret> {
        self.update_secret_as(name, req, KeyLookup::Id)
    }

    /// Update Secret: a new description (`""` clears it), CMK (an enabled key, named as `keys`
    /// says; it applies to versions created afterwards, and `csms/default` is made on first use
    /// in this transaction), and the settings `UpdateSecret` carries (`auto_rotation`,
    /// `rotation_period`, `rotation_func_urn`, `event_subscriptions`). Nothing to update returns
    /// the record unchanged; otherwise `update_time` moves. Errors, the body's fields in field
    /// order before the secret it names: `CSMS.0002` a malformed key reference, `CSMS.0401` the
    /// CMK missing or disabled, `CSMS.0002` a broken description or setting, or an event that
    /// does not exist, then `CSMS.0106` no such secret, `CSMS.0103` pending deletion, and
    /// `CSMS.0002` automatic rotation without a period (in the request or the secret).
    pub fn update_secret_as(
        &self,
        name: &str,
        req: &UpdateSecretRequest,
        keys: KeyLookup,
    ) -> VaultResult<Secret> {
        let (key_problems, rest): (Vec<_>, Vec<_>) = req
            .problems(keys)
            .into_iter()
            .partition(|p| p.field == Field::KmsKeyId);
        first_problem(&key_problems)?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let found = match &req.kms_key_id {
            Some(given) => Some(find_key_ref(&tx, Some(given), keys)?),
            None => None,
        };
        first_problem(&rest)?;
        let change = req.settings();
        first_problem(&missing_event(&tx, &change)?.into_iter().collect::<Vec<_>>())?;
        let mut secret = secret_row(&tx, name)?;
        require_not_pending(&secret)?;
        first_problem(
            &change
                .missing_period(secret.settings.rotation_period.as_deref())
                .into_iter()
                .collect::<Vec<_>>(),
        )?;
        if req.is_empty() {
            return Ok(secret_of(secret));
        }
        let now = self.now_ms();
        apply(&mut secret, &change, now);
        if let Some(found) = found {
            secret.kms_key_id = make_ready(&tx, &self.keyring, found, now)?.key_id;
        }
        if let Some(description) = &req.description {
            secret.description = Some(description.clone());
        }
        secret.update_time = now;
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
