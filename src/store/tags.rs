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

/// A secret's name and its tags as (key, value), by key.
pub type Tagged = (String, Vec<(String, String)>);

/// Every secret that has tags, with them as (key, value) by key: the table in its own order
/// (no sort), each secret's name read once by its row id.
pub fn all_by_secret(conn: &Connection) -> StoreResult<Vec<Tagged>> {
    let mut tags = conn.prepare_cached(
        "SELECT secret_row, key, value FROM secret_tags ORDER BY secret_row, key",
    )?;
    let mut names = conn.prepare_cached("SELECT name FROM secrets WHERE row_id = ?1")?;
    let mut out: Vec<Tagged> = Vec::new();
    // The secret whose tags are being read, and whether it is there.
    let mut current: Option<(i64, bool)> = None;
    let mut rows = tags.query([])?;
    while let Some(r) = rows.next()? {
        let secret_row: i64 = r.get(0)?;
        if current.map(|(row, _)| row) != Some(secret_row) {
            let name: Option<String> = names.query_row([secret_row], |n| n.get(0)).optional()?;
            // A tag row outlives its secret only in a damaged file: it is left out.
            current = Some((secret_row, name.is_some()));
            out.extend(name.map(|name| (name, Vec::new())));
        }
        if current.is_some_and(|(_, there)| there)
            && let Some((_, list)) = out.last_mut()
        {
            list.push((r.get(1)?, r.get(2)?));
        }
    }
    Ok(out)
}

/// Which secrets a search asks for: those carrying every one of `tags` (a key with one of its
/// values, any value when none is listed), whose name holds every one of `names` (lowercase
/// ASCII, compared with the name lowercased), whose name or description holds `text` (SQLite's
/// `LIKE`: ASCII letters in either case, `%` and `_` taken literally), whose state is `state`,
/// and whose name is after `after` and before `before` (exclusive, byte order).
#[derive(Clone, Copy, Debug, Default)]
pub struct Search<'a> {
    pub tags: &'a [TagFilter],
    pub names: &'a [String],
    pub text: Option<&'a str>,
    pub state: Option<&'a str>,
    pub after: Option<&'a str>,
    pub before: Option<&'a str>,
}

impl Search<'_> {
    /// Whether anything but the tags narrows the search.
    fn narrows_by_name(&self) -> bool {
        !self.names.is_empty()
            || self.text.is_some()
            || self.state.is_some()
            || self.after.is_some()
            || self.before.is_some()
    }

    /// The conditions on the secret's own row (`s`) other than its name's bounds, their
    /// parameters pushed.
    fn row_conditions(&self, params: &mut Vec<Value>) -> Vec<String> {
        let mut out = Vec::new();
        for name in self.names {
            out.push("instr(lower(s.name), ?) > 0".to_owned());
            params.push(Value::Text(name.clone()));
        }
        if let Some(text) = self.text {
            out.push("(s.name LIKE ? ESCAPE '\\' OR s.description LIKE ? ESCAPE '\\')".to_owned());
            let pattern = format!("%{}%", like_escaped(text));
            params.push(Value::Text(pattern.clone()));
            params.push(Value::Text(pattern));
        }
        if let Some(state) = self.state {
            out.push("s.state = ?".to_owned());
            params.push(Value::Text(state.to_owned()));
        }
        out
    }
}

/// `text` with `LIKE`'s wildcards (and the escape character itself) escaped by `\`.
fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// How a search walks the vault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Walk {
    /// Every secret by name (no tag asked for).
    Names,
    /// The matches of `tags[driver]` off `tags_by_key_value` (the filter matching fewest rows),
    /// each other filter one primary-key lookup, then sorted by name.
    Tag { driver: usize },
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

/// `EXISTS (…)`: the secret whose row id is `row` carries a tag matching `filter`.
fn has_tag(row: &str, filter: &TagFilter, params: &mut Vec<Value>) -> String {
    let clause = tag_condition("o", filter, params);
    format!("EXISTS (SELECT 1 FROM secret_tags AS o WHERE o.secret_row = {row} AND {clause})")
}

/// How many tag rows one filter matches, off the index alone.
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

/// About how many secrets there are: the largest row id (a B-tree's last entry, no count).
fn secrets_estimate(conn: &Connection) -> StoreResult<usize> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT max(row_id) FROM secrets")?
        .query_row([], |r| r.get(0))?;
    Ok(n.and_then(|n| usize::try_from(n).ok()).unwrap_or(0))
}

/// The filter matching fewest rows (each counted off the index) and its count.
fn fewest(conn: &Connection, tags: &[TagFilter]) -> StoreResult<(usize, usize)> {
    let mut best = (0, usize::MAX);
    for (i, filter) in tags.iter().enumerate() {
        let n = index_count(conn, filter)?;
        if n < best.1 {
            best = (i, n);
        }
    }
    Ok(best)
}

/// How many times the expected number of names a look along the names may read.
const ALONG_NAMES_SLACK: usize = 8;
/// The fewest names it may read whatever it expects.
const MIN_ALONG_NAMES: usize = 1024;

/// How to find a page of `rows` (the page's end: offset + limit). One tag that many secrets
/// carry is looked for along the names when that should read fewer rows than sorting its
/// matches would (expected: `rows` × secrets / matches, less than the matches), within a budget
/// of 8 times that (at least 1,024, at most the matches): names that cluster the tag's secrets
/// far along fall back to the index after a short look. Several tags always walk the index, as
/// their intersection may be empty however common each is.
///
/// The walk, and the budget of a look along the names to try first.
fn walk_for_page(
    conn: &Connection,
    search: &Search<'_>,
    rows: usize,
) -> StoreResult<(Walk, Option<usize>)> {
    match search.tags {
        [] => Ok((Walk::Names, None)),
        [one] => {
            let matches = index_count(conn, one)?;
            let secrets = secrets_estimate(conn)?;
            let along_names = rows.saturating_mul(secrets) / matches.max(1);
            let budget = along_names
                .saturating_mul(ALONG_NAMES_SLACK)
                .max(MIN_ALONG_NAMES)
                .min(matches);
            Ok((
                Walk::Tag { driver: 0 },
                (along_names < matches).then_some(budget),
            ))
        }
        many => Ok((
            Walk::Tag {
                driver: fewest(conn, many)?.0,
            },
            None,
        )),
    }
}

/// The row ids of the first `rows` secrets along the names (`descending`: from the last) that
/// carry the one tag of `search` and hold its `names`, reading at most `budget` secrets; `None`
/// when the budget ran out first.
fn along_names(
    conn: &Connection,
    search: &Search<'_>,
    descending: bool,
    rows: usize,
    budget: usize,
) -> StoreResult<Option<Vec<i64>>> {
    let (sql, params) = along_names_sql(search, descending);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut cursor = stmt.query(params_from_iter(params))?;
    let mut found = Vec::new();
    let mut read = 0usize;
    while found.len() < rows {
        let Some(r) = cursor.next()? else {
            return Ok(Some(found));
        };
        if read >= budget {
            return Ok(None);
        }
        read += 1;
        if r.get::<_, bool>(1)? {
            found.push(r.get(0)?);
        }
    }
    Ok(Some(found))
}

/// [`along_names`]' statement: every secret in name order (within `after` and `before`) with
/// whether it matches, and its parameters. Each secret read comes back, matching or not, so
/// the budget counts every one.
fn along_names_sql(search: &Search<'_>, descending: bool) -> (String, Vec<Value>) {
    let mut params = Vec::new();
    let mut checks: Vec<String> = search
        .tags
        .iter()
        .map(|filter| has_tag("s.row_id", filter, &mut params))
        .collect();
    checks.extend(search.row_conditions(&mut params));
    let mut bounds = Vec::new();
    if let Some(after) = search.after {
        bounds.push("s.name > ?");
        params.push(Value::Text(after.to_owned()));
    }
    if let Some(before) = search.before {
        bounds.push("s.name < ?");
        params.push(Value::Text(before.to_owned()));
    }
    let where_clause = if bounds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", bounds.join(" AND "))
    };
    let order = if descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT s.row_id, {} FROM secrets AS s{where_clause} ORDER BY s.name {order}",
        checks.join(" AND ")
    );
    (sql, params)
}

/// The secrets of these row ids, in this order.
fn by_row_ids(conn: &Connection, ids: &[i64]) -> StoreResult<Vec<SecretRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SECRET_COLUMNS} FROM secrets WHERE row_id = ?1"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt.query_row([id], secret_from_row).optional()? {
            out.push(row);
        }
    }
    Ok(out)
}

/// `FROM … WHERE …` of a search walked as `walk`, with its parameters; `join`: whether the
/// secrets table is joined (for a count by tags alone it need not be).
fn from_where(search: &Search<'_>, walk: Walk, join: bool) -> (String, Vec<Value>) {
    let mut params = Vec::new();
    let mut conditions = Vec::new();
    let from = match walk {
        Walk::Names => "secrets AS s",
        Walk::Tag { driver } => {
            conditions.push(tag_condition("d", &search.tags[driver], &mut params));
            for (i, filter) in search.tags.iter().enumerate() {
                if i != driver {
                    // On the driver's row id: checked before the secret's row is read.
                    conditions.push(has_tag("d.secret_row", filter, &mut params));
                }
            }
            if join {
                "secret_tags AS d INDEXED BY tags_by_key_value \
                 CROSS JOIN secrets AS s ON s.row_id = d.secret_row"
            } else {
                "secret_tags AS d INDEXED BY tags_by_key_value"
            }
        }
    };
    conditions.extend(search.row_conditions(&mut params));
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
    (format!("FROM {from}{where_clause}"), params)
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
    let rows = offset.saturating_add(limit);
    let (walk, along) = walk_for_page(conn, search, rows)?;
    if let Some(budget) = along
        && let Some(ids) = along_names(conn, search, descending, rows, budget)?
    {
        return by_row_ids(conn, ids.get(offset..).unwrap_or_default());
    }
    let (from_where, mut params) = from_where(search, walk, true);
    let columns = SECRET_COLUMNS
        .split(',')
        .map(|c| format!("s.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let order = if descending { "DESC" } else { "ASC" };
    let sql = format!("SELECT {columns} {from_where} ORDER BY s.name {order} LIMIT ? OFFSET ?");
    params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    params.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(params), secret_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// How many secrets a search finds. By tags alone it reads `tags_by_key_value` only (one tag:
/// the count of its index range).
pub fn count_found(conn: &Connection, search: &Search<'_>) -> StoreResult<usize> {
    let by_name = search.narrows_by_name();
    let (sql, params) = match search.tags {
        [one] if !by_name => {
            return index_count(conn, one);
        }
        [] => {
            let (from_where, params) = from_where(search, Walk::Names, true);
            (format!("SELECT count(*) {from_where}"), params)
        }
        many => {
            let walk = Walk::Tag {
                driver: fewest(conn, many)?.0,
            };
            let (from_where, params) = from_where(search, walk, by_name);
            (format!("SELECT count(*) {from_where}"), params)
        }
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
    fn a_text_and_state_filter_walks_the_names_in_order_and_stops_at_the_page() {
        let conn = in_memory().unwrap_or_else(|e| panic!("{e}"));
        let search = Search {
            text: Some("db"),
            state: Some("ENABLED"),
            after: Some("a"),
            ..Search::default()
        };
        let (from_where, mut params) = from_where(&search, Walk::Names, true);
        params.push(Value::Integer(51));
        let walked = plan(
            &conn,
            &format!("SELECT s.name {from_where} ORDER BY s.name LIMIT ?"),
            params,
        );
        assert!(
            walked.contains("sqlite_autoindex_secrets_1"),
            "in name order: {walked}"
        );
        assert!(
            !walked.contains("TEMP B-TREE"),
            "stops at the page's end, nothing sorted: {walked}"
        );
    }

    #[test]
    fn like_wildcards_in_a_filter_are_taken_literally() {
        assert_eq!(like_escaped(r"100%_a\b"), r"100\%\_a\\b");
        assert_eq!(like_escaped("db"), "db");
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
        let explain = |walk: Walk, join: bool| {
            let (from_where, params) = from_where(&search, walk, join);
            let what = if join { "s.name" } else { "count(*)" };
            plan(
                &conn,
                &format!("SELECT {what} {from_where} ORDER BY 1 LIMIT 10"),
                params,
            )
        };
        let by_tags = explain(Walk::Tag { driver: 0 }, true);
        assert!(
            by_tags.contains("SEARCH d USING COVERING INDEX tags_by_key_value (key=? AND value=?)"),
            "{by_tags}"
        );
        assert!(
            by_tags.contains("SEARCH s USING INTEGER PRIMARY KEY"),
            "{by_tags}"
        );
        assert!(
            by_tags.contains("USING PRIMARY KEY (secret_row=? AND key=?)"),
            "{by_tags}"
        );
        assert!(!by_tags.contains("SCAN"), "{by_tags}");
        let counted = explain(Walk::Tag { driver: 0 }, false);
        assert!(
            !counted.contains(" s "),
            "a count by tags reads no secret: {counted}"
        );
        assert!(!counted.contains("SCAN"), "{counted}");
        let one = &tags[..1];
        let along = Search {
            tags: one,
            ..Search::default()
        };
        let (sql, params) = along_names_sql(&along, false);
        let walked = plan(&conn, &sql, params);
        assert!(
            walked.contains("SCAN s USING COVERING INDEX sqlite_autoindex_secrets_1")
                || walked.contains("SCAN s USING INDEX sqlite_autoindex_secrets_1"),
            "in name order: {walked}"
        );
        assert!(
            !walked.contains("TEMP B-TREE"),
            "stops at the page's end: {walked}"
        );
        let by_id = plan(
            &conn,
            "SELECT id FROM secrets INDEXED BY secrets_by_id WHERE id = ?1",
            vec![Value::Text("x".into())],
        );
        assert!(by_id.contains("secrets_by_id"), "{by_id}");
    }

    /// `n` secrets `s000`…; those for which `tagged` holds carry `env=prod`.
    fn vault_of(n: usize, tagged: impl Fn(usize) -> bool) -> Connection {
        let conn = in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(
            "INSERT INTO cmks VALUES ('k', 'a', '', 'ENABLED', 'AES_256', 0, 0, x'00')",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for i in 0..n {
            conn.execute(
                "INSERT INTO secrets (id, name, state, kms_key_id, secret_type, create_time,
                     update_time, next_version)
                 VALUES (?1, ?2, 'ENABLED', 'k', 'COMMON', 0, 0, 1)",
                params![format!("id-{i}"), format!("s{i:03}")],
            )
            .unwrap_or_else(|e| panic!("{e}"));
            if tagged(i) {
                set(&conn, conn.last_insert_rowid(), "env", "prod")
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        conn
    }

    fn names(rows: &[SecretRow]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn a_common_tag_is_looked_for_along_the_names_and_clustered_names_fall_back() {
        let prod = [TagFilter {
            key: "env".into(),
            values: vec!["prod".into()],
        }];
        let search = Search {
            tags: &prod,
            ..Search::default()
        };
        // Spread: 3 of 4 secrets; the page is found along the names.
        let spread = vault_of(200, |i| i % 4 != 0);
        let (_, along) = walk_for_page(&spread, &search, 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(along, Some(150));
        let found = find(&spread, &search, false, 2, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found), ["s002", "s003"]);
        let last = find(&spread, &search, true, 2, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&last), ["s199", "s198"]);
        assert_eq!(
            count_found(&spread, &search).unwrap_or_else(|e| panic!("{e}")),
            150
        );
        // Clustered at the end: the look runs out of budget, the index answers the same.
        let clustered = vault_of(200, |i| i >= 100);
        let ids = along_names(&clustered, &search, false, 3, 100).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ids, None, "100 names read, none matching");
        let found = find(&clustered, &search, false, 2, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found), ["s101", "s102"]);
        let after = Search {
            tags: &prod,
            after: Some("s150"),
            ..Search::default()
        };
        let found = find(&clustered, &after, false, 3, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found), ["s151", "s152", "s153"]);
        // A rare tag walks the index.
        let rare = vault_of(200, |i| i % 50 == 7);
        let (_, along) = walk_for_page(&rare, &search, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(along, None);
        let found = find(&rare, &search, false, 10, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names(&found), ["s007", "s057", "s107", "s157"]);
    }
}
