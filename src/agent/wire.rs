//! The agent's wire: length-prefixed frames (a `u32` big-endian length, then JSON) of at most
//! [`MAX_FRAME`] bytes, written from and read into wiped buffers, and the messages they carry.
//! Operations travel as issue 10's `Request`s, answers as `Response`s in a tagged form of their
//! own ([`ResponseDef`]; `Response`'s own `Serialize` prints the API body), errors as `ApiError`s.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use zeroize::Zeroizing;

use crate::csms::op::{
    AgencyResponse, BatchImportError, BatchImportSecretsResponse, FunctionTemplatesResponse,
    ImportOutcome, ListGrantsResponse, ListProjectsResponse, ListUsersResponse, Request, Response,
};
use crate::csms::{
    ApiError, BatchGetSecretValueResponse, CheckSecretsResponse, EventResponse, HealthReport,
    Housekeeping, KeyChoice, KeyResponse, ListEventsResponse, ListKeysResponse,
    ListNotificationRecordsResponse, ListProjectSecretsTagsResponse, ListResourceInstancesResponse,
    ListSecretTagsResponse, ListSecretTaskResponse, ListSecretVersionsResponse,
    ListSecretsResponse, NamedTags, PasswordResponse, ReportSettings, RotateSecretResponse, Secret,
    SecretBlobResponse, SecretDetail, SecretResponse, SecretsConfig, StageResponse,
    VersionMetadataResponse, VersionResponse,
};

/// The largest frame either side sends or accepts: 64 MiB (a batch import of many values fits;
/// a longer length prefix is refused before anything is allocated).
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// Who holds the vault, and when it locks. Times are ms since the epoch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    /// The vault file's canonical path.
    pub vault: String,
    pub vault_id: String,
    pub pid: u32,
    pub unlocked_at: i64,
    /// When it locks if no request comes before.
    pub idle_locks_at: i64,
    /// When it locks whatever comes (its maximum lifetime).
    pub locks_at: i64,
    /// The vault file's device and inode, so a client knows it is the file it means.
    pub file: (u64, u64),
}

/// A client's message, as the agent reads it.
#[derive(Deserialize)]
pub enum ToAgent {
    /// Who are you (answered with [`FromAgent::Hello`]); not a request for the idle time.
    Hello,
    Execute(Box<Request>),
    /// The vault's `PRAGMA data_version` (the terminal app's poll).
    DataVersion,
    /// Lock now: the agent answers [`FromAgent::Locked`], wipes its keys and ends.
    Lock,
}

/// A client's message, as the client writes it (the same form as [`ToAgent`], borrowing).
#[derive(Serialize)]
pub enum ToAgentRef<'a> {
    Hello,
    Execute(&'a Request),
    DataVersion,
    Lock,
}

/// The agent's answer.
#[derive(Serialize, Deserialize)]
pub enum FromAgent {
    Hello(AgentInfo),
    Answer(#[serde(with = "ResponseDef")] Response),
    Refused(ApiError),
    DataVersion(i64),
    Locked,
}

/// What the agent process tells `unlock` once, on its stdout: ready, or why not.
#[derive(Serialize, Deserialize)]
pub enum Started {
    Ready(AgentInfo),
    Failed(ApiError),
}

/// [`Response`] on the wire: each variant tagged by name, its payload as the API writes it (the
/// batch import's per-entry outcomes included, which the API body leaves out).
#[derive(Serialize, Deserialize)]
#[serde(remote = "Response")]
enum ResponseDef {
    Secret(SecretResponse),
    Secrets(ListSecretsResponse),
    Version(VersionResponse),
    VersionMetadata(VersionMetadataResponse),
    VersionMetadatas(ListSecretVersionsResponse),
    Stage(StageResponse),
    SecretBlob(SecretBlobResponse),
    Values(BatchGetSecretValueResponse),
    Imported(#[serde(with = "ImportedDef")] BatchImportSecretsResponse),
    Password(PasswordResponse),
    Key(KeyResponse),
    Keys(ListKeysResponse),
    NoContent,
    Detail(SecretDetail),
    AllSecrets(Vec<Secret>),
    NameTaken(bool),
    KeyUsage(HashMap<String, i64>),
    KeyChoices(Vec<KeyChoice>),
    Grants(ListGrantsResponse),
    Users(ListUsersResponse),
    FunctionTemplates(FunctionTemplatesResponse),
    Agency(AgencyResponse),
    Projects(ListProjectsResponse),
    Rotated(RotateSecretResponse),
    Tasks(ListSecretTaskResponse),
    Housekeeping(Housekeeping),
    Event(EventResponse),
    Events(ListEventsResponse),
    Records(ListNotificationRecordsResponse),
    Unread(usize),
    SecretTags(ListSecretTagsResponse),
    ProjectTags(ListProjectSecretsTagsResponse),
    Resources(ListResourceInstancesResponse),
    AllTags(Vec<NamedTags>),
    SecretsConfig(SecretsConfig),
    Strength(CheckSecretsResponse),
    HealthReport(Box<HealthReport>),
    ReportSettings(ReportSettings),
}

/// [`BatchImportSecretsResponse`] with its `outcomes` (the command line's import reads them).
#[derive(Serialize, Deserialize)]
#[serde(remote = "BatchImportSecretsResponse")]
struct ImportedDef {
    total: usize,
    success: usize,
    failed: usize,
    error_list: Vec<BatchImportError>,
    outcomes: Vec<ImportOutcome>,
}

/// Counts what serialising writes, so the frame's buffer is allocated once at its size.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `msg` as one frame. The JSON (which may hold values) is built in a wiped buffer that
/// never grows: its size is counted first.
///
/// Errors: the message is larger than [`MAX_FRAME`] (`InvalidData`), or the write fails.
pub fn write<T: Serialize>(w: &mut impl Write, msg: &T) -> io::Result<()> {
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, msg).map_err(io::Error::other)?;
    let len = counter.0;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the message is larger than a frame may be",
        ));
    }
    let prefix = u32::try_from(len)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "frame length"))?
        .to_be_bytes();
    let mut buf = Zeroizing::new(Vec::with_capacity(prefix.len() + len));
    buf.extend_from_slice(&prefix);
    serde_json::to_writer(&mut *buf, msg).map_err(io::Error::other)?;
    w.write_all(&buf)?;
    w.flush()
}

/// Reads one frame into a wiped buffer and parses it; `Ok(None)` at a clean end of stream (the
/// peer closed between frames).
///
/// Errors: a length over [`MAX_FRAME`] or JSON that is not a `T` (`InvalidData`, nothing of the
/// content quoted), a stream that ends inside a frame, or the read fails.
pub fn read<T: DeserializeOwned>(r: &mut impl Read) -> io::Result<Option<T>> {
    let mut prefix = [0u8; 4];
    let mut got = 0;
    while got < prefix.len() {
        match r.read(&mut prefix[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = usize::try_from(u32::from_be_bytes(prefix)).unwrap_or(usize::MAX);
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a frame is larger than 64 MiB",
        ));
    }
    let mut buf = Zeroizing::new(vec![0u8; len]);
    r.read_exact(&mut buf)?;
    serde_json::from_slice(&buf).map(Some).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a frame is not a message (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}
