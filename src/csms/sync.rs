//! Sync with CSMS remotes (issue 17), as the vault keeps it: the remotes (endpoint, project, AK, the
//! SK sealed under the root key) and, per remote and secret, the state last seen in step. These are
//! local operations' bodies; no value is ever part of the sync state.

use serde::{Deserialize, Serialize};
use std::fmt;
use zeroize::Zeroizing;

use super::{SecretState, SecretTag};

/// `remote add`: a CSMS endpoint and the AK/SK its requests are signed with.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct RemoteSpec {
    /// `^[a-zA-Z0-9._-]{1,64}$`, unique in the vault.
    pub name: String,
    /// The CSMS endpoint, `https://csms.REGION.myhuaweicloud.com` or, on loopback only, `http://…`
    /// (checked by `remote::Endpoint::parse` before anything is stored).
    pub endpoint: String,
    /// The project id the paths carry; `None`: looked up through IAM by region at each connection.
    pub project_id: Option<String>,
    pub region: Option<String>,
    /// IAM's endpoint for the project lookup; `None`: `https://iam.{region}.myhuaweicloud.com`.
    pub iam_endpoint: Option<String>,
    pub access_key: String,
    /// The SK, sealed under the root key (bound to every setting of the remote) before it is
    /// stored. Read from JSON (the agent's wire) straight into wiped memory.
    #[serde(deserialize_with = "super::value_field::deserialize_required")]
    pub secret_key: Zeroizing<String>,
    /// Extra trusted roots (PEM), besides the system's, from `--ca-file`.
    pub ca_pem: Option<String>,
}

impl fmt::Debug for RemoteSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteSpec")
            .field("name", &self.name)
            .field("endpoint", &self.endpoint)
            .field("project_id", &self.project_id)
            .field("region", &self.region)
            .field("iam_endpoint", &self.iam_endpoint)
            .field("access_key", &self.access_key)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<pem>"))
            .finish_non_exhaustive()
    }
}

/// A remote as `remote list` shows it: never its SK.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteInfo {
    pub name: String,
    pub endpoint: String,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
    pub access_key: String,
    /// Whether `--ca-file` roots were given.
    pub has_ca: bool,
    /// ms since the epoch.
    pub create_time: i64,
    /// When a push, pull or sync with it last finished (ms since the epoch); `None`: never.
    pub last_sync_time: Option<i64>,
}

/// A remote opened to connect to it: its SK in clear (wiped on drop; never printed).
#[derive(Clone, Serialize, Deserialize)]
pub struct OpenedRemote {
    pub info: RemoteInfo,
    /// Read from JSON (the agent's wire) straight into wiped memory.
    #[serde(deserialize_with = "super::value_field::deserialize_required")]
    pub secret_key: Zeroizing<String>,
    pub ca_pem: Option<String>,
}

impl fmt::Debug for OpenedRemote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedRemote")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// One local secret as sync compares it, without its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalSecret {
    /// The secret's id (a UUID): another id by the same name is another secret (deleted and
    /// created again), whose version ids start over.
    #[serde(default)]
    pub id: String,
    pub name: String,
    pub description: String,
    pub state: SecretState,
    /// The `SYSCURRENT` version's id; `None` for a secret without one.
    pub current_version: Option<String>,
    /// By key.
    pub tags: Vec<SecretTag>,
    /// ms since the epoch.
    pub update_time: i64,
}

/// The version id a [`SyncRecord`] holds for a side where a create is under way: recorded before
/// the create is sent (the remote's `CreateSecret` cannot carry tags, so a run killed between the
/// create and its tags leaves a secret that is not yet what was sent). A re-run then takes the
/// other side's value and metadata as the ones to finish, never as a conflict.
pub const PENDING: &str = "-";

/// Per remote and secret: what both sides held when last seen in step. Never a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    pub name: String,
    /// The local secret's id then ([`LocalSecret::id`]); a record whose id is not the local
    /// secret's now is about another secret by that name, and is not trusted.
    #[serde(default)]
    pub local_id: String,
    /// The remote secret's id then (`RemoteSecret::id`); likewise; empty while a create there
    /// is under way.
    #[serde(default)]
    pub remote_id: String,
    /// The local `SYSCURRENT` version id then; [`PENDING`] while a create here is under way.
    pub local_version: String,
    /// The remote's `SYSCURRENT` version id then; [`PENDING`] while a create there is under way.
    pub remote_version: String,
    /// Hex HMAC-SHA256 of the value then, under [`SyncView::mac_key`] (see `sync::mac`).
    pub value_mac: String,
    /// Hex HMAC-SHA256 of the description and tags then, under the same key.
    pub meta_mac: String,
    /// ms since the epoch.
    pub synced_at: i64,
}

/// With `--all-versions`: a local version and the remote version that holds the same value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionLink {
    pub name: String,
    pub local_version: String,
    pub remote_version: String,
}

/// Everything a sync with one remote reads locally in one go: the secrets (all, or the names
/// asked), the sync state, the version links and the MAC key.
#[derive(Clone, Serialize, Deserialize)]
pub struct SyncView {
    pub secrets: Vec<LocalSecret>,
    pub records: Vec<SyncRecord>,
    pub links: Vec<VersionLink>,
    /// 32 bytes, base64: HKDF-SHA256 of the root key with the info `csvault sync mac v1`. Keys the
    /// MACs of the sync state; not the root key, and useless to open anything.
    pub mac_key: Zeroizing<String>,
}

impl fmt::Debug for SyncView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncView")
            .field("secrets", &self.secrets.len())
            .field("records", &self.records.len())
            .field("links", &self.links.len())
            .finish_non_exhaustive()
    }
}

/// What a finished piece of sync work records: records written or replaced, records dropped
/// (a secret gone on both sides), version links added, and the remote's last sync time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStateUpdate {
    pub remote: String,
    pub records: Vec<SyncRecord>,
    pub forget: Vec<String>,
    pub links: Vec<VersionLink>,
    /// Set `last_sync_time` to now (the run's end).
    pub finished: bool,
}
