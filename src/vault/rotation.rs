//! Rotation: Rotate Secret (a new version with a generated value, recorded as a task), automatic
//! rotation when a secret's `next_rotation_time` comes, List Secret Task, and the tasks' 3-month
//! retention (docs/DECISIONS.md `RotateSecret`, "automatic rotation", `ListSecretTask`,
//! "Rotation and tasks (issue 14)").

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::Connection;
use zeroize::Zeroizing;

use super::notify::fire;
use super::read::secret_row;
use super::rules::require_enabled;
use super::seal::RequestValue;
use super::versions::NewValue;
use super::{Vault, VaultError, VaultResult, generate_password};
use crate::csms::{
    ApiError, EventType, GeneratePasswordRequest, ListSecretTaskQuery, ListSecretTaskResponse,
    OperateType, ROTATED_BINARY_BYTES, ROTATED_TEXT_CHARS, RotateSecretResponse, STAGE_CURRENT,
    SecretTask, TASK_ATTEMPTS, TASK_FAILED, TASK_RETENTION_MS, TASK_SUCCESS, ValueKind,
    first_problem, next_rotation, page_limit, rotation_period_ms,
};
use crate::kms::random_bytes;
use crate::store::rotation::{self as task_rows, TaskFilter, TaskRow};
use crate::store::secrets as secret_rows;
use crate::store::versions as version_rows;
use crate::store::{SecretRow, StoreError, attempt};

/// What one pass of automatic rotation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RotationPass {
    /// Secrets rotated (a `SUCCESS` task each).
    pub rotated: usize,
    /// Secrets whose rotation failed (a `FAILED` task each; their schedule moved on).
    pub failed: usize,
}

impl Vault {
    /// Rotate Secret: a new version of an `ENABLED` secret holding a generated value (text: 32
    /// characters of every class; binary, when the current version is binary: 32 random bytes),
    /// taking `SYSCURRENT` as Create Secret Version's new version does; `rotation_time` = now,
    /// `next_rotation_time` = now + the period when automatic rotation is on; a
    /// `MANUAL_ROTATION` task recorded; `SECRET_VERSION_CREATED` and `SECRET_ROTATED` fire. All
    /// in one transaction; a refusal writes nothing (no task either). Errors: `CSMS.0106`,
    /// `CSMS.0109` not `ENABLED`, `CSMS.0401` the CMK unusable, `CSMS.0002` 20 versions all
    /// staged, `CSMS.0203` a 13th stage.
    pub fn rotate_secret(&self, name: &str) -> VaultResult<RotateSecretResponse> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let mut secret = secret_row(&tx, name)?;
        let rotated =
            self.rotate_in(&tx, &mut secret, OperateType::ManualRotation, self.now_ms())?;
        tx.commit().map_err(StoreError::from)?;
        Ok(rotated)
    }

    /// Rotates every secret whose automatic rotation has come (by the vault's clock), once
    /// however many periods passed, each in its own transaction: one failing never undoes
    /// another. A rotation that fails (the CMK disabled, the secret not `ENABLED`, …) records a
    /// `FAILED` task, fires `SECRET_ROTATED_FAILED` and moves `next_rotation_time` to the first
    /// time on its schedule after now, so it is not tried again every minute. Writes nothing when
    /// nothing is due.
    ///
    /// Errors: the store's (`VAULT.0005` when another process keeps the vault busy); the
    /// rotations done before it stay.
    pub fn rotate_due(&self) -> VaultResult<RotationPass> {
        let now = self.now_ms();
        let due = task_rows::due_for_rotation(self.store().conn_ref(), now)?;
        let mut pass = RotationPass::default();
        for name in &due {
            match self.rotate_if_due(name, now)? {
                Some(true) => pass.rotated += 1,
                Some(false) => pass.failed += 1,
                None => {}
            }
        }
        Ok(pass)
    }

    /// One secret's automatic rotation in its own transaction, if it is still due (another
    /// process may have rotated it meanwhile): `Some(true)` rotated, `Some(false)` failed (and
    /// recorded), `None` no longer due.
    fn rotate_if_due(&self, name: &str, now: i64) -> VaultResult<Option<bool>> {
        let mut store = self.store();
        let tx = store.immediate()?;
        let Some(mut secret) = secret_rows::by_name(&tx, name)? else {
            return Ok(None);
        };
        let due = secret.settings.auto_rotation
            && secret
                .settings
                .next_rotation_time
                .is_some_and(|next| next <= now);
        if !due {
            return Ok(None);
        }
        let mut attempted = secret.clone();
        let outcome = attempt(&tx, || {
            self.rotate_in(&tx, &mut attempted, OperateType::AutoRotation, now)
        })?;
        let rotated = match outcome {
            Ok(_) => true,
            // The store failing is no failed rotation: it is said, and tried again later.
            Err(VaultError::Store(e)) => return Err(e.into()),
            Err(e) => {
                failed(&tx, &mut secret, &e.to_api(), now)?;
                false
            }
        };
        tx.commit().map_err(StoreError::from)?;
        Ok(Some(rotated))
    }

    /// The rotation itself, in the open transaction `conn`, recorded as an `operate` task.
    fn rotate_in(
        &self,
        conn: &Connection,
        secret: &mut SecretRow,
        operate: OperateType,
        now: i64,
    ) -> VaultResult<RotateSecretResponse> {
        require_enabled(secret, "it cannot be rotated")?;
        let value = rotated_value(current_kind(conn, secret)?)?;
        let (secret_string, secret_binary) = match &value {
            Rotated::Text(text) => (Some(text), None),
            Rotated::Binary(b64) => (None, Some(b64)),
        };
        secret.settings.rotation_time = Some(now);
        if secret.settings.auto_rotation
            && let Some(period) = &secret.settings.rotation_period
        {
            secret.settings.next_rotation_time = next_rotation(now, period);
        }
        let version = self.add_version(
            conn,
            secret,
            &NewValue {
                value: RequestValue {
                    secret_string,
                    secret_binary,
                },
                stages: vec![STAGE_CURRENT.to_owned()],
                expire_time: None,
            },
            now,
        )?;
        let task_id = uuid::Uuid::new_v4().to_string();
        task_rows::insert(conn, &task(&task_id, secret, operate, now, None))?;
        fire(
            conn,
            secret,
            EventType::SecretRotated,
            Some(&version.id),
            now,
        )?;
        Ok(RotateSecretResponse {
            rotation_task_id: task_id,
            secret_name: secret.name.clone(),
            version_id: version.id,
        })
    }

    /// List Secret Task: newest first, filtered by `secret_name`, `status` or `task_id` alone,
    /// paged by task id (`marker` exclusive; `limit` 1–1000, default 50); `total` counts every
    /// match. Errors: `CSMS.0002` a filter or marker out of form, a task id with another
    /// filter, a bad limit, a marker that names no kept task.
    pub fn list_tasks(&self, query: &ListSecretTaskQuery) -> VaultResult<ListSecretTaskResponse> {
        first_problem(&query.problems())?;
        let limit = page_limit(query.limit)?;
        let filter = TaskFilter {
            secret_name: given(query.secret_name.as_ref()),
            status: given(query.status.as_ref()),
            task_id: given(query.task_id.as_ref()),
        };
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &Connection = &snapshot;
        let before = match given(query.marker.as_ref()) {
            None => None,
            Some(marker) => Some(task_rows::position(conn, marker)?.ok_or_else(|| {
                ApiError::invalid(format!(
                    "Invalid marker: no task {marker} is kept in this vault."
                ))
            })?),
        };
        let mut rows = task_rows::page(conn, &filter, before, limit + 1)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let total = task_rows::count(conn, &filter)?;
        let tasks: Vec<SecretTask> = rows.into_iter().map(task_of).collect();
        let next_marker = more
            .then(|| tasks.last().map(|t| t.task_id.clone()))
            .flatten();
        Ok(ListSecretTaskResponse {
            tasks,
            total,
            next_marker,
        })
    }

    /// Deletes the tasks older than [`TASK_RETENTION_MS`] (3 months) by the vault's clock; how
    /// many. Writes nothing when none is.
    pub fn prune_tasks(&self) -> VaultResult<usize> {
        let cutoff = self.now_ms().saturating_sub(TASK_RETENTION_MS);
        if !task_rows::any_before(self.store().conn_ref(), cutoff)? {
            return Ok(0);
        }
        let mut store = self.store();
        let tx = store.immediate()?;
        let pruned = task_rows::prune(&tx, cutoff)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(pruned)
    }
}

/// An automatic rotation that failed with `error`, recorded in the open transaction: a `FAILED`
/// task, `SECRET_ROTATED_FAILED`, and the schedule moved on.
fn failed(
    conn: &Connection,
    secret: &mut SecretRow,
    error: &ApiError,
    now: i64,
) -> VaultResult<()> {
    let task_id = uuid::Uuid::new_v4().to_string();
    task_rows::insert(
        conn,
        &task(
            &task_id,
            secret,
            OperateType::AutoRotation,
            now,
            Some(error),
        ),
    )?;
    fire(conn, secret, EventType::SecretRotatedFailed, None, now)?;
    secret.settings.next_rotation_time = secret
        .settings
        .next_rotation_time
        .zip(secret.settings.rotation_period.as_deref())
        .and_then(|(next, period)| after_failure(next, period, now));
    secret_rows::save(conn, secret)?;
    Ok(())
}

/// Where a failed rotation moves `next` (epoch ms, at or before `now`): one period on, or, when
/// several periods passed, the first time on the same schedule after `now`. `None` (automatic
/// rotation then waits to be set again) only for a period out of form, which the vault never
/// stores.
fn after_failure(next: i64, period: &str, now: i64) -> Option<i64> {
    let step = rotation_period_ms(period).filter(|ms| *ms > 0)?;
    let missed = now.saturating_sub(next) / step;
    next.checked_add(step.checked_mul(missed.checked_add(1)?)?)
}

/// The task row of a rotation of `secret` at `now`: `SUCCESS`, or `FAILED` with `error`.
fn task(
    task_id: &str,
    secret: &SecretRow,
    operate: OperateType,
    now: i64,
    error: Option<&ApiError>,
) -> TaskRow {
    TaskRow {
        task_id: task_id.to_owned(),
        secret_name: secret.name.clone(),
        rotation_func_urn: secret.settings.rotation_func_urn.clone(),
        operate_type: operate.as_str().to_owned(),
        task_time: now,
        attempt_nums: TASK_ATTEMPTS,
        task_status: if error.is_some() {
            TASK_FAILED
        } else {
            TASK_SUCCESS
        }
        .to_owned(),
        task_error_code: error.map(|e| e.error_code().to_owned()),
        task_error_msg: error.map(|e| e.error_msg.clone()),
    }
}

fn task_of(t: TaskRow) -> SecretTask {
    SecretTask {
        task_id: t.task_id,
        secret_name: t.secret_name,
        rotation_func_urn: t.rotation_func_urn,
        operate_type: t.operate_type,
        task_time: t.task_time,
        attempt_nums: t.attempt_nums,
        task_status: t.task_status,
        task_error_code: t.task_error_code,
        task_error_msg: t.task_error_msg,
    }
}

/// A filter's text, `""` being absent.
fn given(text: Option<&String>) -> Option<&str> {
    text.map(String::as_str).filter(|t| !t.is_empty())
}

/// The kind of the version holding `SYSCURRENT` (text when there is none).
fn current_kind(conn: &Connection, secret: &SecretRow) -> VaultResult<ValueKind> {
    let Some(current) = version_rows::version_of_stage(conn, secret.row_id, STAGE_CURRENT)? else {
        return Ok(ValueKind::Text);
    };
    Ok(version_rows::version(conn, secret.row_id, &current)?.map_or(ValueKind::Text, |v| v.kind))
}

/// A generated value, as a request carries it.
enum Rotated {
    Text(Zeroizing<String>),
    /// Base64 of the random bytes.
    Binary(Zeroizing<String>),
}

/// A new value of `kind`: 32 characters with every class for text (the password generator), 32
/// random bytes for binary.
fn rotated_value(kind: ValueKind) -> VaultResult<Rotated> {
    Ok(match kind {
        ValueKind::Text => Rotated::Text(
            generate_password(&GeneratePasswordRequest {
                length: Some(i64::from(ROTATED_TEXT_CHARS)),
                require_each_included_type: true,
                ..GeneratePasswordRequest::default()
            })?
            .password,
        ),
        ValueKind::Binary => {
            let bytes = random_bytes(ROTATED_BINARY_BYTES)?;
            Rotated::Binary(Zeroizing::new(STANDARD.encode(bytes.as_slice())))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::after_failure;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn a_failure_moves_the_schedule_past_now_on_the_same_grid() {
        assert_eq!(after_failure(100, "6h", 100), Some(100 + 6 * HOUR));
        assert_eq!(
            after_failure(100, "6h", 100 + 6 * HOUR - 1),
            Some(100 + 6 * HOUR),
            "one period on"
        );
        assert_eq!(
            after_failure(100, "6h", 100 + 20 * HOUR),
            Some(100 + 24 * HOUR),
            "three periods missed: the fourth"
        );
        assert_eq!(after_failure(100, "6x", 200), None);
    }
}
