//! Deleting: scheduled deletion with a recovery window, restore, immediate delete, and the purge
//! of past-due secrets when a vault is opened (docs/DECISIONS.md "states", `DeleteSecret`).

use super::notify::fire;
use super::read::secret_row;
use super::{Vault, VaultResult, secret_of};
use crate::csms::EventType;
use crate::csms::{ApiError, DeleteSecretForScheduleRequest, ErrorCode, Secret, SecretState};
use crate::store::StoreError;
use crate::store::secrets as secret_rows;

impl Vault {
    /// Delete Secret For Schedule: `PENDING_DELETE` until now + the window (7–30 days, 30 by
    /// default), then purged the next time the vault is opened. The secret keeps its name and is
    /// still listed. Errors: `CSMS.0002` a bad window, `CSMS.0106`, `CSMS.0107` already pending.
    pub fn schedule_delete(
        &self,
        name: &str,
        req: &DeleteSecretForScheduleRequest,
    ) -> VaultResult<Secret> {
        let window = req.window_ms()?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        if secret.state == SecretState::PendingDelete {
            return Err(ApiError::new(
                ErrorCode::AlreadyScheduled,
                format!("The secret {name} is already scheduled for deletion."),
            )
            .into());
        }
        let now = self.now_ms();
        secret.state = SecretState::PendingDelete;
        secret.scheduled_delete_time = Some(now.saturating_add(window));
        secret.update_time = now;
        secret_rows::save(&tx, &secret)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(secret_of(secret))
    }

    /// Restore Secret: a secret pending deletion is `ENABLED` again, with no deletion date.
    /// Errors: `CSMS.0106`, `CSMS.0108` not pending deletion.
    pub fn restore_secret(&self, name: &str) -> VaultResult<Secret> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        if secret.state != SecretState::PendingDelete {
            return Err(ApiError::new(
                ErrorCode::NotScheduled,
                format!(
                    "The secret {name} is {}, not pending deletion; there is nothing to restore.",
                    secret.state.as_str()
                ),
            )
            .into());
        }
        secret.state = SecretState::Enabled;
        secret.scheduled_delete_time = None;
        secret.update_time = self.now_ms();
        secret_rows::save(&tx, &secret)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(secret_of(secret))
    }

    /// Delete Secret: at once and for good, every version and stage, whatever the state.
    /// Errors: `CSMS.0106`.
    pub fn delete_secret(&self, name: &str) -> VaultResult<()> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let secret = secret_row(&tx, name)?;
        fire(&tx, &secret, EventType::SecretDeleted, None, self.now_ms())?;
        secret_rows::delete(&tx, secret.row_id)?;
        tx.commit().map_err(StoreError::from)?;
        store.checkpoint();
        Ok(())
    }

    /// Deletes every secret pending deletion whose date has come (at or before now); how many.
    /// Runs when a vault is opened.
    /// Writes nothing when nothing is due, so a read-only vault still opens.
    pub fn purge_due(&self) -> VaultResult<usize> {
        let now = self.now_ms();
        if secret_rows::due_for_purge(self.store().conn_ref(), now)?.is_empty() {
            return Ok(0);
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let due = secret_rows::due_for_purge(&tx, now)?;
        for secret in &due {
            fire(&tx, secret, EventType::SecretDeleted, None, now)?;
            secret_rows::delete(&tx, secret.row_id)?;
        }
        tx.commit().map_err(StoreError::from)?;
        store.checkpoint();
        Ok(due.len())
    }
}
