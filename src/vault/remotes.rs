//! Sync with CSMS remotes (issue 17), the vault's part: remotes with their SK sealed under the root
//! key, and the per-remote sync state. SEAM: every body here is replaced by the local-side work.

#![allow(clippy::unused_self, reason = "SEAM: replaced by the local-side work")]

use super::{Vault, VaultResult};
use crate::csms::{
    ApiError, ErrorCode, OpenedRemote, RemoteInfo, RemoteSpec, SyncStateUpdate, SyncView,
};

fn pending() -> ApiError {
    ApiError::new(ErrorCode::Internal, "Remotes are not available yet.")
}

impl Vault {
    pub(super) fn add_remote(&self, _spec: &RemoteSpec) -> VaultResult<RemoteInfo> {
        Err(pending().into())
    }

    pub(super) fn list_remotes(&self) -> VaultResult<Vec<RemoteInfo>> {
        Err(pending().into())
    }

    pub(super) fn remove_remote(&self, _name: &str) -> VaultResult<()> {
        Err(pending().into())
    }

    pub(super) fn open_remote(&self, _name: &str) -> VaultResult<OpenedRemote> {
        Err(pending().into())
    }

    pub(super) fn sync_view(
        &self,
        _remote: &str,
        _names: Option<&[String]>,
    ) -> VaultResult<SyncView> {
        Err(pending().into())
    }

    pub(super) fn save_sync_state(&self, _update: &SyncStateUpdate) -> VaultResult<()> {
        Err(pending().into())
    }
}
