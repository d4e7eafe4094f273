//! The CSMS contract, pure: every type that appears in a request or response (secrets, versions,
//! stages, keys, pages), validation, and the API error type. Depends on nothing of ours.

mod backup;
mod checks;
mod error;
mod events;
mod export;
mod filter;
mod housekeeping;
mod keys;
mod lifecycle;
pub mod op;
mod page;
mod password;
mod request;
mod response;
mod rotation;
mod settings;
mod summary;
mod sync;
mod tags;
mod validate;
mod value;
pub mod value_field;

// Checks and the health report (issue 14).
pub use backup::{BackupReport, BackupRequest};
pub use checks::{
    CHECK_TYPE_STRENGTH, CheckData, CheckSecretsRequest, CheckSecretsResponse,
    DEFAULT_EXPIRING_DAYS, DEFAULT_UNCHANGED_DAYS, ExpiringVersion, HealthReport,
    MAX_EXPIRING_DAYS, MAX_UNCHANGED_DAYS, OverdueRotation, ReportSettings, ReportSkipped,
    ReportWindows, STRENGTH_CHARS, SecretsConfig, Strength, StrengthData, UnchangedValue,
    UpdateSecretsConfigRequest, strength,
};
pub use error::{ApiError, ErrorCode};
pub use export::{DEFAULT_EXPORT_PAGE, ExportPage, MAX_EXPORT_PAGE, RecordVersion, SecretRecord};
// Output for people (issue 15): `secret list`'s filter.
pub use events::{
    CreateSecretEventRequest, DEFAULT_RECORDS_LIMIT, EVENT_DISABLED, EVENT_ENABLED, Event,
    EventResponse, EventType, ListEventsResponse, ListNotificationRecordsResponse, MAX_EVENT_TYPES,
    MAX_EVENTS, MAX_TARGET_ID_CHARS, MAX_TARGET_NAME_CHARS, Notification, NotificationRecord,
    RECORD_RETENTION_MS, RecordMarker, UpdateSecretEventRequest, event_types_problem,
    state_problem,
};
pub use filter::{MAX_FILTER_TEXT_BYTES, SecretFilter};
pub use housekeeping::Housekeeping;
pub use keys::{
    DEFAULT_KEY_ALIAS, KeyChoice, KeyInfo, KeyLookup, KeyResponse, KeyState, ListKeysResponse,
    MAX_ALIAS_CHARS, MAX_KEY_DESCRIPTION_CHARS, alias_form_problem, alias_problem,
    key_description_problem,
};
pub use lifecycle::{
    BatchGetSecretValueRequest, BatchGetSecretValueResponse, CreateSecretVersionRequest, DAY_MS,
    DEFAULT_RECOVERY_WINDOW_DAYS, DeleteSecretForScheduleRequest, ListSecretVersionsResponse,
    MAX_EXPIRE_TIME, MAX_STAGES, MAX_VERSIONS, RECOVERY_WINDOW_DAYS, SecretBlobResponse, Stage,
    StageResponse, UpdateSecretRequest, UpdateSecretStageRequest, UpdateVersionRequest,
    UploadSecretBlobRequest, VersionMetadataResponse, expire_problem, parse_body, refusal,
    stage_name_problems, stage_problem, version_number,
};
pub use page::{DEFAULT_PAGE_LIMIT, LATEST, MAX_PAGE_LIMIT, page_limit};
pub use password::{
    DEFAULT_PASSWORD_LENGTH, GeneratePasswordRequest, MAX_PASSWORD_LENGTH, PasswordClass,
    PasswordResponse,
};
pub use request::{CreateSecretRequest, json_object, malformed_body};
pub use response::{
    DetailVersion, ListSecretsResponse, PageInfo, Secret, SecretDetail, SecretResponse,
    SecretState, SecretVersion, VersionMetadata, VersionResponse,
};
pub use rotation::{
    ListSecretTaskQuery, ListSecretTaskResponse, OperateType, ROTATED_BINARY_BYTES,
    ROTATED_TEXT_CHARS, RotateSecretResponse, SecretTask, TASK_ATTEMPTS, TASK_FAILED,
    TASK_RETENTION_MS, TASK_SUCCESS, is_task_id,
};
pub use settings::{
    DEFAULT_ENTERPRISE_PROJECT, MAX_ENTERPRISE_PROJECT_CHARS, MAX_EVENT_SUBSCRIPTIONS,
    MAX_ROTATION_CONFIG_BYTES, MAX_ROTATION_FUNC_URN_BYTES, MAX_ROTATION_PERIOD_MS,
    MIN_ROTATION_PERIOD_MS, SecretSettings, SettingsChange, event_name_problem, next_rotation,
    rotation_period_ms, rotation_period_problem,
};
pub use summary::{
    DEFAULT_SUMMARY_PAGE, MAX_SUMMARY_PAGE, SecretSummary, SummaryPage, summary_page_limit,
};
pub use sync::{
    LocalSecret, OpenedRemote, PENDING, RemoteInfo, RemoteSpec, SyncRecord, SyncStateUpdate,
    SyncView, VersionLink,
};
pub use tags::{
    BatchCreateOrDeleteTagsRequest, CountText, CreateSecretTagRequest, DEFAULT_RESOURCE_LIMIT,
    ListProjectSecretsTagsResponse, ListResourceInstancesRequest, ListResourceInstancesResponse,
    ListSecretTagsResponse, MATCH_RESOURCE_NAME, MAX_FILTER_TAGS, MAX_FILTER_VALUES, MAX_MATCHES,
    MAX_RESOURCE_LIMIT, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, MAX_TAGS_PER_SECRET, NamedTags,
    ProjectTag, RESERVED_TAG_PREFIX, ResourceInstance, SecretRef, SecretTag, TagAction, TagFilter,
    TagItem, TagMatch, filter_problems, tag_key_length_problem, tag_key_problem,
    tag_value_length_problem, tag_value_problem,
};
pub use validate::{
    Field, FieldError, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES, create_problems,
    first_create_problem, first_problem, rule_text, validate_create, validate_description,
    validate_key_id, validate_key_ref, validate_name, validate_value,
};
pub use value::ValueKind;

/// The stage every new version takes, and the one `latest` means.
pub const STAGE_CURRENT: &str = "SYSCURRENT";
/// The stage the previous current version takes.
pub const STAGE_PREVIOUS: &str = "SYSPREVIOUS";
/// The only secret type csvault stores.
pub const SECRET_TYPE_COMMON: &str = "COMMON";
