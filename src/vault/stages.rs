//! Stages: Show, Update (point a stage at a version; an existing stage moves) and Delete Secret
//! Stage (docs/DECISIONS.md "stages", "stage quota").

use super::read::secret_row;
use super::rules::require_not_pending;
use super::versions::{check_quota, moved_previous};
use super::{Vault, VaultResult};
use crate::csms::{
    ApiError, ErrorCode, STAGE_CURRENT, STAGE_PREVIOUS, Stage, first_problem, refusal,
    stage_name_problems,
};
use crate::store::StoreError;
use crate::store::versions::{self as version_rows, StageRow};

fn stage_of(row: StageRow, secret_name: &str) -> Stage {
    Stage {
        name: row.stage,
        secret_name: secret_name.to_owned(),
        update_time: row.update_time,
        version_id: row.version_id,
    }
}

fn check_name(stage: &str) -> Result<(), ApiError> {
    first_problem(&stage_name_problems(stage))
}

impl Vault {
    /// Show Secret Stage. Errors: `CSMS.0002` a bad stage name, `CSMS.0106`, `CSMS.0005` no such
    /// stage.
    pub fn show_stage(&self, name: &str, stage: &str) -> VaultResult<Stage> {
        check_name(stage)?;
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let secret = secret_row(conn, name)?;
        let row = version_rows::stage(conn, secret.row_id, stage)?
            .ok_or_else(|| refusal::no_stage(name, stage))?;
        Ok(stage_of(row, name))
    }

    /// Update Secret Stage: points `stage` at `version_id`, taking it from the version that had
    /// it. Moving `SYSCURRENT` moves `SYSPREVIOUS` to the version that held `SYSCURRENT`.
    /// Errors: `CSMS.0002` a bad stage name, `CSMS.0106`, `CSMS.0103` pending deletion,
    /// `CSMS.0005` no such version, `CSMS.0203` a 13th stage.
    pub fn update_stage(&self, name: &str, stage: &str, version_id: &str) -> VaultResult<Stage> {
        check_name(stage)?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let secret = secret_row(&tx, name)?;
        require_not_pending(&secret)?;
        if version_rows::version(&tx, secret.row_id, version_id)?.is_none() {
            return Err(refusal::no_version(name, version_id).into());
        }
        let stages = [stage.to_owned()];
        let previous_to =
            moved_previous(&tx, &secret, &stages)?.filter(|holder| holder != version_id);
        check_quota(&tx, &secret, &stages, previous_to.is_some())?;
        let now = self.now_ms();
        version_rows::set_stage(&tx, secret.row_id, stage, version_id, now)?;
        if let Some(old_current) = previous_to {
            version_rows::set_stage(&tx, secret.row_id, STAGE_PREVIOUS, &old_current, now)?;
        }
        let row = version_rows::stage(&tx, secret.row_id, stage)?
            .ok_or_else(|| refusal::no_stage(name, stage))?;
        tx.commit().map_err(StoreError::from)?;
        Ok(stage_of(row, name))
    }

    /// Delete Secret Stage: the stage no longer names any version. Errors: `CSMS.0106`,
    /// `CSMS.0103` pending deletion, `CSMS.0105` `SYSCURRENT`/`SYSPREVIOUS`, `CSMS.0005` no such
    /// stage.
    pub fn delete_stage(&self, name: &str, stage: &str) -> VaultResult<()> {
        check_name(stage)?;
        let mut store = self.store();
        let tx = store.immediate()?;
        let secret = secret_row(&tx, name)?;
        require_not_pending(&secret)?;
        if stage == STAGE_CURRENT || stage == STAGE_PREVIOUS {
            return Err(ApiError::new(
                ErrorCode::StageProtected,
                format!("The stage {stage} cannot be deleted; move it with update-stage instead."),
            )
            .into());
        }
        if !version_rows::remove_stage(&tx, secret.row_id, stage)? {
            return Err(refusal::no_stage(name, stage).into());
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }
}
