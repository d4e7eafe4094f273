//! A CSMS client (issue 17): the remote side of push, pull and sync. Requests go to any CSMS
//! endpoint (Huawei Cloud, or another csvault's `serve`) signed with SDK-HMAC-SHA256, paged,
//! retried with backoff on 429, 5xx and broken connections, a bounded number at once.
//!
//! [`RemoteApi`] is the seam: the sync engine (`crate::sync`) drives a remote only through it,
//! [`connect`] gives the HTTP one, and the engine's tests a fake.

mod client;
mod endpoint;
mod paging;
mod refusal;
mod tls;
mod transport;
mod validity;
mod wire;

pub use client::HttpRemote;
pub use endpoint::Endpoint;
pub use transport::{
    BACKOFF_CAP, BACKOFF_START, CONNECT_TIMEOUT, GIVE_UP_AFTER, MAX_ATTEMPTS, REQUEST_TIMEOUT,
};

/// How many requests the client has in flight at once (per-secret reads, jobs side by side):
/// enough to hide the round trip, few enough not to be throttled.
pub const PARALLEL_REQUESTS: usize = 8;

use zeroize::Zeroizing;

use crate::csms::{ApiError, SecretState, SecretTag, ValueKind};

/// One secret as the remote lists it, without its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteSecret {
    /// The secret's id on the remote (`secret.id`): another id by the same name is another
    /// secret (deleted and created again), whose version ids start over.
    pub id: String,
    pub name: String,
    pub description: String,
    pub state: SecretState,
    /// The `SYSCURRENT` version's id; `None` if the remote has none.
    pub current_version: Option<String>,
    /// By key.
    pub tags: Vec<SecretTag>,
    /// ms since the epoch.
    pub update_time: i64,
}

/// One version's metadata, as `ListSecretVersions` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteVersion {
    pub id: String,
    /// ms since the epoch.
    pub create_time: i64,
    /// ms since the epoch.
    pub expire_time: Option<i64>,
    pub stages: Vec<String>,
}

/// A value in wiped memory: text as its UTF-8 bytes, binary decoded (base64 only on the wire).
#[derive(Clone, PartialEq, Eq)]
pub struct Value {
    pub kind: ValueKind,
    pub bytes: Zeroizing<Vec<u8>>,
}

impl Value {
    /// A version's value from the API's two fields: the text as given, or the binary decoded from
    /// base64 straight into wiped memory. Shared by both sides (the remote's answers, the vault's).
    ///
    /// Errors: why the fields hold no usable value (neither set; binary not base64).
    pub fn from_fields(text: Option<&str>, base64: Option<&str>) -> Result<Self, &'static str> {
        use base64::Engine as _;
        if let Some(b64) = base64 {
            let mut bytes = Zeroizing::new(Vec::with_capacity(b64.len() / 4 * 3 + 3));
            base64::engine::general_purpose::STANDARD
                .decode_vec(b64.as_bytes(), &mut bytes)
                .map_err(|_| "secret_binary is not base64")?;
            return Ok(Self {
                kind: ValueKind::Binary,
                bytes,
            });
        }
        let text = text.ok_or("it holds no value")?;
        let mut bytes = Zeroizing::new(Vec::with_capacity(text.len()));
        bytes.extend_from_slice(text.as_bytes());
        Ok(Self {
            kind: ValueKind::Text,
            bytes,
        })
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Value({}, {} bytes)",
            self.kind.as_str(),
            self.bytes.len()
        )
    }
}

/// One write to the remote. Names and values are checked against the API's rules (name pattern,
/// 32 KB value) before anything is sent.
#[derive(Clone, Debug)]
pub enum RemoteWrite {
    /// `CreateSecret` (its first version becomes `SYSCURRENT`), then its tags.
    CreateSecret {
        name: String,
        description: String,
        value: Value,
        tags: Vec<SecretTag>,
    },
    /// `CreateSecretVersion`; `stages: None` moves `SYSCURRENT` to it.
    CreateVersion {
        name: String,
        value: Value,
        stages: Option<Vec<String>>,
        /// ms since the epoch.
        expire_time: Option<i64>,
    },
    /// `UpdateSecret`'s description.
    SetDescription { name: String, description: String },
    /// `BatchCreateOrDeleteTags`: `put` created or replaced, `remove` keys deleted.
    SetTags {
        name: String,
        put: Vec<SecretTag>,
        remove: Vec<String>,
    },
    /// `UpdateSecretStage`.
    SetStage {
        name: String,
        stage: String,
        version_id: String,
    },
    /// `UpdateVersion`'s `expire_time` (ms since the epoch).
    SetExpiry {
        name: String,
        version_id: String,
        expire_time: i64,
    },
    /// `DeleteSecretForSchedule` with the API's longest window (30 days): recoverable.
    ScheduleDelete { name: String },
}

/// What one write left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    /// The version the write created (`CreateSecret`'s first, `CreateSecretVersion`'s).
    Version(String),
    /// `CreateSecret`'s: the new secret's id and its first version's id.
    Secret {
        id: String,
        version: String,
    },
    Done,
}

/// One job's writes, in order: what was done before the first error, and that error.
#[derive(Debug)]
pub struct JobOutcome {
    pub done: Vec<Written>,
    pub error: Option<ApiError>,
}

/// Called with how many items of the call are done so far.
pub type Progress<'a> = &'a (dyn Fn(usize) + Sync);

/// A CSMS endpoint as sync uses it. Every error is an [`ApiError`] of the `SYNC.*` codes (the
/// remote's own code and message quoted in `SYNC.0002`'s).
pub trait RemoteApi: Sync {
    /// Every secret (`ListSecrets`, paged), or only `names` (missing ones left out), with tags and
    /// the `SYSCURRENT` version id.
    fn list(
        &self,
        names: Option<&[String]>,
        progress: Progress<'_>,
    ) -> Result<Vec<RemoteSecret>, ApiError>;
    /// Each name's versions, oldest first (`ListSecretVersions`, paged), in `names`' order.
    fn versions(
        &self,
        names: &[String],
        progress: Progress<'_>,
    ) -> Vec<Result<Vec<RemoteVersion>, ApiError>>;
    /// Each (name, version id)'s value (`ShowSecretVersion`), in order.
    fn values(
        &self,
        wanted: &[(String, String)],
        progress: Progress<'_>,
    ) -> Vec<Result<Value, ApiError>>;
    /// Each job's writes in order, jobs side by side (bounded); a job stops at its first error.
    fn apply(&self, jobs: &[Vec<RemoteWrite>], progress: Progress<'_>) -> Vec<JobOutcome>;
}

/// The HTTP client for `remote`: its endpoint checked by policy, its project id looked up through
/// IAM when not given. Nothing is written anywhere; the first signed request may be the lookup.
///
/// Errors: `SYNC.0005` (policy, CA file), `SYNC.0001` unreachable, `SYNC.0003` wrong AK/SK,
/// `SYNC.0004` clock skew, `SYNC.0002` any other refusal of the lookup.
pub fn connect(remote: &crate::csms::OpenedRemote) -> Result<Box<dyn RemoteApi + Send>, ApiError> {
    Ok(Box::new(client::connect(remote)?))
}
