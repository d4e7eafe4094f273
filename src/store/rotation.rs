//! Rotation rows: the secrets whose automatic rotation has come, and the rotation tasks
//! (insert, page newest first by filters, count, prune by age).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;

/// A rotation task as stored (`rotation_tasks`); `seq` orders them (newest highest). Times are
/// epoch ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRow {
    pub task_id: String,
    pub secret_name: String,
    pub rotation_func_urn: Option<String>,
    pub operate_type: String,
    pub task_time: i64,
    pub attempt_nums: u32,
    pub task_status: String,
    pub task_error_code: Option<String>,
    pub task_error_msg: Option<String>,
}

/// Which tasks a list takes; `None` takes any.
#[derive(Clone, Copy, Debug, Default)]
pub struct TaskFilter<'a> {
    pub secret_name: Option<&'a str>,
    pub status: Option<&'a str>,
    pub task_id: Option<&'a str>,
}

const TASK_COLUMNS: &str = "task_id, secret_name, rotation_func_urn, operate_type, task_time,
    attempt_nums, task_status, task_error_code, task_error_msg";

/// The filters as SQL, parameters `?1` (name), `?2` (status), `?3` (task id).
const TASK_FILTER: &str = "(?1 IS NULL OR secret_name = ?1) AND (?2 IS NULL OR task_status = ?2)
    AND (?3 IS NULL OR task_id = ?3)";

fn task_from_row(r: &Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        task_id: r.get(0)?,
        secret_name: r.get(1)?,
        rotation_func_urn: r.get(2)?,
        operate_type: r.get(3)?,
        task_time: r.get(4)?,
        attempt_nums: r.get(5)?,
        task_status: r.get(6)?,
        task_error_code: r.get(7)?,
        task_error_msg: r.get(8)?,
    })
}

/// The names of the secrets with automatic rotation on whose `next_rotation_time` is `now`
/// (epoch ms) or earlier, the most overdue first (by the index `secrets_by_next_rotation`).
pub fn due_for_rotation(conn: &Connection, now: i64) -> StoreResult<Vec<String>> {
    let names = conn
        .prepare_cached(
            "SELECT name FROM secrets
             WHERE next_rotation_time <= ?1 AND auto_rotation = 1
             ORDER BY next_rotation_time, name",
        )?
        .query_map([now], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// Appends a task (the newest).
pub fn insert(conn: &Connection, t: &TaskRow) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO rotation_tasks ({TASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?
    .execute(params![
        t.task_id,
        t.secret_name,
        t.rotation_func_urn,
        t.operate_type,
        t.task_time,
        t.attempt_nums,
        t.task_status,
        t.task_error_code,
        t.task_error_msg
    ])?;
    Ok(())
}

/// Where the task `task_id` sits in the order of tasks (its `seq`), if it is kept.
pub fn position(conn: &Connection, task_id: &str) -> StoreResult<Option<i64>> {
    let mut stmt = conn.prepare_cached("SELECT seq FROM rotation_tasks WHERE task_id = ?1")?;
    Ok(stmt.query_row([task_id], |r| r.get(0)).optional()?)
}

/// Up to `limit` tasks matching `filter`, newest first, older than the one at `before` (a
/// `seq`, exclusive) when given.
pub fn page(
    conn: &Connection,
    filter: &TaskFilter<'_>,
    before: Option<i64>,
    limit: usize,
) -> StoreResult<Vec<TaskRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {TASK_COLUMNS} FROM rotation_tasks
             WHERE {TASK_FILTER} AND (?4 IS NULL OR seq < ?4)
             ORDER BY seq DESC LIMIT ?5"
        ))?
        .query_map(
            params![
                filter.secret_name,
                filter.status,
                filter.task_id,
                before,
                limit
            ],
            task_from_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many tasks match `filter`.
pub fn count(conn: &Connection, filter: &TaskFilter<'_>) -> StoreResult<usize> {
    let n: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM rotation_tasks WHERE {TASK_FILTER}"
        ))?
        .query_row(
            params![filter.secret_name, filter.status, filter.task_id],
            |r| r.get(0),
        )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Whether any task is older than `cutoff` (epoch ms): something for [`prune`] to do.
pub fn any_before(conn: &Connection, cutoff: i64) -> StoreResult<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM rotation_tasks WHERE task_time < ?1")?;
    Ok(stmt.exists([cutoff])?)
}

/// Deletes the tasks older than `cutoff` (epoch ms); how many.
pub fn prune(conn: &Connection, cutoff: i64) -> StoreResult<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM rotation_tasks WHERE task_time < ?1")?
        .execute([cutoff])?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::schema;

    fn task(n: u32, name: &str, status: &str, time: i64) -> TaskRow {
        TaskRow {
            task_id: format!("{n:08}-0000-4000-8000-000000000000"),
            secret_name: name.into(),
            rotation_func_urn: None,
            operate_type: "MANUAL_ROTATION".into(),
            task_time: time,
            attempt_nums: 1,
            task_status: status.into(),
            task_error_code: None,
            task_error_msg: None,
        }
    }

    #[test]
    fn tasks_page_newest_first_by_filter_and_prune_by_age() {
        let conn = schema::in_memory().unwrap();
        for (n, name, status) in [
            (1, "a", "SUCCESS"),
            (2, "b", "FAILED"),
            (3, "a", "FAILED"),
            (4, "a", "SUCCESS"),
        ] {
            insert(&conn, &task(n, name, status, i64::from(n) * 10)).unwrap();
        }
        let ids = |rows: Vec<TaskRow>| -> Vec<String> {
            rows.into_iter()
                .map(|t| t.task_id[..8].to_owned())
                .collect()
        };
        let of_a = TaskFilter {
            secret_name: Some("a"),
            ..TaskFilter::default()
        };
        assert_eq!(
            ids(page(&conn, &of_a, None, 2).unwrap()),
            ["00000004", "00000003"]
        );
        let after = position(&conn, &task(3, "", "", 0).task_id).unwrap();
        assert_eq!(ids(page(&conn, &of_a, after, 2).unwrap()), ["00000001"]);
        assert_eq!(count(&conn, &of_a).unwrap(), 3);
        let failed = TaskFilter {
            status: Some("FAILED"),
            ..TaskFilter::default()
        };
        assert_eq!(
            ids(page(&conn, &failed, None, 10).unwrap()),
            ["00000003", "00000002"]
        );
        assert!(any_before(&conn, 21).unwrap());
        assert_eq!(prune(&conn, 21).unwrap(), 2);
        assert!(!any_before(&conn, 21).unwrap());
        assert_eq!(count(&conn, &TaskFilter::default()).unwrap(), 2);
    }
}
