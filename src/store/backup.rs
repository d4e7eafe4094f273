//! Whole-vault copies: SQLite's online backup API into a fresh private file, read in one
//! snapshot so other connections keep writing (in WAL mode a reader never blocks a writer), and
//! a look at a finished copy read from its main file alone (no `-wal`).

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

use super::file::{immutable_uri, read_header, sync};
use super::schema::APPLICATION_ID;
use super::{HeaderRow, Store, StoreError, StoreResult};

/// How a copy is made: at most `pages_per_step` pages per step of the backup API, with `pause`
/// between steps.
#[derive(Clone, Copy, Debug)]
pub struct CopyPace {
    /// Pages copied per step (SQLite pages, 4 KiB each in a vault); at least 1.
    pub pages_per_step: i32,
    pub pause: Duration,
}

/// What a finished copy holds, as read from its main file alone.
#[derive(Clone, Debug)]
pub struct CopyFacts {
    pub header: HeaderRow,
    /// Every CMK's id and its material as wrapped under the root key.
    pub keys: Vec<(String, Vec<u8>)>,
    /// Secrets in the copy, every state.
    pub secrets: u64,
}

impl Store {
    /// Copies this vault, as one commit saw it, into the empty file at `dest` (made by the
    /// caller, 0600): a read transaction is held on this connection for the whole copy, so the
    /// backup never restarts however much other connections write meanwhile, and, the vault
    /// being in WAL mode, never blocks them; the pages go over `pace.pages_per_step` at a time.
    /// The copy is written through a rollback journal, closed and flushed to disk: it needs no
    /// `-wal` beside it. `progress` is told (pages left, pages in all) after each step.
    ///
    /// Errors: SQLite's (a full disk, an I/O error); `File` when the copy cannot be flushed.
    pub fn copy_into(
        &self,
        dest: &Path,
        pace: CopyPace,
        mut progress: impl FnMut(i32, i32),
    ) -> StoreResult<()> {
        let snapshot = self.conn.unchecked_transaction()?;
        // The first read starts the snapshot every step then copies from.
        snapshot.query_row("SELECT count(*) FROM vault_header", [], |r| {
            r.get::<_, i64>(0)
        })?;
        let mut target = Connection::open_with_flags(
            dest,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::from(e).at(dest))?;
        target.execute_batch("PRAGMA synchronous = FULL")?;
        {
            let backup = Backup::new(&snapshot, &mut target)?;
            loop {
                let step = backup.step(pace.pages_per_step.max(1))?;
                let p = backup.progress();
                progress(p.remaining, p.pagecount);
                match step {
                    StepResult::Done => break,
                    StepResult::More | StepResult::Busy | StepResult::Locked => {
                        std::thread::sleep(pace.pause);
                    }
                    _ => std::thread::sleep(pace.pause),
                }
            }
        }
        drop(snapshot);
        target.close().map_err(|(_, e)| StoreError::from(e))?;
        sync(dest)
    }

    /// Reads the copy at `path` from its main file alone (read-only, SQLite's `immutable`: no
    /// `-wal`, no locks), after `PRAGMA integrity_check`.
    ///
    /// Errors: `Corrupt` (`VAULT.0003`) when the integrity check finds anything or the file is
    /// not a csvault vault; SQLite's.
    pub fn inspect_copy(path: &Path) -> StoreResult<CopyFacts> {
        let conn = Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app_id != APPLICATION_ID {
            return Err(StoreError::corrupt("the copy is not a csvault vault"));
        }
        let mut problems = Vec::new();
        {
            let mut stmt = conn.prepare("PRAGMA integrity_check")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let line: String = row.get(0)?;
                if line != "ok" {
                    problems.push(line);
                }
            }
        }
        if !problems.is_empty() {
            return Err(StoreError::corrupt(format!(
                "the copy failed its integrity check: {}",
                problems.join("; ")
            )));
        }
        let header = read_header(&conn)?;
        let keys = {
            let mut stmt = conn.prepare("SELECT key_id, wrapped_material FROM cmks")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?
        };
        let secrets: i64 = conn.query_row("SELECT count(*) FROM secrets", [], |r| r.get(0))?;
        Ok(CopyFacts {
            header,
            keys,
            secrets: u64::try_from(secrets).unwrap_or(0),
        })
    }
}
