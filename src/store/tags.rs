//! Tag rows (`secret_tags`: one value per key per secret, deleted with their secret) and the
//! searches over them: a secret by id, and the secrets carrying given tags, driven by the
//! `tags_by_key_value` index (never a scan of every secret when a tag is asked for).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::StoreResult;
use super::secrets::{SECRET_COLUMNS, SecretRow, secret_from_row};
use crate::csms::TagFilter;

/// The secret with that id (the API's tag paths name secrets by id), through `secrets_by_id`.
pub fn secret_by_id(conn: &Connection, id: &str) -> StoreResult<Option<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets INDEXED BY secrets_by_id WHERE id = ?1 LIMIT 1"
    ))?;
    Ok(stmt.query_row([id], secret_from_row).optional()?)
}

/// A secret's tags as (key, value), by key in byte order.
pub fn of_secret(conn: &Connection, secret_row: i64) -> StoreResult<Vec<(String, String)>> {
    let mut stmt = conn
        .prepare_cached("SELECT key, value FROM secret_tags WHERE secret_row = ?1 ORDER BY key")?;
    let rows = stmt
        .query_map([secret_row], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many tags a secret carries.
pub fn count(conn: &Connection, secret_row: i64) -> StoreResult<usize> {
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM secret_tags WHERE secret_row = ?1")?;
    let n: i64 = stmt.query_row([secret_row], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The value of a secret's tag `key`, if it has one.
pub fn value_of(conn: &Connection, secret_row: i64, key: &str) -> StoreResult<Option<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT value FROM secret_tags WHERE secret_row = ?1 AND key = ?2")?;
    Ok(stmt
        .query_row(params![secret_row, key], |r| r.get(0))
        .optional()?)
}

/// Sets a secret's tag: adds it, or replaces the value of the key it already has.
pub fn set(conn: &Connection, secret_row: i64, key: &str, value: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO secret_tags (secret_row, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (secret_row, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![secret_row, key, value])?;
    Ok(())
}

/// Removes a secret's tag `key` (only while its value is `value`, when given); whether one was.
pub fn remove(
    conn: &Connection,
    secret_row: i64,
    key: &str,
    value: Option<&str>,
) -> StoreResult<bool> {
    let n = conn
        .prepare_cached(
            "DELETE FROM secret_tags
             WHERE secret_row = ?1 AND key = ?2 AND (?3 IS NULL OR value = ?3)",
        )?
        .execute(params![secret_row, key, value])?;
    Ok(n > 0)
}

/// Every key in use with its distinct values, keys and values in byte order (a walk of
/// `tags_by_key_value`, which holds them in that order).
pub fn project(conn: &Connection) -> StoreResult<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, value FROM secret_tags INDEXED BY tags_by_key_value
         GROUP BY key, value ORDER BY key, value",
    )?;
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let value: String = r.get(1)?;
        match out.last_mut() {
            Some((last, values)) if *last == key => values.push(value),
            _ => out.push((key, vec![value])),
        }
    }
    Ok(out)
}

/// Every tag of every secret as (name, key, value), by name then key.
pub fn all_by_name(conn: &Connection) -> StoreResult<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.name, t.key, t.value FROM secret_tags AS t
         JOIN secrets AS s ON s.row_id = t.secret_row ORDER BY s.name, t.key",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Which secrets a search asks for: those carrying every one of `tags` (a key with one of its
/// values, any value when none is listed), whose name holds every one of `names` (lowercase
/// ASCII, compared with the name lowercased), and whose name is after `after` and before
/// `before` (exclusive, byte order).
#[derive(Clone, Copy, Debug, Default)]
pub struct Search<'a> {
    pub tags: &'a [TagFilter],
    pub names: &'a [String],
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
}

/// A search as SQL: `FROM … WHERE …` and its parameters.
struct Built {
    from_where: String,
    params: Vec<Value>,
    /// Only one tag asked for and nothing else: its count is read off the index alone.
    index_only: Option<(String, Vec<Value>)>,
}

/// `key = ? [AND value IN (?, …)]` on the table `alias`, its parameters pushed.
fn tag_condition(alias: &str, filter: &TagFilter, params: &mut Vec<Value>) -> String {
    params.push(Value::Text(filter.key.clone()));
    let mut sql = format!("{alias}.key = ?");
    if !filter.values.is_empty() {
        let marks = vec!["?"; filter.values.len()].join(", ");
        sql = format!("{sql} AND {alias}.value IN ({marks})");
        params.extend(filter.values.iter().cloned().map(Value::Text));
    }
    sql
}

/// How many tag rows one filter matches, off the index.
fn index_count(conn: &Connection, filter: &TagFilter) -> StoreResult<usize> {
    let mut params = Vec::new();
    let clause = tag_condition("t", filter, &mut params);
    let sql = format!(
        "SELECT count(*) FROM secret_tags AS t INDEXED BY tags_by_key_value WHERE {clause}"
    );
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The SQL of a search. With tags, the outer loop walks `tags_by_key_value` over the filter that
/// matches fewest rows (`CROSS JOIN` keeps it outermost; `INDEXED BY` makes the statement fail
/// rather than scan), and each other filter is one primary-key lookup per candidate.
fn build(conn: &Connection, search: &Search<'_>) -> StoreResult<Built> {
    let mut params = Vec::new();
    let mut conditions = Vec::new();
    let mut from = "secrets AS s";
    let mut driver = None;
    if !search.tags.is_empty() {
        let mut best = 0;
        if search.tags.len() > 1 {
            let mut fewest = usize::MAX;
            for (i, filter) in search.tags.iter().enumerate() {
                let n = index_count(conn, filter)?;
                if n < fewest {
                    (best, fewest) = (i, n);
                }
            }
        }
        driver = Some(best);
        from = "secret_tags AS d INDEXED BY tags_by_key_value \
                CROSS JOIN secrets AS s ON s.row_id = d.secret_row";
        conditions.push(tag_condition("d", &search.tags[best], &mut params));
        for (i, filter) in search.tags.iter().enumerate() {
            if i != best {
                let clause = tag_condition("o", filter, &mut params);
                conditions.push(format!(
                    "EXISTS (SELECT 1 FROM secret_tags AS o WHERE o.secret_row = s.row_id AND {clause})"
                ));
            }
        }
    }
    let index_only = match driver {
        Some(best)
            if search.tags.len() == 1
                && search.names.is_empty()
                && search.after.is_none()
                && search.before.is_none() =>
        {
            let mut p = Vec::new();
            let clause = tag_condition("t", &search.tags[best], &mut p);
            Some((
                format!(
                    "SELECT count(*) FROM secret_tags AS t INDEXED BY tags_by_key_value WHERE {clause}"
                ),
                p,
            ))
        }
        _ => None,
    };
    for name in search.names {
        conditions.push("instr(lower(s.name), ?) > 0".to_owned());
        params.push(Value::Text(name.clone()));
    }
    if let Some(after) = search.after {
        conditions.push("s.name > ?".to_owned());
        params.push(Value::Text(after.to_owned()));
    }
    if let Some(before) = search.before {
        conditions.push("s.name < ?".to_owned());
        params.push(Value::Text(before.to_owned()));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    Ok(Built {
        from_where: format!("FROM {from}{where_clause}"),
        params,
        index_only,
    })
}

/// The secrets a search finds, by name (`descending`: from the last), `offset` skipped, at most
/// `limit`.
pub fn find(
    conn: &Connection,
    search: &Search<'_>,
    descending: bool,
    limit: usize,
    offset: usize,
) -> StoreResult<Vec<SecretRow>> {
    let built = build(conn, search)?;
    let columns = SECRET_COLUMNS
        .split(',')
        .map(|c| format!("s.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let order = if descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT {columns} {} ORDER BY s.name {order} LIMIT ? OFFSET ?",
        built.from_where
    );
    let mut params = built.params;
    params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(params), secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many secrets a search finds.
pub fn count_found(conn: &Connection, search: &Search<'_>) -> StoreResult<usize> {
    let built = build(conn, search)?;
    let (sql, params) = match built.index_only {
        Some(only) => only,
        None => (
            format!("SELECT count(*) {}", built.from_where),
            built.params,
        ),
    };
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(params), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::schema::in_memory;

    fn plan(conn: &Connection, sql: &str, params: Vec<Value>) -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let rows: Vec<String> = stmt
            .query_map(params_from_iter(params), |r| r.get::<_, String>(3))
            .unwrap_or_else(|e| panic!("{e}"))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{e}"));
        rows.join("\n")
    }

    #[test]
    fn a_tag_search_walks_the_index_not_every_secret() {
        let conn = in_memory().unwrap_or_else(|e| panic!("{e}"));
        let tags = [
            TagFilter {
                key: "env".into(),
                values: vec!["prod".into()],
            },
            TagFilter {
                key: "team".into(),
                values: vec![],
            },
        ];
        let search = Search {
            tags: &tags,
            ..Search::default()
        };
        let built = build(&conn, &search).unwrap_or_else(|e| panic!("{e}"));
        let shown = plan(
            &conn,
            &format!("SELECT s.name {} ORDER BY s.name", built.from_where),
            built.params,
        );
        assert!(
            shown.contains("USING COVERING INDEX tags_by_key_value")
                || shown.contains("USING INDEX tags_by_key_value"),
            "{shown}"
        );
        assert!(!shown.contains("SCAN s"), "{shown}");
        let by_id = plan(
            &conn,
            "SELECT id FROM secrets INDEXED BY secrets_by_id WHERE id = ?1",
            vec![Value::Text("x".into())],
        );
        assert!(by_id.contains("secrets_by_id"), "{by_id}");
    }
}
