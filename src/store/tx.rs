//! `Tx`: the transaction a vault operation runs in: its own, or a savepoint inside a group commit.

use rusqlite::{Connection, Savepoint, Transaction};

use super::StoreError;
use std::ops::Deref;

/// One vault operation's unit of work. On its own it is a SQLite transaction; inside a group
/// ([`super::Store::begin_group`]) it is a savepoint, so a failed operation rolls back alone while
/// the group's single commit (one `fsync`) makes all the others durable together.
///
/// Dropping it without [`Tx::commit`] rolls its changes back.
pub enum Tx<'c> {
    Own(Transaction<'c>),
    InGroup(Savepoint<'c>),
}

impl Tx<'_> {
    /// Commits on its own, or releases the savepoint into the group (durable once the group
    /// commits).
    pub fn commit(self) -> rusqlite::Result<()> {
        match self {
            Self::Own(tx) => tx.commit(),
            Self::InGroup(sp) => sp.commit(),
        }
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Self::Own(tx) => tx,
            Self::InGroup(sp) => sp,
        }
    }
}

/// Runs `work` inside a savepoint of the transaction open on `conn`: what it wrote is kept when
/// it returns `Ok`, and undone when it returns `Err` while the transaction goes on (so a failure
/// can still be recorded in it). The outer `Result` is the savepoint's own failure.
pub fn attempt<T, E>(
    conn: &Connection,
    work: impl FnOnce() -> Result<T, E>,
) -> Result<Result<T, E>, StoreError> {
    conn.execute_batch("SAVEPOINT attempt")?;
    let outcome = work();
    match &outcome {
        Ok(_) => conn.execute_batch("RELEASE attempt")?,
        Err(_) => conn.execute_batch("ROLLBACK TO attempt; RELEASE attempt")?,
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::super::{HeaderRow, Store, StoreError, credentials};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let header = HeaderRow {
            format: 1,
            vault_id: "test-vault".into(),
            kdf_memory_kib: 65_536,
            kdf_iterations: 3,
            kdf_parallelism: 1,
            salt: vec![0; 16],
            wrapped_root_key: vec![0; 60],
        };
        let store =
            Store::create(&dir.path().join("v.db"), &header).unwrap_or_else(|e| panic!("{e}"));
        (dir, store)
    }

    fn stored(store: &mut Store) -> Option<String> {
        let read = store.snapshot().unwrap_or_else(|e| panic!("{e}"));
        credentials::load(&read)
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|(ak, _)| ak)
    }

    #[test]
    fn a_failed_operation_rolls_back_alone_and_the_group_commits_the_rest() {
        let (_dir, mut store) = store();
        store.begin_group().unwrap_or_else(|e| panic!("{e}"));
        let first = store.immediate().unwrap_or_else(|e| panic!("{e}"));
        credentials::insert(&first, "FIRST", b"sealed", 1).unwrap_or_else(|e| panic!("{e}"));
        first.commit().unwrap_or_else(|e| panic!("{e}"));
        let second = store.immediate().unwrap_or_else(|e| panic!("{e}"));
        assert!(credentials::insert(&second, "SECOND", b"sealed", 2).is_err());
        drop(second);
        store.commit_group().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored(&mut store).as_deref(), Some("FIRST"));
    }

    #[test]
    fn a_group_sqlite_rolled_back_itself_refuses_more_work_and_leaves_nothing() {
        let (_dir, mut store) = store();
        store.begin_group().unwrap_or_else(|e| panic!("{e}"));
        let op = store.immediate().unwrap_or_else(|e| panic!("{e}"));
        credentials::insert(&op, "LOST", b"sealed", 1).unwrap_or_else(|e| panic!("{e}"));
        op.commit().unwrap_or_else(|e| panic!("{e}"));
        // What SQLite does by itself on a full disk or an I/O error.
        store
            .conn
            .execute_batch("ROLLBACK")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(store.immediate(), Err(StoreError::GroupAborted)));
        assert!(matches!(store.snapshot(), Err(StoreError::GroupAborted)));
        assert!(matches!(
            store.commit_group(),
            Err(StoreError::GroupAborted)
        ));
        assert_eq!(
            stored(&mut store),
            None,
            "nothing of the group is in the file"
        );
        store.begin_group().unwrap_or_else(|e| panic!("{e}"));
        store.commit_group().unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn a_failed_attempt_is_undone_and_its_transaction_goes_on() {
        let (_dir, mut store) = store();
        let tx = store.immediate().unwrap_or_else(|e| panic!("{e}"));
        let set = |name: &str| {
            tx.execute(
                "INSERT INTO settings (name, value) VALUES (?1, '1')",
                [name],
            )
            .map(|_| ())
        };
        let failed = super::attempt(&tx, || {
            set("tried").unwrap_or_else(|e| panic!("{e}"));
            Err::<(), _>("refused")
        });
        assert_eq!(failed.ok(), Some(Err("refused")));
        let kept = super::attempt(&tx, || set("kept"));
        assert!(matches!(kept, Ok(Ok(()))));
        set("after").unwrap_or_else(|e| panic!("{e}"));
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
        let read = store.snapshot().unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = read
            .prepare("SELECT name FROM settings ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(names, ["after", "kept"]);
    }
}
