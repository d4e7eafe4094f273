//! Operations as values, the one list of them: one [`Request`] variant per CSMS operation (and per
//! local one), one [`Response`] variant per answer shape, and where each lives in the REST API
//! (`ENDPOINTS`). Every edge builds a `Request` and renders a `Response`; `Vault::execute` runs
//! them (docs/ARCHITECTURE.md "Operations are values").

mod cloud;
mod import;
mod records;
mod route;

pub use crate::csms::RecordVersion;
pub use cloud::{
    AgencyResponse, FunctionTemplatesQuery, FunctionTemplatesResponse, ListGrantsResponse,
    ListProjectsQuery, ListProjectsResponse, ListUsersQuery, ListUsersResponse, Nothing, Project,
    UNNAMED_PROJECT, refusal as cloud_refusal,
};
pub use import::{
    BatchImportError, BatchImportSecretsRequest, BatchImportSecretsResponse, ImportEntry,
    ImportOutcome,
};
pub use records::{ImportRecordsRequest, ImportRecordsResponse, SecretRecord};
pub use route::{Call, decode, page_query, query_param, route, route_outside_project};

use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;

use super::{
    ApiError, BatchGetSecretValueRequest, BatchGetSecretValueResponse, CreateSecretRequest,
    CreateSecretVersionRequest, DeleteSecretForScheduleRequest, Field, FieldError,
    GeneratePasswordRequest, KeyChoice, KeyResponse, KeyState, ListKeysResponse,
    ListSecretVersionsResponse, ListSecretsResponse, PasswordResponse, Secret, SecretBlobResponse,
    SecretDetail, SecretResponse, StageResponse, SummaryPage, UpdateSecretRequest,
    UpdateSecretStageRequest, UpdateVersionRequest, UploadSecretBlobRequest,
    VersionMetadataResponse, VersionResponse, alias_problem, create_problems,
    key_description_problem, parse_body, stage_name_problems,
};
use super::{
    CreateSecretEventRequest, EventResponse, ListEventsResponse, ListNotificationRecordsResponse,
    UpdateSecretEventRequest,
};
use super::{Housekeeping, ListSecretTaskQuery, ListSecretTaskResponse, RotateSecretResponse};
use route::optional_body;
// Output for people (issue 15).
use super::SecretFilter;
// Backup and export (issue 16).
use super::{BackupReport, BackupRequest, ExportPage};
use super::{OpenedRemote, RemoteInfo, RemoteSpec, SyncStateUpdate, SyncView};
// Checks and the health report (issue 14).
use super::{
    CheckSecretsRequest, CheckSecretsResponse, HealthReport, ReportSettings, ReportWindows,
    SecretsConfig, UpdateSecretsConfigRequest,
};

// Tags (issue 14).
use super::{
    BatchCreateOrDeleteTagsRequest, CreateSecretTagRequest, ListProjectSecretsTagsResponse,
    ListResourceInstancesRequest, ListResourceInstancesResponse, ListSecretTagsResponse, NamedTags,
    SecretRef, tag_key_length_problem,
};

pub use super::KeyLookup;

/// A new CMK (the local `key create`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq, Serialize)]
pub struct CreateKeyRequest {
    pub key_alias: String,
    #[serde(default)]
    pub key_description: String,
}

impl CreateKeyRequest {
    /// Every broken KMS rule: the alias, then the description.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let Some(m) = alias_problem(&self.key_alias) {
            out.push(FieldError::new(Field::KeyAlias, m));
        }
        if let Some(m) = key_description_problem(&self.key_description) {
            out.push(FieldError::new(Field::KeyDescription, m));
        }
        out
    }
}

/// One operation with everything it needs. Names are secret names as paths carry them; `limit`
/// and `marker` are a list's paging (docs/DECISIONS.md "lists"). `Debug` never shows a value:
/// the request types holding one redact it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Request {
    CreateSecret {
        body: CreateSecretRequest,
        keys: KeyLookup,
    },
    ListSecrets {
        limit: Option<usize>,
        marker: Option<String>,
        /// Only the secrets subscribed to this event (none if it does not exist).
        event_name: Option<String>,
    },
    ShowSecret {
        name: String,
    },
    UpdateSecret {
        name: String,
        body: UpdateSecretRequest,
        keys: KeyLookup,
    },
    DeleteSecret {
        name: String,
    },
    CreateSecretVersion {
        name: String,
        body: CreateSecretVersionRequest,
    },
    ListSecretVersions {
        name: String,
        limit: Option<usize>,
        marker: Option<String>,
    },
    /// `version_id` may be `latest`.
    ShowSecretVersion {
        name: String,
        version_id: String,
    },
    UpdateVersion {
        name: String,
        version_id: String,
        body: UpdateVersionRequest,
    },
    ShowSecretStage {
        name: String,
        stage: String,
    },
    UpdateSecretStage {
        name: String,
        stage: String,
        body: UpdateSecretStageRequest,
    },
    DeleteSecretStage {
        name: String,
        stage: String,
    },
    DeleteSecretForSchedule {
        name: String,
        body: DeleteSecretForScheduleRequest,
    },
    RestoreSecret {
        name: String,
    },
    DownloadSecretBlob {
        name: String,
    },
    UploadSecretBlob(UploadSecretBlobRequest),
    BatchGetSecretValue(BatchGetSecretValueRequest),
    BatchImportSecrets(BatchImportSecretsRequest),
    /// Local (issue 16): records of csvault's own format, each whole or not at all, a batch in
    /// one transaction; the command line's `import`.
    ImportRecords(ImportRecordsRequest),
    GenerateRandomPassword(GeneratePasswordRequest),
    // Rotation (docs/DECISIONS.md "RotateSecret", "ListSecretTask").
    RotateSecret {
        name: String,
    },
    ListSecretTask(ListSecretTaskQuery),

    // Events and notification records (issue 14); `name` is an event's.
    CreateSecretEvent(CreateSecretEventRequest),
    ShowSecretEvent {
        name: String,
    },
    UpdateSecretEvent {
        name: String,
        body: UpdateSecretEventRequest,
    },
    DeleteSecretEvent {
        name: String,
    },
    ListSecretEvents {
        limit: Option<usize>,
        marker: Option<String>,
    },
    /// Newest first; `marker` is `TIME:NAME` (docs/DECISIONS.md "notification records").
    ListNotificationRecords {
        limit: Option<usize>,
        marker: Option<String>,
    },
    /// Local: how many records the terminal app has not shown yet.
    UnreadNotifications,
    /// Local: every record shown (the terminal app's records screen was opened).
    MarkNotificationsSeen,

    // Local operations: no CSMS path, the command line and the terminal app only.
    /// The local enable / disable.
    SetSecretEnabled {
        name: String,
        enabled: bool,
    },
    CreateKey(CreateKeyRequest),
    ListKeys,
    /// `key` is an id or an alias.
    SetKeyState {
        key: String,
        state: KeyState,
    },
    /// A secret with every version's metadata (the terminal app's detail screen).
    ShowSecretDetail {
        name: String,
    },
    /// Every secret, by name.
    ListAllSecrets,
    /// The terminal app's list by page (issue 15): up to `limit` secrets (1–5,000, 2,000 when
    /// absent) after `marker` (a name, exclusive), by name, each with its tags.
    ListSecretSummaries {
        marker: Option<String>,
        limit: Option<usize>,
    },
    /// Whether a secret of that name exists (the create form's duplicate-name check).
    SecretNameExists {
        name: String,
    },
    /// How many secrets use each CMK.
    KeyUsage,
    /// The CMKs a new secret or an update may name (the pickers' choices).
    ListKeyChoices,

    // Huawei Cloud's own operations in the CSMS API (IAM, FunctionGraph; op/cloud.rs): the reads
    // answer that a local vault has none, the writes are refused. And IAM's project lookup.
    ListGrants {
        resource_id: String,
    },
    CreateGrants,
    UpdateGrant,
    DeleteGrant,
    ShowAgency {
        secret_type: String,
    },
    CreateAgency,
    ListUsers(ListUsersQuery),
    ShowUserDetail {
        user_id: String,
    },
    UpdateUserPassword,
    ShowSecretFunctionTemplates(FunctionTemplatesQuery),
    /// IAM's `KeystoneListProjects`: the vault's one project.
    ListProjects(ListProjectsQuery),
    /// What has come due by the vault's clock (the purge, automatic rotations, …): what
    /// opening a vault does, asked again by the terminal app about every minute.
    Housekeeping,
    // Tags (issue 14; docs/DECISIONS.md "tags"). Over HTTP the secret is named by id.
    CreateSecretTag {
        secret: SecretRef,
        body: CreateSecretTagRequest,
    },
    DeleteSecretTag {
        secret: SecretRef,
        key: String,
    },
    ListSecretTags {
        secret: SecretRef,
    },
    BatchCreateOrDeleteTags {
        secret: SecretRef,
        body: BatchCreateOrDeleteTagsRequest,
    },
    ListProjectSecretsTags,
    ListResourceInstances(ListResourceInstancesRequest),
    /// List Secrets of the secrets the filter lets through (local: `secret list --filter
    /// --state --tag`, issue 15); paged as List Secrets.
    ListSecretsFiltered {
        limit: Option<usize>,
        marker: Option<String>,
        filter: SecretFilter,
    },
    /// Every secret's tags (local: the terminal app's list).
    ListAllTags,
    // Checks and the health report (issue 14; docs/DECISIONS.md "checks").
    ShowSecretsConfig,
    UpdateSecretsConfig(UpdateSecretsConfigRequest),
    CheckSecrets(CheckSecretsRequest),
    /// The local health report: each window absent takes the vault's stored setting.
    HealthReport(ReportWindows),
    /// The local report settings stored in the vault: each window absent stays as it is.
    UpdateReportSettings(ReportWindows),
    // Backup and export (issue 16).
    /// Local: a checked whole-vault copy at `path` (`csvault backup`).
    BackupVault(BackupRequest),
    /// Local: a page of export records, values included, of up to `limit` secrets (1–1,000, 100
    /// when absent) after `marker` (a name, exclusive), by name (`csvault export`).
    ExportSecrets {
        marker: Option<String>,
        limit: Option<usize>,
        all_versions: bool,
    },
    // Sync with CSMS remotes (issue 17): local operations, never served.
    /// Store a new remote, its SK sealed (`SYNC.0006` if the name is taken).
    AddRemote(RemoteSpec),
    ListRemotes,
    /// Forget a remote and its sync state (`SYNC.0006` if there is none).
    RemoveRemote {
        name: String,
    },
    /// A remote with its SK opened, to connect to it.
    OpenRemote {
        name: String,
    },
    /// The local side of a sync with `remote`: every secret, or only `names` (missing ones left
    /// out), with the sync state and links of those names and the MAC key.
    SyncView {
        remote: String,
        names: Option<Vec<String>>,
    },
    /// Records what a piece of sync work left in step (one transaction).
    SaveSyncState(SyncStateUpdate),
}

impl Request {
    /// Whether the operation may change the vault (the endpoint runs these on its writer).
    pub fn writes(&self) -> bool {
        match self {
            Self::CreateSecret { .. }
            | Self::UpdateSecret { .. }
            | Self::DeleteSecret { .. }
            | Self::CreateSecretVersion { .. }
            | Self::UpdateVersion { .. }
            | Self::UpdateSecretStage { .. }
            | Self::DeleteSecretStage { .. }
            | Self::DeleteSecretForSchedule { .. }
            | Self::RestoreSecret { .. }
            | Self::UploadSecretBlob(_)
            | Self::BatchImportSecrets(_)
            | Self::SetSecretEnabled { .. }
            | Self::CreateKey(_)
            | Self::SetKeyState { .. }
            | Self::RotateSecret { .. }
            | Self::Housekeeping
            | Self::CreateSecretEvent(_)
            | Self::UpdateSecretEvent { .. }
            | Self::DeleteSecretEvent { .. }
            | Self::MarkNotificationsSeen
            // Tags (issue 14).
            | Self::CreateSecretTag { .. }
            | Self::DeleteSecretTag { .. }
            | Self::BatchCreateOrDeleteTags { .. }
            // Checks and the health report (issue 14).
            | Self::UpdateSecretsConfig(_)
            | Self::UpdateReportSettings(_)
            // A dry run too: it takes the write lock, then rolls back.
            | Self::ImportRecords(_)
            | Self::AddRemote(_)
            | Self::RemoveRemote { .. }
            | Self::SaveSyncState(_) => true,
            Self::ListSecrets { .. }
            | Self::ShowSecret { .. }
            | Self::ListSecretVersions { .. }
            | Self::ShowSecretVersion { .. }
            | Self::ShowSecretStage { .. }
            | Self::DownloadSecretBlob { .. }
            | Self::BatchGetSecretValue(_)
            | Self::GenerateRandomPassword(_)
            | Self::ListKeys
            | Self::ShowSecretDetail { .. }
            | Self::ListAllSecrets
            | Self::ListSecretSummaries { .. }
            | Self::SecretNameExists { .. }
            | Self::KeyUsage
            | Self::ListKeyChoices
            // Huawei Cloud's (op/cloud.rs): its writes are refused, so none changes the vault.
            | Self::ListGrants { .. }
            | Self::CreateGrants
            | Self::UpdateGrant
            | Self::DeleteGrant
            | Self::ShowAgency { .. }
            | Self::CreateAgency
            | Self::ListUsers(_)
            | Self::ShowUserDetail { .. }
            | Self::UpdateUserPassword
            | Self::ShowSecretFunctionTemplates(_)
            | Self::ListProjects(_)
            | Self::ListSecretTask(_)
            | Self::ShowSecretEvent { .. }
            | Self::ListSecretEvents { .. }
            | Self::ListNotificationRecords { .. }
            | Self::UnreadNotifications
            // Tags (issue 14).
            | Self::ListSecretTags { .. }
            | Self::ListProjectSecretsTags
            | Self::ListResourceInstances(_)
            | Self::ListSecretsFiltered { .. }
            | Self::ListAllTags
            // Checks and the health report (issue 14).
            | Self::ShowSecretsConfig
            | Self::CheckSecrets(_)
            | Self::HealthReport(_)
            // Backup and export (issue 16): a copy elsewhere, reads.
            | Self::BackupVault(_)
            | Self::ExportSecrets { .. }
            | Self::ListRemotes
            | Self::OpenRemote { .. }
            | Self::SyncView { .. } => false,
        }
    }

    /// Every broken rule of the fields a form fills in, in the API's field order: what the vault
    /// answers the first of (`CSMS.0002`) and a form shows all of. Checks that need the vault (a
    /// duplicate name, a missing CMK, a version or stage that is not there) are the vault's, and so
    /// are a list's `limit` and `marker` (`csms::page_limit`) and a blob's contents.
    pub fn problems(&self) -> Vec<FieldError> {
        match self {
            Self::CreateSecret { body, keys } => create_problems(body, *keys),
            Self::UpdateSecret { body, keys, .. } => body.problems(*keys),
            Self::CreateSecretVersion { body, .. } => body.problems(),
            Self::UpdateVersion { body, .. } => body.problems(),
            Self::ShowSecretStage { stage, .. }
            | Self::UpdateSecretStage { stage, .. }
            | Self::DeleteSecretStage { stage, .. } => stage_name_problems(stage),
            Self::DeleteSecretForSchedule { body, .. } => body.problems(),
            Self::GenerateRandomPassword(body) => body.problems(),
            Self::CreateKey(body) => body.problems(),
            Self::ListSecretTask(query) => query.problems(),
            Self::CreateSecretEvent(body) => body.problems(),
            Self::UpdateSecretEvent { body, .. } => body.problems(),
            Self::CreateSecretTag { body, .. } => body.problems(),
            Self::DeleteSecretTag { key, .. } => tag_key_length_problem(key)
                .map(|m| FieldError::new(Field::TagKey, m))
                .into_iter()
                .collect(),
            Self::BatchCreateOrDeleteTags { body, .. } => body.problems(),
            Self::ListResourceInstances(body) => body.problems(),
            Self::ListSecretsFiltered { filter, .. } => filter.problems(),
            Self::ListSecretTags { .. } | Self::ListProjectSecretsTags | Self::ListAllTags => {
                Vec::new()
            }
            // Checks and the health report (issue 14).
            Self::CheckSecrets(body) => body.problems(),
            Self::HealthReport(windows) | Self::UpdateReportSettings(windows) => windows.problems(),
            // Each entry fails alone, with its own problems, when the batch runs.
            Self::BatchImportSecrets(_)
            | Self::ImportRecords(_)
            | Self::ListSecrets { .. }
            | Self::ShowSecret { .. }
            | Self::DeleteSecret { .. }
            | Self::ListSecretVersions { .. }
            | Self::ShowSecretVersion { .. }
            | Self::RestoreSecret { .. }
            | Self::DownloadSecretBlob { .. }
            | Self::UploadSecretBlob(_)
            | Self::BatchGetSecretValue(_)
            | Self::SetSecretEnabled { .. }
            | Self::ListKeys
            | Self::SetKeyState { .. }
            | Self::ShowSecretDetail { .. }
            | Self::ListAllSecrets
            | Self::ListSecretSummaries { .. }
            | Self::SecretNameExists { .. }
            | Self::KeyUsage
            | Self::ListKeyChoices
            // Huawei Cloud's (op/cloud.rs): their endpoints read their queries whole.
            | Self::ListGrants { .. }
            | Self::CreateGrants
            | Self::UpdateGrant
            | Self::DeleteGrant
            | Self::ShowAgency { .. }
            | Self::CreateAgency
            | Self::ListUsers(_)
            | Self::ShowUserDetail { .. }
            | Self::UpdateUserPassword
            | Self::ShowSecretFunctionTemplates(_)
            | Self::ListProjects(_)
            | Self::RotateSecret { .. }
            | Self::Housekeeping
            | Self::ShowSecretEvent { .. }
            | Self::DeleteSecretEvent { .. }
            | Self::ListSecretEvents { .. }
            | Self::ListNotificationRecords { .. }
            | Self::UnreadNotifications
            | Self::MarkNotificationsSeen
            | Self::ShowSecretsConfig
            | Self::UpdateSecretsConfig(_)
            | Self::BackupVault(_)
            | Self::ExportSecrets { .. }
            | Self::AddRemote(_)
            | Self::ListRemotes
            | Self::RemoveRemote { .. }
            | Self::OpenRemote { .. }
            | Self::SyncView { .. }
            | Self::SaveSyncState(_) => Vec::new(),
        }
    }
}

/// Where operations run: an unlocked vault in this process, or the agent holding it (issue 15).
/// Every edge (the command line, the terminal app) drives a vault only through this.
pub trait Execute {
    /// Runs one operation. Errors: the operation's CSMS error, or `VAULT.0005` when the vault
    /// is busy; through the agent also `VAULT.0007` when the agent cannot be reached.
    fn execute(&self, request: &Request) -> Result<Response, ApiError>;
}

/// The error for an [`Execute`] that answered another operation than the one asked (a bug:
/// `CSMS.0500`). One text for every edge that checks an answer's kind.
pub fn another_answer() -> ApiError {
    ApiError::new(
        super::ErrorCode::Internal,
        "The vault answered another operation.",
    )
}

/// An operation's answer: the API's response body (or none, for the deletes).
#[derive(Clone, Debug)]
pub enum Response {
    /// `{"secret": {...}}`.
    Secret(SecretResponse),
    Secrets(ListSecretsResponse),
    /// `{"version": {...}}`, with the value.
    Version(VersionResponse),
    VersionMetadata(VersionMetadataResponse),
    VersionMetadatas(ListSecretVersionsResponse),
    Stage(StageResponse),
    SecretBlob(SecretBlobResponse),
    /// Batch Get Secret Value, with the values.
    Values(BatchGetSecretValueResponse),
    Imported(BatchImportSecretsResponse),
    /// Every record's outcome (local, issue 16).
    RecordsImported(ImportRecordsResponse),
    /// A generated password.
    Password(PasswordResponse),
    /// `{"key_info": {...}}`.
    Key(KeyResponse),
    Keys(ListKeysResponse),
    /// 204: the deletes answer with no body.
    NoContent,
    Detail(SecretDetail),
    AllSecrets(Vec<Secret>),
    /// `{"summaries": [...], "next_marker"}`: a page of the terminal app's list.
    Summaries(SummaryPage),
    NameTaken(bool),
    /// Secrets per CMK id.
    KeyUsage(HashMap<String, i64>),
    KeyChoices(Vec<KeyChoice>),
    // The cloud's reads (op/cloud.rs) and IAM's project lookup.
    Grants(ListGrantsResponse),
    Users(ListUsersResponse),
    FunctionTemplates(FunctionTemplatesResponse),
    Agency(AgencyResponse),
    Projects(ListProjectsResponse),
    /// `{"rotation_task_id", "secret_name", "version_id"}`.
    Rotated(RotateSecretResponse),
    /// `{"tasks": [...], "total", "next_marker"}`.
    Tasks(ListSecretTaskResponse),
    /// What a housekeeping run did (counts).
    Housekeeping(Housekeeping),
    /// `{"event": {...}}`.
    Event(EventResponse),
    Events(ListEventsResponse),
    Records(ListNotificationRecordsResponse),
    /// How many notification records are unread.
    Unread(usize),
    // Tags (issue 14).
    /// `{"tags": [...], "sys_tags": []}`.
    SecretTags(ListSecretTagsResponse),
    /// `{"tags": [{"key", "values"}]}`.
    ProjectTags(ListProjectSecretsTagsResponse),
    /// `{"resources": [...], "total_count"}`, or `{"total_count"}` for a count.
    Resources(ListResourceInstancesResponse),
    /// Every secret's tags (local).
    AllTags(Vec<NamedTags>),

    // Checks and the health report (issue 14).
    /// `{"checking_secret_strength": bool}`.
    SecretsConfig(SecretsConfig),
    /// `CheckSecrets`' `{"type": "strength", "data": {...}}` (never the value).
    Strength(CheckSecretsResponse),
    /// The local health report: names, never values.
    HealthReport(Box<HealthReport>),
    ReportSettings(ReportSettings),
    // Backup and export (issue 16).
    /// `{"path", "bytes", "secrets", "time"}`.
    Backup(BackupReport),
    /// A page of export records, with values.
    ExportPage(ExportPage),
    // Sync with CSMS remotes (issue 17).
    Remote(RemoteInfo),
    Remotes(Vec<RemoteInfo>),
    /// A remote with its SK.
    OpenedRemote(OpenedRemote),
    /// With the MAC key.
    SyncView(SyncView),
}

impl Response {
    /// Whether the body holds a plaintext value: every edge renders it into wiped memory only.
    pub fn carries_plaintext(&self) -> bool {
        matches!(
            self,
            Self::Version(_)
                | Self::Values(_)
                | Self::Password(_)
                | Self::ExportPage(_)
                | Self::OpenedRemote(_)
                | Self::SyncView(_)
        )
    }

    /// Whether there is a body at all (the deletes answer 204 and print nothing).
    pub fn has_body(&self) -> bool {
        !matches!(self, Self::NoContent)
    }
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Secret(b) => b.serialize(s),
            Self::Secrets(b) => b.serialize(s),
            Self::Version(b) => b.serialize(s),
            Self::VersionMetadata(b) => b.serialize(s),
            Self::VersionMetadatas(b) => b.serialize(s),
            Self::Stage(b) => b.serialize(s),
            Self::SecretBlob(b) => b.serialize(s),
            Self::Values(b) => b.serialize(s),
            Self::Imported(b) => b.serialize(s),
            Self::RecordsImported(b) => b.serialize(s),
            Self::Password(b) => b.serialize(s),
            Self::Key(b) => b.serialize(s),
            Self::Keys(b) => b.serialize(s),
            Self::NoContent => s.serialize_unit(),
            Self::Detail(b) => b.serialize(s),
            Self::AllSecrets(b) => b.serialize(s),
            Self::Summaries(b) => b.serialize(s),
            Self::NameTaken(b) => b.serialize(s),
            Self::KeyUsage(b) => b.serialize(s),
            Self::KeyChoices(b) => b.serialize(s),
            Self::Grants(b) => b.serialize(s),
            Self::Users(b) => b.serialize(s),
            Self::FunctionTemplates(b) => b.serialize(s),
            Self::Agency(b) => b.serialize(s),
            Self::Projects(b) => b.serialize(s),
            Self::Rotated(b) => b.serialize(s),
            Self::Tasks(b) => b.serialize(s),
            Self::Housekeeping(b) => b.serialize(s),
            Self::Event(b) => b.serialize(s),
            Self::Events(b) => b.serialize(s),
            Self::Records(b) => b.serialize(s),
            Self::Unread(b) => b.serialize(s),
            Self::SecretTags(b) => b.serialize(s),
            Self::ProjectTags(b) => b.serialize(s),
            Self::Resources(b) => b.serialize(s),
            Self::AllTags(b) => b.serialize(s),
            // Checks and the health report (issue 14).
            Self::SecretsConfig(b) => b.serialize(s),
            Self::Strength(b) => b.serialize(s),
            Self::HealthReport(b) => b.serialize(s),
            Self::ReportSettings(b) => b.serialize(s),
            Self::Backup(b) => b.serialize(s),
            Self::ExportPage(b) => b.serialize(s),
            Self::Remote(b) => b.serialize(s),
            Self::Remotes(b) => b.serialize(s),
            Self::OpenedRemote(b) => b.serialize(s),
            Self::SyncView(b) => b.serialize(s),
        }
    }
}

pub(super) type Build = fn(&[String], &Call<'_>) -> Result<Request, ApiError>;

/// An operation's method, path and builder.
pub(super) struct Endpoint {
    pub(super) method: &'static str,
    /// The path after `/v1/{project_id}/`, each `{}` a name the request carries; or, beginning
    /// with `/`, the whole path of an operation outside a project (`/v1/csms/users`, IAM's
    /// `/v3/projects`).
    pub(super) path: &'static str,
    pub(super) build: Build,
}

/// Every served operation, fixed paths before named ones, plus `BatchImportSecrets` (`POST
/// …/secrets/batch-import`, a local addition) and IAM's project lookup (`GET /v3/projects`).
pub(super) static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "POST",
        path: "secrets",
        build: |_, c| {
            Ok(Request::CreateSecret {
                body: CreateSecretRequest::from_json(c.body)?,
                keys: KeyLookup::Id,
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "secrets",
        build: |_, c| {
            let (limit, marker) = page_query(c.query)?;
            Ok(Request::ListSecrets {
                limit,
                marker,
                event_name: query_param(c.query, "event_name")?,
            })
        },
    },
    Endpoint {
        method: "POST",
        path: "secrets/restore",
        build: |_, c| Ok(Request::UploadSecretBlob(parse_body(c.body)?)),
    },
    Endpoint {
        method: "POST",
        path: "secrets/batch-get-secret-value",
        build: |_, c| Ok(Request::BatchGetSecretValue(parse_body(c.body)?)),
    },
    Endpoint {
        method: "POST",
        path: "secrets/batch-import",
        build: |_, c| {
            Ok(Request::BatchImportSecrets(
                BatchImportSecretsRequest::from_json(c.body)?,
            ))
        },
    },
    // Checks (issue 14): fixed paths, before `secrets/{}/…`.
    Endpoint {
        method: "GET",
        path: "secrets/checker/config",
        build: |_, _| Ok(Request::ShowSecretsConfig),
    },
    Endpoint {
        method: "POST",
        path: "secrets/checker/config",
        build: |_, c| Ok(Request::UpdateSecretsConfig(parse_body(c.body)?)),
    },
    Endpoint {
        method: "POST",
        path: "secrets/checker/check",
        build: |_, c| Ok(Request::CheckSecrets(parse_body(c.body)?)),
    },
    Endpoint {
        method: "POST",
        path: "csms/generate-password",
        build: |_, c| {
            Ok(Request::GenerateRandomPassword(optional_body::<
                GeneratePasswordRequest,
            >(c.body)?))
        },
    },
    // Rotation.
    Endpoint {
        method: "GET",
        path: "csms/tasks",
        build: |_, c| {
            let (limit, marker) = page_query(c.query)?;
            Ok(Request::ListSecretTask(ListSecretTaskQuery {
                secret_name: query_param(c.query, "secret_name")?,
                status: query_param(c.query, "status")?,
                task_id: query_param(c.query, "task_id")?,
                limit,
                marker: marker.filter(|m| !m.is_empty()),
            }))
        },
    },
    // Events and notification records (issue 14).
    Endpoint {
        method: "POST",
        path: "csms/events",
        build: |_, c| Ok(Request::CreateSecretEvent(parse_body(c.body)?)),
    },
    Endpoint {
        method: "GET",
        path: "csms/events",
        build: |_, c| {
            let (limit, marker) = page_query(c.query)?;
            Ok(Request::ListSecretEvents { limit, marker })
        },
    },
    Endpoint {
        method: "GET",
        path: "csms/notification-records",
        build: |_, c| {
            let (limit, marker) = page_query(c.query)?;
            Ok(Request::ListNotificationRecords { limit, marker })
        },
    },
    Endpoint {
        method: "GET",
        path: "csms/events/{}",
        build: |n, _| Ok(Request::ShowSecretEvent { name: n[0].clone() }),
    },
    Endpoint {
        method: "PUT",
        path: "csms/events/{}",
        build: |n, c| {
            Ok(Request::UpdateSecretEvent {
                name: n[0].clone(),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "DELETE",
        path: "csms/events/{}",
        build: |n, _| Ok(Request::DeleteSecretEvent { name: n[0].clone() }),
    },
    Endpoint {
        method: "GET",
        path: "secrets/{}",
        build: |n, _| Ok(Request::ShowSecret { name: n[0].clone() }),
    },
    Endpoint {
        method: "PUT",
        path: "secrets/{}",
        build: |n, c| {
            Ok(Request::UpdateSecret {
                name: n[0].clone(),
                body: parse_body(c.body)?,
                keys: KeyLookup::Id,
            })
        },
    },
    Endpoint {
        method: "DELETE",
        path: "secrets/{}",
        build: |n, _| Ok(Request::DeleteSecret { name: n[0].clone() }),
    },
    Endpoint {
        method: "POST",
        path: "secrets/{}/versions",
        build: |n, c| {
            Ok(Request::CreateSecretVersion {
                name: n[0].clone(),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "secrets/{}/versions",
        build: |n, c| {
            let (limit, marker) = page_query(c.query)?;
            Ok(Request::ListSecretVersions {
                name: n[0].clone(),
                limit,
                marker,
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "secrets/{}/versions/{}",
        build: |n, _| {
            Ok(Request::ShowSecretVersion {
                name: n[0].clone(),
                version_id: n[1].clone(),
            })
        },
    },
    Endpoint {
        method: "PUT",
        path: "secrets/{}/versions/{}",
        build: |n, c| {
            Ok(Request::UpdateVersion {
                name: n[0].clone(),
                version_id: n[1].clone(),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "secrets/{}/stages/{}",
        build: |n, _| {
            Ok(Request::ShowSecretStage {
                name: n[0].clone(),
                stage: n[1].clone(),
            })
        },
    },
    Endpoint {
        method: "PUT",
        path: "secrets/{}/stages/{}",
        build: |n, c| {
            Ok(Request::UpdateSecretStage {
                name: n[0].clone(),
                stage: n[1].clone(),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "DELETE",
        path: "secrets/{}/stages/{}",
        build: |n, _| {
            Ok(Request::DeleteSecretStage {
                name: n[0].clone(),
                stage: n[1].clone(),
            })
        },
    },
    Endpoint {
        method: "POST",
        path: "secrets/{}/scheduled-deleted-tasks/create",
        build: |n, c| {
            Ok(Request::DeleteSecretForSchedule {
                name: n[0].clone(),
                body: optional_body::<DeleteSecretForScheduleRequest>(c.body)?,
            })
        },
    },
    Endpoint {
        method: "POST",
        path: "secrets/{}/scheduled-deleted-tasks/cancel",
        build: |n, _| Ok(Request::RestoreSecret { name: n[0].clone() }),
    },
    Endpoint {
        method: "POST",
        path: "secrets/{}/backup",
        build: |n, _| Ok(Request::DownloadSecretBlob { name: n[0].clone() }),
    },
    // Huawei Cloud's own operations (op/cloud.rs) and IAM's project lookup.
    Endpoint {
        method: "GET",
        path: "csms/grants",
        build: cloud::list_grants,
    },
    Endpoint {
        method: "POST",
        path: "csms/grants",
        build: |_, _| Ok(Request::CreateGrants),
    },
    Endpoint {
        method: "PUT",
        path: "csms/grants",
        build: |_, _| Ok(Request::UpdateGrant),
    },
    Endpoint {
        method: "DELETE",
        path: "csms/grants",
        build: |_, _| Ok(Request::DeleteGrant),
    },
    Endpoint {
        method: "GET",
        path: "/v1/csms/agencies",
        build: cloud::show_agency,
    },
    Endpoint {
        method: "POST",
        path: "/v1/csms/agencies",
        build: |_, _| Ok(Request::CreateAgency),
    },
    Endpoint {
        method: "GET",
        path: "/v1/csms/users",
        build: cloud::list_users,
    },
    Endpoint {
        method: "POST",
        path: "/v1/csms/users/change-password",
        build: |_, _| Ok(Request::UpdateUserPassword),
    },
    Endpoint {
        method: "GET",
        path: "/v1/csms/users/{}",
        build: |n, _| {
            Ok(Request::ShowUserDetail {
                user_id: n[0].clone(),
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "/v1/csms/function-templates",
        build: cloud::show_function_templates,
    },
    Endpoint {
        method: "GET",
        path: "/v3/projects",
        build: cloud::list_projects,
    },
    // Rotation.
    Endpoint {
        method: "POST",
        path: "secrets/{}/rotate",
        build: |n, _| Ok(Request::RotateSecret { name: n[0].clone() }),
    },
    // Tags (issue 14): fixed paths, then those naming a secret by id.
    Endpoint {
        method: "GET",
        path: "csms/tags",
        build: |_, _| Ok(Request::ListProjectSecretsTags),
    },
    Endpoint {
        method: "POST",
        path: "csms/resource_instances/action",
        build: |_, c| Ok(Request::ListResourceInstances(parse_body(c.body)?)),
    },
    Endpoint {
        method: "POST",
        path: "csms/{}/tags",
        build: |n, c| {
            Ok(Request::CreateSecretTag {
                secret: SecretRef::Id(n[0].clone()),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "GET",
        path: "csms/{}/tags",
        build: |n, _| {
            Ok(Request::ListSecretTags {
                secret: SecretRef::Id(n[0].clone()),
            })
        },
    },
    Endpoint {
        method: "POST",
        path: "csms/{}/tags/action",
        build: |n, c| {
            Ok(Request::BatchCreateOrDeleteTags {
                secret: SecretRef::Id(n[0].clone()),
                body: parse_body(c.body)?,
            })
        },
    },
    Endpoint {
        method: "DELETE",
        path: "csms/{}/tags/{}",
        build: |n, _| {
            Ok(Request::DeleteSecretTag {
                secret: SecretRef::Id(n[0].clone()),
                key: n[1].clone(),
            })
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csms::{
        DEFAULT_KEY_ALIAS, DeleteSecretForScheduleRequest, first_create_problem, first_problem,
    };

    #[test]
    fn every_field_problem_at_once_in_field_order() {
        let create = Request::CreateSecret {
            body: CreateSecretRequest {
                name: "bad name".into(),
                kms_key_id: Some("not an id!".into()),
                description: Some("d".repeat(2049)),
                ..CreateSecretRequest::default()
            },
            keys: KeyLookup::IdOrAlias,
        };
        let fields: Vec<Field> = create.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::KmsKeyId,
                Field::Description,
                Field::Value
            ]
        );
        let version = Request::CreateSecretVersion {
            name: "a".into(),
            body: CreateSecretVersionRequest {
                version_stages: Some(vec!["ok".into(), "not ok".into()]),
                expire_time: Some(-1),
                ..CreateSecretVersionRequest::default()
            },
        };
        let fields: Vec<Field> = version.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [Field::Value, Field::VersionStages, Field::ExpireTime]
        );
        let key = Request::CreateKey(CreateKeyRequest {
            key_alias: "team/default".into(),
            key_description: "k".repeat(256),
        });
        let fields: Vec<Field> = key.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, [Field::KeyAlias, Field::KeyDescription]);
    }

    #[test]
    fn an_alias_is_a_key_reference_only_where_aliases_are_taken() {
        let update = |keys| Request::UpdateSecret {
            name: "a".into(),
            body: UpdateSecretRequest {
                kms_key_id: Some(DEFAULT_KEY_ALIAS.into()),
                description: None,
                ..UpdateSecretRequest::default()
            },
            keys,
        };
        assert!(update(KeyLookup::IdOrAlias).problems().is_empty());
        let over_http = update(KeyLookup::Id).problems();
        assert_eq!(over_http.len(), 1);
        assert_eq!(
            first_create_problem(&over_http).err().map(|e| e.error_msg),
            Some("Invalid kms_key_id: a key id has only a–z A–Z 0–9 and -".to_owned())
        );
        assert_eq!(
            first_problem(&over_http).err().map(|e| e.error_msg),
            Some("Invalid kms_key_id: a key id has only a–z A–Z 0–9 and -.".to_owned()),
            "UpdateSecret's answer ends with a full stop, as it always has"
        );
        let reserved = Request::CreateSecret {
            body: CreateSecretRequest {
                name: "a".into(),
                kms_key_id: Some("team/default".into()),
                secret_string: Some(zeroize::Zeroizing::new("v".into())),
                ..CreateSecretRequest::default()
            },
            keys: KeyLookup::IdOrAlias,
        };
        assert!(
            reserved.problems().is_empty(),
            "an alias in form is looked up (and missing: CSMS.0401)"
        );
    }

    #[test]
    fn api_messages_name_the_field_and_keep_their_sentence() {
        let window = Request::DeleteSecretForSchedule {
            name: "a".into(),
            body: DeleteSecretForScheduleRequest {
                recovery_window_in_days: Some(6),
            },
        };
        let problems = window.problems();
        assert_eq!(
            problems[0].to_api().error_msg,
            "Invalid recovery_window_in_days: 6; it must be 7–30."
        );
        assert!(!Request::ListKeys.writes());
        assert!(window.writes());
    }

    #[test]
    fn plaintext_answers_say_so() {
        let password = Response::Password(PasswordResponse {
            password: zeroize::Zeroizing::new("x".into()),
        });
        assert!(password.carries_plaintext());
        assert!(!Response::NoContent.has_body());
        assert!(!Response::NameTaken(true).carries_plaintext());
    }
}
