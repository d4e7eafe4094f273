//! The vault as a Huawei Cloud project: its project id (what `serve` prints and IAM's project
//! lookup answers) and its domain id, both fixed by the vault id, and the lookup itself
//! (docs/DECISIONS.md "IAM project lookup").

use sha2::{Digest, Sha256};
use std::fmt::Write;

use super::Vault;
use crate::csms::op::{ListProjectsQuery, ListProjectsResponse};

/// What the domain id is derived from, besides the vault id.
const DOMAIN_LABEL: &[u8] = b"csvault IAM domain id\0";

impl Vault {
    /// One vault is one project: its id is the vault id's 32 hex digits, as the cloud's look.
    pub fn project_id(&self) -> String {
        self.vault_id().replace('-', "")
    }

    /// The account (domain) the project belongs to, and its parent: 32 hex digits derived from
    /// the vault id, so the same vault always answers the same and no two vaults share one.
    pub fn domain_id(&self) -> String {
        let digest = Sha256::new()
            .chain_update(DOMAIN_LABEL)
            .chain_update(self.vault_id().as_bytes())
            .finalize();
        let mut hex = String::with_capacity(32);
        for byte in &digest[..16] {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }

    /// `KeystoneListProjects`: the vault's one project, if it passes the query's filters.
    pub(super) fn list_projects(&self, query: &ListProjectsQuery) -> ListProjectsResponse {
        query.answer(&self.project_id(), &self.domain_id())
    }
}
