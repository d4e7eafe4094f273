//! Remote rows (issue 17): a CSMS endpoint, its AK in clear, its SK sealed under the root key,
//! extra trusted roots; insert, look up, list, delete (with its sync state), last sync time.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreResult;

/// A remote as stored, without its sealed SK and CA roots. Times are epoch ms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemoteRow {
    pub name: String,
    pub endpoint: String,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
    pub access_key: String,
    /// Whether extra trusted roots (PEM) are stored.
    pub has_ca: bool,
    pub create_time: i64,
    pub last_sync_time: Option<i64>,
}

/// What only opening a remote reads: the sealed SK and the CA roots.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteKeys {
    pub sealed_secret_key: Vec<u8>,
    pub ca_pem: Option<String>,
}

const COLUMNS: &str = "name, endpoint, project_id, region, iam_endpoint, access_key,
    ca_pem IS NOT NULL, create_time, last_sync_time";

fn row_of(r: &Row<'_>) -> rusqlite::Result<RemoteRow> {
    Ok(RemoteRow {
        name: r.get(0)?,
        endpoint: r.get(1)?,
        project_id: r.get(2)?,
        region: r.get(3)?,
        iam_endpoint: r.get(4)?,
        access_key: r.get(5)?,
        has_ca: r.get(6)?,
        create_time: r.get(7)?,
        last_sync_time: r.get(8)?,
    })
}

/// Stores a remote; `false` (nothing written) when one of that name is there already.
pub fn insert(conn: &Connection, row: &RemoteRow, keys: &RemoteKeys) -> StoreResult<bool> {
    let added = conn
        .prepare_cached(
            "INSERT INTO remotes (name, endpoint, project_id, region, iam_endpoint, access_key,
                 sealed_secret_key, ca_pem, create_time, last_sync_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (name) DO NOTHING",
        )?
        .execute(params![
            row.name,
            row.endpoint,
            row.project_id,
            row.region,
            row.iam_endpoint,
            row.access_key,
            keys.sealed_secret_key,
            keys.ca_pem,
            row.create_time,
            row.last_sync_time
        ])?;
    Ok(added == 1)
}

/// Every remote, by name.
pub fn all(conn: &Connection) -> StoreResult<Vec<RemoteRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM remotes ORDER BY name"))?;
    let rows = stmt.query_map([], row_of)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The remote with its sealed SK and CA roots, if there is one of that name.
pub fn with_keys(conn: &Connection, name: &str) -> StoreResult<Option<(RemoteRow, RemoteKeys)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, sealed_secret_key, ca_pem FROM remotes WHERE name = ?1"
    ))?;
    Ok(stmt
        .query_row([name], |r| {
            Ok((
                row_of(r)?,
                RemoteKeys {
                    sealed_secret_key: r.get(9)?,
                    ca_pem: r.get(10)?,
                },
            ))
        })
        .optional()?)
}

pub fn exists(conn: &Connection, name: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM remotes WHERE name = ?1")?
        .exists([name])?)
}

/// Deletes a remote with its sync state and version links; `false` when there was none. The
/// state is deleted here, not only by the foreign keys' cascade, so it goes whatever the
/// connection's `foreign_keys` pragma.
pub fn delete(conn: &Connection, name: &str) -> StoreResult<bool> {
    conn.prepare_cached("DELETE FROM sync_links WHERE remote = ?1")?
        .execute([name])?;
    conn.prepare_cached("DELETE FROM sync_state WHERE remote = ?1")?
        .execute([name])?;
    let removed = conn
        .prepare_cached("DELETE FROM remotes WHERE name = ?1")?
        .execute([name])?;
    Ok(removed == 1)
}

/// Sets when a push, pull or sync with the remote last finished (epoch ms).
pub fn set_last_sync(conn: &Connection, name: &str, at: i64) -> StoreResult<()> {
    conn.prepare_cached("UPDATE remotes SET last_sync_time = ?2 WHERE name = ?1")?
        .execute(params![name, at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(name: &str) -> RemoteRow {
        RemoteRow {
            name: name.into(),
            endpoint: "https://csms.example.com".into(),
            access_key: "AK".into(),
            create_time: 1,
            ..RemoteRow::default()
        }
    }

    fn keys(ca: Option<&str>) -> RemoteKeys {
        RemoteKeys {
            sealed_secret_key: vec![7; 40],
            ca_pem: ca.map(str::to_owned),
        }
    }

    #[test]
    fn a_name_is_stored_once_and_its_keys_only_read_when_asked() {
        let conn = super::super::schema::in_memory().unwrap_or_else(|e| panic!("{e}"));
        assert!(insert(&conn, &remote("b"), &keys(Some("pem"))).unwrap_or(false));
        assert!(insert(&conn, &remote("a"), &keys(None)).unwrap_or(false));
        let again = RemoteRow {
            endpoint: "https://other.example.com".into(),
            ..remote("a")
        };
        assert!(!insert(&conn, &again, &keys(None)).unwrap_or(true));
        let all = all(&conn).unwrap_or_default();
        let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(all[0].endpoint, "https://csms.example.com", "not replaced");
        assert_eq!((all[0].has_ca, all[1].has_ca), (false, true));
        let (row, k) = with_keys(&conn, "b")
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("b is stored"));
        assert_eq!((row.name.as_str(), k.ca_pem.as_deref()), ("b", Some("pem")));
        assert_eq!(k.sealed_secret_key, vec![7; 40]);
        assert!(
            with_keys(&conn, "c")
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
        set_last_sync(&conn, "a", 99).unwrap_or_else(|e| panic!("{e}"));
        let a = with_keys(&conn, "a").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.and_then(|(a, _)| a.last_sync_time), Some(99));
        assert!(delete(&conn, "a").unwrap_or(false));
        assert!(!delete(&conn, "a").unwrap_or(true));
        assert!(!exists(&conn, "a").unwrap_or(true));
        assert!(exists(&conn, "b").unwrap_or(false));
    }
}
