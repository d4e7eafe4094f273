//! The local endpoint's AK/SK pair as stored: the AK in clear, the SK sealed under the root key.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreResult;

/// The stored pair, if `csvault serve` has made one: (access key, sealed secret key).
pub fn load(conn: &Connection) -> StoreResult<Option<(String, Vec<u8>)>> {
    Ok(conn
        .query_row(
            "SELECT access_key, sealed_secret_key FROM endpoint_credentials WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Stores the pair; there is only ever one (a second insert is a constraint error).
/// `create_time` is epoch ms.
pub fn insert(
    conn: &Connection,
    access_key: &str,
    sealed_secret_key: &[u8],
    create_time: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO endpoint_credentials (id, access_key, sealed_secret_key, create_time)
         VALUES (1, ?1, ?2, ?3)",
        params![access_key, sealed_secret_key, create_time],
    )?;
    Ok(())
}
