//! `Tx`: the transaction a vault operation runs in: its own, or a savepoint inside a group commit.

use rusqlite::{Connection, Savepoint, Transaction};
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
