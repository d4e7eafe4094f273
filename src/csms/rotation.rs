//! Rotation: `RotateSecret`'s answer, `ListSecretTask`'s query, its rules and its answer, and what a
//! rotation generates (docs/DECISIONS.md `RotateSecret`, "automatic rotation",
//! `ListSecretTask`).

use serde::{Deserialize, Serialize};

use super::{DAY_MS, Field, FieldError, validate_name};

/// A rotated text value's length in characters: every class (a–z, A–Z, 0–9, punctuation) at
/// least once (docs/DECISIONS.md `RotateSecret`).
pub const ROTATED_TEXT_CHARS: u32 = 32;
/// A rotated binary value's length in bytes (docs/DECISIONS.md `RotateSecret`).
pub const ROTATED_BINARY_BYTES: usize = 32;
/// How long a rotation task is kept, in ms: "3 months", counted as 90 days (*local*;
/// docs/DECISIONS.md `ListSecretTask`, "Rotation and tasks (issue 14)").
pub const TASK_RETENTION_MS: i64 = 90 * DAY_MS;
/// How many times a task tried (a local rotation tries once).
pub const TASK_ATTEMPTS: u32 = 1;

/// `task_status` of a rotation that made its version.
pub const TASK_SUCCESS: &str = "SUCCESS";
/// `task_status` of a rotation that failed (then `task_error_code`/`task_error_msg` say why).
pub const TASK_FAILED: &str = "FAILED";

/// Who asked for a rotation (`operate_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperateType {
    /// `RotateSecret`.
    ManualRotation,
    /// The schedule (`auto_rotation`, `next_rotation_time`).
    AutoRotation,
}

impl OperateType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManualRotation => "MANUAL_ROTATION",
            Self::AutoRotation => "AUTO_ROTATION",
        }
    }
}

/// `POST /v1/{project_id}/secrets/{secret_name}/rotate`'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotateSecretResponse {
    /// The task recorded for this rotation (UUID v4).
    pub rotation_task_id: String,
    pub secret_name: String,
    /// The new version (`v1`, `v2`, …), now `SYSCURRENT`.
    pub version_id: String,
}

/// One rotation task, as `ListSecretTask` answers it. Times are epoch ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretTask {
    /// UUID v4.
    pub task_id: String,
    pub secret_name: String,
    /// The secret's `rotation_func_urn` when it rotated (nothing runs it locally).
    pub rotation_func_urn: Option<String>,
    /// `MANUAL_ROTATION` or `AUTO_ROTATION`.
    pub operate_type: String,
    pub task_time: i64,
    pub attempt_nums: u32,
    /// [`TASK_SUCCESS`] or [`TASK_FAILED`].
    pub task_status: String,
    /// The CSMS code of a failure (`CSMS.0401`, `CSMS.0109`, …); `null` on success.
    pub task_error_code: Option<String>,
    /// The failure's message (never a value); `null` on success.
    pub task_error_msg: Option<String>,
}

/// `GET /v1/{project_id}/csms/tasks`'s answer: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSecretTaskResponse {
    pub tasks: Vec<SecretTask>,
    /// Every task that matches the filters, on this page or not.
    pub total: usize,
    /// The page's last task id when more follow; `null` on the last page.
    pub next_marker: Option<String>,
}

/// `ListSecretTask`'s query: filters and paging. `""` is absent, as for every list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSecretTaskQuery {
    pub secret_name: Option<String>,
    /// `SUCCESS` or `FAILED`.
    pub status: Option<String>,
    /// One task; with another filter: 400 `CSMS.0002`.
    pub task_id: Option<String>,
    /// 1–1000, 50 when absent (the vault's check: `csms::page_limit`).
    pub limit: Option<usize>,
    /// A task id: the page starts after it (exclusive).
    pub marker: Option<String>,
}

impl ListSecretTaskQuery {
    /// Every broken rule of the filters' and the marker's forms, in the API's parameter order
    /// (`secret_name`, `status`, `task_id`, `marker`): a name not in a secret name's form, a
    /// status other than `SUCCESS`/`FAILED`, a task id or marker not in a task id's form, a
    /// task id given with another filter. The `limit` and whether the marker names a task are
    /// the vault's.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = given(self.secret_name.as_deref()).and_then(validate_name) {
            out.push(FieldError::new(Field::TaskSecretName, m));
        }
        if let Some(status) = given(self.status.as_deref())
            && status != TASK_SUCCESS
            && status != TASK_FAILED
        {
            out.push(FieldError::new(
                Field::TaskStatus,
                format!("it must be {TASK_SUCCESS} or {TASK_FAILED}"),
            ));
        }
        if let Some(id) = given(self.task_id.as_deref()) {
            if !is_task_id(id) {
                out.push(FieldError::new(Field::TaskId, TASK_ID_FORM));
            } else if given(self.secret_name.as_deref()).is_some()
                || given(self.status.as_deref()).is_some()
            {
                out.push(FieldError::new(
                    Field::TaskId,
                    "it cannot be combined with secret_name or status",
                ));
            }
        }
        if let Some(marker) = given(self.marker.as_deref())
            && !is_task_id(marker)
        {
            out.push(FieldError::new(Field::TaskMarker, TASK_ID_FORM));
        }
        out
    }
}

const TASK_ID_FORM: &str = "a task id is 8-4-4-4-12 of 0–9 a–z, as RotateSecret answers it";

/// A filter's text, `""` being absent.
fn given(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.is_empty())
}

/// Whether `text` has a task id's form: `^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$`
/// (`ListSecretTask`'s pattern).
pub fn is_task_id(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| {
            g.len() == n
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "a71a4b47-6cac-4f11-92c1-21a165bb6401";

    fn fields(q: &ListSecretTaskQuery) -> Vec<Field> {
        q.problems().iter().map(|p| p.field).collect()
    }

    #[test]
    fn task_ids_have_the_apis_form() {
        assert!(is_task_id(ID));
        for bad in [
            "",
            "a71a4b47",
            "A71A4B47-6CAC-4F11-92C1-21A165BB6401",
            "a71a4b47-6cac-4f11-92c1-21a165bb640",
            "a71a4b47-6cac-4f11-92c1-21a165bb6401-",
            "a71a4b47_6cac-4f11-92c1-21a165bb6401",
        ] {
            assert!(!is_task_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_task_id_stands_alone_and_every_filter_has_its_form() {
        let one = |q: ListSecretTaskQuery| fields(&q);
        assert!(
            one(ListSecretTaskQuery {
                task_id: Some(ID.into()),
                limit: Some(10),
                ..ListSecretTaskQuery::default()
            })
            .is_empty(),
            "paging is no filter"
        );
        assert_eq!(
            one(ListSecretTaskQuery {
                task_id: Some(ID.into()),
                status: Some(TASK_FAILED.into()),
                ..ListSecretTaskQuery::default()
            }),
            [Field::TaskId]
        );
        assert_eq!(
            one(ListSecretTaskQuery {
                secret_name: Some("bad name".into()),
                status: Some("DONE".into()),
                task_id: Some("nope".into()),
                marker: Some("x".into()),
                limit: None,
            }),
            [
                Field::TaskSecretName,
                Field::TaskStatus,
                Field::TaskId,
                Field::TaskMarker
            ]
        );
        assert!(
            one(ListSecretTaskQuery {
                secret_name: Some(String::new()),
                status: Some(String::new()),
                task_id: Some(ID.into()),
                ..ListSecretTaskQuery::default()
            })
            .is_empty(),
            "empty filters filter nothing"
        );
    }

    #[test]
    fn answers_have_the_apis_shapes() {
        let rotated = serde_json::to_value(RotateSecretResponse {
            rotation_task_id: ID.into(),
            secret_name: "db".into(),
            version_id: "v2".into(),
        })
        .unwrap_or_default();
        assert_eq!(
            rotated,
            serde_json::json!({"rotation_task_id": ID, "secret_name": "db", "version_id": "v2"})
        );
        let list = serde_json::to_value(ListSecretTaskResponse {
            tasks: vec![SecretTask {
                task_id: ID.into(),
                secret_name: "db".into(),
                rotation_func_urn: None,
                operate_type: OperateType::AutoRotation.as_str().into(),
                task_time: 1,
                attempt_nums: 1,
                task_status: TASK_FAILED.into(),
                task_error_code: Some("CSMS.0401".into()),
                task_error_msg: Some("The CMK k is disabled.".into()),
            }],
            total: 1,
            next_marker: None,
        })
        .unwrap_or_default();
        assert_eq!(list["tasks"][0]["operate_type"], "AUTO_ROTATION");
        assert_eq!(
            list["tasks"][0]["rotation_func_urn"],
            serde_json::Value::Null
        );
        assert_eq!(list["total"], 1);
        assert_eq!(list["next_marker"], serde_json::Value::Null);
    }
}
