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
    ImportOutcome, ImportRecordsResponse, ListGrantsResponse, ListProjectsResponse,
    ListUsersResponse, Request, Response,
};
use crate::csms::{
    ApiError, BackupReport, BatchGetSecretValueResponse, CheckSecretsResponse, EventResponse,
    ExportPage, HealthReport, Housekeeping, KeyChoice, KeyResponse, ListEventsResponse,
    ListKeysResponse, ListNotificationRecordsResponse, ListProjectSecretsTagsResponse,
    ListResourceInstancesResponse, ListSecretTagsResponse, ListSecretTaskResponse,
    ListSecretVersionsResponse, ListSecretsResponse, NamedTags, OpenedRemote, PasswordResponse,
    RemoteInfo, ReportSettings, RotateSecretResponse, Secret, SecretBlobResponse, SecretDetail,
    SecretResponse, SecretsConfig, StageResponse, SummaryPage, SyncView, VersionMetadataResponse,
    VersionResponse,
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
    RecordsImported(ImportRecordsResponse),
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
    Summaries(SummaryPage),
    Backup(BackupReport),
    ExportPage(ExportPage),
    Remote(RemoteInfo),
    Remotes(Vec<RemoteInfo>),
    OpenedRemote(OpenedRemote),
    SyncView(SyncView),
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::csms::op::{BatchImportSecretsResponse, ImportOutcome, Request, Response};
    use crate::csms::{
        CreateSecretRequest, ErrorCode, KeyInfo, KeyLookup, KeyState, PasswordResponse,
        SecretVersion, VersionMetadata,
    };

    fn frame<T: Serialize>(msg: &T) -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, msg).unwrap();
        out
    }

    /// A response read back from the wire prints the same API body.
    fn round_trip(response: &Response) -> Response {
        let bytes = frame(&FromAgent::Answer(response.clone()));
        let Some(FromAgent::Answer(back)) = read::<FromAgent>(&mut bytes.as_slice()).unwrap()
        else {
            panic!("not an answer");
        };
        assert_eq!(
            serde_json::to_string(&back).unwrap(),
            serde_json::to_string(response).unwrap()
        );
        back
    }

    #[test]
    fn requests_carry_values_whole() {
        let value = "line1\n\"quoted\" \\ ü 🔑 \u{0}";
        let request = Request::CreateSecret {
            body: CreateSecretRequest {
                name: "db".into(),
                secret_string: Some(Zeroizing::new(value.into())),
                ..CreateSecretRequest::default()
            },
            keys: KeyLookup::IdOrAlias,
        };
        let bytes = frame(&ToAgentRef::Execute(&request));
        let Some(ToAgent::Execute(back)) = read::<ToAgent>(&mut bytes.as_slice()).unwrap() else {
            panic!("not an operation");
        };
        let Request::CreateSecret { body, keys } = *back else {
            panic!("another operation");
        };
        assert_eq!(body.name, "db");
        assert_eq!(
            body.secret_string.as_deref().map(String::as_str),
            Some(value)
        );
        assert!(body.secret_binary.is_none());
        assert_eq!(keys, KeyLookup::IdOrAlias);
    }

    #[test]
    fn responses_read_back_as_the_same_api_body() {
        let metadata = VersionMetadata {
            id: "v1".into(),
            create_time: 1,
            expire_time: None,
            kms_key_id: "k".into(),
            secret_name: "db".into(),
            version_stages: vec!["SYSCURRENT".into()],
        };
        let version = round_trip(&Response::Version(crate::csms::VersionResponse {
            version: SecretVersion {
                version_metadata: metadata,
                secret_string: Some(Zeroizing::new("a\tb".into())),
                secret_binary: None,
            },
        }));
        assert!(version.carries_plaintext());
        round_trip(&Response::Password(PasswordResponse {
            password: Zeroizing::new("p\"w".into()),
        }));
        round_trip(&Response::Keys(crate::csms::ListKeysResponse::new(vec![
            KeyInfo {
                key_id: "id".into(),
                key_alias: "csms/default".into(),
                key_description: String::new(),
                key_state: KeyState::Disabled,
                creation_date: 42,
                default_key: true,
            },
        ])));
        round_trip(&Response::NoContent);
        // The terminal app's list pages (issue 15), compared whole: the app reads them typed.
        let page = crate::csms::SummaryPage {
            summaries: vec![crate::csms::SecretSummary {
                name: "db".into(),
                description: "ü \u{202e}".into(),
                state: crate::csms::SecretState::PendingDelete,
                kms_key_id: "k".into(),
                create_time: 1,
                update_time: 2,
                scheduled_delete_time: Some(3),
                tags: vec![crate::csms::SecretTag {
                    key: "env".into(),
                    value: "prod".into(),
                }],
            }],
            next_marker: Some("db".into()),
        };
        let Response::Summaries(back) = round_trip(&Response::Summaries(page.clone())) else {
            panic!("not a summary page");
        };
        assert_eq!(back, page);
        round_trip(&Response::FunctionTemplates(
            FunctionTemplatesResponse::default(),
        ));
        round_trip(&Response::Agency(AgencyResponse::default()));
        round_trip(&Response::KeyUsage(HashMap::from([("k".into(), 3)])));
        round_trip(&Response::Strength(CheckSecretsResponse {
            check_type: crate::csms::CHECK_TYPE_STRENGTH,
            data: crate::csms::strength("password1"),
        }));
        let Response::Imported(imported) =
            round_trip(&Response::Imported(BatchImportSecretsResponse {
                total: 2,
                success: 0,
                failed: 1,
                error_list: Vec::new(),
                outcomes: vec![
                    ImportOutcome::AlreadyExists,
                    ImportOutcome::Failed(ApiError::invalid("Invalid name.")),
                ],
            }))
        else {
            panic!("not an import");
        };
        assert!(matches!(
            imported.outcomes.as_slice(),
            [ImportOutcome::AlreadyExists, ImportOutcome::Failed(e)]
                if e.code == ErrorCode::InvalidParameter
        ));
        let Response::RecordsImported(records) =
            round_trip(&Response::RecordsImported(ImportRecordsResponse {
                outcomes: vec![
                    ImportOutcome::AlreadyExists,
                    ImportOutcome::Failed(ApiError::invalid("Invalid tags.")),
                ],
            }))
        else {
            panic!("not a records import");
        };
        assert!(matches!(
            records.outcomes.as_slice(),
            [ImportOutcome::AlreadyExists, ImportOutcome::Failed(e)] if e.error_msg == "Invalid tags."
        ));
    }

    #[test]
    fn backups_and_export_pages_travel_whole() {
        let report = crate::csms::BackupReport {
            path: "/b/copy.db".into(),
            bytes: 4096,
            secrets: 2,
            time: 9,
        };
        let Response::Backup(back) = round_trip(&Response::Backup(report.clone())) else {
            panic!("not a backup");
        };
        assert_eq!(back, report);
        let page = crate::csms::ExportPage {
            records: vec![crate::csms::SecretRecord {
                name: "db".into(),
                state: Some("DISABLED".into()),
                versions: Some(vec![crate::csms::RecordVersion {
                    version_id: Some("v1".into()),
                    secret_string: Some(Zeroizing::new("pä\"ss\n".into())),
                    version_stages: vec!["SYSCURRENT".into()],
                    expire_time: Some(5),
                    ..crate::csms::RecordVersion::default()
                }]),
                ..crate::csms::SecretRecord::default()
            }],
            next_marker: Some("db".into()),
            pending_deletion: 1,
        };
        let answer = Response::ExportPage(page);
        assert!(answer.carries_plaintext());
        let Response::ExportPage(back) = round_trip(&answer) else {
            panic!("not an export page");
        };
        let version = &back.records[0].versions.as_ref().unwrap()[0];
        assert_eq!(
            version.secret_string.as_deref().map(String::as_str),
            Some("pä\"ss\n")
        );
        assert_eq!(
            (back.pending_deletion, back.next_marker.as_deref()),
            (1, Some("db"))
        );
    }

    #[test]
    fn remotes_and_sync_views_travel_whole() {
        let info = crate::csms::RemoteInfo {
            name: "cloud".into(),
            endpoint: "https://csms.example.com".into(),
            project_id: None,
            region: Some("cn-north-4".into()),
            iam_endpoint: Some("https://iam.example.com".into()),
            access_key: "AK".into(),
            has_ca: true,
            create_time: 1,
            last_sync_time: Some(2),
        };
        let Response::Remote(back) = round_trip(&Response::Remote(info.clone())) else {
            panic!("not a remote");
        };
        assert_eq!(back, info);
        let Response::Remotes(back) = round_trip(&Response::Remotes(vec![info.clone()])) else {
            panic!("not remotes");
        };
        assert_eq!(back, std::slice::from_ref(&info));
        let opened = Response::OpenedRemote(OpenedRemote {
            info: info.clone(),
            secret_key: Zeroizing::new("s\"k ü".into()),
            ca_pem: Some("-----BEGIN CERTIFICATE-----".into()),
        });
        assert!(opened.carries_plaintext());
        let Response::OpenedRemote(back) = round_trip(&opened) else {
            panic!("not an opened remote");
        };
        assert_eq!(
            (back.info, back.secret_key.as_str(), back.ca_pem.as_deref()),
            (info, "s\"k ü", Some("-----BEGIN CERTIFICATE-----"))
        );
        let view = SyncView {
            secrets: vec![crate::csms::LocalSecret {
                id: "3f1c".into(),
                name: "db".into(),
                description: "d".into(),
                state: crate::csms::SecretState::Disabled,
                current_version: Some("v2".into()),
                tags: vec![crate::csms::SecretTag {
                    key: "env".into(),
                    value: "prod".into(),
                }],
                update_time: 3,
            }],
            records: vec![crate::csms::SyncRecord {
                name: "db".into(),
                local_id: "3f1c".into(),
                remote_id: "9a2e".into(),
                local_version: "v2".into(),
                remote_version: "v5".into(),
                value_mac: "a".repeat(64),
                meta_mac: "b".repeat(64),
                synced_at: 4,
            }],
            links: vec![crate::csms::VersionLink {
                name: "db".into(),
                local_version: "v1".into(),
                remote_version: "v4".into(),
            }],
            mac_key: Zeroizing::new("bWFjIGtleQ==".into()),
        };
        let Response::SyncView(back) = round_trip(&Response::SyncView(view.clone())) else {
            panic!("not a sync view");
        };
        assert_eq!(
            (&back.secrets, &back.records, &back.links),
            (&view.secrets, &view.records, &view.links)
        );
        assert_eq!(back.mac_key, view.mac_key);
        // The SK of `remote add` reaches the agent whole.
        let add = Request::AddRemote(crate::csms::RemoteSpec {
            name: "cloud".into(),
            secret_key: Zeroizing::new("line\"sk".into()),
            ..crate::csms::RemoteSpec::default()
        });
        let bytes = frame(&ToAgentRef::Execute(&add));
        let Some(ToAgent::Execute(back)) = read::<ToAgent>(&mut bytes.as_slice()).unwrap() else {
            panic!("not an operation");
        };
        let Request::AddRemote(spec) = *back else {
            panic!("another operation");
        };
        assert_eq!(
            (spec.name.as_str(), spec.secret_key.as_str()),
            ("cloud", "line\"sk")
        );
    }

    #[test]
    fn frames_over_the_limit_or_cut_short_are_refused() {
        let mut huge = (u32::try_from(MAX_FRAME).unwrap() + 1)
            .to_be_bytes()
            .to_vec();
        huge.extend_from_slice(b"{}");
        let e = read::<FromAgent>(&mut huge.as_slice()).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let whole = frame(&FromAgent::Locked);
        let cut = &whole[..whole.len() - 1];
        assert!(read::<FromAgent>(&mut &cut[..]).is_err());
        assert!(read::<FromAgent>(&mut &whole[..2]).is_err());
        assert!(
            read::<FromAgent>(&mut &[][..]).unwrap().is_none(),
            "a clean end"
        );
        let mut garbage = 5u32.to_be_bytes().to_vec();
        garbage.extend_from_slice(b"hello");
        assert!(read::<FromAgent>(&mut garbage.as_slice()).is_err());
    }
}
