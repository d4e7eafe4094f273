//! Batch Get Secret Value: the `SYSCURRENT` value of several secrets in one read.

use super::read::secret_row;
use super::{Vault, VaultResult};
use crate::csms::{BatchGetSecretValueResponse, LATEST};

impl Vault {
    /// Batch Get Secret Value: each named secret's current version with its value, in the order
    /// given. Any name missing or not ENABLED fails the whole call with that secret's error
    /// (`CSMS.0106`, `CSMS.0109`, `CSMS.0005`, `CSMS.0401`), so no partial answer is ever given.
    pub fn batch_get_value(&self, names: &[String]) -> VaultResult<BatchGetSecretValueResponse> {
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &rusqlite::Connection = &snapshot;
        let mut versions = Vec::with_capacity(names.len());
        for name in names {
            let secret = secret_row(conn, name)?;
            versions.push(self.read_version(conn, secret, LATEST)?);
        }
        Ok(BatchGetSecretValueResponse {
            total_count: versions.len(),
            versions,
        })
    }
}
