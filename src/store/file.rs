//! Opening and creating the vault file: 0600 in a 0700 directory, WAL, `synchronous=FULL`, foreign keys.

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::schema::migrate;
use super::{StoreError, StoreResult};
use crate::kms::{KdfParams, VaultHeader};

/// How long an operation waits for another process's transaction before answering "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open vault file.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Creates the vault file (refusing to touch an existing one) and writes its header.
    pub fn create(path: &Path, header: &VaultHeader) -> StoreResult<Self> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_owned()));
        }
        if let Some(dir) = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|source| StoreError::File {
                    action: "create",
                    path: dir.to_owned(),
                    source,
                })?;
        }
        // Create the file ourselves so it is 0600 from its first byte; SQLite gives the -wal and
        // -shm files the mode of the database file.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => StoreError::Exists(path.to_owned()),
                _ => StoreError::File {
                    action: "create",
                    path: path.to_owned(),
                    source,
                },
            })?;
        let mut store = Self::connect(path)?;
        let tx = store.immediate()?;
        tx.execute(
            "INSERT INTO vault_header (id, format, vault_id, kdf_memory_kib, kdf_iterations,
                 kdf_parallelism, salt, wrapped_root_key) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                header.format,
                header.vault_id,
                header.kdf.memory_kib,
                header.kdf.iterations,
                header.kdf.parallelism,
                header.salt,
                header.wrapped_root_key
            ],
        )?;
        tx.commit()?;
        Ok(store)
    }

    /// Opens an existing vault file.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if !path.exists() {
            return Err(StoreError::NoVault(path.to_owned()));
        }
        Self::connect(path)
    }

    fn connect(path: &Path) -> StoreResult<Self> {
        Self::connect_inner(path).map_err(|e| e.at(path))
    }

    fn connect_inner(path: &Path) -> StoreResult<Self> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::File {
                action: "use write-ahead logging on",
                path: path.to_owned(),
                source: std::io::Error::other(format!("SQLite chose journal mode {mode}")),
            });
        }
        // 16 MiB of page cache keeps the name index of a large vault in memory during imports.
        conn.execute_batch(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;",
        )?;
        migrate(&mut conn)?;
        Ok(Self {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One immediate transaction: the unit in which every vault operation commits or vanishes.
    pub fn immediate(&mut self) -> StoreResult<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    pub fn load_header(&self) -> StoreResult<VaultHeader> {
        self.conn
            .query_row(
                "SELECT format, vault_id, kdf_memory_kib, kdf_iterations, kdf_parallelism, salt,
                        wrapped_root_key FROM vault_header WHERE id = 1",
                [],
                |r| {
                    Ok(VaultHeader {
                        format: r.get(0)?,
                        vault_id: r.get(1)?,
                        kdf: KdfParams {
                            memory_kib: r.get(2)?,
                            iterations: r.get(3)?,
                            parallelism: r.get(4)?,
                        },
                        salt: r.get(5)?,
                        wrapped_root_key: r.get(6)?,
                    })
                },
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::Corrupt {
                    reason: "the vault header is missing".into(),
                    source: Some(e),
                },
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt {
                    reason: "the vault header is malformed".into(),
                    source: Some(e),
                },
                e => e.into(),
            })
    }

    /// Replaces the header (passphrase change).
    pub fn save_header(tx: &Transaction<'_>, header: &VaultHeader) -> StoreResult<()> {
        tx.execute(
            "UPDATE vault_header SET salt = ?1, wrapped_root_key = ?2 WHERE id = 1",
            rusqlite::params![header.salt, header.wrapped_root_key],
        )?;
        Ok(())
    }
}

impl Store {
    /// `PRAGMA data_version`: changes when another connection commits.
    pub fn data_version(&self) -> StoreResult<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The connection, for reads outside a transaction.
    pub fn conn_ref(&self) -> &rusqlite::Connection {
        &self.conn
    }
}
