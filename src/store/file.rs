//! Opening and creating the vault file: 0600 in a 0700 directory, WAL, `synchronous=FULL`, foreign keys.
//!
//! A file is identified as a vault before SQLite opens it ([`super::probe`]), its `-wal`/`-shm` are
//! checked and made by us ([`super::sidecar`]), and a new vault is built under a temporary name
//! beside its final path and linked into place only once complete.

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::cell::Cell;
use std::fs::{DirBuilder, File};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::probe::{self, Found};
use super::publish::Staged;
use super::schema::{APPLICATION_ID, migrate};
use super::sidecar;
use super::tx::Tx;
use super::{StoreError, StoreResult};

/// How long an operation waits for another process's transaction before answering "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The vault header as stored: Argon2id parameters, salt and the wrapped root key (the key
/// manager reads and writes it; the store only keeps it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderRow {
    pub format: u32,
    pub vault_id: String,
    pub kdf_memory_kib: u32,
    pub kdf_iterations: u32,
    pub kdf_parallelism: u32,
    pub salt: Vec<u8>,
    pub wrapped_root_key: Vec<u8>,
}

/// An open vault file.
#[derive(Debug)]
pub struct Store {
    pub(super) conn: Connection,
    path: PathBuf,
    /// Between `begin_group` and `commit_group`: operations join the open transaction.
    in_group: bool,
    /// An operation in the group asked for a checkpoint.
    checkpoint_due: Cell<bool>,
}

impl Store {
    /// Creates the vault file and writes its header, atomically: the vault is built under a
    /// temporary name in the same directory (0600), checkpointed, closed and flushed, then linked
    /// to `path` (which fails if anything appeared there) and the directory flushed. A failure or a
    /// kill leaves nothing at `path`; the temporary files are removed on any failure.
    ///
    /// Errors: as [`Self::ensure_free`]; `File` (`VAULT.0007`) when the directory or a file cannot
    /// be made; SQLite's errors.
    pub fn create(path: &Path, header: &HeaderRow) -> StoreResult<Self> {
        Self::ensure_free(path)?;
        let dir = make_parent(path)?;
        // `.vault.db.init-<random>`, removed with its `-wal`/`-shm` unless published.
        let (staged, file) = Staged::create(path, &dir, "init", &["-wal", "-shm"])?;
        drop(file);
        build(staged.path(), header).map_err(|e| e.at(path))?;
        // Never replacing anything: what appeared meanwhile is named.
        if let Err(e) = staged.publish(path, &dir, false) {
            if let StoreError::File { source, .. } = &e
                && source.kind() == io::ErrorKind::AlreadyExists
            {
                Store::ensure_free(path)?;
            }
            return Err(e);
        }
        Self::open(path)
    }

    /// Checks that nothing is at `path`, for `init`.
    ///
    /// Errors: `Exists` (a vault) or `Occupied` (another file), both `VAULT.0006`; whatever
    /// [`probe::look`] says of a directory, a symlink to a missing file or an unsearchable path
    /// (`VAULT.0007`).
    pub fn ensure_free(path: &Path) -> StoreResult<()> {
        match probe::look(path)? {
            Found::Missing => Ok(()),
            Found::Vault(_) => Err(StoreError::Exists(path.to_owned())),
            Found::Foreign(what) => Err(StoreError::Occupied {
                path: path.to_owned(),
                what,
            }),
        }
    }

    /// Whether a vault is at `path` (`false`: nothing is there), looked at without writing.
    ///
    /// Errors: `Foreign` (`VAULT.0003`) for a file that is not a vault; `NotAFile`, `Unreachable`,
    /// `File` (`VAULT.0007`).
    pub fn probe(path: &Path) -> StoreResult<bool> {
        match probe::look(path)? {
            Found::Missing => Ok(false),
            Found::Vault(_) => Ok(true),
            Found::Foreign(what) => Err(StoreError::Foreign {
                path: path.to_owned(),
                what,
            }),
        }
    }

    /// Opens an existing vault file. A file that is not a vault is refused unchanged, with nothing
    /// left beside it.
    ///
    /// Errors: `NoVault` (`VAULT.0001`); as [`Self::probe`]; `UnsafeSidecar` (`VAULT.0007`);
    /// SQLite's errors.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let real = match probe::look(path)? {
            Found::Missing => return Err(StoreError::NoVault(path.to_owned())),
            Found::Foreign(what) => {
                return Err(StoreError::Foreign {
                    path: path.to_owned(),
                    what,
                });
            }
            Found::Vault(real) => real,
        };
        sidecar::prepare(&real)?;
        let conn = open_vault(&real).map_err(|e| e.at(path))?;
        Ok(Self {
            conn,
            path: path.to_owned(),
            in_group: false,
            checkpoint_due: Cell::new(false),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The vault id in the file at `path` as the file itself says it now, read without locks and
    /// without its `-wal` (SQLite's `immutable`): a cheap look at whether another vault's bytes
    /// were copied over the file in place (same inode), which a connection already open would
    /// not notice.
    ///
    /// Errors: SQLite's, for a file that is not (or not yet, mid-copy) a readable vault.
    pub fn vault_id_in_file(path: &Path) -> StoreResult<String> {
        let conn = Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Ok(
            conn.query_row("SELECT vault_id FROM vault_header WHERE id = 1", [], |r| {
                r.get(0)
            })?,
        )
    }

    /// A read transaction: every statement in it sees the same commit, however many other
    /// connections write meanwhile. Dropping it ends it. Inside a group it reads the group's
    /// own writes so far.
    ///
    /// Errors: `GroupAborted` inside a group SQLite has already rolled back.
    pub fn snapshot(&mut self) -> StoreResult<Tx<'_>> {
        self.begin(TransactionBehavior::Deferred)
    }

    /// One immediate transaction: the unit in which every vault operation commits or vanishes.
    /// Inside a group it is a savepoint of the group's transaction.
    ///
    /// Errors: `Busy` past the busy timeout; `GroupAborted` as for [`Self::snapshot`].
    pub fn immediate(&mut self) -> StoreResult<Tx<'_>> {
        self.begin(TransactionBehavior::Immediate)
    }

    fn begin(&mut self, behavior: TransactionBehavior) -> StoreResult<Tx<'_>> {
        if !self.in_group {
            return Ok(Tx::Own(self.conn.transaction_with_behavior(behavior)?));
        }
        // An I/O error, a full disk or no memory can make SQLite roll back the whole group's
        // transaction; a savepoint opened now would start a transaction of its own and commit
        // alone, outside the group.
        if self.conn.is_autocommit() {
            return Err(StoreError::GroupAborted);
        }
        Ok(Tx::InGroup(self.conn.savepoint()?))
    }

    /// Starts a group commit: one write transaction that the operations run next join as
    /// savepoints, until [`Self::commit_group`] makes them durable with a single commit.
    ///
    /// Errors: `Busy` when another connection keeps the write lock past the busy timeout.
    pub fn begin_group(&mut self) -> StoreResult<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.in_group = true;
        Ok(())
    }

    /// Commits the group begun by [`Self::begin_group`], then runs a checkpoint an operation
    /// asked for meanwhile. On failure nothing of the group is in the file.
    ///
    /// Errors: `GroupAborted` when SQLite rolled the group back on its own; the commit's error.
    pub fn commit_group(&mut self) -> StoreResult<()> {
        if !self.in_group {
            return Ok(());
        }
        self.in_group = false;
        let checkpoint_due = self.checkpoint_due.replace(false);
        if self.conn.is_autocommit() {
            return Err(StoreError::GroupAborted);
        }
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            self.rollback_open();
            return Err(e.into());
        }
        if checkpoint_due {
            self.checkpoint();
        }
        Ok(())
    }

    /// Rolls back an open group (nothing of it reaches the file); nothing happens outside one.
    pub fn abort_group(&mut self) {
        if self.in_group {
            self.in_group = false;
            self.checkpoint_due.set(false);
            self.rollback_open();
        }
    }

    fn rollback_open(&self) {
        if !self.conn.is_autocommit() {
            // A failed ROLLBACK leaves SQLite's own rollback on close; nothing more can be done.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    pub fn load_header(&self) -> StoreResult<HeaderRow> {
        read_header(&self.conn)
    }

    /// Replaces the header (passphrase change) if it still has `old_salt`; whether it did (a
    /// concurrent change that committed first leaves it alone).
    pub fn save_header(tx: &Connection, old_salt: &[u8], header: &HeaderRow) -> StoreResult<bool> {
        let changed = tx.execute(
            "UPDATE vault_header SET salt = ?1, wrapped_root_key = ?2 WHERE id = 1 AND salt = ?3",
            rusqlite::params![header.salt, header.wrapped_root_key, old_salt],
        )?;
        Ok(changed == 1)
    }

    /// Moves what the log holds into the file and empties the log, if no reader is in the way:
    /// after a delete or a passphrase change, old pages leave the log at once (and, with
    /// `secure_delete`, are overwritten in the file). Best effort: a busy log is left for later.
    /// Inside a group (where SQLite cannot checkpoint) it runs once the group has committed.
    pub fn checkpoint(&self) {
        if self.in_group {
            self.checkpoint_due.set(true);
            return;
        }
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
    }
}

/// Sets the log length, in pages, at which a commit on `conn` checkpoints: copies the log into
/// the vault file (passively) before it returns; SQLite's default is 1,000. Every commit still
/// syncs the log first (`synchronous=FULL` makes it durable whatever this says). Returns what it
/// was before.
pub fn checkpoint_at(conn: &Connection, pages: i64) -> StoreResult<i64> {
    let was: i64 = conn.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
    let _: i64 = conn.query_row(&format!("PRAGMA wal_autocheckpoint = {pages}"), [], |r| {
        r.get(0)
    })?;
    Ok(was)
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

/// The vault header row of the database on `conn`.
pub(super) fn read_header(conn: &Connection) -> StoreResult<HeaderRow> {
    conn.query_row(
        "SELECT format, vault_id, kdf_memory_kib, kdf_iterations, kdf_parallelism, salt,
                        wrapped_root_key FROM vault_header WHERE id = 1",
        [],
        |r| {
            Ok(HeaderRow {
                format: r.get(0)?,
                vault_id: r.get(1)?,
                kdf_memory_kib: r.get(2)?,
                kdf_iterations: r.get(3)?,
                kdf_parallelism: r.get(4)?,
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

/// A read-only URI for the database at `path` that SQLite reads without locks and without its
/// `-wal` (`immutable`).
pub(super) fn immutable_uri(path: &Path) -> PathBuf {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let mut uri = b"file:".to_vec();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/._-".contains(&b) {
            uri.push(b);
        } else {
            uri.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    uri.extend_from_slice(b"?immutable=1");
    PathBuf::from(std::ffi::OsString::from_vec(uri))
}

/// Opens the vault at `real` (identified and with its `-wal`/`-shm` prepared): checks its
/// `application_id` through SQLite before anything that could write, then sets it up.
fn open_vault(real: &Path) -> StoreResult<Connection> {
    let mut conn = connect(real)?;
    // The first read opens the -wal and -shm.
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    sidecar::settle(real)?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::Foreign {
            path: real.to_owned(),
            what: format!(
                "an SQLite database of another application (application_id {app_id:#010x})"
            ),
        });
    }
    configure(&conn, real)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// A connection to the database file at `real`, waiting up to [`BUSY_TIMEOUT`] for locks.
fn connect(real: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        real,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// WAL, `synchronous=FULL`, foreign keys, 16 MiB of page cache. Errors: `File` when SQLite will
/// not use WAL on the file.
fn configure(conn: &Connection, real: &Path) -> StoreResult<()> {
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::File {
            action: "use write-ahead logging on",
            path: real.to_owned(),
            source: io::Error::other(format!("got {mode}")),
        });
    }
    // 16 MiB of page cache keeps the name index of a large vault in memory during imports.
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(())
}

/// Builds a whole vault in the empty file at `tmp`: schema, header, everything checkpointed into
/// the main file (so its header carries our `application_id`), closed and flushed to disk.
fn build(tmp: &Path, header: &HeaderRow) -> StoreResult<()> {
    sidecar::prepare(tmp)?;
    let mut conn = connect(tmp)?;
    configure(&conn, tmp)?;
    migrate(&mut conn)?;
    write_header(&mut conn, header)?;
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    if busy != 0 {
        return Err(StoreError::File {
            action: "checkpoint",
            path: tmp.to_owned(),
            source: io::Error::other("the new vault's log could not be written into it"),
        });
    }
    conn.close().map_err(|(_, e)| StoreError::from(e))?;
    sync(tmp)
}

/// Inserts the one header row.
fn write_header(conn: &mut Connection, header: &HeaderRow) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO vault_header (id, format, vault_id, kdf_memory_kib, kdf_iterations,
             kdf_parallelism, salt, wrapped_root_key) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            header.format,
            header.vault_id,
            header.kdf_memory_kib,
            header.kdf_iterations,
            header.kdf_parallelism,
            header.salt,
            header.wrapped_root_key
        ],
    )?;
    tx.commit()?;
    Ok(())
}

/// Flushes the file or directory at `path` to disk (`fsync`). Errors: `File`.
pub fn sync(path: &Path) -> StoreResult<()> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| StoreError::File {
            action: "flush to disk",
            path: path.to_owned(),
            source,
        })
}

/// The directory the vault goes in, created 0700 (with its parents) if missing. Errors: `File`.
fn make_parent(path: &Path) -> StoreResult<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let made = if dir.is_dir() {
        Ok(())
    } else if dir.exists() {
        Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            "it is a file, not a directory",
        ))
    } else {
        DirBuilder::new().recursive(true).mode(0o700).create(&dir)
    };
    made.map_err(|source| StoreError::File {
        action: "create the vault in",
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}
