//! Where one secret stands with one remote, from both sides' metadata and the sync state alone
//! (no value read): what the terminal app's detail screen shows and where the plan starts.

use crate::csms::{LocalSecret, PENDING, SecretTag, SyncRecord};
use crate::remote::RemoteSecret;

use super::decide::same_secrets;
use super::mac::MacKey;

/// One secret's standing with one remote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Both sides hold what was in step at the last sync.
    InStep,
    /// Only the local side changed since (a new current version, description or tags).
    LocalChanges,
    /// Only the remote changed since.
    RemoteChanges,
    /// Both changed since (the plan compares the values before calling it a conflict).
    Conflict,
    /// No sync state: never in step with this remote.
    NeverSynced,
    /// In step once, now gone locally (deleted, or pending deletion).
    DeletedLocally,
    /// In step once, now gone on the remote.
    DeletedOnRemote,
}

impl Standing {
    /// The word the command line and the app show.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InStep => "in step",
            Self::LocalChanges => "local changes",
            Self::RemoteChanges => "remote changes",
            Self::Conflict => "conflict",
            Self::NeverSynced => "never synced",
            Self::DeletedLocally => "deleted locally",
            Self::DeletedOnRemote => "deleted on remote",
        }
    }
}

/// Whether one side moved away from `record`: another current version, or other metadata.
fn moved(
    key: &MacKey,
    record: &SyncRecord,
    version: Option<&str>,
    description: &str,
    tags: &[SecretTag],
    recorded_version: &str,
) -> bool {
    version != Some(recorded_version) || key.meta(description, tags) != record.meta_mac
}

/// Where `name` stands: a local secret pending deletion counts as gone locally.
pub fn standing(
    key: &MacKey,
    local: Option<&LocalSecret>,
    remote: Option<&RemoteSecret>,
    record: Option<&SyncRecord>,
) -> Standing {
    let local = local.filter(|l| l.state != crate::csms::SecretState::PendingDelete);
    let remote = remote.filter(|r| r.state != crate::csms::SecretState::PendingDelete);
    // A record of other secrets by that name (deleted and created again since): never synced.
    let Some(record) = record.filter(|rec| same_secrets(rec, local, remote)) else {
        return Standing::NeverSynced;
    };
    // A create under way (docs/DECISIONS.md "Issue 17"): the next run finishes it.
    if record.remote_version == PENDING {
        return if remote.is_some() {
            Standing::LocalChanges
        } else {
            Standing::NeverSynced
        };
    }
    if record.local_version == PENDING {
        return if local.is_some() {
            Standing::RemoteChanges
        } else {
            Standing::NeverSynced
        };
    }
    match (local, remote) {
        (None, _) => Standing::DeletedLocally,
        (_, None) => Standing::DeletedOnRemote,
        (Some(l), Some(r)) => {
            let here = moved(
                key,
                record,
                l.current_version.as_deref(),
                &l.description,
                &l.tags,
                &record.local_version,
            );
            let there = moved(
                key,
                record,
                r.current_version.as_deref(),
                &r.description,
                &r.tags,
                &record.remote_version,
            );
            match (here, there) {
                (false, false) => Standing::InStep,
                (true, false) => Standing::LocalChanges,
                (false, true) => Standing::RemoteChanges,
                (true, true) => Standing::Conflict,
            }
        }
    }
}
